/* SPDX-License-Identifier: MIT */
#include "doctor/probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/json.h"
#include "common/macro.h"

/* Creates and removes PATH/.corral-doctor-probe; returns 0 or an errno. */
static int try_write(const char *dir) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/.corral-doctor-probe", dir);
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0)
                return errno;
        unlink(path);
        return 0;
}

static int try_connect(void) {
        /* TEST-NET-2: documentation-only, never routed; no packet leaves an
         * empty network namespace anyway. */
        _cleanup_close_ int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return errno;
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(9)};
        inet_pton(AF_INET, "198.51.100.1", &sa.sin_addr);
        return connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ? errno : 0;
}

static long status_field(const char *name, int base) {
        _cleanup_fclose_ FILE *f = fopen("/proc/self/status", "re");
        char line[256];
        long v = -1;
        size_t len = strlen(name);
        while (f && fgets(line, sizeof(line), f))
                if (strncmp(line, name, len) == 0 && line[len] == ':')
                        v = strtol(line + len + 1, NULL, base);
        return v;
}

static void print_errno(const char *key, int e) {
        printf("\"%s\":", key);
        json_put_string(stdout, e ? strerror(e) : "ok");
        putchar(',');
}

int doctor_probe_main(const char *workspace, const char *outside) {
        /* A child reports its own restrictions: proof that they are inherited. */
        int pfd[2];
        long child[3] = {-1, -1, -1};
        if (pipe(pfd) == 0) {
                pid_t pid = fork();
                if (pid == 0) {
                        long v[3] = {status_field("NoNewPrivs", 10), status_field("Seccomp", 10),
                                     status_field("CapEff", 16)};
                        (void)!write(pfd[1], v, sizeof(v));
                        _exit(0);
                }
                close(pfd[1]);
                if (pid > 0) {
                        (void)!read(pfd[0], child, sizeof(child));
                        waitpid(pid, NULL, 0);
                }
                close(pfd[0]);
        }
        char git[4096];
        snprintf(git, sizeof(git), "%s/.git", workspace);
        printf("{\"uid\":%u,\"gid\":%u,", getuid(), getgid());
        print_errno("write_workspace", try_write(workspace));
        print_errno("write_outside", try_write(outside));
        print_errno("write_protected", try_write(git));
        print_errno("connect", try_connect());
        printf("\"no_new_privs\":%ld,\"seccomp\":%ld,\"cap_eff\":%ld,", status_field("NoNewPrivs", 10),
               status_field("Seccomp", 10), status_field("CapEff", 16));
        printf("\"child_no_new_privs\":%ld,\"child_seccomp\":%ld,\"child_cap_eff\":%ld}\n", child[0], child[1],
               child[2]);
        return 0;
}
