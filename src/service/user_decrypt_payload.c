/* User-decryption request checks, response payload and signatures (see
 * user_decrypt_payload.h for the layouts and their reference sources). */
#include "service/user_decrypt_payload.h"

#include <stdlib.h>
#include <string.h>

#include "base/bincode.h"
#include "base/reader.h"
#include "base/secmem.h"
#include "crypto/dsep.h"
#include "crypto/ecdsa.h"
#include "crypto/ethaddr.h"
#include "crypto/kms_eip712.h"
#include "crypto/mlkem_pke.h"
#include "crypto/signcrypt.h"
#include "service/node_key.h"

/* ---- requests ---- */

int udp_domain_from_msg(struct eip712_domain *out, const struct udp_domain_msg *m)
{
    memset(out, 0, sizeof *out);
    out->fields = EIP712_DOMAIN_STANDARD;
    out->name = m->name;
    out->name_len = m->name_len;
    out->version = m->version;
    out->version_len = m->version_len;
    int rc = eip712_u256_from_be(out->chain_id, m->chain_id, m->chain_id_len);
    if (rc < 0) {
        memset(out, 0, sizeof *out);
        return kms_err(KMS_EINVAL, "domain: invalid chain ID");
    }
    rc = ethaddr_parse(out->verifying_contract, m->verifying_contract,
                       m->verifying_contract_len, ETHADDR_CHECKSUMMED);
    if (rc < 0) {
        memset(out, 0, sizeof *out);
        return kms_err_wrap(rc, "domain: error parsing checksummed verifying contract");
    }
    if (m->has_salt) {
        if (m->salt_len != sizeof out->salt) {
            memset(out, 0, sizeof *out);
            return kms_err(KMS_EINVAL, "domain: salt must be 32 bytes, got %zu", m->salt_len);
        }
        memcpy(out->salt, m->salt, sizeof out->salt);
        out->fields |= EIP712_DOMAIN_SALT;
    }
    return 0;
}

/* The n handles as consecutive bytes32 words (malloc'd; *words is NULL for
 * n = 0). Handle i is handles[i] or, with handles NULL, the handle of
 * cts[i] (a response payload's, which is what the reference signs). */
static int handle_words(uint8_t **words, const struct udp_bytes *handles,
                        const struct udp_ct *cts, size_t n)
{
    *words = NULL;
    if (n == 0)
        return 0;
    if (n > SIZE_MAX / 32)
        return kms_err(KMS_ENOMEM, "too many handles");
    uint8_t *w = malloc(n * 32);
    if (w == NULL)
        return kms_err(KMS_ENOMEM, "handle words");
    for (size_t i = 0; i < n; i++) {
        const uint8_t *p = handles ? handles[i].p : cts[i].handle;
        size_t len = handles ? handles[i].len : cts[i].handle_len;
        if (kms_eip712_handle_word(w + 32 * i, p, len) != 0) {
            free(w);
            return kms_err(KMS_EINVAL, "external_handle at index %zu too long: %zu bytes (max 32)",
                           i, len);
        }
    }
    *words = w;
    return 0;
}

int udp_link(uint8_t out[UDP_LINK_BYTES], const struct eip712_domain *d, const uint8_t *enc_key,
             size_t enc_key_len, const struct udp_bytes *handles, size_t n_handles,
             const uint8_t client_address[UDP_ADDRESS_BYTES])
{
    uint8_t *words, struct_hash[32];
    memset(out, 0, UDP_LINK_BYTES);
    KMS_TRY(handle_words(&words, handles, NULL, n_handles));
    kms_eip712_user_decryption_linker(struct_hash, enc_key, enc_key_len, words, n_handles,
                                      client_address);
    free(words);
    return eip712_digest_for_domain(out, d, struct_hash);
}

