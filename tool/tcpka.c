// SPDX-License-Identifier: GPL-2.0
/*
 * tcpka: command-line tool for the tcpka kernel module.
 *
 *   tcpka [OPTIONS] OBJECT COMMAND [ARGS]
 *
 * This file holds the global options and the command table; each command
 * group lives in its own file, and nl.c is the only one that talks to the
 * kernel.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nl.h"
#include "print.h"
#include "tcpka.h"

#ifndef TCPKA_VERSION
#define TCPKA_VERSION "unknown"
#endif

struct tcpka_opts opts;

void usage_main(FILE *f)
{
	fputs("Usage: tcpka [OPTIONS] OBJECT { COMMAND | help }\n"
	      "       tcpka [OPTIONS] -b[atch] FILE [ -force | -atomic ]\n"
	      "       tcpka [OPTIONS] load FILE\n"
	      "where  OBJECT  := { policy | stats | monitor | save }\n"
	      "       OPTIONS := { -j[son] | -p[retty] | -n[etns] NAME |\n"
	      "                    -t[imestamp] | -ts[hort] | -V[ersion] | -h[elp] }\n"
	      "Try \"tcpka policy help\" for the policy commands.\n", f);
}

void load_usage(FILE *f)
{
	fputs("Usage: tcpka [OPTIONS] load FILE\n"
	      "       (the same as: tcpka [OPTIONS] -b FILE -atomic)\n", f);
}

static void help_usage(FILE *f)
{
	usage_main(f);
}

/* For commands without arguments: nothing, or "help". */
int parse_noargs(struct command *cmd, int argc, char **argv,
		 void (*usage)(FILE *f))
{
	if (argc && !strcmp(argv[0], "help")) {
		cmd->help = usage;
		return 0;
	}
	if (argc)
		return usage_err(usage, "unexpected argument \"%s\"", argv[0]);
	return 0;
}

int load_parse(struct command *cmd, int argc, char **argv)
{
	if (argc && !strcmp(argv[0], "help")) {
		cmd->help = load_usage;
		return 0;
	}
	if (in_batch)
		return usage_err(NULL, "load is not allowed in a batch file");
	if (argc != 1)
		return usage_err(load_usage, argc ? "unexpected argument \"%s\"" :
				 "load needs a FILE%s", argc ? argv[1] : "");
	cmd->file = argv[0];
	return 0;
}

int load_run(struct tcpka_nl *nl, struct command *cmd)
{
	(void)nl;
	return do_batch(cmd->file, false, true);
}

static int help_parse(struct command *cmd, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cmd->help = usage_main;
	return 0;
}

