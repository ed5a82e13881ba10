#include "service/pubdec.h"

#include <stdlib.h>
#include <string.h>

#include "base/bincode.h"
#include "crypto/dsep.h"
#include "crypto/ecdsa.h"
#include "crypto/kms_eip712.h"

void pubdec_payload_encode(struct buf *out, const uint8_t *verification_key, size_t vk_len,
                           const struct typed_plaintext *pts, size_t n, const char *request_id)
{
    bincode_put_bytes(out, verification_key, vk_len);
    bincode_put_len(out, n);
    for (size_t i = 0; i < n; i++) {
        bincode_put_bytes(out, pts[i].bytes, pts[i].len);
        buf_put_u32le(out, (uint32_t)pts[i].fhe_type);
    }
    bincode_put_option_tag(out, request_id != NULL);
    if (request_id != NULL)
        bincode_put_str(out, request_id);
}

int pubdec_struct_hash(uint8_t out[32], const struct udp_bytes *handles, size_t n_handles,
                       const struct typed_plaintext *pts, size_t n, const uint8_t *extra,
                       size_t extra_len)
{
    memset(out, 0, 32);
    uint8_t *words = n_handles ? malloc(32 * n_handles) : NULL;
    if (n_handles > 0 && words == NULL)
        return kms_err(KMS_ENOMEM, "out of memory");
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n_handles; i++)
        if (kms_eip712_handle_word(words + 32 * i, handles[i].p, handles[i].len) != 0)
            rc = kms_err(KMS_EINVAL, "external_handle at index %zu too long: %zu bytes (max 32)",
                         i, handles[i].len);
    struct buf abi;
    buf_init(&abi, BUF_UNLIMITED);
    if (rc == 0)
        rc = abi_encode_plaintexts(&abi, pts, n);
    if (rc == 0)
        kms_eip712_public_decrypt(out, words, n_handles, abi.data, abi.len, extra, extra_len);
    buf_free(&abi);
    free(words);
    return rc;
}

int pubdec_sign(struct pubdec_signatures *out, const uint8_t sk[32],
                const struct eip712_domain *domain, const struct udp_bytes *handles,
                size_t n_handles, const struct typed_plaintext *pts, size_t n,
                const uint8_t *verification_key, size_t vk_len, const char *request_id,
                const uint8_t *extra, size_t extra_len)
{
    memset(out, 0, sizeof *out);
    uint8_t sh[32];
    KMS_TRY(pubdec_struct_hash(sh, handles, n_handles, pts, n, extra, extra_len));
    KMS_TRY(kms_eip712_sign(out->external_signature, NULL, sk, domain, sh));
    /* the deprecated internal signature over "PUBL_DEC" ‖ bincode(payload) */
    struct buf msg;
    buf_init(&msg, BUF_UNLIMITED);
    buf_put(&msg, DSEP_PUBL_DEC, DSEP_BYTES);
    pubdec_payload_encode(&msg, verification_key, vk_len, pts, n, request_id);
    int rc = buf_status(&msg);
    if (rc == 0)
        rc = ecdsa_sign_sha256(out->signature, sk, msg.data, msg.len);
    buf_free(&msg);
    if (rc < 0)
        memset(out, 0, sizeof *out);
    return rc;
}