static int check_request(struct udp_checked *out, const struct udp_request *req)
{
    if (req->n_handles == 0)
        return kms_err(KMS_EINVAL, "no ciphertexts in user decryption request");
    if (req->client_address == NULL)
        return kms_err(KMS_EINVAL, "missing client address");
    int rc = ethaddr_parse(out->client_address, req->client_address, req->client_address_len,
                           ETHADDR_CHECKSUMMED);
    if (rc < 0)
        return kms_err_wrap(rc, "error parsing checksummed client address");
    if (req->domain == NULL)
        return kms_err(KMS_EINVAL, "domain not found");
    KMS_TRY(udp_domain_from_msg(&out->domain, req->domain));
    for (size_t i = 0; i < req->n_handles; i++)
        if (req->handles[i].len > UDP_HANDLE_MAX_BYTES)
            return kms_err(KMS_EINVAL, "external_handle at index %zu too long: %zu bytes (max 32)",
                           i, req->handles[i].len);
    if (memcmp(out->client_address, out->domain.verifying_contract, UDP_ADDRESS_BYTES) == 0)
        return kms_err(KMS_EINVAL, "client address is the same as the verifying contract");
    rc = mlkem_pke_decode_pk(out->ek, req->enc_key, req->enc_key_len);
    if (rc < 0)
        return kms_err_wrap(rc, "enc_key is not an ML-KEM-512 UnifiedPublicEncKey");
    out->enc_key = req->enc_key;
    out->enc_key_len = req->enc_key_len;
    out->handles = req->handles;
    out->n_handles = req->n_handles;
    return udp_link(out->link, &out->domain, req->enc_key, req->enc_key_len, req->handles,
                    req->n_handles, out->client_address);
}

int udp_check_request(struct udp_checked *out, const struct udp_request *req)
{
    memset(out, 0, sizeof *out);
    int rc = check_request(out, req);
    if (rc < 0)
        memset(out, 0, sizeof *out);
    return rc;
}

/* ---- response payload ---- */

void udp_payload_encode(struct buf *out, const struct udp_payload *p)
{
    bincode_put_bytes(out, p->verification_key, p->verification_key_len);
    bincode_put_bytes(out, p->digest, p->digest_len);
    bincode_put_len(out, p->n_cts);
    for (size_t i = 0; i < p->n_cts; i++) {
        const struct udp_ct *c = &p->cts[i];
        buf_put_u32le(out, (uint32_t)c->fhe_type);
        bincode_put_bytes(out, c->ct, c->ct_len);
        bincode_put_bytes(out, c->handle, c->handle_len);
        buf_put_u32le(out, c->packing_factor);
    }
    buf_put_u32le(out, p->party_id);
    buf_put_u32le(out, p->degree);
}

static int decode_ct(struct udp_ct *c, struct reader *r)
{
    uint32_t t;
    KMS_TRY(reader_u32le(r, &t));
    c->fhe_type = (int32_t)t;
    KMS_TRY(bincode_get_bytes(r, &c->ct, &c->ct_len));
    KMS_TRY(bincode_get_bytes(r, &c->handle, &c->handle_len));
    return reader_u32le(r, &c->packing_factor);
}

static int decode_payload(struct udp_payload *out, struct udp_ct *cts, size_t max_cts,
                          struct reader *r)
{
    size_t n;
    KMS_TRY(bincode_get_bytes(r, &out->verification_key, &out->verification_key_len));
    KMS_TRY(bincode_get_bytes(r, &out->digest, &out->digest_len));
    KMS_TRY(bincode_get_len(r, &n, UDP_CT_MIN_BYTES));
    if (n > max_cts)
        return kms_err(KMS_ELIMIT, "%zu signcrypted ciphertexts, room for %zu", n, max_cts);
    for (size_t i = 0; i < n; i++)
        KMS_TRY(decode_ct(&cts[i], r));
    out->cts = cts;
    out->n_cts = n;
    KMS_TRY(reader_u32le(r, &out->party_id));
    KMS_TRY(reader_u32le(r, &out->degree));
    return reader_expect_end(r);
}

int udp_payload_decode(struct udp_payload *out, struct udp_ct *cts, size_t max_cts,
                       const uint8_t *in, size_t n)
{
    struct reader r;
    reader_init(&r, in, n);
    memset(out, 0, sizeof *out);
    int rc = decode_payload(out, cts, max_cts, &r);
    if (rc < 0) {
        memset(out, 0, sizeof *out);
        return kms_err_wrap(rc, "user decryption payload");
    }
    return 0;
}

