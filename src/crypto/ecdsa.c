#include "crypto/ecdsa.h"

#include <pthread.h>
#include <string.h>

#include <openssl/evp.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "base/secmem.h"
#include "crypto/entropy.h"

/* n/2, the largest low-S value (BIP 62). */
static const uint8_t half_order[32] = {
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4,
    0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
};

/* ---- contexts ----
 * Public-key operations use the library's static context (its tables are
 * compiled in since 0.2.0), after one self-test. Secret-key operations use
 * one context created and blinded with fresh entropy on first use; the
 * library only reads it afterwards, so threads share it freely. */

static pthread_once_t selftest_once = PTHREAD_ONCE_INIT;
static pthread_once_t sign_once = PTHREAD_ONCE_INIT;
static secp256k1_context *sign_ctx;
static int sign_ctx_err;

static const secp256k1_context *verify_ctx(void)
{
    pthread_once(&selftest_once, secp256k1_selftest);
    return secp256k1_context_static;
}

static void sign_ctx_create(void)
{
    uint8_t seed[32];
    secp256k1_context *ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    if (ctx == NULL) {
        sign_ctx_err = KMS_ENOMEM;
        return;
    }
    if (entropy_fill(seed, sizeof seed) < 0 || !secp256k1_context_randomize(ctx, seed)) {
        secmem_wipe(seed, sizeof seed);
        secp256k1_context_destroy(ctx);
        sign_ctx_err = KMS_ECRYPTO;
        return;
    }
    secmem_wipe(seed, sizeof seed);
    sign_ctx = ctx;
}

/* The shared signing context, or NULL with the error recorded. */
static const secp256k1_context *signing_ctx(void)
{
    pthread_once(&sign_once, sign_ctx_create);
    if (sign_ctx == NULL)
        (void)kms_err(sign_ctx_err, "ecdsa: cannot create the signing context");
    return sign_ctx;
}

/* ---- helpers ---- */

static int sha256(uint8_t out[32], const void *msg, size_t msg_len)
{
    static const uint8_t empty;
    if (msg == NULL)
        msg = &empty;
    if (EVP_Digest(msg, msg_len, out, NULL, EVP_sha256(), NULL) != 1)
        return kms_err(KMS_ECRYPTO, "ecdsa: SHA-256 failed");
    return 0;
}

static int parse_pubkey(secp256k1_pubkey *pk, const uint8_t *in, size_t in_len)
{
    if (in == NULL || (in_len != 33 && in_len != 65))
        return kms_err(KMS_EINVAL, "ecdsa: public key must be 33 or 65 bytes, got %zu", in_len);
    if ((in_len == 65 && in[0] != 0x04) || (in_len == 33 && in[0] != 0x02 && in[0] != 0x03))
        return kms_err(KMS_EINVAL, "ecdsa: bad SEC1 prefix 0x%02x for a %zu-byte public key",
                       in[0], in_len);
    if (!secp256k1_ec_pubkey_parse(verify_ctx(), pk, in, in_len))
        return kms_err(KMS_EINVAL, "ecdsa: public key is not a point on secp256k1");
    return 0;
}

static void serialize_pubkey(uint8_t *out, size_t out_len, const secp256k1_pubkey *pk)
{
    size_t n = out_len;
    unsigned flags = out_len == 33 ? SECP256K1_EC_COMPRESSED : SECP256K1_EC_UNCOMPRESSED;
    (void)secp256k1_ec_pubkey_serialize(verify_ctx(), out, &n, pk, flags);
}

static int is_high_s(const uint8_t s[32]) { return memcmp(s, half_order, 32) > 0; }

/* Maps v in {0, 1, 27, 28} to the recovery id, or -1. */
static int recid_of_v(uint8_t v)
{
    if (v == 0 || v == 1)
        return v;
    if (v == 27 || v == 28)
        return v - 27;
    return -1;
}

/* ---- keys ---- */

int ecdsa_seckey_check(const uint8_t sk[ECDSA_SECKEY_BYTES])
{
    if (!secp256k1_ec_seckey_verify(verify_ctx(), sk))
        return kms_err(KMS_EINVAL, "ecdsa: secret key is zero or not below the group order");
    return 0;
}

