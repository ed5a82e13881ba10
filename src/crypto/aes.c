#include "crypto/aes.h"

#include <limits.h>
#include <pthread.h>
#include <string.h>

#include <openssl/evp.h>

#include "base/secmem.h"

/* EVP takes int lengths: feed at most this many bytes per call (a multiple
 * of the block size). */
#define EVP_CHUNK ((size_t)1 << 30)

/* SP 800-38D limits one GCM message to 2^39 - 256 bits. */
#define GCM_MAX_PT_BYTES (((uint64_t)1 << 36) - 32)

enum cipher_id { AES128_ECB, AES256_ECB, AES128_CTR, AES256_CTR, AES256_GCM, N_CIPHERS };

static const char *const cipher_names[N_CIPHERS] = {
    "AES-128-ECB", "AES-256-ECB", "AES-128-CTR", "AES-256-CTR", "AES-256-GCM",
};

/* Fetched once per process: an explicit fetch spares OpenSSL 3 the implicit
 * name lookup it would otherwise do on every EVP_*Init with a cipher. */
static EVP_CIPHER *ciphers[N_CIPHERS];
static pthread_once_t ciphers_once = PTHREAD_ONCE_INIT;

static void fetch_ciphers(void)
{
    for (int i = 0; i < N_CIPHERS; i++)
        ciphers[i] = EVP_CIPHER_fetch(NULL, cipher_names[i], NULL);
}

static const EVP_CIPHER *cipher(enum cipher_id id)
{
    (void)pthread_once(&ciphers_once, fetch_ciphers);
    return ciphers[id];
}

/* The ECB or CTR cipher for a key size, or NULL for a bad size. */
static const EVP_CIPHER *cipher_for(size_t key_len, enum cipher_id id128, enum cipher_id id256)
{
    if (key_len == AES128_KEY_BYTES)
        return cipher(id128);
    if (key_len == AES256_KEY_BYTES)
        return cipher(id256);
    return NULL;
}

/* out = EVP(in) for n bytes, in chunks EVP's int lengths can carry. out NULL
 * feeds additional authenticated data to GCM. */
static int evp_update_all(EVP_CIPHER_CTX *e, uint8_t *out, const uint8_t *in, size_t n)
{
    while (n > 0) {
        size_t chunk = n < EVP_CHUNK ? n : EVP_CHUNK;
        int outl = 0;
        if (EVP_CipherUpdate(e, out, &outl, in, (int)chunk) != 1)
            return 0;
        if (out != NULL) {
            if ((size_t)outl != chunk)
                return 0;
            out += chunk;
        }
        in += chunk;
        n -= chunk;
    }
    return 1;
}

/* ---- AES-256-GCM ------------------------------------------------------- */

static int gcm_check_args(const void *out, const void *in, size_t in_len, const uint8_t *aad,
                          size_t aad_len, const uint8_t *key, const uint8_t *nonce)
{
    if (out == NULL || key == NULL || nonce == NULL || (in == NULL && in_len > 0) ||
        (aad == NULL && aad_len > 0))
        return kms_err(KMS_EINVAL, "aes-gcm: NULL argument");
    if (cipher(AES256_GCM) == NULL)
        return kms_err(KMS_ECRYPTO, "aes-gcm: OpenSSL has no AES-256-GCM");
    return 0;
}

int aes256gcm_encrypt(uint8_t *ct, const uint8_t *pt, size_t pt_len, const uint8_t *aad,
                      size_t aad_len, const uint8_t key[32], const uint8_t nonce[12])
{
    KMS_TRY(gcm_check_args(ct, pt, pt_len, aad, aad_len, key, nonce));
    if ((uint64_t)pt_len > GCM_MAX_PT_BYTES)
        return kms_err(KMS_ELIMIT, "aes-gcm: message longer than GCM allows");

    EVP_CIPHER_CTX *e = EVP_CIPHER_CTX_new();
    int ok = e != NULL && EVP_EncryptInit_ex2(e, cipher(AES256_GCM), key, nonce, NULL) == 1 &&
             evp_update_all(e, NULL, aad, aad_len) && evp_update_all(e, ct, pt, pt_len);
    int outl = 0;
    ok = ok && EVP_EncryptFinal_ex(e, ct + pt_len, &outl) == 1 && outl == 0 &&
         EVP_CIPHER_CTX_ctrl(e, EVP_CTRL_GCM_GET_TAG, AES_GCM_TAG_BYTES, ct + pt_len) == 1;
    EVP_CIPHER_CTX_free(e);
    if (!ok) {
        secmem_wipe(ct, pt_len + AES_GCM_TAG_BYTES);
        return kms_err(KMS_ECRYPTO, "aes-gcm: encryption failed");
    }
    return 0;
}

