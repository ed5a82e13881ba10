/* Bootstrapping keys: n GGSW ciphertexts, GGSW i encrypting bit i of the
 * small LWE key under the GLWE key. Generated in the standard domain (the
 * form seeded keys are stored in), then converted to the Fourier domain the
 * blind rotation multiplies in. */
#ifndef CKMS_TFHE_BSK_H
#define CKMS_TFHE_BSK_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "tfhe/enc_rng.h"
#include "tfhe/fft.h"

struct bsk_shape {
    size_t lwe_dimension; /* n: GGSW count */
    unsigned glwe_dimension;
    size_t polynomial_size;
    unsigned base_log, level;
};

static inline size_t bsk_polys(const struct bsk_shape *s)
{
    size_t rows = (size_t)s->glwe_dimension + 1;
    return s->lwe_dimension * s->level * rows * rows;
}

/* Standard-domain key: bsk_polys(s) * N words. One fork per GGSW. */
int bsk_generate(uint64_t *bsk, const struct bsk_shape *s, const uint64_t *lwe_sk,
                 const uint64_t *glwe_sk, unsigned noise_log2, struct enc_rng *rng) KMS_MUST_CHECK;

/* The same key in the Fourier domain (each polynomial as N doubles in FFT
 * plan order, values read as torus elements). */
struct fourier_bsk {
    struct bsk_shape shape;
    const struct fft_plan *plan;
    double *data; /* bsk_polys * N doubles, 64-byte aligned */
};

int fourier_bsk_from_std(struct fourier_bsk *out, const struct bsk_shape *s, const uint64_t *bsk)
    KMS_MUST_CHECK;
void fourier_bsk_free(struct fourier_bsk *f);

/* The Fourier polynomial for GGSW i, level index t (finest first), row r,
 * column c. */
static inline const double *fourier_bsk_poly(const struct fourier_bsk *f, size_t i, unsigned t,
                                             unsigned r, unsigned c)
{
    size_t rows = (size_t)f->shape.glwe_dimension + 1, N = f->shape.polynomial_size;
    size_t idx = ((i * f->shape.level + t) * rows + r) * rows + c;
    return f->data + idx * N;
}

#endif
