// SPDX-License-Identifier: GPL-2.0
/*
 * The way keepalive is set for every connection without tcpka: a cgroup
 * sock_ops program that calls bpf_setsockopt() as each connection becomes
 * established, on both ends. The values are the benchmark's one-policy
 * values (idle 60 intvl 10 cnt 5). The three values go first so that
 * SO_KEEPALIVE arms the keepalive timer once, with the final idle time.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* From <sys/socket.h> and <netinet/tcp.h>, which do not build for BPF. */
#define SOL_SOCKET	1
#define SO_KEEPALIVE	9
#define SOL_TCP		6
#define TCP_KEEPIDLE	4
#define TCP_KEEPINTVL	5
#define TCP_KEEPCNT	6

#define KA_IDLE		60
#define KA_INTVL	10
#define KA_CNT		5

SEC("sockops")
int sockops_keepalive(struct bpf_sock_ops *skops)
{
	int one = 1, idle = KA_IDLE, intvl = KA_INTVL, cnt = KA_CNT;

	switch (skops->op) {
	case BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:
	case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB:
		bpf_setsockopt(skops, SOL_TCP, TCP_KEEPIDLE, &idle,
			       sizeof(idle));
		bpf_setsockopt(skops, SOL_TCP, TCP_KEEPINTVL, &intvl,
			       sizeof(intvl));
		bpf_setsockopt(skops, SOL_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
		bpf_setsockopt(skops, SOL_SOCKET, SO_KEEPALIVE, &one,
			       sizeof(one));
		break;
	}
	return 1;
}

char _license[] SEC("license") = "GPL";
