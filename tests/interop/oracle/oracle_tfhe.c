/* Interop oracle for the TFHE-rs 1.7 byte formats (src/tfhe/wire). Objects
 * are large, so they travel as file paths in a directory the test owns.
 *   roundtrip <kind> <in> <out>   read <in>, write it back to <out>; prints
 *       what was read (kind: client_key, cpk, radix, compact_list,
 *       compressed_list, squashed, squashed_list)
 *   decrypt <client_key> <ct> [index]   prints "<type> <value hex, little-endian>"
 *       and the object's element count
 *   keygen <params> <seed hex (16 bytes)> <dir>   writes <dir>/client_key.bin
 *       and <dir>/public_key.bin (the dedicated CompactPublicKey)
 *   encrypt <client_key> <fhe type id> <value hex, little-endian> <out>
 *       writes an FheBool/FheUint/FheInt encrypted with the client key
 *   encrypt_list <public_key> <packed 0|1> <out> <id>:<value hex> ...
 *       writes a CompactCiphertextList of the values under the public key */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/secmem.h"
#include "crypto/entropy.h"
#include "oracle_io.h"
#include "tfhe/cpk.h"
#include "tfhe/glwe.h"
#include "tfhe/lwe.h"
#include "tfhe/wire/wire_ciphertext.h"
#include "tfhe/wire/wire_client_key.h"
#include "tfhe/wire/wire_compact_list.h"
#include "tfhe/wire/wire_compressed_list.h"
#include "tfhe/wire/wire_cpk.h"
#include "tfhe/wire/wire_decrypt.h"
#include "tfhe/wire/wire_squashed.h"

#define LIMIT ((size_t)1 << 31)

static int read_file(const char *path, uint8_t **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    *out = NULL;
    *len = 0;
    if (f == NULL)
        return kms_err(KMS_EIO, "cannot open %s: %s", path, strerror(errno));
    struct buf b;
    buf_init(&b, LIMIT);
    uint8_t chunk[1 << 16];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_put(&b, chunk, n);
    fclose(f);
    if (buf_status(&b) != 0) {
        buf_free(&b);
        return kms_err(KMS_EIO, "cannot read %s", path);
    }
    *out = buf_take(&b, len);
    return 0;
}

/* Opens path for a writer; the callback closes it. */
static int with_file(const char *path, int (*write)(struct wire_sink *s, const void *obj),
                     const void *obj)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return kms_err(KMS_EIO, "cannot create %s: %s", path, strerror(errno));
    struct wire_sink s;
    wire_sink_file(&s, f, LIMIT);
    int rc = write(&s, obj);
    if (fclose(f) != 0 && rc == 0)
        rc = kms_err(KMS_EIO, "cannot write %s", path);
    return rc;
}

/* ---- round trips ---- */

static int put_ck(struct wire_sink *s, const void *o) { return wire_client_key_write(s, o); }
static int put_radix(struct wire_sink *s, const void *o) { return wire_radix_write(s, o); }
static int put_compact(struct wire_sink *s, const void *o) { return wire_compact_list_write(s, o); }
static int put_squashed(struct wire_sink *s, const void *o) { return wire_sns_radix_write(s, o); }
static int put_compressed(struct wire_sink *s, const void *o)
{
    return wire_compressed_list_write(s, o);
}
static int put_snscomp(struct wire_sink *s, const void *o) { return wire_snscomp_list_write(s, o); }
static int put_cpk(struct wire_sink *s, const void *o)
{
    const struct wire_cpk *k = o;
    return wire_cpk_write(s, &k->params, k->pk, k->pk_len, k->tag, k->tag_len);
}