int ecdsa_seckey_generate(uint8_t sk[ECDSA_SECKEY_BYTES])
{
    /* A uniform draw is invalid with probability about 2^-128, so many
     * failures in a row mean a broken entropy source, not bad luck. */
    for (int tries = 0; tries < 64; tries++) {
        int rc = entropy_fill(sk, ECDSA_SECKEY_BYTES);
        if (rc < 0) {
            secmem_wipe(sk, ECDSA_SECKEY_BYTES);
            return rc;
        }
        if (secp256k1_ec_seckey_verify(verify_ctx(), sk))
            return 0;
    }
    secmem_wipe(sk, ECDSA_SECKEY_BYTES);
    return kms_err(KMS_ECRYPTO, "ecdsa: entropy source keeps giving invalid secret keys");
}

int ecdsa_pubkey_from_seckey(uint8_t pk[ECDSA_PUBKEY_BYTES], const uint8_t sk[ECDSA_SECKEY_BYTES])
{
    const secp256k1_context *ctx = signing_ctx();
    secp256k1_pubkey p;
    memset(pk, 0, ECDSA_PUBKEY_BYTES);
    if (ctx == NULL)
        return sign_ctx_err;
    if (!secp256k1_ec_pubkey_create(ctx, &p, sk))
        return kms_err(KMS_EINVAL, "ecdsa: secret key is zero or not below the group order");
    serialize_pubkey(pk, ECDSA_PUBKEY_BYTES, &p);
    return 0;
}

int ecdsa_pubkey_parse(uint8_t pk[ECDSA_PUBKEY_BYTES], const uint8_t *in, size_t in_len)
{
    secp256k1_pubkey p;
    int rc = parse_pubkey(&p, in, in_len);
    if (rc < 0) {
        memset(pk, 0, ECDSA_PUBKEY_BYTES);
        return rc;
    }
    serialize_pubkey(pk, ECDSA_PUBKEY_BYTES, &p);
    return 0;
}

int ecdsa_pubkey_compress(uint8_t out[ECDSA_PUBKEY_COMPRESSED_BYTES], const uint8_t *in,
                          size_t in_len)
{
    secp256k1_pubkey p;
    int rc = parse_pubkey(&p, in, in_len);
    if (rc < 0) {
        memset(out, 0, ECDSA_PUBKEY_COMPRESSED_BYTES);
        return rc;
    }
    serialize_pubkey(out, ECDSA_PUBKEY_COMPRESSED_BYTES, &p);
    return 0;
}

/* ---- signing ---- */

int ecdsa_sign_recoverable(uint8_t sig[ECDSA_RSIG_BYTES], const uint8_t sk[ECDSA_SECKEY_BYTES],
                           const uint8_t digest[ECDSA_DIGEST_BYTES])
{
    const secp256k1_context *ctx = signing_ctx();
    secp256k1_ecdsa_recoverable_signature rs;
    int recid = 0;
    memset(sig, 0, ECDSA_RSIG_BYTES);
    if (ctx == NULL)
        return sign_ctx_err;
    /* NULL nonce function = RFC 6979; the result is already low-S with the
     * recovery id adjusted to match. */
    if (!secp256k1_ecdsa_sign_recoverable(ctx, &rs, digest, sk, NULL, NULL))
        return kms_err(KMS_EINVAL, "ecdsa: secret key is zero or not below the group order");
    (void)secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, sig, &recid, &rs);
    sig[64] = (uint8_t)(27 + recid);
    return 0;
}

int ecdsa_sign(uint8_t sig[ECDSA_SIG_BYTES], const uint8_t sk[ECDSA_SECKEY_BYTES],
               const uint8_t digest[ECDSA_DIGEST_BYTES])
{
    const secp256k1_context *ctx = signing_ctx();
    secp256k1_ecdsa_signature s;
    memset(sig, 0, ECDSA_SIG_BYTES);
    if (ctx == NULL)
        return sign_ctx_err;
    if (!secp256k1_ecdsa_sign(ctx, &s, digest, sk, NULL, NULL))
        return kms_err(KMS_EINVAL, "ecdsa: secret key is zero or not below the group order");
    (void)secp256k1_ecdsa_signature_serialize_compact(ctx, sig, &s);
    return 0;
}

int ecdsa_sign_sha256(uint8_t sig[ECDSA_SIG_BYTES], const uint8_t sk[ECDSA_SECKEY_BYTES],
                      const void *msg, size_t msg_len)
{
    uint8_t digest[32];
    memset(sig, 0, ECDSA_SIG_BYTES);
    KMS_TRY(sha256(digest, msg, msg_len));
    return ecdsa_sign(sig, sk, digest);
}

