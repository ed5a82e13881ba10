/* ML-KEM-512 from FIPS 203: K-PKE (§5) and the KEM around it (§6, §7).
 * Parameters (Table 2): k = 2, eta1 = 3, eta2 = 2, du = 10, dv = 4. */
#include "crypto/mlkem.h"

#include <string.h>

#include "base/secmem.h"
#include "crypto/entropy.h"
#include "crypto/keccak.h"
#include "crypto/mlkem_poly.h"

#define K 2
#define ETA1 3
#define ETA2 2
#define DU 10
#define DV 4

#define PKE_BYTES (K * MLKEM_POLY_BYTES) /* dk_pke, and t_hat in ek */
#define CT_U_BYTES (K * 32 * DU)
/* offsets in dk = dk_pke || ek || H(ek) || z */
#define DK_EK PKE_BYTES
#define DK_H (DK_EK + MLKEM512_EK_BYTES)
#define DK_Z (DK_H + 32)

_Static_assert(PKE_BYTES + 32 == MLKEM512_EK_BYTES, "ek size");
_Static_assert(DK_Z + 32 == MLKEM512_DK_BYTES, "dk size");
_Static_assert(CT_U_BYTES + 32 * DV == MLKEM512_CT_BYTES, "ct size");

typedef struct mlkem_poly poly;

/* A_hat[i][j] = SampleNTT(rho || j || i), or its transpose. */
static void gen_matrix(poly a[K][K], const uint8_t rho[32], int transposed)
{
    for (uint8_t i = 0; i < K; i++)
        for (uint8_t j = 0; j < K; j++) {
            if (transposed)
                mlkem_poly_sample_ntt(&a[i][j], rho, i, j);
            else
                mlkem_poly_sample_ntt(&a[i][j], rho, j, i);
        }
}

/* K-PKE.KeyGen (Algorithm 13): ek_pke = t_hat || rho, dk_pke = s_hat. */
static void pke_keygen(uint8_t ek[MLKEM512_EK_BYTES], uint8_t dk_pke[PKE_BYTES],
                       const uint8_t d[32])
{
    uint8_t in[33], seeds[64]; /* (rho, sigma) = G(d || k) */
    poly a[K][K], s[K], e[K], t;

    memcpy(in, d, 32);
    in[32] = K;
    sha3_512(seeds, in, sizeof in);
    const uint8_t *rho = seeds, *sigma = seeds + 32;

    gen_matrix(a, rho, 0);
    for (uint8_t i = 0; i < K; i++) {
        mlkem_poly_sample_cbd(&s[i], sigma, i, ETA1);
        mlkem_poly_sample_cbd(&e[i], sigma, K + i, ETA1);
    }
    for (int i = 0; i < K; i++) {
        mlkem_poly_ntt(&s[i]);
        mlkem_poly_ntt(&e[i]);
    }
    for (int i = 0; i < K; i++) {
        t = e[i];
        for (int j = 0; j < K; j++)
            mlkem_poly_basemul_acc(&t, &a[i][j], &s[j]);
        mlkem_poly_encode(ek + i * MLKEM_POLY_BYTES, &t, 12);
        mlkem_poly_encode(dk_pke + i * MLKEM_POLY_BYTES, &s[i], 12);
    }
    memcpy(ek + PKE_BYTES, rho, 32);

    secmem_wipe(in, sizeof in);
    secmem_wipe(seeds, sizeof seeds);
    secmem_wipe(s, sizeof s);
    secmem_wipe(e, sizeof e);
    secmem_wipe(&t, sizeof t);
}

/* K-PKE.Encrypt (Algorithm 14) with randomness r. The t_hat coefficients
 * are decoded modulo q, so an ek that skipped the modulus check (the copy
 * inside a dk) is read as the standard reads it. */
