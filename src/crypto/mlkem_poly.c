#include "crypto/mlkem_poly.h"

#include "base/secmem.h"
#include "crypto/keccak.h"

#define Q MLKEM_Q

/* zetas[i] = 17^BitRev7(i) mod q: the NTT twiddle factors (FIPS 203
 * Appendix A, generated from that formula). */
static const uint16_t zetas[128] = {
    1,    1729, 2580, 3289, 2642, 630,  1897, 848,  1062, 1919, 193,  797,  2786, 3260, 569,
    1746, 296,  2447, 1339, 1476, 3046, 56,   2240, 1333, 1426, 2094, 535,  2882, 2393, 2879,
    1974, 821,  289,  331,  3253, 1756, 1197, 2304, 2277, 2055, 650,  1977, 2513, 632,  2865,
    33,   1320, 1915, 2319, 1435, 807,  452,  1438, 2868, 1534, 2402, 2647, 2617, 1481, 648,
    2474, 3110, 1227, 910,  17,   2761, 583,  2649, 1637, 723,  2288, 1100, 1409, 2662, 3281,
    233,  756,  2156, 3015, 3050, 1703, 1651, 2789, 1789, 1847, 952,  1461, 2687, 939,  2308,
    2437, 2388, 733,  2337, 268,  641,  1584, 2298, 2037, 3220, 375,  2549, 2090, 1645, 1063,
    319,  2773, 757,  2099, 561,  2466, 2594, 2804, 1092, 403,  1026, 1143, 2150, 2775, 886,
    1722, 1212, 1874, 1029, 2110, 2935, 885,  2154,
};

/* gammas[i] = 17^(2 BitRev7(i) + 1) mod q: the moduli X^2 - gamma of the
 * 128 degree-2 factors that MultiplyNTTs works in (Appendix A). */
static const uint16_t gammas[128] = {
    17,   3312, 2761, 568,  583,  2746, 2649, 680,  1637, 1692, 723,  2606, 2288, 1041, 1100,
    2229, 1409, 1920, 2662, 667,  3281, 48,   233,  3096, 756,  2573, 2156, 1173, 3015, 314,
    3050, 279,  1703, 1626, 1651, 1678, 2789, 540,  1789, 1540, 1847, 1482, 952,  2377, 1461,
    1868, 2687, 642,  939,  2390, 2308, 1021, 2437, 892,  2388, 941,  733,  2596, 2337, 992,
    268,  3061, 641,  2688, 1584, 1745, 2298, 1031, 2037, 1292, 3220, 109,  375,  2954, 2549,
    780,  2090, 1239, 1645, 1684, 1063, 2266, 319,  3010, 2773, 556,  757,  2572, 2099, 1230,
    561,  2768, 2466, 863,  2594, 735,  2804, 525,  1092, 2237, 403,  2926, 1026, 2303, 1143,
    2186, 2150, 1179, 2775, 554,  886,  2443, 1722, 1607, 1212, 2117, 1874, 1455, 1029, 2300,
    2110, 1219, 2935, 394,  885,  2444, 2154, 1175,
};

/* a mod q for a < 2q, without a branch: subtract q, add it back if that
 * wrapped (the top bit of the difference is set). */
static uint16_t csubq(uint32_t a)
{
    a -= Q;
    a += Q & (0u - (a >> 31));
    return (uint16_t)a;
}

/* a mod q for any 32-bit a (Barrett): t = floor(a * floor(2^32/q) / 2^32)
 * is floor(a/q) or one less, so a - t*q < 2q. */
static uint16_t reduce(uint32_t a)
{
    uint32_t t = (uint32_t)(((uint64_t)a * 1290167u) >> 32);
    return csubq(a - t * Q);
}

static uint16_t mulq(uint32_t a, uint32_t b)
{
    return reduce(a * b);
}

