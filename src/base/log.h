/* Structured logging: one logfmt line per call, e.g.
 *
 *   ts=2026-11-22T10:00:00.123Z level=info msg="key generated" request_id=ab12 key_id=0badc0de
 *
 * Usage:
 *   log_info("key generated", "key_id=%s bits=%u", key_id_hex, bits);
 *   log_warn("peer unreachable", "party=%u addr=%s", i, log_quote(q, sizeof q, addr));
 *   log_debug("tick", NULL);
 *
 * The key=value tail is printf-formatted and copied as is, except that raw
 * control characters are escaped so a value can never start a new line.
 * Values that may contain spaces, quotes, '=' or control characters must go
 * through log_quote(); keys are fixed identifiers chosen by the caller.
 *
 * NEVER LOG SECRETS. No key material, key shares, seeds, DRBG or PRSS
 * state, plaintexts, passwords, tokens or private request contents, in any
 * encoding, not even truncated or hashed with a fast hash. Log identifiers
 * (key ids, request ids, party numbers), sizes, counts and durations.
 *
 * Thread-safe: each call formats into a local buffer and writes the whole
 * line with one fwrite under a lock, so lines never interleave. Lines longer
 * than LOG_LINE_MAX are cut and end with `truncated=true`. */
#ifndef CKMS_BASE_LOG_H
#define CKMS_BASE_LOG_H

#include <stddef.h>
#include <stdio.h>

#include "base/error.h"

enum log_level {
    LOG_ERROR = 0,
    LOG_WARN = 1,
    LOG_INFO = 2,
    LOG_DEBUG = 3,
    LOG_TRACE = 4
};

/* Longest line written, newline included. */
#define LOG_LINE_MAX 4096
/* Longest request id kept; longer ids are cut. */
#define LOG_REQUEST_ID_MAX 128

/* Lines above `level` are dropped. The default is LOG_INFO. */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* 1 when lines at `level` are written (to skip costly argument set-up). */
int log_enabled(enum log_level level);

/* "error", "warn" (or "warning"), "info", "debug", "trace", any case. */
int log_parse_level(enum log_level *level, const char *s) KMS_MUST_CHECK;
/* Lower-case name of a level ("info"), "unknown" when out of range. */
const char *log_level_name(enum log_level level);

/* Where lines go; NULL restores stderr. The caller keeps `f` open while it
 * is set. */
void log_set_output(FILE *f);

/* Tags every later line of the calling thread with request_id=<id> (a copy
 * is kept, cut to LOG_REQUEST_ID_MAX bytes); NULL clears it. */
void log_set_request_id(const char *id);
void log_clear_request_id(void);
/* The calling thread's request id, or NULL. */
const char *log_request_id(void);

/* Writes one line if `level` is enabled. msg is quoted; kv_fmt (may be NULL)
 * is the printf-style key=value tail. */
void log_write(enum log_level level, const char *msg, const char *kv_fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_error(msg, ...) log_write(LOG_ERROR, (msg), __VA_ARGS__)
#define log_warn(msg, ...) log_write(LOG_WARN, (msg), __VA_ARGS__)
#define log_info(msg, ...) log_write(LOG_INFO, (msg), __VA_ARGS__)
#define log_debug(msg, ...) log_write(LOG_DEBUG, (msg), __VA_ARGS__)
#define log_trace(msg, ...) log_write(LOG_TRACE, (msg), __VA_ARGS__)

/* Writes `value` into out as one logfmt value: bare when it is non-empty and
 * has no space, '=', '"' or control character, otherwise in double quotes
 * with \" \\ \n \r \t and \u00XX escapes. Always NUL-terminates; a value
 * that does not fit is cut at a character boundary, with the closing quote
 * kept. Returns out, so it can be used directly as a printf argument. A
 * buffer of 6 * strlen(value) + 3 bytes always suffices. */
const char *log_quote(char *out, size_t out_cap, const char *value);

/* Appends ` key=<quoted value>` to the NUL-terminated line in out (capacity
 * out_cap); for building a tail piece by piece. Returns KMS_ELIMIT (with
 * out unchanged) when it does not fit. */
int log_append_kv(char *out, size_t out_cap, const char *key, const char *value) KMS_MUST_CHECK;

#endif
