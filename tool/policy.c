// SPDX-License-Identifier: GPL-2.0
/*
 * tcpka policy { add | replace | del | show | flush | apply }
 *
 * One keyword parser serves every policy command (and so the command line
 * and batch files alike); each command says which keywords it takes.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "nl.h"
#include "print.h"
#include "tcpka.h"

void policy_usage(FILE *f)
{
	fputs("Usage: tcpka [OPTIONS] policy add [SELECTOR] [ACTION] [pref PREF] [name NAME] [existing]\n"
	      "       tcpka [OPTIONS] policy replace { id ID [name NEWNAME] | name NAME }\n"
	      "                                      [SELECTOR] [ACTION] [pref PREF]\n"
	      "       tcpka [OPTIONS] policy del { id ID | name NAME }\n"
	      "       tcpka [OPTIONS] policy show [ id ID | name NAME ]\n"
	      "       tcpka [OPTIONS] policy flush\n"
	      "       tcpka [OPTIONS] policy apply [ id ID | name NAME ]\n"
	      "SELECTOR := [ cgroup PATH ] [ lport PORT[-PORT] ] [ rport PORT[-PORT] ]\n"
	      "            [ family { inet | inet6 } ] [ dir { in | out } ]\n"
	      "ACTION   := [ mode { default | override | skip } ] [ idle SECONDS ]\n"
	      "            [ intvl SECONDS ] [ cnt COUNT ] [ user-timeout MSECS ]\n",
	      f);
}

/* Keyword groups a command accepts. */
#define K_ID		0x01
#define K_NAME		0x02
#define K_PREF		0x04
#define K_SELECTOR	0x08
#define K_ACTION	0x10
#define K_EXISTING	0x20

struct keyword {
	const char *word;
	int group;
	int attr;		/* presence bit it sets */
	uint32_t min, max;	/* for plain numbers */
};

static const struct keyword keywords[] = {
	{ "id",		  K_ID,		TCPKA_A_ID,		1, UINT32_MAX },
	{ "name",	  K_NAME,	TCPKA_A_NAME,		0, 0 },
	{ "pref",	  K_PREF,	TCPKA_A_PREF,		0, UINT32_MAX },
	{ "cgroup",	  K_SELECTOR,	TCPKA_A_CGROUP_PATH,	0, 0 },
	{ "lport",	  K_SELECTOR,	TCPKA_A_LPORT_MIN,	0, 0 },
	{ "rport",	  K_SELECTOR,	TCPKA_A_RPORT_MIN,	0, 0 },
	{ "family",	  K_SELECTOR,	TCPKA_A_FAMILY,		0, 0 },
	{ "dir",	  K_SELECTOR,	TCPKA_A_DIR,		0, 0 },
	{ "mode",	  K_ACTION,	TCPKA_A_MODE,		0, 0 },
	{ "idle",	  K_ACTION,	TCPKA_A_IDLE,		1, TCPKA_IDLE_MAX },
	{ "intvl",	  K_ACTION,	TCPKA_A_INTVL,		1, TCPKA_INTVL_MAX },
	{ "cnt",	  K_ACTION,	TCPKA_A_CNT,		1, TCPKA_CNT_MAX },
	{ "user-timeout", K_ACTION,	TCPKA_A_USER_TIMEOUT,	0,
	  TCPKA_USER_TIMEOUT_MAX },
	{ "existing",	  K_EXISTING,	TCPKA_A_EXISTING,	0, 0 },
};

static const char *const families[] = { [AF_INET] = "inet",
					 [AF_INET6] = "inet6" };
static const char *const dirs[] = { [TCPKA_DIR_IN] = "in",
				     [TCPKA_DIR_OUT] = "out" };
static const char *const modes[] = { [TCPKA_MODE_DEFAULT] = "default",
				      [TCPKA_MODE_OVERRIDE] = "override",
				      [TCPKA_MODE_SKIP] = "skip" };

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int lookup(const char *const *tab, size_t n, const char *word)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (tab[i] && !strcmp(tab[i], word))
			return i;
	return -1;
}

