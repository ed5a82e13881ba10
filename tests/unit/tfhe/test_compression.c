/* 64-bit ciphertext list compression (tfhe-rs note §2.4, §2.5, §4.4):
 *  - bit packing against hand-made streams (LSB first, values straddling
 *    words) and the packed length ceil((k N + bodies) L / 64);
 *  - the packing keyswitch bit for bit against an independent, literal
 *    transcription of tfhe-rs's per-LWE algorithm (keyswitch into a GLWE,
 *    multiply by X^t, add), and every key GLWE decrypting to s_in[i] 2^(64-Bj)
 *    within its TUniform bound, with the stream bytes tfhe-rs consumes;
 *  - the packing keyswitch noise of the default set within a bound derived
 *    from the parameters (decomposition rounding + key noise);
 *  - the closed-form decoding against the rescaling table itself, and the
 *    direct decryption against decompression by PBS for every one of the
 *    2N switched phases (test set);
 *  - encrypt -> compress -> decompress by PBS -> decrypt, and direct
 *    decryption, for several types (default set; test set under the
 *    sanitizers; every type in test_compression_slow.c);
 *  - malformed lists (truncated, oversized, inconsistent counts, bad
 *    DataKinds, wrong parameters) and bad inputs to compression are errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>

#include "base/secmem.h"
#include "test_util.h"
#include "tfhe_test_util.h"
#include "tfhe/compression.h"
#include "tfhe/decomp.h"
#include "tfhe/glwe.h"
#include "tfhe/lwe.h"
#include "tfhe/pbs.h"
#include "tfhe/poly.h"
#include "tfhe/sampler.h"

#ifdef TFHE_TEST_UNDER_SAN
#define COMP_UNDER_SAN 1
#endif

/* ---- keys for one parameter set ---- */

struct env {
    const struct tfhe_params *p;
    struct csprng secret;
    struct enc_rng rng;
    struct shortint_client_key *ck;
    struct compression_private_key *priv;
    struct compression_key *key;
    struct compression_decompression_key *dk;
    struct compression_scratch *sc;
};

static void env_init(struct env *e, const char *name, int with_dk, uint8_t seed)
{
    memset(e, 0, sizeof *e);
    e->p = get(name);
    uint8_t s1[16] = {seed, 1, 0xc0}, s2[16] = {seed, 2, 0xc0}, s3[16] = {seed, 3, 0xc0};
    assert_int_equal(csprng_init_seed(&e->secret, s1), 0);
    assert_int_equal(csprng_init_seed(&e->rng.mask, s2), 0);
    assert_int_equal(csprng_init_seed(&e->rng.noise, s3), 0);
    assert_int_equal(shortint_client_key_new(&e->ck, e->p, &e->secret), 0);
    assert_int_equal(compression_private_key_new(&e->priv, e->p, &e->secret), 0);
    size_t big = tfhe_params_big_dimension(&e->p->pbs);
    assert_int_equal(compression_key_new(&e->key, e->priv, e->ck->glwe_sk, big, &e->rng), 0);
    if (with_dk) {
        assert_int_equal(
            compression_decompression_key_new(&e->dk, e->priv, e->ck->glwe_sk, big, &e->rng), 0);
        assert_int_equal(compression_scratch_new(&e->sc, e->dk), 0);
    }
}

static void env_free(struct env *e)
{
    compression_scratch_free(e->sc);
    compression_decompression_key_free(e->dk);
    compression_key_free(e->key);
    compression_private_key_free(e->priv);
    shortint_client_key_free(e->ck);
    csprng_free(&e->secret);
    csprng_free(&e->rng.mask);
    csprng_free(&e->rng.noise);
}

/* ---- bit packing ---- */

static void test_bits_known_answers(void **state)
{
    (void)state;
    /* L = 12: value i at stream bits [12 i, 12 i + 12); the sixth straddles
     * words (its low nibble ends word 0, the rest starts word 1) */
    uint64_t v12[6] = {0xabc, 0x123, 0xfff, 0x001, 0x800, 0x7ff}, w[2], back[6];
    assert_int_equal(compression_bits_pack(w, 2, v12, 6, 12), 0);
    assert_int_equal(w[0], 0xf800001fff123abcull);
    assert_int_equal(w[1], 0x7f);
    assert_int_equal(compression_bits_unpack(back, w, 2, 12, 0, 6), 0);
    assert_memory_equal(back, v12, sizeof v12);
    assert_int_equal(compression_bits_unpack(back, w, 2, 12, 5, 1), 0);
    assert_int_equal(back[0], 0x7ff);
    /* L = 1: bits in order */
    uint64_t v1[4] = {1, 0, 1, 1}, w1;
    assert_int_equal(compression_bits_pack(&w1, 1, v1, 4, 1), 0);
    assert_int_equal(w1, 0xd);
    /* L = 63: the second value starts at bit 63 */
    uint64_t v63[2] = {(1ull << 63) - 1, 3}, w63[2];
    assert_int_equal(compression_bits_pack(w63, 2, v63, 2, 63), 0);
    assert_int_equal(w63[0], UINT64_MAX);
    assert_int_equal(w63[1], 1);
    /* L = 64 is the identity */
    uint64_t v64[3] = {1, UINT64_MAX, 0x0123456789abcdefull}, w64[3];
    assert_int_equal(compression_bits_pack(w64, 3, v64, 3, 64), 0);
    assert_memory_equal(w64, v64, sizeof v64);
    /* u128, L = 79: the second value's top bits spill into word 1 */
    u128 a79[2] = {1, ((u128)1 << 78) + 3}, p79[2], b79[2];
    assert_int_equal(compression_bits_pack_u128(p79, 2, a79, 2, 79), 0);
    assert_true(p79[0] == (1 | ((u128)3 << 79)));
    assert_true(p79[1] == ((u128)1 << 29));
    assert_int_equal(compression_bits_unpack_u128(b79, p79, 2, 79, 0, 2), 0);
    assert_true(b79[0] == a79[0] && b79[1] == a79[1]);
    /* u128, L = 128 (squashed lists): word i is value i */
    u128 a128[2] = {~(u128)0 - 5, (u128)7 << 100}, p128[2];
    assert_int_equal(compression_bits_pack_u128(p128, 2, a128, 2, 128), 0);
    assert_memory_equal(p128, a128, sizeof a128);
}

