/* Encryption at rest: the vault conformance suite through the encrypting
 * wrapper (over files with 1 MiB chunks, over memory with 4 KiB chunks), a
 * re-derivation of the documented object format with the primitives alone,
 * and rejection (KMS_EVERIFY, nothing returned) of a wrong KEK, flipped bits
 * anywhere, objects moved to another address, truncation, extension,
 * dropped, repeated and reordered chunks, and unencrypted objects. Also KEK
 * loading from hex, files and the environment. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>

#include "crypto/aes.h"
#include "crypto/keccak.h"
#include "store/vault_suite.h"

static const uint8_t kek_bytes[32] = {
    0x5a, 0x11, 0x7e, 0x93, 0x0c, 0x44, 0xd2, 0x8b, 0x61, 0xf0, 0x3a, 0x9d, 0x27, 0xc5, 0x80, 0x1e,
    0xb6, 0x4f, 0x72, 0x08, 0xe9, 0x35, 0xad, 0x5c, 0x13, 0x87, 0xfe, 0x60, 0x2b, 0xd4, 0x99, 0x46,
};

static struct vault_kek *test_kek(void)
{
    struct vault_kek *k;
    assert_int_equal(vault_kek_from_bytes(&k, kek_bytes, sizeof kek_bytes), 0);
    return k;
}

static int wrap(struct suite_ctx *c, struct vault *inner, unsigned shift)
{
    struct vault_kek *k = test_kek();
    c->inner = inner;
    int rc = vault_crypt_wrap(&c->v, inner, k, shift);
    vault_kek_free(k);
    return rc;
}

static int open_crypt_file(struct suite_ctx *c)
{
    struct vault *inner;
    KMS_TRY(vault_file_open(&inner, c->root, "PRIV", c->flags));
    return wrap(c, inner, 0);
}

static int open_crypt_file_small(struct suite_ctx *c)
{
    struct vault *inner;
    KMS_TRY(vault_file_open(&inner, c->root, "PRIV", c->flags));
    return wrap(c, inner, 12);
}

static int open_crypt_mem(struct suite_ctx *c)
{
    struct vault *inner;
    KMS_TRY(vault_mem_open(&inner, "PRIV", c->flags));
    return wrap(c, inner, 12);
}

static const struct suite_backend crypt_file = {"encrypted file", open_crypt_file};
static const struct suite_backend crypt_file_small = {"encrypted file 4k", open_crypt_file_small};
static const struct suite_backend crypt_mem = {"encrypted memory", open_crypt_mem};

/* --- raw access to the stored (encrypted) bytes ------------------------------------ */

static void raw_get(struct suite_ctx *c, struct buf *out, const struct vault_addr *a)
{
    buf_init(out, 1u << 26);
    assert_int_equal(vault_read(c->inner, out, a), 0);
}

static void raw_put(struct suite_ctx *c, const struct vault_addr *a, const uint8_t *p, size_t n)
{
    int rc = vault_delete(c->inner, a);
    assert_true(rc == 0 || rc == KMS_ENOTFOUND);
    assert_int_equal(vault_store(c->inner, a, p, n), 0);
}

/* Reading a must fail with KMS_EVERIFY and hand out nothing. */
static void expect_rejected(struct suite_ctx *c, const struct vault_addr *a)
{
    struct buf b;
    buf_init(&b, 1u << 26);
    assert_int_equal(vault_read(c->v, &b, a), KMS_EVERIFY);
    assert_int_equal(b.len, 0);
    assert_true(strlen(kms_err_msg()) > 0);
    buf_free(&b);
}

#define HDR VAULT_CRYPT_HEADER_BYTES
#define TAG VAULT_CRYPT_TAG_BYTES
#define CH 4096 /* the chunk size of crypt_file_small */

/* --- the format, re-derived from its description in vault_impl.h ---------------------- */

static void spec_aad(uint8_t *aad, size_t *len, const uint8_t *hdr, const char *type,
                     const char *epoch, const char *id)
{
    memcpy(aad, hdr, HDR);
    size_t n = HDR;
    const char *parts[3] = {type, epoch, id};
    for (int i = 0; i < 3; i++) {
        size_t l = parts[i] != NULL ? strlen(parts[i]) : 0;
        aad[n++] = (uint8_t)l;
        if (l > 0)
            memcpy(aad + n, parts[i], l);
        n += l;
    }
    *len = n;
}

