/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * tcpka: TCP keepalive policies applied by the kernel as sockets become
 * established, configured per network namespace over generic netlink.
 *
 * Family "tcpka", version 1, multicast group "monitor".
 *
 * Every command uses the one attribute space enum tcpka_attr below; the
 * kernel validates strictly: unknown attributes, attributes a command does
 * not take, and any nlmsg_flags beyond REQUEST, ACK, ECHO and DUMP are
 * refused with an extended ack naming the problem. A refused request
 * changes nothing. Commands that change policies need CAP_NET_ADMIN over
 * the user namespace owning the network namespace; reading needs nothing.
 *
 * Policy attributes (the "policy object"):
 *
 *    TCPKA_A_ID            u32   kernel-assigned, never reused while loaded
 *    TCPKA_A_NAME          NUL-terminated string, 1..31 printable chars,
 *                                no blanks
 *    TCPKA_A_PREF          u32   lower first; ties: lower id first
 *                                (TCPKA_PREF_DEFAULT when absent on add)
 *  selector (each optional; all given must match):
 *    TCPKA_A_CGROUP_ID     u64   cgroup v2 id (name_to_handle_at())
 *    TCPKA_A_CGROUP_FD     s32   open fd of a cgroup v2 directory
 *    TCPKA_A_LPORT_MIN     u16   local port range, inclusive; MAX
 *    TCPKA_A_LPORT_MAX     u16   defaults to MIN, MAX alone is refused
 *    TCPKA_A_RPORT_MIN     u16   remote port range, likewise
 *    TCPKA_A_RPORT_MAX     u16
 *    TCPKA_A_FAMILY        u16   AF_INET or AF_INET6
 *    TCPKA_A_DIR           u8    enum tcpka_dir
 *  action:
 *    TCPKA_A_MODE          u8    enum tcpka_mode (default when absent)
 *    TCPKA_A_IDLE          u32   TCP_KEEPIDLE seconds, 1..32767
 *    TCPKA_A_INTVL         u32   TCP_KEEPINTVL seconds, 1..32767
 *    TCPKA_A_CNT           u32   TCP_KEEPCNT, 1..127
 *    TCPKA_A_USER_TIMEOUT  u32   TCP_USER_TIMEOUT ms, 0..2147483647
 *  reported by the kernel only:
 *    TCPKA_A_CGROUP_PATH   string, the cgroup's path in the reader's
 *                                cgroup namespace
 *    TCPKA_A_CGROUP_DEAD   flag, the cgroup was removed; the policy
 *                                matches nothing
 *    TCPKA_A_STATS         nest of enum tcpka_stats_attr (per policy)
 *
 * Commands:
 *
 *  TCPKA_CMD_POLICY_ADD      policy object without ID, [TCPKA_A_EXISTING]
 *                            reply: the policy object (with its ID), and
 *                            TCPKA_A_APPLIED (u32) when EXISTING was given.
 *                            EEXIST if NAME is in use.
 *  TCPKA_CMD_POLICY_REPLACE  ID or NAME (ID wins; then NAME renames),
 *                            selector and action replaced as a whole,
 *                            PREF kept when absent; ID and counters kept.
 *                            reply: the policy object. ENOENT if absent.
 *  TCPKA_CMD_POLICY_DEL      ID or NAME. ENOENT if absent.
 *  TCPKA_CMD_POLICY_GET      do: ID or NAME, reply: the policy object.
 *                            dump: every policy, in evaluation order.
 *  TCPKA_CMD_POLICY_FLUSH    removes every policy of the namespace.
 *  TCPKA_CMD_POLICY_APPLY    [ID or NAME]: applies that policy (or all) to
 *                            the namespace's established sockets whose
 *                            first matching policy it is.
 *                            reply: TCPKA_A_APPLIED (u32).
 *  TCPKA_CMD_STATS_GET       reply: TCPKA_A_STATS with the namespace's
 *                            counters (SEEN, UNMATCHED, EVENTS_DROPPED,
 *                            POLICIES).
 *  TCPKA_CMD_TXN_BEGIN       opens a staged policy set owned by the
 *                            sending socket: until COMMIT or ABORT, its
 *                            ADD commands fill the staged set, which is
 *                            not consulted; other senders' changes get
 *                            EBUSY. Closing the socket aborts.
 *  TCPKA_CMD_TXN_COMMIT      replaces the live set by the staged one in
 *                            one step; a staged policy named like a live
 *                            one inherits its ID and counters.
 *  TCPKA_CMD_TXN_ABORT       drops the staged set.
 *
 * Notifications on the "monitor" group: POLICY_ADD, POLICY_REPLACE,
 * POLICY_DEL (the policy object), POLICY_FLUSH (no attributes), and
 * TCPKA_CMD_PEER_REAPED:
 *    TCPKA_A_ID, TCPKA_A_FAMILY, TCPKA_A_LADDR, TCPKA_A_RADDR (4 or 16
 *    bytes), TCPKA_A_LPORT, TCPKA_A_RPORT (u16), TCPKA_A_CGROUP_ID (u64,
 *    the socket's), TCPKA_A_IDLE_MS (u32, time since the peer was last
 *    heard)
 *
 * See Documentation/netlink/specs/tcpka.yaml and Documentation/abi.rst.
 */
