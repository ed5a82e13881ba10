/* TOML lexical layer: positions and error messages, comments, UTF-8,
 * strings, keys and scalar values. The document structure (arrays, tables,
 * statements) is in toml.c. */
#include "ops/toml_lex.h"

#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- Positions and errors -------------------------------------------- */

void toml_lex_linecol(struct toml_parser *p, size_t pos, unsigned *line, unsigned *col)
{
    if (pos > p->n)
        pos = p->n;
    if (pos < p->lc_pos) { /* only on error paths; rescan from the start */
        p->lc_pos = 0;
        p->lc_line = 1;
        p->lc_col = 1;
    }
    for (size_t j = p->lc_pos; j < pos; j++) {
        unsigned char c = (unsigned char)p->s[j];
        if (c == '\n') {
            p->lc_line++;
            p->lc_col = 1;
        } else if ((c & 0xC0) != 0x80) { /* count characters, not bytes */
            p->lc_col++;
        }
    }
    p->lc_pos = pos;
    *line = p->lc_line;
    *col = p->lc_col;
}

__attribute__((format(printf, 5, 0))) static int
verr_at(struct toml_parser *p, unsigned line, unsigned col, int code, const char *fmt, va_list ap)
{
    char why[sizeof p->err->msg];
    vsnprintf(why, sizeof why, fmt, ap);
    if (p->err != NULL) {
        p->err->line = line;
        p->err->col = col;
        memcpy(p->err->msg, why, sizeof why);
    }
    return kms_err(code, "line %u, column %u: %s", line, col, why);
}

int toml_lex_err_at(struct toml_parser *p, unsigned line, unsigned col, int code, const char *fmt,
                    ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = verr_at(p, line, col, code, fmt, ap);
    va_end(ap);
    return rc;
}

int toml_lex_err(struct toml_parser *p, size_t pos, int code, const char *fmt, ...)
{
    unsigned line, col;
    toml_lex_linecol(p, pos, &line, &col);
    va_list ap;
    va_start(ap, fmt);
    int rc = verr_at(p, line, col, code, fmt, ap);
    va_end(ap);
    return rc;
}

/* "'x'", "end of line", "end of document" or "byte 0xNN" for messages. */
const char *toml_lex_describe(const struct toml_parser *p, size_t pos, char *out, size_t cap)
{
    if (pos >= p->n)
        return "end of document";
    unsigned char c = (unsigned char)p->s[pos];
    if (c == '\n')
        return "end of line";
    if (c >= 0x20 && c < 0x7f)
        snprintf(out, cap, "'%c'", c);
    else if (c >= 0x80)
        snprintf(out, cap, "a non-ASCII character");
    else
        snprintf(out, cap, "control character 0x%02x", c);
    return out;
}

/* --- Characters ------------------------------------------------------ */

static int is_ctrl(unsigned char c) { return c < 0x20 || c == 0x7f; }

static int is_digit_base(unsigned char c, int base)
{
    switch (base) {
    case 2: return c == '0' || c == '1';
    case 8: return c >= '0' && c <= '7';
    case 10: return c >= '0' && c <= '9';
    default: return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
}

static int digit_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    return (c | 0x20) - 'a' + 10;
}

int toml_lex_skip_comment(struct toml_parser *p)
{
    if (!toml_lex_at(p, p->i, '#'))
        return 0;
    for (p->i++; p->i < p->n && p->s[p->i] != '\n'; p->i++) {
        unsigned char c = (unsigned char)p->s[p->i];
        if (is_ctrl(c) && c != '\t')
            return toml_lex_err(p, p->i, KMS_EINVAL, "control character 0x%02x in a comment", c);
    }
    return 0;
}

/* Whitespace, newlines and comments, as allowed between array elements. */
int toml_lex_skip_array_ws(struct toml_parser *p)
{
    for (;;) {
        while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n'))
            p->i++;
        if (!toml_lex_at(p, p->i, '#'))
            return 0;
        KMS_TRY(toml_lex_skip_comment(p));
    }
}

/* Index of the first byte that is not valid UTF-8 (overlong forms,
 * surrogates and code points above U+10FFFF are invalid), or n. */
size_t toml_lex_utf8_check(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0)
                lo = 0xA0;
            if (c == 0xED)
                hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0)
                lo = 0x90;
            if (c == 0xF4)
                hi = 0x8F;
        } else {
            return i;
        }
        if (n - i < len || s[i + 1] < lo || s[i + 1] > hi)
            return i;
        for (size_t k = 2; k < len; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
        i += len;
    }
    return n;
}

