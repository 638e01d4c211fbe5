// SPDX-License-Identifier: GPL-2.0
/*
 * tcpka_churn: changes tcpka policies as fast as it can, for tests that
 * need policy churn while something else happens (a connection storm,
 * the module being unloaded and loaded again).
 *
 * Usage: tcpka_churn [-t SECONDS] [-s SEED] [-m MAX_POLICIES] [-q]
 *
 *   -t SECS   run for SECS seconds (default 5); 0: until SIGINT/SIGTERM
 *             (which also end any run early, with the summary printed)
 *   -s SEED   random seed (default: from the clock; printed either way)
 *   -m N      flush when the namespace holds N policies (default 64)
 *   -q        no progress line on stderr every second
 *
 * Mixes add (random selectors and values, some named, some naming the
 * root cgroup, some with "existing"), replace, delete, flush, get, dump,
 * stats, apply and transactions, in the caller's network namespace.
 * Errors are expected (random names collide, ids vanish, and while the
 * module is unloaded the family does not exist) and only counted: after
 * any error the socket is reopened, so a reloaded module is found again.
 *
 * Prints one line on stdout at the end:
 *   seed=N ops=N ok=N failed=N absent=N
 * absent counts attempts made while the family was not registered.
 * Exit status 0 when at least one operation succeeded, 1 otherwise,
 * 2 for bad usage.
 */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tcpka_nl.h"
#include "tcpka_util.h"

#define IDS_KEPT 256

static unsigned int seed;
static atomic_bool stop;
static __u32 ids[IDS_KEPT];
static unsigned int nids;

static unsigned int rnd(unsigned int n)
{
	return n ? (unsigned int)rand_r(&seed) % n : 0;
}

static __u32 some_id(void)
{
	/* Mostly known ids; sometimes one that may never have existed. */
	if (!nids || !rnd(8))
		return 1 + rnd(1000);
	return ids[rnd(nids)];
}

static void random_spec(struct tnl_spec *sp, char *name, size_t len)
{
	static __u64 root_cg;
	__u16 lo;

	if (!root_cg)
		root_cg = cg_id(CGROUP2_ROOT);
	memset(sp, 0, sizeof(*sp));
	if (rnd(2)) {
		snprintf(name, len, "churn-%u", rnd(32));
		sp->name = name;
		TNL_SET(sp, TCPKA_A_NAME);
	}
	if (rnd(2)) {
		sp->pref = rnd(2000);
		TNL_SET(sp, TCPKA_A_PREF);
	}
	if (root_cg && !rnd(4)) {
		sp->cgroup_id = root_cg;
		TNL_SET(sp, TCPKA_A_CGROUP_ID);
	}
	if (!rnd(3)) {
		lo = 1 + rnd(65000);
		sp->lport_min = lo;
		sp->lport_max = lo + rnd(500);
		TNL_SET(sp, TCPKA_A_LPORT_MIN);
		TNL_SET(sp, TCPKA_A_LPORT_MAX);
	}
	if (!rnd(3)) {
		sp->rport_min = 1 + rnd(65000);
		TNL_SET(sp, TCPKA_A_RPORT_MIN);
	}
	if (!rnd(3)) {
		sp->family = rnd(2) ? AF_INET : AF_INET6;
		TNL_SET(sp, TCPKA_A_FAMILY);
	}
	if (!rnd(3)) {
		sp->dir = rnd(2) ? TCPKA_DIR_IN : TCPKA_DIR_OUT;
		TNL_SET(sp, TCPKA_A_DIR);
	}
	if (rnd(2)) {
		sp->mode = rnd(3);
		TNL_SET(sp, TCPKA_A_MODE);
	}
	if (rnd(4)) {
		sp->idle = 1 + rnd(TCPKA_IDLE_MAX);
		TNL_SET(sp, TCPKA_A_IDLE);
	}
	if (rnd(2)) {
		sp->intvl = 1 + rnd(100);
		TNL_SET(sp, TCPKA_A_INTVL);
	}
	if (rnd(2)) {
		sp->cnt = 1 + rnd(TCPKA_CNT_MAX);
		TNL_SET(sp, TCPKA_A_CNT);
	}
	if (!rnd(3)) {
		sp->user_timeout = rnd(100000);
		TNL_SET(sp, TCPKA_A_USER_TIMEOUT);
	}
}

