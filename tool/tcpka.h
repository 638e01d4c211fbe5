/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tcpka: shared declarations of the command-line tool.
 *
 * A command goes through two steps: parse (argv -> struct command, no
 * side effects, so a batch file is checked whole before anything is sent)
 * and run (struct command -> kernel requests and output).
 */
#ifndef TCPKA_H
#define TCPKA_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/tcpka.h>

#define EXIT_FAIL	1	/* the kernel or the system refused */
#define EXIT_USAGE	2	/* the command line (or a batch line) is wrong */

/* Presence bits of struct tcpka_policy, one per enum tcpka_attr. */
#define TCPKA_BIT(a)		(1u << (a))
#define POL_HAS(p, a)		(!!((p)->present & TCPKA_BIT(a)))

_Static_assert(TCPKA_A_MAX < 32, "presence bits must fit in 32 bits");
_Static_assert(TCPKA_STATS_A_MAX < 32, "stats bits must fit in 32 bits");

/*
 * A policy as the tool sees it: a request being built from the command
 * line, or an object reported by the kernel. Strings point into argv or
 * into the received message and live as long as those.
 */
struct tcpka_policy {
	uint32_t present;
	uint32_t id;
	const char *name;
	uint32_t pref;
	const char *cgroup;	/* user spelling (request) or kernel path */
	int cgroup_fd;
	uint64_t cgroup_id;
	bool cgroup_dead;
	uint16_t lport_min, lport_max;
	uint16_t rport_min, rport_max;
	uint16_t family;
	uint8_t dir;
	uint8_t mode;
	uint32_t idle, intvl, cnt, user_timeout;
	bool existing;
	uint32_t applied;
	uint32_t stats_present;
	uint64_t stats[TCPKA_STATS_A_MAX + 1];
};

/* TCPKA_CMD_PEER_REAPED notification. */
struct tcpka_reaped {
	uint32_t present;
	uint32_t id;
	uint16_t family;
	uint8_t laddr[16], raddr[16];
	uint16_t lport, rport;
	uint64_t cgroup_id;
	uint32_t idle_ms;
};

struct tcpka_nl;
struct command;

/* One entry of the command table (tcpka.c). */
struct command_desc {
	const char *object;	/* "policy", or NULL for a top-level word */
	const char *name;
	const char *alias;
	int (*parse)(struct command *cmd, int argc, char **argv);
	int (*run)(struct tcpka_nl *nl, struct command *cmd);
	void (*usage)(FILE *f);
	bool needs_kernel;
	bool atomic_ok;		/* allowed inside an atomic load */
};

struct command {
	const struct command_desc *desc;
	struct tcpka_policy pol;
	void (*help)(FILE *f);	/* set: print this usage, nothing else */
	const char *file;	/* load: the file */
	bool staged;		/* policy add inside an atomic load */
};

/* Global options. */
struct tcpka_opts {
	bool json;
	bool pretty;
	bool force;
	bool atomic;
	bool timestamp;		/* monitor: -t, or -ts with tshort */
	bool tshort;
	const char *netns;
	const char *batch;
};
extern struct tcpka_opts opts;

/* tcpka.c */
int parse_command(struct command *cmd, int argc, char **argv);
int run_command(struct tcpka_nl **nl, struct command *cmd);
void usage_main(FILE *f);

/* batch.c */
int makeargs(char *line, char ***argvp, int *argcp);
const char *quote_word(const char *s, char *buf, size_t size);
int do_batch(const char *file, bool force, bool atomic);

/* policy.c */
int policy_parse_add(struct command *cmd, int argc, char **argv);
int policy_parse_replace(struct command *cmd, int argc, char **argv);
int policy_parse_key(struct command *cmd, int argc, char **argv);
int policy_parse_optkey(struct command *cmd, int argc, char **argv);
int policy_parse_none(struct command *cmd, int argc, char **argv);
int policy_run_add(struct tcpka_nl *nl, struct command *cmd);
int policy_run_replace(struct tcpka_nl *nl, struct command *cmd);
int policy_run_del(struct tcpka_nl *nl, struct command *cmd);
int policy_run_show(struct tcpka_nl *nl, struct command *cmd);
int policy_run_flush(struct tcpka_nl *nl, struct command *cmd);
int policy_run_apply(struct tcpka_nl *nl, struct command *cmd);
void policy_usage(FILE *f);
void print_policy(const struct tcpka_policy *p, const char *key);
const char *family_name(uint16_t family);
const char *dir_name(uint8_t dir);
const char *mode_name(uint8_t mode);

/* stats.c */
int stats_parse(struct command *cmd, int argc, char **argv);
int stats_run(struct tcpka_nl *nl, struct command *cmd);
void stats_usage(FILE *f);

/* monitor.c */
int monitor_parse(struct command *cmd, int argc, char **argv);
int monitor_run(struct tcpka_nl *nl, struct command *cmd);
void monitor_usage(FILE *f);

/* load (tcpka.c) */
int load_parse(struct command *cmd, int argc, char **argv);
int load_run(struct tcpka_nl *nl, struct command *cmd);
void load_usage(FILE *f);
int parse_noargs(struct command *cmd, int argc, char **argv,
		 void (*usage)(FILE *f));

/* save.c */
int save_parse(struct command *cmd, int argc, char **argv);
int save_run(struct tcpka_nl *nl, struct command *cmd);
void save_usage(FILE *f);

/* cgroup.c */
int cgroup_open(const char *path);

/* netns.c */
int netns_enter(const char *name);

/* utils.c */
void set_err_prefix(const char *file, unsigned int line);
void pr_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pr_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int usage_err(void (*usage)(FILE *f), const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
extern bool in_batch;
int parse_u32(const char *s, uint32_t *val);
int parse_port_range(const char *s, uint16_t *min, uint16_t *max);
bool matches(const char *arg, const char *word);

#endif /* TCPKA_H */
