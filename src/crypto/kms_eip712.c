#include "crypto/kms_eip712.h"

#include <string.h>

#include "crypto/ecdsa.h"

/* Type hashes are one Keccak permutation each, so they are recomputed per
 * call rather than cached. */
static void begin(struct eip712_struct *s, const char *encode_type)
{
    uint8_t th[32];
    eip712_type_hash(th, encode_type);
    eip712_struct_init(s, th);
}

int kms_eip712_handle_word(uint8_t out[32], const uint8_t *handle, size_t handle_len)
{
    memset(out, 0, 32);
    if (handle_len > 32)
        return kms_err(KMS_EINVAL, "eip712: external handle is %zu bytes (max 32)", handle_len);
    if (handle_len > 0)
        memcpy(out + 32 - handle_len, handle, handle_len);
    return 0;
}

void kms_eip712_public_decrypt(uint8_t out[32], const uint8_t *handles, size_t n_handles,
                               const uint8_t *result, size_t result_len, const uint8_t *extra,
                               size_t extra_len)
{
    struct eip712_struct s;
    begin(&s, KMS_EIP712_PUBLIC_DECRYPT_TYPE);
    eip712_put_words(&s, handles, n_handles);
    eip712_put_bytes(&s, result, result_len);
    eip712_put_bytes(&s, extra, extra_len);
    eip712_struct_final(&s, out);
}

void kms_eip712_user_decrypt_response(uint8_t out[32], const uint8_t *public_key,
                                      size_t public_key_len, const uint8_t *handles,
                                      size_t n_handles, const uint8_t *share, size_t share_len,
                                      const uint8_t *extra, size_t extra_len)
{
    struct eip712_struct s;
    begin(&s, KMS_EIP712_USER_DECRYPT_RESPONSE_TYPE);
    eip712_put_bytes(&s, public_key, public_key_len);
    eip712_put_words(&s, handles, n_handles);
    eip712_put_bytes(&s, share, share_len);
    eip712_put_bytes(&s, extra, extra_len);
    eip712_struct_final(&s, out);
}

void kms_eip712_key_digest(uint8_t out[32], const struct kms_eip712_key_digest *kd)
{
    struct eip712_struct s;
    begin(&s, KMS_EIP712_KEY_DIGEST_TYPE);
    eip712_put_uint(&s, kd->key_type);
    eip712_put_bytes(&s, kd->digest, kd->digest_len);
    eip712_struct_final(&s, out);
}

void kms_eip712_keygen(uint8_t out[32], const uint8_t prep_keygen_id[32], const uint8_t key_id[32],
                       const struct kms_eip712_key_digest *digests, size_t n_digests,
                       const uint8_t *extra, size_t extra_len)
{
    struct eip712_struct s;
    struct eip712_array arr;
    uint8_t h[32];
    eip712_array_init(&arr);
    for (size_t i = 0; i < n_digests; i++) {
        kms_eip712_key_digest(h, &digests[i]);
        eip712_array_add(&arr, h);
    }
    eip712_array_final(&arr, h);

    begin(&s, KMS_EIP712_KEYGEN_TYPE);
    eip712_put_word(&s, prep_keygen_id);
    eip712_put_word(&s, key_id);
    eip712_put_word(&s, h);
    eip712_put_bytes(&s, extra, extra_len);
    eip712_struct_final(&s, out);
}

void kms_eip712_crsgen(uint8_t out[32], const uint8_t crs_id[32], uint64_t max_bit_length,
                       const uint8_t *crs_digest, size_t crs_digest_len, const uint8_t *extra,
                       size_t extra_len)
{
    struct eip712_struct s;
    begin(&s, KMS_EIP712_CRSGEN_TYPE);
    eip712_put_word(&s, crs_id);
    eip712_put_uint(&s, max_bit_length);
    eip712_put_bytes(&s, crs_digest, crs_digest_len);
    eip712_put_bytes(&s, extra, extra_len);
    eip712_struct_final(&s, out);
}

void kms_eip712_prep_keygen(uint8_t out[32], const uint8_t prep_keygen_id[32],
                            const uint8_t *extra, size_t extra_len)
{
    struct eip712_struct s;
    begin(&s, KMS_EIP712_PREP_KEYGEN_TYPE);
    eip712_put_word(&s, prep_keygen_id);
    eip712_put_bytes(&s, extra, extra_len);
    eip712_struct_final(&s, out);
}

void kms_eip712_user_decryption_linker(uint8_t out[32], const uint8_t *public_key,
                                       size_t public_key_len, const uint8_t *handles,
                                       size_t n_handles, const uint8_t user_address[20])
{
    struct eip712_struct s;
    begin(&s, KMS_EIP712_USER_DECRYPTION_LINKER_TYPE);
    eip712_put_bytes(&s, public_key, public_key_len);
    eip712_put_words(&s, handles, n_handles);
    eip712_put_address(&s, user_address);
    eip712_struct_final(&s, out);
}

int kms_eip712_sign(uint8_t sig[65], uint8_t *digest_out, const uint8_t sk[32],
                    const struct eip712_domain *d, const uint8_t struct_hash[32])
{
    uint8_t digest[32];
    memset(sig, 0, 65);
    if (digest_out != NULL)
        memset(digest_out, 0, 32);
    KMS_TRY(eip712_digest_for_domain(digest, d, struct_hash));
    KMS_TRY(ecdsa_sign_recoverable(sig, sk, digest));
    if (digest_out != NULL)
        memcpy(digest_out, digest, 32);
    return 0;
}
