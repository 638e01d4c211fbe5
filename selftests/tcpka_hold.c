// SPDX-License-Identifier: GPL-2.0
/*
 * tcpka_hold: holds TCP connections open, idle, and says how they end.
 * tcpka_reaped.sh drives it from the shell to watch keepalive policies
 * find dead peers.
 *
 * Server:  tcpka_hold -l PORT [-l PORT]...
 *   Listens on 0.0.0.0 and [::] (IPv6 only) at each PORT, accepts every
 *   connection and keeps it open without ever sending. Prints "listening"
 *   once all listeners are up. Ends when killed.
 *
 * Client:  tcpka_hold [-n N] ADDR PORT [ADDR PORT]...
 *   Opens N connections (default 1) to each ADDR PORT in turn, numbered
 *   from 0 in that order, and parks a thread in a blocking read() on each.
 *   Prints
 *     connected IDX LPORT       for each connection, as it is made
 *     ready COUNT               when all are made
 *     closed IDX ERROR TIME     when a read() returns: ERROR is the errno
 *                               name (ETIMEDOUT, ...) or EOF
 *   and reads commands on stdin, one per line:
 *     show TAG   prints "TAG IDX on=.. idle=.. intvl=.. cnt=.. ut=.." for
 *                each connection (getsockopt() SO_KEEPALIVE, TCP_KEEPIDLE,
 *                TCP_KEEPINTVL, TCP_KEEPCNT, TCP_USER_TIMEOUT), then
 *                "TAG end"
 *     send       writes 1000 bytes on each open connection and prints
 *                "sent IDX TIME" for each: data in flight to the peer
 *   Ends at EOF on stdin.
 *
 * TIME is CLOCK_REALTIME in seconds with microseconds, the clock of bash's
 * EPOCHREALTIME, so that the script can time events against its own.
 * Output is flushed line by line. Exit status: 0, 1 on a failed setup
 * (after a message on stderr), 2 for bad usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tcpka_util.h"

#define MAX_PORTS	8
#define MAX_CONNS	1024
#define READER_STACK	(64 * 1024)

struct conn {
	int idx;
	int fd;
	pthread_t reader;
};

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

/* One whole line at a time, whichever thread prints it. */
static void say(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&out_lock);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
	pthread_mutex_unlock(&out_lock);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: tcpka_hold -l PORT [-l PORT]...\n"
		"       tcpka_hold [-n N] ADDR PORT [ADDR PORT]...\n");
	exit(2);
}