static void spec_open_chunk(uint8_t *pt, const uint8_t *ct, size_t ct_len, const uint8_t *hdr,
                            const uint8_t *key, const uint8_t *aad, size_t aad_len, uint32_t i,
                            int last)
{
    uint8_t nonce[12];
    memcpy(nonce, hdr + 40, 7);
    nonce[7] = (uint8_t)(i >> 24);
    nonce[8] = (uint8_t)(i >> 16);
    nonce[9] = (uint8_t)(i >> 8);
    nonce[10] = (uint8_t)i;
    nonce[11] = (uint8_t)last;
    assert_int_equal(aes256gcm_decrypt(pt, ct, ct_len, aad, aad_len, key, nonce), 0);
}

static void test_format_spec(void **state)
{
    struct suite_ctx *c = *state;
    char id[VAULT_ID_BUF], ep[VAULT_ID_BUF];
    make_id(id, 1);
    make_id(ep, 2);
    enum { N = 2 * CH + 1808 };
    static uint8_t data[N];
    pattern(data, N, 0, 1);
    memcpy(data + 5000, "SECRET-MARKER", 13);
    const struct vault_addr *a = VAULT_ADDR_EPOCH(VAULT_PRIV_FHE_PRIVATE_KEY, ep, id);
    assert_int_equal(vault_store(c->v, a, data, N), 0);

    struct buf raw;
    raw_get(c, &raw, a);
    assert_int_equal(raw.len, HDR + N + 3 * TAG);
    assert_null(memmem(raw.data, raw.len, "SECRET-MARKER", 13));
    const uint8_t *h = raw.data;
    assert_memory_equal(h, "CKVE", 4);
    assert_int_equal(h[4], 1);
    assert_int_equal(h[5], 1);
    assert_int_equal(h[6], 12);
    assert_int_equal(h[7], 0);
    assert_int_equal(h[47], 0);

    /* key ‖ check = SHAKE256(label ‖ KEK ‖ header[0..48]) */
    static const char label[] = "ckms vault object key v1";
    uint8_t kc[48];
    struct keccak k;
    keccak_init_shake256(&k);
    keccak_absorb(&k, label, sizeof label - 1);
    keccak_absorb(&k, kek_bytes, 32);
    keccak_absorb(&k, h, 48);
    keccak_squeeze(&k, kc, sizeof kc);
    assert_memory_equal(kc + 32, h + 48, 16);

    uint8_t aad[400];
    size_t aad_len;
    spec_aad(aad, &aad_len, h, VAULT_PRIV_FHE_PRIVATE_KEY, ep, id);
    static uint8_t pt[N];
    const uint8_t *ct = raw.data + HDR;
    spec_open_chunk(pt, ct, CH + TAG, h, kc, aad, aad_len, 0, 0);
    spec_open_chunk(pt + CH, ct + CH + TAG, CH + TAG, h, kc, aad, aad_len, 1, 0);
    spec_open_chunk(pt + 2 * CH, ct + 2 * (CH + TAG), 1808 + TAG, h, kc, aad, aad_len, 2, 1);
    assert_memory_equal(pt, data, N);

    /* a second object with the same content: fresh salt and nonce prefix */
    char id2[VAULT_ID_BUF];
    make_id(id2, 3);
    const struct vault_addr *a2 = VAULT_ADDR_EPOCH(VAULT_PRIV_FHE_PRIVATE_KEY, ep, id2);
    assert_int_equal(vault_store(c->v, a2, data, N), 0);
    struct buf raw2;
    raw_get(c, &raw2, a2);
    assert_memory_not_equal(raw2.data + 8, raw.data + 8, 39);
    assert_memory_not_equal(raw2.data + HDR, raw.data + HDR, 64);
    buf_free(&raw);
    buf_free(&raw2);
    assert_int_equal(vault_is_encrypted(c->v), 1);
    assert_string_equal(vault_backend_name(c->v), "encrypted");
}

