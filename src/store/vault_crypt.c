/* Encryption at rest: a vault that seals every object before handing it to
 * an inner vault (layout in vault_impl.h).
 *
 * Each object gets a fresh random salt and nonce prefix; its AES-256-GCM
 * key is derived from the KEK and the header, and a 16-byte key check in
 * the header tells a wrong KEK apart from a damaged object. The object is
 * cut into chunks, each sealed with its index and a last-chunk flag in the
 * nonce and the header plus the object's address in the AAD, so that
 *   - editing any byte (header, ciphertext, tag) fails that chunk's tag;
 *   - moving an object to another address fails (AAD);
 *   - dropping, repeating or reordering chunks fails (index, last flag, and
 *     the chunk count implied by the size).
 * Streaming needs one chunk of memory (locked, wiped) on either side. */
#include <stdlib.h>
#include <string.h>

#include "base/secmem.h"
#include "crypto/aes.h"
#include "crypto/entropy.h"
#include "crypto/keccak.h"
#include "store/vault_impl.h"

#define MAGIC "CKVE"
#define VERSION 1
#define ALG_AES256GCM_SHAKE256_CHUNKED 1
#define OFF_SALT 8
#define OFF_PREFIX 40
#define OFF_CHECK 48
#define PREFIX_BYTES 7
#define CHECK_BYTES 16
#define KEY_BYTES 32
#define AAD_MAX (VAULT_CRYPT_HEADER_BYTES + 3 + VAULT_NAME_MAX + 2 * VAULT_ID_LEN)

static const char kdf_label[] = "ckms vault object key v1";

struct crypt_vault {
    struct vault base;
    struct vault *inner;
    struct vault_kek *kek; /* own copy */
    unsigned shift;
};

/* What a reader or writer of one object needs. key and chunk live in one
 * locked allocation. */
struct seal {
    uint8_t header[VAULT_CRYPT_HEADER_BYTES];
    uint8_t aad[AAD_MAX];
    size_t aad_len;
    size_t chunk;    /* plaintext bytes per full chunk */
    uint8_t *secret; /* key (32) ‖ chunk buffer (chunk + 16) */
    uint32_t index;  /* next chunk */
};

static uint8_t *seal_key(struct seal *s)
{
    return s->secret;
}
static uint8_t *seal_buf(struct seal *s)
{
    return s->secret + KEY_BYTES;
}

static void seal_free(struct seal *s)
{
    secmem_free(s->secret);
    s->secret = NULL;
}

/* Derives key ‖ check from the KEK and header[0..48]. */
static void derive(uint8_t key[KEY_BYTES], uint8_t check[CHECK_BYTES], const struct vault_kek *kek,
                   const uint8_t *header)
{
    struct keccak k;
    uint8_t out[KEY_BYTES + CHECK_BYTES];
    keccak_init_shake256(&k);
    keccak_absorb(&k, kdf_label, sizeof kdf_label - 1);
    keccak_absorb(&k, vault_kek_bytes(kek), VAULT_KEK_BYTES);
    keccak_absorb(&k, header, OFF_CHECK);
    keccak_squeeze(&k, out, sizeof out);
    keccak_clear(&k);
    memcpy(key, out, KEY_BYTES);
    memcpy(check, out + KEY_BYTES, CHECK_BYTES);
    secmem_wipe(out, sizeof out);
}

static void put_name(struct seal *s, const char *name)
{
    size_t n = name != NULL ? strlen(name) : 0;
    s->aad[s->aad_len++] = (uint8_t)n;
    if (n > 0)
        memcpy(s->aad + s->aad_len, name, n);
    s->aad_len += n;
}

/* Allocates the secret block and builds the AAD (header must be set). */
static int seal_init(struct seal *s, const struct vault_addr *a, unsigned shift)
{
    s->chunk = (size_t)1 << shift;
    s->index = 0;
    s->secret = secmem_alloc(KEY_BYTES + s->chunk + VAULT_CRYPT_TAG_BYTES);
    if (s->secret == NULL)
        return kms_err(KMS_ENOMEM, "vault: out of memory for an encryption buffer");
    memcpy(s->aad, s->header, VAULT_CRYPT_HEADER_BYTES);
    s->aad_len = VAULT_CRYPT_HEADER_BYTES;
    put_name(s, a->type);
    put_name(s, a->epoch);
    put_name(s, a->id);
    return 0;
}

static void nonce_for(uint8_t nonce[AES_GCM_NONCE_BYTES], const struct seal *s, int last)
{
    memcpy(nonce, s->header + OFF_PREFIX, PREFIX_BYTES);
    nonce[7] = (uint8_t)(s->index >> 24);
    nonce[8] = (uint8_t)(s->index >> 16);
    nonce[9] = (uint8_t)(s->index >> 8);
    nonce[10] = (uint8_t)s->index;
    nonce[11] = (uint8_t)(last != 0);
}

