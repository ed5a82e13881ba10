/* Helpers shared by the centralized-engine tests (test_central*.c).
 * Include after <cmocka.h>.
 *
 * Everything a test checks is recomputed here from the stored bytes with
 * code other than the engine's: digests with crypto/keccak.h SHAKE256,
 * ciphertexts with the client key read back from the private vault and the
 * server keys decompressed from the published keyset. */
#ifndef CKMS_CENTRAL_TEST_UTIL_H
#define CKMS_CENTRAL_TEST_UTIL_H

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "crypto/ecdsa.h"
#include "crypto/eip712.h"
#include "crypto/ethaddr.h"
#include "crypto/keccak.h"
#include "crypto/kms_eip712.h"
#include "service/central.h"
#include "service/keygen_record.h"
#include "service/node_key.h"
#include "store/vault.h"
#include "test_util.h"
#include "tfhe/decrypt.h"
#include "tfhe/keyset.h"
#include "tfhe/radix.h"
#include "tfhe/sns.h"
#include "tfhe/wire/wire_ciphertext.h"
#include "tfhe/wire/wire_client_key.h"
#include "tfhe/wire/wire_compressed_list.h"
#include "tfhe/wire/wire_cpk.h"
#include "tfhe/wire/wire_keyset.h"
#include "tfhe/wire/wire_server_key.h"
#include "tfhe/wire/wire_squashed.h"

#define CT_READ_LIMIT ((size_t)4 << 30)

static inline const struct tfhe_params *ct_params(const char *name)
{
    const struct tfhe_params *p;
    assert_int_equal(tfhe_params_get(&p, name, 1), 0);
    return p;
}

static inline void ct_msg_has(const char *needle)
{
    const char *msg = kms_err_msg();
    if (strstr(msg, needle) == NULL)
        fail_msg("error message \"%s\" lacks \"%s\"", msg, needle);
}

static inline void ct_id(uint8_t id[32], uint8_t salt)
{
    for (int i = 0; i < 32; i++)
        id[i] = (uint8_t)(salt * 31 + i * 7 + 1);
}

static inline void ct_hex(char out[VAULT_ID_BUF], const uint8_t id[32])
{
    assert_int_equal(vault_id_from_bytes(out, id), 0);
}

/* File vaults under root, the private one encrypted with kek_bytes. */
static inline void ct_file_vaults(struct vault **pub, struct vault **priv, const char *root,
                                  const uint8_t kek_bytes[32])
{
    struct vault_kek *kek;
    struct vault *inner;
    assert_int_equal(vault_file_open(pub, root, "PUB", 0), 0);
    assert_int_equal(vault_file_open(&inner, root, "PRIV", VAULT_F_PRIVATE), 0);
    assert_int_equal(vault_kek_from_bytes(&kek, kek_bytes, 32), 0);
    assert_int_equal(vault_crypt_wrap(priv, inner, kek, 0), 0);
    vault_kek_free(kek);
}

/* The whole object at type/id (or NULL when absent), malloc'd. */
static inline uint8_t *ct_read(struct vault *v, size_t *len, const char *type, const char *epoch,
                               const char *id)
{
    struct buf b;
    buf_init(&b, BUF_UNLIMITED);
    int rc = vault_read(v, &b, VAULT_ADDR_EPOCH(type, epoch, id));
    if (rc == KMS_ENOTFOUND) {
        buf_free(&b);
        *len = 0;
        return NULL;
    }
    if (rc != 0)
        fail_msg("reading %s/%s: %s", type, id, kms_err_msg());
    return buf_take(&b, len);
}

/* SHAKE256("PDAT_KEY" ‖ bytes)[..32], straight from keccak.h. */
static inline void ct_key_digest(uint8_t out[32], const uint8_t *p, size_t n)
{
    struct keccak k;
    keccak_init_shake256(&k);
    keccak_absorb(&k, "PDAT_KEY", 8);
    keccak_absorb(&k, p, n);
    keccak_squeeze(&k, out, 32);
}

/* The EIP-712 domain the fhevm Gateway uses for key generation. */
static inline struct eip712_domain ct_domain(void)
{
    struct eip712_domain d = {
        .fields = EIP712_DOMAIN_STANDARD,
        .name = "KMSGeneration",
        .name_len = 13,
        .version = "1",
        .version_len = 1,
    };
    d.chain_id[31] = 0x36;
    for (int i = 0; i < 20; i++)
        d.verifying_contract[i] = (uint8_t)(0xa0 + i);
    return d;
}

