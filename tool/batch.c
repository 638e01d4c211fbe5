// SPDX-License-Identifier: GPL-2.0
/*
 * tcpka -b FILE: one command per line, without the leading "tcpka".
 *
 * Lines are split into words by makeargs() and handed to the very parser
 * that reads the command line. The whole file is parsed before anything
 * is sent, so a syntax error anywhere changes nothing; then the commands
 * run in order and the first failure stops the run (unless -force).
 *
 * -atomic (and "tcpka load FILE") sends the file's "policy add" lines
 * between TXN_BEGIN and TXN_COMMIT on one socket: the kernel swaps the
 * whole set in one step, or, on any error, keeps the old one.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nl.h"
#include "print.h"
#include "tcpka.h"

/*
 * Splits line in place into words. Words are separated by blanks; '#' at
 * the start of a word begins a comment; "double quotes" group a word and
 * take \" and \\ as escapes, 'single quotes' take everything literally.
 * A backslash elsewhere is an ordinary character (cgroup paths such as
 * dev-disk-by\x2duuid.swap are written bare).
 */
int makeargs(char *line, char ***argvp, int *argcp)
{
	char **argv = NULL, **tmp;
	char *r = line, *w;
	int argc = 0, cap = 0;

	for (;;) {
		while (isspace((unsigned char)*r))
			r++;
		if (!*r || *r == '#')
			break;
		if (argc + 2 > cap) {
			cap = cap ? 2 * cap : 8;
			tmp = realloc(argv, cap * sizeof(*argv));
			if (!tmp) {
				free(argv);
				pr_err("%s", strerror(ENOMEM));
				return -ENOMEM;
			}
			argv = tmp;
		}
		argv[argc++] = w = r;
		while (*r && !isspace((unsigned char)*r)) {
			char q = *r;

			if (q != '"' && q != '\'') {
				*w++ = *r++;
				continue;
			}
			for (r++; *r && *r != q; r++) {
				if (q == '"' && *r == '\\' &&
				    (r[1] == '"' || r[1] == '\\'))
					r++;
				*w++ = *r;
			}
			if (!*r) {
				free(argv);
				pr_err("unterminated %s quote",
				       q == '"' ? "double" : "single");
				return -EINVAL;
			}
			r++;
		}
		/* w never passes r, so the terminator cannot clobber input */
		if (*r)
			r++;
		*w = '\0';
	}
	if (argv)
		argv[argc] = NULL;
	*argvp = argv;
	*argcp = argc;
	return 0;
}

/* s as makeargs() reads it back: bare when possible, else "quoted". */
const char *quote_word(const char *s, char *buf, size_t size)
{
	const char *c;
	size_t n = 0;

	if (*s && *s != '#') {
		for (c = s; *c; c++)
			if (isspace((unsigned char)*c) || *c == '"' ||
			    *c == '\'')
				break;
		if (!*c)
			return s;
	}
	if (size < 3)
		return "\"\"";
	buf[n++] = '"';
	for (c = s; *c && n + 3 < size; c++) {
		if (*c == '"' || *c == '\\')
			buf[n++] = '\\';
		buf[n++] = *c;
	}
	buf[n++] = '"';
	buf[n] = '\0';
	return buf;
}

struct line {
	unsigned int no;
	char *text;
	char **argv;
	int argc;
	bool bad;		/* failed to parse (-force goes on) */
	struct command cmd;
};

struct batch {
	const char *file;
	struct line *lines;
	size_t n, cap;
};

static void batch_free(struct batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		free(b->lines[i].text);
		free(b->lines[i].argv);
	}
	free(b->lines);
}

