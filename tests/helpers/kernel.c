/* SPDX-License-Identifier: MIT */
/*
 * kernel: reach for kernel interfaces a sandboxed command has no business
 * with -- each one a large attack surface or a way to touch state shared
 * with the rest of the machine.
 *
 *   kernel keyctl         look up the uid's user keyring (shared with the host session)
 *   kernel bpf            create a BPF map
 *   kernel perf           perf_event_open on ourselves
 *   kernel userfaultfd    create a userfaultfd (user-mode only)
 *   kernel personality    set READ_IMPLIES_EXEC
 *   kernel kexec          kexec_load (with a bad arch: EINVAL once permission is granted)
 *   kernel module         init_module (with no image: fails after the permission check)
 *
 * Exit 0: the kernel accepted the call (or got past its permission check).
 * 1: blocked. 2: usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <linux/userfaultfd.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <unistd.h>

static int result(long r, const char *what)
{
	if (r < 0) {
		printf("BLOCKED: %s: %s\n", what, strerror(errno));
		return 1;
	}
	printf("SUCCEEDED: %s returned %ld\n", what, r);
	return 0;
}

/* For calls we must not let succeed even outside a sandbox: success means
 * the kernel got past its permission checks, i.e. failed with anything but
 * EPERM/EACCES/ENOSYS. */
static int past_permission(long r, const char *what)
{
	if (r >= 0 || (errno != EPERM && errno != EACCES && errno != ENOSYS)) {
		printf("SUCCEEDED: %s got past the permission check (%s)\n", what,
		       r >= 0 ? "ok" : strerror(errno));
		return 0;
	}
	printf("BLOCKED: %s: %s\n", what, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";

	if (strcmp(what, "keyctl") == 0)
		return result(syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_USER_KEYRING, 0),
			      "keyctl(KEYCTL_GET_KEYRING_ID, user keyring)");
	if (strcmp(what, "bpf") == 0) {
		union bpf_attr attr;
		memset(&attr, 0, sizeof attr);
		attr.map_type = BPF_MAP_TYPE_ARRAY;
		attr.key_size = 4;
		attr.value_size = 4;
		attr.max_entries = 1;
		return result(syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof attr), "bpf(BPF_MAP_CREATE)");
	}
	if (strcmp(what, "perf") == 0) {
		struct perf_event_attr attr;
		memset(&attr, 0, sizeof attr);
		attr.size = sizeof attr;
		attr.type = PERF_TYPE_SOFTWARE;
		attr.config = PERF_COUNT_SW_TASK_CLOCK;
		attr.exclude_kernel = 1;
		attr.exclude_hv = 1;
		return result(syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0), "perf_event_open");
	}
	if (strcmp(what, "userfaultfd") == 0)
		return result(syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY), "userfaultfd");
	if (strcmp(what, "personality") == 0) {
		if (personality(PER_LINUX | READ_IMPLIES_EXEC) < 0)
			return result(-1, "personality(READ_IMPLIES_EXEC)");
		int now = personality(0xffffffff);
		if (!(now & READ_IMPLIES_EXEC)) {
			printf("BLOCKED: personality is %#x, READ_IMPLIES_EXEC not set\n", now);
			return 1;
		}
		return result(now, "personality(READ_IMPLIES_EXEC)");
	}
	if (strcmp(what, "kexec") == 0)
		return past_permission(syscall(SYS_kexec_load, 0UL, 0UL, NULL, 0xdead0000UL), "kexec_load");
	if (strcmp(what, "module") == 0)
		return past_permission(syscall(SYS_init_module, NULL, 0UL, ""), "init_module");
	fprintf(stderr, "usage: kernel keyctl|bpf|perf|userfaultfd|personality|kexec|module\n");
	return 2;
}