static void test_empty_object_format(void **state)
{
    struct suite_ctx *c = *state;
    char id[VAULT_ID_BUF];
    make_id(id, 4);
    assert_int_equal(vault_store(c->v, VAULT_ADDR(T_TYPE, id), NULL, 0), 0);
    struct buf raw;
    raw_get(c, &raw, VAULT_ADDR(T_TYPE, id));
    assert_int_equal(raw.len, HDR + TAG); /* one empty, authenticated chunk */
    /* dropping that chunk is detected */
    raw_put(c, VAULT_ADDR(T_TYPE, id), raw.data, HDR);
    expect_rejected(c, VAULT_ADDR(T_TYPE, id));
    buf_free(&raw);
}

/* --- wrong KEK ------------------------------------------------------------------------ */

static void test_wrong_kek(void **state)
{
    struct suite_ctx *c = *state;
    char id[VAULT_ID_BUF];
    make_id(id, 5);
    const struct vault_addr *a = VAULT_ADDR(VAULT_PRIV_SIGNING_KEY, id);
    assert_int_equal(vault_store(c->v, a, "the signing key", 15), 0);

    struct vault *inner, *other;
    assert_int_equal(vault_file_open(&inner, c->root, "PRIV", VAULT_F_PRIVATE), 0);
    uint8_t wrong[32];
    memcpy(wrong, kek_bytes, 32);
    wrong[31] ^= 1;
    struct vault_kek *k;
    assert_int_equal(vault_kek_from_bytes(&k, wrong, 32), 0);
    assert_int_equal(vault_crypt_wrap(&other, inner, k, 12), 0);
    vault_kek_free(k);

    struct buf b;
    buf_init_secret(&b, 1024);
    assert_int_equal(vault_read(other, &b, a), KMS_EVERIFY);
    assert_non_null(strstr(kms_err_msg(), "wrong key-encryption key"));
    assert_int_equal(b.len, 0);
    uint64_t size;
    assert_int_equal(vault_size(other, &size, a), KMS_EVERIFY);
    struct vault_reader *r = (void *)1;
    assert_int_equal(vault_reader_open(other, &r, a), KMS_EVERIFY);
    assert_null(r);
    /* existence and listing need no key */
    assert_int_equal(vault_exists(other, a), 1);
    vault_free(other);
    /* the right key still reads it */
    expect_content(c->v, a, "the signing key", 15);
    buf_free(&b);
}

/* --- tampering ------------------------------------------------------------------------- */

static void test_bit_flips(void **state)
{
    struct suite_ctx *c = *state;
    char id[VAULT_ID_BUF];
    make_id(id, 6);
    enum { N = 2 * CH + 700 };
    static uint8_t data[N];
    pattern(data, N, 0, 6);
    const struct vault_addr *a = VAULT_ADDR(VAULT_PRIV_FHE_PRIVATE_KEY, id);
    assert_int_equal(vault_store(c->v, a, data, N), 0);
    struct buf raw;
    raw_get(c, &raw, a);
    size_t len = raw.len;
    /* magic; version, algorithm, chunk size, reserved; salt; nonce prefix,
     * reserved; key check; chunk 0 ciphertext; chunk 0 tag; chunk 1; the
     * last chunk; its tag */
    const size_t offsets[] = {
        0, 3, 4, 5, 6, 7, 8, 20, 39, 40, 46, 47, 48, 63,
        HDR, HDR + 1000, HDR + CH - 1, HDR + CH, HDR + CH + TAG - 1, HDR + CH + TAG + 5,
        HDR + 2 * (CH + TAG), len - TAG, len - 1,
    };
    for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++) {
        for (int bit = 0; bit < 8; bit += 7) {
            raw.data[offsets[i]] ^= (uint8_t)(1u << bit);
            raw_put(c, a, raw.data, len);
            expect_rejected(c, a);
            raw.data[offsets[i]] ^= (uint8_t)(1u << bit);
        }
    }
    raw_put(c, a, raw.data, len);
    expect_content(c->v, a, data, N);

    /* streaming: the intact chunk 0 arrives, the damaged chunk 1 fails, and
     * the reader stays failed */
    raw.data[HDR + CH + TAG + 5] ^= 0x20;
    raw_put(c, a, raw.data, len);
    struct vault_reader *r;
    assert_int_equal(vault_reader_open(c->v, &r, a), 0);
    static uint8_t got[N];
    assert_int_equal(vault_reader_read_exact(r, got, CH), 0);
    assert_memory_equal(got, data, CH);
    size_t n = 123;
    assert_int_equal(vault_reader_read(r, got, 10, &n), KMS_EVERIFY);
    assert_int_equal(n, 0);
    assert_int_equal(vault_reader_read(r, got, 10, &n), KMS_EVERIFY);
    vault_reader_close(r);
    buf_free(&raw);
}

