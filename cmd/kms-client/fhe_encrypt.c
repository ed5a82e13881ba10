/* `kms-client fhe encrypt`: one value into one of the KMS's ciphertext
 * formats (CiphertextFormat of the reference KMS):
 *   compact-list      CompactCiphertextList, under a CompactPublicKey (the
 *                     only format a public key gives; what dapps send)
 *   small-expanded    FheBool / FheUintN / FheIntN, under the client key
 *   small-compressed  CompressedCiphertextList of one element: encrypted under
 *                     the client key, then compressed with a compression key
 *                     made from the client key's secrets (as tfhe-rs does)
 *   big-expanded      SquashedNoiseFhe*, big-compressed CompressedSquashed
 *                     NoiseCiphertextList: see fhe_big.c
 * Randomness: fresh OS entropy for every stream. The ciphertexts carry the
 * key's tag, as tfhe-rs's encryptions do. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "base/secmem.h"
#include "crypto/entropy.h"
#include "fhe_enc.h"
#include "tfhe/compression.h"
#include "tfhe/wire/wire_ciphertext.h"
#include "tfhe/wire/wire_compact_list.h"
#include "tfhe/wire/wire_cpk.h"
#include "tfhe/wire/wire_squashed.h"

#define CMD "encrypt"

enum ct_format { F_NONE = -1, F_COMPACT = 0, F_SMALL_EXP, F_SMALL_COMP, F_BIG_EXP, F_BIG_COMP };

static const char *const format_names[] = {"compact-list", "small-expanded", "small-compressed",
                                           "big-expanded", "big-compressed"};

struct encrypt_opts {
    const char *public_key, *client_key, *value, *out;
    const struct radix_type *type;
    int format; /* enum ct_format */
    int force;
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: kms-client fhe encrypt (--public-key F | --client-key F) --type T --value V\n"
            "                              --out F [--format FORMAT] [--force]\n"
            "\n"
            "  --type T      ebool, euint4 .. euint2048 (euint8/16/32/64/128/256, eaddress),\n"
            "                eint4 .. eint2048\n"
            "  --value V     decimal, or 0x hex; negative values for eintN; true/false for ebool\n"
            "  --format F    with --public-key: compact-list (the default and only one)\n"
            "                with --client-key: small-expanded (default, FheUintN),\n"
            "                small-compressed (CompressedCiphertextList), big-expanded\n"
            "                (SquashedNoiseFheUint), big-compressed (CompressedSquashedNoise\n"
            "                CiphertextList)\n"
            "  --force       overwrite --out if it exists\n");
}

static int parse_format(const char *s)
{
    for (int i = 0; i < (int)(sizeof format_names / sizeof format_names[0]); i++)
        if (strcmp(s, format_names[i]) == 0)
            return i;
    return F_NONE;
}

static int check(struct encrypt_opts *o)
{
    if ((o->public_key == NULL) == (o->client_key == NULL))
        return fhe_usage_error(CMD, "give exactly one of --public-key and --client-key");
    if (o->type == NULL || o->value == NULL || o->out == NULL)
        return fhe_usage_error(CMD, "--type, --value and --out are required");
    if (o->public_key != NULL) {
        if (o->format == F_NONE)
            o->format = F_COMPACT;
        if (o->format != F_COMPACT)
            return fhe_usage_error(CMD, "a public key only makes compact-list ciphertexts, not %s",
                                   format_names[o->format]);
    } else {
        if (o->format == F_NONE)
            o->format = F_SMALL_EXP;
        if (o->format == F_COMPACT)
            return fhe_usage_error(CMD, "compact-list needs --public-key (a CompactPublicKey)");
    }
    return 0;
}