static void test_bits_round_trip_and_errors(void **state)
{
    (void)state;
    uint64_t seed = 7;
    static const unsigned logs[] = {1, 9, 12, 27, 32, 53, 63, 64};
    uint64_t vals[700], back[700], packed[700];
    for (size_t li = 0; li < sizeof logs / sizeof logs[0]; li++) {
        unsigned L = logs[li];
        for (size_t i = 0; i < 700; i++)
            vals[i] = L == 64 ? splitmix(&seed) : splitmix(&seed) & ((1ull << L) - 1);
        size_t words;
        assert_int_equal(compression_bits_packed_len(&words, 700, L, 64), 0);
        assert_int_equal(words, (700 * L + 63) / 64);
        assert_int_equal(compression_bits_pack(packed, words, vals, 700, L), 0);
        assert_int_equal(compression_bits_unpack(back, packed, words, L, 0, 700), 0);
        assert_memory_equal(back, vals, sizeof vals);
        assert_int_equal(compression_bits_unpack(back, packed, words, L, words * 64 / L, 1),
                         KMS_ETRUNC);
    }
    static const unsigned logs128[] = {1, 64, 79, 127, 128};
    u128 v[300], b[300], pk[300];
    for (size_t li = 0; li < sizeof logs128 / sizeof logs128[0]; li++) {
        unsigned L = logs128[li];
        for (size_t i = 0; i < 300; i++) {
            v[i] = ((u128)splitmix(&seed) << 64) | splitmix(&seed);
            if (L < 128)
                v[i] &= ((u128)1 << L) - 1;
        }
        size_t words;
        assert_int_equal(compression_bits_packed_len(&words, 300, L, 128), 0);
        assert_int_equal(words, (300 * L + 127) / 128);
        assert_int_equal(compression_bits_pack_u128(pk, words, v, 300, L), 0);
        assert_int_equal(compression_bits_unpack_u128(b, pk, words, L, 0, 300), 0);
        assert_memory_equal(b, v, sizeof v);
    }
    /* the packed length of compressed GLWEs: ceil((k N + bodies) L / 64) */
    size_t words;
    assert_int_equal(compression_bits_packed_len(&words, 1024 + 32, 12, 64), 0);
    assert_int_equal(words, 198);
    assert_int_equal(compression_bits_packed_len(&words, 1024 + 1, 12, 64), 0);
    assert_int_equal(words, 193);
    assert_int_equal(compression_bits_packed_len(&words, 1024 + 256, 12, 64), 0);
    assert_int_equal(words, 240);
    assert_int_equal(compression_bits_packed_len(&words, 6144 + 16, 128, 128), 0);
    assert_int_equal(words, 6160);
    /* bad inputs */
    uint64_t one = 1u << 12;
    assert_int_equal(compression_bits_pack(packed, 1, &one, 1, 12), KMS_EINVAL);
    assert_int_equal(compression_bits_pack(packed, 2, vals, 1, 12), KMS_EINVAL);
    assert_int_equal(compression_bits_pack(packed, 1, vals, 1, 0), KMS_EINVAL);
    assert_int_equal(compression_bits_pack(packed, 1, vals, 1, 65), KMS_EINVAL);
    assert_int_equal(compression_bits_unpack(back, packed, 1, 12, 5, 1), KMS_ETRUNC);
    assert_int_equal(compression_bits_unpack(back, packed, 1, 12, UINT64_MAX, 2), KMS_ETRUNC);
    assert_int_equal(compression_bits_packed_len(&words, UINT64_MAX, 64, 64), KMS_ELIMIT);
}

/* ---- packing keyswitch ---- */

/* tfhe-rs keyswitch_lwe_ciphertext_list_and_pack_in_glwe_ciphertext,
 * transcribed literally: per LWE, a GLWE with the body at coefficient 0,
 * minus digit * key GLWE for each coefficient and level, then every
 * polynomial times X^t, then added to the output. */
