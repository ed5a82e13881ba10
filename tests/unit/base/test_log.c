/* Logging: every line is parsed back with an independent logfmt reader
 * written here (quoted values with \" \\ \n \r \t \uXXXX escapes, bare
 * values up to the next space, as in go-logfmt). Checks the line layout,
 * quoting round trips of tricky and random strings, cuts that keep values
 * parseable, the level filter, the thread-local request id, and that lines
 * written from many threads at once never interleave. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/log.h"

/* ---- reference logfmt reader ---------------------------------------- */

#define MAX_PAIRS 16
#define MAX_VAL 20000

struct pair {
    char key[64];
    char val[MAX_VAL];
    int quoted;
};

static struct pair pairs[MAX_PAIRS];

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Parses one value at *s into out; returns 0 or -1 when malformed. */
static int parse_value(const char **s, char *out, int *quoted)
{
    const char *p = *s;
    size_t n = 0;
    *quoted = *p == '"';
    if (!*quoted) {
        while (*p != '\0' && *p != ' ' && *p != '\n') {
            if (*p == '"' || *p == '=' || (unsigned char)*p < 0x20)
                return -1;
            out[n++] = *p++;
        }
    } else {
        for (p++;; p++) {
            if (*p == '\0' || (unsigned char)*p < 0x20)
                return -1; /* unterminated, or a raw control character */
            if (*p == '"')
                break;
            if (*p != '\\') {
                out[n++] = *p;
                continue;
            }
            p++;
            switch (*p) {
            case '"': out[n++] = '"'; break;
            case '\\': out[n++] = '\\'; break;
            case 'n': out[n++] = '\n'; break;
            case 'r': out[n++] = '\r'; break;
            case 't': out[n++] = '\t'; break;
            case 'u': {
                int v = 0;
                for (int i = 1; i <= 4; i++) {
                    int h = hexval(p[i]);
                    if (h < 0)
                        return -1;
                    v = v * 16 + h;
                }
                if (v > 0x7f)
                    return -1;
                out[n++] = (char)v;
                p += 4;
                break;
            }
            default: return -1;
            }
        }
        p++;
    }
    out[n] = '\0';
    *s = p;
    return 0;
}

/* Parses a whole line (without its newline); returns the pair count or -1. */
static int parse_line(const char *line)
{
    int np = 0;
    const char *p = line;
    while (*p != '\0') {
        if (np == MAX_PAIRS)
            return -1;
        size_t k = 0;
        while (*p != '=' && *p != '\0' && *p != ' ' && *p != '"' && k < 63)
            pairs[np].key[k++] = *p++;
        pairs[np].key[k] = '\0';
        if (k == 0 || *p != '=')
            return -1;
        p++;
        if (parse_value(&p, pairs[np].val, &pairs[np].quoted) != 0)
            return -1;
        np++;
        if (*p == ' ')
            p++;
        else if (*p != '\0')
            return -1;
    }
    return np;
}

static const char *value_of(int np, const char *key)
{
    for (int i = 0; i < np; i++)
        if (strcmp(pairs[i].key, key) == 0)
            return pairs[i].val;
    return NULL;
}

/* ---- capture --------------------------------------------------------- */

static FILE *capture;

static int setup(void **state)
{
    (void)state;
    capture = tmpfile();
    if (capture == NULL)
        return -1;
    log_set_output(capture);
    log_set_level(LOG_INFO);
    log_clear_request_id();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    log_set_output(NULL);
    fclose(capture);
    return 0;
}

/* Everything written so far, as a malloc'd string; consumes it. */
static char *take_output(void)
{
    long n = ftell(capture);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    rewind(capture);
    assert_int_equal(fread(s, 1, (size_t)n, capture), (size_t)n);
    s[n] = '\0';
    rewind(capture);
    assert_int_equal(ftruncate(fileno(capture), 0), 0);
    return s;
}