static void test_moved_objects(void **state)
{
    struct suite_ctx *c = *state;
    char ida[VAULT_ID_BUF], idb[VAULT_ID_BUF], ep[VAULT_ID_BUF];
    make_id(ida, 7);
    make_id(idb, 8);
    make_id(ep, 9);
    const char *t = VAULT_PRIV_FHE_PRIVATE_KEY;
    assert_int_equal(vault_store(c->v, VAULT_ADDR_EPOCH(t, ep, ida), "key of A", 8), 0);
    assert_int_equal(vault_store(c->v, VAULT_ADDR_EPOCH(t, ep, idb), "key of B", 8), 0);
    struct buf ra, rb;
    raw_get(c, &ra, VAULT_ADDR_EPOCH(t, ep, ida));
    raw_get(c, &rb, VAULT_ADDR_EPOCH(t, ep, idb));
    /* swapped ids */
    raw_put(c, VAULT_ADDR_EPOCH(t, ep, ida), rb.data, rb.len);
    raw_put(c, VAULT_ADDR_EPOCH(t, ep, idb), ra.data, ra.len);
    expect_rejected(c, VAULT_ADDR_EPOCH(t, ep, ida));
    expect_rejected(c, VAULT_ADDR_EPOCH(t, ep, idb));
    /* another type, outside the epoch, another epoch */
    raw_put(c, VAULT_ADDR_EPOCH(VAULT_PRIV_FHE_KEY_INFO, ep, ida), ra.data, ra.len);
    expect_rejected(c, VAULT_ADDR_EPOCH(VAULT_PRIV_FHE_KEY_INFO, ep, ida));
    raw_put(c, VAULT_ADDR(t, ida), ra.data, ra.len);
    expect_rejected(c, VAULT_ADDR(t, ida));
    raw_put(c, VAULT_ADDR_EPOCH(t, idb, ida), ra.data, ra.len);
    expect_rejected(c, VAULT_ADDR_EPOCH(t, idb, ida));
    /* put back where they belong, they read again */
    raw_put(c, VAULT_ADDR_EPOCH(t, ep, ida), ra.data, ra.len);
    expect_content(c->v, VAULT_ADDR_EPOCH(t, ep, ida), "key of A", 8);
    buf_free(&ra);
    buf_free(&rb);
}

/* Builds a copy of raw (header + chunks of `sizes`) with the chunks in
 * `order` (indices into the original chunks, possibly repeated). */
static size_t rebuild(uint8_t *out, const uint8_t *raw, const size_t *sizes, const int *order,
                      size_t n_order)
{
    size_t offs[8], off = HDR;
    for (int i = 0; i < 8; i++) {
        offs[i] = off;
        off += sizes[i] + TAG;
    }
    memcpy(out, raw, HDR);
    size_t len = HDR;
    for (size_t i = 0; i < n_order; i++) {
        size_t k = (size_t)order[i];
        memcpy(out + len, raw + offs[k], sizes[k] + TAG);
        len += sizes[k] + TAG;
    }
    return len;
}

