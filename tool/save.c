// SPDX-License-Identifier: GPL-2.0
/*
 * tcpka save: the namespace's policies as a batch file. "tcpka -b" reads
 * it back to the same set, so save, flush, -b, save prints the same text.
 * Ids are not saved (the kernel assigns them); pref is, so the evaluation
 * order survives, and policies are printed in that order so that ties on
 * pref come back in the same order too.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nl.h"
#include "tcpka.h"

void save_usage(FILE *f)
{
	fputs("Usage: tcpka [OPTIONS] save > FILE\n", f);
}

int save_parse(struct command *cmd, int argc, char **argv)
{
	return parse_noargs(cmd, argc, argv, save_usage);
}

static void put_word(const char *key, const char *val)
{
	size_t size = 2 * strlen(val) + 3;
	char *buf = malloc(size);

	if (!buf) {
		/* unquoted is right for every ordinary name or path */
		printf(" %s %s", key, val);
		return;
	}
	printf(" %s %s", key, quote_word(val, buf, size));
	free(buf);
}

static void put_ports(const char *key, uint16_t min, uint16_t max)
{
	if (min == max)
		printf(" %s %u", key, min);
	else
		printf(" %s %u-%u", key, min, max);
}

static int save_one(const struct tcpka_policy *p, void *arg)
{
	int *unsaved = arg;

	/* a removed cgroup cannot be opened again: keep the line visible */
	if (p->cgroup_dead || (POL_HAS(p, TCPKA_A_CGROUP_ID) && !p->cgroup)) {
		printf("# cgroup removed: ");
		++*unsaved;
	}
	printf("policy add");
	if (p->name)
		put_word("name", p->name);
	if (POL_HAS(p, TCPKA_A_PREF))
		printf(" pref %u", p->pref);
	if (p->cgroup)
		put_word("cgroup", p->cgroup);
	if (POL_HAS(p, TCPKA_A_LPORT_MIN))
		put_ports("lport", p->lport_min, p->lport_max);
	if (POL_HAS(p, TCPKA_A_RPORT_MIN))
		put_ports("rport", p->rport_min, p->rport_max);
	if (POL_HAS(p, TCPKA_A_FAMILY))
		printf(" family %s", family_name(p->family));
	if (POL_HAS(p, TCPKA_A_DIR))
		printf(" dir %s", dir_name(p->dir));
	if (POL_HAS(p, TCPKA_A_MODE))
		printf(" mode %s", mode_name(p->mode));
	if (POL_HAS(p, TCPKA_A_IDLE))
		printf(" idle %u", p->idle);
	if (POL_HAS(p, TCPKA_A_INTVL))
		printf(" intvl %u", p->intvl);
	if (POL_HAS(p, TCPKA_A_CNT))
		printf(" cnt %u", p->cnt);
	if (POL_HAS(p, TCPKA_A_USER_TIMEOUT))
		printf(" user-timeout %u", p->user_timeout);
	putchar('\n');
	return 0;
}

int save_run(struct tcpka_nl *nl, struct command *cmd)
{
	int unsaved = 0;
	int ret;

	(void)cmd;
	ret = tcpka_nl_policy_get(nl, NULL, save_one, &unsaved);
	if (ret) {
		tcpka_nl_perror(nl, ret);
		return EXIT_FAIL;
	}
	if (fflush(stdout) || ferror(stdout)) {
		pr_err("writing the saved policies failed: %s",
		       strerror(errno));
		return EXIT_FAIL;
	}
	if (unsaved)
		pr_warn("%d policies match a removed cgroup; saved as comments",
			unsaved);
	return 0;
}