/* The single line written since the last take, parsed; returns the pairs. */
static int take_one_line(void)
{
    char *s = take_output();
    size_t n = strlen(s);
    assert_true(n > 0 && s[n - 1] == '\n');
    s[n - 1] = '\0';
    assert_null(strchr(s, '\n'));
    assert_true(n <= LOG_LINE_MAX);
    int np = parse_line(s);
    if (np < 0)
        fail_msg("unparseable line: %s", s);
    free(s);
    return np;
}

/* ---- tests ----------------------------------------------------------- */

static void test_log_line_layout(void **state)
{
    (void)state;
    uint64_t before = clock_wall_ms();
    log_info("key generated", "key_id=%s bits=%d", "0badc0de", 64);
    int np = take_one_line();
    assert_int_equal(np, 5);
    assert_string_equal(pairs[0].key, "ts");
    assert_string_equal(pairs[1].key, "level");
    assert_string_equal(pairs[1].val, "info");
    assert_string_equal(pairs[2].key, "msg");
    assert_string_equal(pairs[2].val, "key generated");
    assert_int_equal(pairs[2].quoted, 1);
    assert_string_equal(pairs[3].key, "key_id");
    assert_string_equal(pairs[3].val, "0badc0de");
    assert_string_equal(pairs[4].key, "bits");
    assert_string_equal(pairs[4].val, "64");
    /* the timestamp is now, to the second */
    char lo[CLOCK_RFC3339_LEN], hi[CLOCK_RFC3339_LEN];
    assert_int_equal(clock_format_rfc3339(lo, sizeof lo, before / 1000 * 1000), 0);
    assert_int_equal(clock_format_rfc3339(hi, sizeof hi, clock_wall_ms() + 1000), 0);
    assert_int_equal(strlen(pairs[0].val), CLOCK_RFC3339_LEN - 1);
    assert_true(strcmp(pairs[0].val, lo) >= 0 && strcmp(pairs[0].val, hi) <= 0);

    /* no tail, and a quoted message even when it is one word */
    log_error("boom", NULL);
    np = take_one_line();
    assert_int_equal(np, 3);
    assert_string_equal(pairs[1].val, "error");
    assert_string_equal(pairs[2].val, "boom");
    assert_int_equal(pairs[2].quoted, 1);
    log_warn(NULL, "%s", "");
    np = take_one_line();
    assert_int_equal(np, 3);
    assert_string_equal(pairs[2].val, "");
}

static const char *const tricky[] = {
    "plain", "", " ", "two words", "a=b", "=", "say \"hi\"", "\"", "back\\slash",
    "tab\there", "new\nline", "cr\rlf\n", "\x01\x02\x1f\x7f", "utf-8 \xc3\xa9t\xc3\xa9",
    "trailing\\", "\\\"", "key=\"v\" x=y",
};

static void test_log_quote_round_trip(void **state)
{
    (void)state;
    char q[6 * 64 + 3], dec[MAX_VAL];
    for (size_t i = 0; i < sizeof tricky / sizeof tricky[0]; i++) {
        const char *v = tricky[i];
        assert_ptr_equal(log_quote(q, sizeof q, v), q);
        const char *p = q;
        int quoted;
        assert_int_equal(parse_value(&p, dec, &quoted), 0);
        assert_int_equal(*p, '\0');
        assert_string_equal(dec, v);
        int must_quote = *v == '\0' || strpbrk(v, " =\"") != NULL;
        for (const char *c = v; *c; c++)
            must_quote |= (unsigned char)*c < 0x20 || *c == 0x7f;
        assert_int_equal(quoted, must_quote);
        /* the same string as a message survives the whole line */
        log_info(v, "k=%s", q);
        int np = take_one_line();
        assert_int_equal(np, 4);
        assert_string_equal(value_of(np, "msg"), v);
        assert_string_equal(value_of(np, "k"), v);
    }
    assert_string_equal(log_quote(q, sizeof q, NULL), "\"\"");
}

