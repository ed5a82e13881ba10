/* Sign-then-encrypt of user-decryption results (see signcrypt.h for the
 * byte layout and where it comes from). */
#include "crypto/signcrypt.h"

#include <string.h>

#include "base/bincode.h"
#include "base/reader.h"
#include "base/secmem.h"
#include "crypto/dsep.h"
#include "crypto/ecdsa.h"
#include "crypto/mlkem_pke.h"

/* FIPS 203 decapsulation key layout: dk_pke (384·k = 768 bytes for
 * ML-KEM-512) ‖ ek ‖ H(ek) ‖ z. */
#define DK_EK_OFFSET 768

/* Work buffers only ever hold input-sized data (no length read from the
 * input sizes them), so they need no limit of their own. */
#define WORK_LIMIT BUF_UNLIMITED

void signcrypt_enc_key_digest(uint8_t out[SIGNCRYPT_DIGEST_BYTES],
                              const uint8_t ek[MLKEM512_EK_BYTES])
{
    struct dsep_ctx h;
    dsep_init(&h, DSEP_SIGNCRYP);
    dsep_absorb_bincode_bytes(&h, ek, MLKEM512_EK_BYTES);
    dsep_squeeze(&h, out, SIGNCRYPT_DIGEST_BYTES);
}

/* kd_serv of a key already in compressed form: no point arithmetic. */
static void pk33_digest(uint8_t out[SIGNCRYPT_DIGEST_BYTES],
                        const uint8_t pk33[SIGNCRYPT_SERVER_PK_BYTES])
{
    struct dsep_ctx h;
    dsep_init(&h, DSEP_SIGNCRYP);
    dsep_absorb_bincode_bytes(&h, pk33, SIGNCRYPT_SERVER_PK_BYTES);
    dsep_squeeze(&h, out, SIGNCRYPT_DIGEST_BYTES);
}

int signcrypt_verf_key_digest(uint8_t out[SIGNCRYPT_DIGEST_BYTES], const uint8_t *server_pk,
                              size_t server_pk_len)
{
    uint8_t compressed[ECDSA_PUBKEY_COMPRESSED_BYTES];
    memset(out, 0, SIGNCRYPT_DIGEST_BYTES);
    KMS_TRY(ecdsa_pubkey_compress(compressed, server_pk, server_pk_len));
    pk33_digest(out, compressed);
    return 0;
}

/* dsep ‖ msg ‖ receiver_address ‖ kd_recv: the bytes the inner signature
 * covers (SHA-256 is applied by the ECDSA layer). */
static void put_signed_bytes(struct buf *b, const uint8_t dsep[SIGNCRYPT_DSEP_BYTES],
                             const void *msg, size_t msg_len, const uint8_t ek[MLKEM512_EK_BYTES],
                             const uint8_t receiver_address[SIGNCRYPT_ADDRESS_BYTES])
{
    uint8_t kd_recv[SIGNCRYPT_DIGEST_BYTES];
    signcrypt_enc_key_digest(kd_recv, ek);
    buf_put(b, dsep, SIGNCRYPT_DSEP_BYTES);
    buf_put(b, msg, msg_len);
    buf_put(b, receiver_address, SIGNCRYPT_ADDRESS_BYTES);
    buf_put(b, kd_recv, sizeof kd_recv);
}

/* msg ‖ sig ‖ kd_serv into inner (a secret buf). */
static int build_inner(struct buf *inner, const uint8_t dsep[SIGNCRYPT_DSEP_BYTES],
                       const void *msg, size_t msg_len, const uint8_t ek[MLKEM512_EK_BYTES],
                       const uint8_t receiver_address[SIGNCRYPT_ADDRESS_BYTES],
                       const uint8_t server_sk[32],
                       const uint8_t server_pk33[SIGNCRYPT_SERVER_PK_BYTES])
{
    uint8_t kd_serv[SIGNCRYPT_DIGEST_BYTES], sig[SIGNCRYPT_SIG_BYTES];
    pk33_digest(kd_serv, server_pk33);

    struct buf to_sign;
    buf_init_secret(&to_sign, WORK_LIMIT);
    put_signed_bytes(&to_sign, dsep, msg, msg_len, ek, receiver_address);
    int rc = buf_status(&to_sign);
    if (rc == 0)
        rc = ecdsa_sign_sha256(sig, server_sk, to_sign.data, to_sign.len);
    buf_free(&to_sign);
    KMS_TRY(rc);

    buf_put(inner, msg, msg_len);
    buf_put(inner, sig, sizeof sig);
    buf_put(inner, kd_serv, sizeof kd_serv);
    return buf_status(inner);
}