/* ---- verification ---- */

int ecdsa_verify(const uint8_t *pk, size_t pk_len, const uint8_t digest[ECDSA_DIGEST_BYTES],
                 const uint8_t sig[ECDSA_SIG_BYTES])
{
    const secp256k1_context *ctx = verify_ctx();
    secp256k1_pubkey p;
    secp256k1_ecdsa_signature s;
    KMS_TRY(parse_pubkey(&p, pk, pk_len));
    if (!secp256k1_ecdsa_signature_parse_compact(ctx, &s, sig))
        return kms_err(KMS_EVERIFY, "ecdsa: r or s is not below the group order");
    if (is_high_s(sig + 32))
        return kms_err(KMS_EVERIFY, "ecdsa: signature is not in low-S form");
    if (!secp256k1_ecdsa_verify(ctx, &s, digest, &p))
        return kms_err(KMS_EVERIFY, "ecdsa: signature does not verify");
    return 0;
}

int ecdsa_verify_sha256(const uint8_t *pk, size_t pk_len, const void *msg, size_t msg_len,
                        const uint8_t sig[ECDSA_SIG_BYTES])
{
    uint8_t digest[32];
    KMS_TRY(sha256(digest, msg, msg_len));
    return ecdsa_verify(pk, pk_len, digest, sig);
}

int ecdsa_sig_is_low_s(const uint8_t sig[ECDSA_SIG_BYTES]) { return !is_high_s(sig + 32); }

int ecdsa_sig_normalize(uint8_t out[ECDSA_SIG_BYTES], const uint8_t in[ECDSA_SIG_BYTES])
{
    const secp256k1_context *ctx = verify_ctx();
    secp256k1_ecdsa_signature s;
    if (!secp256k1_ecdsa_signature_parse_compact(ctx, &s, in)) {
        memset(out, 0, ECDSA_SIG_BYTES);
        return kms_err(KMS_EINVAL, "ecdsa: r or s is not below the group order");
    }
    (void)secp256k1_ecdsa_signature_normalize(ctx, &s, &s);
    (void)secp256k1_ecdsa_signature_serialize_compact(ctx, out, &s);
    return 0;
}

int ecdsa_rsig_normalize(uint8_t out[ECDSA_RSIG_BYTES], const uint8_t in[ECDSA_RSIG_BYTES])
{
    uint8_t v = in[64];
    int recid = recid_of_v(v);
    if (recid < 0) {
        memset(out, 0, ECDSA_RSIG_BYTES);
        return kms_err(KMS_EINVAL, "ecdsa: recovery byte v = %u is not 0, 1, 27 or 28", v);
    }
    int flip = is_high_s(in + 32);
    int rc = ecdsa_sig_normalize(out, in);
    if (rc < 0) {
        out[64] = 0;
        return rc;
    }
    if (flip)
        v = (uint8_t)(v - recid + (recid ^ 1));
    out[64] = v;
    return 0;
}

int ecdsa_recover(uint8_t pk[ECDSA_PUBKEY_BYTES], const uint8_t digest[ECDSA_DIGEST_BYTES],
                  const uint8_t sig[ECDSA_RSIG_BYTES])
{
    const secp256k1_context *ctx = verify_ctx();
    secp256k1_ecdsa_recoverable_signature rs;
    secp256k1_pubkey p;
    int recid = recid_of_v(sig[64]);
    memset(pk, 0, ECDSA_PUBKEY_BYTES);
    if (recid < 0)
        return kms_err(KMS_EINVAL, "ecdsa: recovery byte v = %u is not 0, 1, 27 or 28", sig[64]);
    if (!secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, &rs, sig, recid))
        return kms_err(KMS_EVERIFY, "ecdsa: r or s is not below the group order");
    if (is_high_s(sig + 32))
        return kms_err(KMS_EVERIFY, "ecdsa: signature is not in low-S form");
    if (!secp256k1_ecdsa_recover(ctx, &p, &rs, digest))
        return kms_err(KMS_EVERIFY, "ecdsa: no public key recovers from this signature");
    serialize_pubkey(pk, ECDSA_PUBKEY_BYTES, &p);
    return 0;
}
