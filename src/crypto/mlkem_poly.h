/* Polynomial arithmetic for ML-KEM (FIPS 203 §4): ring Z_q[X]/(X^256 + 1)
 * with q = 3329, the NTT, sampling and byte/compression codecs.
 *
 * Internal to crypto/mlkem.c. Every coefficient is kept fully reduced in
 * [0, q). Nothing here branches on or indexes by coefficient values, except
 * mlkem_poly_sample_ntt, which only ever sees the public seed rho. */
#ifndef CKMS_CRYPTO_MLKEM_POLY_H
#define CKMS_CRYPTO_MLKEM_POLY_H

#include <stdint.h>

#define MLKEM_N 256
#define MLKEM_Q 3329
#define MLKEM_POLY_BYTES 384 /* ByteEncode_12 of one polynomial */

struct mlkem_poly {
    uint16_t c[MLKEM_N];
};

/* f = NTT(f) (Algorithm 9); f = NTT^-1(f) (Algorithm 10). */
void mlkem_poly_ntt(struct mlkem_poly *f);
void mlkem_poly_invntt(struct mlkem_poly *f);

/* r += a x b in the NTT domain (MultiplyNTTs, Algorithm 11). */
void mlkem_poly_basemul_acc(struct mlkem_poly *r, const struct mlkem_poly *a,
                            const struct mlkem_poly *b);
/* r = a + b; r = a - b. */
void mlkem_poly_add(struct mlkem_poly *r, const struct mlkem_poly *a, const struct mlkem_poly *b);
void mlkem_poly_sub(struct mlkem_poly *r, const struct mlkem_poly *a, const struct mlkem_poly *b);

/* SampleNTT(rho || j || i) (Algorithm 7): the matrix entry A_hat[i][j]. */
void mlkem_poly_sample_ntt(struct mlkem_poly *f, const uint8_t rho[32], uint8_t j, uint8_t i);

/* SamplePolyCBD_eta(PRF_eta(seed, nonce)) (Algorithms 8 and §4.1), eta 2 or 3. */
void mlkem_poly_sample_cbd(struct mlkem_poly *f, const uint8_t seed[32], uint8_t nonce,
                           unsigned eta);

/* ByteEncode_d / ByteDecode_d (Algorithms 5 and 6), 1 <= d <= 12; writes or
 * reads 32 * d bytes. Decoding with d = 12 reduces modulo q, as the standard
 * says; below 12 the values are taken modulo 2^d. */
void mlkem_poly_encode(uint8_t *out, const struct mlkem_poly *f, unsigned d);
void mlkem_poly_decode(struct mlkem_poly *f, const uint8_t *in, unsigned d);

/* 1 if every 12-bit value packed in in[0..383] is below q, else 0 (the
 * encapsulation-key modulus check, per polynomial). */
int mlkem_poly_check12(const uint8_t in[MLKEM_POLY_BYTES]);

/* f = Compress_d(f); f = Decompress_d(f) (§4.2.1), 1 <= d <= 11. */
void mlkem_poly_compress(struct mlkem_poly *f, unsigned d);
void mlkem_poly_decompress(struct mlkem_poly *f, unsigned d);

#endif
