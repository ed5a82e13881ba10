/* The TOML reader and the configuration loader on arbitrary input.
 *
 * Never a crash, leak or hang; every accepted document is re-written with
 * inline tables only and must parse back to the same tree (types, keys in
 * order, values; floats bit for bit); tighter limits never accept what the
 * defaults reject; and the configuration loader, fed the same bytes, either
 * loads a configuration that validates or fails with a message. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "ops/config.h"
#include "ops/toml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void put_str(struct buf *b, const char *s) { buf_put(b, s, strlen(s)); }

static void put_quoted(struct buf *b, const char *s, size_t n)
{
    buf_put_u8(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[8];
        if (c == '"' || c == '\\' || c < 0x20 || c == 0x7f) {
            snprintf(esc, sizeof esc, "\\u%04x", c);
            put_str(b, esc);
        } else {
            buf_put_u8(b, c);
        }
    }
    buf_put_u8(b, '"');
}

static void write_value(struct buf *b, const struct toml_value *v)
{
    char num[48];
    const char *s;
    size_t n;
    int64_t i;
    double d;
    int t;
    switch (toml_type(v)) {
    case TOML_TABLE:
        buf_put_u8(b, '{');
        for (size_t k = 0; k < toml_table_len(v); k++) {
            const struct toml_value *c = toml_table_at(v, k);
            const char *key = toml_key(c, &n);
            put_str(b, k ? ", " : "");
            put_quoted(b, key, n);
            put_str(b, " = ");
            write_value(b, c);
        }
        buf_put_u8(b, '}');
        return;
    case TOML_ARRAY:
        buf_put_u8(b, '[');
        for (size_t k = 0; k < toml_array_len(v); k++) {
            put_str(b, k ? ", " : "");
            write_value(b, toml_array_at(v, k));
        }
        buf_put_u8(b, ']');
        return;
    case TOML_STRING:
        if (toml_get_string(v, &s, &n) != 0)
            abort();
        put_quoted(b, s, n);
        return;
    case TOML_INTEGER:
        if (toml_get_int(v, &i) != 0)
            abort();
        snprintf(num, sizeof num, "%lld", (long long)i);
        put_str(b, num);
        return;
    case TOML_FLOAT:
        if (toml_get_float(v, &d) != 0)
            abort();
        if (isnan(d))
            snprintf(num, sizeof num, "nan");
        else if (isinf(d))
            snprintf(num, sizeof num, d < 0 ? "-inf" : "inf");
        else
            snprintf(num, sizeof num, "%.17e", d);
        put_str(b, num);
        return;
    case TOML_BOOL:
        if (toml_get_bool(v, &t) != 0)
            abort();
        put_str(b, t ? "true" : "false");
        return;
    }
    abort();
}

static void same_tree(const struct toml_value *a, const struct toml_value *b)
{
    if (toml_type(a) != toml_type(b))
        abort();
    const char *s1, *s2;
    size_t n1, n2;
    int64_t i1, i2;
    double d1, d2;
    int t1, t2;
    switch (toml_type(a)) {
    case TOML_TABLE:
        if (toml_table_len(a) != toml_table_len(b))
            abort();
        for (size_t k = 0; k < toml_table_len(a); k++) {
            const struct toml_value *x = toml_table_at(a, k), *y = toml_table_at(b, k);
            s1 = toml_key(x, &n1);
            s2 = toml_key(y, &n2);
            if (n1 != n2 || memcmp(s1, s2, n1) != 0 || toml_table_getn(a, s1, n1) != x)
                abort();
            same_tree(x, y);
        }
        return;
    case TOML_ARRAY:
        if (toml_array_len(a) != toml_array_len(b))
            abort();
        for (size_t k = 0; k < toml_array_len(a); k++)
            same_tree(toml_array_at(a, k), toml_array_at(b, k));
        return;
    case TOML_STRING:
        if (toml_get_string(a, &s1, &n1) || toml_get_string(b, &s2, &n2) || n1 != n2 ||
            memcmp(s1, s2, n1) != 0)
            abort();
        return;
    case TOML_INTEGER:
        if (toml_get_int(a, &i1) || toml_get_int(b, &i2) || i1 != i2)
            abort();
        return;
    case TOML_FLOAT:
        if (toml_get_float(a, &d1) || toml_get_float(b, &d2))
            abort();
        if (!(isnan(d1) && isnan(d2)) && memcmp(&d1, &d2, sizeof d1) != 0)
            abort();
        return;
    case TOML_BOOL:
        if (toml_get_bool(a, &t1) || toml_get_bool(b, &t2) || t1 != t2)
            abort();
        return;
    }
}

static void round_trip(const struct toml_value *root)
{
    struct buf b;
    buf_init(&b, BUF_UNLIMITED);
    for (size_t k = 0; k < toml_table_len(root); k++) {
        size_t n;
        const struct toml_value *c = toml_table_at(root, k);
        const char *key = toml_key(c, &n);
        put_quoted(&b, key, n);
        put_str(&b, " = ");
        write_value(&b, c);
        buf_put_u8(&b, '\n');
    }
    if (buf_status(&b) != 0)
        abort();
    struct toml_value *again;
    struct toml_limits lim = {.max_input = b.len + 1};
    if (toml_parse(&again, (const char *)b.data, b.len, &lim, NULL) != 0)
        abort();
    same_tree(root, again);
    toml_free(again);
    buf_free(&b);
}

static char *dump(const struct config *cfg, size_t *len)
{
    char *text = NULL;
    FILE *f = open_memstream(&text, len);
    if (f == NULL || config_dump(cfg, f) != 0)
        abort();
    fclose(f);
    return text;
}

/* The dump of a loaded configuration loads back and dumps the same. */
static void dump_round_trip(const struct config *cfg)
{
    static char *no_env[] = {NULL};
    size_t n1, n2;
    char *t1 = dump(cfg, &n1);
    struct config again;
    if (config_load_string(&again, t1, n1, "dump", no_env) != 0)
        abort();
    char *t2 = dump(&again, &n2);
    if (n1 != n2 || memcmp(t1, t2, n1) != 0)
        abort();
    config_free(&again);
    free(t1);
    free(t2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *doc = (const char *)data;
    struct toml_value *root;
    struct toml_error err;
    int rc = toml_parse(&root, doc, size, NULL, &err);
    if ((rc == 0) != (root != NULL) || (rc < 0 && err.msg[0] == '\0'))
        abort();
    if (rc == 0) {
        char path[64];
        toml_path(root, path, sizeof path);
        round_trip(root);
        toml_free(root);
    }
    struct toml_limits tight = {.max_string = 8, .max_depth = 3};
    int rc2 = toml_parse(&root, doc, size, &tight, NULL);
    if (rc2 == 0 && rc != 0)
        abort();
    toml_free(root);

    static char *no_env[] = {NULL};
    struct config cfg;
    rc = config_load_string(&cfg, doc, size, "fuzz", no_env);
    if (rc == 0) {
        if (config_validate(&cfg) != 0)
            abort();
        dump_round_trip(&cfg);
        config_free(&cfg);
    } else if (kms_err_msg()[0] == '\0') {
        abort();
    }
    return 0;
}
