/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the tcpka selftests: private network namespaces,
 * cgroup v2 directories, loopback TCP connections and the keepalive state
 * of a socket as getsockopt() and /proc/net/tcp report it.
 */
#ifndef TCPKA_SELFTEST_UTIL_H
#define TCPKA_SELFTEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#define CGROUP2_ROOT	"/sys/fs/cgroup"

/* Net sysctl values the tests set in their namespace, so that a value
 * falling back to the sysctl cannot be mistaken for a kernel default.
 */
#define SYSCTL_KA_TIME	4321
#define SYSCTL_KA_INTVL	321
#define SYSCTL_KA_PROBES	7

/* unshare(CLONE_NEWNET) and bring lo up. 0 or -errno. */
int netns_new(void);
/* Open /proc/self/ns/net (to come back with setns()). */
int netns_fd(void);
int netns_enter(int fd);
/* Sets net.ipv4.tcp_keepalive_{time,intvl,probes} to the SYSCTL_KA_*. */
int netns_set_ka_sysctls(void);
int write_file(const char *path, const char *val);

/* The cgroup id that name_to_handle_at() gives for dir, 0 on error. */
__u64 cg_id(const char *dir);
/*
 * A socket created by a child process that moved itself into cgroup dir:
 * the socket belongs to that cgroup, its creator no longer exists.
 * Returns the fd or -errno.
 */
int cg_socket(const char *dir, int family);

struct ka {
	int on, idle, intvl, cnt, ut;
};

/* What an untouched socket reports in a namespace with the test sysctls. */
#define KA_UNTOUCHED ((struct ka){ 0, SYSCTL_KA_TIME, SYSCTL_KA_INTVL, \
				   SYSCTL_KA_PROBES, 0 })

int ka_get(int fd, struct ka *ka);
/* "on=1 idle=.. intvl=.. cnt=.. ut=.." for messages. */
const char *ka_str(const struct ka *ka, char *buf, size_t len);
bool ka_eq(const struct ka *a, const struct ka *b);

/* A loopback TCP connection: both ends, and the ports. */
struct tpair {
	int cli, srv;
	__u16 cport, sport;
	int family;
};

/* A listening socket on the loopback address of family at port (0: any).
 * fd < 0 creates the socket; otherwise fd is used as it is. Returns the
 * listening fd or -errno.
 */
int tcp_listen(int fd, int family, __u16 port);
__u16 sock_port(int fd);
/*
 * Connects cfd (< 0: a new socket) from port cport (0: ephemeral) to the
 * listener lfd, accepts, and exchanges a byte each way so that both ends
 * are certainly past ESTABLISHED. 0 or -errno.
 */
int tcp_pair(struct tpair *p, int lfd, int cfd, __u16 cport);
/* Closes both ends with a reset, leaving no TIME_WAIT behind. */
void tcp_pair_close(struct tpair *p);
void sock_close_rst(int fd);

/*
 * The "tr" (timer) field of the /proc/net/tcp{,6} line of the socket with
 * these ports: 0 none, 1 retransmit, 2 keepalive (sk_timer), 4 probe0;
 * -1 when no such socket is listed.
 */
int proc_tcp_timer(int family, __u16 lport, __u16 rport);
/* Waits up to a second for that field to become want; returns the last. */
int proc_tcp_timer_wait(int family, __u16 lport, __u16 rport, int want);

#endif /* TCPKA_SELFTEST_UTIL_H */
