/* TOML 1.0 parser: a single pass over the document building the value tree.
 *
 * The grammar follows the TOML 1.0 ABNF; where the specification leaves
 * the order of checks open, we follow Python's tomllib (our test oracle):
 * a value is matched by its longest valid prefix and whatever follows must
 * then be a separator, so "1__2" or "truex" fail at the character after the
 * prefix. Line endings are normalised (CRLF -> LF) before parsing, as
 * tomllib does; a lone CR is an error.
 *
 * The rules for redefinition follow TOML: tables and arrays carry flags
 * (ops/toml_tree.h) saying how they were created, and each [header] starts
 * a new "section" so that dotted keys can extend only tables they created
 * in the same section. */
#include "ops/toml.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/secmem.h"
#include "ops/toml_lex.h"

static int parse_value(struct toml_parser *p, struct toml_value **out, unsigned depth);

static int parse_array(struct toml_parser *p, struct toml_value **out, unsigned depth,
                       unsigned line, unsigned col)
{
    struct toml_value *a;
    KMS_TRY(toml_lex_new_node(p, &a, TOML_ARRAY, depth, line, col));
    a->flags = TV_FROZEN; /* literal arrays never grow */
    size_t open = p->i++;
    int rc = toml_lex_skip_array_ws(p);
    if (rc == 0 && toml_lex_at(p, p->i, ']')) {
        p->i++;
        *out = a;
        return 0;
    }
    while (rc == 0) {
        struct toml_value *v;
        rc = parse_value(p, &v, depth + 1);
        if (rc < 0)
            break;
        rc = toml_tree_array_push(a, v);
        if (rc < 0) {
            toml_tree_free(v);
            break;
        }
        rc = toml_lex_skip_array_ws(p);
        if (rc < 0)
            break;
        if (toml_lex_at(p, p->i, ']')) {
            p->i++;
            *out = a;
            return 0;
        }
        if (!toml_lex_at(p, p->i, ',')) {
            char what[40];
            unsigned ol, oc;
            toml_lex_linecol(p, open, &ol, &oc);
            rc = toml_lex_err(
                p, p->i, KMS_EINVAL,
                "expected ',' or ']' in the array opened at line %u, column %u, found %s", ol, oc,
                toml_lex_describe(p, p->i, what, sizeof what));
            break;
        }
        p->i++;
        rc = toml_lex_skip_array_ws(p);
        if (rc == 0 && toml_lex_at(p, p->i, ']')) { /* trailing comma */
            p->i++;
            *out = a;
            return 0;
        }
    }
    toml_tree_free(a);
    return rc;
}

static int insert_kv(struct toml_parser *p, struct toml_value *t, const struct toml_keypath *k,
                     struct toml_value *v, uint32_t section);

/* key = value, stored in table t; the value lives at depth(t) + parts. */
static int parse_entry(struct toml_parser *p, struct toml_value *t, uint32_t section)
{
    struct toml_keypath k;
    toml_lex_keypath_init(&k);
    struct toml_value *v = NULL;
    int rc = toml_lex_key(p, &k);
    if (rc == 0 && !toml_lex_at(p, p->i, '=')) {
        char what[40];
        rc = toml_lex_err(p, p->i, KMS_EINVAL, "expected '=' after a key, found %s",
                          toml_lex_describe(p, p->i, what, sizeof what));
    }
    if (rc == 0) {
        p->i++;
        toml_lex_skip_ws(p);
        rc = parse_value(p, &v, t->depth + (unsigned)k.n);
    }
    if (rc == 0)
        rc = insert_kv(p, t, &k, v, section);
    if (rc < 0)
        toml_tree_free(v);
    toml_lex_keypath_free(&k);
    return rc;
}

/* { key = value, ... } on one line, no trailing comma (TOML 1.0). */
static int parse_inline_table(struct toml_parser *p, struct toml_value **out, unsigned depth,
                              unsigned line, unsigned col)
{
    struct toml_value *t;
    KMS_TRY(toml_lex_new_node(p, &t, TOML_TABLE, depth, line, col));
    uint32_t section = ++p->next_section; /* its own namespace for dotted keys */
    p->i++;
    toml_lex_skip_ws(p);
    int rc = 0;
    if (toml_lex_at(p, p->i, '}')) {
        p->i++;
    } else {
        for (;;) {
            rc = parse_entry(p, t, section);
            if (rc < 0)
                break;
            toml_lex_skip_ws(p);
            if (toml_lex_at(p, p->i, '}')) {
                p->i++;
                break;
            }
            if (!toml_lex_at(p, p->i, ',')) {
                char what[40];
                rc = toml_lex_err(p, p->i, KMS_EINVAL,
                                  "expected ',' or '}' in an inline table (which must fit on "
                                  "one line), found %s",
                                  toml_lex_describe(p, p->i, what, sizeof what));
                break;
            }
            p->i++;
            toml_lex_skip_ws(p);
        }
    }
    if (rc < 0) {
        toml_tree_free(t);
        return rc;
    }
    t->flags = TV_FROZEN;
    *out = t;
    return 0;
}

