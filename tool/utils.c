// SPDX-License-Identifier: GPL-2.0
/*
 * tcpka: error reporting and number parsing shared by every command.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcpka.h"

/* Set while running a batch file: no usage text, FILE:LINE: prefixes. */
bool in_batch;
static char err_prefix[256];

void set_err_prefix(const char *file, unsigned int line)
{
	if (file && line)
		snprintf(err_prefix, sizeof(err_prefix), "%s:%u: ", file, line);
	else if (file)
		snprintf(err_prefix, sizeof(err_prefix), "%s: ", file);
	else
		err_prefix[0] = '\0';
}

static void vreport(const char *what, const char *fmt, va_list ap)
{
	/* stdout first, so that output and errors keep their order */
	fflush(stdout);
	fprintf(stderr, "%s%s: ", err_prefix, what);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void pr_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("Error", fmt, ap);
	va_end(ap);
}

void pr_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("Warning", fmt, ap);
	va_end(ap);
}

int usage_err(void (*usage)(FILE *f), const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("Error", fmt, ap);
	va_end(ap);
	if (!in_batch && usage)
		usage(stderr);
	return EXIT_USAGE;
}

/* Decimal only: "010" is ten, never eight; no sign, no spaces. */
int parse_u32(const char *s, uint32_t *val)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > UINT32_MAX)
		return -EINVAL;
	*val = v;
	return 0;
}

/* PORT or PORT-PORT, each 0..65535, the first not above the second. */
int parse_port_range(const char *s, uint16_t *min, uint16_t *max)
{
	char buf[16];
	uint32_t lo, hi;
	char *dash;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	dash = strchr(buf, '-');
	if (dash)
		*dash++ = '\0';
	if (parse_u32(buf, &lo) || lo > 65535)
		return -EINVAL;
	hi = lo;
	if (dash && (parse_u32(dash, &hi) || hi > 65535 || hi < lo))
		return -EINVAL;
	*min = lo;
	*max = hi;
	return 0;
}

/*
 * Global options: "-json", "--json" and any prefix "-j", "-js"... as
 * iproute2 accepts them.
 */
bool matches(const char *arg, const char *word)
{
	size_t len;

	if (arg[0] != '-')
		return false;
	arg++;
	if (arg[0] == '-')
		arg++;
	len = strlen(arg);
	return len && len <= strlen(word) && !strncmp(arg, word, len);
}
