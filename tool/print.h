/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tcpka: one printing path for text and JSON, in the manner of iproute2's
 * json_print: each field is printed once, with a JSON key and a text
 * format, so the two outputs cannot drift apart.
 */
#ifndef TCPKA_PRINT_H
#define TCPKA_PRINT_H

#include <stdbool.h>
#include <stdint.h>

enum output_type {
	PRINT_TEXT = 1,
	PRINT_JSON = 2,
	PRINT_ANY = PRINT_TEXT | PRINT_JSON,
};

void print_init(bool json, bool pretty);
bool is_json(void);

/* Containers exist in JSON only; closing the outermost one prints it. */
void open_json_object(const char *key);
void close_json_object(void);
void open_json_array(const char *key);
void close_json_array(void);

/*
 * Text: fields of a line are separated by one space; fmt NULL prints
 * nothing in text. JSON: key NULL appends to the current array.
 */
void print_uint(enum output_type t, const char *key, const char *fmt,
		uint64_t val);
void print_string(enum output_type t, const char *key, const char *fmt,
		  const char *val);
void print_bool(enum output_type t, const char *key, const char *fmt,
		bool val);
void print_null(enum output_type t, const char *key, const char *fmt);
/*
 * The time now, for monitor's -t/-ts. Text: a line of its own,
 * "Timestamp: Wed Mar 20 15:45:00 2024 123456 usec", or (tshort) a first
 * field "[2024-03-20T15:45:00.123456]", in local time, as ip(8) prints
 * them. JSON: "timestamp", seconds since the epoch with 6 decimals.
 */
void print_timestamp(bool tshort);
/* Text: ends the line. */
void print_nl(void);
/* JSON: drops what is open without printing it (the command failed). */
void print_abort(void);

#endif /* TCPKA_PRINT_H */