static void ref_packing_keyswitch(uint64_t *out, const uint64_t *pksk,
                                  const struct packing_ksk_shape *s, const uint64_t *lwes,
                                  size_t count)
{
    size_t n = s->input_dimension, N = s->polynomial_size, polys = s->glwe_dimension + 1;
    size_t gs = polys * N;
    uint64_t *buf = xcalloc(gs, 8), *rot = xcalloc(N, 8);
    memset(out, 0, gs * 8);
    for (size_t t = 0; t < count; t++) {
        const uint64_t *lwe = lwes + t * (n + 1);
        memset(buf, 0, gs * 8);
        buf[s->glwe_dimension * N] = lwe[n];
        for (size_t i = 0; i < n; i++) {
            uint64_t st = decomp_init_u64(decomp_closest_u64(lwe[i], s->base_log, s->level),
                                          s->base_log, s->level);
            for (unsigned j = 0; j < s->level; j++) {
                uint64_t d = decomp_next_u64(&st, s->base_log);
                const uint64_t *row = pksk + (i * s->level + j) * gs;
                for (size_t c = 0; c < gs; c++)
                    buf[c] -= row[c] * d;
            }
        }
        for (size_t p = 0; p < polys; p++) {
            poly_u64_mul_xk(rot, buf + p * N, N, t);
            poly_u64_add(out + p * N, out + p * N, rot, N);
        }
    }
    free(buf);
    free(rot);
}

static void seed_pair(struct enc_rng *g, uint8_t tag)
{
    uint8_t a[16] = {tag, 0x11}, b[16] = {tag, 0x22};
    assert_int_equal(csprng_init_seed(&g->mask, a), 0);
    assert_int_equal(csprng_init_seed(&g->noise, b), 0);
}

static void check_small_packing(const struct packing_ksk_shape *s, unsigned noise_log2,
                                size_t count, uint8_t tag)
{
    size_t n = s->input_dimension, N = s->polynomial_size, k = s->glwe_dimension;
    size_t gs = packing_glwe_size(s);
    struct csprng sec;
    struct enc_rng rng;
    uint8_t ss[16] = {tag, 0x33};
    assert_int_equal(csprng_init_seed(&sec, ss), 0);
    seed_pair(&rng, tag);
    uint64_t *sk_in = xcalloc(n, 8), *sk_out = xcalloc(k * N, 8);
    assert_int_equal(lwe_sk_generate(sk_in, n, &sec), 0);
    assert_int_equal(glwe_sk_generate(sk_out, (unsigned)k, N, &sec), 0);
    uint64_t *pksk = xcalloc(packing_ksk_size(s), 8);
    assert_int_equal(packing_ksk_generate(pksk, s, sk_in, sk_out, noise_log2, &rng), 0);
    /* the bytes tfhe-rs reads: masks then noise, GLWE after GLWE, no gap */
    assert_true(rng.mask.pos == (u128)n * s->level * k * N * 8);
    assert_true(rng.noise.pos == (u128)n * s->level * N * sample_tuniform_bytes(noise_log2));
    struct enc_rng replay;
    seed_pair(&replay, tag);
    uint64_t first_mask[64];
    assert_int_equal(sample_uniform_u64(&replay.mask, first_mask, k * N < 64 ? k * N : 64), 0);
    assert_memory_equal(first_mask, pksk, 8 * (k * N < 64 ? k * N : 64));
    /* every key GLWE decrypts to the constant s_in[i] 2^(64 - B j) */
    uint64_t *ph = xcalloc(N, 8);
    for (size_t i = 0; i < n; i++)
        for (unsigned t = 0; t < s->level; t++) {
            unsigned j = s->level - t;
            glwe_phase(ph, pksk + (i * s->level + t) * gs, sk_out, (unsigned)k, N);
            for (size_t c = 0; c < N; c++) {
                uint64_t want = c == 0 ? sk_in[i] << (64 - s->base_log * j) : 0;
                int64_t e = (int64_t)(ph[c] - want);
                assert_true(e <= (1ll << noise_log2) && e >= -(1ll << noise_log2));
            }
        }
    /* packing keyswitch == the literal tfhe-rs algorithm, bit for bit */
    uint64_t seed = tag, *lwes = xcalloc(count * (n + 1), 8);
    for (size_t i = 0; i < count * (n + 1); i++)
        lwes[i] = splitmix(&seed);
    uint64_t *got = xcalloc(gs, 8), *want = xcalloc(gs, 8);
    assert_int_equal(packing_keyswitch(got, pksk, s, lwes, count), 0);
    ref_packing_keyswitch(want, pksk, s, lwes, count);
    assert_memory_equal(got, want, gs * 8);
    assert_int_equal(packing_keyswitch(got, pksk, s, lwes, N + 1), KMS_EINVAL);
    struct packing_ksk_shape bad = *s;
    bad.base_log = 64 / s->level + 1;
    assert_int_equal(packing_keyswitch(got, pksk, &bad, lwes, count), KMS_EINVAL);
    free(got);
    free(want);
    free(lwes);
    free(ph);
    free(pksk);
    free(sk_in);
    free(sk_out);
    csprng_free(&sec);
    csprng_free(&rng.mask);
    csprng_free(&rng.noise);
    csprng_free(&replay.mask);
    csprng_free(&replay.noise);
}

static void test_packing_keyswitch_exact(void **state)
{
    (void)state;
    struct packing_ksk_shape a = {37, 2, 16, 5, 3}, b = {64, 1, 32, 27, 1}, c = {24, 4, 8, 4, 3};
    check_small_packing(&a, 10, 16, 1);
    check_small_packing(&a, 10, 7, 2);
    check_small_packing(&b, 0, 32, 3);
    check_small_packing(&c, 43, 5, 4);
}

/* Derived bound: coefficient t of the packed GLWE carries the input phase
 * plus  sum_i (closest(a_i) - a_i) s_i  (each term uniform in [-2^(63-Bl),
 * 2^(63-Bl)), variance 2^(2(64-Bl))/12, for every i with s_i = 1)  plus
 * sum_ij d_ij e_ij  (n l key noises TUniform(b), variance ~2^(2b)/3, times
 * digits with E[d^2] = 2^(2B)/12 + 1/6). The test checks the worst error
 * against 7 sigma and the empirical sigma against the derived one. */
