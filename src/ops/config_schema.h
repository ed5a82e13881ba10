/* Internal to the configuration module: the table that describes every
 * section and key of struct config (name, type, range, where it lives).
 * Loading, environment overrides, freeing and dumping all walk this one
 * table, so a key added here is handled everywhere. Not for other modules. */
#ifndef CKMS_OPS_CONFIG_SCHEMA_H
#define CKMS_OPS_CONFIG_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

#include "ops/config.h"

enum config_kind {
    CK_STR,     /* char * (malloc'd), no NUL inside */
    CK_BOOL,    /* bool */
    CK_U16,     /* uint16_t */
    CK_U32,     /* uint32_t */
    CK_U64,     /* uint64_t */
    CK_I64,     /* int64_t, CONFIG_UNSET when absent */
    CK_F64,     /* double, NaN when absent; integers accepted */
    CK_ENUM,    /* int, index into choices */
    CK_SECTION, /* a sub-table, described by sub */
    CK_TABLES,  /* an array of tables: off -> element pointer, aux -> size_t count */
    CK_OPAQUE   /* accepted as is and ignored (or refused, with F_REFUSED) */
};

enum {
    F_REQUIRED = 1 << 0, /* must be given when its section is */
    F_SECRET = 1 << 1,   /* never printed */
    F_REFUSED = 1 << 2,  /* recognised, but ckms does not implement it */
    F_CHOICE = 1 << 3,   /* a section whose sub-sections are alternatives:
                            giving it replaces the default choice */
    F_SPARSE = 1 << 4    /* printed only when something in it is set */
};

#define CONFIG_NO_OFF ((size_t)-1)

struct config_section;

struct config_field {
    const char *name;
    uint8_t kind;
    uint8_t flags;
    size_t off; /* from the section's base */
    /* CK_SECTION / CK_OPAQUE: a bool set when present (or CONFIG_NO_OFF);
     * CK_TABLES: the size_t element count */
    size_t aux;
    int64_t lo, hi;                   /* integer range, inclusive */
    const struct config_section *sub; /* CK_SECTION, CK_TABLES */
    const char *const *choices;       /* CK_ENUM, NULL-terminated */
    const char *why;                  /* F_REFUSED: the message */
};

struct config_section {
    const struct config_field *fields;
    size_t n_fields;
    size_t elem_size; /* CK_TABLES elements */
};

/* The whole file; its base is struct config itself. */
extern const struct config_section config_schema_root;

#endif