/* Reads every line; they are split and parsed later, in order. */
static int batch_read(struct batch *b)
{
	FILE *f = stdin;
	char *text = NULL;
	size_t len = 0;
	unsigned int no = 0;
	int ret = 0;

	if (strcmp(b->file, "-")) {
		f = fopen(b->file, "re");
		if (!f) {
			pr_err("cannot open batch file \"%s\": %s", b->file,
			       strerror(errno));
			return EXIT_FAIL;
		}
	}
	while (getline(&text, &len, f) >= 0) {
		struct line *l;

		no++;
		text[strcspn(text, "\r\n")] = '\0';
		if (b->n == b->cap) {
			size_t cap = b->cap ? 2 * b->cap : 32;
			struct line *tmp = realloc(b->lines,
						   cap * sizeof(*tmp));

			if (!tmp) {
				pr_err("%s", strerror(ENOMEM));
				ret = EXIT_FAIL;
				break;
			}
			b->lines = tmp;
			b->cap = cap;
		}
		l = &b->lines[b->n++];
		memset(l, 0, sizeof(*l));
		l->no = no;
		l->text = text;
		text = NULL;
		len = 0;
	}
	if (!ret && ferror(f)) {
		pr_err("reading batch file \"%s\": %s", b->file,
		       strerror(errno));
		ret = EXIT_FAIL;
	}
	free(text);
	if (f != stdin)
		fclose(f);
	return ret;
}

/* Splits and parses one line; blank and comment lines leave argc 0. */
static int batch_parse(struct line *l, bool atomic)
{
	int ret;

	if (makeargs(l->text, &l->argv, &l->argc))
		return EXIT_FAIL;
	if (!l->argc)
		return 0;
	ret = parse_command(&l->cmd, l->argc, l->argv);
	if (!ret && atomic && (l->cmd.help || !l->cmd.desc->atomic_ok)) {
		pr_err("only \"policy add\" is allowed in an atomic load");
		ret = EXIT_FAIL;
	}
	return ret;
}

static bool runnable(const struct line *l)
{
	return l->argc > 0 && !l->bad;
}

static int run_atomic(struct batch *b, struct tcpka_nl *nl)
{
	size_t i;
	int ret;

	set_err_prefix(b->file, 0);
	ret = tcpka_nl_txn(nl, TCPKA_CMD_TXN_BEGIN);
	if (ret) {
		tcpka_nl_perror(nl, ret);
		return EXIT_FAIL;
	}
	for (i = 0; i < b->n; i++) {
		struct line *l = &b->lines[i];

		if (!runnable(l))
			continue;
		set_err_prefix(b->file, l->no);
		l->cmd.staged = true;
		if (run_command(&nl, &l->cmd)) {
			/* best effort: closing the socket aborts as well */
			tcpka_nl_txn(nl, TCPKA_CMD_TXN_ABORT);
			return EXIT_FAIL;
		}
	}
	set_err_prefix(b->file, 0);
	ret = tcpka_nl_txn(nl, TCPKA_CMD_TXN_COMMIT);
	if (ret) {
		tcpka_nl_perror(nl, ret);
		return EXIT_FAIL;
	}
	return 0;
}

int do_batch(const char *file, bool force, bool atomic)
{
	struct batch b = { .file = file };
	struct tcpka_nl *nl = NULL;
	bool kernel = atomic;
	int failed = 0;
	size_t i;
	int ret;

	in_batch = true;
	ret = batch_read(&b);
	if (ret)
		goto out;

	/* parse everything first: nothing is sent if a line is wrong */
	for (i = 0; i < b.n; i++) {
		struct line *l = &b.lines[i];

		set_err_prefix(file, l->no);
		if (batch_parse(l, atomic)) {
			l->bad = true;
			failed++;
			if (!force)
				goto out;
			continue;
		}
		if (runnable(l) && !l->cmd.help && l->cmd.desc->needs_kernel)
			kernel = true;
	}

	set_err_prefix(NULL, 0);
	if (kernel) {
		ret = tcpka_nl_open(&nl);
		if (ret)
			goto out;
	}
	if (atomic) {
		ret = run_atomic(&b, nl);
		goto out;
	}
	for (i = 0; i < b.n; i++) {
		struct line *l = &b.lines[i];

		if (!runnable(l))
			continue;
		set_err_prefix(file, l->no);
		if (run_command(&nl, &l->cmd)) {
			failed++;
			if (!force)
				break;
		}
	}
	ret = 0;
out:
	set_err_prefix(NULL, 0);
	tcpka_nl_close(nl);
	batch_free(&b);
	in_batch = false;
	return ret || failed ? EXIT_FAIL : 0;
}