/* The value starting at p->i, to be stored at tree depth `depth`. */
static int parse_value(struct toml_parser *p, struct toml_value **out, unsigned depth)
{
    unsigned line, col;
    toml_lex_linecol(p, p->i, &line, &col);
    *out = NULL;
    if (p->i >= p->n || p->s[p->i] == '\n' || p->s[p->i] == '#')
        return toml_lex_err(p, p->i, KMS_EINVAL, "expected a value");
    switch (p->s[p->i]) {
    case '"':
    case '\'': return toml_lex_string(p, out, depth, line, col);
    case '[': return parse_array(p, out, depth, line, col);
    case '{': return parse_inline_table(p, out, depth, line, col);
    default: return toml_lex_scalar(p, out, depth, line, col);
    }
}

/* --- Building tables ------------------------------------------------- */

static int new_table(struct toml_parser *p, struct toml_value **out, struct toml_value *parent,
                     const struct toml_keypath *k, size_t part, uint8_t flags, uint32_t section)
{
    KMS_TRY(toml_lex_new_node(p, out, TOML_TABLE, parent->depth + 1u, k->parts[part].line,
                              k->parts[part].col));
    (*out)->flags = flags;
    (*out)->section = section;
    int rc = toml_tree_table_add(parent, *out, toml_lex_kp_str(k, part), k->parts[part].len);
    if (rc < 0) {
        toml_tree_free(*out);
        *out = NULL;
    }
    return rc;
}

/* Why table `c` (reached by the first part+1 parts of k) cannot be
 * extended with dotted keys from `section`, or 0 if it can. */
static int dotted_conflict(struct toml_parser *p, const struct toml_value *c,
                           const struct toml_keypath *k, size_t part, uint32_t section)
{
    char name[128];
    const struct toml_kpart *kp = &k->parts[part];
    toml_lex_kp_text(k, part + 1, name, sizeof name);
    if (c->type != TOML_TABLE)
        return toml_lex_err_at(p, kp->line, kp->col, KMS_EINVAL,
                               "key %s is already a %s (line %u), not a table", name,
                               toml_type_name(c->type), c->line);
    if (c->flags & TV_FROZEN)
        return toml_lex_err_at(p, kp->line, kp->col, KMS_EINVAL,
                               "cannot add keys to the inline table %s (line %u)", name, c->line);
    if (c->flags & TV_HEADER)
        return toml_lex_err_at(p, kp->line, kp->col, KMS_EINVAL,
                               "table %s is defined by a [header] (line %u); it cannot be extended "
                               "with dotted keys here",
                               name, c->line);
    if ((c->flags & TV_DOTTED) && c->section != section)
        return toml_lex_err_at(p, kp->line, kp->col, KMS_EINVAL,
                               "table %s was defined with dotted keys at line %u and cannot be "
                               "extended here",
                               name, c->line);
    return 0;
}

/* Stores v under dotted key k in table t (takes v on success). */
static int insert_kv(struct toml_parser *p, struct toml_value *t, const struct toml_keypath *k,
                     struct toml_value *v, uint32_t section)
{
    for (size_t part = 0; part + 1 < k->n; part++) {
        struct toml_value *c = toml_tree_find(t, toml_lex_kp_str(k, part), k->parts[part].len);
        if (c == NULL) {
            KMS_TRY(new_table(p, &c, t, k, part, TV_DOTTED, section));
        } else {
            KMS_TRY(dotted_conflict(p, c, k, part, section));
            c->flags |= TV_DOTTED;
            c->section = section;
        }
        t = c;
    }
    size_t last = k->n - 1;
    const struct toml_value *dup = toml_tree_find(t, toml_lex_kp_str(k, last), k->parts[last].len);
    if (dup != NULL) {
        char name[128];
        return toml_lex_err_at(p, k->parts[0].line, k->parts[0].col, KMS_EINVAL,
                               "duplicate key %s (first defined at line %u)",
                               toml_lex_kp_text(k, k->n, name, sizeof name), dup->line);
    }
    v->line = k->parts[0].line;
    v->col = k->parts[0].col;
    return toml_tree_table_add(t, v, toml_lex_kp_str(k, last), k->parts[last].len);
}

/* Walks a header's key up to its last part, creating implicit tables and
 * entering the last element of arrays of tables. */