/* The address the record's external signature recovers to. */
static inline void ct_recover(uint8_t addr[ETHADDR_BYTES], const struct keygen_record *r,
                              const struct eip712_domain *d)
{
    struct kms_eip712_key_digest kd[KEYGEN_RECORD_MAX_DIGESTS];
    for (size_t i = 0; i < r->n_digests; i++)
        kd[i] = (struct kms_eip712_key_digest){(uint8_t)keygen_pub_type_eip712(r->digests[i].type),
                                               r->digests[i].digest, 32};
    uint8_t h[32], digest[32], pk[ECDSA_PUBKEY_BYTES];
    kms_eip712_keygen(h, r->preproc_id, r->key_id, kd, r->n_digests, r->extra, r->extra_len);
    assert_int_equal(eip712_digest_for_domain(digest, d, h), 0);
    assert_int_equal(ecdsa_recover(pk, digest, r->external_signature), 0);
    assert_int_equal(ethaddr_from_pubkey(addr, pk, sizeof pk), 0);
}

/* Checks every public object of a key: present exactly as the record
 * says, digests recomputed, tags = the key id. */
static inline void ct_check_public(struct vault *pub, const struct keygen_record *r, int compressed)
{
    char id[VAULT_ID_BUF];
    ct_hex(id, r->key_id);
    assert_int_equal(r->n_digests, 2);
    const uint32_t want[2][2] = {{KEYGEN_PUB_SERVER_KEY, KEYGEN_PUB_PUBLIC_KEY},
                                 {KEYGEN_PUB_PUBLIC_KEY, KEYGEN_PUB_COMPRESSED_XOF_KEYSET}};
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(r->digests[i].type, want[compressed][i]);
        size_t len;
        uint8_t *obj = ct_read(pub, &len, keygen_pub_type_name(r->digests[i].type), NULL, id);
        assert_non_null(obj);
        uint8_t d[32];
        ct_key_digest(d, obj, len);
        assert_memory_equal(d, r->digests[i].digest, 32);
        free(obj);
    }
    size_t len;
    uint8_t *other = ct_read(pub, &len, compressed ? VAULT_PUB_SERVER_KEY
                                                   : VAULT_PUB_COMPRESSED_XOF_KEYSET,
                             NULL, id);
    assert_null(other);
}

/* ---- ciphertexts for a generated key ---- */

struct ct_env {
    const struct tfhe_params *p;
    struct wire_client_key ck;
    struct shortint_client_key *compute;
    struct keyset_server *s; /* NULL for an uncompressed key */
    struct sns_scratch *sns_sc;
    struct enc_rng rng;
};

/* The client key from the private vault, the server keys from the
 * published CompressedXofKeySet (when there is one). */
static inline void ct_env_new(struct ct_env *e, struct vault *pub, struct vault *priv,
                              const uint8_t key_id[32])
{
    char id[VAULT_ID_BUF], ep[VAULT_ID_BUF];
    memset(e, 0, sizeof *e);
    ct_hex(id, key_id);
    ct_hex(ep, central_default_epoch);
    size_t len;
    uint8_t *obj = ct_read(priv, &len, VAULT_PRIV_FHE_PRIVATE_KEY, ep, id);
    assert_non_null(obj);
    struct keygen_record r;
    const uint8_t *ckb;
    size_t ck_len;
    assert_int_equal(keygen_record_decode(&r, &ckb, &ck_len, obj, len), 0);
    assert_int_equal(wire_client_key_read(&e->ck, ckb, ck_len, ck_len), 0);
    assert_int_equal(e->ck.tag_len, 32);
    assert_memory_equal(e->ck.tag, key_id, 32);
    keygen_record_clear(&r);
    free(obj);
    e->p = e->ck.params;
    assert_int_equal(wire_client_key_compute(&e->compute, &e->ck), 0);

    obj = ct_read(pub, &len, VAULT_PUB_COMPRESSED_XOF_KEYSET, NULL, id);
    if (obj != NULL) {
        struct wire_seeded_keyset k;
        assert_int_equal(wire_seeded_keyset_read(&k, obj, len, CT_READ_LIMIT, e->p), 0);
        assert_int_equal(k.kind, WIRE_KEYSET_XOF);
        assert_true(k.replayable);
        assert_int_equal(k.pub.tag_len, 32);
        assert_memory_equal(k.pub.tag, key_id, 32);
        assert_int_equal(keyset_decompress(&e->s, &k.pub), 0);
        wire_seeded_keyset_clear(&k);
        free(obj);
        assert_int_equal(sns_scratch_new(&e->sns_sc, e->s->sns), 0);
    }
    uint8_t s1[16] = {1, key_id[0]}, s2[16] = {2, key_id[1]};
    assert_int_equal(csprng_init_seed(&e->rng.mask, s1), 0);
    assert_int_equal(csprng_init_seed(&e->rng.noise, s2), 0);
}