static int listen_on(int family, int port)
{
	struct sockaddr_storage ss = { .ss_family = family };
	int one = 1, fd;
	socklen_t len;

	if (family == AF_INET6) {
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(port);
		len = sizeof(struct sockaddr_in6);
	} else {
		((struct sockaddr_in *)&ss)->sin_port = htons(port);
		len = sizeof(struct sockaddr_in);
	}
	fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	/* An IPv4 client must reach the IPv4 listener, not a mapped one. */
	if ((family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one))) ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 512)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int serve(const int *ports, int nports)
{
	struct pollfd pfd[2 * MAX_PORTS];
	int nl = 0, i, fd;

	for (i = 0; i < nports; i++) {
		pfd[nl].fd = listen_on(AF_INET, ports[i]);
		pfd[nl + 1].fd = listen_on(AF_INET6, ports[i]);
		if (pfd[nl].fd < 0 || pfd[nl + 1].fd < 0) {
			fprintf(stderr, "tcpka_hold: listen on %d: %s\n",
				ports[i], strerror(errno));
			return 1;
		}
		nl += 2;
	}
	for (i = 0; i < nl; i++)
		pfd[i].events = POLLIN;
	say("listening\n");

	/* Accepted sockets stay open, unread, until the process ends. */
	for (;;) {
		if (poll(pfd, nl, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("tcpka_hold: poll");
			return 1;
		}
		for (i = 0; i < nl; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			fd = accept4(pfd[i].fd, NULL, NULL, SOCK_CLOEXEC);
			if (fd < 0 && errno != EINTR && errno != ECONNABORTED) {
				perror("tcpka_hold: accept");
				return 1;
			}
		}
	}
}

static void *reader(void *arg)
{
	struct conn *c = arg;
	char buf[256];
	ssize_t n;

	do {
		n = read(c->fd, buf, sizeof(buf));
	} while (n > 0 || (n < 0 && errno == EINTR));
	say("closed %d %s %.6f\n", c->idx, n ? strerrorname_np(errno) : "EOF",
	    now());
	return NULL;
}

static int dial(const char *addr, const char *port)
{
	struct addrinfo hints = {
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
	};
	struct addrinfo *ai;
	int fd, err;

	err = getaddrinfo(addr, port, &hints, &ai);
	if (err) {
		fprintf(stderr, "tcpka_hold: %s %s: %s\n", addr, port,
			gai_strerror(err));
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen)) {
		fprintf(stderr, "tcpka_hold: connect to %s %s: %s\n", addr,
			port, strerror(errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

static void show(const struct conn *conns, int n, const char *tag)
{
	char buf[96];
	struct ka ka;
	int i;

	for (i = 0; i < n; i++) {
		if (ka_get(conns[i].fd, &ka))
			say("%s %d getsockopt: %s\n", tag, i, strerror(errno));
		else
			say("%s %d %s\n", tag, i, ka_str(&ka, buf, sizeof(buf)));
	}
	say("%s end\n", tag);
}

static void send_all(const struct conn *conns, int n)
{
	static const char data[1000];
	int i;

	for (i = 0; i < n; i++) {
		/* The peer no longer reads: all of it stays in flight. */
		if (send(conns[i].fd, data, sizeof(data), MSG_DONTWAIT) > 0)
			say("sent %d %.6f\n", i, now());
	}
}

static int hold(char **targets, int ntargets, int per_target)
{
	static struct conn conns[MAX_CONNS];
	pthread_attr_t attr;
	char line[128], *nl;
	int n = 0, t, k;

	if (ntargets / 2 * per_target > MAX_CONNS) {
		fprintf(stderr, "tcpka_hold: at most %d connections\n",
			MAX_CONNS);
		return 2;
	}
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, READER_STACK);
	for (t = 0; t < ntargets; t += 2) {
		for (k = 0; k < per_target; k++, n++) {
			conns[n].idx = n;
			conns[n].fd = dial(targets[t], targets[t + 1]);
			if (conns[n].fd < 0)
				return 1;
			say("connected %d %u\n", n, sock_port(conns[n].fd));
			if (pthread_create(&conns[n].reader, &attr, reader,
					   &conns[n])) {
				fprintf(stderr, "tcpka_hold: no thread\n");
				return 1;
			}
		}
	}
	pthread_attr_destroy(&attr);
	say("ready %d\n", n);

	while (fgets(line, sizeof(line), stdin)) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (!strncmp(line, "show ", 5))
			show(conns, n, line + 5);
		else if (!strcmp(line, "send"))
			send_all(conns, n);
		else
			say("unknown command '%s'\n", line);
	}
	/* exit() ends the readers still blocked; the kernel closes the fds */
	return 0;
}

int main(int argc, char **argv)
{
	int ports[MAX_PORTS], nports = 0, per_target = 1, opt;

	/* a write to a peer that reset must not kill us */
	signal(SIGPIPE, SIG_IGN);
	while ((opt = getopt(argc, argv, "l:n:")) != -1) {
		switch (opt) {
		case 'l':
			if (nports == MAX_PORTS)
				usage();
			ports[nports] = atoi(optarg);
			if (ports[nports] < 1 || ports[nports] > 65535)
				usage();
			nports++;
			break;
		case 'n':
			per_target = atoi(optarg);
			if (per_target < 1)
				usage();
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (nports) {
		if (argc)
			usage();
		return serve(ports, nports);
	}
	if (!argc || argc % 2)
		usage();
	return hold(argv, argc, per_target);
}