static void pke_encrypt(uint8_t ct[MLKEM512_CT_BYTES], const uint8_t ek[MLKEM512_EK_BYTES],
                        const uint8_t m[32], const uint8_t r[32])
{
    poly at[K][K], t[K], y[K], e1[K], e2, u, v, mu;

    for (int i = 0; i < K; i++)
        mlkem_poly_decode(&t[i], ek + i * MLKEM_POLY_BYTES, 12);
    gen_matrix(at, ek + PKE_BYTES, 1);
    for (uint8_t i = 0; i < K; i++) {
        mlkem_poly_sample_cbd(&y[i], r, i, ETA1);
        mlkem_poly_sample_cbd(&e1[i], r, K + i, ETA2);
    }
    mlkem_poly_sample_cbd(&e2, r, 2 * K, ETA2);
    for (int i = 0; i < K; i++)
        mlkem_poly_ntt(&y[i]);

    for (int i = 0; i < K; i++) {
        memset(&u, 0, sizeof u);
        for (int j = 0; j < K; j++)
            mlkem_poly_basemul_acc(&u, &at[i][j], &y[j]);
        mlkem_poly_invntt(&u);
        mlkem_poly_add(&u, &u, &e1[i]);
        mlkem_poly_compress(&u, DU);
        mlkem_poly_encode(ct + i * 32 * DU, &u, DU);
    }

    memset(&v, 0, sizeof v);
    for (int j = 0; j < K; j++)
        mlkem_poly_basemul_acc(&v, &t[j], &y[j]);
    mlkem_poly_invntt(&v);
    mlkem_poly_decode(&mu, m, 1);
    mlkem_poly_decompress(&mu, 1);
    mlkem_poly_add(&v, &v, &e2);
    mlkem_poly_add(&v, &v, &mu);
    mlkem_poly_compress(&v, DV);
    mlkem_poly_encode(ct + CT_U_BYTES, &v, DV);

    secmem_wipe(y, sizeof y);
    secmem_wipe(e1, sizeof e1);
    secmem_wipe(&e2, sizeof e2);
    secmem_wipe(&u, sizeof u);
    secmem_wipe(&v, sizeof v);
    secmem_wipe(&mu, sizeof mu);
}

/* K-PKE.Decrypt (Algorithm 15): m = Compress_1(v - NTT^-1(s_hat . NTT(u))). */
static void pke_decrypt(uint8_t m[32], const uint8_t dk_pke[PKE_BYTES],
                        const uint8_t ct[MLKEM512_CT_BYTES])
{
    poly u, s, v, w;

    memset(&w, 0, sizeof w);
    for (int i = 0; i < K; i++) {
        mlkem_poly_decode(&u, ct + i * 32 * DU, DU);
        mlkem_poly_decompress(&u, DU);
        mlkem_poly_ntt(&u);
        mlkem_poly_decode(&s, dk_pke + i * MLKEM_POLY_BYTES, 12);
        mlkem_poly_basemul_acc(&w, &s, &u);
    }
    mlkem_poly_invntt(&w);
    mlkem_poly_decode(&v, ct + CT_U_BYTES, DV);
    mlkem_poly_decompress(&v, DV);
    mlkem_poly_sub(&w, &v, &w);
    mlkem_poly_compress(&w, 1);
    mlkem_poly_encode(m, &w, 1);

    secmem_wipe(&s, sizeof s);
    secmem_wipe(&w, sizeof w);
}

int mlkem512_check_ek(const uint8_t ek[MLKEM512_EK_BYTES])
{
    int ok = 1;
    for (int i = 0; i < K; i++)
        ok &= mlkem_poly_check12(ek + i * MLKEM_POLY_BYTES);
    if (!ok)
        return kms_err(KMS_EINVAL, "mlkem: encapsulation key coefficient not below q");
    return 0;
}

int mlkem512_check_dk(const uint8_t dk[MLKEM512_DK_BYTES])
{
    uint8_t h[32];
    sha3_256(h, dk + DK_EK, MLKEM512_EK_BYTES);
    if (!secmem_equal(h, dk + DK_H, sizeof h))
        return kms_err(KMS_EINVAL, "mlkem: decapsulation key hash check failed");
    return 0;
}

int mlkem512_keygen_derand(uint8_t ek[MLKEM512_EK_BYTES], uint8_t dk[MLKEM512_DK_BYTES],
                           const uint8_t d[32], const uint8_t z[32])
{
    pke_keygen(ek, dk, d);
    memcpy(dk + DK_EK, ek, MLKEM512_EK_BYTES);
    sha3_256(dk + DK_H, ek, MLKEM512_EK_BYTES);
    memcpy(dk + DK_Z, z, 32);
    return 0;
}

