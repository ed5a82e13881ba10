/* AES-256-GCM decryption of arbitrary ciphertext, AAD, nonce and key: it
 * must only ever return KMS_EVERIFY / KMS_EINVAL (with the output zeroed)
 * or succeed, never crash. Every input is also sealed and reopened, and a
 * one-bit change to the sealed message must be rejected.
 *
 * Input: [aad_len selector (1)] [nonce (12)] [key (32)] [aad] [ciphertext];
 * short inputs are zero-padded. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "crypto/aes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HEADER (1 + AES_GCM_NONCE_BYTES + 32)

static void check(int cond)
{
    if (!cond)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t header[HEADER] = {0};
    memcpy(header, data, size < HEADER ? size : HEADER);
    const uint8_t *nonce = header + 1, *key = header + 1 + AES_GCM_NONCE_BYTES;
    const uint8_t *body = size > HEADER ? data + HEADER : NULL;
    size_t body_len = size > HEADER ? size - HEADER : 0;
    size_t aad_len = body_len == 0 ? 0 : header[0] % (body_len + 1);
    const uint8_t *aad = aad_len > 0 ? body : NULL;
    const uint8_t *ct = body_len > aad_len ? body + aad_len : NULL;
    size_t ct_len = body_len - aad_len;

    /* 1. Decrypt the raw bytes. */
    uint8_t *pt = malloc(ct_len + 1);
    check(pt != NULL);
    memset(pt, 0xa5, ct_len + 1);
    int rc = aes256gcm_decrypt(pt, ct, ct_len, aad, aad_len, key, nonce);
    check(rc == 0 || rc == KMS_EVERIFY || rc == KMS_EINVAL);
    check(rc != KMS_EINVAL || ct_len < AES_GCM_TAG_BYTES);
    if (rc == KMS_EVERIFY)
        for (size_t i = 0; i < ct_len - AES_GCM_TAG_BYTES; i++)
            check(pt[i] == 0);
    free(pt);

    /* 2. Seal the same bytes as a message, reopen, then tamper. */
    uint8_t *sealed = malloc(ct_len + AES_GCM_TAG_BYTES);
    uint8_t *back = malloc(ct_len + 1);
    check(sealed != NULL && back != NULL);
    check(aes256gcm_encrypt(sealed, ct, ct_len, aad, aad_len, key, nonce) == 0);
    size_t sealed_len = ct_len + AES_GCM_TAG_BYTES;
    check(aes256gcm_decrypt(back, sealed, sealed_len, aad, aad_len, key, nonce) == 0);
    check(ct_len == 0 || memcmp(back, ct, ct_len) == 0);
    size_t bit = (size_t)header[0] * 131 % (8 * sealed_len);
    sealed[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    check(aes256gcm_decrypt(back, sealed, sealed_len, aad, aad_len, key, nonce) == KMS_EVERIFY);
    free(sealed);
    free(back);
    return 0;
}
