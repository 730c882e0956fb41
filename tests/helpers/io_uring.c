/* SPDX-License-Identifier: MIT */
/*
 * io_uring: set up an io_uring with raw syscalls and use it to create a
 * socket (IORING_OP_SOCKET) and, given HOST PORT, to connect it
 * (IORING_OP_CONNECT). Those operations never pass through the socket() and
 * connect() syscalls, so a seccomp filter on them cannot see them: the
 * sandbox has to forbid io_uring as a whole.
 *
 *   io_uring [HOST PORT]
 *
 * Exit 0: the attack worked. 1: it was blocked. 2: usage or setup error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

struct ring {
	int fd;
	unsigned *sq_tail, *sq_mask, *sq_array;
	unsigned *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
};

static int ring_setup(struct ring *r)
{
	struct io_uring_params p;
	memset(&p, 0, sizeof p);
	r->fd = (int)syscall(__NR_io_uring_setup, 4, &p);
	if (r->fd < 0)
		return -errno;

	size_t sq_size = p.sq_off.array + p.sq_entries * sizeof(unsigned);
	size_t cq_size = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	if (p.features & IORING_FEAT_SINGLE_MMAP)
		sq_size = cq_size = sq_size > cq_size ? sq_size : cq_size;

	char *sq = mmap(NULL, sq_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
			r->fd, IORING_OFF_SQ_RING);
	if (sq == MAP_FAILED)
		return -errno;
	char *cq = sq;
	if (!(p.features & IORING_FEAT_SINGLE_MMAP)) {
		cq = mmap(NULL, cq_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
			  r->fd, IORING_OFF_CQ_RING);
		if (cq == MAP_FAILED)
			return -errno;
	}
	r->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
	if (r->sqes == MAP_FAILED)
		return -errno;

	r->sq_tail = (unsigned *)(sq + p.sq_off.tail);
	r->sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
	r->sq_array = (unsigned *)(sq + p.sq_off.array);
	r->cq_head = (unsigned *)(cq + p.cq_off.head);
	r->cq_tail = (unsigned *)(cq + p.cq_off.tail);
	r->cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
	return 0;
}

/* Submit one prepared SQE and wait for its completion; returns cqe->res. */
static int ring_run(struct ring *r, const struct io_uring_sqe *in)
{
	unsigned tail = *r->sq_tail;
	unsigned idx = tail & *r->sq_mask;
	r->sqes[idx] = *in;
	r->sq_array[idx] = idx;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);

	if (syscall(__NR_io_uring_enter, r->fd, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0)
		return -errno;

	unsigned head = __atomic_load_n(r->cq_head, __ATOMIC_ACQUIRE);
	if (head == __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE))
		return -EAGAIN;
	int res = r->cqes[head & *r->cq_mask].res;
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
	return res;
}

int main(int argc, char **argv)
{
	if (argc != 1 && argc != 3) {
		fprintf(stderr, "usage: io_uring [HOST PORT]\n");
		return 2;
	}

	struct ring r;
	int rc = ring_setup(&r);
	if (rc < 0) {
		printf("BLOCKED: io_uring_setup: %s\n", strerror(-rc));
		return 1;
	}
	printf("io_uring_setup: ok (fd %d)\n", r.fd);

	struct sockaddr_storage ss;
	socklen_t sslen = 0;
	int family = AF_INET;
	memset(&ss, 0, sizeof ss);
	if (argc == 3) {
		struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
		int port = atoi(argv[2]);
		if (inet_pton(AF_INET, argv[1], &in4->sin_addr) == 1) {
			in4->sin_family = AF_INET;
			in4->sin_port = htons((uint16_t)port);
			sslen = sizeof *in4;
		} else if (inet_pton(AF_INET6, argv[1], &in6->sin6_addr) == 1) {
			in6->sin6_family = AF_INET6;
			in6->sin6_port = htons((uint16_t)port);
			sslen = sizeof *in6;
			family = AF_INET6;
		} else {
			fprintf(stderr, "io_uring: bad address %s\n", argv[1]);
			return 2;
		}
	}

	struct io_uring_sqe sqe;
	memset(&sqe, 0, sizeof sqe);
	sqe.opcode = IORING_OP_SOCKET;
	sqe.fd = family;
	sqe.off = SOCK_STREAM;
	sqe.len = 0;
	int sock = ring_run(&r, &sqe);
	if (sock < 0) {
		printf("BLOCKED: IORING_OP_SOCKET: %s\n", strerror(-sock));
		return 1;
	}
	printf("IORING_OP_SOCKET: ok (fd %d)\n", sock);
	if (argc == 1) {
		printf("SUCCEEDED: io_uring works and created a socket\n");
		return 0;
	}

	memset(&sqe, 0, sizeof sqe);
	sqe.opcode = IORING_OP_CONNECT;
	sqe.fd = sock;
	sqe.addr = (unsigned long)&ss;
	sqe.off = sslen;
	int res = ring_run(&r, &sqe);
	if (res < 0) {
		printf("BLOCKED: IORING_OP_CONNECT %s %s: %s\n", argv[1], argv[2], strerror(-res));
		return 1;
	}
	printf("SUCCEEDED: IORING_OP_CONNECT to %s port %s\n", argv[1], argv[2]);
	return 0;
}