static void test_packing_noise_default(void **state)
{
    (void)state;
    struct env e;
    env_init(&e, "default", 0, 5);
    const struct tfhe_params *p = e.p;
    const struct packing_ksk_shape *s = &e.key->shape;
    size_t n = s->input_dimension, N = s->polynomial_size, k = s->glwe_dimension;
#ifdef COMP_UNDER_SAN
    size_t count = 16;
#else
    size_t count = 96;
#endif
    uint64_t *lwes = xcalloc(count * (n + 1), 8), *in_phase = xcalloc(count, 8);
    struct shortint_ct ct;
    assert_int_equal(shortint_ct_init(&ct, p), 0);
    for (size_t t = 0; t < count; t++) {
        assert_int_equal(shortint_encrypt(e.ck, &ct, t % 4, &e.rng), 0);
        memcpy(lwes + t * (n + 1), ct.data, (n + 1) * 8);
        lwe_mul_scalar(lwes + t * (n + 1), n, 4);
        in_phase[t] = lwe_phase(lwes + t * (n + 1), e.ck->glwe_sk, n);
    }
    uint64_t *glwe = xcalloc(packing_glwe_size(s), 8), *ph = xcalloc(N, 8);
    assert_int_equal(packing_keyswitch(glwe, e.key->pksk, s, lwes, count), 0);
    glwe_phase(ph, glwe, e.priv->glwe_sk, (unsigned)k, N);
    double weight = 0;
    for (size_t i = 0; i < n; i++)
        weight += (double)(e.ck->glwe_sk[i] & 1);
    double Bl = (double)(s->base_log * s->level), b = p->compression.packing_ks_noise_log2;
    double var_round = weight * ldexp(1.0, (int)(2 * (64 - Bl))) / 12;
    double e_d2 = ldexp(1.0, (int)(2 * s->base_log)) / 12 + 1.0 / 6;
    double var_key = (double)n * s->level * e_d2 * ldexp(1.0, (int)(2 * b)) / 3;
    double sigma = sqrt(var_round + var_key), sum2 = 0, worst = 0;
    for (size_t t = 0; t < count; t++) {
        double err = (double)(int64_t)(ph[t] - in_phase[t]);
        sum2 += err * err;
        worst = fmax(worst, fabs(err));
    }
    for (size_t t = count; t < N; t++) /* unused coefficients: key noise and rounding only */
        assert_true(fabs((double)(int64_t)ph[t]) < 7 * sigma);
    double emp = sqrt(sum2 / (double)count);
    print_message("  packing KS noise: derived sigma 2^%.2f, measured 2^%.2f, worst 2^%.2f "
                  "(decoding needs < 2^60)\n", log2(sigma), log2(emp), log2(worst));
    assert_true(worst < 7 * sigma);
    assert_true(emp > 0.7 * sigma && emp < 1.3 * sigma);
    assert_true(7 * sigma < ldexp(1.0, 60));
    shortint_ct_clear(&ct);
    free(lwes);
    free(in_phase);
    free(glwe);
    free(ph);
    env_free(&e);
}

/* ---- decoding ---- */

/* compression_decode_mu against the rescaling table itself: coefficient 0
 * of LUT * X^-mu, decoded as decrypt_message_and_carry would. */
static void check_decode(const char *name)
{
    const struct tfhe_params *p = get(name);
    size_t N = p->pbs.polynomial_size;
    uint64_t table[4] = {0, 1, 2, 3}, *lut = xcalloc(N, 8);
    pbs_lut(lut, N, p->pbs.carry_modulus, table, tfhe_params_delta(&p->pbs));
    for (uint64_t mu = 0; mu < 2 * N; mu++) {
        uint64_t c0 = mu < N ? lut[mu] : 0 - lut[mu - N];
        uint64_t want = shortint_decode(c0, p->pbs.message_modulus, p->pbs.carry_modulus);
        assert_int_equal(compression_decode_mu(p, mu), want);
    }
    free(lut);
}

static void test_decode_matches_lut(void **state)
{
    (void)state;
    check_decode("default");
    check_decode("test");
}

/* ---- lists ---- */

/* A list of GLWEs whose coefficient t has phase mu[t] (in units of 2^(64-L))
 * under the compression key, with a random mask. */
