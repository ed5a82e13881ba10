/* Loading the configuration: defaults, then the TOML file, then the
 * environment, all driven by the schema (ops/config_schema.c).
 *
 * The file and the environment are merged field by field, as the
 * reference's config crate merges its sources before deserializing: a
 * variable overrides the key it names, and a section exists if the file
 * has it or a variable names something inside it. */
#include "ops/config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/hex.h"
#include "base/secmem.h"
#include "ops/config_schema.h"
#include "ops/toml.h"

extern char **environ;

#define PATH_CAP 256

/* One KMS_CORE__... variable, resolved to a dotted key path. */
struct env_item {
    char path[PATH_CAP]; /* lower case, e.g. "service.listen_port" */
    const char *var;     /* the NAME=value entry */
    size_t var_len;      /* length of NAME */
    const char *value;
};

struct loader {
    struct env_item *env;
    size_t n_env;
    char path[PATH_CAP]; /* dotted path of the section being decoded */
};

/* --- Field access ---------------------------------------------------------- */

#define AT(base, off, type) ((type *)(void *)((char *)(base) + (off)))

static int set_str(char **slot, const char *s, size_t n)
{
    char *copy = malloc(n + 1);
    if (copy == NULL)
        return kms_err(KMS_ENOMEM, "out of memory loading the configuration");
    memcpy(copy, s, n);
    copy[n] = '\0';
    free(*slot);
    *slot = copy;
    return 0;
}

static void store_int(const struct config_field *f, void *base, int64_t v)
{
    switch (f->kind) {
    case CK_U16: *AT(base, f->off, uint16_t) = (uint16_t)v; break;
    case CK_U32: *AT(base, f->off, uint32_t) = (uint32_t)v; break;
    case CK_U64: *AT(base, f->off, uint64_t) = (uint64_t)v; break;
    default: *AT(base, f->off, int64_t) = v; break;
    }
}

/* Applies fn to every field of sec (recursing into sub-sections, not into
 * arrays of tables). */
static void walk(const struct config_section *sec, void *base,
                 void (*fn)(const struct config_field *, void *))
{
    for (size_t i = 0; i < sec->n_fields; i++) {
        const struct config_field *f = &sec->fields[i];
        if (f->kind == CK_SECTION)
            walk(f->sub, (char *)base + f->off, fn);
        else
            fn(f, base);
    }
}

static void free_field(const struct config_field *f, void *base)
{
    if (f->kind == CK_STR) {
        char **s = AT(base, f->off, char *);
        if (*s != NULL && (f->flags & F_SECRET))
            secmem_wipe(*s, strlen(*s));
        free(*s);
        *s = NULL;
    } else if (f->kind == CK_TABLES) {
        char *elems = *AT(base, f->off, char *);
        size_t n = *AT(base, f->aux, size_t);
        for (size_t i = 0; i < n; i++)
            walk(f->sub, elems + i * f->sub->elem_size, free_field);
        free(elems);
        *AT(base, f->off, char *) = NULL;
        *AT(base, f->aux, size_t) = 0;
    }
}

static void unset_optional(const struct config_field *f, void *base)
{
    if (f->kind == CK_I64)
        *AT(base, f->off, int64_t) = CONFIG_UNSET;
    else if (f->kind == CK_F64)
        *AT(base, f->off, double) = NAN;
}

void config_free(struct config *cfg)
{
    if (cfg == NULL)
        return;
    walk(&config_schema_root, cfg, free_field);
    memset(cfg, 0, sizeof *cfg);
}

/* --- Defaults -------------------------------------------------------------- */

static int default_vault(struct config_vault *v)
{
    v->storage.kind = CONFIG_STORAGE_FILE;
    v->storage.has_file = true;
    return set_str(&v->storage.path, CONFIG_DEFAULT_KEYS_DIR, strlen(CONFIG_DEFAULT_KEYS_DIR));
}