static int seal(struct buf *out, const uint8_t dsep[SIGNCRYPT_DSEP_BYTES], const void *msg,
                size_t msg_len, const uint8_t ek[MLKEM512_EK_BYTES],
                const uint8_t receiver_address[SIGNCRYPT_ADDRESS_BYTES],
                const uint8_t server_sk[32], const uint8_t server_pk33[SIGNCRYPT_SERVER_PK_BYTES],
                const uint8_t *m, const uint8_t *nonce)
{
    if (msg == NULL && msg_len != 0)
        return kms_err(KMS_EINVAL, "signcrypt: NULL message");
    /* a cheap guard against an uncompressed key or a stray pointer */
    if (server_pk33 == NULL || (server_pk33[0] != 2 && server_pk33[0] != 3))
        return kms_err(KMS_EINVAL, "signcrypt: the server key is not a compressed SEC1 key");
    struct buf inner;
    buf_init_secret(&inner, WORK_LIMIT);
    int rc = build_inner(&inner, dsep, msg, msg_len, ek, receiver_address, server_sk,
                         server_pk33);
    if (rc == 0 && m != NULL)
        rc = mlkem_pke_encrypt_derand(out, ek, inner.data, inner.len, m, nonce);
    else if (rc == 0)
        rc = mlkem_pke_encrypt(out, ek, inner.data, inner.len);
    buf_free(&inner);
    if (rc < 0)
        return kms_err_wrap(rc, "signcrypt");
    return 0;
}

int signcrypt_seal(struct buf *out, const uint8_t dsep[SIGNCRYPT_DSEP_BYTES], const void *msg,
                   size_t msg_len, const uint8_t ek[MLKEM512_EK_BYTES],
                   const uint8_t receiver_address[SIGNCRYPT_ADDRESS_BYTES],
                   const uint8_t server_sk[32],
                   const uint8_t server_pk33[SIGNCRYPT_SERVER_PK_BYTES])
{
    return seal(out, dsep, msg, msg_len, ek, receiver_address, server_sk, server_pk33, NULL,
                NULL);
}

int signcrypt_seal_derand(struct buf *out, const uint8_t dsep[SIGNCRYPT_DSEP_BYTES],
                          const void *msg, size_t msg_len, const uint8_t ek[MLKEM512_EK_BYTES],
                          const uint8_t receiver_address[SIGNCRYPT_ADDRESS_BYTES],
                          const uint8_t server_sk[32], const uint8_t m[32],
                          const uint8_t nonce[12])
{
    uint8_t pk[ECDSA_PUBKEY_BYTES], pk33[ECDSA_PUBKEY_COMPRESSED_BYTES];
    KMS_TRY(ecdsa_pubkey_from_seckey(pk, server_sk));
    KMS_TRY(ecdsa_pubkey_compress(pk33, pk, sizeof pk));
    return seal(out, dsep, msg, msg_len, ek, receiver_address, server_sk, pk33, m, nonce);
}

/* Checks the trailer of a decrypted signcryption (msg ‖ sig ‖ kd_serv) in
 * the order the reference does: length, server-key digest, signature. */
static int check_inner(const uint8_t *inner, size_t inner_len,
                       const uint8_t dsep[SIGNCRYPT_DSEP_BYTES],
                       const uint8_t ek[MLKEM512_EK_BYTES],
                       const uint8_t receiver_address[SIGNCRYPT_ADDRESS_BYTES],
                       const uint8_t *server_pk, size_t server_pk_len)
{
    if (inner_len < SIGNCRYPT_TRAILER_BYTES)
        return kms_err(KMS_EINVAL, "signcryption too short for signature and key digest");
    size_t msg_len = inner_len - SIGNCRYPT_TRAILER_BYTES;
    const uint8_t *sig = inner + msg_len;
    const uint8_t *kd_got = sig + SIGNCRYPT_SIG_BYTES;

    uint8_t kd_serv[SIGNCRYPT_DIGEST_BYTES];
    KMS_TRY(signcrypt_verf_key_digest(kd_serv, server_pk, server_pk_len));
    if (!secmem_equal(kd_serv, kd_got, sizeof kd_serv))
        return kms_err(KMS_EVERIFY, "signcryption names another server verification key");

    struct buf to_sign;
    buf_init_secret(&to_sign, WORK_LIMIT);
    put_signed_bytes(&to_sign, dsep, inner, msg_len, ek, receiver_address);
    int rc = buf_status(&to_sign);
    if (rc == 0)
        rc = ecdsa_verify_sha256(server_pk, server_pk_len, to_sign.data, to_sign.len, sig);
    buf_free(&to_sign);
    if (rc == KMS_EVERIFY)
        return kms_err(KMS_EVERIFY, "signcryption signature does not verify (or is high-S)");
    return rc;
}