static int roundtrip_bytes(struct buf *out, const char *kind, const uint8_t *in, size_t len,
                           const char *path)
{
    char info[128];
    int rc;
    if (strcmp(kind, "client_key") == 0) {
        struct wire_client_key ck;
        KMS_TRY(wire_client_key_read(&ck, in, len, LIMIT));
        snprintf(info, sizeof info, "%s", ck.params->name);
        rc = with_file(path, put_ck, &ck);
        wire_client_key_clear(&ck);
    } else if (strcmp(kind, "cpk") == 0) {
        struct wire_cpk k;
        KMS_TRY(wire_cpk_read(&k, in, len, LIMIT));
        snprintf(info, sizeof info, "n=%u", k.params.cpk.lwe_dimension);
        rc = with_file(path, put_cpk, &k);
        wire_cpk_clear(&k);
    } else if (strcmp(kind, "radix") == 0) {
        struct wire_radix w;
        KMS_TRY(wire_radix_read(&w, in, len, LIMIT, -1, NULL));
        snprintf(info, sizeof info, "%s", w.ct->type->name);
        rc = with_file(path, put_radix, &w);
        wire_radix_clear(&w);
    } else if (strcmp(kind, "compact_list") == 0) {
        struct wire_compact_list l;
        KMS_TRY(wire_compact_list_read(&l, in, len, LIMIT));
        snprintf(info, sizeof info, "%zu", l.info_count);
        rc = with_file(path, put_compact, &l);
        wire_compact_list_clear(&l);
    } else if (strcmp(kind, "compressed_list") == 0) {
        struct wire_compressed_list l;
        KMS_TRY(wire_compressed_list_read(&l, in, len, LIMIT));
        snprintf(info, sizeof info, "%zu", l.list.info_count);
        rc = with_file(path, put_compressed, &l);
        wire_compressed_list_clear(&l);
    } else if (strcmp(kind, "squashed") == 0) {
        struct sns_radix *ct;
        KMS_TRY(wire_sns_radix_read(&ct, in, len, LIMIT, -1, NULL));
        snprintf(info, sizeof info, "%s", ct->type->name);
        rc = with_file(path, put_squashed, ct);
        sns_radix_free(ct);
    } else if (strcmp(kind, "squashed_list") == 0) {
        struct wire_snscomp_list l;
        KMS_TRY(wire_snscomp_list_read(&l, in, len, LIMIT));
        snprintf(info, sizeof info, "%zu", l.list.info_count);
        rc = with_file(path, put_snscomp, &l);
        wire_snscomp_list_clear(&l);
    } else {
        return kms_err(KMS_EINVAL, "unknown kind %s", kind);
    }
    if (rc == 0)
        oracle_put_text(out, info);
    return rc;
}

static int run_roundtrip(struct buf *out, int argc, char **argv)
{
    (void)argc;
    uint8_t *in;
    size_t len;
    KMS_TRY(read_file(argv[1], &in, &len));
    int rc = roundtrip_bytes(out, argv[0], in, len, argv[2]);
    secmem_wipe(in, len);
    free(in);
    return rc;
}

/* ---- decryption ---- */

static int load_client_key(struct wire_client_key *ck, const char *path)
{
    uint8_t *in;
    size_t len;
    KMS_TRY(read_file(path, &in, &len));
    int rc = wire_client_key_read(ck, in, len, LIMIT);
    secmem_wipe(in, len);
    free(in);
    return rc;
}

static int run_decrypt(struct buf *out, int argc, char **argv)
{
    struct wire_client_key ck;
    struct wire_decryptor *d = NULL;
    uint8_t *ct = NULL, value[RADIX_MAX_BYTES];
    size_t len = 0, value_len, count;
    const struct radix_type *t;
    if (argc < 2 || argc > 3)
        return kms_err(KMS_EINVAL, "decrypt takes a client key, a ciphertext and an index");
    size_t index = argc > 2 ? strtoul(argv[2], NULL, 10) : 0;
    KMS_TRY(load_client_key(&ck, argv[0]));
    int rc = read_file(argv[1], &ct, &len);
    if (rc == 0)
        rc = wire_decryptor_new(&d, &ck);
    if (rc == 0)
        rc = wire_decrypt(d, ct, len, LIMIT, index, &t, value, sizeof value, &value_len, &count);
    if (rc == 0) {
        char n[32];
        oracle_put_text(out, t->name);
        oracle_put_hex(out, value, value_len);
        snprintf(n, sizeof n, "%zu", count);
        oracle_put_text(out, n);
    }
    wire_decryptor_free(d);
    wire_client_key_clear(&ck);
    free(ct);
    return rc;
}

/* ---- key generation and encryption ---- */

struct keys {
    const struct tfhe_params *p;
    struct keyset_secrets sk;
    uint64_t *pk;
};

static void keys_free(struct keys *k)
{
    secmem_free(k->sk.lwe);
    secmem_free(k->sk.glwe);
    secmem_free(k->sk.cpk);
    secmem_free(k->sk.compression);
    secmem_free(k->sk.sns);
    secmem_free(k->sk.sns_compression);
    secmem_free(k->sk.oprf);
    free(k->pk);
}