static void test_truncate_reorder(void **state)
{
    struct suite_ctx *c = *state;
    char id[VAULT_ID_BUF], id2[VAULT_ID_BUF];
    make_id(id, 10);
    make_id(id2, 11);
    enum { N = 3 * CH + 100 };
    static uint8_t data[N];
    pattern(data, N, 0, 10);
    const struct vault_addr *a = VAULT_ADDR(T_TYPE, id);
    assert_int_equal(vault_store(c->v, a, data, N), 0);
    struct buf raw;
    raw_get(c, &raw, a);
    const size_t sizes[8] = {CH, CH, CH, 100, 0, 0, 0, 0};
    static uint8_t mod[N + 8 * (CH + TAG)];

    /* cut: the last chunk, one byte, into the header, to the header, to nothing */
    const size_t cuts[] = {
        raw.len - (100 + TAG), raw.len - 1, raw.len - TAG, HDR + TAG + 3, HDR + 5, HDR, 10, 0};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        raw_put(c, a, raw.data, cuts[i]);
        expect_rejected(c, a);
    }
    /* reorder, drop or repeat chunks */
    static const int orders[][5] = {
        {1, 0, 2, 3, -1}, /* swap the first two */
        {0, 2, 1, 3, -1}, /* swap the middle two */
        {0, 2, 3, -1},    /* drop a middle chunk */
        {1, 2, 3, -1},    /* drop the first */
        {0, 0, 1, 2, 3},  /* repeat the first */
        {0, 1, 2, 3, 3},  /* repeat the last */
        {0, 1, 3, 2, -1}, /* last chunk moved forward */
    };
    for (size_t i = 0; i < sizeof orders / sizeof orders[0]; i++) {
        size_t n = 0;
        while (n < 5 && orders[i][n] >= 0)
            n++;
        size_t len = rebuild(mod, raw.data, sizes, orders[i], n);
        raw_put(c, a, mod, len);
        expect_rejected(c, a);
    }
    /* extended by an empty "last chunk" or by junk */
    memcpy(mod, raw.data, raw.len);
    memset(mod + raw.len, 0, 2 * TAG);
    raw_put(c, a, mod, raw.len + TAG);
    expect_rejected(c, a);
    raw_put(c, a, mod, raw.len + 1);
    expect_rejected(c, a);

    /* an object of whole chunks: dropping its last chunk leaves a
     * well-formed but unterminated stream, still rejected */
    const struct vault_addr *a2 = VAULT_ADDR(T_TYPE, id2);
    assert_int_equal(vault_store(c->v, a2, data, 2 * CH), 0);
    struct buf raw2;
    raw_get(c, &raw2, a2);
    assert_int_equal(raw2.len, HDR + 2 * (CH + TAG));
    raw_put(c, a2, raw2.data, HDR + CH + TAG);
    expect_rejected(c, a2);
    struct vault_reader *r;
    assert_int_equal(vault_reader_open(c->v, &r, a2), 0);
    assert_int_equal(vault_reader_size(r), CH);
    size_t got;
    assert_int_equal(vault_reader_read(r, mod, CH, &got), KMS_EVERIFY);
    vault_reader_close(r);

    raw_put(c, a, raw.data, raw.len);
    expect_content(c->v, a, data, N);
    buf_free(&raw);
    buf_free(&raw2);
}

static void test_foreign_objects(void **state)
{
    struct suite_ctx *c = *state;
    char id[VAULT_ID_BUF];
    make_id(id, 12);
    const struct vault_addr *a = VAULT_ADDR(VAULT_PRIV_SIGNING_KEY, id);
    /* written without encryption (e.g. by an insecure_plaintext run) */
    static const char plain[] =
        "a plaintext signing key, long enough to fill a whole header and then some more";
    raw_put(c, a, (const uint8_t *)plain, sizeof plain);
    expect_rejected(c, a);
    assert_non_null(strstr(kms_err_msg(), "magic"));

    /* a later format version, a reserved byte set, a chunk size out of range */
    assert_int_equal(vault_delete(c->inner, a), 0);
    assert_int_equal(vault_store(c->v, a, "x", 1), 0);
    struct buf raw;
    raw_get(c, &raw, a);
    const struct {
        size_t off;
        uint8_t val;
        const char *msg;
    } edits[] = {{4, 2, "version"},     {5, 9, "algorithm"}, {6, 5, "chunk size"},
                 {6, 25, "chunk size"}, {7, 1, "reserved"},  {47, 1, "reserved"}};
    for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        uint8_t keep = raw.data[edits[i].off];
        raw.data[edits[i].off] = edits[i].val;
        raw_put(c, a, raw.data, raw.len);
        expect_rejected(c, a);
        assert_non_null(strstr(kms_err_msg(), edits[i].msg));
        raw.data[edits[i].off] = keep;
    }
    buf_free(&raw);
}

