/* Printing the effective configuration as TOML (kms-server --print-config),
 * walking the schema. The output loads back with config_load; secrets are
 * replaced by "<redacted>". */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ops/config.h"
#include "ops/config_schema.h"

#define AT(base, off, type) ((const type *)(const void *)((const char *)(base) + (off)))

static int is_set(const struct config_field *f, const void *base);

/* Whether a section is printed: one with a presence flag when it is set,
 * a sparse one when something inside is set, any other always. */
static int section_shown(const struct config_field *f, const void *base)
{
    const void *sub = (const char *)base + f->off;
    if (f->aux != CONFIG_NO_OFF && *AT(sub, f->aux, bool))
        return 1;
    if (f->flags & F_SPARSE) {
        for (size_t i = 0; i < f->sub->n_fields; i++)
            if (is_set(&f->sub->fields[i], sub))
                return 1;
        return 0;
    }
    return f->aux == CONFIG_NO_OFF;
}

/* For sparse sections: does this field hold something worth printing? */
static int is_set(const struct config_field *f, const void *base)
{
    switch (f->kind) {
    case CK_STR: return *AT(base, f->off, char *) != NULL;
    case CK_BOOL: return *AT(base, f->off, bool);
    case CK_I64: return *AT(base, f->off, int64_t) != CONFIG_UNSET;
    case CK_F64: return !isnan(*AT(base, f->off, double));
    case CK_SECTION: return section_shown(f, base);
    case CK_TABLES: return *AT(base, f->aux, size_t) > 0;
    default: return 0;
    }
}

static int scalar_shown(const struct config_field *f, const void *base)
{
    switch (f->kind) {
    case CK_STR:
    case CK_I64:
    case CK_F64: return is_set(f, base);
    case CK_SECTION:
    case CK_TABLES:
    case CK_OPAQUE: return 0;
    default: return 1;
    }
}

static void put_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

static void put_float(FILE *out, double d)
{
    if (isnan(d)) {
        fputs("nan", out);
    } else if (isinf(d)) {
        fputs(d < 0 ? "-inf" : "inf", out);
    } else {
        char num[40];
        snprintf(num, sizeof num, "%.17g", d);
        fputs(num, out);
        if (strpbrk(num, ".e") == NULL)
            fputs(".0", out);
    }
}

static void put_scalar(FILE *out, const struct config_field *f, const void *base)
{
    fprintf(out, "%s = ", f->name);
    switch (f->kind) {
    case CK_STR:
        put_string(out, (f->flags & F_SECRET) ? "<redacted>" : *AT(base, f->off, char *));
        break;
    case CK_BOOL: fputs(*AT(base, f->off, bool) ? "true" : "false", out); break;
    case CK_U16: fprintf(out, "%u", (unsigned)*AT(base, f->off, uint16_t)); break;
    case CK_U32: fprintf(out, "%u", (unsigned)*AT(base, f->off, uint32_t)); break;
    case CK_U64: fprintf(out, "%llu", (unsigned long long)*AT(base, f->off, uint64_t)); break;
    case CK_I64: fprintf(out, "%lld", (long long)*AT(base, f->off, int64_t)); break;
    case CK_F64: put_float(out, *AT(base, f->off, double)); break;
    case CK_ENUM: put_string(out, f->choices[*AT(base, f->off, int)]); break;
    default: break;
    }
    fputc('\n', out);
}

/* [path] or [[path]] with the scalars, then the sub-sections. */
static void put_section(FILE *out, const struct config_section *sec, const void *base,
                        const char *path, int aot)
{
    size_t n_scalars = 0, n_subs = 0;
    for (size_t i = 0; i < sec->n_fields; i++) {
        n_scalars += (size_t)scalar_shown(&sec->fields[i], base);
        int sub = sec->fields[i].kind == CK_SECTION || sec->fields[i].kind == CK_TABLES;
        n_subs += (size_t)(sub && is_set(&sec->fields[i], base));
    }
    /* a header is needed for scalars, for an empty table that must exist
     * (storage.ram) and for every [[element]] */
    if (path[0] != '\0' && (n_scalars > 0 || n_subs == 0 || aot))
        fprintf(out, aot ? "\n[[%s]]\n" : "\n[%s]\n", path);
    for (size_t i = 0; i < sec->n_fields; i++)
        if (scalar_shown(&sec->fields[i], base))
            put_scalar(out, &sec->fields[i], base);
    for (size_t i = 0; i < sec->n_fields; i++) {
        const struct config_field *f = &sec->fields[i];
        char sub[256];
        snprintf(sub, sizeof sub, "%s%s%s", path, path[0] ? "." : "", f->name);
        if (f->kind == CK_SECTION && section_shown(f, base)) {
            put_section(out, f->sub, (const char *)base + f->off, sub, 0);
        } else if (f->kind == CK_TABLES) {
            const char *elems = *AT(base, f->off, char *);
            size_t n = *AT(base, f->aux, size_t);
            for (size_t j = 0; j < n; j++)
                put_section(out, f->sub, elems + j * f->sub->elem_size, sub, 1);
        }
    }
}

int config_dump(const struct config *cfg, FILE *out)
{
    fprintf(out, "# ckms effective configuration (%s mode)\n",
            cfg->threshold.present ? "threshold" : "centralized");
    put_section(out, &config_schema_root, cfg, "", 0);
    if (fflush(out) != 0 || ferror(out))
        return kms_err(KMS_EIO, "cannot write the configuration");
    return 0;
}