/* 0 go on, -1 --help done, else the exit status. */
static int parse(struct encrypt_opts *o, int argc, char **argv)
{
    static const struct option longs[] = {
        {"public-key", required_argument, NULL, 'P'}, {"client-key", required_argument, NULL, 'k'},
        {"type", required_argument, NULL, 't'},       {"value", required_argument, NULL, 'v'},
        {"out", required_argument, NULL, 'o'},        {"format", required_argument, NULL, 'F'},
        {"force", no_argument, NULL, 'f'},            {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c, status;
    memset(o, 0, sizeof *o);
    o->format = F_NONE;
    while ((c = fhe_getopt(CMD, &status, argc, argv, longs, usage)) != -1) {
        switch (c) {
        case 'P': o->public_key = optarg; break;
        case 'k': o->client_key = optarg; break;
        case 't':
            if (fhe_type_parse(&o->type, optarg) < 0)
                return fhe_usage_error(CMD, "%s", kms_err_msg());
            break;
        case 'v': o->value = optarg; break;
        case 'o': o->out = optarg; break;
        case 'F':
            if ((o->format = parse_format(optarg)) == F_NONE)
                return fhe_usage_error(CMD, "unknown --format '%s'", optarg);
            break;
        case 'f': o->force = 1; break;
        }
    }
    return status != 0 ? status : check(o);
}

/* ---- public key ---- */

/* The library set whose dedicated compact key has these parameters. */
static int cpk_set(const struct tfhe_params **out, const struct wire_cpk *pk)
{
    static const char *const sets[] = {"default", "test"};
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
        const struct tfhe_params *p;
        KMS_TRY(tfhe_params_get(&p, sets[i], 1));
        if (p->has_cpk && wire_cpk_params_equal(&p->cpk, &pk->params.cpk) &&
            pk->params.expansion == WIRE_EXPANSION_REQUIRES_CASTING) {
            *out = p;
            return 0;
        }
    }
    return kms_err(KMS_EINVAL, "the public key's parameters are not those of a KMS keyset "
                               "(default or test); ckms encrypts only under those");
}

static int put_compact(struct wire_sink *s, const void *obj)
{
    return wire_compact_list_write(s, obj);
}

/* Streams obj into --out (ciphertexts are not secret: mode 0644). */
static int write_object(const struct encrypt_opts *o, int (*fn)(struct wire_sink *, const void *),
                        const void *obj)
{
    struct fhe_out out;
    struct wire_sink s;
    KMS_TRY(fhe_out_open(&out, o->out, o->force, 0));
    wire_sink_file(&s, out.f, FHE_SIZE_LIMIT);
    int rc = fn(&s, obj);
    if (rc == 0)
        rc = wire_sink_status(&s);
    return fhe_out_close(&out, rc);
}

static int encrypt_public(const struct encrypt_opts *o, const uint8_t *le, size_t len)
{
    struct fhe_file f;
    struct wire_cpk pk;
    struct wire_compact_list l = {0};
    const struct tfhe_params *p = NULL;
    uint8_t seed[32];
    KMS_TRY(fhe_file_load(&f, o->public_key, 0));
    int rc = wire_cpk_read(&pk, f.data, f.len, FHE_SIZE_LIMIT);
    fhe_file_unload(&f);
    if (rc < 0)
        return kms_err_wrap(rc, o->public_key);
    struct wire_plaintext pt = {.fhe_type = o->type->id, .le = le, .len = len};
    rc = cpk_set(&p, &pk);
    if (rc == 0)
        rc = entropy_fill(seed, sizeof seed);
    if (rc == 0)
        rc = wire_compact_list_encrypt(&l, p, pk.pk, pk.pk_len, &pt, 1, 0, seed, sizeof seed);
    secmem_wipe(seed, sizeof seed);
    if (rc == 0) /* the builder copies the key's tag (tfhe-rs CompactCiphertextListBuilder) */
        rc = wire_tag_dup(&l.tag, &l.tag_len, pk.tag, pk.tag_len);
    if (rc == 0)
        rc = write_object(o, put_compact, &l);
    wire_compact_list_clear(&l);
    wire_cpk_clear(&pk);
    return rc;
}

/* ---- client key ---- */

static int put_radix(struct wire_sink *s, const void *obj) { return wire_radix_write(s, obj); }
static int put_compressed(struct wire_sink *s, const void *obj)
{
    return wire_compressed_list_write(s, obj);
}
static int put_squashed(struct wire_sink *s, const void *obj)
{
    return wire_sns_radix_write(s, obj);
}
static int put_snscomp(struct wire_sink *s, const void *obj)
{
    return wire_snscomp_list_write(s, obj);
}

static int rng_init(struct enc_rng *rng)
{
    uint8_t s1[16], s2[16];
    memset(rng, 0, sizeof *rng);
    int rc = entropy_fill(s1, sizeof s1);
    if (rc == 0)
        rc = entropy_fill(s2, sizeof s2);
    if (rc == 0)
        rc = csprng_init_seed(&rng->mask, s1);
    if (rc == 0 && (rc = csprng_init_seed(&rng->noise, s2)) < 0)
        csprng_free(&rng->mask);
    secmem_wipe(s1, sizeof s1);
    secmem_wipe(s2, sizeof s2);
    return rc;
}

static void rng_free(struct enc_rng *rng)
{
    csprng_free(&rng->mask);
    csprng_free(&rng->noise);
}

/* The one-element CompressedCiphertextList of ct. */
static int compress(const struct encrypt_opts *o, const struct wire_client_key *ck,
                    const struct radix_ct *ct, struct enc_rng *rng)
{
    const struct tfhe_params *p = ck->params;
    struct compression_private_key *priv = NULL;
    struct compression_key *key = NULL;
    struct wire_compressed_list wl = {0};
    if (!p->has_compression || ck->sk.compression == NULL)
        return kms_err(KMS_EINVAL, "the client key has no compression key: small-compressed "
                                   "needs one (a default or test keyset's key)");
    int rc = compression_private_key_from_bits(&priv, p, ck->sk.compression,
                                               ck->sk.compression_len);
    if (rc == 0)
        rc = compression_key_new(&key, priv, ck->sk.glwe, ck->sk.glwe_len, rng);
    if (rc == 0)
        rc = compression_compress_radix(key, &wl.list, &ct, 1);
    if (rc == 0)
        rc = wire_tag_dup(&wl.tag, &wl.tag_len, ck->tag, ck->tag_len);
    if (rc == 0)
        rc = write_object(o, put_compressed, &wl);
    wire_compressed_list_clear(&wl);
    compression_key_free(key);
    compression_private_key_free(priv);
    return rc;
}

static int encrypt_small(const struct encrypt_opts *o, const struct wire_client_key *ck,
                         const uint8_t *le, size_t len, struct enc_rng *rng)
{
    struct shortint_client_key *compute = NULL;
    struct wire_radix w = {0};
    int rc = wire_client_key_compute(&compute, ck);
    if (rc == 0)
        rc = radix_ct_new(&w.ct, ck->params, o->type->id);
    if (rc == 0)
        rc = radix_encrypt(compute, w.ct, le, len, rng);
    shortint_client_key_free(compute);
    if (rc == 0 && o->format == F_SMALL_COMP)
        rc = compress(o, ck, w.ct, rng);
    else if (rc == 0) {
        rc = wire_tag_dup(&w.tag, &w.tag_len, ck->tag, ck->tag_len);
        if (rc == 0)
            rc = write_object(o, put_radix, &w);
    }
    wire_radix_clear(&w);
    return rc;
}

static int encrypt_client(const struct encrypt_opts *o, const uint8_t *le, size_t len)
{
    struct wire_client_key ck;
    struct enc_rng rng;
    KMS_TRY(fhe_load_client_key(&ck, o->client_key));
    int rc = rng_init(&rng);
    if (rc < 0) {
        wire_client_key_clear(&ck);
        return rc;
    }
    if (o->format == F_SMALL_EXP || o->format == F_SMALL_COMP) {
        rc = encrypt_small(o, &ck, le, len, &rng);
    } else if (o->format == F_BIG_EXP) {
        struct sns_radix *ct = NULL;
        rc = fhe_encrypt_big_expanded(&ct, &ck, o->type, le, len, &rng);
        if (rc == 0)
            rc = write_object(o, put_squashed, ct);
        sns_radix_free(ct);
    } else {
        struct wire_snscomp_list l;
        rc = fhe_encrypt_big_compressed(&l, &ck, o->type, le, len, &rng);
        if (rc == 0)
            rc = write_object(o, put_snscomp, &l);
        wire_snscomp_list_clear(&l);
    }
    rng_free(&rng);
    wire_client_key_clear(&ck);
    return rc;
}

int fhe_encrypt(int argc, char **argv)
{
    struct encrypt_opts o;
    uint8_t le[RADIX_MAX_BYTES];
    int rc = parse(&o, argc, argv);
    if (rc != 0)
        return rc < 0 ? FHE_EXIT_OK : rc;
    size_t len = radix_type_bytes(o.type);
    if (fhe_value_parse(le, len, o.type, o.value) < 0)
        return fhe_usage_error(CMD, "%s", kms_err_msg());
    if (o.public_key != NULL)
        rc = encrypt_public(&o, le, len);
    else
        rc = encrypt_client(&o, le, len);
    secmem_wipe(le, sizeof le);
    if (rc < 0)
        return fhe_fail(CMD, rc);
    char tn[32];
    printf("%s %s %s\n", format_names[o.format], fhe_type_name(o.type, tn, sizeof tn), o.out);
    return FHE_EXIT_OK;
}