/* --- keys ----------------------------------------------------------------------------- */

/* 1 if a vault under kek reads what one under the test KEK wrote. */
static int same_kek(struct suite_ctx *c, struct vault_kek *kek)
{
    char id[VAULT_ID_BUF];
    make_id(id, 77);
    const struct vault_addr *a = VAULT_ADDR(T_TYPE, id);
    int rc = vault_exists(c->v, a);
    assert_true(rc >= 0);
    if (rc == 0)
        assert_int_equal(vault_store(c->v, a, "probe", 5), 0);
    struct vault *inner, *v;
    assert_int_equal(vault_file_open(&inner, c->root, "PRIV", VAULT_F_PRIVATE), 0);
    assert_int_equal(vault_crypt_wrap(&v, inner, kek, 0), 0);
    struct buf b;
    buf_init(&b, 64);
    rc = vault_read(v, &b, a);
    vault_free(v);
    buf_free(&b);
    return rc == 0;
}

static void write_file(const char *path, const void *p, size_t n, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, p, n), (ssize_t)n);
    close(fd);
}

static mode_t mode_of_path(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return st.st_mode & 07777;
}

static void test_kek_loading(void **state)
{
    struct suite_ctx *c = *state;
    static const char hex[] = "5a117e930c44d28b61f03a9d27c5801eb64f7208e935ad5c1387fe602bd49946";
    struct vault_kek *k = (void *)1;
    assert_int_equal(vault_kek_from_hex(&k, hex), 0);
    assert_true(same_kek(c, k));
    vault_kek_free(k);
    assert_int_equal(
        vault_kek_from_hex(
            &k, "  0x5A117E930C44D28B61F03A9D27C5801EB64F7208E935AD5C1387FE602BD49946\n"),
        0);
    assert_true(same_kek(c, k));
    vault_kek_free(k);

    static const char *const bad[] = {
        "",
        "5a",
        "5a117e930c44d28b61f03a9d27c5801eb64f7208e935ad5c1387fe602bd4994",
        "5a117e930c44d28b61f03a9d27c5801eb64f7208e935ad5c1387fe602bd4994600",
        "5a117e930c44d28b61f03a9d27c5801eb64f7208e935ad5c1387fe602bd4994g",
        "5a117e930c44d28b61f03a9d27c5801e b64f7208e935ad5c1387fe602bd49946",
        "0000000000000000000000000000000000000000000000000000000000000000",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(vault_kek_from_hex(&k, bad[i]), KMS_EINVAL);
        assert_null(k);
    }
    assert_int_equal(vault_kek_from_bytes(&k, kek_bytes, 31), KMS_EINVAL);
    assert_int_equal(vault_kek_from_hex(&k, NULL), KMS_EINVAL);

    /* files: raw bytes, hex with a newline; errors */
    char path[256];
    snprintf(path, sizeof path, "%s/kek.bin", c->root);
    write_file(path, kek_bytes, 32, 0600);
    assert_int_equal(vault_kek_from_file(&k, path), 0);
    assert_true(same_kek(c, k));
    vault_kek_free(k);
    snprintf(path, sizeof path, "%s/kek.hex", c->root);
    write_file(path, "5a117e930c44d28b61f03a9d27c5801eb64f7208e935ad5c1387fe602bd49946\n", 65,
               0644); /* group/other readable: accepted with a warning */
    assert_int_equal(vault_kek_from_file(&k, path), 0);
    assert_true(same_kek(c, k));
    vault_kek_free(k);
    char junk[300];
    memset(junk, 'a', sizeof junk);
    write_file(path, junk, sizeof junk, 0600);
    assert_int_equal(vault_kek_from_file(&k, path), KMS_EINVAL);
    write_file(path, junk, 0, 0600);
    assert_int_equal(vault_kek_from_file(&k, path), KMS_EINVAL);
    uint8_t k33[33] = {0};
    memcpy(k33, kek_bytes, 32);
    write_file(path, k33, sizeof k33, 0600);
    assert_int_equal(vault_kek_from_file(&k, path), KMS_EINVAL);
    assert_int_equal(vault_kek_from_file(&k, "/nonexistent/kek"), KMS_EIO);
    assert_int_equal(vault_kek_from_file(&k, c->root), KMS_EINVAL);

    /* the environment */
    setenv("CKMS_TEST_KEK", hex, 1);
    assert_int_equal(vault_kek_from_env(&k, "CKMS_TEST_KEK"), 0);
    assert_true(same_kek(c, k));
    vault_kek_free(k);
    setenv("CKMS_TEST_KEK", "not hex", 1);
    assert_int_equal(vault_kek_from_env(&k, "CKMS_TEST_KEK"), KMS_EINVAL);
    assert_non_null(strstr(kms_err_msg(), "CKMS_TEST_KEK"));
    unsetenv("CKMS_TEST_KEK");
    assert_int_equal(vault_kek_from_env(&k, "CKMS_TEST_KEK"), KMS_EINVAL);

    /* a fresh KEK file: 0600, 64 hex digits, never overwritten */
    snprintf(path, sizeof path, "%s/new.kek", c->root);
    assert_int_equal(vault_kek_create_file(path), 0);
    assert_int_equal(mode_of_path(path), 0600);
    char text[100];
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(text, 1, sizeof text, f);
    fclose(f);
    assert_int_equal(n, 65);
    assert_int_equal(text[64], '\n');
    assert_int_equal(vault_kek_create_file(path), KMS_EEXIST);
    assert_int_equal(vault_kek_from_file(&k, path), 0);
    assert_false(same_kek(c, k));
    vault_kek_free(k);
    vault_kek_free(NULL);
}