int config_defaults(struct config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    walk(&config_schema_root, cfg, unset_optional);
    cfg->service.listen_port = CONFIG_DEFAULT_PORT;
    cfg->service.timeout_secs = 360;
    cfg->service.grpc_max_message_size = 100u << 20;
    cfg->rate_limiter = (struct config_rate_limiter){50000, 1, 1, 100, 25000, 1000, 1};
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    uint32_t n = cpus > 0 && cpus < 4096 ? (uint32_t)cpus : 1;
    cfg->internal.num_tokio_threads = (n + 7) / 8;
    cfg->internal.num_rayon_threads =
        n > cfg->internal.num_tokio_threads ? n - cfg->internal.num_tokio_threads : 1;
    cfg->request_store = (struct config_request_store){10000, 6000, 60, 300};
    cfg->bandwidth_benchmark =
        (struct config_bandwidth_benchmark){1u << 28, 256, (uint64_t)1 << 30, 60, 1};
    int rc = set_str(&cfg->service.listen_address, CONFIG_DEFAULT_LISTEN_ADDRESS,
                     strlen(CONFIG_DEFAULT_LISTEN_ADDRESS));
    if (rc == 0)
        rc = default_vault(&cfg->public_vault);
    if (rc == 0)
        rc = default_vault(&cfg->private_vault);
    if (rc < 0)
        config_free(cfg);
    return rc;
}

/* --- Environment ------------------------------------------------------------ */

static const struct config_field *find_field(const struct config_section *sec, const char *name,
                                             size_t len)
{
    for (size_t i = 0; i < sec->n_fields; i++)
        if (strlen(sec->fields[i].name) == len && memcmp(sec->fields[i].name, name, len) == 0)
            return &sec->fields[i];
    return NULL;
}

/* Resolves "service__listen_port" (already lower case) to a key. */
static int env_resolve(struct env_item *it, const char *rest, size_t len)
{
    const struct config_section *sec = &config_schema_root;
    size_t plen = 0;
    for (;;) {
        const char *sep = memmem(rest, len, "__", 2);
        size_t n = sep ? (size_t)(sep - rest) : len;
        const struct config_field *f = find_field(sec, rest, n);
        if (f == NULL || plen + n + 2 > PATH_CAP)
            return kms_err(KMS_EINVAL, "names no configuration key (at '%.*s')", (int)n, rest);
        memcpy(it->path + plen, rest, n);
        plen += n;
        it->path[plen] = '\0';
        if (f->kind == CK_OPAQUE)
            return kms_err(KMS_EINVAL, "%s", f->why ? f->why : "this section is not read by ckms");
        if (f->kind == CK_TABLES)
            return kms_err(KMS_EINVAL,
                           "arrays of tables ([[%s]]) cannot be set from the "
                           "environment",
                           it->path);
        if (sep == NULL) {
            if (f->kind == CK_SECTION)
                return kms_err(KMS_EINVAL, "names the section [%s], not a key", it->path);
            return 0;
        }
        if (f->kind != CK_SECTION)
            return kms_err(KMS_EINVAL, "%s is a key, not a section", it->path);
        sec = f->sub;
        it->path[plen++] = '.';
        rest = sep + 2;
        len -= n + 2;
    }
}

static int env_collect(struct loader *l, char *const *envp)
{
    static const char prefix[] = CONFIG_ENV_PREFIX "__";
    const size_t plen = sizeof prefix - 1;
    size_t count = 0;
    for (char *const *e = envp; *e != NULL; e++)
        count++;
    l->env = calloc(count + 1, sizeof *l->env);
    if (l->env == NULL)
        return kms_err(KMS_ENOMEM, "out of memory reading the environment");
    for (char *const *e = envp; *e != NULL; e++) {
        const char *eq = strchr(*e, '=');
        if (eq == NULL || (size_t)(eq - *e) < plen || strncasecmp(*e, prefix, plen) != 0)
            continue;
        struct env_item *it = &l->env[l->n_env];
        it->var = *e;
        it->var_len = (size_t)(eq - *e);
        it->value = eq + 1;
        char lower[PATH_CAP];
        size_t n = it->var_len - plen;
        if (n >= sizeof lower)
            return kms_err(KMS_EINVAL, "environment variable %.*s: name too long", (int)it->var_len,
                           it->var);
        for (size_t i = 0; i < n; i++)
            lower[i] = (char)tolower((unsigned char)(*e)[plen + i]);
        int rc = env_resolve(it, lower, n);
        if (rc < 0) {
            char what[PATH_CAP + 32];
            snprintf(what, sizeof what, "environment variable %.*s", (int)it->var_len, it->var);
            return kms_err_wrap(rc, what);
        }
        for (size_t j = 0; j < l->n_env; j++)
            if (strcmp(l->env[j].path, it->path) == 0)
                return kms_err(KMS_EINVAL, "environment variables %.*s and %.*s both set %s",
                               (int)l->env[j].var_len, l->env[j].var, (int)it->var_len, it->var,
                               it->path);
        l->n_env++;
    }
    return 0;
}

