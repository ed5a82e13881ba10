#include "tfhe/bsk.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "tfhe/glwe.h"

int bsk_generate(uint64_t *bsk, const struct bsk_shape *s, const uint64_t *lwe_sk,
                 const uint64_t *glwe_sk, unsigned noise_log2, struct enc_rng *rng)
{
    unsigned k = s->glwe_dimension;
    size_t N = s->polynomial_size, rows = (size_t)k + 1;
    size_t per_ggsw = ggsw_size(k, N, s->level);
    u128 mask_bytes = (u128)s->level * rows * k * N * 8;
    u128 noise_bytes = (u128)s->level * rows * enc_rng_noise_bytes(N, noise_log2);
    for (size_t i = 0; i < s->lwe_dimension; i++) {
        struct enc_rng g;
        KMS_TRY(enc_rng_fork(rng, &g, 1, mask_bytes, noise_bytes));
        KMS_TRY(ggsw_encrypt(bsk + i * per_ggsw, glwe_sk, k, N, s->base_log, s->level,
                             lwe_sk[i] & 1, noise_log2, &g));
    }
    return 0;
}

/* The Fourier key is streamed through once per bootstrap (60 MB for the
 * default set): on 2 MB pages the stream costs a TLB miss per 2 MB instead
 * of per 4 KB. Released with fft_buf_free (free), like fft_buf_alloc's. */
static double *key_alloc(size_t count)
{
#ifdef MADV_HUGEPAGE
    const size_t huge = (size_t)2 << 20;
    if (count <= (SIZE_MAX - huge) / sizeof(double) && count * sizeof(double) >= huge) {
        size_t bytes = (count * sizeof(double) + huge - 1) & ~(huge - 1);
        void *p = NULL;
        if (posix_memalign(&p, huge, bytes) != 0)
            return NULL;
        (void)madvise(p, bytes, MADV_HUGEPAGE); /* a hint: failure is harmless */
        memset(p, 0, bytes);
        return p;
    }
#endif
    return fft_buf_alloc(count);
}

int fourier_bsk_from_std(struct fourier_bsk *out, const struct bsk_shape *s, const uint64_t *bsk)
{
    out->shape = *s;
    out->data = NULL;
    KMS_TRY(fft_plan_get(&out->plan, s->polynomial_size));
    size_t polys = bsk_polys(s), N = s->polynomial_size;
    out->data = key_alloc(polys * N);
    if (out->data == NULL)
        return kms_err(KMS_ENOMEM, "out of memory for a %zu-polynomial Fourier key", polys);
    for (size_t p = 0; p < polys; p++)
        fft_forward_torus(out->plan, out->data + p * N, bsk + p * N);
    return 0;
}

void fourier_bsk_free(struct fourier_bsk *f)
{
    if (f == NULL)
        return;
    fft_buf_free(f->data);
    f->data = NULL;
}