/* --- writer ------------------------------------------------------------------- */

struct crypt_writer {
    struct vault_writer base;
    struct vault_writer *inner;
    struct seal s;
    size_t fill; /* plaintext bytes waiting in the chunk buffer */
};

/* Seals the buffered chunk and passes it on. */
static int flush_chunk(struct crypt_writer *cw, int last)
{
    struct seal *s = &cw->s;
    if (s->index == UINT32_MAX)
        return kms_err(KMS_ELIMIT, "vault: object too large to encrypt");
    uint8_t nonce[AES_GCM_NONCE_BYTES];
    nonce_for(nonce, s, last);
    uint8_t *buf = seal_buf(s);
    KMS_TRY(aes256gcm_encrypt(buf, buf, cw->fill, s->aad, s->aad_len, seal_key(s), nonce));
    int rc = vault_writer_write(cw->inner, buf, cw->fill + VAULT_CRYPT_TAG_BYTES);
    secmem_wipe(buf, cw->fill + VAULT_CRYPT_TAG_BYTES);
    cw->fill = 0;
    s->index++;
    return rc;
}

static int crypt_write(struct vault_writer *w, const uint8_t *data, size_t len)
{
    struct crypt_writer *cw = (struct crypt_writer *)w;
    while (len > 0) {
        /* A full chunk is sealed only once more data arrives: the chunk
         * left at commit is the last one. */
        if (cw->fill == cw->s.chunk)
            KMS_TRY(flush_chunk(cw, 0));
        size_t n = cw->s.chunk - cw->fill < len ? cw->s.chunk - cw->fill : len;
        memcpy(seal_buf(&cw->s) + cw->fill, data, n);
        cw->fill += n;
        data += n;
        len -= n;
    }
    return 0;
}

static void crypt_abort(struct vault_writer *w)
{
    struct crypt_writer *cw = (struct crypt_writer *)w;
    vault_writer_abort(cw->inner);
    seal_free(&cw->s);
    free(cw);
}

static int crypt_commit(struct vault_writer *w)
{
    struct crypt_writer *cw = (struct crypt_writer *)w;
    int rc = flush_chunk(cw, 1);
    if (rc < 0) {
        crypt_abort(w);
        return rc;
    }
    rc = vault_writer_commit(cw->inner);
    cw->inner = NULL;
    crypt_abort(w);
    return rc;
}

static const struct vault_writer_ops crypt_writer_ops = {crypt_write, crypt_commit, crypt_abort};

static int crypt_writer_open(struct vault *v, struct vault_writer **out, const struct vault_addr *a)
{
    struct crypt_vault *cv = (struct crypt_vault *)v;
    struct crypt_writer *cw = calloc(1, sizeof *cw);
    if (cw == NULL)
        return kms_err(KMS_ENOMEM, "vault: out of memory");
    cw->base.ops = &crypt_writer_ops;
    uint8_t *h = cw->s.header;
    memcpy(h, MAGIC, 4);
    h[4] = VERSION;
    h[5] = ALG_AES256GCM_SHAKE256_CHUNKED;
    h[6] = (uint8_t)cv->shift;
    int rc = entropy_fill(h + OFF_SALT, 32 + PREFIX_BYTES);
    if (rc == 0)
        rc = seal_init(&cw->s, a, cv->shift);
    if (rc == 0) {
        derive(seal_key(&cw->s), h + OFF_CHECK, cv->kek, h);
        /* the AAD copy of the header predates the key check: refresh it */
        memcpy(cw->s.aad, h, VAULT_CRYPT_HEADER_BYTES);
        rc = cv->inner->ops->writer_open(cv->inner, &cw->inner, a);
    }
    if (rc == 0)
        rc = vault_writer_write(cw->inner, h, VAULT_CRYPT_HEADER_BYTES);
    if (rc < 0) {
        crypt_abort(&cw->base);
        return rc;
    }
    *out = &cw->base;
    return 0;
}

/* --- reader ------------------------------------------------------------------- */

struct crypt_reader {
    struct vault_reader base;
    struct vault_reader *inner;
    struct seal s;
    uint64_t n_chunks;
    uint64_t last_len; /* plaintext bytes of the last chunk */
    size_t avail, off; /* decrypted bytes waiting in the chunk buffer */
    int err;
};

static int bad(const char *why)
{
    return kms_err(KMS_EVERIFY, "vault: encrypted object rejected: %s", why);
}

/* Checks the header's fixed fields; the rest is checked by the key check
 * and the tags. */
