/* JSON-lines output of kms-client: one object per line on a FILE, written
 * member by member. Strings are escaped as RFC 8259 requires; byte strings
 * go out as lower-case hex without a prefix (request ids, digests) or with
 * "0x" (handles, signatures), as the caller chooses.
 *
 *   struct cjson j;
 *   cjson_begin(&j, stdout);
 *   cjson_str(&j, "request_id", id);
 *   cjson_array_begin(&j, "plaintexts");
 *     cjson_object_begin(&j, NULL); cjson_str(&j, "value", "42"); cjson_object_end(&j);
 *   cjson_array_end(&j);
 *   cjson_end(&j);          // closes the object, writes '\n', flushes
 *
 * Nesting is bounded (CJSON_MAX_DEPTH); members of an array pass key NULL. */
#ifndef CKMS_KMS_CLIENT_JSON_H
#define CKMS_KMS_CLIENT_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CJSON_MAX_DEPTH 8

struct cjson {
    FILE *f;
    int depth;
    int first[CJSON_MAX_DEPTH]; /* 1 until the level has a member */
};

void cjson_begin(struct cjson *j, FILE *f);
void cjson_end(struct cjson *j);

void cjson_str(struct cjson *j, const char *key, const char *value);
/* value[0..n), which need not be NUL-terminated. */
void cjson_strn(struct cjson *j, const char *key, const char *value, size_t n);
void cjson_u64(struct cjson *j, const char *key, uint64_t value);
void cjson_i64(struct cjson *j, const char *key, int64_t value);
void cjson_double(struct cjson *j, const char *key, double value);
void cjson_bool(struct cjson *j, const char *key, int value);
void cjson_null(struct cjson *j, const char *key);
/* Bytes as hex; prefix "0x" when with_0x. */
void cjson_hex(struct cjson *j, const char *key, const uint8_t *p, size_t n, int with_0x);

void cjson_object_begin(struct cjson *j, const char *key);
void cjson_object_end(struct cjson *j);
void cjson_array_begin(struct cjson *j, const char *key);
void cjson_array_end(struct cjson *j);

/* Writes s as a JSON string literal (quotes included). */
void cjson_write_string(FILE *f, const char *s, size_t n);

#endif