int mlkem512_keygen(uint8_t ek[MLKEM512_EK_BYTES], uint8_t dk[MLKEM512_DK_BYTES])
{
    uint8_t dz[64];
    int rc = entropy_fill(dz, sizeof dz);
    if (rc == 0)
        rc = mlkem512_keygen_derand(ek, dk, dz, dz + 32);
    if (rc < 0) {
        memset(ek, 0, MLKEM512_EK_BYTES);
        secmem_wipe(dk, MLKEM512_DK_BYTES);
    }
    secmem_wipe(dz, sizeof dz);
    return rc;
}

int mlkem512_encaps_derand(uint8_t ct[MLKEM512_CT_BYTES], uint8_t ss[MLKEM_SS_BYTES],
                           const uint8_t ek[MLKEM512_EK_BYTES], const uint8_t m[32])
{
    uint8_t mh[64], kr[64]; /* (K, r) = G(m || H(ek)) */
    int rc = mlkem512_check_ek(ek);
    if (rc < 0) {
        memset(ct, 0, MLKEM512_CT_BYTES);
        memset(ss, 0, MLKEM_SS_BYTES);
        return rc;
    }
    memcpy(mh, m, 32);
    sha3_256(mh + 32, ek, MLKEM512_EK_BYTES);
    sha3_512(kr, mh, sizeof mh);
    pke_encrypt(ct, ek, mh, kr + 32);
    memcpy(ss, kr, MLKEM_SS_BYTES);
    secmem_wipe(mh, sizeof mh);
    secmem_wipe(kr, sizeof kr);
    return 0;
}

int mlkem512_encaps(uint8_t ct[MLKEM512_CT_BYTES], uint8_t ss[MLKEM_SS_BYTES],
                    const uint8_t ek[MLKEM512_EK_BYTES])
{
    uint8_t m[32];
    int rc = entropy_fill(m, sizeof m);
    if (rc == 0)
        rc = mlkem512_encaps_derand(ct, ss, ek, m);
    if (rc < 0) {
        memset(ct, 0, MLKEM512_CT_BYTES);
        memset(ss, 0, MLKEM_SS_BYTES);
    }
    secmem_wipe(m, sizeof m);
    return rc;
}

/* ML-KEM.Decaps_internal (Algorithm 18). The re-encryption compare and the
 * choice between K' and K_bar are branch-free. */
int mlkem512_decaps(uint8_t ss[MLKEM_SS_BYTES], const uint8_t ct[MLKEM512_CT_BYTES],
                    const uint8_t dk[MLKEM512_DK_BYTES])
{
    uint8_t mh[64], kr[64], kbar[32], ct2[MLKEM512_CT_BYTES];
    struct keccak j;
    int rc = mlkem512_check_dk(dk);
    if (rc < 0) {
        memset(ss, 0, MLKEM_SS_BYTES);
        return rc;
    }
    pke_decrypt(mh, dk, ct);
    memcpy(mh + 32, dk + DK_H, 32);
    sha3_512(kr, mh, sizeof mh); /* (K', r') = G(m' || h) */

    keccak_init_shake256(&j); /* K_bar = J(z || c) */
    keccak_absorb(&j, dk + DK_Z, 32);
    keccak_absorb(&j, ct, MLKEM512_CT_BYTES);
    keccak_squeeze(&j, kbar, sizeof kbar);
    keccak_clear(&j);

    pke_encrypt(ct2, dk + DK_EK, mh, kr + 32);
    int same = secmem_equal(ct, ct2, MLKEM512_CT_BYTES);
    memcpy(ss, kr, MLKEM_SS_BYTES);
    secmem_cmov(ss, kbar, MLKEM_SS_BYTES, 1 - same);

    secmem_wipe(mh, sizeof mh);
    secmem_wipe(kr, sizeof kr);
    secmem_wipe(kbar, sizeof kbar);
    secmem_wipe(ct2, sizeof ct2);
    return 0;
}
