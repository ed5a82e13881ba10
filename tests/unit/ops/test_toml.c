/* TOML reader: the examples of the TOML 1.0 specification (toml.io/en/v1.0.0)
 * with the values the specification states, the tree API (lookup, order,
 * paths, typed reads and their messages), error positions, limits and
 * robustness on arbitrary bytes. The wide cross-check against Python's
 * tomllib is tests/ops/toml_oracle.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ops/toml.h"
#include "test_util.h"

static struct toml_value *parse_ok(const char *doc)
{
    struct toml_value *root = NULL;
    struct toml_error err;
    int rc = toml_parse(&root, doc, strlen(doc), NULL, &err);
    if (rc != 0)
        fail_msg("parse failed: %s\n--- document ---\n%s", kms_err_msg(), doc);
    return root;
}

/* Parses a document that must fail with `code`; returns the error. */
static struct toml_error parse_bad(const char *doc, size_t len, int code)
{
    struct toml_value *root = (struct toml_value *)1;
    struct toml_error err;
    int rc = toml_parse(&root, doc, len, NULL, &err);
    if (rc != code)
        fail_msg("expected %d, got %d (%s) for:\n%s", code, rc, kms_err_msg(), doc);
    assert_null(root);
    return err;
}

static int64_t get_int(const struct toml_value *root, const char *path)
{
    int64_t v = 0;
    const struct toml_value *x = toml_lookup(root, path);
    assert_non_null(x);
    assert_int_equal(toml_get_int(x, &v), 0);
    return v;
}

static double get_float(const struct toml_value *root, const char *path)
{
    double v = 0;
    const struct toml_value *x = toml_lookup(root, path);
    assert_non_null(x);
    assert_int_equal(toml_type(x), TOML_FLOAT);
    assert_int_equal(toml_get_float(x, &v), 0);
    return v;
}

static const char *get_str(const struct toml_value *root, const char *path)
{
    const char *s = NULL;
    const struct toml_value *x = toml_lookup(root, path);
    assert_non_null(x);
    assert_int_equal(toml_get_string(x, &s, NULL), 0);
    return s;
}

static void test_spec_integers(void **state)
{
    (void)state;
    struct toml_value *r = parse_ok("int1 = +99\nint2 = 42\nint3 = 0\nint4 = -17\n"
                                    "int5 = 1_000\nint6 = 5_349_221\nint7 = 53_49_221\n"
                                    "int8 = 1_2_3_4_5\nhex1 = 0xDEADBEEF\nhex2 = 0xdeadbeef\n"
                                    "hex3 = 0xdead_beef\noct1 = 0o01234567\noct2 = 0o755\n"
                                    "bin1 = 0b11010110\nmax = 9223372036854775807\n"
                                    "min = -9223372036854775808\n");
    assert_int_equal(get_int(r, "int1"), 99);
    assert_int_equal(get_int(r, "int2"), 42);
    assert_int_equal(get_int(r, "int3"), 0);
    assert_int_equal(get_int(r, "int4"), -17);
    assert_int_equal(get_int(r, "int5"), 1000);
    assert_int_equal(get_int(r, "int6"), 5349221);
    assert_int_equal(get_int(r, "int7"), 5349221);
    assert_int_equal(get_int(r, "int8"), 12345);
    assert_int_equal(get_int(r, "hex1"), 3735928559);
    assert_int_equal(get_int(r, "hex2"), 3735928559);
    assert_int_equal(get_int(r, "hex3"), 3735928559);
    assert_int_equal(get_int(r, "oct1"), 342391);
    assert_int_equal(get_int(r, "oct2"), 493);
    assert_int_equal(get_int(r, "bin1"), 214);
    assert_true(get_int(r, "max") == INT64_MAX);
    assert_true(get_int(r, "min") == INT64_MIN);
    toml_free(r);

    /* TOML: an integer that does not fit in 64 bits is an error */
    const char *big[] = {"a = 9223372036854775808", "a = -9223372036854775809",
                         "a = 0x8000000000000000", "a = 0o1000000000000000000000",
                         "a = 99999999999999999999999"};
    for (size_t i = 0; i < sizeof big / sizeof big[0]; i++) {
        struct toml_error e = parse_bad(big[i], strlen(big[i]), KMS_EINVAL);
        assert_non_null(strstr(e.msg, "64 bits"));
        assert_int_equal(e.line, 1);
        assert_int_equal(e.col, 5);
    }
}

