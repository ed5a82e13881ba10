/* JSON-lines writer (client_json.h). */
#include "client_json.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

void cjson_write_string(FILE *f, const char *s, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        default:
            if (c < 0x20 || c == 0x7f) {
                fputs("\\u00", f);
                fputc(digits[c >> 4], f);
                fputc(digits[c & 15], f);
            } else {
                fputc(c, f);
            }
        }
    }
    fputc('"', f);
}

/* The separator and key every member starts with. */
static void member(struct cjson *j, const char *key)
{
    if (!j->first[j->depth])
        fputc(',', j->f);
    j->first[j->depth] = 0;
    if (key != NULL) {
        cjson_write_string(j->f, key, strlen(key));
        fputc(':', j->f);
    }
}

static void open_level(struct cjson *j, const char *key, char c)
{
    member(j, key);
    fputc(c, j->f);
    if (j->depth + 1 < CJSON_MAX_DEPTH)
        j->depth++;
    j->first[j->depth] = 1;
}

static void close_level(struct cjson *j, char c)
{
    fputc(c, j->f);
    if (j->depth > 0)
        j->depth--;
}

void cjson_begin(struct cjson *j, FILE *f)
{
    memset(j, 0, sizeof *j);
    j->f = f;
    fputc('{', f);
    j->first[0] = 1;
}

void cjson_end(struct cjson *j)
{
    while (j->depth > 0)
        close_level(j, '}');
    fputs("}\n", j->f);
    fflush(j->f);
}

void cjson_strn(struct cjson *j, const char *key, const char *value, size_t n)
{
    member(j, key);
    cjson_write_string(j->f, value, n);
}

void cjson_str(struct cjson *j, const char *key, const char *value)
{
    if (value == NULL) {
        cjson_null(j, key);
        return;
    }
    cjson_strn(j, key, value, strlen(value));
}

void cjson_u64(struct cjson *j, const char *key, uint64_t value)
{
    member(j, key);
    fprintf(j->f, "%" PRIu64, value);
}

void cjson_i64(struct cjson *j, const char *key, int64_t value)
{
    member(j, key);
    fprintf(j->f, "%" PRId64, value);
}

void cjson_double(struct cjson *j, const char *key, double value)
{
    member(j, key);
    if (isfinite(value))
        fprintf(j->f, "%.6g", value);
    else
        fputs("null", j->f);
}

void cjson_bool(struct cjson *j, const char *key, int value)
{
    member(j, key);
    fputs(value ? "true" : "false", j->f);
}

void cjson_null(struct cjson *j, const char *key)
{
    member(j, key);
    fputs("null", j->f);
}

void cjson_hex(struct cjson *j, const char *key, const uint8_t *p, size_t n, int with_0x)
{
    static const char digits[] = "0123456789abcdef";
    member(j, key);
    fputs(with_0x ? "\"0x" : "\"", j->f);
    for (size_t i = 0; i < n; i++) {
        fputc(digits[p[i] >> 4], j->f);
        fputc(digits[p[i] & 15], j->f);
    }
    fputc('"', j->f);
}

void cjson_object_begin(struct cjson *j, const char *key) { open_level(j, key, '{'); }
void cjson_object_end(struct cjson *j) { close_level(j, '}'); }
void cjson_array_begin(struct cjson *j, const char *key) { open_level(j, key, '['); }
void cjson_array_end(struct cjson *j) { close_level(j, ']'); }