#ifndef _UAPI_LINUX_TCPKA_H
#define _UAPI_LINUX_TCPKA_H

#define TCPKA_GENL_NAME		"tcpka"
#define TCPKA_GENL_VERSION	1
#define TCPKA_MCGRP_MONITOR	"monitor"

#define TCPKA_NAME_MAX_LEN	31
#define TCPKA_PREF_DEFAULT	1000
#define TCPKA_IDLE_MAX		32767
#define TCPKA_INTVL_MAX		32767
#define TCPKA_CNT_MAX		127
#define TCPKA_USER_TIMEOUT_MAX	2147483647

enum tcpka_cmd {
	TCPKA_CMD_UNSPEC,
	TCPKA_CMD_POLICY_ADD,
	TCPKA_CMD_POLICY_REPLACE,
	TCPKA_CMD_POLICY_DEL,
	TCPKA_CMD_POLICY_GET,
	TCPKA_CMD_POLICY_FLUSH,
	TCPKA_CMD_POLICY_APPLY,
	TCPKA_CMD_STATS_GET,
	TCPKA_CMD_TXN_BEGIN,
	TCPKA_CMD_TXN_COMMIT,
	TCPKA_CMD_TXN_ABORT,
	TCPKA_CMD_PEER_REAPED,

	__TCPKA_CMD_MAX,
	TCPKA_CMD_MAX = __TCPKA_CMD_MAX - 1
};

enum tcpka_attr {
	TCPKA_A_UNSPEC,
	TCPKA_A_PAD,
	TCPKA_A_ID,
	TCPKA_A_NAME,
	TCPKA_A_PREF,
	TCPKA_A_CGROUP_ID,
	TCPKA_A_CGROUP_FD,
	TCPKA_A_CGROUP_PATH,
	TCPKA_A_CGROUP_DEAD,
	TCPKA_A_LPORT_MIN,
	TCPKA_A_LPORT_MAX,
	TCPKA_A_RPORT_MIN,
	TCPKA_A_RPORT_MAX,
	TCPKA_A_FAMILY,
	TCPKA_A_DIR,
	TCPKA_A_MODE,
	TCPKA_A_IDLE,
	TCPKA_A_INTVL,
	TCPKA_A_CNT,
	TCPKA_A_USER_TIMEOUT,
	TCPKA_A_EXISTING,
	TCPKA_A_APPLIED,
	TCPKA_A_STATS,
	TCPKA_A_LADDR,
	TCPKA_A_RADDR,
	TCPKA_A_LPORT,
	TCPKA_A_RPORT,
	TCPKA_A_IDLE_MS,

	__TCPKA_A_MAX,
	TCPKA_A_MAX = __TCPKA_A_MAX - 1
};

/* Counters, all u64; per policy or per namespace as noted. */
enum tcpka_stats_attr {
	TCPKA_STATS_A_UNSPEC,
	TCPKA_STATS_A_PAD,
	TCPKA_STATS_A_MATCHED,		/* policy: it was the first match */
	TCPKA_STATS_A_APPLIED,		/* policy: its values were set */
	TCPKA_STATS_A_KEPT,		/* policy: mode default, app chose */
	TCPKA_STATS_A_SKIPPED,		/* policy: mode skip exempted it */
	TCPKA_STATS_A_EXISTING,		/* policy: applied when established */
	TCPKA_STATS_A_REAPED,		/* policy: closed, peer timed out */
	TCPKA_STATS_A_SEEN,		/* netns: sockets established */
	TCPKA_STATS_A_UNMATCHED,	/* netns: no policy matched */
	TCPKA_STATS_A_EVENTS_DROPPED,	/* netns: reaped events rate-limited */
	TCPKA_STATS_A_POLICIES,		/* netns: policies installed */

	__TCPKA_STATS_A_MAX,
	TCPKA_STATS_A_MAX = __TCPKA_STATS_A_MAX - 1
};

enum tcpka_dir {
	TCPKA_DIR_ANY,	/* not a valid attribute value; absent means any */
	TCPKA_DIR_IN,	/* sockets that came from accept() */
	TCPKA_DIR_OUT,	/* sockets that called connect() */
};

enum tcpka_mode {
	TCPKA_MODE_DEFAULT,	/* only if the application did not enable it */
	TCPKA_MODE_OVERRIDE,	/* whatever the application did */
	TCPKA_MODE_SKIP,	/* leave the socket alone, stop looking */
};

#endif /* _UAPI_LINUX_TCPKA_H */
