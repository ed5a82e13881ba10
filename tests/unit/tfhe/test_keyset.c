/* The seeded XOF keyset (tfhe-rs 1.7 CompressedXofKeySet) with the "test"
 * set everywhere:
 *   - generation is deterministic (SHA3 over every byte: secrets, bodies,
 *     standard-domain keys, positions), different seeds differ, and the
 *     bodies-only mode gives the same bodies;
 *   - the raw streams, replayed independently: the public seed is the first
 *     16 bytes of XOF(seed, "TFHEKGen"); the secret keys follow as packed
 *     bits (8 per byte, LSB first; tfhe-rs fill_slice_with_random_uniform_
 *     binary_bits, via the Hamming-weight-bounded generation with bound
 *     1.0) in the order CPK, small, GLWE, compression, SnS, SnS compression,
 *     OPRF; the CPK's mask is the first bytes of XOF(public seed,
 *     "TFHE_GEN") and its first noise value the TUniform sample right after
 *     the secret keys (decoded here by hand);
 *   - every component's first mask byte and first noise byte are the sums
 *     of the components before it (computed here from the shapes), and
 *     every component equals the reference generator of its module run on
 *     streams positioned there (which checks the fast 128-bit packing
 *     generator against packing_ksk_generate_u128, the derived CPK against
 *     cpk_pk_generate, ...);
 *   - expansion from the bodies alone equals the generated keys exactly,
 *     and so does the decompressed server key (Fourier and NTT forms
 *     against their conversions of the generated keys);
 *   - the self-check passes, and a corrupted word of each kind of component
 *     is named;
 *   - a radix addition with the decompressed server key and the client key
 *     made from the keyset's secrets;
 *   - cancellation: a hook that never fires changes no byte and is polled
 *     once before the secrets and once per chunk (counted here from the
 *     layouts); one that fires at poll k (first, first chunk of a
 *     component, last) stops at once with KMS_EABORTED and no keyset (the
 *     sanitizer build checks that nothing leaks); the ServerKey writer is
 *     polled once per GGSW or 1 MiB chunk, writes the same bytes when never
 *     stopped and a strict prefix when stopped.
 * The four ciphertext formats are decrypted in test_decrypt.c.
 * No published tfhe-rs or KMS vector exists for this set (the KMS's
 * tfhe-kat.rs hashes a bincode of a NIST parameter set's keys). The default
 * set is in test_keyset_slow.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "crypto/keccak.h"
#include "test_util.h"
#include "tfhe/bsk128.h"
#include "tfhe/cpk.h"
#include "tfhe/glwe.h"
#include "tfhe/glwe128.h"
#include "tfhe/keyset.h"
#include "tfhe/lwe.h"
#include "tfhe/packing_ks.h"
#include "tfhe/radix.h"
#include "tfhe/wire/wire_server_key.h"

static const uint8_t private_dsep[8] = {'T', 'F', 'H', 'E', 'K', 'G', 'e', 'n'};
static const uint8_t public_dsep[8] = {'T', 'F', 'H', 'E', '_', 'G', 'E', 'N'};

static const struct tfhe_params *get(const char *name)
{
    const struct tfhe_params *p;
    assert_int_equal(tfhe_params_get(&p, name, 1), 0);
    return p;
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    assert_non_null(p);
    return p;
}

static void assert_msg_has(const char *needle)
{
    const char *msg = kms_err_msg();
    if (strstr(msg, needle) == NULL)
        fail_msg("error message \"%s\" lacks \"%s\"", msg, needle);
}

/* The KMS's seed: a u128 as 16 little-endian bytes. */
static void kms_seed(uint8_t seed[16], uint64_t lo)
{
    memset(seed, 0, 16);
    for (int i = 0; i < 8; i++)
        seed[i] = (uint8_t)(lo >> (8 * i));
}

static struct keyset *generate(const char *params, uint64_t seed_lo, unsigned flags)
{
    uint8_t seed[16], tag[32];
    kms_seed(seed, seed_lo);
    for (int i = 0; i < 32; i++)
        tag[i] = (uint8_t)(0xa0 + i);
    struct keyset *ks;
    assert_int_equal(keyset_generate(&ks, get(params), seed, sizeof seed, tag, sizeof tag, 128,
                                     1.0, flags),
                     0);
    return ks;
}

/* ---- hashing ---- */

