// SPDX-License-Identifier: GPL-2.0
/*
 * connhold: open CONNS loopback TCP connections and keep them open until
 * stdin reaches EOF, so that something else can be timed against that
 * many established sockets (2 * CONNS: both ends are in the namespace).
 *
 *   connhold -n CONNS [-p PORT]
 *
 * Prints "ready conns=N ns=T" once every connection is established (T:
 * the time it took). Client i binds 127.1.0.(1 + i / 28000) port
 * 32768 + i % 28000 itself (the ephemeral range the policies of
 * bench/policies.sh leave alone): an explicit, unused address and port costs
 * connect() no search through the ephemeral range, which with tens of
 * thousands of ports in use becomes the slowest part of the setup.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PORTS_PER_ADDR	28000
#define PORT_BASE	32768

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int connect_from(const struct sockaddr_in *dst, unsigned int i)
{
	struct sockaddr_in src = { .sin_family = AF_INET };
	int fd, one = 1;

	src.sin_addr.s_addr = htonl(0x7f010001 + i / PORTS_PER_ADDR);
	src.sin_port = htons(PORT_BASE + i % PORTS_PER_ADDR);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	/* a TIME_WAIT of an earlier run may still hold the pair */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&src, sizeof(src)))
		die("bind");
	if (connect(fd, (const struct sockaddr *)dst, sizeof(*dst)))
		die("connect");
	return fd;
}

int main(int argc, char **argv)
{
	struct sockaddr_in dst = { .sin_family = AF_INET };
	unsigned int conns = 0, i;
	int port = 30001, lfd, fd, one = 1, opt;
	struct rlimit rl;
	long long t0;
	char buf[64];

	while ((opt = getopt(argc, argv, "n:p:")) != -1) {
		switch (opt) {
		case 'n':
			conns = strtoul(optarg, NULL, 10);
			break;
		case 'p':
			port = atoi(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc || !conns || conns > 10 * PORTS_PER_ADDR ||
	    port < 1 || port > 65535)
		goto usage;

	/* Two descriptors per connection: raise the limit when it is short. */
	if (getrlimit(RLIMIT_NOFILE, &rl))
		die("getrlimit RLIMIT_NOFILE");
	if (rl.rlim_cur < 2 * (rlim_t)conns + 64) {
		rl.rlim_cur = 2 * (rlim_t)conns + 64;
		if (rl.rlim_max < rl.rlim_cur)
			rl.rlim_max = rl.rlim_cur;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			die("setrlimit RLIMIT_NOFILE");
	}

	dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	dst.sin_port = htons(port);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0)
		die("socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&dst, sizeof(dst)) || listen(lfd, 4096))
		die("listen");

	t0 = now_ns();
	for (i = 0; i < conns; i++) {
		connect_from(&dst, i);
		fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			die("accept");
	}
	printf("ready conns=%u ns=%lld\n", conns, now_ns() - t0);
	fflush(stdout);

	/* Exiting closes them all. */
	while (read(STDIN_FILENO, buf, sizeof(buf)) > 0)
		;
	return 0;

usage:
	fprintf(stderr, "usage: connhold -n CONNS [-p PORT]\n");
	return 2;
}