static inline void ct_env_free(struct ct_env *e)
{
    sns_scratch_free(e->sns_sc);
    keyset_server_free(e->s);
    shortint_client_key_free(e->compute);
    wire_client_key_clear(&e->ck);
    csprng_free(&e->rng.mask);
    csprng_free(&e->rng.noise);
}

/* One ciphertext of `value` (le bytes of the type's length) in `format`,
 * serialized as TFHE-rs does; bytes malloc'd into ct->bytes. */
static inline void ct_make(struct ct_env *e, struct central_ct *out, int32_t fhe_type,
                           int32_t format, const uint8_t *value)
{
    const struct radix_type *t;
    assert_int_equal(radix_type_lookup(&t, fhe_type), 0);
    struct radix_ct *ct;
    assert_int_equal(radix_ct_new(&ct, e->p, fhe_type), 0);
    assert_int_equal(radix_encrypt(e->compute, ct, value, radix_type_bytes(t), &e->rng), 0);
    struct buf b;
    struct wire_sink s;
    buf_init(&b, BUF_UNLIMITED);
    wire_sink_buf(&s, &b, UINT64_MAX);
    if (format == TFHE_CT_SMALL_EXPANDED) {
        assert_int_equal(wire_radix_write_ct(&s, ct), 0);
    } else if (format == TFHE_CT_SMALL_COMPRESSED) {
        assert_non_null(e->s);
        struct wire_compressed_list l = {0};
        const struct radix_ct *one[1] = {ct};
        assert_int_equal(compression_compress_radix(e->s->compression, &l.list, one, 1), 0);
        assert_int_equal(wire_compressed_list_write(&s, &l), 0);
        wire_compressed_list_clear(&l);
    } else {
        assert_non_null(e->s);
        struct sns_radix *sq;
        assert_int_equal(sns_radix_new(&sq, e->p, fhe_type), 0);
        assert_int_equal(sns_squash_radix(e->s->sns, e->s->compute, e->sns_sc, sq, ct), 0);
        if (format == TFHE_CT_BIG_EXPANDED) {
            assert_int_equal(wire_sns_radix_write(&s, sq), 0);
        } else {
            struct compression_data_kind info = {
                t->is_bool ? COMPRESSION_KIND_BOOLEAN
                           : (t->is_signed ? COMPRESSION_KIND_SIGNED : COMPRESSION_KIND_UNSIGNED),
                t->is_bool ? 0 : t->blocks, 0, 0};
            struct wire_snscomp_list l = {0};
            assert_int_equal(snscomp_compress(e->s->sns_compression, &l.list, sq->data, sq->count,
                                              e->p->sns.message_modulus, e->p->sns.carry_modulus,
                                              &info, 1),
                             0);
            assert_int_equal(wire_snscomp_list_write(&s, &l), 0);
            wire_snscomp_list_clear(&l);
        }
        sns_radix_free(sq);
    }
    assert_int_equal(wire_sink_status(&s), 0);
    radix_ct_free(ct);
    out->fhe_type = fhe_type;
    out->format = format;
    out->bytes = buf_take(&b, &out->len);
}

/* Encrypts Bool, Uint8 and Uint64 values in each of the formats given and
 * decrypts them all in one central_decrypt call. */
static inline void ct_decrypt_check(struct central *c, struct ct_env *e, const uint8_t key_id[32],
                                    const int32_t *formats, size_t n_formats)
{
    static const int32_t types[] = {RADIX_BOOL, RADIX_UINT8, RADIX_UINT64};
    static const uint8_t values[][8] = {{1}, {0xa7}, {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                                      0xf8}};
    static const size_t lens[] = {1, 1, 8};
    size_t n = n_formats * 3, total = 0, k = 0;
    struct central_ct *cts = calloc(n, sizeof *cts);
    uint8_t want[64];
    assert_non_null(cts);
    for (size_t f = 0; f < n_formats; f++)
        for (size_t i = 0; i < 3; i++) {
            ct_make(e, &cts[k++], types[i], formats[f], values[i]);
            memcpy(want + total, values[i], lens[i]);
            total += lens[i];
        }
    uint8_t got[64];
    int rc = central_decrypt(c, key_id, central_default_epoch, cts, n, got, total);
    if (rc != 0)
        fail_msg("central_decrypt: %s", kms_err_msg());
    assert_memory_equal(got, want, total);
    for (size_t i = 0; i < n; i++)
        free((void *)cts[i].bytes);
    free(cts);
}

#endif