static const char *enum_name(const char *const *tab, size_t n, unsigned int v)
{
	static char buf[3][16];
	static int slot;

	if (v < n && tab[v])
		return tab[v];
	/* a value from a newer module: show the number */
	slot = (slot + 1) % 3;
	snprintf(buf[slot], sizeof(buf[slot]), "%u", v);
	return buf[slot];
}

const char *family_name(uint16_t family)
{
	return enum_name(families, ARRAY_SIZE(families), family);
}

const char *dir_name(uint8_t dir)
{
	return enum_name(dirs, ARRAY_SIZE(dirs), dir);
}

const char *mode_name(uint8_t mode)
{
	return enum_name(modes, ARRAY_SIZE(modes), mode);
}

static bool valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > TCPKA_NAME_MAX_LEN)
		return false;
	/* the kernel's rule: printable, no blanks */
	for (; *s; s++)
		if (!isgraph((unsigned char)*s))
			return false;
	return true;
}

static int bad_value(const struct keyword *k, const char *val)
{
	if (k->max)
		return usage_err(policy_usage, "invalid %s \"%s\" (%u-%u)",
				 k->word, val, k->min, k->max);
	return usage_err(policy_usage, "invalid %s \"%s\"", k->word, val);
}

static int parse_value(struct tcpka_policy *p, const struct keyword *k,
		       const char *val)
{
	uint32_t v = 0;
	int i;

	switch (k->attr) {
	case TCPKA_A_NAME:
		if (!valid_name(val))
			return usage_err(policy_usage,
					 "invalid name \"%s\" (1-%d printable characters, no spaces)",
					 val, TCPKA_NAME_MAX_LEN);
		p->name = val;
		return 0;
	case TCPKA_A_CGROUP_PATH:
		if (!*val)
			return bad_value(k, val);
		p->cgroup = val;
		return 0;
	case TCPKA_A_LPORT_MIN:
		if (parse_port_range(val, &p->lport_min, &p->lport_max))
			return bad_value(k, val);
		return 0;
	case TCPKA_A_RPORT_MIN:
		if (parse_port_range(val, &p->rport_min, &p->rport_max))
			return bad_value(k, val);
		return 0;
	case TCPKA_A_FAMILY:
		i = lookup(families, ARRAY_SIZE(families), val);
		if (i < 0)
			return usage_err(policy_usage,
					 "invalid family \"%s\" (inet or inet6)",
					 val);
		p->family = i;
		return 0;
	case TCPKA_A_DIR:
		i = lookup(dirs, ARRAY_SIZE(dirs), val);
		if (i < 0)
			return usage_err(policy_usage,
					 "invalid dir \"%s\" (in or out)", val);
		p->dir = i;
		return 0;
	case TCPKA_A_MODE:
		i = lookup(modes, ARRAY_SIZE(modes), val);
		if (i < 0)
			return usage_err(policy_usage,
					 "invalid mode \"%s\" (default, override or skip)",
					 val);
		p->mode = i;
		return 0;
	}
	if (parse_u32(val, &v) || v < k->min || v > k->max)
		return bad_value(k, val);
	switch (k->attr) {
	case TCPKA_A_ID:
		p->id = v;
		break;
	case TCPKA_A_PREF:
		p->pref = v;
		break;
	case TCPKA_A_IDLE:
		p->idle = v;
		break;
	case TCPKA_A_INTVL:
		p->intvl = v;
		break;
	case TCPKA_A_CNT:
		p->cnt = v;
		break;
	case TCPKA_A_USER_TIMEOUT:
		p->user_timeout = v;
		break;
	}
	return 0;
}

/*
 * Fills cmd->pol from "keyword value ..." pairs. Returns 0, EXIT_USAGE, or
 * -1 when the user asked for help (cmd is then a help command).
 */