static const struct env_item *env_find(const struct loader *l, const char *path)
{
    for (size_t i = 0; i < l->n_env; i++)
        if (strcmp(l->env[i].path, path) == 0)
            return &l->env[i];
    return NULL;
}

/* 1 when some variable sets a key inside section `path`. */
static int env_under(const struct loader *l, const char *path)
{
    size_t n = strlen(path);
    for (size_t i = 0; i < l->n_env; i++)
        if (strncmp(l->env[i].path, path, n) == 0 && l->env[i].path[n] == '.')
            return 1;
    return 0;
}

/* --- Values ------------------------------------------------------------------- */

/* Where a value came from, for messages. */
struct origin {
    const struct toml_value *v;
    const struct env_item *env;
};

__attribute__((format(printf, 2, 3))) static int origin_err(const struct origin *o, const char *fmt,
                                                            ...)
{
    char why[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    if (o->v != NULL)
        return toml_value_err(o->v, KMS_EINVAL, "%s", why);
    return kms_err(KMS_EINVAL, "environment variable %.*s (%s): %s", (int)o->env->var_len,
                   o->env->var, o->env->path, why);
}

static int store_checked_int(const struct config_field *f, void *base, const struct origin *o,
                             int64_t v)
{
    if (v < f->lo || v > f->hi)
        return origin_err(o, "%lld is out of range (%lld to %lld)", (long long)v, (long long)f->lo,
                          (long long)f->hi);
    store_int(f, base, v);
    return 0;
}

static int store_enum(const struct config_field *f, void *base, const struct origin *o,
                      const char *s)
{
    char list[160] = "";
    for (int i = 0; f->choices[i] != NULL; i++) {
        if (strcmp(f->choices[i], s) == 0) {
            *AT(base, f->off, int) = i;
            return 0;
        }
        size_t len = strlen(list);
        snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", f->choices[i]);
    }
    return origin_err(o, "'%s' is not one of %s", s, list);
}

static int from_toml(const struct config_field *f, void *base, const struct toml_value *v)
{
    struct origin o = {v, NULL};
    const char *s;
    size_t n;
    int64_t i;
    int b;
    switch (f->kind) {
    case CK_STR:
        KMS_TRY(toml_get_string(v, &s, &n));
        if (memchr(s, '\0', n) != NULL)
            return origin_err(&o, "must not contain a NUL character");
        return set_str(AT(base, f->off, char *), s, n);
    case CK_ENUM: KMS_TRY(toml_get_string(v, &s, &n)); return store_enum(f, base, &o, s);
    case CK_BOOL:
        KMS_TRY(toml_get_bool(v, &b));
        *AT(base, f->off, bool) = b != 0;
        return 0;
    case CK_F64: return toml_get_float(v, AT(base, f->off, double));
    default: KMS_TRY(toml_get_int(v, &i)); return store_checked_int(f, base, &o, i);
    }
}

static int parse_env_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(s, yes[i]) == 0 || strcasecmp(s, no[i]) == 0) {
            *out = strcasecmp(s, yes[i]) == 0;
            return 0;
        }
    }
    return -1;
}

