#include "base/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <string.h>
#include <strings.h>

#include "base/clock.h"

static _Atomic int log_min_level = LOG_INFO;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *log_out; /* NULL: stderr; guarded by log_lock */

static _Thread_local char log_rid[LOG_REQUEST_ID_MAX + 1];
static _Thread_local int log_rid_set;

static const char *const level_names[] = {"error", "warn", "info", "debug", "trace"};

#define N_LEVELS (sizeof level_names / sizeof level_names[0])

void log_set_level(enum log_level level)
{
    if ((unsigned)level < N_LEVELS)
        atomic_store(&log_min_level, (int)level);
}

enum log_level log_get_level(void) { return (enum log_level)atomic_load(&log_min_level); }

int log_enabled(enum log_level level) { return (int)level <= atomic_load(&log_min_level); }

const char *log_level_name(enum log_level level)
{
    return (unsigned)level < N_LEVELS ? level_names[level] : "unknown";
}

int log_parse_level(enum log_level *level, const char *s)
{
    if (s == NULL)
        return kms_err(KMS_EINVAL, "log: no level given");
    for (unsigned i = 0; i < N_LEVELS; i++) {
        if (strcasecmp(s, level_names[i]) == 0) {
            *level = (enum log_level)i;
            return 0;
        }
    }
    if (strcasecmp(s, "warning") == 0) {
        *level = LOG_WARN;
        return 0;
    }
    return kms_err(KMS_EINVAL, "log: unknown level (want error, warn, info, debug or trace)");
}

void log_set_output(FILE *f)
{
    pthread_mutex_lock(&log_lock);
    log_out = f;
    pthread_mutex_unlock(&log_lock);
}

/* Shortens a cut at n bytes so that it does not split a UTF-8 sequence. */
static size_t utf8_cut(const char *s, size_t n)
{
    size_t k = n;
    while (k > 0 && ((unsigned char)s[k] & 0xC0u) == 0x80u)
        k--;
    return k;
}

void log_set_request_id(const char *id)
{
    if (id == NULL) {
        log_clear_request_id();
        return;
    }
    size_t n = strnlen(id, LOG_REQUEST_ID_MAX + 1);
    if (n > LOG_REQUEST_ID_MAX)
        n = utf8_cut(id, LOG_REQUEST_ID_MAX);
    memcpy(log_rid, id, n);
    log_rid[n] = '\0';
    log_rid_set = 1;
}

void log_clear_request_id(void)
{
    log_rid[0] = '\0';
    log_rid_set = 0;
}

const char *log_request_id(void) { return log_rid_set ? log_rid : NULL; }

/* A bounded output region: text is added only if it fits whole, keeping
 * `cap - len` >= 1 for the NUL. */
struct out {
    char *p;
    size_t cap;
    size_t len;
};

static int out_put(struct out *o, const char *s, size_t n)
{
    if (n >= o->cap - o->len)
        return -1;
    memcpy(o->p + o->len, s, n);
    o->len += n;
    o->p[o->len] = '\0';
    return 0;
}

static int is_ctl(unsigned char c) { return c < 0x20u || c == 0x7Fu; }

static int needs_quotes(const char *v)
{
    if (*v == '\0')
        return 1;
    for (const unsigned char *p = (const unsigned char *)v; *p != '\0'; p++)
        if (*p == ' ' || *p == '=' || *p == '"' || is_ctl(*p))
            return 1;
    return 0;
}

/* The escape for c inside a quoted value (len 0 if c stands for itself). */
static size_t escape(char esc[8], unsigned char c)
{
    static const char digits[] = "0123456789abcdef";
    switch (c) {
    case '"': memcpy(esc, "\\\"", 2); return 2;
    case '\\': memcpy(esc, "\\\\", 2); return 2;
    case '\n': memcpy(esc, "\\n", 2); return 2;
    case '\r': memcpy(esc, "\\r", 2); return 2;
    case '\t': memcpy(esc, "\\t", 2); return 2;
    default: break;
    }
    if (!is_ctl(c))
        return 0;
    memcpy(esc, "\\u00", 4);
    esc[4] = digits[c >> 4];
    esc[5] = digits[c & 15u];
    return 6;
}

/* Length of the UTF-8 sequence starting at s (1 for ASCII or a stray byte),
 * never past the NUL. */
static size_t char_len(const char *s)
{
    size_t n = 1;
    while (s[n] != '\0' && ((unsigned char)s[n] & 0xC0u) == 0x80u && n < 4)
        n++;
    return n;
}

/* Adds v as a logfmt value (quoted when needed or when force is set).
 * Returns 0, or -1 when v was cut short to fit (closing quote still added). */