int signcrypt_open(struct buf *out, const uint8_t dsep[SIGNCRYPT_DSEP_BYTES], const uint8_t *ct,
                   size_t ct_len, const uint8_t dk[MLKEM512_DK_BYTES],
                   const uint8_t receiver_address[SIGNCRYPT_ADDRESS_BYTES],
                   const uint8_t *server_pk, size_t server_pk_len)
{
    struct buf inner;
    buf_init_secret(&inner, WORK_LIMIT);
    int rc = mlkem_pke_decrypt(&inner, dk, ct, ct_len);
    if (rc == 0)
        rc = buf_status(&inner);
    if (rc == 0)
        rc = check_inner(inner.data, inner.len, dsep, dk + DK_EK_OFFSET, receiver_address,
                         server_pk, server_pk_len);
    if (rc == 0) {
        buf_put(out, inner.data, inner.len - SIGNCRYPT_TRAILER_BYTES);
        rc = buf_status(out);
    }
    buf_free(&inner);
    if (rc < 0)
        return kms_err_wrap(rc, "unsigncrypt");
    return 0;
}

void signcrypt_payload_encode(struct buf *out, const uint8_t *pt, size_t pt_len, int32_t fhe_type,
                              const uint8_t *link, size_t link_len)
{
    bincode_put_bytes(out, pt, pt_len);
    buf_put_u32le(out, (uint32_t)fhe_type);
    bincode_put_bytes(out, link, link_len);
}

int signcrypt_payload_decode(const uint8_t **pt, size_t *pt_len, int32_t *fhe_type,
                             const uint8_t **link, size_t *link_len, const uint8_t *in, size_t n)
{
    struct reader r;
    uint32_t t;
    reader_init(&r, in, n);
    if (bincode_get_bytes(&r, pt, pt_len) < 0 || reader_u32le(&r, &t) < 0 ||
        bincode_get_bytes(&r, link, link_len) < 0 || reader_expect_end(&r) < 0) {
        *pt = *link = NULL;
        *pt_len = *link_len = 0;
        *fhe_type = 0;
        return kms_err_wrap(KMS_EINVAL, "signcryption payload");
    }
    *fhe_type = (int32_t)t;
    return 0;
}

int signcrypt_user_decrypt_seal(struct buf *out, const uint8_t *pt, size_t pt_len,
                                int32_t fhe_type, const uint8_t *link, size_t link_len,
                                const uint8_t ek[MLKEM512_EK_BYTES],
                                const uint8_t receiver_address[SIGNCRYPT_ADDRESS_BYTES],
                                const uint8_t server_sk[32],
                                const uint8_t server_pk33[SIGNCRYPT_SERVER_PK_BYTES])
{
    if ((pt == NULL && pt_len != 0) || (link == NULL && link_len != 0))
        return kms_err(KMS_EINVAL, "signcrypt: NULL plaintext or link");
    struct buf msg;
    buf_init_secret(&msg, WORK_LIMIT);
    signcrypt_payload_encode(&msg, pt, pt_len, fhe_type, link, link_len);
    int rc = buf_status(&msg);
    if (rc == 0)
        rc = signcrypt_seal(out, DSEP_USER_DEC, msg.data, msg.len, ek, receiver_address,
                            server_sk, server_pk33);
    buf_free(&msg);
    return rc;
}

int signcrypt_user_decrypt_open(struct buf *pt_out, int32_t *fhe_type, const uint8_t *ct,
                                size_t ct_len, const uint8_t *link, size_t link_len,
                                const uint8_t dk[MLKEM512_DK_BYTES],
                                const uint8_t receiver_address[SIGNCRYPT_ADDRESS_BYTES],
                                const uint8_t *server_pk, size_t server_pk_len)
{
    *fhe_type = 0;
    struct buf msg;
    buf_init_secret(&msg, WORK_LIMIT);
    int rc = signcrypt_open(&msg, DSEP_USER_DEC, ct, ct_len, dk, receiver_address, server_pk,
                            server_pk_len);
    const uint8_t *pt = NULL, *got_link = NULL;
    size_t pt_len = 0, got_link_len = 0;
    int32_t type = 0;
    if (rc == 0)
        rc = signcrypt_payload_decode(&pt, &pt_len, &type, &got_link, &got_link_len, msg.data,
                                      msg.len);
    if (rc == 0 && (got_link_len != link_len ||
                    (link_len != 0 && !secmem_equal(got_link, link, link_len))))
        rc = kms_err(KMS_EVERIFY, "signcryption link does not match the request");
    if (rc == 0) {
        buf_put(pt_out, pt, pt_len);
        rc = buf_status(pt_out);
    }
    if (rc == 0)
        *fhe_type = type;
    buf_free(&msg);
    return rc;
}