static int from_env(const struct config_field *f, void *base, const struct env_item *env)
{
    struct origin o = {NULL, env};
    const char *s = env->value;
    char *end;
    switch (f->kind) {
    case CK_STR: return set_str(AT(base, f->off, char *), s, strlen(s));
    case CK_ENUM: return store_enum(f, base, &o, s);
    case CK_BOOL:
        if (parse_env_bool(s, AT(base, f->off, bool)) < 0)
            return origin_err(&o, "'%s' is not a boolean (true/false, yes/no, on/off, 1/0)", s);
        return 0;
    case CK_F64:
        errno = 0;
        *AT(base, f->off, double) = strtod(s, &end);
        if (*s == '\0' || *end != '\0' || isspace((unsigned char)*s))
            return origin_err(&o, "'%s' is not a number", s);
        return 0;
    default: {
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (*s == '\0' || *end != '\0' || isspace((unsigned char)*s) || errno == ERANGE)
            return origin_err(&o, "'%s' is not an integer", s);
        return store_checked_int(f, base, &o, (int64_t)v);
    }
    }
}

/* --- Sections ------------------------------------------------------------------ */

static int decode_section(struct loader *l, const struct config_section *sec, void *base,
                          const struct toml_value *tbl);

static int reject_unknown(const struct config_section *sec, const struct toml_value *tbl)
{
    for (size_t i = 0; i < toml_table_len(tbl); i++) {
        const struct toml_value *v = toml_table_at(tbl, i);
        size_t n;
        const char *k = toml_key(v, &n);
        if (find_field(sec, k, n) != NULL)
            continue;
        char list[400] = "";
        for (size_t j = 0; j < sec->n_fields; j++) {
            size_t len = strlen(list);
            snprintf(list + len, sizeof list - len, "%s%s", j ? ", " : "", sec->fields[j].name);
        }
        return toml_value_err(v, KMS_EINVAL, "unknown key (expected %s%s)",
                              sec->n_fields ? "one of: " : "no keys here", list);
    }
    return 0;
}

static int decode_tables(struct loader *l, const struct config_field *f, void *base,
                         const struct toml_value *v)
{
    if (toml_type(v) != TOML_ARRAY)
        return toml_value_err(v, KMS_EINVAL, "expected an array of tables ([[...]]), found %s",
                              toml_type_name(toml_type(v)));
    size_t n = toml_array_len(v);
    char *elems = calloc(n ? n : 1, f->sub->elem_size);
    if (elems == NULL)
        return kms_err(KMS_ENOMEM, "out of memory loading the configuration");
    free_field(f, base);
    *AT(base, f->off, char *) = elems;
    *AT(base, f->aux, size_t) = n;
    for (size_t i = 0; i < n; i++) {
        char *e = elems + i * f->sub->elem_size;
        walk(f->sub, e, unset_optional);
        const struct toml_value *t = toml_array_at(v, i);
        if (toml_type(t) != TOML_TABLE)
            return toml_value_err(t, KMS_EINVAL, "expected a table, found %s",
                                  toml_type_name(toml_type(t)));
        KMS_TRY(decode_section(l, f->sub, e, t));
    }
    return 0;
}

/* A sub-section: present when the file has it or a variable sets
 * something in it. */
static int decode_sub(struct loader *l, const struct config_field *f, void *base,
                      const struct toml_value *v)
{
    if (v != NULL && toml_type(v) != TOML_TABLE)
        return toml_value_err(v, KMS_EINVAL, "expected a table, found %s",
                              toml_type_name(toml_type(v)));
    if (v == NULL && !env_under(l, l->path))
        return 0;
    void *sub = (char *)base + f->off;
    if (f->flags & F_CHOICE) /* given: the default alternative no longer applies */
        for (size_t i = 0; i < f->sub->n_fields; i++)
            if (f->sub->fields[i].kind == CK_SECTION && f->sub->fields[i].aux != CONFIG_NO_OFF)
                *AT(sub, f->sub->fields[i].aux, bool) = false;
    if (f->aux != CONFIG_NO_OFF)
        *AT(sub, f->aux, bool) = true;
    return decode_section(l, f->sub, sub, v);
}