static int put_value(struct out *o, const char *v, int force)
{
    int quoted = force || needs_quotes(v);
    if (quoted && (o->cap - o->len < 3 || out_put(o, "\"", 1) != 0))
        return -1;
    size_t keep = quoted ? 1 : 0; /* room held back for the closing quote */
    int cut = 0;
    for (const char *s = v; *s != '\0';) {
        char esc[8];
        size_t n = quoted ? escape(esc, (unsigned char)*s) : 0;
        const char *piece = n > 0 ? esc : s;
        size_t step = n > 0 ? 1 : char_len(s);
        if (n == 0)
            n = step;
        if (n + keep >= o->cap - o->len) {
            cut = 1;
            break;
        }
        (void)out_put(o, piece, n);
        s += step;
    }
    if (quoted)
        (void)out_put(o, "\"", 1);
    return cut ? -1 : 0;
}

const char *log_quote(char *out, size_t out_cap, const char *value)
{
    if (out_cap == 0)
        return out;
    struct out o = {out, out_cap, 0};
    out[0] = '\0';
    (void)put_value(&o, value != NULL ? value : "", 0);
    return out;
}

static int valid_key(const char *k)
{
    return *k != '\0' && !needs_quotes(k);
}

int log_append_kv(char *out, size_t out_cap, const char *key, const char *value)
{
    if (!valid_key(key))
        return kms_err(KMS_EINVAL, "log: key must be non-empty without space, '=', '\"' or control");
    size_t len = strnlen(out, out_cap);
    if (len == out_cap)
        return kms_err(KMS_EINVAL, "log: line is not NUL-terminated");
    struct out o = {out, out_cap, len};
    if (out_put(&o, " ", 1) != 0 || out_put(&o, key, strlen(key)) != 0 ||
        out_put(&o, "=", 1) != 0 || put_value(&o, value != NULL ? value : "", 0) != 0) {
        out[len] = '\0';
        return kms_err(KMS_ELIMIT, "log: key=value does not fit in %zu bytes", out_cap);
    }
    return 0;
}

/* Copies the caller's tail, escaping raw control characters so the line
 * stays one line. Returns -1 if it had to be cut; *in_quote tells whether
 * the cut fell inside a quoted value. */
static int put_tail(struct out *o, const char *tail, int *in_quote)
{
    int esc_next = 0;
    *in_quote = 0;
    for (const char *s = tail; *s != '\0';) {
        char esc[8];
        size_t n = is_ctl((unsigned char)*s) ? escape(esc, (unsigned char)*s) : 0;
        size_t step = n > 0 ? 1 : char_len(s);
        if (out_put(o, n > 0 ? esc : s, n > 0 ? n : step) != 0)
            return -1;
        if (esc_next)
            esc_next = 0;
        else if (n == 0 && *s == '\\' && *in_quote)
            esc_next = 1;
        else if (n == 0 && *s == '"')
            *in_quote = !*in_quote;
        s += step;
    }
    return 0;
}

#define TRUNC_MARK " truncated=true"

static size_t format_line(char *line, enum log_level level, const char *msg,
                          const char *kv_fmt, va_list ap) __attribute__((format(printf, 4, 0)));

static size_t format_line(char *line, enum log_level level, const char *msg,
                          const char *kv_fmt, va_list ap)
{
    /* room for a closing quote, the mark and the newline is held back */
    struct out o = {line, LOG_LINE_MAX - (sizeof TRUNC_MARK - 1) - 2, 0};
    char ts[CLOCK_RFC3339_LEN];
    if (clock_format_rfc3339(ts, sizeof ts, clock_wall_ms()) != 0)
        memcpy(ts, "0000-00-00T00:00:00.000Z", sizeof ts);
    int cut = out_put(&o, "ts=", 3) | out_put(&o, ts, strlen(ts)) |
              out_put(&o, " level=", 7) |
              out_put(&o, level_names[level], strlen(level_names[level])) |
              out_put(&o, " msg=", 5) | put_value(&o, msg != NULL ? msg : "", 1);
    if (!cut && log_rid_set)
        cut = out_put(&o, " request_id=", 12) | put_value(&o, log_rid, 0);
    int in_quote = 0;
    if (!cut && kv_fmt != NULL) {
        char tail[LOG_LINE_MAX];
        int n = vsnprintf(tail, sizeof tail, kv_fmt, ap);
        if (n > 0) {
            cut = out_put(&o, " ", 1) | put_tail(&o, tail, &in_quote);
            cut |= (size_t)n >= sizeof tail;
        }
    }
    o.cap = LOG_LINE_MAX; /* release the held-back room */
    if (cut) {
        if (in_quote)
            (void)out_put(&o, "\"", 1);
        (void)out_put(&o, TRUNC_MARK, sizeof TRUNC_MARK - 1);
    }
    (void)out_put(&o, "\n", 1);
    return o.len;
}

void log_write(enum log_level level, const char *msg, const char *kv_fmt, ...)
{
    if ((unsigned)level >= N_LEVELS || !log_enabled(level))
        return;
    int saved_errno = errno; /* logging must not disturb the caller's errno */
    char line[LOG_LINE_MAX];
    va_list ap;
    va_start(ap, kv_fmt);
    size_t len = format_line(line, level, msg, kv_fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&log_lock);
    FILE *f = log_out != NULL ? log_out : stderr;
    (void)fwrite(line, 1, len, f);
    (void)fflush(f);
    pthread_mutex_unlock(&log_lock);
    errno = saved_errno;
}
