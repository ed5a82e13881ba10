#include "crypto/mlkem_pke.h"

#include <string.h>

#include "base/bincode.h"
#include "base/safeser.h"
#include "base/secmem.h"
#include "crypto/aes.h"
#include "crypto/entropy.h"

#define PK_TYPE_NAME "UnifiedPublicEncKey"
#define PK_VERSION_V0 0u
#define PK_VARIANT_MLKEM512 0u
#define PK_VARIANTS 3u /* MlKem512, MlKem1024 (legacy), MlKem1024P384 */
/* The reference's safe_deserialize limit for client keys. */
#define PK_SIZE_LIMIT ((size_t)1 << 31)

void mlkem_pke_encode_pk(struct buf *out, const uint8_t ek[MLKEM512_EK_BYTES])
{
    safeser_put_header(out, PK_TYPE_NAME);
    bincode_put_variant(out, PK_VERSION_V0);
    bincode_put_variant(out, PK_VARIANT_MLKEM512);
    bincode_put_bytes(out, ek, MLKEM512_EK_BYTES);
}

int mlkem_pke_decode_pk(uint8_t ek[MLKEM512_EK_BYTES], const uint8_t *in, size_t n)
{
    struct reader r;
    uint32_t version, scheme;
    reader_init(&r, in, n);
    KMS_TRY(safeser_get_header(&r, PK_TYPE_NAME, PK_SIZE_LIMIT));
    KMS_TRY(bincode_get_variant(&r, &version, 1));
    KMS_TRY(bincode_get_variant(&r, &scheme, PK_VARIANTS));
    if (scheme != PK_VARIANT_MLKEM512)
        return kms_err(KMS_EINVAL, "encryption key: only ML-KEM-512 is accepted (got scheme %u)",
                       scheme);
    if (bincode_get_bytes_exact(&r, ek, MLKEM512_EK_BYTES) < 0)
        return kms_err_wrap(KMS_EINVAL, "encryption key");
    KMS_TRY(reader_expect_end(&r));
    if (mlkem512_check_ek(ek) < 0) {
        memset(ek, 0, MLKEM512_EK_BYTES);
        return kms_err_wrap(KMS_EINVAL, "encryption key");
    }
    return 0;
}

void mlkem_pke_encode_sk(struct buf *out, const uint8_t dk[MLKEM512_DK_BYTES])
{
    bincode_put_bytes(out, dk, MLKEM512_DK_BYTES);
}

int mlkem_pke_decode_sk(uint8_t dk[MLKEM512_DK_BYTES], const uint8_t *in, size_t n)
{
    struct reader r;
    reader_init(&r, in, n);
    if (bincode_get_bytes_exact(&r, dk, MLKEM512_DK_BYTES) < 0 || reader_expect_end(&r) < 0) {
        secmem_wipe(dk, MLKEM512_DK_BYTES);
        return kms_err(KMS_EINVAL, "decryption key: expected a %d-byte encoding",
                       MLKEM_PKE_SK_BYTES);
    }
    return 0;
}

int mlkem_pke_encrypt_derand(struct buf *out, const uint8_t ek[MLKEM512_EK_BYTES],
                             const uint8_t *msg, size_t msg_len, const uint8_t m[32],
                             const uint8_t nonce[12])
{
    uint8_t kem_ct[MLKEM512_CT_BYTES], key[MLKEM_SS_BYTES];
    KMS_TRY(mlkem512_encaps_derand(kem_ct, key, ek, m));
    size_t start = out->len;
    buf_put(out, nonce, AES_GCM_NONCE_BYTES);
    bincode_put_bytes(out, kem_ct, sizeof kem_ct);
    bincode_put_len(out, msg_len + AES_GCM_TAG_BYTES);
    uint8_t *payload = buf_extend(out, msg_len + AES_GCM_TAG_BYTES);
    int rc = buf_status(out);
    if (rc == 0)
        rc = aes256gcm_encrypt(payload, msg, msg_len, NULL, 0, key, nonce);
    secmem_wipe(key, sizeof key);
    if (rc < 0 && out->err == 0)
        out->len = start; /* leave nothing half-written behind */
    return rc;
}

int mlkem_pke_encrypt(struct buf *out, const uint8_t ek[MLKEM512_EK_BYTES], const uint8_t *msg,
                      size_t msg_len)
{
    uint8_t seed[32 + AES_GCM_NONCE_BYTES];
    KMS_TRY(entropy_fill(seed, sizeof seed));
    int rc = mlkem_pke_encrypt_derand(out, ek, msg, msg_len, seed, seed + 32);
    secmem_wipe(seed, sizeof seed);
    return rc;
}

int mlkem_pke_decrypt(struct buf *out, const uint8_t dk[MLKEM512_DK_BYTES], const uint8_t *ct,
                      size_t ct_len)
{
    struct reader r;
    const uint8_t *nonce, *payload;
    uint8_t kem_ct[MLKEM512_CT_BYTES], key[MLKEM_SS_BYTES];
    size_t payload_len;
    reader_init(&r, ct, ct_len);
    if (reader_view(&r, &nonce, AES_GCM_NONCE_BYTES) < 0 ||
        bincode_get_bytes_exact(&r, kem_ct, sizeof kem_ct) < 0 ||
        bincode_get_bytes(&r, &payload, &payload_len) < 0 || reader_expect_end(&r) < 0)
        return kms_err_wrap(KMS_EINVAL, "hybrid ciphertext");
    if (payload_len < AES_GCM_TAG_BYTES)
        return kms_err(KMS_EINVAL, "hybrid ciphertext: payload shorter than its tag");
    KMS_TRY(mlkem512_decaps(key, kem_ct, dk));
    size_t start = out->len;
    uint8_t *pt = buf_extend(out, payload_len - AES_GCM_TAG_BYTES);
    int rc = buf_status(out);
    if (rc == 0)
        rc = aes256gcm_decrypt(pt, payload, payload_len, NULL, 0, key, nonce);
    secmem_wipe(key, sizeof key);
    if (rc < 0 && out->err == 0)
        out->len = start;
    return rc;
}
