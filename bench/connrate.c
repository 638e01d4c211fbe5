// SPDX-License-Identifier: GPL-2.0
/*
 * connrate: loopback TCP connection rate.
 *
 * A server thread accepts, reads one byte, writes one byte back, waits for
 * the client's close and closes. CLIENTS threads (default 2) connect,
 * write a byte, read the answer and close, as fast as they can, for
 * SECONDS. Prints
 *
 *   conns=N ns=T rate=R cs_per_conn=C
 *
 * with T the time from the clients' start to the last one's stop on
 * CLOCK_MONOTONIC (under qemu -icount: executed instructions), and C the
 * context switches per connection (/proc/stat), which shows whether two
 * runs took turns between the threads alike. The client
 * closes first, so TIME_WAIT sockets stay with the clients' ports; give
 * each run its own ADDR (127.x.y.z) so they never collide with an
 * earlier run's.
 *
 * -c IDLE,INTVL,CNT first makes one connection and checks with
 * getsockopt() that both ends have SO_KEEPALIVE on and exactly those
 * values; -c off checks that neither has keepalive on. A mismatch is
 * printed and exits 1 before anything is timed.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS	64

struct ka_values {
	int on, idle, intvl, cnt;
};

static struct sockaddr_in srv_addr;
static int listen_fd, nclients = 2;
static atomic_bool stop;
static pthread_barrier_t start_barrier;

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* Context switches so far, all CPUs: how the threads took turns. */
static unsigned long long ctxt_switches(void)
{
	unsigned long long n = 0;
	char line[256];
	FILE *f;

	f = fopen("/proc/stat", "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "ctxt %llu", &n) == 1)
			break;
	fclose(f);
	return n;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* One whole exchange on the server side; false once the listener is shut. */
static bool serve_one(void)
{
	char c;
	int fd;

	fd = accept(listen_fd, NULL, NULL);
	if (fd < 0) {
		if (errno == EINTR || errno == ECONNABORTED)
			return true;
		return false;
	}
	if (read(fd, &c, 1) == 1 && write(fd, &c, 1) == 1)
		while (read(fd, &c, 1) > 0)
			;
	close(fd);
	return true;
}

static void *server(void *arg)
{
	(void)arg;
	while (serve_one())
		;
	return NULL;
}

/* Connects; the socket, or -1 with errno set. */
static int connect_one(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&srv_addr, sizeof(srv_addr))) {
		int err = errno;

		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

static int exchange(int fd)
{
	char c = 'x';

	if (write(fd, &c, 1) != 1 || read(fd, &c, 1) != 1)
		return -1;
	return 0;
}

struct client {
	pthread_t thread;
	unsigned long count;
};

static void *client(void *arg)
{
	struct client *c = arg;
	int fd;

	pthread_barrier_wait(&start_barrier);
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		fd = connect_one();
		if (fd < 0)
			die("connect");
		if (exchange(fd))
			die("exchange");
		close(fd);
		c->count++;
	}
	return NULL;
}

static void ka_get(int fd, struct ka_values *v)
{
	socklen_t len = sizeof(int);

	if (getsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &v->on, &len) ||
	    getsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &v->idle, &len) ||
	    getsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &v->intvl, &len) ||
	    getsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &v->cnt, &len))
		die("getsockopt");
}

static bool ka_ok(const char *side, const struct ka_values *got,
		  const struct ka_values *want)
{
	bool ok = want->on ? got->on && got->idle == want->idle &&
			     got->intvl == want->intvl && got->cnt == want->cnt :
			     !got->on;

	printf("# verify %s: keepalive=%d idle=%d intvl=%d cnt=%d: %s\n", side,
	       got->on, got->idle, got->intvl, got->cnt, ok ? "ok" : "WRONG");
	return ok;
}

/* Checks both ends of one connection (made before the server thread runs). */
static bool verify(const struct ka_values *want)
{
	struct ka_values cv, sv;
	int cfd, sfd;

	cfd = connect_one();
	if (cfd < 0)
		die("connect");
	sfd = accept(listen_fd, NULL, NULL);
	if (sfd < 0)
		die("accept");
	ka_get(cfd, &cv);
	ka_get(sfd, &sv);
	close(cfd);
	close(sfd);
	return ka_ok("client", &cv, want) & ka_ok("server", &sv, want);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: connrate [-t SECONDS] [-j CLIENTS] [-a ADDR] [-p PORT]\n"
		"                [-c IDLE,INTVL,CNT | -c off]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static struct client clients[MAX_CLIENTS];
	unsigned long total = 0;
	pthread_t srv;
	struct ka_values want = { 0 };
	const char *addr = "127.0.0.1";
	bool check = false;
	double secs = 1.0;
	struct timespec d;
	unsigned long long cs0, cs1;
	long long t0, t1;
	int port = 30000, one = 1, opt, i;

	while ((opt = getopt(argc, argv, "t:j:a:p:c:")) != -1) {
		switch (opt) {
		case 't':
			secs = atof(optarg);
			break;
		case 'j':
			nclients = atoi(optarg);
			break;
		case 'a':
			addr = optarg;
			break;
		case 'p':
			port = atoi(optarg);
			break;
		case 'c':
			check = true;
			if (strcmp(optarg, "off") &&
			    sscanf(optarg, "%d,%d,%d", &want.idle, &want.intvl,
				   &want.cnt) != 3)
				usage();
			want.on = !!strcmp(optarg, "off");
			break;
		default:
			usage();
		}
	}
	if (optind != argc || secs <= 0 || nclients < 1 ||
	    nclients > MAX_CLIENTS || port < 1 || port > 65535)
		usage();

	srv_addr.sin_family = AF_INET;
	srv_addr.sin_port = htons(port);
	if (inet_pton(AF_INET, addr, &srv_addr.sin_addr) != 1)
		usage();
	listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	if (listen_fd < 0)
		die("socket");
	setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(listen_fd, (struct sockaddr *)&srv_addr, sizeof(srv_addr)) ||
	    listen(listen_fd, 1024))
		die("listen");

	if (check && !verify(&want))
		return 1;

	pthread_barrier_init(&start_barrier, NULL, nclients + 1);
	if (pthread_create(&srv, NULL, server, NULL))
		die("pthread_create");
	for (i = 0; i < nclients; i++)
		if (pthread_create(&clients[i].thread, NULL, client, &clients[i]))
			die("pthread_create");

	d.tv_sec = (time_t)secs;
	d.tv_nsec = (long)((secs - (double)d.tv_sec) * 1e9);
	cs0 = ctxt_switches();
	pthread_barrier_wait(&start_barrier);
	t0 = now_ns();
	nanosleep(&d, NULL);
	atomic_store(&stop, true);
	for (i = 0; i < nclients; i++) {
		pthread_join(clients[i].thread, NULL);
		total += clients[i].count;
	}
	t1 = now_ns();
	cs1 = ctxt_switches();

	shutdown(listen_fd, SHUT_RDWR);
	pthread_join(srv, NULL);
	close(listen_fd);
	pthread_barrier_destroy(&start_barrier);

	printf("conns=%lu ns=%lld rate=%.1f cs_per_conn=%.2f\n", total, t1 - t0,
	       total * 1e9 / (double)(t1 - t0),
	       total ? (double)(cs1 - cs0) / total : 0.0);
	return 0;
}