static int decode_field(struct loader *l, const struct config_field *f, void *base,
                        const struct toml_value *tbl)
{
    const struct toml_value *v = tbl ? toml_table_get(tbl, f->name) : NULL;
    const struct env_item *env;
    switch (f->kind) {
    case CK_SECTION: return decode_sub(l, f, base, v);
    case CK_TABLES: return v ? decode_tables(l, f, base, v) : 0;
    case CK_OPAQUE:
        if (v != NULL && (f->flags & F_REFUSED))
            return toml_value_err(v, KMS_EUNIMPL, "%s", f->why);
        return 0;
    default:
        if ((env = env_find(l, l->path)) != NULL)
            return from_env(f, base, env);
        return v != NULL ? from_toml(f, base, v) : 0;
    }
}

/* Required keys, checked once everything given has been read so that a
 * wrong key is reported before a missing one. */
static int check_required(const struct loader *l, const struct config_field *f,
                          const struct toml_value *tbl)
{
    if (!(f->flags & F_REQUIRED) || (tbl != NULL && toml_table_get(tbl, f->name) != NULL) ||
        env_find(l, l->path) != NULL)
        return 0;
    if (tbl != NULL)
        return toml_value_err(tbl, KMS_EINVAL, "missing required key %s", f->name);
    return kms_err(KMS_EINVAL,
                   "%s: required (its section is only given by environment "
                   "variables)",
                   l->path);
}

static int decode_section(struct loader *l, const struct config_section *sec, void *base,
                          const struct toml_value *tbl)
{
    if (tbl != NULL)
        KMS_TRY(reject_unknown(sec, tbl));
    size_t plen = strlen(l->path);
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < sec->n_fields; i++) {
            const struct config_field *f = &sec->fields[i];
            if (plen + strlen(f->name) + 2 > sizeof l->path)
                return kms_err(KMS_EINTERNAL, "configuration key path too long");
            snprintf(l->path + plen, sizeof l->path - plen, "%s%s", plen ? "." : "", f->name);
            int rc = pass == 0 ? decode_field(l, f, base, tbl) : check_required(l, f, tbl);
            l->path[plen] = '\0';
            KMS_TRY(rc);
        }
    }
    return 0;
}

/* --- Loading ---------------------------------------------------------------- */

static void storage_finish(struct config_storage *s)
{
    s->kind = s->has_ram && !s->has_file ? CONFIG_STORAGE_RAM : CONFIG_STORAGE_FILE;
}

static int load_tree(struct config *cfg, const struct toml_value *root, char *const *envp)
{
    struct loader l;
    memset(&l, 0, sizeof l);
    int rc = env_collect(&l, envp ? envp : environ);
    if (rc == 0)
        rc = decode_section(&l, &config_schema_root, cfg, root);
    free(l.env);
    storage_finish(&cfg->public_vault.storage);
    storage_finish(&cfg->private_vault.storage);
    storage_finish(&cfg->backup_vault.storage);
    return rc;
}

static int load_finish(struct config *cfg, struct toml_value *root, const char *name, int rc,
                       char *const *envp)
{
    if (rc == 0)
        rc = config_defaults(cfg);
    if (rc == 0) {
        rc = load_tree(cfg, root, envp);
        if (rc == 0)
            rc = config_validate(cfg);
        if (rc < 0)
            config_free(cfg);
    }
    toml_free(root);
    if (rc < 0 && name != NULL)
        kms_err_wrap(rc, name);
    return rc;
}

int config_load(struct config *cfg, const char *path, char *const *envp)
{
    struct toml_value *root = NULL;
    memset(cfg, 0, sizeof *cfg);
    int rc = path ? toml_parse_file(&root, path, NULL, NULL) : 0;
    /* toml_parse_file names the file itself */
    return load_finish(cfg, root, rc < 0 ? NULL : path, rc, envp);
}

int config_load_string(struct config *cfg, const char *toml, size_t len, const char *name,
                       char *const *envp)
{
    struct toml_value *root = NULL;
    memset(cfg, 0, sizeof *cfg);
    int rc = toml_parse(&root, toml, len, NULL, NULL);
    return load_finish(cfg, root, name, rc, envp);
}

const char *config_decryption_mode_name(enum config_decryption_mode m)
{
    static const char *const names[] = {"NoiseFloodSmall", "NoiseFloodLarge", "BitDecSmall",
                                        "BitDecLarge"};
    return (unsigned)m < 4 ? names[m] : "unknown";
}