static int header_parent(struct toml_parser *p, const struct toml_keypath *k,
                         struct toml_value **out)
{
    struct toml_value *t = p->root;
    for (size_t part = 0; part + 1 < k->n; part++) {
        struct toml_value *c = toml_tree_find(t, toml_lex_kp_str(k, part), k->parts[part].len);
        if (c == NULL) {
            KMS_TRY(new_table(p, &c, t, k, part, TV_IMPLICIT, 0));
        } else if (c->type == TOML_ARRAY && (c->flags & TV_AOT)) {
            c = c->u.c.items[c->u.c.n - 1];
        } else if (c->type != TOML_TABLE || (c->flags & TV_FROZEN)) {
            char name[128];
            return toml_lex_err_at(p, k->parts[part].line, k->parts[part].col, KMS_EINVAL,
                                   "cannot open a table inside %s: it is %s defined at line %u",
                                   toml_lex_kp_text(k, part + 1, name, sizeof name),
                                   c->type == TOML_TABLE ? "an inline table" : "a value", c->line);
        }
        t = c;
    }
    *out = t;
    return 0;
}

static int open_table(struct toml_parser *p, const struct toml_keypath *k, int aot)
{
    struct toml_value *t = NULL;
    KMS_TRY(header_parent(p, k, &t));
    size_t last = k->n - 1;
    struct toml_value *c = toml_tree_find(t, toml_lex_kp_str(k, last), k->parts[last].len);
    const struct toml_kpart *kp = &k->parts[0];
    char name[128];
    toml_lex_kp_text(k, k->n, name, sizeof name);
    if (!aot) {
        if (c == NULL) {
            KMS_TRY(new_table(p, &c, t, k, last, TV_HEADER, 0));
        } else if (c->type == TOML_TABLE && !(c->flags & (TV_FROZEN | TV_HEADER | TV_DOTTED))) {
            c->flags |= TV_HEADER;
        } else {
            const char *how = c->type == TOML_ARRAY && (c->flags & TV_AOT) ? "as an array of tables"
                              : c->type != TOML_TABLE                      ? "as a value"
                              : (c->flags & TV_FROZEN)                     ? "as an inline table"
                              : (c->flags & TV_DOTTED)                     ? "with dotted keys"
                                                                           : "by a [header]";
            return toml_lex_err_at(p, kp->line, kp->col, KMS_EINVAL,
                                   "table [%s] is already defined %s at line %u", name, how,
                                   c->line);
        }
        c->line = kp->line;
        c->col = kp->col;
        p->cur = c;
        return 0;
    }
    if (c == NULL) {
        KMS_TRY(toml_lex_new_node(p, &c, TOML_ARRAY, t->depth + 1u, kp->line, kp->col));
        c->flags = TV_AOT;
        int rc = toml_tree_table_add(t, c, toml_lex_kp_str(k, last), k->parts[last].len);
        if (rc < 0) {
            toml_tree_free(c);
            return rc;
        }
    } else if (c->type != TOML_ARRAY || !(c->flags & TV_AOT)) {
        return toml_lex_err_at(p, kp->line, kp->col, KMS_EINVAL,
                               "cannot use [[%s]]: it is already defined as %s at line %u", name,
                               c->type == TOML_TABLE ? "a table" : "a value", c->line);
    }
    struct toml_value *e;
    KMS_TRY(toml_lex_new_node(p, &e, TOML_TABLE, c->depth + 1u, kp->line, kp->col));
    e->flags = TV_HEADER;
    int rc = toml_tree_array_push(c, e);
    if (rc < 0) {
        toml_tree_free(e);
        return rc;
    }
    p->cur = e;
    return 0;
}

/* --- Statements ------------------------------------------------------ */

static int parse_header(struct toml_parser *p)
{
    int aot = toml_lex_at(p, p->i + 1, '[');
    p->i += aot ? 2 : 1;
    toml_lex_skip_ws(p);
    struct toml_keypath k;
    toml_lex_keypath_init(&k);
    int rc = toml_lex_key(p, &k);
    if (rc == 0 && !toml_lex_starts(p, p->i, aot ? "]]" : "]")) {
        char what[40];
        rc = toml_lex_err(p, p->i, KMS_EINVAL, "expected '%s' to close the table header, found %s",
                          aot ? "]]" : "]", toml_lex_describe(p, p->i, what, sizeof what));
    }
    if (rc == 0) {
        p->i += aot ? 2 : 1;
        p->section = ++p->next_section;
        rc = open_table(p, &k, aot);
    }
    toml_lex_keypath_free(&k);
    return rc;
}