static void absorb_u128(struct keccak *h, u128 v)
{
    uint8_t b[16];
    for (int i = 0; i < 16; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    keccak_absorb(h, b, sizeof b);
}

/* SHA3-256 over the public part (seed, tag, positions, bodies), the
 * secrets and, if with_std, the standard-domain keys. */
static void keyset_hash(uint8_t out[32], const struct keyset *ks, int with_std)
{
    struct keccak h;
    keccak_init_sha3_256(&h);
    keccak_absorb(&h, ks->pub.seed, ks->pub.seed_len);
    keccak_absorb(&h, ks->pub.tag, ks->pub.tag_len);
    const struct keyset_secrets *s = &ks->sk;
    keccak_absorb(&h, s->cpk, s->cpk_len * 8);
    keccak_absorb(&h, s->lwe, s->lwe_len * 8);
    keccak_absorb(&h, s->glwe, s->glwe_len * 8);
    keccak_absorb(&h, s->compression, s->compression_len * 8);
    keccak_absorb(&h, s->sns, s->sns_len * 16);
    keccak_absorb(&h, s->sns_compression, s->sns_compression_len * 16);
    keccak_absorb(&h, s->oprf, s->oprf_len * 8);
    for (int c = 0; c < KEYSET_COMP_COUNT; c++) {
        const struct keyset_component *k = &ks->pub.comp[c];
        absorb_u128(&h, k->first_byte);
        absorb_u128(&h, ks->noise_first[c]);
        keccak_absorb(&h, k->bodies, keyset_layout_body_words(&k->layout) * k->layout.word_bytes);
        if (with_std && ks->std[c] != NULL)
            keccak_absorb(&h, ks->std[c], keyset_layout_words(&k->layout) * k->layout.word_bytes);
    }
    absorb_u128(&h, ks->noise_end);
    keccak_squeeze(&h, out, 32);
}

/* ---- independent replays ---- */

static void priv_stream(struct csprng *g, uint64_t seed_lo)
{
    uint8_t seed[16];
    kms_seed(seed, seed_lo);
    assert_int_equal(csprng_init_xof(g, private_dsep, seed, sizeof seed), 0);
}

/* n key bits from packed bytes: bit t of byte i is coefficient 8 i + t. */
static void assert_packed_bits(struct csprng *g, const void *key, unsigned word_bytes, size_t n)
{
    uint8_t *raw = xcalloc((n + 7) / 8, 1);
    assert_int_equal(csprng_fill(g, raw, (n + 7) / 8), 0);
    for (size_t i = 0; i < n; i++) {
        u128 want = (raw[i / 8] >> (i % 8)) & 1;
        u128 got = word_bytes == 8 ? ((const uint64_t *)key)[i] : ((const u128 *)key)[i];
        if (got != want)
            fail_msg("key bit %zu is %d, the stream says %d", i, (int)got, (int)want);
    }
    free(raw);
}

/* The secret-key order and packing against the raw private stream. */
static void check_secret_stream(const struct keyset *ks, uint64_t seed_lo)
{
    const struct tfhe_params *p = ks->pub.params;
    struct csprng g;
    priv_stream(&g, seed_lo);
    uint8_t pub_seed[16];
    assert_int_equal(csprng_fill(&g, pub_seed, 16), 0);
    assert_int_equal(ks->pub.seed_len, 16);
    assert_memory_equal(ks->pub.seed, pub_seed, 16);
    assert_true(ks->secret_first == 16);
    /* GLWE keys are drawn per polynomial; with N a multiple of 8 the
     * packing runs straight through */
    assert_int_equal(p->pbs.polynomial_size % 8, 0);
    assert_packed_bits(&g, ks->sk.cpk, 8, p->cpk.lwe_dimension);
    assert_packed_bits(&g, ks->sk.lwe, 8, p->pbs.lwe_dimension);
    assert_packed_bits(&g, ks->sk.glwe, 8, tfhe_params_big_dimension(&p->pbs));
    assert_packed_bits(&g, ks->sk.compression, 8,
                       (size_t)p->compression.packing_ks_glwe_dimension *
                           p->compression.packing_ks_polynomial_size);
    assert_packed_bits(&g, ks->sk.sns, 16,
                       (size_t)p->sns.glwe_dimension * p->sns.polynomial_size);
    assert_packed_bits(&g, ks->sk.sns_compression, 16,
                       (size_t)p->sns_compression.packing_ks_glwe_dimension *
                           p->sns_compression.packing_ks_polynomial_size);
    assert_packed_bits(&g, ks->sk.oprf, 8, p->pbs.lwe_dimension);
    /* the noise starts right after the keys */
    assert_true(ks->noise_first[KEYSET_CPK] == g.pos);

    /* the CPK: mask = first public bytes, first noise = the next private
     * sample, TUniform(b) decoded here from its raw bytes */
    size_t n_pk = p->cpk.lwe_dimension;
    const uint64_t *pk = ks->std[KEYSET_CPK];
    struct csprng m;
    assert_int_equal(csprng_init_xof(&m, public_dsep, pub_seed, 16), 0);
    for (size_t i = 0; i < 4; i++) {
        uint8_t b[8];
        assert_int_equal(csprng_fill(&m, b, 8), 0);
        uint64_t w = 0;
        for (int j = 7; j >= 0; j--)
            w = (w << 8) | b[j];
        assert_true(pk[i] == w);
    }
    unsigned bl = p->cpk.noise_log2, nb = (bl + 2 + 7) / 8;
    uint8_t raw[8] = {0};
    assert_int_equal(csprng_fill(&g, raw, nb), 0);
    uint64_t x = 0;
    for (int j = (int)nb - 1; j >= 0; j--)
        x = (x << 8) | raw[j];
    x &= (1ull << (bl + 2)) - 1;
    int64_t e = (int64_t)((x >> 1) + (x & 1)) - ((int64_t)1 << bl);
    uint64_t *conv = xcalloc(n_pk, 8);
    assert_int_equal(cpk_semi_rev_conv(conv, pk, ks->sk.cpk, n_pk), 0);
    assert_true(pk[n_pk] - conv[0] == (uint64_t)e);
    free(conv);
    csprng_free(&m);
    csprng_free(&g);
}

/* Mask and noise positions: running sums over the shapes, recomputed. */
static void check_positions(const struct keyset *ks)
{
    const struct tfhe_params *p = ks->pub.params;
    const struct tfhe_pbs_params *q = &p->pbs;
    size_t n = q->lwe_dimension, k = q->glwe_dimension, N = q->polynomial_size, big = k * N;
    size_t n_pk = p->cpk.lwe_dimension;
    const struct tfhe_compression_params *cp = &p->compression;
    const struct tfhe_sns_params *sp = &p->sns;
    const struct tfhe_sns_compression_params *sc = &p->sns_compression;
    size_t kc = cp->packing_ks_glwe_dimension, Nc = cp->packing_ks_polynomial_size;
    size_t ks_ = sp->glwe_dimension, Ns = sp->polynomial_size;
    size_t ksc = sc->packing_ks_glwe_dimension, Nsc = sc->packing_ks_polynomial_size;
#define TU(b) ((size_t)((b) + 2 + 7) / 8)
    /* {mask bytes, noise bytes} in generation order */
    size_t zeros = q->ms.kind == TFHE_MS_DRIFT ? q->ms.zeros_count : 0;
    size_t sns_zeros = sp->ms.kind == TFHE_MS_DRIFT ? sp->ms.zeros_count : 0;
    const size_t sizes[KEYSET_COMP_COUNT][2] = {
        {8 * n_pk, n_pk * TU(p->cpk.noise_log2)},
        {8 * big * cp->packing_ks_level * kc * Nc,
         big * cp->packing_ks_level * Nc * TU(cp->packing_ks_noise_log2)},
        {8 * kc * Nc * cp->br_level * (k + 1) * k * N,
         kc * Nc * cp->br_level * (k + 1) * N * TU(q->glwe_noise_log2)},
        {8 * big * q->ks_level * n, big * q->ks_level * TU(q->lwe_noise_log2)},
        {8 * n * q->pbs_level * (k + 1) * k * N, n * q->pbs_level * (k + 1) * N * TU(q->glwe_noise_log2)},
        {8 * zeros * n, zeros * TU(q->lwe_noise_log2)},
        {16 * n * sp->level * (ks_ + 1) * ks_ * Ns,
         n * sp->level * (ks_ + 1) * Ns * TU(sp->glwe_noise_log2)},
        {8 * sns_zeros * n, sns_zeros * TU(q->lwe_noise_log2)},
        {8 * n_pk * p->casting.ks_level * n, n_pk * p->casting.ks_level * TU(p->casting.noise_log2)},
        {8 * big, big * TU(q->glwe_noise_log2)},
        {16 * ks_ * Ns * sc->packing_ks_level * ksc * Nsc,
         ks_ * Ns * sc->packing_ks_level * Nsc * TU(sc->packing_ks_noise_log2)},
        {8 * n * q->pbs_level * (k + 1) * k * N, n * q->pbs_level * (k + 1) * N * TU(q->glwe_noise_log2)},
    };
#undef TU
    u128 mask = 0, noise = ks->noise_first[KEYSET_CPK];
    for (int c = 0; c < KEYSET_COMP_COUNT; c++) {
        if (ks->pub.comp[c].first_byte != mask || ks->noise_first[c] != noise)
            fail_msg("%s: first mask byte %llu (want %llu), first noise byte %llu (want %llu)",
                     keyset_comp_name((enum keyset_comp)c),
                     (unsigned long long)ks->pub.comp[c].first_byte, (unsigned long long)mask,
                     (unsigned long long)ks->noise_first[c], (unsigned long long)noise);
        mask += sizes[c][0];
        noise += sizes[c][1];
    }
    assert_true(ks->noise_end == noise);
}

/* Streams positioned at component c's first mask and noise bytes. */
static void comp_streams(struct enc_rng *rng, const struct keyset *ks, enum keyset_comp c,
                         uint64_t seed_lo)
{
    assert_int_equal(keyset_mask_stream(&rng->mask, &ks->pub), 0);
    csprng_seek_start(&rng->mask, ks->pub.comp[c].first_byte);
    priv_stream(&rng->noise, seed_lo);
    csprng_seek_start(&rng->noise, ks->noise_first[c]);
}

static void zeros_ref(uint64_t *out, size_t count, const uint64_t *sk, size_t n, unsigned b,
                      struct enc_rng *rng)
{
    for (size_t z = 0; z < count; z++) {
        struct enc_rng one;
        assert_int_equal(enc_rng_fork(rng, &one, 1, (u128)n * 8, enc_rng_noise_bytes(1, b)), 0);
        assert_int_equal(lwe_encrypt(out + z * (n + 1), sk, n, 0, b, &one), 0);
    }
}

/* The first `chunks` chunks of component c (all of them when chunks is
 * SIZE_MAX) from its module's reference generator, into out. */
static void replay_ref(const struct keyset *ks, enum keyset_comp c, uint64_t seed_lo, void *out,
                       size_t chunks)
{
    const struct tfhe_params *p = ks->pub.params;
    const struct tfhe_pbs_params *q = &p->pbs;
    const struct keyset_secrets *sk = &ks->sk;
    const struct keyset_layout *l = &ks->pub.comp[c].layout;
    size_t all = l->count / l->chunk_cts, m = chunks < all ? chunks : all;
    size_t n = q->lwe_dimension, big = tfhe_params_big_dimension(q);
    struct enc_rng rng;
    comp_streams(&rng, ks, c, seed_lo);
    struct bsk_shape bs = {n, q->glwe_dimension, q->polynomial_size, q->pbs_base_log, q->pbs_level};
    struct packing_ksk_shape ps;
    struct glwe128_key *key;
    struct tfhe_params derived;
    switch (c) {
    case KEYSET_CPK:
        assert_int_equal(cpk_pk_generate(p, out, 2 * sk->cpk_len, sk->cpk, sk->cpk_len, &rng), 0);
        break;
    case KEYSET_COMPRESSION:
        assert_int_equal(compression_packing_shape(p, &ps), 0);
        ps.input_dimension = m;
        assert_int_equal(packing_ksk_generate(out, &ps, sk->glwe, sk->compression, l->noise_log2,
                                              &rng),
                         0);
        break;
    case KEYSET_DECOMPRESSION:
        assert_int_equal(compression_decompression_shape(p, &bs), 0);
        bs.lwe_dimension = m;
        assert_int_equal(bsk_generate(out, &bs, sk->compression, sk->glwe, l->noise_log2, &rng), 0);
        break;
    case KEYSET_COMPUTE_KSK:
        assert_int_equal(lwe_ksk_generate(out, sk->glwe, m, sk->lwe, n, q->ks_base_log, q->ks_level,
                                          q->lwe_noise_log2, &rng),
                         0);
        break;
    case KEYSET_COMPUTE_BSK:
    case KEYSET_OPRF_BSK:
        bs.lwe_dimension = m;
        assert_int_equal(bsk_generate(out, &bs, c == KEYSET_OPRF_BSK ? sk->oprf : sk->lwe,
                                      sk->glwe, q->glwe_noise_log2, &rng),
                         0);
        break;
    case KEYSET_COMPUTE_MS:
    case KEYSET_SNS_MS:
        zeros_ref(out, m, sk->lwe, n, q->lwe_noise_log2, &rng);
        break;
    case KEYSET_SNS_BSK:
        bs = sns_bsk_shape(p);
        bs.lwe_dimension = m;
        assert_int_equal(glwe128_key_new(&key, sk->sns, p->sns.glwe_dimension,
                                         p->sns.polynomial_size),
                         0);
        assert_int_equal(bsk128_generate(out, &bs, sk->lwe, key, p->sns.glwe_noise_log2, &rng), 0);
        glwe128_key_free(key);
        break;
    case KEYSET_CASTING_KSK:
        if (m == all)
            assert_int_equal(cpk_casting_ksk_generate(p, out, cpk_casting_ksk_size(p), sk->cpk,
                                                      sk->cpk_len, sk->lwe, n, &rng),
                             0);
        else
            assert_int_equal(lwe_ksk_generate(out, sk->cpk, m, sk->lwe, n, p->casting.ks_base_log,
                                              p->casting.ks_level, p->casting.noise_log2, &rng),
                             0);
        break;
    case KEYSET_RERAND_CPK: /* the dedicated-CPK generator, re-targeted */
        derived = *p;
        derived.cpk.lwe_dimension = (uint32_t)big;
        derived.cpk.noise_log2 = q->glwe_noise_log2;
        assert_int_equal(cpk_pk_generate(&derived, out, 2 * big, sk->glwe, big, &rng), 0);
        break;
    case KEYSET_SNS_COMPRESSION:
        assert_int_equal(snscomp_packing_shape(p, &ps), 0);
        ps.input_dimension = m;
        assert_int_equal(packing_ksk_generate_u128(out, &ps, sk->sns, sk->sns_compression,
                                                   l->noise_log2, &rng),
                         0);
        break;
    default:
        fail();
    }
    csprng_free(&rng.mask);
    csprng_free(&rng.noise);
}

static void check_replays(const struct keyset *ks, uint64_t seed_lo, size_t chunks)
{
    for (int c = 0; c < KEYSET_COMP_COUNT; c++) {
        const struct keyset_layout *l = &ks->pub.comp[c].layout;
        if (!l->present)
            continue;
        size_t all = l->count / l->chunk_cts, m = chunks < all ? chunks : all;
        size_t bytes = m * l->chunk_cts * keyset_layout_ct_words(l) * l->word_bytes;
        void *ref = xcalloc(bytes, 1);
        replay_ref(ks, (enum keyset_comp)c, seed_lo, ref, chunks);
        if (memcmp(ref, ks->std[c], bytes) != 0)
            fail_msg("%s differs from its reference generator",
                     keyset_comp_name((enum keyset_comp)c));
        free(ref);
    }
}

/* Expansion of every component from its own first_byte equals the kept
 * standard-domain key. */
static void check_expansion(const struct keyset *ks)
{
    for (int c = 0; c < KEYSET_COMP_COUNT; c++) {
        const struct keyset_layout *l = &ks->pub.comp[c].layout;
        if (!l->present)
            continue;
        size_t words = keyset_layout_words(l);
        void *buf = xcalloc(words, l->word_bytes);
        assert_int_equal(keyset_expand_component(&ks->pub, (enum keyset_comp)c, buf, words), 0);
        if (memcmp(buf, ks->std[c], words * l->word_bytes) != 0)
            fail_msg("expanded %s differs", keyset_comp_name((enum keyset_comp)c));
        free(buf);
    }
}

/* Component c in the standard domain: the kept key, or expanded from the
 * bodies (checked equal to the kept key elsewhere) into *tmp. */
static const void *std_of(const struct keyset *ks, enum keyset_comp c, void **tmp)
{
    *tmp = NULL;
    if (ks->std[c] != NULL)
        return ks->std[c];
    const struct keyset_layout *l = &ks->pub.comp[c].layout;
    *tmp = xcalloc(keyset_layout_words(l), l->word_bytes);
    assert_int_equal(keyset_expand_component(&ks->pub, c, *tmp, keyset_layout_words(l)), 0);
    return *tmp;
}

static void same_as(const void *got, const struct keyset *ks, enum keyset_comp c)
{
    void *tmp;
    const struct keyset_layout *l = &ks->pub.comp[c].layout;
    const void *want = std_of(ks, c, &tmp);
    if (memcmp(got, want, keyset_layout_words(l) * l->word_bytes) != 0)
        fail_msg("decompressed %s differs", keyset_comp_name(c));
    free(tmp);
}

static void same_fourier(const struct fourier_bsk *got, const struct keyset *ks,
                         enum keyset_comp c, const struct bsk_shape *bs)
{
    void *tmp;
    struct fourier_bsk f;
    assert_int_equal(fourier_bsk_from_std(&f, bs, std_of(ks, c, &tmp)), 0);
    free(tmp);
    if (memcmp(f.data, got->data, bsk_polys(bs) * bs->polynomial_size * sizeof(double)) != 0)
        fail_msg("decompressed Fourier %s differs", keyset_comp_name(c));
    fourier_bsk_free(&f);
}

/* The decompressed keys against conversions of the generated ones. */
static void check_server(const struct keyset_server *s, const struct keyset *ks)
{
    const struct tfhe_params *p = ks->pub.params;
    const struct tfhe_pbs_params *q = &p->pbs;
    const struct keyset_component *c = ks->pub.comp;
    assert_int_equal(s->cpk_len, keyset_layout_words(&c[KEYSET_CPK].layout));
    same_as(s->cpk, ks, KEYSET_CPK);
    same_as(s->compression->pksk, ks, KEYSET_COMPRESSION);
    same_as(s->compute->ksk, ks, KEYSET_COMPUTE_KSK);
    if (c[KEYSET_COMPUTE_MS].layout.present)
        same_as(s->compute->ms_zeros, ks, KEYSET_COMPUTE_MS);
    if (c[KEYSET_SNS_MS].layout.present)
        same_as(s->sns->ms_zeros, ks, KEYSET_SNS_MS);
    assert_int_equal(s->casting_ksk_len, cpk_casting_ksk_size(p));
    same_as(s->casting_ksk, ks, KEYSET_CASTING_KSK);
    assert_int_equal(s->rerand_cpk_len, 2 * tfhe_params_big_dimension(q));
    same_as(s->rerand_cpk, ks, KEYSET_RERAND_CPK);
    same_as(s->sns_compression->pksk, ks, KEYSET_SNS_COMPRESSION);
    assert_int_equal(s->compute->ms_kind, q->ms.kind);
    /* Fourier keys: the same conversion of the generated keys */
    struct bsk_shape bs = {q->lwe_dimension, q->glwe_dimension, q->polynomial_size,
                           q->pbs_base_log, q->pbs_level};
    same_fourier(&s->compute->bsk, ks, KEYSET_COMPUTE_BSK, &bs);
    same_fourier(&s->oprf_bsk, ks, KEYSET_OPRF_BSK, &bs);
    assert_int_equal(compression_decompression_shape(p, &bs), 0);
    same_fourier(&s->decompression->bsk, ks, KEYSET_DECOMPRESSION, &bs);
    /* the 128-bit key, converted at once vs one GGSW at a time */
    struct bsk_shape ss = sns_bsk_shape(p);
    struct bsk128_ntt ntt;
    void *tmp;
    assert_int_equal(bsk128_ntt_from_std(&ntt, &ss, std_of(ks, KEYSET_SNS_BSK, &tmp)), 0);
    free(tmp);
    assert_int_equal(ntt.ggsw_words, s->sns->bsk.ggsw_words);
    assert_ptr_equal(ntt.plan, s->sns->bsk.plan);
    if (memcmp(ntt.data, s->sns->bsk.data, ss.lwe_dimension * ntt.ggsw_words * 8) != 0)
        fail_msg("decompressed SnS BSK differs");
    bsk128_ntt_free(&ntt);
}

/* ---- tests ---- */

static void test_deterministic(void **state)
{
    (void)state;
    struct keyset *a = generate("test", 7, KEYSET_KEEP_STD);
    struct keyset *b = generate("test", 7, KEYSET_KEEP_STD);
    struct keyset *c = generate("test", 8, KEYSET_KEEP_STD);
    struct keyset *d = generate("test", 7, 0); /* bodies only */
    uint8_t ha[32], hb[32], hc[32], hd[32], ha0[32];
    keyset_hash(ha, a, 1);
    keyset_hash(hb, b, 1);
    keyset_hash(hc, c, 1);
    keyset_hash(ha0, a, 0);
    keyset_hash(hd, d, 0);
    assert_memory_equal(ha, hb, 32);
    assert_memory_not_equal(ha, hc, 32);
    assert_memory_equal(ha0, hd, 32);
    for (int i = 0; i < KEYSET_COMP_COUNT; i++)
        assert_null(d->std[i]);
    /* different seeds: different public seeds, secrets and bodies */
    assert_memory_not_equal(a->pub.seed, c->pub.seed, 16);
    assert_memory_not_equal(a->sk.cpk, c->sk.cpk, a->sk.cpk_len * 8);
    assert_memory_not_equal(a->pub.comp[KEYSET_SNS_BSK].bodies, c->pub.comp[KEYSET_SNS_BSK].bodies,
                            64);
    /* the tag is kept */
    assert_int_equal(a->pub.tag_len, 32);
    assert_int_equal(a->pub.tag[0], 0xa0);
    keyset_free(a);
    keyset_free(b);
    keyset_free(c);
    keyset_free(d);
}

static void test_streams(void **state)
{
    (void)state;
    struct keyset *ks = generate("test", 11, KEYSET_KEEP_STD);
    check_secret_stream(ks, 11);
    check_positions(ks);
    check_replays(ks, 11, SIZE_MAX);
    /* test set: drift switch on both sides, so both zero lists exist */
    assert_true(ks->pub.comp[KEYSET_COMPUTE_MS].layout.present);
    assert_int_equal(ks->pub.comp[KEYSET_COMPUTE_MS].layout.count, 10);
    assert_int_equal(ks->pub.comp[KEYSET_SNS_MS].layout.count, 8);
    keyset_free(ks);
}

static void test_expand_and_decompress(void **state)
{
    (void)state;
    struct keyset *ks = generate("test", 12, KEYSET_KEEP_STD);
    check_expansion(ks);
    struct keyset_server *s;
    assert_int_equal(keyset_decompress(&s, &ks->pub), 0);
    check_server(s, ks);
    keyset_server_free(s);
    /* a stored first_byte is not used by the running decompression, but
     * is by the per-component expansion */
    struct keyset_layout l = ks->pub.comp[KEYSET_CASTING_KSK].layout;
    uint64_t *buf = xcalloc(keyset_layout_words(&l), 8);
    ks->pub.comp[KEYSET_CASTING_KSK].first_byte += 8;
    assert_int_equal(keyset_expand_component(&ks->pub, KEYSET_CASTING_KSK, buf,
                                             keyset_layout_words(&l)),
                     0);
    assert_memory_not_equal(buf, ks->std[KEYSET_CASTING_KSK], 8 * l.mask_words);
    assert_int_equal(keyset_decompress(&s, &ks->pub), 0);
    assert_memory_equal(s->casting_ksk, ks->std[KEYSET_CASTING_KSK], s->casting_ksk_len * 8);
    keyset_server_free(s);
    ks->pub.comp[KEYSET_CASTING_KSK].first_byte -= 8;
    /* bad inputs */
    assert_int_equal(keyset_expand_component(&ks->pub, KEYSET_CASTING_KSK, buf,
                                             keyset_layout_words(&l) - 1),
                     KMS_EINVAL);
    assert_int_equal(keyset_expand_component(&ks->pub, KEYSET_COMP_COUNT, buf, 1), KMS_EINVAL);
    free(buf);
    void *bodies = ks->pub.comp[KEYSET_SNS_BSK].bodies;
    ks->pub.comp[KEYSET_SNS_BSK].bodies = NULL;
    assert_int_equal(keyset_decompress(&s, &ks->pub), KMS_EINVAL);
    assert_null(s);
    assert_msg_has("SnS BSK");
    ks->pub.comp[KEYSET_SNS_BSK].bodies = bodies;
    ks->pub.comp[KEYSET_OPRF_BSK].layout.count--;
    assert_int_equal(keyset_decompress(&s, &ks->pub), KMS_EINVAL);
    assert_msg_has("OPRF BSK");
    ks->pub.comp[KEYSET_OPRF_BSK].layout.count++;
    keyset_free(ks);
}

/* Flips a high bit of the first body word of ciphertext ct of component c
 * (a mask bit would go unnoticed against a zero key bit: the test set's
 * small key has one bit) and expects the self-check to name it. */
static void corrupt_and_check(struct keyset *ks, enum keyset_comp c, size_t ct,
                              const char *needle)
{
    const struct keyset_layout *l = &ks->pub.comp[c].layout;
    uint8_t *w = (uint8_t *)ks->std[c] +
                 (ct * keyset_layout_ct_words(l) + l->mask_words) * l->word_bytes;
    w[l->word_bytes - 1] ^= 0x40;
    assert_int_equal(keyset_selfcheck(ks, NULL), KMS_EVERIFY);
    assert_msg_has(needle);
    w[l->word_bytes - 1] ^= 0x40;
}

static void test_selfcheck(void **state)
{
    (void)state;
    struct keyset *ks = generate("test", 13, KEYSET_KEEP_STD);
    struct keyset_check_report rep[KEYSET_COMP_COUNT];
    assert_int_equal(keyset_selfcheck(ks, rep), 0);
    for (int c = 0; c < KEYSET_COMP_COUNT; c++) {
        const struct keyset_layout *l = &ks->pub.comp[c].layout;
        if (!l->present)
            continue;
        assert_int_equal(rep[c].values, l->count * l->body_words);
        assert_true(rep[c].max_abs_noise <= ((u128)1 << l->noise_log2));
    }
    corrupt_and_check(ks, KEYSET_CPK, 0, "compact public key: body coefficient");
    corrupt_and_check(ks, KEYSET_COMPRESSION, 100, "compression key: input coefficient 100");
    corrupt_and_check(ks, KEYSET_DECOMPRESSION, 5, "decompression key: GGSW 2");
    corrupt_and_check(ks, KEYSET_COMPUTE_MS, 9, "compute modulus-switch key: encryption 9");
    corrupt_and_check(ks, KEYSET_SNS_BSK, 3, "SnS BSK: GGSW 0, level 1 of 2, row 1");
    corrupt_and_check(ks, KEYSET_SNS_MS, 7, "SnS modulus-switch key: encryption 7");
    corrupt_and_check(ks, KEYSET_RERAND_CPK, 0, "re-randomization CPK");
    corrupt_and_check(ks, KEYSET_SNS_COMPRESSION, 255, "SnS compression key: input coefficient 255");
    corrupt_and_check(ks, KEYSET_OPRF_BSK, 0, "OPRF BSK: GGSW 0");
    /* the bodies-only keyset is checked through expansion */
    struct keyset *d = generate("test", 13, 0);
    assert_int_equal(keyset_selfcheck(d, rep), 0);
    ((uint64_t *)d->pub.comp[KEYSET_COMPUTE_KSK].bodies)[17] ^= 1ull << 60;
    assert_int_equal(keyset_selfcheck(d, NULL), KMS_EVERIFY);
    assert_msg_has("compute KSK: input coefficient 17");
    keyset_free(d);
    keyset_free(ks);
}

static void test_bad_args(void **state)
{
    (void)state;
    struct keyset *ks = (struct keyset *)1;
    uint8_t seed[16] = {0};
    const struct tfhe_params *p = get("test");
    assert_int_equal(keyset_generate(&ks, get("message_2_carry_2"), seed, 16, NULL, 0, 128, 1.0, 0),
                     KMS_EINVAL);
    assert_null(ks);
    assert_msg_has("lacks a dedicated compact public key");
    assert_int_equal(keyset_generate(&ks, p, seed, 16, NULL, 0, 0, 1.0, 0), KMS_EINVAL);
    assert_int_equal(keyset_generate(&ks, p, seed, 16, NULL, 0, 513, 1.0, 0), KMS_EINVAL);
    assert_int_equal(keyset_generate(&ks, p, seed, 16, NULL, 0, 128, 0.5, 0), KMS_EINVAL);
    assert_int_equal(keyset_generate(&ks, p, seed, 16, NULL, 0, 128, 1.01, 0), KMS_EINVAL);
    assert_int_equal(keyset_generate(&ks, p, seed, 16, NULL, 0, 128, 1.0, 0x80), KMS_EINVAL);
    assert_int_equal(keyset_generate(&ks, p, NULL, 16, NULL, 0, 128, 1.0, 0), KMS_EINVAL);
    struct keyset_layout l;
    assert_int_equal(keyset_layout_get(&l, p, KEYSET_COMP_COUNT), KMS_EINVAL);
}

/* A Hamming-weight bound below 1.0 redraws slices out of range: every
 * polynomial of every GLWE key (and the LWE keys) lands in range, and
 * security_bits sets the public seed length. */
static void test_hamming_bound(void **state)
{
    (void)state;
    uint8_t seed[4] = {42, 43, 44, 45}; /* the KMS KAT's seed bytes */
    struct keyset *ks;
    assert_int_equal(keyset_generate(&ks, get("test"), seed, 4, NULL, 0, 256, 0.53, 0), 0);
    assert_int_equal(ks->pub.seed_len, 32);
    const struct tfhe_params *p = ks->pub.params;
    size_t N = p->pbs.polynomial_size, w = 0;
    for (size_t i = 0; i < N; i++)
        w += ks->sk.glwe[i];
    assert_true(w >= (size_t)(0.47 * (double)N) && w <= (size_t)(0.53 * (double)N));
    w = 0;
    for (size_t i = 0; i < ks->sk.cpk_len; i++)
        w += ks->sk.cpk[i];
    assert_true(w >= (size_t)(0.47 * 512) && w <= (size_t)(0.53 * 512));
    assert_int_equal(ks->sk.lwe[0], 0); /* n = 1: only weight 0 is in [0, 0] */
    assert_int_equal(keyset_selfcheck(ks, NULL), 0);
    keyset_free(ks);
}

/* A radix addition with the decompressed server key and the client key
 * built from the keyset's secrets. */
static void radix_add_check(const struct keyset *ks, const struct keyset_server *s, uint64_t x,
                            uint64_t y)
{
    struct keyset_client *cl;
    struct shortint_scratch *sc;
    struct radix_ct *a, *b;
    struct enc_rng rng;
    uint8_t s1[16] = {1, 2}, s2[16] = {2, 3};
    assert_int_equal(keyset_client_new(&cl, ks), 0);
    assert_int_equal(shortint_scratch_new(&sc, s->compute), 0);
    assert_int_equal(csprng_init_seed(&rng.mask, s1), 0);
    assert_int_equal(csprng_init_seed(&rng.noise, s2), 0);
    assert_int_equal(radix_ct_new(&a, cl->params, RADIX_UINT8), 0);
    assert_int_equal(radix_ct_new(&b, cl->params, RADIX_UINT8), 0);
    assert_int_equal(radix_encrypt_u64(cl->compute, a, x, &rng), 0);
    assert_int_equal(radix_encrypt_u64(cl->compute, b, y, &rng), 0);
    assert_int_equal(radix_add(s->compute, sc, a, a, b), 0);
    uint64_t v;
    assert_int_equal(radix_decrypt_u64(cl->compute, &v, a), 0);
    assert_int_equal(v, (x + y) % 256);
    /* the client keys are the keyset's bits */
    assert_memory_equal(cl->compute->lwe_sk, ks->sk.lwe, ks->sk.lwe_len * 8);
    assert_memory_equal(cl->compute->glwe_sk, ks->sk.glwe, ks->sk.glwe_len * 8);
    for (size_t i = 0; i < ks->sk.glwe_len; i++)
        assert_true(cl->compute->big_mask[i] == 0 - ks->sk.glwe[i]);
    radix_ct_free(a);
    radix_ct_free(b);
    csprng_free(&rng.mask);
    csprng_free(&rng.noise);
    shortint_scratch_free(sc);
    keyset_client_free(cl);
}

static void test_radix_add(void **state)
{
    (void)state;
    struct keyset *ks = generate("test", 14, 0);
    struct keyset_server *s;
    assert_int_equal(keyset_decompress(&s, &ks->pub), 0);
    radix_add_check(ks, s, 200, 7);
    radix_add_check(ks, s, 255, 255);
    keyset_server_free(s);
    keyset_free(ks);
}

/* ---- cancellation ---- */

struct poll_count {
    int calls, stop_at; /* stop from poll stop_at on (1-based); 0: never */
};

static int poll_cb(void *ctx)
{
    struct poll_count *p = ctx;
    p->calls++;
    return p->stop_at != 0 && p->calls >= p->stop_at;
}

static int generate_polled(struct keyset **ks, uint64_t seed_lo, struct poll_count *pc)
{
    uint8_t seed[16], tag[32];
    kms_seed(seed, seed_lo);
    for (int i = 0; i < 32; i++)
        tag[i] = (uint8_t)(0xa0 + i); /* generate()'s */
    struct keyset_cancel cancel = {poll_cb, pc};
    return keyset_generate_cancellable(ks, get("test"), seed, sizeof seed, tag, sizeof tag, 128,
                                       1.0, 0, &cancel);
}

static void test_cancel_generate(void **state)
{
    (void)state;
    const struct tfhe_params *p = get("test");
    /* one poll before the secrets, then one per chunk; first_chunk[c]: the
     * poll number of component c's first chunk */
    int expect = 1, first_chunk[KEYSET_COMP_COUNT];
    for (int c = 0; c < KEYSET_COMP_COUNT; c++) {
        struct keyset_layout l;
        assert_int_equal(keyset_layout_get(&l, p, (enum keyset_comp)c), 0);
        first_chunk[c] = expect + 1;
        expect += l.present ? (int)(l.count / l.chunk_cts) : 0;
    }
    struct poll_count never = {0};
    struct keyset *ks, *ref = generate("test", 21, 0);
    uint8_t h1[32], h2[32];
    assert_int_equal(generate_polled(&ks, 21, &never), 0);
    assert_int_equal(never.calls, expect);
    keyset_hash(h1, ks, 0);
    keyset_hash(h2, ref, 0);
    assert_memory_equal(h1, h2, 32);
    keyset_free(ks);
    keyset_free(ref);

    int stops[] = {1, 2, first_chunk[KEYSET_COMPUTE_BSK], first_chunk[KEYSET_SNS_BSK] + 1,
                   first_chunk[KEYSET_SNS_COMPRESSION], expect};
    for (size_t i = 0; i < sizeof stops / sizeof stops[0]; i++) {
        struct poll_count pc = {.stop_at = stops[i]};
        ks = (struct keyset *)1;
        assert_int_equal(generate_polled(&ks, 21, &pc), KMS_EABORTED);
        assert_null(ks);
        assert_int_equal(pc.calls, stops[i]);
        assert_msg_has("keyset: generation cancelled");
    }
    /* a hook without a function never stops */
    struct keyset_cancel none = {NULL, NULL};
    uint8_t seed[16];
    kms_seed(seed, 21);
    assert_int_equal(keyset_generate_cancellable(&ks, p, seed, 16, NULL, 0, 128, 1.0, 0, &none),
                     0);
    keyset_free(ks);
}

/* A sink that counts and keeps a hash of what it got. */
struct hash_sink {
    struct keccak h;
    uint64_t bytes;
};

static int hash_sink_write(void *ctx, const void *p, size_t n)
{
    struct hash_sink *hs = ctx;
    keccak_absorb(&hs->h, p, n);
    hs->bytes += n;
    return 0;
}

static int server_key_polled(uint8_t digest[32], uint64_t *bytes, const struct keyset *ks,
                             struct poll_count *pc)
{
    struct hash_sink hs = {.bytes = 0};
    keccak_init_sha3_256(&hs.h);
    struct wire_sink s;
    wire_sink_init(&s, hash_sink_write, &hs, UINT64_MAX);
    struct keyset_cancel cancel = {poll_cb, pc};
    int rc = pc != NULL ? wire_server_key_write_cancellable(&s, &ks->pub, &cancel)
                        : wire_server_key_write(&s, &ks->pub);
    keccak_squeeze(&hs.h, digest, 32);
    *bytes = hs.bytes;
    return rc;
}

static void test_cancel_server_key(void **state)
{
    (void)state;
    struct keyset *ks = generate("test", 22, 0);
    uint8_t ref[32], got[32];
    uint64_t ref_bytes, bytes;
    assert_int_equal(server_key_polled(ref, &ref_bytes, ks, NULL), 0);
    struct poll_count never = {0};
    assert_int_equal(server_key_polled(got, &bytes, ks, &never), 0);
    assert_memory_equal(got, ref, 32);
    assert_int_equal(bytes, ref_bytes);
    /* at least one poll per component it writes (all but the CPK) */
    assert_true(never.calls >= KEYSET_COMP_COUNT - 1);
    int stops[] = {1, never.calls / 2, never.calls};
    uint64_t last = 0;
    for (size_t i = 0; i < sizeof stops / sizeof stops[0]; i++) {
        struct poll_count pc = {.stop_at = stops[i]};
        assert_int_equal(server_key_polled(got, &bytes, ks, &pc), KMS_EABORTED);
        assert_msg_has("server key write cancelled");
        assert_int_equal(pc.calls, stops[i]);
        assert_true(bytes < ref_bytes);
        assert_true(bytes >= last); /* later stops write longer prefixes */
        last = bytes;
    }
    keyset_free(ks);
}

#ifndef KEYSET_TEST_SLOW
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_streams),
        cmocka_unit_test(test_expand_and_decompress),
        cmocka_unit_test(test_selfcheck),
        cmocka_unit_test(test_bad_args),
        cmocka_unit_test(test_hamming_bound),
        cmocka_unit_test(test_radix_add),
        cmocka_unit_test(test_cancel_generate),
        cmocka_unit_test(test_cancel_server_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
#endif