static int header_parse(unsigned *shift, const uint8_t *h)
{
    if (memcmp(h, MAGIC, 4) != 0)
        return bad("not an encrypted vault object (bad magic; written without encryption?)");
    if (h[4] != VERSION)
        return kms_err(KMS_EVERIFY,
                       "vault: encrypted object rejected: unsupported format "
                       "version %u",
                       h[4]);
    if (h[5] != ALG_AES256GCM_SHAKE256_CHUNKED)
        return kms_err(KMS_EVERIFY, "vault: encrypted object rejected: unknown algorithm %u", h[5]);
    if (h[6] < VAULT_CRYPT_CHUNK_SHIFT_MIN || h[6] > VAULT_CRYPT_CHUNK_SHIFT_MAX)
        return bad("chunk size out of range");
    if (h[7] != 0 || h[47] != 0)
        return bad("reserved header bytes are not zero");
    *shift = h[6];
    return 0;
}

/* The chunk count and plaintext size implied by the stored size. */
static int layout(struct crypt_reader *cr, uint64_t stored)
{
    uint64_t c = cr->s.chunk, ct = c + VAULT_CRYPT_TAG_BYTES;
    if (stored < VAULT_CRYPT_HEADER_BYTES + VAULT_CRYPT_TAG_BYTES)
        return bad("truncated (shorter than a header and one tag)");
    uint64_t body = stored - VAULT_CRYPT_HEADER_BYTES;
    uint64_t full = body / ct, rem = body % ct;
    if (rem == 0) {
        cr->n_chunks = full;
        cr->last_len = c;
    } else {
        if (rem < VAULT_CRYPT_TAG_BYTES || (rem == VAULT_CRYPT_TAG_BYTES && full > 0))
            return bad("size does not match the chunk layout (truncated or extended)");
        cr->n_chunks = full + 1;
        cr->last_len = rem - VAULT_CRYPT_TAG_BYTES;
    }
    if (cr->n_chunks > UINT32_MAX)
        return bad("too many chunks");
    cr->base.size = (cr->n_chunks - 1) * c + cr->last_len;
    return 0;
}

/* Reads, authenticates and decrypts the next chunk into the buffer. */
static int next_chunk(struct crypt_reader *cr)
{
    struct seal *s = &cr->s;
    int last = s->index + 1 == cr->n_chunks;
    size_t pt_len = last ? (size_t)cr->last_len : s->chunk;
    uint8_t *buf = seal_buf(s);
    int rc = vault_reader_read_exact(cr->inner, buf, pt_len + VAULT_CRYPT_TAG_BYTES);
    if (rc == KMS_ETRUNC)
        return bad("truncated while reading");
    KMS_TRY(rc);
    uint8_t nonce[AES_GCM_NONCE_BYTES];
    nonce_for(nonce, s, last);
    rc = aes256gcm_decrypt(buf, buf, pt_len + VAULT_CRYPT_TAG_BYTES, s->aad, s->aad_len,
                           seal_key(s), nonce);
    if (rc == KMS_EVERIFY)
        return kms_err(KMS_EVERIFY,
                       "vault: encrypted object rejected: chunk %u of %llu does not authenticate "
                       "(modified, truncated, reordered or moved from another address)",
                       s->index, (unsigned long long)cr->n_chunks);
    KMS_TRY(rc);
    s->index++;
    cr->avail = pt_len;
    cr->off = 0;
    return 0;
}

static int crypt_read(struct vault_reader *r, uint8_t *dst, size_t cap, size_t *got)
{
    struct crypt_reader *cr = (struct crypt_reader *)r;
    if (cr->err != 0)
        return kms_err(cr->err, "vault: reader already failed");
    size_t n = 0;
    while (n < cap) {
        if (cr->off == cr->avail) {
            secmem_wipe(seal_buf(&cr->s), cr->avail);
            cr->avail = cr->off = 0;
            if (cr->s.index == cr->n_chunks)
                break;
            int rc = next_chunk(cr);
            if (rc < 0) {
                secmem_wipe(dst, n);
                return cr->err = rc;
            }
        }
        size_t take = cr->avail - cr->off < cap - n ? cr->avail - cr->off : cap - n;
        memcpy(dst + n, seal_buf(&cr->s) + cr->off, take);
        cr->off += take;
        n += take;
    }
    *got = n;
    return 0;
}

static void crypt_close(struct vault_reader *r)
{
    struct crypt_reader *cr = (struct crypt_reader *)r;
    vault_reader_close(cr->inner);
    seal_free(&cr->s);
    free(cr);
}

static const struct vault_reader_ops crypt_reader_ops = {crypt_read, crypt_close};