static void make_phase_list(struct compression_list *l, const struct env *e, const uint64_t *mu,
                            size_t count, uint64_t *seed)
{
    const struct tfhe_compression_params *c = &e->p->compression;
    size_t k = c->packing_ks_glwe_dimension, N = c->packing_ks_polynomial_size, kn = k * N;
    size_t lpg = c->lwe_per_glwe;
    unsigned L = c->storage_log_modulus;
    memset(l, 0, sizeof *l);
    l->glwe_count = (count + lpg - 1) / lpg;
    l->glwes = xcalloc(l->glwe_count, sizeof *l->glwes);
    uint64_t *ct = xcalloc(kn + N, 8), *ph = xcalloc(N, 8);
    for (size_t g = 0; g < l->glwe_count; g++) {
        size_t bodies = count - g * lpg < lpg ? count - g * lpg : lpg;
        memset(ct, 0, (kn + N) * 8);
        for (size_t i = 0; i < kn; i++)
            ct[i] = splitmix(seed) >> (64 - L) << (64 - L);
        glwe_phase(ph, ct, e->priv->glwe_sk, (unsigned)k, N); /* = -<A, S> */
        for (size_t t = 0; t < bodies; t++)
            ct[kn + t] = (mu[g * lpg + t] << (64 - L)) - ph[t];
        for (size_t i = 0; i < kn + bodies; i++)
            ct[i] >>= 64 - L;
        struct compression_glwe *gl = &l->glwes[g];
        assert_int_equal(compression_bits_packed_len(&gl->packed_len, kn + bodies, L, 64), 0);
        gl->packed = xcalloc(gl->packed_len, 8);
        assert_int_equal(compression_bits_pack(gl->packed, gl->packed_len, ct, kn + bodies, L), 0);
        gl->log_modulus = L;
        gl->initial_len = kn + bodies;
        gl->glwe_dimension = k;
        gl->polynomial_size = N;
        gl->bodies_count = bodies;
    }
    l->has_meta = 1;
    l->meta = (struct compression_meta){0, e->p->pbs.message_modulus, e->p->pbs.carry_modulus,
                                        COMPRESSION_AP_STANDARD, COMPRESSION_KS_PBS, lpg};
    l->info_count = 1;
    l->info = xcalloc(1, sizeof *l->info);
    l->info[0] = (struct compression_data_kind){COMPRESSION_KIND_UNSIGNED, count, 0, 0};
    free(ct);
    free(ph);
}

/* Direct decryption == decompression by PBS + decrypt_message_and_carry for
 * the given switched phases. */
static void check_direct_vs_pbs(struct env *e, const uint64_t *mu12, size_t count)
{
    unsigned L = e->p->compression.storage_log_modulus;
    uint64_t seed = 99;
    struct compression_list l;
    make_phase_list(&l, e, mu12, count, &seed);
    assert_int_equal(compression_list_validate(&l), 0);
    uint8_t *vals = xcalloc(count, 1);
    assert_int_equal(compression_decrypt_blocks(e->priv, vals, &l, 0, count), 0);
    struct shortint_ct out;
    assert_int_equal(shortint_ct_init(&out, e->p), 0);
    unsigned ell = 1;
    while ((1u << ell) < 2 * e->p->pbs.polynomial_size)
        ell++;
    for (size_t b = 0; b < count; b++) {
        assert_int_equal(compression_decompress_block(e->dk, e->sc, &out, &l, b), 0);
        uint64_t pbs;
        assert_int_equal(shortint_decrypt_message_and_carry(e->ck, &pbs, &out), 0);
        assert_int_equal(vals[b], pbs);
        assert_int_equal(vals[b], compression_decode_mu(e->p, mu12[b] << (ell - L)));
        assert_int_equal(out.degree, e->p->pbs.carry_modulus - 1);
        assert_int_equal(out.noise_level, SHORTINT_NOISE_NOMINAL);
    }
    shortint_ct_clear(&out);
    free(vals);
    compression_list_free(&l);
}

static void test_direct_vs_pbs_exhaustive_test_set(void **state)
{
    (void)state;
    struct env e;
    env_init(&e, "test", 1, 6);
    size_t n = (size_t)1 << e.p->compression.storage_log_modulus; /* 2N = 512 phases */
    uint64_t *mu = xcalloc(n, 8);
    for (size_t i = 0; i < n; i++)
        mu[i] = (i * 37) % n; /* every phase once, spread over two GLWEs */
    check_direct_vs_pbs(&e, mu, n);
    free(mu);
    env_free(&e);
}

/* ---- round trips ---- */

/* Encrypts one value of each type, compresses them into one list, then
 * checks every element with direct decryption and (if with_pbs) with
 * decompression by PBS. */
static void round_trip(struct env *e, const int32_t *types, size_t count, int with_pbs)
{
    uint64_t seed = 1234 + count;
    struct radix_ct **cts = xcalloc(count, sizeof *cts);
    uint8_t(*want)[RADIX_MAX_BYTES] = xcalloc(count, RADIX_MAX_BYTES);
    for (size_t i = 0; i < count; i++) {
        const struct radix_type *t;
        assert_int_equal(radix_type_lookup(&t, types[i]), 0);
        random_value(want[i], t, &seed);
        assert_int_equal(radix_ct_new(&cts[i], e->p, types[i]), 0);
        assert_int_equal(radix_encrypt(e->ck, cts[i], want[i], radix_type_bytes(t), &e->rng), 0);
    }
    struct compression_list l;
    assert_int_equal(compression_compress_radix(e->key, &l, (const struct radix_ct *const *)cts,
                                                count), 0);
    assert_int_equal(compression_list_validate(&l), 0);
    assert_int_equal(l.info_count, count);
    uint64_t blocks = 0;
    for (size_t i = 0; i < count; i++)
        blocks += cts[i]->nblocks;
    assert_int_equal(compression_list_blocks(&l), blocks);
    unsigned L = e->p->compression.storage_log_modulus;
    size_t kn = (size_t)e->p->compression.packing_ks_glwe_dimension *
                e->p->compression.packing_ks_polynomial_size;
    for (size_t g = 0; g < l.glwe_count; g++) /* the packed length formula */
        assert_int_equal(l.glwes[g].packed_len, ((kn + l.glwes[g].bodies_count) * L + 63) / 64);
    uint8_t got[RADIX_MAX_BYTES];
    for (size_t i = 0; i < count; i++) {
        const struct radix_type *t = cts[i]->type;
        size_t len = radix_type_bytes(t);
        assert_int_equal(compression_list_decrypt(e->priv, got, len, &l, i, t->id), 0);
        assert_memory_equal(got, want[i], len);
        if (!with_pbs)
            continue;
        struct radix_ct *back;
        assert_int_equal(radix_ct_new(&back, e->p, t->id), 0);
        assert_int_equal(compression_list_get(e->dk, e->sc, back, &l, i), 0);
        assert_int_equal(radix_decrypt(e->ck, got, len, back), 0);
        assert_memory_equal(got, want[i], len);
        assert_int_equal(back->blocks[0].degree, t->is_bool ? 1 : 3);
        radix_ct_free(back);
    }
    compression_list_free(&l);
    for (size_t i = 0; i < count; i++)
        radix_ct_free(cts[i]);
    free(cts);
    free(want);
}