static void test_log_quote_random(void **state)
{
    (void)state;
    uint64_t x = 88172645463325252u;
    char v[64], q[6 * 64 + 3], dec[MAX_VAL];
    for (int t = 0; t < 5000; t++) {
        size_t n = 0, len = (size_t)(t % 63);
        while (n < len) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            char c = (char)(x >> 40);
            if (c != '\0')
                v[n++] = c;
        }
        v[n] = '\0';
        log_quote(q, sizeof q, v);
        assert_true(strlen(q) < sizeof q);
        for (const char *c = q; *c; c++) /* never a raw control character */
            assert_false((unsigned char)*c < 0x20 || *c == 0x7f);
        const char *p = q;
        int quoted;
        assert_int_equal(parse_value(&p, dec, &quoted), 0);
        assert_string_equal(dec, v);
    }
}

/* Cut at every capacity: NUL-terminated, still parseable, a prefix. */
static void test_log_quote_cut(void **state)
{
    (void)state;
    static const char *const vals[] = {"say \"hi\" \x01 \xc3\xa9\xc3\xa9 end", "bareword\xc3\xa9xyz"};
    char dec[MAX_VAL];
    for (size_t k = 0; k < 2; k++) {
        const char *v = vals[k];
        for (size_t cap = 1; cap < 60; cap++) {
            char q[64];
            memset(q, 'Z', sizeof q);
            log_quote(q, cap, v);
            assert_true(strlen(q) < cap);
            assert_int_equal(q[cap], 'Z'); /* nothing written past cap */
            if (q[0] == '\0')
                continue;
            const char *p = q;
            int quoted;
            if (parse_value(&p, dec, &quoted) != 0)
                fail_msg("cap %zu gave unparseable %s", cap, q);
            assert_int_equal(*p, '\0');
            assert_memory_equal(dec, v, strlen(dec));
            /* no UTF-8 sequence is split */
            size_t dl = strlen(dec);
            if (dl > 0 && dl < strlen(v))
                assert_false(((unsigned char)v[dl] & 0xC0) == 0x80);
        }
    }
    char one[1] = {'Z'};
    log_quote(one, 1, "x");
    assert_int_equal(one[0], '\0');
    log_quote(one, 0, "x"); /* writes nothing */
}

static void test_log_levels(void **state)
{
    (void)state;
    log_set_level(LOG_WARN);
    assert_int_equal(log_get_level(), LOG_WARN);
    assert_true(log_enabled(LOG_ERROR));
    assert_true(log_enabled(LOG_WARN));
    assert_false(log_enabled(LOG_INFO));
    log_info("hidden", NULL);
    log_debug("hidden", NULL);
    log_trace("hidden", NULL);
    log_warn("shown", NULL);
    log_error("shown", NULL);
    char *out = take_output();
    assert_null(strstr(out, "hidden"));
    assert_non_null(strstr(out, "level=warn msg=\"shown\""));
    assert_non_null(strstr(out, "level=error msg=\"shown\""));
    free(out);

    log_set_level(LOG_TRACE);
    log_trace("t", NULL);
    log_write((enum log_level)99, "bogus level", NULL);
    out = take_output();
    assert_non_null(strstr(out, "level=trace msg=\"t\""));
    assert_null(strstr(out, "bogus"));
    free(out);
    log_set_level((enum log_level)-1); /* ignored */
    assert_int_equal(log_get_level(), LOG_TRACE);
    log_set_level(LOG_INFO);
}