static const struct command_desc commands[] = {
	{ "policy", "add", NULL, policy_parse_add, policy_run_add,
	  policy_usage, true, true },
	{ "policy", "replace", NULL, policy_parse_replace, policy_run_replace,
	  policy_usage, true, false },
	{ "policy", "del", "delete", policy_parse_key, policy_run_del,
	  policy_usage, true, false },
	{ "policy", "show", "list", policy_parse_optkey, policy_run_show,
	  policy_usage, true, false },
	{ "policy", "flush", NULL, policy_parse_none, policy_run_flush,
	  policy_usage, true, false },
	{ "policy", "apply", NULL, policy_parse_optkey, policy_run_apply,
	  policy_usage, true, false },
	{ NULL, "stats", NULL, stats_parse, stats_run, stats_usage,
	  true, false },
	{ NULL, "monitor", NULL, monitor_parse, monitor_run, monitor_usage,
	  true, false },
	{ NULL, "save", NULL, save_parse, save_run, save_usage, true, false },
	/* load opens its own socket through do_batch() */
	{ NULL, "load", NULL, load_parse, load_run, load_usage, false, false },
	{ NULL, "help", NULL, help_parse, NULL, help_usage, false, false },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct command_desc *find(const char *object, const char *w)
{
	size_t i;

	for (i = 0; i < N_COMMANDS; i++) {
		const struct command_desc *d = &commands[i];

		if ((object ? d->object && !strcmp(d->object, object) :
			      !d->object) &&
		    (!strcmp(d->name, w) || (d->alias && !strcmp(d->alias, w))))
			return d;
	}
	return NULL;
}

int parse_command(struct command *cmd, int argc, char **argv)
{
	const struct command_desc *d;

	memset(cmd, 0, sizeof(*cmd));
	cmd->pol.cgroup_fd = -1;
	if (!argc)
		return usage_err(usage_main, "missing OBJECT");
	if (!strcmp(argv[0], "policy")) {
		/* "tcpka policy" alone shows, as "ip rule" does */
		if (argc == 1) {
			cmd->desc = find("policy", "show");
			return 0;
		}
		if (!strcmp(argv[1], "help")) {
			cmd->help = policy_usage;
			return 0;
		}
		d = find("policy", argv[1]);
		if (!d)
			return usage_err(policy_usage,
					 "unknown policy command \"%s\"",
					 argv[1]);
		cmd->desc = d;
		return d->parse(cmd, argc - 2, argv + 2);
	}
	d = find(NULL, argv[0]);
	if (!d)
		return usage_err(usage_main, "unknown object \"%s\"", argv[0]);
	cmd->desc = d;
	return d->parse(cmd, argc - 1, argv + 1);
}

int run_command(struct tcpka_nl **nl, struct command *cmd)
{
	int ret;

	if (cmd->help) {
		cmd->help(stdout);
		return 0;
	}
	if (cmd->desc->needs_kernel && !*nl) {
		ret = tcpka_nl_open(nl);
		if (ret)
			return ret;
	}
	return cmd->desc->run(*nl, cmd);
}

static void print_version(void)
{
	char buf[64] = "";
	FILE *f;

	printf("tcpka tool version %s\n", TCPKA_VERSION);
	f = fopen("/sys/module/tcpka/version", "re");
	if (f) {
		if (fgets(buf, sizeof(buf), f))
			buf[strcspn(buf, "\n")] = '\0';
		fclose(f);
		printf("tcpka module version %s\n", *buf ? buf : "unknown");
	} else if (errno == ENOENT &&
		   !access("/sys/module/tcpka", F_OK)) {
		printf("tcpka module version unknown\n");
	} else {
		printf("tcpka module not loaded\n");
	}
}

int main(int argc, char **argv)
{
	struct tcpka_nl *nl = NULL;
	struct command cmd;
	int ret;

	/* stdout may be a pipe to a monitor reader: keep lines whole */
	setvbuf(stdout, NULL, _IOLBF, 0);

	while (argc > 1 && argv[1][0] == '-' && argv[1][1]) {
		const char *opt = argv[1];

		argc--;
		argv++;
		if (matches(opt, "help")) {
			usage_main(stdout);
			return 0;
		} else if (matches(opt, "Version") || matches(opt, "version")) {
			print_version();
			return 0;
		} else if (matches(opt, "json")) {
			opts.json = true;
		} else if (matches(opt, "pretty")) {
			opts.json = opts.pretty = true;
		} else if (matches(opt, "netns") || matches(opt, "batch")) {
			if (argc < 2)
				return usage_err(usage_main,
						 "option \"%s\" needs an argument",
						 opt);
			if (matches(opt, "netns"))
				opts.netns = argv[1];
			else
				opts.batch = argv[1];
			argc--;
			argv++;
		} else if (matches(opt, "force")) {
			opts.force = true;
		} else if (matches(opt, "atomic")) {
			opts.atomic = true;
		} else if (matches(opt, "timestamp")) {
			opts.timestamp = true;
		} else if (matches(opt, "tshort")) {
			/* as ip(8): -ts wins over -t, in any order */
			opts.timestamp = opts.tshort = true;
		} else {
			return usage_err(usage_main, "unknown option \"%s\"",
					 opt);
		}
	}
	argc--;
	argv++;

	if ((opts.force || opts.atomic) && !opts.batch)
		return usage_err(usage_main, "-force and -atomic need -b FILE");
	if (opts.force && opts.atomic)
		return usage_err(usage_main,
				 "-force and -atomic exclude each other");
	if (opts.batch && argc)
		return usage_err(usage_main,
				 "-b FILE takes no command (unexpected \"%s\")",
				 argv[0]);
	if (!opts.batch) {
		ret = parse_command(&cmd, argc, argv);
		if (ret)
			return ret;
	}
	if (opts.timestamp && (opts.batch || !cmd.desc ||
			       cmd.desc->run != monitor_run))
		return usage_err(usage_main, "-timestamp and -tshort need monitor");

	print_init(opts.json, opts.pretty);
	if (opts.netns) {
		ret = netns_enter(opts.netns);
		if (ret)
			return ret;
	}
	if (opts.batch)
		return do_batch(opts.batch, opts.force, opts.atomic);
	ret = run_command(&nl, &cmd);
	tcpka_nl_close(nl);
	return ret;
}