static void test_round_trip(void **state)
{
    (void)state;
    struct env e;
#ifdef COMP_UNDER_SAN
    env_init(&e, "test", 1, 7);
    print_message("  decompression by PBS with the test set under the sanitizers\n");
#else
    env_init(&e, "default", 1, 7);
#endif
    /* a few blocks through the PBS: FheUint8, FheBool, FheInt4 (7 PBS) */
    static const int32_t small[] = {RADIX_UINT8, RADIX_BOOL, RADIX_INT4};
    round_trip(&e, small, 3, 1);
    env_free(&e);
    /* more types with the default set, direct decryption only; 288 blocks
     * over two GLWEs, the FheUint128 straddling them */
    env_init(&e, "default", 0, 8);
    static const int32_t more[] = {RADIX_UINT4, RADIX_UINT16, RADIX_UINT32, RADIX_UINT64,
                                   RADIX_UINT80, RADIX_INT8, RADIX_INT64, RADIX_BOOL,
                                   RADIX_UINT160, RADIX_BOOL, RADIX_INT16, RADIX_UINT128};
    round_trip(&e, more, sizeof more / sizeof more[0], 0);
    env_free(&e);
}

/* ---- malformed lists and inputs ---- */

/* A structurally valid list of zero words: GLWEs of the set's shape holding
 * bodies[g] bodies, and one Unsigned element covering them. */
static void make_zero_list(struct compression_list *l, const struct tfhe_params *p,
                           const uint64_t *bodies, size_t glwes)
{
    const struct tfhe_compression_params *c = &p->compression;
    size_t kn = (size_t)c->packing_ks_glwe_dimension * c->packing_ks_polynomial_size;
    memset(l, 0, sizeof *l);
    l->glwe_count = glwes;
    l->glwes = xcalloc(glwes, sizeof *l->glwes);
    uint64_t total = 0;
    for (size_t g = 0; g < glwes; g++) {
        struct compression_glwe *gl = &l->glwes[g];
        gl->log_modulus = c->storage_log_modulus;
        gl->glwe_dimension = c->packing_ks_glwe_dimension;
        gl->polynomial_size = c->packing_ks_polynomial_size;
        gl->bodies_count = bodies[g];
        gl->initial_len = kn + bodies[g];
        gl->packed_len = ((kn + bodies[g]) * c->storage_log_modulus + 63) / 64;
        gl->packed = xcalloc(gl->packed_len + 1, 8);
        total += bodies[g];
    }
    l->has_meta = 1;
    l->meta = (struct compression_meta){0, p->pbs.message_modulus, p->pbs.carry_modulus,
                                        COMPRESSION_AP_STANDARD, COMPRESSION_KS_PBS,
                                        c->lwe_per_glwe};
    l->info_count = 1;
    l->info = xcalloc(2, sizeof *l->info);
    l->info[0] = (struct compression_data_kind){COMPRESSION_KIND_UNSIGNED, total, 0, 0};
}

/* The list is refused (by validation or the parameter check, if
 * `structural`) and decrypting it fails with a zeroed output. */
static void expect_invalid(const struct compression_list *l,
                           const struct compression_private_key *k, int32_t type, int structural)
{
    uint8_t out[RADIX_MAX_BYTES];
    const struct radix_type *t;
    assert_int_equal(radix_type_lookup(&t, type), 0);
    int rc = compression_list_validate(l);
    if (rc == 0)
        rc = compression_list_check_params(l, k->params);
    assert_true(structural ? rc < 0 : rc == 0);
    memset(out, 0xaa, sizeof out);
    assert_true(compression_list_decrypt(k, out, radix_type_bytes(t), l, 0, type) < 0);
    for (size_t i = 0; i < radix_type_bytes(t); i++)
        assert_int_equal(out[i], 0);
}

