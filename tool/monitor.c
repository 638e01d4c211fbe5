// SPDX-License-Identifier: GPL-2.0
/*
 * tcpka monitor: one line per event of the "monitor" group, as it
 * happens, like "ip monitor"; with -j one JSON object per line; with -t
 * or -ts the time each event was received, as "ip -t monitor" prints it.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <sys/socket.h>

#include "nl.h"
#include "print.h"
#include "tcpka.h"

void monitor_usage(FILE *f)
{
	fputs("Usage: tcpka [OPTIONS] [ -t[imestamp] | -ts[hort] ] monitor\n", f);
}

int monitor_parse(struct command *cmd, int argc, char **argv)
{
	return parse_noargs(cmd, argc, argv, monitor_usage);
}

static const char *event_name(uint8_t cmd)
{
	switch (cmd) {
	case TCPKA_CMD_POLICY_ADD:
		return "add";
	case TCPKA_CMD_POLICY_REPLACE:
		return "replace";
	case TCPKA_CMD_POLICY_DEL:
		return "del";
	default:
		return "flush";
	}
}

/* Opens an event's object; with -t or -ts, the time comes first. */
static void begin_event(void)
{
	open_json_object(NULL);
	if (opts.timestamp)
		print_timestamp(opts.tshort);
}

static int on_policy(uint8_t cmd, const struct tcpka_policy *p, void *arg)
{
	(void)arg;
	begin_event();
	print_string(PRINT_ANY, "event", "%s", event_name(cmd));
	if (p)
		print_policy(p, "policy");	/* ends the text line */
	else
		print_nl();
	close_json_object();
	fflush(stdout);
	return 0;
}

/* ss style: 10.0.0.1:80, [2001:db8::1]:80 */
static void print_endpoint(const char *key, const char *pkey,
			   const char *fmt, uint16_t family,
			   const uint8_t *addr, uint16_t port)
{
	char a[INET6_ADDRSTRLEN] = "?", text[INET6_ADDRSTRLEN + 16];

	inet_ntop(family, addr, a, sizeof(a));
	snprintf(text, sizeof(text), family == AF_INET6 ? "[%s]:%u" : "%s:%u",
		 a, port);
	print_string(PRINT_TEXT, NULL, fmt, text);
	print_string(PRINT_JSON, key, NULL, a);
	print_uint(PRINT_JSON, pkey, NULL, port);
}

static int on_reaped(const struct tcpka_reaped *r, void *arg)
{
	(void)arg;
	begin_event();
	print_string(PRINT_ANY, "event", "%s", "reaped");
	print_uint(PRINT_ANY, "id", "id %llu", r->id);
	print_string(PRINT_JSON, "family", NULL, family_name(r->family));
	print_endpoint("laddr", "lport", "local %s", r->family, r->laddr,
		       r->lport);
	print_endpoint("raddr", "rport", "peer %s", r->family, r->raddr,
		       r->rport);
	/* absent when the socket had no cgroup v2 cgroup */
	if (POL_HAS(r, TCPKA_A_CGROUP_ID))
		print_uint(PRINT_ANY, "cgroup_id", "cgroup-id %llu",
			   r->cgroup_id);
	else
		print_null(PRINT_JSON, "cgroup_id", NULL);
	print_uint(PRINT_ANY, "idle_ms", "idle-ms %llu", r->idle_ms);
	close_json_object();
	print_nl();
	fflush(stdout);
	return 0;
}

static void on_lost(void *arg)
{
	(void)arg;
	pr_warn("the event queue overflowed, events were lost");
}

int monitor_run(struct tcpka_nl *nl, struct command *cmd)
{
	struct tcpka_event_cbs cbs = {
		.policy = on_policy,
		.reaped = on_reaped,
		.lost = on_lost,
	};
	int ret;

	(void)cmd;
	ret = tcpka_nl_monitor(nl, &cbs);
	tcpka_nl_perror(nl, ret);
	return EXIT_FAIL;
}