int udp_verification_key(uint8_t out[UDP_VERF_KEY_BYTES], const uint8_t *server_pk,
                         size_t server_pk_len)
{
    memset(out, 0, UDP_VERF_KEY_BYTES);
    uint8_t c[ECDSA_PUBKEY_COMPRESSED_BYTES];
    KMS_TRY(ecdsa_pubkey_compress(c, server_pk, server_pk_len));
    out[0] = sizeof c; /* u64le length prefix */
    memcpy(out + 8, c, sizeof c);
    return 0;
}

/* hashStruct(UserDecryptResponseVerification) of p, whose encoding is
 * share (a signer has it at hand already). */
static int share_struct_hash(uint8_t out[32], const uint8_t ek[MLKEM512_EK_BYTES],
                             const struct udp_payload *p, const uint8_t *share, size_t share_len,
                             const uint8_t *extra, size_t extra_len)
{
    struct buf pk;
    uint8_t *words = NULL;
    buf_init(&pk, MLKEM_PKE_PK_BYTES);
    int rc = 0;
    if (p->n_cts > 0 && p->cts == NULL)
        rc = kms_err(KMS_EINVAL, "payload: NULL ciphertext list");
    if (rc == 0)
        rc = handle_words(&words, NULL, p->cts, p->n_cts);
    if (rc == 0) {
        mlkem_pke_encode_pk(&pk, ek);
        rc = buf_status(&pk);
    }
    if (rc == 0)
        kms_eip712_user_decrypt_response(out, pk.data, pk.len, words, p->n_cts, share,
                                         share_len, extra, extra_len);
    free(words);
    buf_free(&pk);
    return rc;
}

/* The same for a payload not yet encoded. */
static int response_struct_hash(uint8_t out[32], const uint8_t ek[MLKEM512_EK_BYTES],
                                const struct udp_payload *p, const uint8_t *extra,
                                size_t extra_len)
{
    struct buf share;
    buf_init(&share, BUF_UNLIMITED);
    int rc = 0;
    if (p->n_cts > 0 && p->cts == NULL)
        rc = kms_err(KMS_EINVAL, "payload: NULL ciphertext list");
    if (rc == 0) {
        udp_payload_encode(&share, p);
        rc = buf_status(&share);
    }
    if (rc == 0)
        rc = share_struct_hash(out, ek, p, share.data, share.len, extra, extra_len);
    buf_free(&share);
    return rc;
}

int udp_response_hash(uint8_t out[32], const struct eip712_domain *d,
                      const uint8_t ek[MLKEM512_EK_BYTES], const struct udp_payload *p,
                      const uint8_t *extra, size_t extra_len)
{
    uint8_t sh[32];
    memset(out, 0, 32);
    KMS_TRY(response_struct_hash(sh, ek, p, extra, extra_len));
    return eip712_digest_for_domain(out, d, sh);
}

/* ---- the centralized server's response ---- */

void udp_response_view(struct udp_payload *out, const struct udp_response *r)
{
    *out = (struct udp_payload){
        .verification_key = r->verification_key,
        .verification_key_len = sizeof r->verification_key,
        .digest = r->digest,
        .digest_len = sizeof r->digest,
        .cts = r->cts,
        .n_cts = r->n_cts,
        .party_id = r->party_id,
        .degree = r->degree,
    };
}

void udp_response_free(struct udp_response *r)
{
    if (r == NULL)
        return;
    free(r->cts);
    free(r->arena_);
    free(r->share);
    memset(r, 0, sizeof *r);
}

/* Signcrypts every plaintext into one arena (ciphertext then handle, for
 * each), then points the payload's entries into it. */
static int build_cts(struct udp_response *out, const struct udp_checked *req,
                     const struct udp_plaintext *pts, size_t n, const struct node_key *key)
{
    struct buf arena;
    buf_init(&arena, BUF_UNLIMITED);
    out->cts = calloc(n, sizeof *out->cts);
    if (out->cts == NULL)
        return kms_err(KMS_ENOMEM, "response ciphertexts");
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        struct udp_ct *c = &out->cts[i];
        size_t start = arena.len;
        rc = signcrypt_user_decrypt_seal(&arena, pts[i].bytes, pts[i].len, pts[i].fhe_type,
                                         req->link, sizeof req->link, req->ek,
                                         req->client_address, key->sk, key->pk33);
        c->fhe_type = pts[i].fhe_type;
        c->ct_len = arena.len - start;
        c->handle_len = req->handles[i].len;
        c->packing_factor = 1; /* no recomposition in the centralized case */
        buf_put(&arena, req->handles[i].p, req->handles[i].len);
        if (rc == 0)
            rc = buf_status(&arena);
    }
    if (rc < 0) {
        buf_free(&arena);
        return rc;
    }
    size_t len, off = 0;
    out->arena_ = buf_take(&arena, &len);
    for (size_t i = 0; i < n; i++) {
        out->cts[i].ct = out->arena_ + off;
        out->cts[i].handle = out->arena_ + off + out->cts[i].ct_len;
        off += out->cts[i].ct_len + out->cts[i].handle_len;
    }
    out->n_cts = n;
    return 0;
}