static void test_malformed_lists(void **state)
{
    (void)state;
    const struct tfhe_params *p = get("default");
    struct csprng sec;
    uint8_t seed[16] = {8};
    assert_int_equal(csprng_init_seed(&sec, seed), 0);
    struct compression_private_key *k;
    assert_int_equal(compression_private_key_new(&k, p, &sec), 0);
    uint64_t two[2] = {256, 64}, one[1] = {32};
    struct compression_list l;
    uint8_t out[128];

    /* the reference lists are fine: 320 blocks = FheUint640 is no type, so
     * decrypt a 32-block list as FheUint64 */
    make_zero_list(&l, p, two, 2);
    assert_int_equal(compression_list_validate(&l), 0);
    assert_int_equal(compression_list_check_params(&l, p), 0);
    compression_list_free(&l);
    make_zero_list(&l, p, one, 1);
    assert_int_equal(compression_list_decrypt(k, out, 8, &l, 0, RADIX_UINT64), 0);
    compression_list_free(&l);

#define CHECK_LIST(structural, bodies, nglwe, type, ...)                                     \
    do {                                                                                     \
        make_zero_list(&l, p, bodies, nglwe);                                                \
        size_t glwes_ = l.glwe_count;                                                        \
        __VA_ARGS__;                                                                         \
        expect_invalid(&l, k, type, structural);                                             \
        l.glwe_count = glwes_; /* so that every GLWE is freed */                             \
        compression_list_free(&l);                                                           \
    } while (0)
#define MUTATE(...) CHECK_LIST(1, __VA_ARGS__)
#define WRONG_TYPE(...) CHECK_LIST(0, __VA_ARGS__)

    /* truncated and oversized packed data */
    MUTATE(one, 1, RADIX_UINT64, l.glwes[0].packed_len--);
    MUTATE(one, 1, RADIX_UINT64, l.glwes[0].packed_len++);
    MUTATE(one, 1, RADIX_UINT64, l.glwes[0].packed_len = 0);
    MUTATE(one, 1, RADIX_UINT64, free(l.glwes[0].packed); l.glwes[0].packed = NULL);
    /* counts that disagree */
    MUTATE(one, 1, RADIX_UINT64, l.glwes[0].initial_len++);
    MUTATE(one, 1, RADIX_UINT64, l.glwes[0].bodies_count = 33);
    MUTATE(one, 1, RADIX_UINT64, l.glwes[0].bodies_count = 0; l.glwes[0].initial_len -= 32;
           l.glwes[0].packed_len = 192; l.info_count = 0);
    MUTATE(two, 2, RADIX_UINT64, l.glwes[0].bodies_count = 257; l.glwes[0].initial_len++;
           l.glwes[0].packed_len = (1281 * 12 + 63) / 64);
    MUTATE(two, 2, RADIX_UINT64, l.meta.lwe_per_glwe = 128);
    MUTATE(two, 2, RADIX_UINT64, l.meta.lwe_per_glwe = 512);
    MUTATE(two, 2, RADIX_UINT64, l.meta.lwe_per_glwe = 0);
    MUTATE(two, 2, RADIX_UINT64, l.glwe_count = 1);
    /* bodies_count > N */
    MUTATE(one, 1, RADIX_UINT64, l.glwes[0].bodies_count = 257; l.glwes[0].initial_len = 1024 + 257;
           l.glwes[0].packed_len = (1281 * 12 + 63) / 64; l.info[0].num_blocks = 257;
           l.meta.lwe_per_glwe = 257);
    /* DataKinds */
    MUTATE(one, 1, RADIX_UINT64, l.info[0].num_blocks = 33);
    MUTATE(one, 1, RADIX_UINT64, l.info[0].num_blocks = 31);
    MUTATE(one, 1, RADIX_UINT64, l.info[0].num_blocks = 0);
    MUTATE(one, 1, RADIX_UINT64, l.info[0].kind = 7);
    MUTATE(one, 1, RADIX_UINT64, l.info_count = 0);
    MUTATE(one, 1, RADIX_UINT64, l.info[0].num_blocks = 16;
           l.info[1] = (struct compression_data_kind){COMPRESSION_KIND_SIGNED, 16, 0, 0};
           l.info_count = 2; l.info[1].num_blocks = UINT64_MAX);
    /* a string of 8 characters (4 blocks each) is a valid list, not an integer */
    WRONG_TYPE(one, 1, RADIX_UINT64,
               l.info[0] = (struct compression_data_kind){COMPRESSION_KIND_STRING, 0, 8, 0});
    /* metadata and shapes */
    MUTATE(one, 1, RADIX_UINT64, l.has_meta = 0);
    MUTATE(one, 1, RADIX_UINT64, l.meta.message_modulus = 0);
    MUTATE(one, 1, RADIX_UINT64, l.meta.message_modulus = 3);
    MUTATE(one, 1, RADIX_UINT64, l.meta.carry_modulus = 8);
    MUTATE(one, 1, RADIX_UINT64, l.meta.ciphertext_modulus = 1);
    MUTATE(one, 1, RADIX_UINT64, l.meta.atomic_pattern = 2);
    MUTATE(one, 1, RADIX_UINT64, l.meta.pbs_order = COMPRESSION_PBS_KS);
    MUTATE(one, 1, RADIX_UINT64, l.glwes[0].uncompressed_modulus = 1);
    MUTATE(one, 1, RADIX_UINT64, l.glwes[0].log_modulus = 0);
    MUTATE(one, 1, RADIX_UINT64, l.glwes[0].log_modulus = 65);
    MUTATE(one, 1, RADIX_UINT64, l.glwes[0].log_modulus = 13;
           l.glwes[0].packed_len = 1056 * 13 / 64 + 1);
    MUTATE(one, 1, RADIX_UINT64, l.glwes[0].polynomial_size = 300);
    MUTATE(one, 1, RADIX_UINT64, l.glwes[0].glwe_dimension = 0);
    MUTATE(one, 1, RADIX_UINT64, l.glwes[0].glwe_dimension = 2; l.glwes[0].initial_len = 512 + 32;
           l.glwes[0].packed_len = 544 * 12 / 64);
    MUTATE(two, 2, RADIX_UINT64, l.glwes[1].polynomial_size = 512);
    MUTATE(one, 1, RADIX_UINT64, free(l.info); l.info = NULL);
    MUTATE(one, 1, RADIX_UINT64, l.glwe_count = 0);
    /* a valid list asked for the wrong type or element */
    WRONG_TYPE(one, 1, RADIX_UINT32, (void)0);
    WRONG_TYPE(one, 1, RADIX_INT64, (void)0);
    WRONG_TYPE(one, 1, RADIX_BOOL, (void)0);
    WRONG_TYPE(one, 1, RADIX_INT64, l.info[0].kind = COMPRESSION_KIND_SIGNED;
               l.info[0].num_blocks = 31; l.info_count = 2;
               l.info[1].kind = COMPRESSION_KIND_BOOLEAN);
#undef MUTATE
#undef WRONG_TYPE
#undef CHECK_LIST
    make_zero_list(&l, p, one, 1);
    assert_int_equal(compression_list_decrypt(k, out, 8, &l, 1, RADIX_UINT64), KMS_EINVAL);
    assert_int_equal(compression_list_decrypt(k, out, 7, &l, 0, RADIX_UINT64), KMS_EINVAL);
    assert_int_equal(compression_list_decrypt(k, out, 8, &l, 0, 12345), KMS_EINVAL);
    uint8_t vals[64];
    assert_int_equal(compression_decrypt_blocks(k, vals, &l, 30, 3), KMS_EINVAL);
    assert_int_equal(compression_decrypt_blocks(k, vals, &l, UINT64_MAX, 2), KMS_EINVAL);
    assert_int_equal(compression_list_check_params(&l, get("test")), KMS_EINVAL);
    assert_int_equal(compression_list_check_params(&l, get("message_2_carry_2")), KMS_EINVAL);
    compression_list_free(&l);
    compression_list_free(NULL);
    /* private keys from stored bits */
    struct compression_private_key *k2;
    uint64_t bits[1024] = {0};
    bits[3] = 1;
    assert_int_equal(compression_private_key_from_bits(&k2, p, bits, 1024), 0);
    compression_private_key_free(k2);
    assert_int_equal(compression_private_key_from_bits(&k2, p, bits, 1023), KMS_EINVAL);
    bits[5] = 2;
    assert_int_equal(compression_private_key_from_bits(&k2, p, bits, 1024), KMS_EINVAL);
    assert_int_equal(compression_private_key_new(&k2, get("message_2_carry_2"), &sec), KMS_EINVAL);
    compression_private_key_free(k);
    csprng_free(&sec);
}

