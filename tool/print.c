// SPDX-License-Identifier: GPL-2.0
/*
 * tcpka: text and JSON output (see print.h). JSON values are built with
 * json-c and printed when the outermost container closes, one document
 * per line (or indented with -p), then stdout is flushed so that a reader
 * of "tcpka -j monitor" gets each event as it happens.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

#include <json-c/json.h>

#include "print.h"

#define JSON_DEPTH_MAX	8

static bool json;
static bool pretty;
static struct json_object *stack[JSON_DEPTH_MAX];
static int depth;
static bool text_col;	/* a field was printed on the current text line */

void print_init(bool want_json, bool want_pretty)
{
	json = want_json;
	pretty = want_pretty;
}

bool is_json(void)
{
	return json;
}

static void json_emit(struct json_object *obj)
{
	int flags = JSON_C_TO_STRING_NOSLASHESCAPE;

	flags |= pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED :
			  JSON_C_TO_STRING_PLAIN;
	puts(json_object_to_json_string_ext(obj, flags));
	fflush(stdout);
}

/* Adds val (a new reference, or NULL for null) under key in the top. */
static void json_add(const char *key, struct json_object *val)
{
	struct json_object *top;

	if (!depth) {
		/* a lone value outside any container */
		json_emit(val);
		json_object_put(val);
		return;
	}
	top = stack[depth - 1];
	if (json_object_is_type(top, json_type_array))
		json_object_array_add(top, val);
	else
		json_object_object_add(top, key, val);
}

static void json_open(const char *key, struct json_object *obj)
{
	if (!obj || depth == JSON_DEPTH_MAX) {
		fprintf(stderr, "Error: JSON output too deep or out of memory\n");
		exit(1);
	}
	if (depth)
		json_add(key, json_object_get(obj));
	stack[depth++] = obj;
}

static void json_close(void)
{
	struct json_object *obj = stack[--depth];

	if (!depth)
		json_emit(obj);
	json_object_put(obj);
}

void open_json_object(const char *key)
{
	if (json)
		json_open(key, json_object_new_object());
}

void close_json_object(void)
{
	if (json)
		json_close();
}

void open_json_array(const char *key)
{
	if (json)
		json_open(key, json_object_new_array());
}

void close_json_array(void)
{
	if (json)
		json_close();
}

static void text_field(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void text_field(const char *fmt, ...)
{
	va_list ap;

	if (text_col)
		putchar(' ');
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	text_col = true;
}

/*
 * The text formats are literals chosen by the caller; the format
 * attribute cannot see through the pointer, hence the pragma.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"

void print_uint(enum output_type t, const char *key, const char *fmt,
		uint64_t val)
{
	if (json && (t & PRINT_JSON))
		json_add(key, json_object_new_uint64(val));
	else if (!json && (t & PRINT_TEXT) && fmt)
		text_field(fmt, (unsigned long long)val);
}

void print_string(enum output_type t, const char *key, const char *fmt,
		  const char *val)
{
	if (json && (t & PRINT_JSON))
		json_add(key, json_object_new_string(val));
	else if (!json && (t & PRINT_TEXT) && fmt)
		text_field(fmt, val);
}

void print_bool(enum output_type t, const char *key, const char *fmt,
		bool val)
{
	if (json && (t & PRINT_JSON))
		json_add(key, json_object_new_boolean(val));
	else if (!json && (t & PRINT_TEXT) && fmt)
		text_field(fmt, val ? "true" : "false");
}

void print_null(enum output_type t, const char *key, const char *fmt)
{
	if (json && (t & PRINT_JSON))
		json_add(key, NULL);
	else if (!json && (t & PRINT_TEXT) && fmt)
		text_field(fmt, "null");
}

#pragma GCC diagnostic pop

void print_timestamp(bool tshort)
{
	char buf[64];
	struct timeval tv;
	struct tm tm;

	gettimeofday(&tv, NULL);
	if (json) {
		/* kept as printed: a double would print 17 digits */
		snprintf(buf, sizeof(buf), "%lld.%06ld", (long long)tv.tv_sec,
			 (long)tv.tv_usec);
		json_add("timestamp",
			 json_object_new_double_s(tv.tv_sec + tv.tv_usec / 1e6,
						  buf));
		return;
	}
	localtime_r(&tv.tv_sec, &tm);
	if (tshort) {
		strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
		text_field("[%s.%06ld]", buf, (long)tv.tv_usec);
		return;
	}
	/* asctime()'s format, without its newline */
	strftime(buf, sizeof(buf), "%a %b %e %H:%M:%S %Y", &tm);
	printf("Timestamp: %s %ld usec\n", buf, (long)tv.tv_usec);
}

void print_nl(void)
{
	if (!json) {
		putchar('\n');
		text_col = false;
	}
}

void print_abort(void)
{
	while (depth)
		json_object_put(stack[--depth]);
}