static int sign_response(struct udp_response *out, const struct udp_checked *req,
                         const uint8_t server_sk[32], const uint8_t *extra, size_t extra_len)
{
    struct udp_payload view;
    struct buf b;
    udp_response_view(&view, out);
    buf_init(&b, BUF_UNLIMITED);
    udp_payload_encode(&b, &view);
    int rc = buf_status(&b);
    if (rc < 0) {
        buf_free(&b);
        return rc;
    }
    out->share = buf_take(&b, &out->share_len);

    uint8_t sh[32];
    KMS_TRY(share_struct_hash(sh, req->ek, &view, out->share, out->share_len, extra, extra_len));
    KMS_TRY(kms_eip712_sign(out->external_signature, NULL, server_sk, &req->domain, sh));

    buf_init(&b, BUF_UNLIMITED);
    rc = buf_reserve(&b, DSEP_BYTES + out->share_len); /* one allocation, no regrowth */
    buf_put(&b, DSEP_USER_DEC, DSEP_BYTES);
    buf_put(&b, out->share, out->share_len);
    if (rc == 0)
        rc = buf_status(&b);
    if (rc == 0)
        rc = ecdsa_sign_sha256(out->signature, server_sk, b.data, b.len);
    buf_free(&b);
    return rc;
}

int udp_build_centralized_key(struct udp_response *out, const struct udp_checked *req,
                              const struct udp_plaintext *pts, size_t n,
                              const struct node_key *key, const uint8_t *extra,
                              size_t extra_len)
{
    memset(out, 0, sizeof *out);
    if (n == 0 || n != req->n_handles)
        return kms_err(KMS_EINVAL, "%zu plaintexts for %zu ciphertexts", n, req->n_handles);
    for (size_t i = 0; i < n; i++)
        if (pts[i].bytes == NULL && pts[i].len != 0)
            return kms_err(KMS_EINVAL, "plaintext %zu: NULL bytes", i);
    _Static_assert(sizeof out->verification_key == sizeof key->verf_key,
                   "verification_key is bincode(PublicSigKey)");
    memcpy(out->verification_key, key->verf_key, sizeof out->verification_key);
    int rc = build_cts(out, req, pts, n, key);
    if (rc == 0) {
        memcpy(out->digest, req->link, sizeof out->digest);
        out->party_id = 1; /* the centralized KMS is always party 1 ... */
        out->degree = 0;   /* ... and holds the plaintext itself */
        rc = sign_response(out, req, key->sk, extra, extra_len);
    }
    if (rc < 0) {
        udp_response_free(out);
        return kms_err_wrap(rc, "user decryption response");
    }
    return 0;
}

int udp_build_centralized(struct udp_response *out, const struct udp_checked *req,
                          const struct udp_plaintext *pts, size_t n, const uint8_t server_sk[32],
                          const uint8_t *extra, size_t extra_len)
{
    struct node_key *key;
    memset(out, 0, sizeof *out);
    int rc = node_key_from_seckey(&key, server_sk);
    if (rc < 0)
        return kms_err_wrap(rc, "user decryption response");
    rc = udp_build_centralized_key(out, req, pts, n, key, extra, extra_len);
    node_key_free(key);
    return rc;
}

/* ---- the client side ---- */