/* --- Strings --------------------------------------------------------- */

static void put_utf8(struct buf *b, uint32_t cp)
{
    if (cp < 0x80) {
        buf_put_u8(b, (uint8_t)cp);
    } else if (cp < 0x800) {
        buf_put_u8(b, (uint8_t)(0xC0 | (cp >> 6)));
        buf_put_u8(b, (uint8_t)(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        buf_put_u8(b, (uint8_t)(0xE0 | (cp >> 12)));
        buf_put_u8(b, (uint8_t)(0x80 | ((cp >> 6) & 0x3F)));
        buf_put_u8(b, (uint8_t)(0x80 | (cp & 0x3F)));
    } else {
        buf_put_u8(b, (uint8_t)(0xF0 | (cp >> 18)));
        buf_put_u8(b, (uint8_t)(0x80 | ((cp >> 12) & 0x3F)));
        buf_put_u8(b, (uint8_t)(0x80 | ((cp >> 6) & 0x3F)));
        buf_put_u8(b, (uint8_t)(0x80 | (cp & 0x3F)));
    }
}

static int parse_unicode_escape(struct toml_parser *p, struct buf *b, size_t esc, unsigned ndigits)
{
    uint32_t cp = 0;
    for (unsigned k = 0; k < ndigits; k++) {
        if (p->i >= p->n || !is_digit_base((unsigned char)p->s[p->i], 16))
            return toml_lex_err(p, esc, KMS_EINVAL, "\\%c escape needs %u hex digits",
                                ndigits == 4 ? 'u' : 'U', ndigits);
        cp = cp << 4 | (uint32_t)digit_value((unsigned char)p->s[p->i++]);
    }
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return toml_lex_err(p, esc, KMS_EINVAL, "escape U+%04X is not a Unicode scalar value", cp);
    put_utf8(b, cp);
    return 0;
}

/* At a backslash inside a basic string. */
static int parse_escape(struct toml_parser *p, struct buf *b, int multiline)
{
    size_t esc = p->i;
    if (esc + 1 >= p->n)
        return toml_lex_err(p, esc, KMS_EINVAL, "unterminated string");
    char e = p->s[esc + 1];
    p->i += 2;
    if (multiline && (e == ' ' || e == '\t' || e == '\n')) {
        /* line-ending backslash: drop all whitespace up to the next text */
        if (e != '\n') {
            toml_lex_skip_ws(p);
            if (p->i >= p->n)
                return 0; /* the caller reports the unterminated string */
            if (p->s[p->i] != '\n')
                return toml_lex_err(p, esc, KMS_EINVAL,
                                    "a backslash followed by spaces must end the line");
            p->i++;
        }
        while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n'))
            p->i++;
        return 0;
    }
    switch (e) {
    case 'b': buf_put_u8(b, '\b'); return 0;
    case 't': buf_put_u8(b, '\t'); return 0;
    case 'n': buf_put_u8(b, '\n'); return 0;
    case 'f': buf_put_u8(b, '\f'); return 0;
    case 'r': buf_put_u8(b, '\r'); return 0;
    case '"': buf_put_u8(b, '"'); return 0;
    case '\\': buf_put_u8(b, '\\'); return 0;
    case 'u': return parse_unicode_escape(p, b, esc, 4);
    case 'U': return parse_unicode_escape(p, b, esc, 8);
    default: {
        char what[40];
        return toml_lex_err(p, esc, KMS_EINVAL, "invalid escape: backslash followed by %s",
                            toml_lex_describe(p, esc + 1, what, sizeof what));
    }
    }
}

/* One quote closes; in a multi-line string three do, and up to two more
 * right after them belong to the content. */
static int string_end(struct toml_parser *p, struct buf *b, char q, int multiline)
{
    if (!multiline) {
        p->i++;
        return 1;
    }
    const char *three = q == '"' ? "\"\"\"" : "'''";
    if (!toml_lex_starts(p, p->i, three))
        return 0;
    p->i += 3;
    for (int k = 0; k < 2 && toml_lex_at(p, p->i, q); k++, p->i++)
        buf_put_u8(b, (uint8_t)q);
    return 1;
}

/* A basic ("...") or literal ('...') string, single- or multi-line,
 * decoded into b. p->i is at the opening quote. */
static int parse_string_into(struct toml_parser *p, struct buf *b, int multiline)
{
    size_t start = p->i;
    char q = p->s[start];
    p->i += multiline ? 3 : 1;
    if (multiline && toml_lex_at(p, p->i, '\n'))
        p->i++; /* a newline right after the opening quotes is trimmed */
    for (;;) {
        if (p->i >= p->n)
            return toml_lex_err(p, start, KMS_EINVAL, "unterminated string");
        unsigned char c = (unsigned char)p->s[p->i];
        if (c == (unsigned char)q) {
            if (string_end(p, b, q, multiline))
                break;
        } else if (c == '\\' && q == '"') {
            KMS_TRY(parse_escape(p, b, multiline));
            continue;
        } else if (is_ctrl(c) && c != '\t' && !(multiline && c == '\n')) {
            if (c == '\n')
                return toml_lex_err(p, p->i, KMS_EINVAL,
                                    "newline in a single-line string (use \"\"\" for multi-line)");
            return toml_lex_err(p, p->i, KMS_EINVAL, "control character 0x%02x in a string", c);
        }
        buf_put_u8(b, c);
        p->i++;
    }
    int rc = buf_status(b);
    if (rc == KMS_ELIMIT)
        return toml_lex_err(p, start, KMS_ELIMIT, "string longer than %zu bytes",
                            p->lim.max_string);
    return rc;
}

/* --- Keys ------------------------------------------------------------ */

void toml_lex_keypath_init(struct toml_keypath *k)
{
    memset(k, 0, sizeof *k);
    buf_init(&k->bytes, BUF_UNLIMITED);
}

void toml_lex_keypath_free(struct toml_keypath *k)
{
    buf_free(&k->bytes);
    free(k->parts);
}

const char *toml_lex_kp_str(const struct toml_keypath *k, size_t i)
{
    return (const char *)k->bytes.data + k->parts[i].off;
}

/* The first `upto` parts joined with dots, for messages. */
const char *toml_lex_kp_text(const struct toml_keypath *k, size_t upto, char *out, size_t cap)
{
    out[0] = '\0';
    for (size_t i = 0; i < upto; i++) {
        size_t len = strlen(out);
        if (i > 0 && len + 1 < cap) {
            out[len] = '.';
            out[len + 1] = '\0';
        }
        toml_tree_key_text(out, cap, toml_lex_kp_str(k, i), k->parts[i].len);
    }
    return out;
}

static int parse_key_part(struct toml_parser *p, struct toml_keypath *k)
{
    if (k->n == p->lim.max_depth)
        return toml_lex_err(p, p->i, KMS_ELIMIT, "key has more than %u parts", p->lim.max_depth);
    if (k->n == k->cap) {
        size_t cap = k->cap ? 2 * k->cap : 4;
        struct toml_kpart *parts = realloc(k->parts, cap * sizeof *parts);
        if (parts == NULL)
            return kms_err(KMS_ENOMEM, "out of memory parsing a key");
        k->parts = parts;
        k->cap = cap;
    }
    struct toml_kpart *part = &k->parts[k->n];
    toml_lex_linecol(p, p->i, &part->line, &part->col);
    part->off = k->bytes.len;
    unsigned char c = p->i < p->n ? (unsigned char)p->s[p->i] : 0;
    if (p->i < p->n && toml_lex_is_bare(c)) {
        size_t s = p->i;
        while (p->i < p->n && toml_lex_is_bare((unsigned char)p->s[p->i]))
            p->i++;
        buf_put(&k->bytes, p->s + s, p->i - s);
    } else if (p->i < p->n && (c == '"' || c == '\'')) {
        size_t s = p->i;
        KMS_TRY(parse_string_into(p, &k->bytes, 0));
        if (k->bytes.len - part->off > p->lim.max_string)
            return toml_lex_err(p, s, KMS_ELIMIT, "key longer than %zu bytes", p->lim.max_string);
    } else {
        char what[40];
        return toml_lex_err(p, p->i, KMS_EINVAL, "expected a key, found %s",
                            toml_lex_describe(p, p->i, what, sizeof what));
    }
    buf_put_u8(&k->bytes, 0); /* NUL-terminate each part for messages */
    KMS_TRY(buf_status(&k->bytes));
    part->len = k->bytes.len - 1 - part->off;
    k->n++;
    return 0;
}

/* key ( ws '.' ws key )* ws */
int toml_lex_key(struct toml_parser *p, struct toml_keypath *k)
{
    for (;;) {
        KMS_TRY(parse_key_part(p, k));
        toml_lex_skip_ws(p);
        if (!toml_lex_at(p, p->i, '.'))
            return 0;
        p->i++;
        toml_lex_skip_ws(p);
    }
}

int toml_lex_new_node(struct toml_parser *p, struct toml_value **out, enum toml_type type,
                      unsigned depth, unsigned line, unsigned col)
{
    if ((type == TOML_TABLE || type == TOML_ARRAY) && depth > p->lim.max_depth)
        return toml_lex_err_at(p, line, col, KMS_ELIMIT, "nesting deeper than %u levels",
                               p->lim.max_depth);
    *out = toml_tree_new(type, line, col);
    if (*out == NULL)
        return kms_err(KMS_ENOMEM, "out of memory building the TOML tree");
    (*out)->depth = (uint16_t)depth;
    return 0;
}

int toml_lex_string(struct toml_parser *p, struct toml_value **out, unsigned depth, unsigned line,
                    unsigned col)
{
    char q = p->s[p->i];
    int multiline = toml_lex_starts(p, p->i, q == '"' ? "\"\"\"" : "'''");
    struct buf b;
    buf_init_secret(&b, p->lim.max_string); /* strings may be secrets */
    int rc = parse_string_into(p, &b, multiline);
    char *str = NULL;
    if (rc == 0 && (str = malloc(b.len + 1)) == NULL)
        rc = kms_err(KMS_ENOMEM, "out of memory copying a string");
    if (rc == 0)
        rc = toml_lex_new_node(p, out, TOML_STRING, depth, line, col);
    if (rc < 0) {
        free(str);
        buf_free(&b);
        return rc;
    }
    if (b.len > 0)
        memcpy(str, b.data, b.len);
    str[b.len] = '\0';
    (*out)->u.str.p = str;
    (*out)->u.str.len = b.len;
    buf_free(&b);
    return 0;
}

/* d ( '_'? d )*: the end of the digit run starting at pos (pos if none). */
static size_t scan_digits(const struct toml_parser *p, size_t pos, int base)
{
    if (pos >= p->n || !is_digit_base((unsigned char)p->s[pos], base))
        return pos;
    pos++;
    for (;;) {
        if (pos < p->n && is_digit_base((unsigned char)p->s[pos], base))
            pos++;
        else if (pos + 1 < p->n && p->s[pos] == '_' &&
                 is_digit_base((unsigned char)p->s[pos + 1], base))
            pos += 2;
        else
            return pos;
    }
}

/* Digits (underscores skipped) in [s, e) as a magnitude of at most limit;
 * errors are reported at `lit`, the start of the literal. */
static int accumulate(struct toml_parser *p, size_t lit, size_t s, size_t e, int base,
                      uint64_t limit, uint64_t *out)
{
    uint64_t v = 0;
    for (size_t j = s; j < e; j++) {
        if (p->s[j] == '_')
            continue;
        uint64_t d = (uint64_t)digit_value((unsigned char)p->s[j]);
        if (v > (limit - d) / (uint64_t)base)
            return toml_lex_err(p, lit, KMS_EINVAL, "integer does not fit in 64 bits");
        v = v * (uint64_t)base + d;
    }
    *out = v;
    return 0;
}

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static void c_locale_init(void) { c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0); }

/* [s, e) is a decimal float literal, possibly with underscores. */
static int float_text(struct toml_parser *p, size_t s, size_t e, double *out)
{
    char small[64];
    char *tmp = e - s < sizeof small ? small : malloc(e - s + 1);
    if (tmp == NULL)
        return kms_err(KMS_ENOMEM, "out of memory parsing a float");
    size_t n = 0;
    for (size_t j = s; j < e; j++)
        if (p->s[j] != '_')
            tmp[n++] = p->s[j];
    tmp[n] = '\0';
    pthread_once(&c_locale_once, c_locale_init);
    int rc = 0;
    if (c_locale == (locale_t)0)
        rc = kms_err(KMS_EINTERNAL, "no C locale for parsing floats");
    else
        *out = strtod_l(tmp, NULL, c_locale); /* overflow gives inf, as in tomllib */
    if (tmp != small)
        free(tmp);
    return rc;
}

/* Integers (decimal, 0x, 0o, 0b) and decimal floats; *matched = 0 when the
 * text does not start like a number. */
static int parse_number(struct toml_parser *p, struct toml_value *v, int *matched)
{
    size_t s = p->i;
    *matched = 1;
    if (p->s[s] == '0' && s + 1 < p->n && strchr("xob", p->s[s + 1]) != NULL) {
        int base = p->s[s + 1] == 'x' ? 16 : p->s[s + 1] == 'o' ? 8 : 2;
        size_t e = scan_digits(p, s + 2, base);
        if (e > s + 2) {
            uint64_t u;
            KMS_TRY(accumulate(p, s, s + 2, e, base, INT64_MAX, &u));
            v->type = TOML_INTEGER;
            v->u.i = (int64_t)u;
            p->i = e;
            return 0;
        }
    }
    size_t d = s;
    if (p->s[d] == '+' || p->s[d] == '-')
        d++;
    if (d >= p->n || !is_digit_base((unsigned char)p->s[d], 10)) {
        *matched = 0;
        return 0;
    }
    size_t e = p->s[d] == '0' ? d + 1 : scan_digits(p, d, 10);
    int is_float = 0;
    if (toml_lex_at(p, e, '.') && e + 1 < p->n && is_digit_base((unsigned char)p->s[e + 1], 10)) {
        e = scan_digits(p, e + 1, 10);
        is_float = 1;
    }
    if (toml_lex_at(p, e, 'e') || toml_lex_at(p, e, 'E')) {
        size_t x = e + 1;
        if (toml_lex_at(p, x, '+') || toml_lex_at(p, x, '-'))
            x++;
        size_t xe = scan_digits(p, x, 10);
        if (xe > x) {
            e = xe;
            is_float = 1;
        }
    }
    p->i = e;
    if (is_float) {
        v->type = TOML_FLOAT;
        return float_text(p, s, e, &v->u.f);
    }
    int neg = p->s[s] == '-';
    uint64_t u;
    KMS_TRY(accumulate(p, s, d, e, 10, neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX, &u));
    v->type = TOML_INTEGER;
    v->u.i = neg ? (int64_t)(0 - u) : (int64_t)u;
    return 0;
}

/* inf and nan, optionally signed. */
static int special_float(struct toml_parser *p, double *out)
{
    size_t s = p->i;
    int neg = 0;
    if (toml_lex_at(p, s, '+') || toml_lex_at(p, s, '-'))
        neg = p->s[s++] == '-';
    if (toml_lex_starts(p, s, "inf"))
        *out = neg ? -INFINITY : INFINITY;
    else if (toml_lex_starts(p, s, "nan"))
        *out = neg ? -NAN : NAN;
    else
        return 0;
    p->i = s + 3;
    return 1;
}

/* A date (1979-05-27...) or a time (07:32:00...). */
static int looks_like_datetime(const struct toml_parser *p)
{
    size_t s = p->i, k = 0;
    while (k < 4 && s + k < p->n && is_digit_base((unsigned char)p->s[s + k], 10))
        k++;
    return (k == 4 && toml_lex_at(p, s + 4, '-')) || (k >= 2 && toml_lex_at(p, s + 2, ':'));
}

int toml_lex_scalar(struct toml_parser *p, struct toml_value **out, unsigned depth, unsigned line,
                    unsigned col)
{
    if (toml_lex_starts(p, p->i, "true") || toml_lex_starts(p, p->i, "false")) {
        KMS_TRY(toml_lex_new_node(p, out, TOML_BOOL, depth, line, col));
        (*out)->u.b = p->s[p->i] == 't';
        p->i += (*out)->u.b ? 4 : 5;
        return 0;
    }
    if (looks_like_datetime(p))
        return toml_lex_err(p, p->i, KMS_EUNIMPL, "dates and times are not supported");
    KMS_TRY(toml_lex_new_node(p, out, TOML_INTEGER, depth, line, col));
    int matched, rc = parse_number(p, *out, &matched);
    if (rc == 0 && !matched) {
        (*out)->type = TOML_FLOAT;
        if (!special_float(p, &(*out)->u.f)) {
            char what[40];
            rc = toml_lex_err(p, p->i, KMS_EINVAL, "expected a value, found %s",
                              toml_lex_describe(p, p->i, what, sizeof what));
        }
    }
    if (rc < 0) {
        toml_tree_free(*out);
        *out = NULL;
    }
    return rc;
}
