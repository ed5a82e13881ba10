/* Internal to the TOML reader: the value tree shared by the parser
 * (toml.c) and the accessors (toml_tree.c). Not for other modules. */
#ifndef CKMS_OPS_TOML_TREE_H
#define CKMS_OPS_TOML_TREE_H

#include <stddef.h>
#include <stdint.h>

#include "ops/toml.h"

/* How a table or array came to exist; these decide what may extend it. */
enum {
    TV_IMPLICIT = 1 << 0, /* created on the way to a [a.b] header's last key */
    TV_HEADER = 1 << 1,   /* named by a [header] (or an [[header]] element) */
    TV_DOTTED = 1 << 2,   /* created or extended by dotted keys in `section` */
    TV_FROZEN = 1 << 3,   /* inline table or literal array: closed for good */
    TV_AOT = 1 << 4       /* array of tables, grows by [[header]] */
};

struct toml_value {
    enum toml_type type;
    uint8_t flags;
    uint16_t depth;   /* 0 for the root */
    uint32_t section; /* with TV_DOTTED: the section that owns it */
    unsigned line, col;
    struct toml_value *parent;
    char *key; /* NUL-terminated copy; NULL for root and elements */
    size_t key_len;
    size_t index; /* position in the parent's children */
    union {
        struct {
            char *p; /* NUL-terminated; may also contain NUL */
            size_t len;
        } str;
        int64_t i;
        double f;
        int b;
        struct {
            struct toml_value **items;
            size_t n, cap;
            uint32_t *slots; /* tables: hash index (child index + 1), or NULL */
            size_t nslots;   /* power of two */
        } c;
    } u;
};

struct toml_value *toml_tree_new(enum toml_type type, unsigned line, unsigned col);
void toml_tree_free(struct toml_value *v);
/* Gives child the key (copied) and appends it to table t. The key must not
 * be present yet. */
int toml_tree_table_add(struct toml_value *t, struct toml_value *child, const char *key,
                        size_t key_len) KMS_MUST_CHECK;
int toml_tree_array_push(struct toml_value *a, struct toml_value *child) KMS_MUST_CHECK;
struct toml_value *toml_tree_find(const struct toml_value *t, const char *key, size_t key_len);
/* Appends key to the NUL-terminated text in out (cap bytes in all), bare
 * when it can be, else quoted with escapes; cuts when out is full. */
void toml_tree_key_text(char *out, size_t cap, const char *key, size_t key_len);

#endif