static void test_log_parse_level(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        enum log_level l;
    } ok[] = {{"error", LOG_ERROR}, {"warn", LOG_WARN}, {"warning", LOG_WARN},
              {"info", LOG_INFO}, {"debug", LOG_DEBUG}, {"trace", LOG_TRACE},
              {"INFO", LOG_INFO}, {"Debug", LOG_DEBUG}, {"WARNING", LOG_WARN}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        enum log_level l = LOG_ERROR;
        assert_int_equal(log_parse_level(&l, ok[i].s), 0);
        assert_int_equal(l, ok[i].l);
    }
    static const char *const bad[] = {"", "inf", "infos", "verbose", " info", "3", "err"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        enum log_level l = LOG_DEBUG;
        assert_int_equal(log_parse_level(&l, bad[i]), KMS_EINVAL);
        assert_int_equal(l, LOG_DEBUG);
    }
    enum log_level l = LOG_DEBUG;
    assert_int_equal(log_parse_level(&l, NULL), KMS_EINVAL);
    assert_string_equal(log_level_name(LOG_ERROR), "error");
    assert_string_equal(log_level_name(LOG_TRACE), "trace");
    assert_string_equal(log_level_name((enum log_level)5), "unknown");
}

static void *log_from_other_thread(void *arg)
{
    (void)arg;
    log_info("other", NULL);
    return (void *)log_request_id();
}

