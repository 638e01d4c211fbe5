// SPDX-License-Identifier: GPL-2.0
/*
 * conn_storm: a storm of short loopback TCP connections, to load the path
 * tcpka hooks (every connection passes ESTABLISHED twice: the connecting
 * and the accepted end) while something else happens, such as policy
 * churn or unloading the module.
 *
 * Each connection: connect, one byte each way, close (the server first).
 * Client threads connect as fast as they can; as many server threads per
 * family accept on a shared listener.
 *
 * Usage: conn_storm [-4] [-6] [-c CLIENTS] [-t SECONDS] [-n CONNECTIONS]
 *                   [-p PORT] [-e IDLE,INTVL,CNT,UT | -e off] [-S EVERY]
 *                   [-R] [-q]
 *
 *   -4, -6    address family; both given: clients alternate (default -4)
 *   -c N      client threads (default 4), and server threads per family
 *   -t SECS   stop after SECS seconds (default 5); 0: run until -n is
 *             reached or SIGINT/SIGTERM (which also stop any run early
 *             and still print the summary)
 *   -n N      stop after N connections in total (default: no limit)
 *   -p PORT   listen on PORT (IPv6 on PORT + 1 when both families run);
 *             default: a port the kernel picks
 *   -e IDLE,INTVL,CNT,UT
 *             check sampled connections: both ends must have SO_KEEPALIVE
 *             on and these TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT and
 *             TCP_USER_TIMEOUT values (a 0 is not checked)
 *   -e off    check that sampled connections have SO_KEEPALIVE off
 *   -S N      sample every Nth connection of each thread (default 1)
 *   -R        the client closes with a reset: no TIME_WAIT is left behind
 *   -q        no progress line on stderr every second
 *
 * Prints one line on stdout at the end:
 *   connections=N errors=N sampled=N mismatched=N seconds=S rate=R
 * errors counts connections that failed at any step (each is also logged
 * to stderr, the first few in full). Exit status: 0 when errors and
 * mismatched are 0, 1 otherwise, 2 for bad usage.
 *
 * Runs in the caller's network namespace; with ip netns exec or unshare
 * -n a storm stays out of the way of the rest of the machine.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "tcpka_util.h"

#define MAX_THREADS	64
#define LOGGED_ERRORS	10

struct server {
	int family;
	int lfd;
	__u16 port;
};

static struct {
	int nfam;
	struct server srv[2];
	int clients;
	double seconds;
	unsigned long long max_conns;
	bool check, expect_off;
	struct ka want;
	unsigned int sample_every;
	bool reset;
	bool quiet;
} cfg = {
	.clients = 4,
	.seconds = 5,
	.sample_every = 1,
};

static atomic_ullong started, conns, errors, sampled, mismatched;
static atomic_bool stop;

static void on_signal(int sig)
{
	(void)sig;
	atomic_store(&stop, true);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: conn_storm [-4] [-6] [-c CLIENTS] [-t SECONDS] [-n CONNECTIONS]\n"
		"                  [-p PORT] [-e IDLE,INTVL,CNT,UT | -e off] [-S EVERY]\n"
		"                  [-R] [-q]\n");
	exit(2);
}

static void fail(const char *what, int err)
{
	unsigned long long n = atomic_fetch_add(&errors, 1);

	if (n < LOGGED_ERRORS)
		fprintf(stderr, "conn_storm: %s: %s\n", what, strerror(err));
	else if (n == LOGGED_ERRORS)
		fprintf(stderr, "conn_storm: more errors, not logged\n");
}

/* Compares fd's keepalive state with what -e asked for. */
static void sample(int fd, const char *end)
{
	unsigned long long n;
	char buf[96];
	struct ka ka;
	bool ok;

	if (ka_get(fd, &ka)) {
		fail("getsockopt", errno);
		return;
	}
	atomic_fetch_add(&sampled, 1);
	if (cfg.expect_off)
		ok = !ka.on;
	else
		ok = ka.on && (!cfg.want.idle || ka.idle == cfg.want.idle) &&
		     (!cfg.want.intvl || ka.intvl == cfg.want.intvl) &&
		     (!cfg.want.cnt || ka.cnt == cfg.want.cnt) &&
		     (!cfg.want.ut || ka.ut == cfg.want.ut);
	if (ok)
		return;
	n = atomic_fetch_add(&mismatched, 1);
	if (n < LOGGED_ERRORS)
		fprintf(stderr, "conn_storm: %s end port %u: %s\n", end,
			sock_port(fd), ka_str(&ka, buf, sizeof(buf)));
}