/* Reads and checks the header, derives the key. */
static int reader_start(struct crypt_reader *cr, const struct crypt_vault *cv,
                        const struct vault_addr *a)
{
    uint8_t *h = cr->s.header;
    int rc = vault_reader_read_exact(cr->inner, h, VAULT_CRYPT_HEADER_BYTES);
    if (rc == KMS_ETRUNC)
        return bad("truncated header");
    KMS_TRY(rc);
    unsigned shift = 0;
    KMS_TRY(header_parse(&shift, h));
    KMS_TRY(seal_init(&cr->s, a, shift));
    uint8_t check[CHECK_BYTES];
    derive(seal_key(&cr->s), check, cv->kek, h);
    int same = secmem_equal(check, h + OFF_CHECK, CHECK_BYTES);
    secmem_wipe(check, sizeof check);
    if (!same)
        return bad("wrong key-encryption key for this object (key check mismatch), or a damaged "
                   "header");
    return layout(cr, vault_reader_size(cr->inner));
}

static int crypt_reader_open(struct vault *v, struct vault_reader **out, const struct vault_addr *a)
{
    struct crypt_vault *cv = (struct crypt_vault *)v;
    struct crypt_reader *cr = calloc(1, sizeof *cr);
    if (cr == NULL)
        return kms_err(KMS_ENOMEM, "vault: out of memory");
    cr->base.ops = &crypt_reader_ops;
    int rc = cv->inner->ops->reader_open(cv->inner, &cr->inner, a);
    if (rc == 0)
        rc = reader_start(cr, cv, a);
    if (rc < 0) {
        crypt_close(&cr->base);
        return rc;
    }
    *out = &cr->base;
    return 0;
}

/* --- the rest: sizes need the header, the rest passes through ---------------- */

static int crypt_stat(struct vault *v, uint64_t *size, const struct vault_addr *a)
{
    struct vault_reader *r;
    KMS_TRY(crypt_reader_open(v, &r, a));
    *size = r->size;
    vault_reader_close(r);
    return 0;
}

static int crypt_exists(struct vault *v, const struct vault_addr *a)
{
    struct vault *inner = ((struct crypt_vault *)v)->inner;
    return inner->ops->exists(inner, a);
}

static int crypt_list(struct vault *v, struct vault_ids *out, const char *type, const char *epoch,
                      int epochs)
{
    struct vault *inner = ((struct crypt_vault *)v)->inner;
    return inner->ops->list(inner, out, type, epoch, epochs);
}

static int crypt_remove(struct vault *v, const struct vault_addr *a)
{
    struct vault *inner = ((struct crypt_vault *)v)->inner;
    return inner->ops->remove(inner, a);
}

static void crypt_destroy(struct vault *v)
{
    struct crypt_vault *cv = (struct crypt_vault *)v;
    vault_free(cv->inner);
    vault_kek_free(cv->kek);
    free(cv);
}

static const struct vault_ops crypt_ops = {
    "encrypted",  crypt_writer_open, crypt_reader_open, crypt_stat,
    crypt_exists, crypt_list,        crypt_remove,      crypt_destroy,
};

int vault_crypt_wrap(struct vault **out, struct vault *inner, const struct vault_kek *kek,
                     unsigned chunk_shift)
{
    *out = NULL;
    if (chunk_shift == 0)
        chunk_shift = VAULT_CRYPT_CHUNK_SHIFT_DEFAULT;
    int rc = 0;
    if (inner == NULL || kek == NULL)
        rc = kms_err(KMS_EINVAL, "vault: missing inner vault or key-encryption key");
    else if (inner->encrypted)
        rc = kms_err(KMS_EINVAL, "vault: the inner vault is already encrypted");
    else if (chunk_shift < VAULT_CRYPT_CHUNK_SHIFT_MIN || chunk_shift > VAULT_CRYPT_CHUNK_SHIFT_MAX)
        rc = kms_err(KMS_EINVAL, "vault: chunk size 2^%u out of range 2^%d..2^%d", chunk_shift,
                     VAULT_CRYPT_CHUNK_SHIFT_MIN, VAULT_CRYPT_CHUNK_SHIFT_MAX);
    struct crypt_vault *cv = rc == 0 ? calloc(1, sizeof *cv) : NULL;
    if (rc == 0 && cv == NULL)
        rc = kms_err(KMS_ENOMEM, "vault: out of memory");
    if (rc == 0)
        rc = vault_kek_from_bytes(&cv->kek, vault_kek_bytes(kek), VAULT_KEK_BYTES);
    if (rc < 0) {
        free(cv);
        vault_free(inner);
        return rc;
    }
    vault_init_base(&cv->base, &crypt_ops, inner->prefix, inner->flags);
    cv->base.encrypted = 1;
    cv->inner = inner;
    cv->shift = chunk_shift;
    *out = &cv->base;
    return 0;
}