static int parse_keywords(struct command *cmd, int argc, char **argv,
			  int allowed)
{
	struct tcpka_policy *p = &cmd->pol;
	const char *verb = cmd->desc->name;
	int i, ret;

	memset(p, 0, sizeof(*p));
	p->cgroup_fd = -1;
	for (i = 0; i < argc; i++) {
		const struct keyword *k = NULL;
		size_t j;

		for (j = 0; j < ARRAY_SIZE(keywords); j++)
			if (!strcmp(argv[i], keywords[j].word))
				k = &keywords[j];
		if (!strcmp(argv[i], "help"))
			return -1;
		if (!k)
			return usage_err(policy_usage,
					 "unknown keyword \"%s\" for policy %s",
					 argv[i], verb);
		if (!(k->group & allowed))
			return usage_err(policy_usage,
					 "\"%s\" is not allowed with policy %s",
					 k->word, verb);
		/* replace: "id ID name NEWNAME" renames */
		if (POL_HAS(p, k->attr))
			return usage_err(policy_usage, "duplicate \"%s\"",
					 k->word);
		p->present |= TCPKA_BIT(k->attr);
		if (k->attr == TCPKA_A_EXISTING)
			continue;
		if (i + 1 >= argc)
			return usage_err(policy_usage,
					 "missing value after \"%s\"", k->word);
		ret = parse_value(p, k, argv[++i]);
		if (ret)
			return ret;
		if (k->attr == TCPKA_A_LPORT_MIN)
			p->present |= TCPKA_BIT(TCPKA_A_LPORT_MAX);
		if (k->attr == TCPKA_A_RPORT_MIN)
			p->present |= TCPKA_BIT(TCPKA_A_RPORT_MAX);
	}
	return 0;
}

static int help_or(struct command *cmd, int ret);

int policy_parse_add(struct command *cmd, int argc, char **argv)
{
	return help_or(cmd, parse_keywords(cmd, argc, argv,
					   K_NAME | K_PREF | K_SELECTOR |
					   K_ACTION | K_EXISTING));
}

int policy_parse_replace(struct command *cmd, int argc, char **argv)
{
	int ret = parse_keywords(cmd, argc, argv, K_ID | K_NAME | K_PREF |
				 K_SELECTOR | K_ACTION);

	if (ret)
		return help_or(cmd, ret);
	if (!POL_HAS(&cmd->pol, TCPKA_A_ID) &&
	    !POL_HAS(&cmd->pol, TCPKA_A_NAME))
		return usage_err(policy_usage,
				 "policy replace needs \"id ID\" or \"name NAME\"");
	return 0;
}

/* del: exactly one of id, name. */
int policy_parse_key(struct command *cmd, int argc, char **argv)
{
	int ret = policy_parse_optkey(cmd, argc, argv);

	if (ret)
		return ret;
	if (!cmd->pol.present)
		return usage_err(policy_usage,
				 "policy %s needs \"id ID\" or \"name NAME\"",
				 cmd->desc->name);
	return 0;
}

/* show, apply: at most one of id, name. */
int policy_parse_optkey(struct command *cmd, int argc, char **argv)
{
	int ret = parse_keywords(cmd, argc, argv, K_ID | K_NAME);

	if (ret)
		return help_or(cmd, ret);
	if (POL_HAS(&cmd->pol, TCPKA_A_ID) && POL_HAS(&cmd->pol, TCPKA_A_NAME))
		return usage_err(policy_usage,
				 "policy %s takes \"id ID\" or \"name NAME\", not both",
				 cmd->desc->name);
	return 0;
}

int policy_parse_none(struct command *cmd, int argc, char **argv)
{
	return help_or(cmd, parse_keywords(cmd, argc, argv, 0));
}

static int help_or(struct command *cmd, int ret)
{
	if (ret == -1) {
		cmd->help = policy_usage;
		return 0;
	}
	return ret;
}

static const char *ports(uint16_t min, uint16_t max, char *buf, size_t size)
{
	if (min == max)
		snprintf(buf, size, "%u", min);
	else
		snprintf(buf, size, "%u-%u", min, max);
	return buf;
}

static void print_ports(const struct tcpka_policy *p, int attr,
			const char *key, uint16_t min, uint16_t max)
{
	char buf[16], fmt[16];

	if (!POL_HAS(p, attr)) {
		print_null(PRINT_JSON, key, NULL);
		return;
	}
	snprintf(fmt, sizeof(fmt), "%s %%s", key);
	print_string(PRINT_TEXT, key, fmt, ports(min, max, buf, sizeof(buf)));
	open_json_object(key);
	print_uint(PRINT_JSON, "min", NULL, min);
	print_uint(PRINT_JSON, "max", NULL, max);
	close_json_object();
}