/* tfhe-rs's asserts on compression inputs become errors. */
static void test_compress_bad_inputs(void **state)
{
    (void)state;
    struct env e;
    env_init(&e, "test", 0, 9);
    struct shortint_ct b[2];
    assert_int_equal(shortint_ct_init(&b[0], e.p), 0);
    assert_int_equal(shortint_ct_init(&b[1], e.p), 0);
    assert_int_equal(shortint_encrypt(e.ck, &b[0], 3, &e.rng), 0);
    assert_int_equal(shortint_encrypt(e.ck, &b[1], 2, &e.rng), 0);
    struct compression_list l;
    assert_int_equal(compression_compress_blocks(e.key, &l, b, 2), 0);
    assert_int_equal(l.glwe_count, 1);
    uint8_t vals[2];
    assert_int_equal(compression_decrypt_blocks(e.priv, vals, &l, 0, 2), KMS_EINVAL); /* no info */
    compression_list_free(&l);
    assert_int_equal(compression_compress_blocks(e.key, &l, b, 0), 0); /* empty: no meta */
    assert_int_equal(l.glwe_count, 0);
    assert_int_equal(l.has_meta, 0);
    assert_int_equal(compression_list_validate(&l), 0);
    b[1].degree = 4; /* carry not empty */
    assert_int_equal(compression_compress_blocks(e.key, &l, b, 2), KMS_EINVAL);
    b[1].degree = 3;
    b[1].noise_level = 2; /* needs a PBS */
    assert_int_equal(compression_compress_blocks(e.key, &l, b, 2), KMS_EINVAL);
    b[1].noise_level = SHORTINT_NOISE_NOMINAL;
    b[1].carry_modulus = 8;
    assert_int_equal(compression_compress_blocks(e.key, &l, b, 2), KMS_EINVAL);
    b[1].carry_modulus = 4;
    b[1].dimension = 255;
    assert_int_equal(compression_compress_blocks(e.key, &l, b, 2), KMS_EINVAL);
    b[1].dimension = 256;
    b[0].carry_modulus = b[1].carry_modulus = 2; /* message > carry */
    assert_int_equal(compression_compress_blocks(e.key, &l, b, 2), KMS_EINVAL);
    assert_int_equal(l.glwe_count, 0);
    shortint_ct_clear(&b[0]);
    shortint_ct_clear(&b[1]);
    env_free(&e);
}

#ifndef COMP_TEST_SLOW
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bits_known_answers),
        cmocka_unit_test(test_bits_round_trip_and_errors),
        cmocka_unit_test(test_packing_keyswitch_exact),
        cmocka_unit_test(test_packing_noise_default),
        cmocka_unit_test(test_decode_matches_lut),
        cmocka_unit_test(test_direct_vs_pbs_exhaustive_test_set),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_malformed_lists),
        cmocka_unit_test(test_compress_bad_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
#endif
