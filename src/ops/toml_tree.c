/* The TOML value tree: allocation, key index, accessors and typed reads. */
#include "ops/toml_tree.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/secmem.h"

/* Tables this small are searched linearly; larger ones get a hash index so
 * that a document with many keys stays linear to parse. */
#define INDEX_FROM 8

struct toml_value *toml_tree_new(enum toml_type type, unsigned line, unsigned col)
{
    struct toml_value *v = calloc(1, sizeof *v);
    if (v == NULL)
        return NULL;
    v->type = type;
    v->line = line;
    v->col = col;
    return v;
}

void toml_tree_free(struct toml_value *v)
{
    if (v == NULL)
        return;
    if (v->type == TOML_TABLE || v->type == TOML_ARRAY) {
        /* depth is bounded by TOML_MAX_DEPTH_CAP, so recursion is too */
        for (size_t i = 0; i < v->u.c.n; i++)
            toml_tree_free(v->u.c.items[i]);
        free(v->u.c.items);
        free(v->u.c.slots);
    } else if (v->type == TOML_STRING) {
        /* configuration strings may be secrets (PEM private keys) */
        secmem_wipe(v->u.str.p, v->u.str.len);
        free(v->u.str.p);
    }
    free(v->key);
    free(v);
}

static uint64_t key_hash(const char *k, size_t n)
{
    uint64_t h = 0xcbf29ce484222325u; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        h ^= (uint8_t)k[i];
        h *= 0x100000001b3u;
    }
    return h;
}

static void slot_insert(uint32_t *slots, size_t nslots, const struct toml_value *child,
                        uint32_t idx)
{
    size_t mask = nslots - 1;
    size_t s = (size_t)key_hash(child->key, child->key_len) & mask;
    while (slots[s] != 0)
        s = (s + 1) & mask;
    slots[s] = idx + 1;
}

/* Keeps the index at most half full, rebuilding it on growth. */
static int index_update(struct toml_value *t)
{
    size_t n = t->u.c.n;
    if (n < INDEX_FROM)
        return 0;
    if (t->u.c.slots != NULL && 2 * n <= t->u.c.nslots) {
        slot_insert(t->u.c.slots, t->u.c.nslots, t->u.c.items[n - 1], (uint32_t)(n - 1));
        return 0;
    }
    size_t nslots = 4 * INDEX_FROM;
    while (nslots < 4 * n)
        nslots *= 2;
    uint32_t *slots = calloc(nslots, sizeof *slots);
    if (slots == NULL)
        return kms_err(KMS_ENOMEM, "out of memory indexing a TOML table");
    for (size_t i = 0; i < n; i++)
        slot_insert(slots, nslots, t->u.c.items[i], (uint32_t)i);
    free(t->u.c.slots);
    t->u.c.slots = slots;
    t->u.c.nslots = nslots;
    return 0;
}

static int push_child(struct toml_value *c, struct toml_value *child)
{
    if (c->u.c.n == c->u.c.cap) {
        if (c->u.c.cap >= UINT32_MAX / 4)
            return kms_err(KMS_ELIMIT, "too many TOML entries in one table or array");
        size_t cap = c->u.c.cap ? 2 * c->u.c.cap : 4;
        struct toml_value **items = realloc(c->u.c.items, cap * sizeof *items);
        if (items == NULL)
            return kms_err(KMS_ENOMEM, "out of memory growing a TOML container");
        c->u.c.items = items;
        c->u.c.cap = cap;
    }
    child->parent = c;
    child->index = c->u.c.n;
    c->u.c.items[c->u.c.n++] = child;
    return 0;
}

int toml_tree_table_add(struct toml_value *t, struct toml_value *child, const char *key,
                        size_t key_len)
{
    char *k = malloc(key_len + 1);
    if (k == NULL)
        return kms_err(KMS_ENOMEM, "out of memory copying a TOML key");
    memcpy(k, key, key_len);
    k[key_len] = '\0';
    free(child->key);
    child->key = k;
    child->key_len = key_len;
    KMS_TRY(push_child(t, child));
    int rc = index_update(t);
    if (rc < 0) {
        t->u.c.n--; /* leave the table as it was; the caller still owns child */
        child->parent = NULL;
    }
    return rc;
}

int toml_tree_array_push(struct toml_value *a, struct toml_value *child)
{
    return push_child(a, child);
}

static int key_equal(const struct toml_value *v, const char *key, size_t key_len)
{
    return v->key_len == key_len && memcmp(v->key, key, key_len) == 0;
}

struct toml_value *toml_tree_find(const struct toml_value *t, const char *key, size_t key_len)
{
    if (t == NULL || t->type != TOML_TABLE)
        return NULL;
    if (t->u.c.slots == NULL) {
        for (size_t i = 0; i < t->u.c.n; i++)
            if (key_equal(t->u.c.items[i], key, key_len))
                return t->u.c.items[i];
        return NULL;
    }
    size_t mask = t->u.c.nslots - 1;
    for (size_t s = (size_t)key_hash(key, key_len) & mask; t->u.c.slots[s] != 0;
         s = (s + 1) & mask) {
        struct toml_value *c = t->u.c.items[t->u.c.slots[s] - 1];
        if (key_equal(c, key, key_len))
            return c;
    }
    return NULL;
}

/* --- Public accessors ------------------------------------------------ */

void toml_free(struct toml_value *root) { toml_tree_free(root); }

enum toml_type toml_type(const struct toml_value *v) { return v->type; }

