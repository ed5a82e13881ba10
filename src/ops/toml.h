/* A TOML 1.0 reader for configuration files.
 *
 * Parses a whole document into a tree of values. Everything in TOML 1.0 is
 * accepted except dates and times, which fail with a clear "not supported"
 * error (KMS_EUNIMPL). The semantic rules are TOML's: a key is defined once,
 * a table header names a table once, dotted keys and inline tables cannot
 * be reopened, arrays of tables only grow through [[header]].
 *
 * Integers are signed 64-bit: a larger literal is an error (TOML requires
 * that rather than a lossy value). Floats are IEEE binary64 (1e400 is inf).
 * Strings are UTF-8 and may contain NUL (from "\u0000"), so they come with
 * a length.
 *
 * Every error names the line and column (1-based; the column counts
 * characters). Input size, nesting depth and string length are bounded, so
 * any input either parses or fails cleanly. */
#ifndef CKMS_OPS_TOML_H
#define CKMS_OPS_TOML_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

enum toml_type { TOML_TABLE, TOML_ARRAY, TOML_STRING, TOML_INTEGER, TOML_FLOAT, TOML_BOOL };

struct toml_limits {
    size_t max_input;   /* bytes of document */
    size_t max_string;  /* decoded bytes of one string or key */
    unsigned max_depth; /* nesting of tables and arrays below the root */
};

#define TOML_DEFAULT_MAX_INPUT ((size_t)1 << 20)
#define TOML_DEFAULT_MAX_STRING ((size_t)64 << 10)
#define TOML_DEFAULT_MAX_DEPTH 64u
/* max_depth is clamped to this, which bounds every recursion. */
#define TOML_MAX_DEPTH_CAP 256u

/* Where a parse failed. line/col are 0 for errors without a position
 * (out of memory, unreadable file). */
struct toml_error {
    unsigned line;
    unsigned col;
    char msg[200];
};

struct toml_value;

/* Parses len bytes of src into *root (a table; free with toml_free).
 * lim may be NULL for the defaults; err may be NULL. On failure *root is
 * NULL, err (if given) holds the position and reason, and kms_err_msg()
 * reads "line L, column C: reason". Returns 0, KMS_EINVAL (syntax or TOML
 * rule), KMS_ELIMIT, KMS_EUNIMPL (date/time) or KMS_ENOMEM. */
int toml_parse(struct toml_value **root, const char *src, size_t len, const struct toml_limits *lim,
               struct toml_error *err) KMS_MUST_CHECK;

/* Reads and parses a file. Besides toml_parse's codes: KMS_EIO when the
 * file cannot be read, KMS_ELIMIT when it is larger than lim->max_input.
 * Messages start with the path. */
int toml_parse_file(struct toml_value **root, const char *path, const struct toml_limits *lim,
                    struct toml_error *err) KMS_MUST_CHECK;

void toml_free(struct toml_value *root);

/* --- Inspecting values ----------------------------------------------- */

enum toml_type toml_type(const struct toml_value *v);
/* "table", "array", "string", "integer", "float", "boolean". */
const char *toml_type_name(enum toml_type t);
/* Where the value was defined: the start of its key for key/value pairs
 * and headers, of the value itself for array elements. */
unsigned toml_line(const struct toml_value *v);
unsigned toml_col(const struct toml_value *v);
/* The key this value is stored under, NULL for the root and for array
 * elements. Keys may contain NUL bytes, hence the length. */
const char *toml_key(const struct toml_value *v, size_t *len);
/* The parent table or array, NULL for the root. */
const struct toml_value *toml_parent(const struct toml_value *v);
/* Writes the full path of v, e.g. `threshold.peers[2].port` (keys that are
 * not bare are quoted), always NUL-terminated, cut if cap is too small. */
void toml_path(const struct toml_value *v, char *out, size_t cap);

/* Tables keep their keys in definition order. */
size_t toml_table_len(const struct toml_value *t);
const struct toml_value *toml_table_at(const struct toml_value *t, size_t i);
/* The value under key (NUL-terminated or with length), NULL if absent or if
 * t is not a table. */
const struct toml_value *toml_table_get(const struct toml_value *t, const char *key);
const struct toml_value *toml_table_getn(const struct toml_value *t, const char *key,
                                         size_t key_len);
/* Follows a dotted path of keys from t ("service.listen_port"); each part
 * is taken literally (no quoting). NULL when any part is missing. */
const struct toml_value *toml_lookup(const struct toml_value *t, const char *path);

size_t toml_array_len(const struct toml_value *a);
const struct toml_value *toml_array_at(const struct toml_value *a, size_t i);

/* Typed reads. On a type mismatch they fail with KMS_EINVAL and a message
 * naming the key path and its line, e.g.
 *   "service.listen_port (line 5, column 1): expected integer, found string".
 * toml_get_float also accepts an integer (converted). */
int toml_get_string(const struct toml_value *v, const char **s, size_t *len) KMS_MUST_CHECK;
int toml_get_int(const struct toml_value *v, int64_t *out) KMS_MUST_CHECK;
int toml_get_float(const struct toml_value *v, double *out) KMS_MUST_CHECK;
int toml_get_bool(const struct toml_value *v, int *out) KMS_MUST_CHECK;

/* Records "<path> (line L, column C): <message>" with kms_err and returns
 * code: for callers that reject a value on their own grounds. */
int toml_value_err(const struct toml_value *v, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