static void print_u32_attr(const struct tcpka_policy *p, int attr,
			   const char *key, const char *fmt, uint32_t val)
{
	if (POL_HAS(p, attr))
		print_uint(PRINT_ANY, key, fmt, val);
	else
		print_null(PRINT_JSON, key, NULL);
}

static const char *const stat_keys[TCPKA_STATS_A_MAX + 1] = {
	[TCPKA_STATS_A_MATCHED] = "matched",
	[TCPKA_STATS_A_APPLIED] = "applied",
	[TCPKA_STATS_A_KEPT] = "kept",
	[TCPKA_STATS_A_SKIPPED] = "skipped",
	[TCPKA_STATS_A_EXISTING] = "existing",
	[TCPKA_STATS_A_REAPED] = "reaped",
};

static void print_policy_stats(const struct tcpka_policy *p)
{
	char fmt[32];
	int i;

	if (!p->stats_present) {
		print_null(PRINT_JSON, "stats", NULL);
		return;
	}
	open_json_object("stats");
	for (i = TCPKA_STATS_A_MATCHED; i <= TCPKA_STATS_A_REAPED; i++) {
		if (!(p->stats_present & TCPKA_BIT(i)))
			continue;
		snprintf(fmt, sizeof(fmt), "%s %%llu", stat_keys[i]);
		print_uint(PRINT_ANY, stat_keys[i], fmt, p->stats[i]);
	}
	close_json_object();
}

/*
 * One policy: a line of text, or a JSON object (under key, NULL in an
 * array) whose keys are always all present, null when unset. Shared by
 * "policy show" and "monitor".
 */
void print_policy(const struct tcpka_policy *p, const char *key)
{
	char name[3 * TCPKA_NAME_MAX_LEN + 3];

	open_json_object(key);
	/* text starts with the sort key, as "ip rule" does */
	if (POL_HAS(p, TCPKA_A_PREF))
		print_uint(PRINT_TEXT, NULL, "pref %llu", p->pref);
	print_u32_attr(p, TCPKA_A_ID, "id", "id %llu", p->id);
	if (p->name) {
		print_string(PRINT_JSON, "name", NULL, p->name);
		print_string(PRINT_TEXT, NULL, "name %s",
			     quote_word(p->name, name, sizeof(name)));
	} else {
		print_null(PRINT_JSON, "name", NULL);
	}
	if (POL_HAS(p, TCPKA_A_PREF))
		print_uint(PRINT_JSON, "pref", NULL, p->pref);
	else
		print_null(PRINT_JSON, "pref", NULL);

	if (p->cgroup)
		print_string(PRINT_ANY, "cgroup", "cgroup %s", p->cgroup);
	else
		print_null(PRINT_JSON, "cgroup", NULL);
	if (POL_HAS(p, TCPKA_A_CGROUP_ID)) {
		/* the path says it all in text, unless the kernel had none */
		print_uint(PRINT_JSON, "cgroup_id", NULL, p->cgroup_id);
		if (!p->cgroup)
			print_uint(PRINT_TEXT, NULL, "cgroup-id %llu",
				   p->cgroup_id);
	} else {
		print_null(PRINT_JSON, "cgroup_id", NULL);
	}
	print_bool(PRINT_JSON, "cgroup_dead", NULL, p->cgroup_dead);
	if (p->cgroup_dead)
		print_string(PRINT_TEXT, NULL, "%s", "(deleted)");

	print_ports(p, TCPKA_A_LPORT_MIN, "lport", p->lport_min, p->lport_max);
	print_ports(p, TCPKA_A_RPORT_MIN, "rport", p->rport_min, p->rport_max);
	if (POL_HAS(p, TCPKA_A_FAMILY))
		print_string(PRINT_ANY, "family", "family %s",
			     family_name(p->family));
	else
		print_null(PRINT_JSON, "family", NULL);
	if (POL_HAS(p, TCPKA_A_DIR))
		print_string(PRINT_ANY, "dir", "dir %s", dir_name(p->dir));
	else
		print_null(PRINT_JSON, "dir", NULL);
	if (POL_HAS(p, TCPKA_A_MODE))
		print_string(PRINT_ANY, "mode", "mode %s", mode_name(p->mode));
	else
		print_null(PRINT_JSON, "mode", NULL);
	print_u32_attr(p, TCPKA_A_IDLE, "idle", "idle %llu", p->idle);
	print_u32_attr(p, TCPKA_A_INTVL, "intvl", "intvl %llu", p->intvl);
	print_u32_attr(p, TCPKA_A_CNT, "cnt", "cnt %llu", p->cnt);
	print_u32_attr(p, TCPKA_A_USER_TIMEOUT, "user_timeout",
		       "user-timeout %llu", p->user_timeout);
	print_policy_stats(p);
	close_json_object();
	print_nl();
}