static int parse_document(struct toml_parser *p)
{
    char what[40];
    for (;;) {
        toml_lex_skip_ws(p);
        if (p->i >= p->n)
            return 0;
        unsigned char c = (unsigned char)p->s[p->i];
        if (c == '\n') {
            p->i++;
            continue;
        }
        if (toml_lex_is_bare(c) || c == '"' || c == '\'') {
            KMS_TRY(parse_entry(p, p->cur, p->section));
            toml_lex_skip_ws(p);
        } else if (c == '[') {
            KMS_TRY(parse_header(p));
            toml_lex_skip_ws(p);
        } else if (c != '#') {
            return toml_lex_err(p, p->i, KMS_EINVAL,
                                "expected a key, a [table] header or a comment, found %s",
                                toml_lex_describe(p, p->i, what, sizeof what));
        }
        KMS_TRY(toml_lex_skip_comment(p));
        if (p->i >= p->n)
            return 0;
        if (p->s[p->i] != '\n')
            return toml_lex_err(p, p->i, KMS_EINVAL, "expected the end of the line, found %s",
                                toml_lex_describe(p, p->i, what, sizeof what));
        p->i++;
    }
}

/* --- Entry points ---------------------------------------------------- */

static void set_limits(struct toml_limits *out, const struct toml_limits *in)
{
    out->max_input = in && in->max_input ? in->max_input : TOML_DEFAULT_MAX_INPUT;
    out->max_string = in && in->max_string ? in->max_string : TOML_DEFAULT_MAX_STRING;
    out->max_depth = in && in->max_depth ? in->max_depth : TOML_DEFAULT_MAX_DEPTH;
    if (out->max_depth > TOML_MAX_DEPTH_CAP)
        out->max_depth = TOML_MAX_DEPTH_CAP;
}

static void err_plain(struct toml_error *err)
{
    if (err != NULL && err->msg[0] == '\0')
        snprintf(err->msg, sizeof err->msg, "%s", kms_err_msg());
}

int toml_parse(struct toml_value **root, const char *src, size_t len, const struct toml_limits *lim,
               struct toml_error *err)
{
    struct toml_parser p;
    memset(&p, 0, sizeof p);
    *root = NULL;
    if (err != NULL)
        memset(err, 0, sizeof *err);
    set_limits(&p.lim, lim);
    p.err = err;
    if (len > p.lim.max_input) {
        int rc = kms_err(KMS_ELIMIT, "TOML document larger than %zu bytes", p.lim.max_input);
        err_plain(err);
        return rc;
    }
    char *s = malloc(len + 1);
    if (s == NULL) {
        int rc = kms_err(KMS_ENOMEM, "out of memory reading a TOML document");
        err_plain(err);
        return rc;
    }
    size_t n = 0;
    for (size_t i = 0; i < len; i++) /* CRLF -> LF, as tomllib does */
        if (!(src[i] == '\r' && i + 1 < len && src[i + 1] == '\n'))
            s[n++] = src[i];
    s[n] = '\0';
    p.s = s;
    p.n = n;
    p.lc_line = p.lc_col = 1;
    int rc;
    size_t bad = toml_lex_utf8_check((const unsigned char *)s, n);
    if (bad < n)
        rc = toml_lex_err(&p, bad, KMS_EINVAL, "invalid UTF-8");
    else
        rc = toml_lex_new_node(&p, &p.root, TOML_TABLE, 0, 1, 1);
    if (rc == 0) {
        p.cur = p.root;
        p.root->flags = TV_HEADER;
        rc = parse_document(&p);
    }
    secmem_wipe(s, n); /* the document may hold secrets */
    free(s);
    if (rc < 0) {
        toml_tree_free(p.root);
        err_plain(err);
        return rc;
    }
    *root = p.root;
    return 0;
}

int toml_parse_file(struct toml_value **root, const char *path, const struct toml_limits *lim,
                    struct toml_error *err)
{
    struct toml_limits l;
    set_limits(&l, lim);
    *root = NULL;
    if (err != NULL)
        memset(err, 0, sizeof *err);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        int rc = kms_err(KMS_EIO, "%s: cannot open: %s", path, strerror(errno));
        err_plain(err);
        return rc;
    }
    struct buf b;
    buf_init_secret(&b, l.max_input);
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_put(&b, chunk, got);
    int rc = ferror(f) ? kms_err(KMS_EIO, "%s: read error", path) : buf_status(&b);
    fclose(f);
    if (rc == KMS_ELIMIT)
        rc = kms_err(KMS_ELIMIT, "%s: larger than %zu bytes", path, l.max_input);
    if (rc == 0) {
        rc = toml_parse(root, (const char *)b.data, b.len, &l, err);
        if (rc < 0)
            kms_err_wrap(rc, path);
    } else {
        err_plain(err);
    }
    buf_free(&b);
    return rc;
}