static void test_log_request_id(void **state)
{
    (void)state;
    assert_null(log_request_id());
    log_set_request_id("req-42");
    assert_string_equal(log_request_id(), "req-42");
    log_info("m", "k=v");
    int np = take_one_line();
    assert_int_equal(np, 5);
    assert_string_equal(pairs[3].key, "request_id");
    assert_string_equal(pairs[3].val, "req-42");
    assert_string_equal(pairs[4].key, "k");

    /* thread-local: another thread has none */
    pthread_t t;
    void *other_id = (void *)1;
    assert_int_equal(pthread_create(&t, NULL, log_from_other_thread, NULL), 0);
    assert_int_equal(pthread_join(t, &other_id), 0);
    assert_null(other_id);
    np = take_one_line();
    assert_null(value_of(np, "request_id"));

    log_set_request_id("has space");
    log_info("m", NULL);
    np = take_one_line();
    assert_string_equal(value_of(np, "request_id"), "has space");

    char long_id[300];
    memset(long_id, 'r', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = '\0';
    log_set_request_id(long_id);
    assert_int_equal(strlen(log_request_id()), LOG_REQUEST_ID_MAX);

    log_clear_request_id();
    assert_null(log_request_id());
    log_info("m", NULL);
    np = take_one_line();
    assert_null(value_of(np, "request_id"));
    log_set_request_id("x");
    log_set_request_id(NULL);
    assert_null(log_request_id());
}

static void test_log_tail_control_chars(void **state)
{
    (void)state;
    /* a careless caller cannot start a new line */
    log_info("m", "a=%s b=%s", "x\ny", "\"q\tq\"");
    int np = take_one_line();
    assert_int_equal(np, 5);
    assert_string_equal(value_of(np, "a"), "x\\ny"); /* bare: escape kept literally */
    assert_string_equal(value_of(np, "b"), "q\tq");
}

static void test_log_truncation(void **state)
{
    (void)state;
    static char big[3 * LOG_LINE_MAX];
    memset(big, 'm', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    log_info(big, "k=v");
    int np = take_one_line();
    assert_string_equal(value_of(np, "truncated"), "true");
    assert_true(strlen(value_of(np, "msg")) > LOG_LINE_MAX / 2);
    assert_null(value_of(np, "k"));

    /* a tail cut inside a quoted value gets its quote closed */
    log_info("m", "k=\"%s\" after=1", big);
    np = take_one_line();
    assert_string_equal(value_of(np, "truncated"), "true");
    assert_non_null(value_of(np, "k"));
    assert_null(value_of(np, "after"));
    /* and one cut in a bare value */
    log_info("m", "k=%s", big);
    np = take_one_line();
    assert_string_equal(value_of(np, "truncated"), "true");
    /* a long tail that fits is kept whole */
    log_info("m", "k=%.*s", LOG_LINE_MAX / 2, big);
    np = take_one_line();
    assert_int_equal(strlen(value_of(np, "k")), LOG_LINE_MAX / 2);
    assert_null(value_of(np, "truncated"));
}

static void test_log_append_kv(void **state)
{
    (void)state;
    char line[32] = "a=1";
    assert_int_equal(log_append_kv(line, sizeof line, "k", "v v"), 0);
    assert_string_equal(line, "a=1 k=\"v v\"");
    assert_int_equal(log_append_kv(line, sizeof line, "n", "7"), 0);
    assert_string_equal(line, "a=1 k=\"v v\" n=7");
    assert_int_equal(log_append_kv(line, sizeof line, "long", "0123456789abcdef"),
                     KMS_ELIMIT);
    assert_string_equal(line, "a=1 k=\"v v\" n=7");
    assert_int_equal(log_append_kv(line, sizeof line, "bad key", "v"), KMS_EINVAL);
    assert_int_equal(log_append_kv(line, sizeof line, "", "v"), KMS_EINVAL);
    assert_int_equal(log_append_kv(line, sizeof line, "k=", "v"), KMS_EINVAL);
    char empty[16] = "";
    assert_int_equal(log_append_kv(empty, sizeof empty, "e", ""), 0);
    assert_string_equal(empty, " e=\"\"");
}

static void test_log_keeps_errno(void **state)
{
    (void)state;
    errno = ENOENT;
    log_info("m", NULL);
    assert_int_equal(errno, ENOENT);
    free(take_output());
}

/* ---- many threads ----------------------------------------------------- */

#define N_THREADS 8
#define N_LINES 300
#define FILL 600

static void *log_many(void *arg)
{
    int id = (int)(size_t)arg;
    char fill[FILL + 1];
    memset(fill, 'a' + id, FILL);
    fill[FILL] = '\0';
    char rid[16];
    snprintf(rid, sizeof rid, "t%d", id);
    log_set_request_id(rid);
    for (int i = 0; i < N_LINES; i++)
        log_info("concurrent line", "thread=%d seq=%d fill=%s", id, i, fill);
    return NULL;
}

static void test_log_threads_never_interleave(void **state)
{
    (void)state;
    pthread_t t[N_THREADS];
    for (size_t i = 0; i < N_THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, log_many, (void *)i), 0);
    for (size_t i = 0; i < N_THREADS; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);

    char *out = take_output();
    int next_seq[N_THREADS] = {0};
    int lines = 0;
    for (char *save = NULL, *line = strtok_r(out, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        int np = parse_line(line);
        if (np != 7)
            fail_msg("bad line %d: %.80s", lines, line);
        int id = atoi(value_of(np, "thread"));
        assert_true(id >= 0 && id < N_THREADS);
        char rid[16];
        snprintf(rid, sizeof rid, "t%d", id);
        assert_string_equal(value_of(np, "request_id"), rid);
        assert_int_equal(atoi(value_of(np, "seq")), next_seq[id]);
        next_seq[id]++;
        const char *fill = value_of(np, "fill");
        assert_int_equal(strlen(fill), FILL);
        for (int k = 0; k < FILL; k++)
            assert_int_equal(fill[k], 'a' + id);
        lines++;
    }
    assert_int_equal(lines, N_THREADS * N_LINES);
    for (int i = 0; i < N_THREADS; i++)
        assert_int_equal(next_seq[i], N_LINES);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_log_line_layout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_log_quote_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_log_quote_random, setup, teardown),
        cmocka_unit_test_setup_teardown(test_log_quote_cut, setup, teardown),
        cmocka_unit_test_setup_teardown(test_log_levels, setup, teardown),
        cmocka_unit_test_setup_teardown(test_log_parse_level, setup, teardown),
        cmocka_unit_test_setup_teardown(test_log_request_id, setup, teardown),
        cmocka_unit_test_setup_teardown(test_log_tail_control_chars, setup, teardown),
        cmocka_unit_test_setup_teardown(test_log_truncation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_log_append_kv, setup, teardown),
        cmocka_unit_test_setup_teardown(test_log_keeps_errno, setup, teardown),
        cmocka_unit_test_setup_teardown(test_log_threads_never_interleave, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