static void set_timeouts(int fd)
{
	/* A connection that hangs is an error to report, not a hang. */
	struct timeval tv = { .tv_sec = 10 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static void *server_thread(void *arg)
{
	struct server *s = arg;
	unsigned long long n = 0;
	char c;

	for (;;) {
		int fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0) {
			if (atomic_load(&stop))
				break;
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			fail("accept", errno);
			break;
		}
		set_timeouts(fd);
		if (read(fd, &c, 1) != 1 || write(fd, &c, 1) != 1)
			fail("server read/write", errno ? errno : EIO);
		else if (cfg.check && ++n % cfg.sample_every == 0)
			sample(fd, "accepted");
		close(fd);
	}
	return NULL;
}

static socklen_t loopback(const struct server *s, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (s->family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_loopback;
		s6->sin6_port = htons(s->port);
		return sizeof(*s6);
	}
	((struct sockaddr_in *)ss)->sin_family = AF_INET;
	((struct sockaddr_in *)ss)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	((struct sockaddr_in *)ss)->sin_port = htons(s->port);
	return sizeof(struct sockaddr_in);
}

/* One connection to s; true if it went through. */
static bool one_connection(const struct server *s, bool check)
{
	struct sockaddr_storage ss;
	socklen_t len = loopback(s, &ss);
	char c = 'x';
	int fd;

	fd = socket(s->family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fail("socket", errno);
		return false;
	}
	set_timeouts(fd);
	if (connect(fd, (struct sockaddr *)&ss, len)) {
		fail("connect", errno);
		goto err;
	}
	if (write(fd, &c, 1) != 1 || read(fd, &c, 1) != 1) {
		fail("client write/read", errno ? errno : EIO);
		goto err;
	}
	if (check)
		sample(fd, "connecting");
	if (cfg.reset)
		sock_close_rst(fd);
	else
		close(fd);
	return true;
err:
	close(fd);
	return false;
}

static void *client_thread(void *arg)
{
	unsigned long idx = (unsigned long)arg, n = 0;

	while (!atomic_load(&stop)) {
		const struct server *s = &cfg.srv[(idx + n) % cfg.nfam];
		bool check = cfg.check && (n + 1) % cfg.sample_every == 0;

		/* -n counts attempts, so that exactly that many are made. */
		if (cfg.max_conns &&
		    atomic_fetch_add(&started, 1) >= cfg.max_conns) {
			atomic_store(&stop, true);
			break;
		}
		n++;
		if (one_connection(s, check))
			atomic_fetch_add(&conns, 1);
	}
	return NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void parse_expect(const char *arg)
{
	int v[4];

	if (!strcmp(arg, "off")) {
		cfg.expect_off = true;
	} else if (sscanf(arg, "%d,%d,%d,%d", &v[0], &v[1], &v[2], &v[3]) == 4) {
		cfg.want = (struct ka){ 1, v[0], v[1], v[2], v[3] };
	} else {
		usage();
	}
	cfg.check = true;
}

int main(int argc, char **argv)
{
	pthread_t cli[MAX_THREADS], srv[2][MAX_THREADS];
	bool v4 = false, v6 = false;
	unsigned long i;
	double start, elapsed, last = 0;
	int opt, port = 0, f;

	while ((opt = getopt(argc, argv, "46c:t:n:p:e:S:Rqh")) != -1) {
		switch (opt) {
		case '4': v4 = true; break;
		case '6': v6 = true; break;
		case 'c': cfg.clients = atoi(optarg); break;
		case 't': cfg.seconds = atof(optarg); break;
		case 'n': cfg.max_conns = strtoull(optarg, NULL, 0); break;
		case 'p': port = atoi(optarg); break;
		case 'e': parse_expect(optarg); break;
		case 'S': cfg.sample_every = atoi(optarg); break;
		case 'R': cfg.reset = true; break;
		case 'q': cfg.quiet = true; break;
		default: usage();
		}
	}
	if (optind != argc || cfg.clients < 1 || cfg.clients > MAX_THREADS ||
	    cfg.seconds < 0 ||
	    cfg.sample_every < 1 || port < 0 || port > 65534)
		usage();
	if (!v4 && !v6)
		v4 = true;
	/* A peer that reset must fail a write, not kill the storm. */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (v4)
		cfg.srv[cfg.nfam++].family = AF_INET;
	if (v6)
		cfg.srv[cfg.nfam++].family = AF_INET6;

	for (f = 0; f < cfg.nfam; f++) {
		struct server *s = &cfg.srv[f];

		s->lfd = tcp_listen(-1, s->family, port ? port + f : 0);
		if (s->lfd < 0) {
			fprintf(stderr, "conn_storm: listen: %s\n",
				strerror(-s->lfd));
			return 1;
		}
		s->port = sock_port(s->lfd);
		for (i = 0; i < (unsigned long)cfg.clients; i++)
			if (pthread_create(&srv[f][i], NULL, server_thread, s))
				return 1;
	}
	start = now();
	for (i = 0; i < (unsigned long)cfg.clients; i++)
		if (pthread_create(&cli[i], NULL, client_thread, (void *)i))
			return 1;

	while (!atomic_load(&stop)) {
		usleep(20000);
		elapsed = now() - start;
		if (cfg.seconds && elapsed >= cfg.seconds)
			atomic_store(&stop, true);
		if (!cfg.quiet && elapsed - last >= 1) {
			last = elapsed;
			fprintf(stderr, "conn_storm: %.0fs %llu connections\n",
				elapsed, atomic_load(&conns));
		}
	}
	for (i = 0; i < (unsigned long)cfg.clients; i++)
		pthread_join(cli[i], NULL);
	elapsed = now() - start;
	/* Wakes the servers blocked in accept() with an error. */
	for (f = 0; f < cfg.nfam; f++)
		shutdown(cfg.srv[f].lfd, SHUT_RDWR);
	for (f = 0; f < cfg.nfam; f++) {
		for (i = 0; i < (unsigned long)cfg.clients; i++)
			pthread_join(srv[f][i], NULL);
		close(cfg.srv[f].lfd);
	}

	printf("connections=%llu errors=%llu sampled=%llu mismatched=%llu seconds=%.2f rate=%.0f\n",
	       atomic_load(&conns), atomic_load(&errors),
	       atomic_load(&sampled), atomic_load(&mismatched), elapsed,
	       elapsed > 0 ? atomic_load(&conns) / elapsed : 0);
	return atomic_load(&errors) || atomic_load(&mismatched) ? 1 : 0;
}