int aes256gcm_decrypt(uint8_t *pt, const uint8_t *ct, size_t ct_len, const uint8_t *aad,
                      size_t aad_len, const uint8_t key[32], const uint8_t nonce[12])
{
    if (ct_len < AES_GCM_TAG_BYTES)
        return kms_err(KMS_EINVAL, "aes-gcm: ciphertext shorter than the tag");
    size_t pt_len = ct_len - AES_GCM_TAG_BYTES;
    /* pt may be NULL for an empty message: only the tag is checked then. */
    uint8_t dummy;
    uint8_t *out = pt != NULL ? pt : (pt_len == 0 ? &dummy : NULL);
    KMS_TRY(gcm_check_args(out, ct, ct_len, aad, aad_len, key, nonce));
    if ((uint64_t)pt_len > GCM_MAX_PT_BYTES)
        return kms_err(KMS_ELIMIT, "aes-gcm: message longer than GCM allows");

    /* Copied first: with pt == ct the tag bytes stay put, but ctrl wants a
     * mutable pointer. */
    uint8_t tag[AES_GCM_TAG_BYTES];
    memcpy(tag, ct + pt_len, sizeof tag);

    EVP_CIPHER_CTX *e = EVP_CIPHER_CTX_new();
    int ok = e != NULL && EVP_DecryptInit_ex2(e, cipher(AES256_GCM), key, nonce, NULL) == 1 &&
             evp_update_all(e, NULL, aad, aad_len) && evp_update_all(e, pt, ct, pt_len) &&
             EVP_CIPHER_CTX_ctrl(e, EVP_CTRL_GCM_SET_TAG, AES_GCM_TAG_BYTES, tag) == 1;
    int outl = 0;
    int verified = ok && EVP_DecryptFinal_ex(e, out, &outl) == 1 && outl == 0;
    EVP_CIPHER_CTX_free(e);
    if (!verified) {
        secmem_wipe(pt, pt_len);
        if (!ok)
            return kms_err(KMS_ECRYPTO, "aes-gcm: decryption failed");
        return kms_err(KMS_EVERIFY, "aes-gcm: authentication tag mismatch");
    }
    return 0;
}

/* ---- Block cipher (ECB) ------------------------------------------------ */

/* (Re-)keys e for AES-ECB. Passing the cipher again would make OpenSSL
 * free and reallocate its per-context state, so it is passed only when the
 * key size changes. */
static int ecb_key(EVP_CIPHER_CTX *e, uint32_t *key_bytes, const uint8_t *key, size_t key_len)
{
    const EVP_CIPHER *c = cipher_for(key_len, AES128_ECB, AES256_ECB);
    if (key == NULL || c == NULL)
        return kms_err(KMS_EINVAL, "aes: key must be 16 or 32 bytes");
    if (key_len == *key_bytes)
        c = NULL;
    if (EVP_EncryptInit_ex2(e, c, key, NULL, NULL) != 1 || EVP_CIPHER_CTX_set_padding(e, 0) != 1)
        return kms_err(KMS_ECRYPTO, "aes: cannot set the key");
    *key_bytes = (uint32_t)key_len;
    return 0;
}

int aes_init(struct aes_ctx *ctx, const uint8_t *key, size_t key_len)
{
    if (ctx == NULL)
        return kms_err(KMS_EINVAL, "aes: NULL context");
    ctx->evp = NULL;
    ctx->key_bytes = 0;
    EVP_CIPHER_CTX *e = EVP_CIPHER_CTX_new();
    if (e == NULL)
        return kms_err(KMS_ENOMEM, "aes: out of memory");
    int rc = ecb_key(e, &ctx->key_bytes, key, key_len);
    if (rc < 0) {
        EVP_CIPHER_CTX_free(e);
        ctx->key_bytes = 0;
        return rc;
    }
    ctx->evp = e;
    return 0;
}

int aes_set_key(struct aes_ctx *ctx, const uint8_t *key, size_t key_len)
{
    if (ctx == NULL || ctx->evp == NULL)
        return kms_err(KMS_EINVAL, "aes: context not initialised");
    return ecb_key(ctx->evp, &ctx->key_bytes, key, key_len);
}