static void remember(__u32 id)
{
	if (nids < IDS_KEPT)
		ids[nids++] = id;
	else
		ids[rnd(IDS_KEPT)] = id;
}

/* One random operation; 0 or -errno. */
static int churn_one(struct tnl *s, int max_policies)
{
	__u64 st[TCPKA_STATS_A_MAX + 1];
	struct tnl_policy p;
	struct tnl_spec sp;
	char name[32];
	__u32 id;
	int err, i;

	switch (rnd(16)) {
	case 0: case 1: case 2: case 3: case 4:
		random_spec(&sp, name, sizeof(name));
		if (!rnd(8))
			TNL_SET(&sp, TCPKA_A_EXISTING);
		err = tnl_add(s, &sp, &id);
		if (!err)
			remember(id);
		return err;
	case 5: case 6: case 7:
		random_spec(&sp, name, sizeof(name));
		sp.id = some_id();
		TNL_SET(&sp, TCPKA_A_ID);
		return tnl_replace(s, &sp);
	case 8: case 9:
		return tnl_del(s, some_id());
	case 10:
		return tnl_get(s, some_id(), &p);
	case 11:
		err = tnl_dump(s, NULL, 0);
		if (err >= max_policies)
			err = tnl_flush(s);
		return err < 0 ? err : 0;
	case 12:
		return tnl_stats(s, st, NULL);
	case 13:
		return tnl_apply(s, rnd(2) ? some_id() : 0, NULL);
	case 14:
		return rnd(8) ? tnl_dump(s, NULL, 0) < 0 ? s->err : 0 :
				tnl_flush(s);
	default:
		/* A small transaction, sometimes abandoned. */
		err = tnl_simple(s, TCPKA_CMD_TXN_BEGIN);
		if (err)
			return err;
		for (i = 0; i < (int)rnd(5); i++) {
			random_spec(&sp, name, sizeof(name));
			tnl_add(s, &sp, NULL);
		}
		switch (rnd(3)) {
		case 0:
			return tnl_simple(s, TCPKA_CMD_TXN_ABORT);
		case 1:
			return tnl_simple(s, TCPKA_CMD_TXN_COMMIT);
		default:
			return -ECANCELED;	/* closing the socket aborts */
		}
	}
}

static void on_signal(int sig)
{
	(void)sig;
	atomic_store(&stop, true);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned long long ops = 0, ok = 0, failed = 0, absent = 0;
	double seconds = 5, start, last = 0, t;
	int opt, max_policies = 64;
	bool quiet = false, open = false;
	struct tnl s;

	seed = (unsigned int)time(NULL) ^ (unsigned int)getpid();
	while ((opt = getopt(argc, argv, "t:s:m:qh")) != -1) {
		switch (opt) {
		case 't': seconds = atof(optarg); break;
		case 's': seed = strtoul(optarg, NULL, 0); break;
		case 'm': max_policies = atoi(optarg); break;
		case 'q': quiet = true; break;
		default:
			fprintf(stderr, "usage: tcpka_churn [-t SECONDS] [-s SEED] [-m MAX_POLICIES] [-q]\n");
			return 2;
		}
	}
	printf("seed=%u ", seed);
	fflush(stdout);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	start = now();
	while (!atomic_load(&stop) &&
	       ((t = now() - start) < seconds || !seconds)) {
		int err;

		if (!open) {
			err = tnl_open(&s);
			if (err) {
				absent++;
				usleep(2000);
				continue;
			}
			open = true;
		}
		if (!quiet && t - last >= 1) {
			last = t;
			fprintf(stderr, "tcpka_churn: %.0fs ops=%llu ok=%llu\n",
				t, ops, ok);
		}
		ops++;
		err = churn_one(&s, max_policies);
		if (!err) {
			ok++;
			continue;
		}
		failed++;
		/* The family may be gone or new: look it up again. */
		tnl_close(&s);
		open = false;
	}
	if (open)
		tnl_close(&s);
	printf("ops=%llu ok=%llu failed=%llu absent=%llu\n", ops, ok, failed,
	       absent);
	return ok ? 0 : 1;
}
