/* Internal to the TOML reader: the parser state and the lexical layer
 * (toml_lex.c) used by the structural parser (toml.c). Not for other
 * modules. */
#ifndef CKMS_OPS_TOML_LEX_H
#define CKMS_OPS_TOML_LEX_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/buf.h"
#include "ops/toml.h"
#include "ops/toml_tree.h"

struct toml_kpart {
    size_t off, len; /* into keypath.bytes */
    unsigned line, col;
};

/* A dotted key as parsed: decoded parts with their positions. */
struct toml_keypath {
    struct buf bytes;
    struct toml_kpart *parts;
    size_t n, cap;
};

/* The document (CRLF already folded to LF) and where we are in it. */
struct toml_parser {
    const char *s;
    size_t n, i;
    struct toml_limits lim;
    struct toml_error *err;
    /* line/column of position lc_pos, advanced incrementally */
    size_t lc_pos;
    unsigned lc_line, lc_col;
    uint32_t section, next_section;
    struct toml_value *root, *cur;
};

static inline int toml_lex_is_bare(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

/* 1 when the byte at pos is c. */
static inline int toml_lex_at(const struct toml_parser *p, size_t pos, char c)
{
    return pos < p->n && p->s[pos] == c;
}

/* 1 when the text at pos starts with lit. */
static inline int toml_lex_starts(const struct toml_parser *p, size_t pos, const char *lit)
{
    size_t n = strlen(lit);
    return pos <= p->n && p->n - pos >= n && memcmp(p->s + pos, lit, n) == 0;
}

/* Spaces and tabs. */
static inline void toml_lex_skip_ws(struct toml_parser *p)
{
    while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t'))
        p->i++;
}

/* Line and column (1-based, columns in characters) of byte pos. Cheap when
 * positions are asked for in increasing order. */
void toml_lex_linecol(struct toml_parser *p, size_t pos, unsigned *line, unsigned *col);
/* Record a parse error at byte pos / at line:col and return code. */
int toml_lex_err(struct toml_parser *p, size_t pos, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int toml_lex_err_at(struct toml_parser *p, unsigned line, unsigned col, int code, const char *fmt,
                    ...) __attribute__((format(printf, 5, 6)));
/* "'x'", "end of line", "end of document"... for messages. */
const char *toml_lex_describe(const struct toml_parser *p, size_t pos, char *out, size_t cap);

/* A comment up to (not including) the newline, if one starts here. */
int toml_lex_skip_comment(struct toml_parser *p) KMS_MUST_CHECK;
/* Whitespace, newlines and comments, as allowed inside arrays. */
int toml_lex_skip_array_ws(struct toml_parser *p) KMS_MUST_CHECK;
/* Index of the first byte that is not valid UTF-8, or n. */
size_t toml_lex_utf8_check(const unsigned char *s, size_t n);

void toml_lex_keypath_init(struct toml_keypath *k);
void toml_lex_keypath_free(struct toml_keypath *k);
/* Part i of k, NUL-terminated (may also contain NUL; see parts[i].len). */
const char *toml_lex_kp_str(const struct toml_keypath *k, size_t i);
/* The first `upto` parts joined with dots, quoted where needed. */
const char *toml_lex_kp_text(const struct toml_keypath *k, size_t upto, char *out, size_t cap);
/* A possibly dotted key, and the spaces after it. */
int toml_lex_key(struct toml_parser *p, struct toml_keypath *k) KMS_MUST_CHECK;

/* A fresh node; tables and arrays deeper than the limit are refused. */
int toml_lex_new_node(struct toml_parser *p, struct toml_value **out, enum toml_type type,
                      unsigned depth, unsigned line, unsigned col) KMS_MUST_CHECK;
/* A string value of any of the four kinds; p->i is at its first quote. */
int toml_lex_string(struct toml_parser *p, struct toml_value **out, unsigned depth, unsigned line,
                    unsigned col) KMS_MUST_CHECK;
/* A boolean, integer or float (dates and times: KMS_EUNIMPL). */
int toml_lex_scalar(struct toml_parser *p, struct toml_value **out, unsigned depth, unsigned line,
                    unsigned col) KMS_MUST_CHECK;

#endif
