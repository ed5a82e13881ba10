/* AES through OpenSSL's EVP layer (AES-NI / VAES when the CPU has them):
 *   - AES-256-GCM one-shot encryption and decryption (12-byte nonce, 16-byte
 *     tag appended to the ciphertext);
 *   - a reusable AES-128/256 block-cipher context encrypting many ECB blocks
 *     per call (the tfhe-csprng path builds its little-endian counter blocks
 *     itself and feeds them here);
 *   - AES-CTR as in SP 800-38A: the whole 16-byte counter block is one
 *     big-endian integer incremented by one per block.
 *
 * Contexts allocate once in *_init; after that, encrypting and re-keying
 * with a key of the same size never allocate. The expanded key lives inside
 * OpenSSL, which cleanses it when the context is freed. A context is not
 * thread-safe: use one per thread. */
#ifndef CKMS_CRYPTO_AES_H
#define CKMS_CRYPTO_AES_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

#define AES_BLOCK_BYTES 16
#define AES_GCM_NONCE_BYTES 12
#define AES_GCM_TAG_BYTES 16
#define AES128_KEY_BYTES 16
#define AES256_KEY_BYTES 32

/* AES-256-GCM, 12-byte nonce, tag appended: ct has pt_len + 16 bytes.
 * aad may be NULL when aad_len is 0; pt may be NULL when pt_len is 0.
 * On failure ct is zeroed. */
int aes256gcm_encrypt(uint8_t *ct, const uint8_t *pt, size_t pt_len, const uint8_t *aad,
                      size_t aad_len, const uint8_t key[32], const uint8_t nonce[12])
    KMS_MUST_CHECK;

/* Verifies the tag before releasing anything: KMS_EVERIFY (and pt zeroed) on
 * any mismatch; KMS_EINVAL if ct_len < 16. pt receives ct_len - 16 bytes (it
 * is written while decrypting and wiped before returning if the tag is
 * wrong). pt may equal ct for in-place decryption. */
int aes256gcm_decrypt(uint8_t *pt, const uint8_t *ct, size_t ct_len, const uint8_t *aad,
                      size_t aad_len, const uint8_t key[32], const uint8_t nonce[12])
    KMS_MUST_CHECK;

/* A keyed block cipher. Treat the members as private. */
struct aes_ctx {
    void *evp;          /* EVP_CIPHER_CTX * */
    uint32_t key_bytes; /* 16 or 32 */
};

/* Allocates the context and sets the key (key_len 16 or 32). On failure the
 * context is left empty (aes_free is still safe). */
int aes_init(struct aes_ctx *ctx, const uint8_t *key, size_t key_len) KMS_MUST_CHECK;

/* Replaces the key of an initialised context; does not allocate unless the
 * key size changes. */
int aes_set_key(struct aes_ctx *ctx, const uint8_t *key, size_t key_len) KMS_MUST_CHECK;

/* out[i] = AES_K(in[i]) for n_blocks 16-byte blocks (ECB, no padding).
 * out may equal in; other overlaps are not allowed. */
int aes_ecb_encrypt(struct aes_ctx *ctx, uint8_t *out, const uint8_t *in, size_t n_blocks)
    KMS_MUST_CHECK;

/* Releases the context; the key schedule is cleansed. NULL or an empty
 * context is a no-op. */
void aes_free(struct aes_ctx *ctx);

/* AES-CTR keystream generator. Treat the members as private. */
struct aes_ctr {
    void *evp;          /* EVP_CIPHER_CTX * running AES-{128,256}-CTR */
    uint32_t key_bytes; /* 16 or 32 */
};

/* Allocates the generator, keyed with key (16 or 32 bytes), the first
 * counter block being iv. */
int aes_ctr_init(struct aes_ctr *c, const uint8_t *key, size_t key_len,
                 const uint8_t iv[AES_BLOCK_BYTES]) KMS_MUST_CHECK;

/* Restarts the stream at counter block iv, with a new key (key != NULL) or
 * the current one (key == NULL, key_len ignored). Does not allocate unless
 * the key size changes. */
int aes_ctr_reset(struct aes_ctr *c, const uint8_t *key, size_t key_len,
                  const uint8_t iv[AES_BLOCK_BYTES]) KMS_MUST_CHECK;

/* out = in XOR the next n keystream bytes (encryption and decryption alike).
 * Any n; the stream continues across calls. out may equal in. */
int aes_ctr_xor(struct aes_ctr *c, uint8_t *out, const uint8_t *in, size_t n) KMS_MUST_CHECK;

/* Writes the next n keystream bytes to out. */
int aes_ctr_keystream(struct aes_ctr *c, uint8_t *out, size_t n) KMS_MUST_CHECK;

/* Releases the generator; the key schedule is cleansed. NULL is a no-op. */
void aes_ctr_free(struct aes_ctr *c);

/* Adds `blocks` to a 16-byte big-endian counter block (mod 2^128). */
void aes_ctr_add(uint8_t ctr[AES_BLOCK_BYTES], uint64_t blocks);

#endif