static void test_spec_floats(void **state)
{
    (void)state;
    struct toml_value *r =
        parse_ok("flt1 = +1.0\nflt2 = 3.1415\nflt3 = -0.01\nflt4 = 5e+22\nflt5 = 1e06\n"
                 "flt6 = -2E-2\nflt7 = 6.626e-34\nflt8 = 224_617.445_991_228\n"
                 "sf1 = inf\nsf2 = +inf\nsf3 = -inf\nsf4 = nan\nsf5 = +nan\nsf6 = -nan\n"
                 "nz = -0.0\nhuge = 1e400\nint_as_float = 7\n");
    assert_true(get_float(r, "flt1") == 1.0);
    assert_true(get_float(r, "flt2") == 3.1415);
    assert_true(get_float(r, "flt3") == -0.01);
    assert_true(get_float(r, "flt4") == 5e22);
    assert_true(get_float(r, "flt5") == 1e6);
    assert_true(get_float(r, "flt6") == -0.02);
    assert_true(get_float(r, "flt7") == 6.626e-34);
    assert_true(get_float(r, "flt8") == 224617.445991228);
    assert_true(isinf(get_float(r, "sf1")) && get_float(r, "sf1") > 0);
    assert_true(isinf(get_float(r, "sf2")) && get_float(r, "sf2") > 0);
    assert_true(isinf(get_float(r, "sf3")) && get_float(r, "sf3") < 0);
    assert_true(isnan(get_float(r, "sf4")));
    assert_true(isnan(get_float(r, "sf5")));
    assert_true(isnan(get_float(r, "sf6")));
    assert_true(get_float(r, "nz") == 0.0 && signbit(get_float(r, "nz")));
    assert_true(isinf(get_float(r, "huge")));
    /* an integer is read as a float when a float is wanted */
    double d = 0;
    assert_int_equal(toml_get_float(toml_lookup(r, "int_as_float"), &d), 0);
    assert_true(d == 7.0);
    toml_free(r);

    const char *bad[] = {"a = .7",   "a = 7.",       "a = 3.e+20", "a = 1e",  "a = 1__0.0",
                         "a = 0.1_", "a = infinity", "a = NaN",    "a = 01.5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        parse_bad(bad[i], strlen(bad[i]), KMS_EINVAL);
}

static void test_spec_strings(void **state)
{
    (void)state;
    struct toml_value *r = parse_ok(
        "str = \"I'm a string. \\\"You can quote me\\\". Name\\tJos\\u00E9\\nLocation\\tSF.\"\n"
        "str1 = \"\"\"\nRoses are red\nViolets are blue\"\"\"\n"
        "str2 = \"\"\"\nThe quick brown \\\n\n\n  fox jumps over \\\n    the lazy dog.\"\"\"\n"
        "str4 = \"\"\"Here are two quotation marks: \"\". Simple enough.\"\"\"\n"
        "str7 = \"\"\"\"This,\" she said, \"is just a pointless statement.\"\"\"\"\n"
        "winpath = 'C:\\Users\\nodejs\\templates'\n"
        "regex2 = '''I [dw]on't need \\d{2} apples'''\n"
        "lines = '''\nThe first newline is\ntrimmed in raw strings.\n   All other whitespace\n"
        "   is preserved.\n'''\n"
        "quot15 = '''Here are fifteen quotation marks: \"\"\"\"\"\"\"\"\"\"\"\"\"\"\"'''\n"
        "apos15 = \"Here are fifteen apostrophes: '''''''''''''''\"\n"
        "nul = \"a\\u0000b\"\n"
        "emoji = \"\\U0001F600\"\n");
    assert_string_equal(get_str(r, "str"),
                        "I'm a string. \"You can quote me\". Name\tJos\xc3\xa9\nLocation\tSF.");
    assert_string_equal(get_str(r, "str1"), "Roses are red\nViolets are blue");
    assert_string_equal(get_str(r, "str2"), "The quick brown fox jumps over the lazy dog.");
    assert_string_equal(get_str(r, "str4"), "Here are two quotation marks: \"\". Simple enough.");
    assert_string_equal(get_str(r, "str7"),
                        "\"This,\" she said, \"is just a pointless statement.\"");
    assert_string_equal(get_str(r, "winpath"), "C:\\Users\\nodejs\\templates");
    assert_string_equal(get_str(r, "regex2"), "I [dw]on't need \\d{2} apples");
    assert_string_equal(get_str(r, "lines"), "The first newline is\ntrimmed in raw strings.\n"
                                             "   All other whitespace\n   is preserved.\n");
    assert_string_equal(get_str(r, "quot15"),
                        "Here are fifteen quotation marks: \"\"\"\"\"\"\"\"\"\"\"\"\"\"\"");
    assert_string_equal(get_str(r, "apos15"), "Here are fifteen apostrophes: '''''''''''''''");
    assert_string_equal(get_str(r, "emoji"), "\xf0\x9f\x98\x80");
    const char *s;
    size_t n;
    assert_int_equal(toml_get_string(toml_lookup(r, "nul"), &s, &n), 0);
    assert_int_equal(n, 3);
    assert_memory_equal(s, "a\0b", 3);
    toml_free(r);

    const char *bad[] = {"a = \"\\uD800\"",       "a = \"\\U00110000\"", "a = \"\\x41\"",
                         "a = \"tab\\q\"",        "a = \"open",          "a = 'open",
                         "a = \"\"\"open",        "a = '''open",         "a = \"a\nb\"",
                         "a = \"\"\"a \\ b\"\"\""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        parse_bad(bad[i], strlen(bad[i]), KMS_EINVAL);
    /* control characters other than tab are not allowed raw */
    parse_bad("a = \"x\x01y\"", 9, KMS_EINVAL);
    parse_bad("a = 'x\x7fy'", 9, KMS_EINVAL);
    parse_bad("a = \"x\0y\"", 9, KMS_EINVAL);
}

static void test_spec_tables(void **state)
{
    (void)state;
    struct toml_value *r =
        parse_ok("name = \"Orange\"\nphysical.color = \"orange\"\nsite.\"google.com\" = true\n"
                 "[dog.\"tater.man\"]\ntype.name = \"pug\"\n"
                 "[fruit]\napple.color = \"red\"\napple.taste.sweet = true\n"
                 "[fruit.apple.texture]\nsmooth = true\n"
                 "[x.y.z.w]\n[x]\nk = 1\n");
    assert_string_equal(get_str(r, "physical.color"), "orange");
    const struct toml_value *site = toml_table_get(r, "site");
    int b = 0;
    assert_int_equal(toml_get_bool(toml_table_get(site, "google.com"), &b), 0);
    assert_true(b);
    const struct toml_value *dog = toml_table_get(toml_table_get(r, "dog"), "tater.man");
    assert_string_equal(get_str(dog, "type.name"), "pug");
    assert_int_equal(toml_get_bool(toml_lookup(r, "fruit.apple.texture.smooth"), &b), 0);
    assert_true(b);
    assert_int_equal(get_int(r, "x.k"), 1);
    assert_int_equal(toml_type(toml_lookup(r, "x.y.z.w")), TOML_TABLE);
    /* definition order is kept */
    const char *order[] = {"name", "physical", "site", "dog", "fruit", "x"};
    assert_int_equal(toml_table_len(r), 6);
    for (size_t i = 0; i < 6; i++)
        assert_string_equal(toml_key(toml_table_at(r, i), NULL), order[i]);
    toml_free(r);

    /* the specification's invalid examples */
    const char *bad[] = {
        "name = \"Tom\"\nname = \"Pradyun\"",
        "spelling = \"favorite\"\n\"spelling\" = \"favourite\"",
        "fruit.apple = 1\nfruit.apple.smooth = true",
        "[fruit]\napple = \"red\"\n[fruit]\norange = \"orange\"",
        "[fruit]\napple = \"red\"\n[fruit.apple]\ntexture = \"smooth\"",
        "[fruit]\napple.color = \"red\"\napple.taste.sweet = true\n[fruit.apple]",
        "[fruit]\napple.color = \"red\"\napple.taste.sweet = true\n[fruit.apple.taste]",
        "[product]\ntype = { name = \"Nail\" }\ntype.edible = false",
        "[product]\ntype.name = \"Nail\"\ntype = { edible = false }",
        "[fruit.physical]\ncolor = \"red\"\n[[fruit]]\nname = \"apple\"",
        "fruits = []\n[[fruits]]",
        "[[fruits]]\nname = \"apple\"\n[[fruits.varieties]]\nname = \"red delicious\"\n"
        "[fruits.varieties]\nname = \"granny smith\"",
        "[[fruits]]\n[fruits.physical]\ncolor = \"red\"\n[[fruits.physical]]\ncolor = \"green\"",
        "= \"no key name\"",
        "key = # INVALID",
        "first = \"Tom\" last = \"Preston-Werner\" # INVALID",
        "a = { b = 1,\n c = 2 }",
        "a = { b = 1, }",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        parse_bad(bad[i], strlen(bad[i]), KMS_EINVAL);
}

static void test_arrays_of_tables(void **state)
{
    (void)state;
    struct toml_value *r = parse_ok("[[fruits]]\nname = \"apple\"\n"
                                    "[fruits.physical]\ncolor = \"red\"\n"
                                    "[[fruits.varieties]]\nname = \"red delicious\"\n"
                                    "[[fruits.varieties]]\nname = \"granny smith\"\n"
                                    "[[fruits]]\nname = \"banana\"\n"
                                    "[[fruits.varieties]]\nname = \"plantain\"\n"
                                    "mixed = [1, \"two\", [3.0], {four = 4}]\n");
    const struct toml_value *fruits = toml_table_get(r, "fruits");
    assert_int_equal(toml_type(fruits), TOML_ARRAY);
    assert_int_equal(toml_array_len(fruits), 2);
    const struct toml_value *apple = toml_array_at(fruits, 0);
    assert_string_equal(get_str(apple, "physical.color"), "red");
    const struct toml_value *vars = toml_table_get(apple, "varieties");
    assert_int_equal(toml_array_len(vars), 2);
    assert_string_equal(get_str(toml_array_at(vars, 1), "name"), "granny smith");
    const struct toml_value *banana = toml_array_at(fruits, 1);
    assert_string_equal(get_str(toml_array_at(toml_table_get(banana, "varieties"), 0), "name"),
                        "plantain");
    assert_null(toml_array_at(fruits, 2));
    /* TOML 1.0 allows mixed arrays; the key went into the last [[header]] */
    const struct toml_value *plantain = toml_array_at(toml_table_get(banana, "varieties"), 0);
    const struct toml_value *mixed = toml_table_get(plantain, "mixed");
    assert_int_equal(toml_array_len(mixed), 4);
    assert_int_equal(toml_type(toml_array_at(mixed, 1)), TOML_STRING);
    assert_int_equal(toml_type(toml_array_at(mixed, 2)), TOML_ARRAY);
    assert_int_equal(get_int(toml_array_at(mixed, 3), "four"), 4);

    char path[128];
    toml_path(toml_lookup(toml_array_at(vars, 1), "name"), path, sizeof path);
    assert_string_equal(path, "fruits[0].varieties[1].name");
    toml_path(r, path, sizeof path);
    assert_string_equal(path, "(root)");
    toml_path(toml_array_at(mixed, 3), path, sizeof path);
    assert_string_equal(path, "fruits[1].varieties[0].mixed[3]");
    toml_path(toml_array_at(mixed, 3), path, 8); /* cut, still terminated */
    assert_string_equal(path, "fruits[");
    toml_free(r);
}

static void test_typed_errors_name_key_and_line(void **state)
{
    (void)state;
    struct toml_value *r = parse_ok("# config\n[service]\nlisten_port = \"50051\"\n"
                                    "[\"odd key\".x]\n\"a.b\" = 1\n");
    int64_t v;
    const struct toml_value *port = toml_lookup(r, "service.listen_port");
    assert_int_equal(toml_line(port), 3);
    assert_int_equal(toml_col(port), 1);
    assert_int_equal(toml_get_int(port, &v), KMS_EINVAL);
    assert_string_equal(kms_err_msg(),
                        "service.listen_port (line 3, column 1): expected integer, found string");
    const struct toml_value *ab = toml_table_get(toml_lookup(r, "odd key.x"), "a.b");
    assert_non_null(ab);
    const char *s;
    assert_int_equal(toml_get_string(ab, &s, NULL), KMS_EINVAL);
    assert_string_equal(kms_err_msg(),
                        "\"odd key\".x.\"a.b\" (line 5, column 1): expected string, found integer");
    assert_int_equal(toml_value_err(port, KMS_EINVAL, "port %d is reserved", 7), KMS_EINVAL);
    assert_string_equal(kms_err_msg(),
                        "service.listen_port (line 3, column 1): port 7 is reserved");
    /* lookups of missing or mistyped paths */
    assert_null(toml_lookup(r, "service.nope"));
    assert_null(toml_lookup(r, "service.listen_port.deeper"));
    assert_null(toml_table_get(port, "x"));
    assert_int_equal(toml_array_len(port), 0);
    toml_free(r);
}

static void test_error_positions(void **state)
{
    (void)state;
    /* duplicate key: reported at the second definition, naming the first */
    const char *d = "a = 1\n\n  a = 2\n";
    struct toml_error e = parse_bad(d, strlen(d), KMS_EINVAL);
    assert_int_equal(e.line, 3);
    assert_int_equal(e.col, 3);
    assert_non_null(strstr(e.msg, "line 1"));
    assert_non_null(strstr(kms_err_msg(), "line 3, column 3: "));
    /* columns count characters, not bytes: "é" is one column */
    d = "k = \"\xc3\xa9\xc3\xa9\" x";
    e = parse_bad(d, strlen(d), KMS_EINVAL);
    assert_int_equal(e.line, 1);
    assert_int_equal(e.col, 10);
    /* errors inside multi-line strings count their newlines */
    d = "a = \"\"\"\none\ntwo \\q\"\"\"";
    e = parse_bad(d, strlen(d), KMS_EINVAL);
    assert_int_equal(e.line, 3);
    assert_int_equal(e.col, 5);
    /* CRLF is a line ending; a lone CR is an error */
    d = "a = 1\r\nb = 2\r\nc = 3 4\r\n";
    e = parse_bad(d, strlen(d), KMS_EINVAL);
    assert_int_equal(e.line, 3);
    assert_int_equal(e.col, 7);
    parse_bad("a = 1\rb = 2", 11, KMS_EINVAL);
    /* invalid UTF-8 anywhere, even in a comment */
    e = parse_bad("a = 1\n# \xc3\x28", 10, KMS_EINVAL);
    assert_int_equal(e.line, 2);
    assert_int_equal(e.col, 3);
    parse_bad("a = \"\xed\xa0\x80\"", 9, KMS_EINVAL); /* encoded surrogate */
    parse_bad("a = \"\xc0\xaf\"", 8, KMS_EINVAL);     /* overlong */
}

static void test_dates_are_unsupported(void **state)
{
    (void)state;
    const char *docs[] = {"odt = 1979-05-27T07:32:00Z", "ld = 1979-05-27", "lt = 07:32:00",
                          "a = [1979-05-27]"};
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        struct toml_error e = parse_bad(docs[i], strlen(docs[i]), KMS_EUNIMPL);
        assert_non_null(strstr(e.msg, "not supported"));
    }
}

static void test_limits(void **state)
{
    (void)state;
    struct toml_value *r;
    struct toml_limits lim = {.max_input = 16, .max_string = 4, .max_depth = 3};
    assert_int_equal(toml_parse(&r, "a = 1234567890123456", 20, &lim, NULL), KMS_ELIMIT);
    assert_int_equal(toml_parse(&r, "a = \"12345\"", 11, &lim, NULL), KMS_ELIMIT);
    assert_int_equal(toml_parse(&r, "a = \"1234\"", 10, &lim, NULL), 0);
    toml_free(r);
    assert_int_equal(toml_parse(&r, "\"12345\" = 1", 11, &lim, NULL), KMS_ELIMIT);
    /* depth: the root is 0, a = [...] is 1 */
    assert_int_equal(toml_parse(&r, "a = [[[1]]]", 11, &lim, NULL), 0);
    toml_free(r);
    assert_int_equal(toml_parse(&r, "a = [[[[1]]]]", 13, &lim, NULL), KMS_ELIMIT);
    assert_int_equal(toml_parse(&r, "[a.b.c.d]", 9, &lim, NULL), KMS_ELIMIT);
    assert_int_equal(toml_parse(&r, "a.b.c.d = {}", 12, &lim, NULL), KMS_ELIMIT);

    /* default depth limit with a very deep document: an error, no crash */
    size_t n = 100000;
    char *deep = malloc(2 * n + 8);
    assert_non_null(deep);
    memcpy(deep, "a = ", 4);
    memset(deep + 4, '[', n);
    memset(deep + 4 + n, ']', n);
    assert_int_equal(toml_parse(&r, deep, 4 + 2 * n, NULL, NULL), KMS_ELIMIT);
    memset(deep + 4, '{', n);
    assert_int_equal(toml_parse(&r, deep, 4 + n, NULL, NULL), KMS_EINVAL); /* { needs a key */
    for (size_t i = 0; i < n / 8; i++)
        memcpy(deep + 4 + 8 * i, "{a = ", 5), memset(deep + 9 + 8 * i, ' ', 3);
    assert_int_equal(toml_parse(&r, deep, 4 + 8 * (n / 8), NULL, NULL), KMS_ELIMIT);
    free(deep);
}

static void test_many_keys(void **state)
{
    (void)state;
    /* the hashed index: 20000 keys, each found, and a late duplicate caught */
    size_t n = 20000;
    char *doc = malloc(n * 16 + 32);
    assert_non_null(doc);
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(doc + len, "k%zu = %zu\n", i, i);
    struct toml_value *r = parse_ok(doc);
    assert_int_equal(toml_table_len(r), n);
    for (size_t i = 0; i < n; i += 97) {
        char key[16];
        snprintf(key, sizeof key, "k%zu", i);
        assert_int_equal(get_int(r, key), (int64_t)i);
    }
    assert_null(toml_table_get(r, "k20000"));
    toml_free(r);
    len += (size_t)sprintf(doc + len, "k12345 = 0\n");
    struct toml_error e = parse_bad(doc, len, KMS_EINVAL);
    assert_int_equal(e.line, n + 1);
    assert_non_null(strstr(e.msg, "duplicate key k12345 (first defined at line 12346)"));
    free(doc);
}

static void test_parse_file(void **state)
{
    (void)state;
    struct toml_value *r;
    struct toml_error e;
    assert_int_equal(toml_parse_file(&r, "/nonexistent/ckms.toml", NULL, &e), KMS_EIO);
    assert_null(r);
    assert_non_null(strstr(kms_err_msg(), "/nonexistent/ckms.toml"));

    char path[256];
    int fd = test_mkstemp(path, sizeof path, "ckms-test-toml");
    assert_true(fd >= 0);
    const char *doc = "[service]\nlisten_port = 50051\nbad = [1 2]\n";
    assert_int_equal(write(fd, doc, strlen(doc)), (ssize_t)strlen(doc));
    close(fd);
    assert_int_equal(toml_parse_file(&r, path, NULL, &e), KMS_EINVAL);
    assert_int_equal(e.line, 3);
    assert_int_equal(e.col, 10);
    assert_non_null(strstr(kms_err_msg(), path));
    assert_non_null(strstr(kms_err_msg(), "line 3, column 10"));
    struct toml_limits lim = {.max_input = 8};
    assert_int_equal(toml_parse_file(&r, path, &lim, NULL), KMS_ELIMIT);
    unlink(path);
}

/* Arbitrary bytes never crash and never leak (checked under ASan). */
static void test_random_bytes(void **state)
{
    (void)state;
    static const char alphabet[] = "ab1.=\"'[]{},#\n \t\\u0x_e+-:\r\x01\xc3\xa9tf";
    uint64_t x = 0x9e3779b97f4a7c15u;
    char doc[64];
    for (int iter = 0; iter < 20000; iter++) {
        size_t len = (size_t)(iter % 63) + 1;
        for (size_t i = 0; i < len; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            doc[i] = alphabet[x % (sizeof alphabet - 1)];
        }
        struct toml_value *r = NULL;
        int rc = toml_parse(&r, doc, len, NULL, NULL);
        assert_true(rc == 0 || rc == KMS_EINVAL || rc == KMS_EUNIMPL);
        assert_true((rc == 0) == (r != NULL));
        toml_free(r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_integers),
        cmocka_unit_test(test_spec_floats),
        cmocka_unit_test(test_spec_strings),
        cmocka_unit_test(test_spec_tables),
        cmocka_unit_test(test_arrays_of_tables),
        cmocka_unit_test(test_typed_errors_name_key_and_line),
        cmocka_unit_test(test_error_positions),
        cmocka_unit_test(test_dates_are_unsupported),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_many_keys),
        cmocka_unit_test(test_parse_file),
        cmocka_unit_test(test_random_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