/* bincode(PublicSigKey) → SEC1 key, and its address. */
static int parse_verification_key(uint8_t pk[ECDSA_PUBKEY_BYTES], uint8_t addr[20],
                                  const uint8_t *vk, size_t vk_len)
{
    struct reader r;
    const uint8_t *sec1;
    size_t sec1_len;
    reader_init(&r, vk, vk_len);
    if (vk == NULL || bincode_get_bytes(&r, &sec1, &sec1_len) < 0 || reader_expect_end(&r) < 0)
        return kms_err(KMS_EINVAL, "verification_key is not a bincode PublicSigKey");
    KMS_TRY(ecdsa_pubkey_parse(pk, sec1, sec1_len));
    return ethaddr_from_pubkey(addr, pk, ECDSA_PUBKEY_BYTES);
}

/* The checks before any decryption: link, server key, external signature,
 * and that the response answers exactly the requested handles. */
static int check_response(uint8_t pk[ECDSA_PUBKEY_BYTES], const struct udp_checked *req,
                          const struct udp_payload *p, const uint8_t ext_sig[UDP_EXT_SIG_BYTES],
                          const uint8_t *extra, size_t extra_len,
                          const uint8_t server_address[UDP_ADDRESS_BYTES])
{
    if (p->digest_len != UDP_LINK_BYTES || p->digest == NULL ||
        memcmp(p->digest, req->link, UDP_LINK_BYTES) != 0)
        return kms_err(KMS_EVERIFY, "response digest does not match the request's link");
    uint8_t addr[20];
    KMS_TRY(parse_verification_key(pk, addr, p->verification_key, p->verification_key_len));
    if (memcmp(addr, server_address, sizeof addr) != 0)
        return kms_err(KMS_EVERIFY, "verification key does not belong to the trusted server");
    if (ext_sig[64] != 27 && ext_sig[64] != 28)
        return kms_err(KMS_EVERIFY, "external signature: v must be 27 or 28");
    uint8_t h[32];
    KMS_TRY(udp_response_hash(h, &req->domain, req->ek, p, extra, extra_len));
    if (ethaddr_recover(addr, h, ext_sig) < 0 || memcmp(addr, server_address, sizeof addr) != 0)
        return kms_err(KMS_EVERIFY, "external signature is not the trusted server's");
    /* stricter than node-tkms 0.12.8, which does not compare the lists */
    if (p->n_cts != req->n_handles)
        return kms_err(KMS_EVERIFY, "%zu ciphertexts answer %zu requested", p->n_cts,
                       req->n_handles);
    for (size_t i = 0; i < p->n_cts; i++) {
        const struct udp_ct *c = &p->cts[i];
        if (c->handle_len != req->handles[i].len ||
            (c->handle_len != 0 && memcmp(c->handle, req->handles[i].p, c->handle_len) != 0))
            return kms_err(KMS_EVERIFY, "ciphertext %zu answers another handle", i);
    }
    return 0;
}

int udp_open_centralized(struct buf *pt_out, struct udp_opened *opened, size_t max_opened,
                         const struct udp_checked *req, const struct udp_payload *p,
                         const uint8_t ext_sig[UDP_EXT_SIG_BYTES], const uint8_t *extra,
                         size_t extra_len, const uint8_t server_address[UDP_ADDRESS_BYTES],
                         const uint8_t dk[MLKEM512_DK_BYTES])
{
    if (p->n_cts > max_opened)
        return kms_err(KMS_EINVAL, "room for %zu plaintexts, response has %zu", max_opened,
                       p->n_cts);
    if (p->n_cts > 0 && p->cts == NULL)
        return kms_err(KMS_EINVAL, "payload: NULL ciphertext list");
    uint8_t pk[ECDSA_PUBKEY_BYTES];
    KMS_TRY(check_response(pk, req, p, ext_sig, extra, extra_len, server_address));
    size_t start = pt_out->len;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < p->n_cts; i++) {
        opened[i].off = pt_out->len;
        rc = signcrypt_user_decrypt_open(pt_out, &opened[i].fhe_type, p->cts[i].ct,
                                         p->cts[i].ct_len, req->link, sizeof req->link, dk,
                                         req->client_address, pk, sizeof pk);
        opened[i].len = pt_out->len - opened[i].off;
    }
    if (rc < 0) {
        if (pt_out->len > start)
            secmem_wipe(pt_out->data + start, pt_out->len - start);
        pt_out->len = start;
        memset(opened, 0, p->n_cts * sizeof *opened);
        return kms_err_wrap(rc, "ciphertext");
    }
    return 0;
}