void mlkem_poly_ntt(struct mlkem_poly *f)
{
    unsigned k = 1;
    for (unsigned len = 128; len >= 2; len >>= 1) {
        for (unsigned start = 0; start < MLKEM_N; start += 2 * len) {
            uint32_t zeta = zetas[k++];
            for (unsigned j = start; j < start + len; j++) {
                uint16_t t = mulq(zeta, f->c[j + len]);
                f->c[j + len] = csubq((uint32_t)f->c[j] + Q - t);
                f->c[j] = csubq((uint32_t)f->c[j] + t);
            }
        }
    }
}

void mlkem_poly_invntt(struct mlkem_poly *f)
{
    unsigned k = 127;
    for (unsigned len = 2; len <= 128; len <<= 1) {
        for (unsigned start = 0; start < MLKEM_N; start += 2 * len) {
            uint32_t zeta = zetas[k--];
            for (unsigned j = start; j < start + len; j++) {
                uint16_t t = f->c[j];
                f->c[j] = csubq((uint32_t)t + f->c[j + len]);
                f->c[j + len] = mulq(zeta, (uint32_t)f->c[j + len] + Q - t);
            }
        }
    }
    /* 3303 = 128^-1 mod q */
    for (unsigned i = 0; i < MLKEM_N; i++)
        f->c[i] = mulq(f->c[i], 3303);
}

/* BaseCaseMultiply (Algorithm 12) for each pair, accumulated into r. The
 * sums stay below 2q^2 < 2^32. */
void mlkem_poly_basemul_acc(struct mlkem_poly *r, const struct mlkem_poly *a,
                            const struct mlkem_poly *b)
{
    for (unsigned i = 0; i < MLKEM_N / 2; i++) {
        uint32_t a0 = a->c[2 * i], a1 = a->c[2 * i + 1];
        uint32_t b0 = b->c[2 * i], b1 = b->c[2 * i + 1];
        uint16_t c0 = reduce(a0 * b0 + (uint32_t)mulq(a1, b1) * gammas[i]);
        uint16_t c1 = reduce(a0 * b1 + a1 * b0);
        r->c[2 * i] = csubq((uint32_t)r->c[2 * i] + c0);
        r->c[2 * i + 1] = csubq((uint32_t)r->c[2 * i + 1] + c1);
    }
}

void mlkem_poly_add(struct mlkem_poly *r, const struct mlkem_poly *a, const struct mlkem_poly *b)
{
    for (unsigned i = 0; i < MLKEM_N; i++)
        r->c[i] = csubq((uint32_t)a->c[i] + b->c[i]);
}

void mlkem_poly_sub(struct mlkem_poly *r, const struct mlkem_poly *a, const struct mlkem_poly *b)
{
    for (unsigned i = 0; i < MLKEM_N; i++)
        r->c[i] = csubq((uint32_t)a->c[i] + Q - b->c[i]);
}

/* Rejection sampling from SHAKE128: each 3 bytes give two 12-bit candidates,
 * kept when below q. Variable time, but only in the public rho. */
void mlkem_poly_sample_ntt(struct mlkem_poly *f, const uint8_t rho[32], uint8_t j, uint8_t i)
{
    struct keccak xof;
    uint8_t block[SHAKE128_RATE];
    uint8_t ji[2] = {j, i};
    unsigned n = 0;

    keccak_init_shake128(&xof);
    keccak_absorb(&xof, rho, 32);
    keccak_absorb(&xof, ji, 2);
    while (n < MLKEM_N) {
        keccak_squeeze(&xof, block, sizeof block);
        for (unsigned p = 0; p + 3 <= sizeof block && n < MLKEM_N; p += 3) {
            uint16_t d1 = (uint16_t)(block[p] | ((block[p + 1] & 0x0f) << 8));
            uint16_t d2 = (uint16_t)((block[p + 1] >> 4) | (block[p + 2] << 4));
            if (d1 < Q)
                f->c[n++] = d1;
            if (d2 < Q && n < MLKEM_N)
                f->c[n++] = d2;
        }
    }
    keccak_clear(&xof);
}

