/* Interop oracle for the TOML reader (driven by tests/ops/toml_oracle.py,
 * which compares with Python's tomllib).
 *   parse <document hex>  -> hex of the document as JSON in the tagged form
 *                            of toml-test: tables are objects, arrays are
 *                            lists, scalars are {"type": t, "value": text}
 *                            with integers in decimal and floats in C99 hex
 *                            ("%a"), so nothing is lost in JSON.
 * A rejected document answers "err <error name> <message>". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops/toml.h"
#include "oracle_io.h"

static void put_str(struct buf *b, const char *s) { buf_put(b, s, strlen(s)); }

static void put_json_string(struct buf *b, const char *s, size_t n)
{
    buf_put_u8(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            buf_put_u8(b, '\\');
            buf_put_u8(b, c);
        } else if (c < 0x20 || c == 0x7f) {
            char esc[8];
            snprintf(esc, sizeof esc, "\\u%04x", c);
            put_str(b, esc);
        } else {
            buf_put_u8(b, c); /* UTF-8 passes through */
        }
    }
    buf_put_u8(b, '"');
}

static void put_tagged(struct buf *b, const char *type, const char *text)
{
    put_str(b, "{\"type\":\"");
    put_str(b, type);
    put_str(b, "\",\"value\":");
    put_json_string(b, text, strlen(text));
    buf_put_u8(b, '}');
}

static int dump(struct buf *b, const struct toml_value *v)
{
    char num[64];
    switch (toml_type(v)) {
    case TOML_TABLE:
        buf_put_u8(b, '{');
        for (size_t i = 0; i < toml_table_len(v); i++) {
            const struct toml_value *c = toml_table_at(v, i);
            size_t klen;
            const char *k = toml_key(c, &klen);
            if (i > 0)
                buf_put_u8(b, ',');
            put_json_string(b, k, klen);
            buf_put_u8(b, ':');
            KMS_TRY(dump(b, c));
        }
        buf_put_u8(b, '}');
        return 0;
    case TOML_ARRAY:
        buf_put_u8(b, '[');
        for (size_t i = 0; i < toml_array_len(v); i++) {
            if (i > 0)
                buf_put_u8(b, ',');
            KMS_TRY(dump(b, toml_array_at(v, i)));
        }
        buf_put_u8(b, ']');
        return 0;
    case TOML_STRING: {
        const char *s;
        size_t n;
        KMS_TRY(toml_get_string(v, &s, &n));
        put_str(b, "{\"type\":\"string\",\"value\":");
        put_json_string(b, s, n);
        buf_put_u8(b, '}');
        return 0;
    }
    case TOML_INTEGER: {
        int64_t i;
        KMS_TRY(toml_get_int(v, &i));
        snprintf(num, sizeof num, "%lld", (long long)i);
        put_tagged(b, "integer", num);
        return 0;
    }
    case TOML_FLOAT: {
        double f;
        KMS_TRY(toml_get_float(v, &f));
        snprintf(num, sizeof num, "%a", f);
        put_tagged(b, "float", num);
        return 0;
    }
    case TOML_BOOL: {
        int t;
        KMS_TRY(toml_get_bool(v, &t));
        put_tagged(b, "bool", t ? "true" : "false");
        return 0;
    }
    }
    return kms_err(KMS_EINTERNAL, "unknown TOML type");
}

static int run_parse(struct buf *out, int argc, char **argv)
{
    (void)argc;
    uint8_t *doc;
    size_t len;
    KMS_TRY(oracle_hex_arg(argv[0], &doc, &len));
    struct toml_value *root;
    struct toml_error err;
    int rc = toml_parse(&root, (const char *)doc, len, NULL, &err);
    free(doc);
    if (rc < 0)
        return rc;
    struct buf json;
    buf_init(&json, BUF_UNLIMITED);
    rc = dump(&json, root);
    if (rc == 0)
        rc = buf_status(&json);
    if (rc == 0)
        oracle_put_hex(out, json.data, json.len);
    buf_free(&json);
    toml_free(root);
    return rc;
}

int main(void)
{
    static const struct oracle_cmd cmds[] = {{"parse", 1, run_parse}};
    return oracle_main(cmds, sizeof cmds / sizeof cmds[0]);
}