const char *toml_type_name(enum toml_type t)
{
    switch (t) {
    case TOML_TABLE: return "table";
    case TOML_ARRAY: return "array";
    case TOML_STRING: return "string";
    case TOML_INTEGER: return "integer";
    case TOML_FLOAT: return "float";
    case TOML_BOOL: return "boolean";
    }
    return "unknown";
}

unsigned toml_line(const struct toml_value *v) { return v->line; }
unsigned toml_col(const struct toml_value *v) { return v->col; }
const struct toml_value *toml_parent(const struct toml_value *v) { return v->parent; }

const char *toml_key(const struct toml_value *v, size_t *len)
{
    if (len != NULL)
        *len = v->key_len;
    return v->key;
}

size_t toml_table_len(const struct toml_value *t)
{
    return t != NULL && t->type == TOML_TABLE ? t->u.c.n : 0;
}

const struct toml_value *toml_table_at(const struct toml_value *t, size_t i)
{
    return t != NULL && t->type == TOML_TABLE && i < t->u.c.n ? t->u.c.items[i] : NULL;
}

const struct toml_value *toml_table_getn(const struct toml_value *t, const char *key,
                                         size_t key_len)
{
    return toml_tree_find(t, key, key_len);
}

const struct toml_value *toml_table_get(const struct toml_value *t, const char *key)
{
    return toml_tree_find(t, key, strlen(key));
}

const struct toml_value *toml_lookup(const struct toml_value *t, const char *path)
{
    const char *p = path;
    for (;;) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        t = toml_tree_find(t, p, n);
        if (t == NULL || dot == NULL)
            return t;
        p = dot + 1;
    }
}

size_t toml_array_len(const struct toml_value *a)
{
    return a != NULL && a->type == TOML_ARRAY ? a->u.c.n : 0;
}

const struct toml_value *toml_array_at(const struct toml_value *a, size_t i)
{
    return a != NULL && a->type == TOML_ARRAY && i < a->u.c.n ? a->u.c.items[i] : NULL;
}

/* --- Paths and errors ------------------------------------------------ */

struct sink {
    char *out;
    size_t cap, len;
};

static void sink_put(struct sink *s, const char *p, size_t n)
{
    for (size_t i = 0; i < n && s->len + 1 < s->cap; i++)
        s->out[s->len++] = p[i];
    s->out[s->len] = '\0';
}

static int is_bare_key(const char *k, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = k[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

static void put_key(struct sink *s, const struct toml_value *v)
{
    if (is_bare_key(v->key, v->key_len)) {
        sink_put(s, v->key, v->key_len);
        return;
    }
    sink_put(s, "\"", 1);
    for (size_t i = 0; i < v->key_len; i++) {
        unsigned char c = (unsigned char)v->key[i];
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            sink_put(s, esc, 2);
        } else if (c < 0x20 || c == 0x7f) {
            snprintf(esc, sizeof esc, "\\u%04x", c);
            sink_put(s, esc, 6);
        } else {
            sink_put(s, (const char *)&c, 1);
        }
    }
    sink_put(s, "\"", 1);
}

static void put_path(struct sink *s, const struct toml_value *v)
{
    if (v->parent == NULL)
        return;
    put_path(s, v->parent);
    if (v->parent->type == TOML_ARRAY) {
        char idx[32];
        int n = snprintf(idx, sizeof idx, "[%zu]", v->index);
        sink_put(s, idx, (size_t)n);
        return;
    }
    if (v->parent->parent != NULL)
        sink_put(s, ".", 1);
    put_key(s, v);
}

void toml_tree_key_text(char *out, size_t cap, const char *key, size_t key_len)
{
    if (cap == 0)
        return;
    size_t len = strnlen(out, cap - 1);
    struct sink s = {out, cap, len};
    struct toml_value tmp = {.key = (char *)key, .key_len = key_len};
    put_key(&s, &tmp);
}

void toml_path(const struct toml_value *v, char *out, size_t cap)
{
    if (cap == 0)
        return;
    struct sink s = {out, cap, 0};
    out[0] = '\0';
    if (v->parent == NULL)
        sink_put(&s, "(root)", 6);
    else
        put_path(&s, v);
}

int toml_value_err(const struct toml_value *v, int code, const char *fmt, ...)
{
    char path[160], why[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    toml_path(v, path, sizeof path);
    return kms_err(code, "%s (line %u, column %u): %s", path, v->line, v->col, why);
}

static int want(const struct toml_value *v, enum toml_type t)
{
    if (v == NULL)
        return kms_err(KMS_EINVAL, "missing TOML value");
    if (v->type == t)
        return 0;
    return toml_value_err(v, KMS_EINVAL, "expected %s, found %s", toml_type_name(t),
                          toml_type_name(v->type));
}

int toml_get_string(const struct toml_value *v, const char **s, size_t *len)
{
    KMS_TRY(want(v, TOML_STRING));
    *s = v->u.str.p;
    if (len != NULL)
        *len = v->u.str.len;
    return 0;
}

int toml_get_int(const struct toml_value *v, int64_t *out)
{
    KMS_TRY(want(v, TOML_INTEGER));
    *out = v->u.i;
    return 0;
}

int toml_get_float(const struct toml_value *v, double *out)
{
    if (v != NULL && v->type == TOML_INTEGER) {
        *out = (double)v->u.i;
        return 0;
    }
    KMS_TRY(want(v, TOML_FLOAT));
    *out = v->u.f;
    return 0;
}

int toml_get_bool(const struct toml_value *v, int *out)
{
    KMS_TRY(want(v, TOML_BOOL));
    *out = v->u.b;
    return 0;
}