static void test_wrap_errors(void **state)
{
    (void)state;
    struct vault_kek *k = test_kek();
    struct vault *inner, *v = (void *)1;
    assert_int_equal(vault_mem_open(&inner, "PRIV", 0), 0);
    assert_int_equal(vault_crypt_wrap(&v, inner, k, 5), KMS_EINVAL); /* frees inner */
    assert_null(v);
    assert_int_equal(vault_mem_open(&inner, "PRIV", 0), 0);
    assert_int_equal(vault_crypt_wrap(&v, inner, k, 25), KMS_EINVAL);
    assert_int_equal(vault_mem_open(&inner, "PRIV", 0), 0);
    assert_int_equal(vault_crypt_wrap(&v, inner, NULL, 0), KMS_EINVAL);
    assert_int_equal(vault_mem_open(&inner, "PRIV", 0), 0);
    assert_int_equal(vault_crypt_wrap(&v, inner, k, 6), 0);
    struct vault *twice;
    assert_int_equal(vault_crypt_wrap(&twice, v, k, 0), KMS_EINVAL); /* frees v */
    vault_kek_free(k);
}

#define CT(f) cmocka_unit_test_setup_teardown(f, suite_setup, suite_teardown)

int main(void)
{
    const struct CMUnitTest suite[] = {VAULT_SUITE_TESTS, VAULT_SUITE_PERSISTENT_TESTS};
    const struct CMUnitTest suite_mem[] = {VAULT_SUITE_TESTS};
    const struct CMUnitTest crypt[] = {
        CT(test_format_spec),     CT(test_empty_object_format), CT(test_wrong_kek),
        CT(test_bit_flips),       CT(test_moved_objects),       CT(test_truncate_reorder),
        CT(test_foreign_objects), CT(test_kek_loading),         cmocka_unit_test(test_wrap_errors),
    };
    int failed = 0;
    suite_backend = &crypt_file;
    failed += cmocka_run_group_tests_name("vault_crypt_file", suite, NULL, NULL);
    suite_backend = &crypt_mem;
    failed += cmocka_run_group_tests_name("vault_crypt_mem", suite_mem, NULL, NULL);
    suite_backend = &crypt_file_small;
    failed += cmocka_run_group_tests_name("vault_crypt_tamper", crypt, NULL, NULL);
    return failed;
}