static unsigned bit_at(const uint8_t *b, unsigned pos)
{
    return (b[pos >> 3] >> (pos & 7)) & 1u;
}

void mlkem_poly_sample_cbd(struct mlkem_poly *f, const uint8_t seed[32], uint8_t nonce,
                           unsigned eta)
{
    struct keccak prf;
    uint8_t buf[64 * 3];

    keccak_init_shake256(&prf);
    keccak_absorb(&prf, seed, 32);
    keccak_absorb(&prf, &nonce, 1);
    keccak_squeeze(&prf, buf, 64 * eta);
    keccak_clear(&prf);
    for (unsigned i = 0; i < MLKEM_N; i++) {
        uint32_t x = 0, y = 0;
        for (unsigned j = 0; j < eta; j++) {
            x += bit_at(buf, 2 * i * eta + j);
            y += bit_at(buf, 2 * i * eta + eta + j);
        }
        f->c[i] = csubq(x + Q - y);
    }
    secmem_wipe(buf, sizeof buf);
}

/* Little-endian bit packing of 256 d-bit values: 32 * d bytes. */
void mlkem_poly_encode(uint8_t *out, const struct mlkem_poly *f, unsigned d)
{
    uint32_t acc = 0, mask = (1u << d) - 1;
    unsigned bits = 0;
    for (unsigned i = 0; i < MLKEM_N; i++) {
        acc |= (uint32_t)(f->c[i] & mask) << bits;
        for (bits += d; bits >= 8; bits -= 8) {
            *out++ = (uint8_t)acc;
            acc >>= 8;
        }
    }
}

void mlkem_poly_decode(struct mlkem_poly *f, const uint8_t *in, unsigned d)
{
    uint32_t acc = 0, mask = (1u << d) - 1;
    unsigned bits = 0;
    for (unsigned i = 0; i < MLKEM_N; i++) {
        for (; bits < d; bits += 8)
            acc |= (uint32_t)*in++ << bits;
        uint32_t v = acc & mask;
        acc >>= d;
        bits -= d;
        /* a 12-bit value is below 2q, so one conditional subtraction is mod q */
        f->c[i] = d == 12 ? csubq(v) : (uint16_t)v;
    }
}

int mlkem_poly_check12(const uint8_t in[MLKEM_POLY_BYTES])
{
    uint32_t ok = 1;
    for (unsigned p = 0; p < MLKEM_POLY_BYTES; p += 3) {
        uint32_t d1 = in[p] | ((in[p + 1] & 0x0fu) << 8);
        uint32_t d2 = (in[p + 1] >> 4) | ((uint32_t)in[p + 2] << 4);
        /* the difference wraps (top bit set) exactly when the value is < q */
        ok &= (d1 - Q) >> 31;
        ok &= (d2 - Q) >> 31;
    }
    return (int)ok;
}

/* Compress_d(x) = round(2^d x / q) mod 2^d. The division by q is a multiply
 * by ceil(2^40 / q) and a shift (exact for numerators below 2^23), so the
 * time does not depend on x. */
void mlkem_poly_compress(struct mlkem_poly *f, unsigned d)
{
    uint32_t mask = (1u << d) - 1;
    for (unsigned i = 0; i < MLKEM_N; i++) {
        uint64_t a = ((uint64_t)f->c[i] << d) + (Q - 1) / 2;
        f->c[i] = (uint16_t)((uint32_t)((a * 330282857u) >> 40) & mask);
    }
}

/* Decompress_d(y) = round(q y / 2^d). */
void mlkem_poly_decompress(struct mlkem_poly *f, unsigned d)
{
    for (unsigned i = 0; i < MLKEM_N; i++)
        f->c[i] = (uint16_t)(((uint32_t)f->c[i] * Q + (1u << (d - 1))) >> d);
}
