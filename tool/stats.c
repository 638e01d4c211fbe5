// SPDX-License-Identifier: GPL-2.0
/*
 * tcpka stats: the network namespace's counters.
 */
#include "nl.h"
#include "print.h"
#include "tcpka.h"

void stats_usage(FILE *f)
{
	fputs("Usage: tcpka [OPTIONS] stats\n", f);
}

int stats_parse(struct command *cmd, int argc, char **argv)
{
	return parse_noargs(cmd, argc, argv, stats_usage);
}

static const struct {
	int attr;
	const char *key;
	const char *fmt;
} fields[] = {
	{ TCPKA_STATS_A_SEEN, "seen", "seen %llu" },
	{ TCPKA_STATS_A_UNMATCHED, "unmatched", "unmatched %llu" },
	{ TCPKA_STATS_A_EVENTS_DROPPED, "events_dropped",
	  "events-dropped %llu" },
	{ TCPKA_STATS_A_POLICIES, "policies", "policies %llu" },
};

int stats_run(struct tcpka_nl *nl, struct command *cmd)
{
	struct tcpka_ns_stats st;
	unsigned int i;
	int ret;

	(void)cmd;
	ret = tcpka_nl_stats_get(nl, &st);
	if (ret) {
		tcpka_nl_perror(nl, ret);
		return EXIT_FAIL;
	}
	open_json_object(NULL);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (st.present & TCPKA_BIT(fields[i].attr))
			print_uint(PRINT_ANY, fields[i].key, fields[i].fmt,
				   st.val[fields[i].attr]);
		else
			print_null(PRINT_JSON, fields[i].key, NULL);
	}
	close_json_object();
	print_nl();
	return 0;
}