/* Opens the cgroup, if any, for the request. */
static int resolve_cgroup(struct tcpka_policy *p)
{
	if (!POL_HAS(p, TCPKA_A_CGROUP_PATH))
		return 0;
	p->cgroup_fd = cgroup_open(p->cgroup);
	if (p->cgroup_fd < 0)
		return EXIT_FAIL;
	p->present |= TCPKA_BIT(TCPKA_A_CGROUP_FD);
	return 0;
}

static void release_cgroup(struct tcpka_policy *p)
{
	if (p->cgroup_fd >= 0)
		close(p->cgroup_fd);
	p->cgroup_fd = -1;
	p->present &= ~TCPKA_BIT(TCPKA_A_CGROUP_FD);
}

static int fail(struct tcpka_nl *nl, int err)
{
	print_abort();
	tcpka_nl_perror(nl, err);
	return EXIT_FAIL;
}

static int add_reply(const struct tcpka_policy *p, void *arg)
{
	struct tcpka_policy *out = arg;

	out->present = p->present;
	out->id = p->id;
	out->applied = p->applied;
	return 0;
}

int policy_run_add(struct tcpka_nl *nl, struct command *cmd)
{
	struct tcpka_policy reply = { 0 };
	int ret;

	if (resolve_cgroup(&cmd->pol))
		return EXIT_FAIL;
	ret = tcpka_nl_policy_add(nl, &cmd->pol, add_reply, &reply);
	release_cgroup(&cmd->pol);
	if (ret)
		return fail(nl, ret);
	/* in an atomic load, ids are only settled by the commit */
	if (cmd->staged)
		return 0;
	open_json_object(NULL);
	print_uint(PRINT_ANY, "id", "%llu", reply.id);
	if (POL_HAS(&reply, TCPKA_A_APPLIED))
		print_uint(PRINT_ANY, "applied", "applied %llu", reply.applied);
	close_json_object();
	print_nl();
	return 0;
}

int policy_run_replace(struct tcpka_nl *nl, struct command *cmd)
{
	int ret;

	if (resolve_cgroup(&cmd->pol))
		return EXIT_FAIL;
	ret = tcpka_nl_policy_replace(nl, &cmd->pol);
	release_cgroup(&cmd->pol);
	return ret ? fail(nl, ret) : 0;
}

int policy_run_del(struct tcpka_nl *nl, struct command *cmd)
{
	int ret = tcpka_nl_policy_del(nl, &cmd->pol);

	return ret ? fail(nl, ret) : 0;
}

static int show_one(const struct tcpka_policy *p, void *arg)
{
	(void)arg;
	print_policy(p, NULL);
	return 0;
}

int policy_run_show(struct tcpka_nl *nl, struct command *cmd)
{
	int ret;

	open_json_array(NULL);
	ret = tcpka_nl_policy_get(nl, cmd->pol.present ? &cmd->pol : NULL,
				  show_one, NULL);
	if (ret)
		return fail(nl, ret);
	close_json_array();
	return 0;
}

int policy_run_flush(struct tcpka_nl *nl, struct command *cmd)
{
	int ret = tcpka_nl_policy_flush(nl);

	(void)cmd;
	return ret ? fail(nl, ret) : 0;
}

int policy_run_apply(struct tcpka_nl *nl, struct command *cmd)
{
	uint32_t applied;
	int ret;

	ret = tcpka_nl_policy_apply(nl, cmd->pol.present ? &cmd->pol : NULL,
				    &applied);
	if (ret)
		return fail(nl, ret);
	open_json_object(NULL);
	print_uint(PRINT_ANY, "applied", "applied %llu", applied);
	close_json_object();
	print_nl();
	return 0;
}