int aes_ecb_encrypt(struct aes_ctx *ctx, uint8_t *out, const uint8_t *in, size_t n_blocks)
{
    if (ctx == NULL || ctx->evp == NULL)
        return kms_err(KMS_EINVAL, "aes: context not initialised");
    if (n_blocks == 0)
        return 0;
    if (out == NULL || in == NULL || n_blocks > SIZE_MAX / AES_BLOCK_BYTES)
        return kms_err(KMS_EINVAL, "aes: bad buffer");
    if (!evp_update_all(ctx->evp, out, in, n_blocks * AES_BLOCK_BYTES))
        return kms_err(KMS_ECRYPTO, "aes: encryption failed");
    return 0;
}

void aes_free(struct aes_ctx *ctx)
{
    if (ctx == NULL)
        return;
    EVP_CIPHER_CTX_free(ctx->evp); /* cleanses the key schedule */
    ctx->evp = NULL;
    ctx->key_bytes = 0;
}

/* ---- CTR --------------------------------------------------------------- */

int aes_ctr_init(struct aes_ctr *c, const uint8_t *key, size_t key_len,
                 const uint8_t iv[AES_BLOCK_BYTES])
{
    if (c == NULL)
        return kms_err(KMS_EINVAL, "aes-ctr: NULL context");
    c->evp = NULL;
    c->key_bytes = 0;
    if (key == NULL || iv == NULL)
        return kms_err(KMS_EINVAL, "aes-ctr: NULL key or iv");
    const EVP_CIPHER *ci = cipher_for(key_len, AES128_CTR, AES256_CTR);
    if (ci == NULL)
        return kms_err(KMS_EINVAL, "aes-ctr: key must be 16 or 32 bytes");
    EVP_CIPHER_CTX *e = EVP_CIPHER_CTX_new();
    if (e == NULL)
        return kms_err(KMS_ENOMEM, "aes-ctr: out of memory");
    if (EVP_EncryptInit_ex2(e, ci, key, iv, NULL) != 1) {
        EVP_CIPHER_CTX_free(e);
        return kms_err(KMS_ECRYPTO, "aes-ctr: cannot set the key");
    }
    c->evp = e;
    c->key_bytes = (uint32_t)key_len;
    return 0;
}

int aes_ctr_reset(struct aes_ctr *c, const uint8_t *key, size_t key_len,
                  const uint8_t iv[AES_BLOCK_BYTES])
{
    if (c == NULL || c->evp == NULL || iv == NULL)
        return kms_err(KMS_EINVAL, "aes-ctr: context not initialised");
    const EVP_CIPHER *ci = NULL; /* keep OpenSSL's per-context state */
    if (key != NULL && key_len != c->key_bytes) {
        ci = cipher_for(key_len, AES128_CTR, AES256_CTR);
        if (ci == NULL)
            return kms_err(KMS_EINVAL, "aes-ctr: key must be 16 or 32 bytes");
    }
    if (EVP_EncryptInit_ex2(c->evp, ci, key, iv, NULL) != 1)
        return kms_err(KMS_ECRYPTO, "aes-ctr: cannot reset the stream");
    if (key != NULL)
        c->key_bytes = (uint32_t)key_len;
    return 0;
}

int aes_ctr_xor(struct aes_ctr *c, uint8_t *out, const uint8_t *in, size_t n)
{
    if (c == NULL || c->evp == NULL)
        return kms_err(KMS_EINVAL, "aes-ctr: context not initialised");
    if (n == 0)
        return 0;
    if (out == NULL || in == NULL)
        return kms_err(KMS_EINVAL, "aes-ctr: NULL buffer");
    if (!evp_update_all(c->evp, out, in, n)) {
        secmem_wipe(out, n);
        return kms_err(KMS_ECRYPTO, "aes-ctr: encryption failed");
    }
    return 0;
}

int aes_ctr_keystream(struct aes_ctr *c, uint8_t *out, size_t n)
{
    if (out != NULL)
        memset(out, 0, n);
    return aes_ctr_xor(c, out, out, n);
}

void aes_ctr_free(struct aes_ctr *c)
{
    if (c == NULL)
        return;
    EVP_CIPHER_CTX_free(c->evp);
    c->evp = NULL;
    c->key_bytes = 0;
}

void aes_ctr_add(uint8_t ctr[AES_BLOCK_BYTES], uint64_t blocks)
{
    unsigned carry = 0;
    for (int i = AES_BLOCK_BYTES - 1; i >= 0; i--) {
        unsigned sum = ctr[i] + (unsigned)(blocks & 0xff) + carry;
        ctr[i] = (uint8_t)sum;
        carry = sum >> 8;
        blocks >>= 8;
    }
}