/* n fresh binary words from the secret stream, as u64 or widened to u128. */
static int bits(void **out, size_t n, int wide, struct csprng *secret)
{
    uint64_t *w = secmem_alloc(n * 8);
    *out = NULL;
    if (w == NULL)
        return kms_err(KMS_ENOMEM, "out of memory");
    int rc = lwe_sk_generate(w, n, secret);
    if (rc == 0 && wide) {
        u128 *v = secmem_alloc(n * 16);
        if (v == NULL)
            rc = kms_err(KMS_ENOMEM, "out of memory");
        for (size_t i = 0; rc == 0 && i < n; i++)
            v[i] = w[i];
        secmem_free(w);
        w = (uint64_t *)v;
    }
    if (rc < 0) {
        secmem_free(w);
        return rc;
    }
    *out = w;
    return 0;
}

/* Every secret of a set (one generator, in keyset.h's order; not the
 * CompressedXofKeySet's packed sampling, which the format does not see),
 * then the compact public key. */
static int make_keys(struct keys *k, const struct tfhe_params *p, const uint8_t seed[16])
{
    struct csprng secret;
    struct enc_rng rng;
    uint8_t s2[16], s3[16];
    memset(k, 0, sizeof *k);
    k->p = p;
    memcpy(s2, seed, 16);
    memcpy(s3, seed, 16);
    s2[15] ^= 0x5a;
    s3[15] ^= 0xa5;
    KMS_TRY(csprng_init_seed(&secret, seed));
    struct keyset_secrets *sk = &k->sk;
    sk->cpk_len = p->cpk.lwe_dimension;
    sk->lwe_len = sk->oprf_len = p->pbs.lwe_dimension;
    sk->glwe_len = (size_t)p->pbs.glwe_dimension * p->pbs.polynomial_size;
    sk->compression_len =
        (size_t)p->compression.packing_ks_glwe_dimension * p->compression.packing_ks_polynomial_size;
    sk->sns_len = (size_t)p->sns.glwe_dimension * p->sns.polynomial_size;
    sk->sns_compression_len = (size_t)p->sns_compression.packing_ks_glwe_dimension *
                              p->sns_compression.packing_ks_polynomial_size;
    int rc = bits((void **)&sk->cpk, sk->cpk_len, 0, &secret);
    if (rc == 0)
        rc = bits((void **)&sk->lwe, sk->lwe_len, 0, &secret);
    if (rc == 0)
        rc = bits((void **)&sk->glwe, sk->glwe_len, 0, &secret);
    if (rc == 0)
        rc = bits((void **)&sk->compression, sk->compression_len, 0, &secret);
    if (rc == 0)
        rc = bits((void **)&sk->sns, sk->sns_len, 1, &secret);
    if (rc == 0)
        rc = bits((void **)&sk->sns_compression, sk->sns_compression_len, 1, &secret);
    if (rc == 0)
        rc = bits((void **)&sk->oprf, sk->oprf_len, 0, &secret);
    csprng_free(&secret);
    if (rc == 0 && (k->pk = malloc(cpk_pk_size(sk->cpk_len) * 8)) == NULL)
        rc = kms_err(KMS_ENOMEM, "out of memory");
    if (rc == 0 && (rc = csprng_init_seed(&rng.mask, s2)) == 0) {
        if ((rc = csprng_init_seed(&rng.noise, s3)) == 0) {
            rc = cpk_pk_generate(p, k->pk, cpk_pk_size(sk->cpk_len), sk->cpk, sk->cpk_len, &rng);
            csprng_free(&rng.noise);
        }
        csprng_free(&rng.mask);
    }
    return rc;
}

static int write_keys(const struct keys *k, const char *dir)
{
    char path[4096];
    struct wire_client_key ck;
    struct wire_cpk cpk = {0};
    struct wire_ksk_params casting;
    struct wire_rerand_params rerand;
    static const uint8_t tag[] = "ckms-oracle";
    KMS_TRY(wire_client_key_from_secrets(&ck, k->p, &k->sk, tag, sizeof tag - 1));
    snprintf(path, sizeof path, "%s/client_key.bin", dir);
    int rc = with_file(path, put_ck, &ck);
    wire_client_key_clear(&ck);
    KMS_TRY(rc);
    wire_params_kms_cpk(k->p, &cpk.params, &casting, &rerand);
    cpk.pk = k->pk;
    cpk.pk_len = cpk_pk_size(k->sk.cpk_len);
    snprintf(path, sizeof path, "%s/public_key.bin", dir);
    return with_file(path, put_cpk, &cpk);
}

static int run_keygen(struct buf *out, int argc, char **argv)
{
    (void)argc;
    const struct tfhe_params *p;
    uint8_t seed[16];
    struct keys k;
    KMS_TRY(tfhe_params_get(&p, argv[0], 1));
    KMS_TRY(oracle_hex_exact(argv[1], seed, sizeof seed));
    int rc = make_keys(&k, p, seed);
    if (rc == 0)
        rc = write_keys(&k, argv[2]);
    keys_free(&k);
    if (rc == 0)
        oracle_put_text(out, p->name);
    return rc;
}

static int run_encrypt(struct buf *out, int argc, char **argv)
{
    (void)argc;
    struct wire_client_key ck;
    struct shortint_client_key *compute = NULL;
    struct radix_ct *ct = NULL;
    struct enc_rng rng = {0};
    uint8_t *value = NULL, s1[16], s2[16];
    size_t value_len;
    int32_t type = (int32_t)strtol(argv[1], NULL, 10);
    KMS_TRY(load_client_key(&ck, argv[0]));
    int rc = oracle_hex_arg(argv[2], &value, &value_len);
    if (rc == 0)
        rc = wire_client_key_compute(&compute, &ck);
    if (rc == 0)
        rc = radix_ct_new(&ct, ck.params, type);
    if (rc == 0 && (rc = entropy_fill(s1, 16)) == 0 && (rc = entropy_fill(s2, 16)) == 0 &&
        (rc = csprng_init_seed(&rng.mask, s1)) == 0 &&
        (rc = csprng_init_seed(&rng.noise, s2)) == 0)
        rc = radix_encrypt(compute, ct, value, value_len, &rng);
    if (rc == 0) {
        struct wire_radix w = {.ct = ct};
        rc = with_file(argv[3], put_radix, &w);
    }
    if (rc == 0)
        oracle_put_text(out, ct->type->name);
    csprng_free(&rng.mask);
    csprng_free(&rng.noise);
    radix_ct_free(ct);
    shortint_client_key_free(compute);
    wire_client_key_clear(&ck);
    free(value);
    return rc;
}

static int run_encrypt_list(struct buf *out, int argc, char **argv)
{
    struct wire_cpk pk;
    struct wire_compact_list l = {0};
    struct wire_plaintext pts[ORACLE_MAX_ARGS];
    uint8_t *vals[ORACLE_MAX_ARGS] = {0}, seed[32];
    const struct tfhe_params *p;
    int n = argc - 3, rc;
    if (n < 1)
        return kms_err(KMS_EINVAL, "encrypt_list needs at least one value");
    uint8_t *bytes;
    size_t len;
    KMS_TRY(read_file(argv[0], &bytes, &len));
    rc = wire_cpk_read(&pk, bytes, len, LIMIT);
    free(bytes);
    KMS_TRY(rc);
    /* the set whose compact key this is */
    rc = tfhe_params_get(&p, pk.params.cpk.lwe_dimension == 512 ? "test" : "default", 1);
    for (int i = 0; rc == 0 && i < n; i++) {
        char *colon = strchr(argv[3 + i], ':');
        if (colon == NULL) {
            rc = kms_err(KMS_EINVAL, "values are <id>:<hex>");
            break;
        }
        *colon = 0;
        pts[i].fhe_type = (int32_t)strtol(argv[3 + i], NULL, 10);
        rc = oracle_hex_arg(colon + 1, &vals[i], &pts[i].len);
        pts[i].le = vals[i];
    }
    if (rc == 0)
        rc = entropy_fill(seed, sizeof seed);
    if (rc == 0)
        rc = wire_compact_list_encrypt(&l, p, pk.pk, pk.pk_len, pts, (size_t)n,
                                       strcmp(argv[1], "1") == 0, seed, sizeof seed);
    if (rc == 0)
        rc = with_file(argv[2], put_compact, &l);
    if (rc == 0)
        oracle_put_text(out, "written");
    for (int i = 0; i < n; i++)
        free(vals[i]);
    wire_compact_list_clear(&l);
    wire_cpk_clear(&pk);
    return rc;
}

int main(void)
{
    static const struct oracle_cmd cmds[] = {
        {"roundtrip", 3, run_roundtrip},
        {"decrypt", -1, run_decrypt},
        {"keygen", 3, run_keygen},
        {"encrypt", 4, run_encrypt},
        {"encrypt_list", -1, run_encrypt_list},
    };
    return oracle_main(cmds, sizeof cmds / sizeof cmds[0]);
}
