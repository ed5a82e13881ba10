/* Walking over a serialized tfhe-zk-pok 0.8.3 CompactPkeProof (tfhe/src/zk,
 * tfhe-zk-pok/src/{proofs/pke,proofs/pke_v2,serialization}.rs) to find where
 * it ends; nothing is verified. Curve points are BLS12-446:
 *   CompactPkeProof V2: 0 PkeV1(Proof V1 { c_hat: G2, c_y: G1, pi: G1,
 *         compute_load_proof_fields: Option<V0 { c_hat_t: G2, c_h: G1,
 *         pi_kzg: G1 }> })
 *     | 1 PkeV2(Proof V3 { C_hat_e: G2, C_e, C_r_tilde, C_R: G1, C_hat_bin: G2,
 *         C_y, C_h1, C_h2: G1, C_hat_t: G2, pi, pi_kzg: G1,
 *         compute_load_proof_fields: Option<V0 { C_hat_h3: G2, C_hat_w: G2 }>,
 *         hash_config: PkeV2SupportedHashConfig V0 (variant < 3) })
 *   G1, G2: SerializableAffine V0: 0 Infinity | 1 Compressed { x, take_largest_y:
 *         bool } | 2 Uncompressed { x, y }, coordinates Fp (G1) or Fp2 (G2)
 *   Fp2: SerializableQuadExtField V0 { c0: Fp, c1: Fp }
 *   Fp: SerializableFp V0 { val: Vec<u64> } of 7 limbs (446 bits). */
#include "base/bincode.h"
#include "tfhe/wire/wire_compact_list.h"

#define V_PKE_PROOF 2u
#define V_PROOF_V1 1u
#define V_PROOF_V2 3u
#define FP_LIMBS 7u

static int skip_fp(struct reader *r)
{
    uint64_t n;
    KMS_TRY(wire_get_version(r, "Fp", 0));
    if (reader_u64le(r, &n) < 0)
        return kms_err(KMS_ETRUNC, "proof: input ends early");
    if (n != FP_LIMBS)
        return kms_err(KMS_EINVAL, "proof: field element of %llu limbs (BLS12-446 has %u)",
                       (unsigned long long)n, FP_LIMBS);
    if (reader_skip(r, FP_LIMBS * 8) < 0)
        return kms_err(KMS_ETRUNC, "proof: input ends early");
    return 0;
}

static int skip_coord(struct reader *r, int g2)
{
    if (!g2)
        return skip_fp(r);
    KMS_TRY(wire_get_version(r, "Fp2", 0));
    KMS_TRY(skip_fp(r));
    return skip_fp(r);
}

static int skip_point(struct reader *r, int g2)
{
    uint32_t v;
    int largest;
    KMS_TRY(wire_get_version(r, "curve point", 0));
    KMS_TRY(wire_get_variant(r, "curve point", &v, 3));
    if (v == 0) /* infinity */
        return 0;
    KMS_TRY(skip_coord(r, g2));
    if (v == 1) {
        if (bincode_get_bool(r, &largest) < 0)
            return kms_err(KMS_EINVAL, "proof: bad take_largest_y");
        return 0;
    }
    return skip_coord(r, g2);
}

static int skip_points(struct reader *r, const char *kinds)
{
    for (; *kinds != 0; kinds++)
        KMS_TRY(skip_point(r, *kinds == '2'));
    return 0;
}

int wire_skip_pke_proof(struct reader *r)
{
    uint32_t v;
    int present;
    KMS_TRY(wire_get_version(r, "CompactPkeProof", V_PKE_PROOF));
    KMS_TRY(wire_get_variant(r, "CompactPkeProof", &v, 2));
    if (v == 0) {
        KMS_TRY(wire_get_version(r, "PkeV1 proof", V_PROOF_V1));
        KMS_TRY(skip_points(r, "211"));
        KMS_TRY(wire_get_option(r, "compute_load_proof_fields", &present));
        if (present) {
            KMS_TRY(wire_get_version(r, "compute_load_proof_fields", 0));
            KMS_TRY(skip_points(r, "211"));
        }
        return 0;
    }
    KMS_TRY(wire_get_version(r, "PkeV2 proof", V_PROOF_V2));
    KMS_TRY(skip_points(r, "21112111211"));
    KMS_TRY(wire_get_option(r, "compute_load_proof_fields", &present));
    if (present) {
        KMS_TRY(wire_get_version(r, "compute_load_proof_fields", 0));
        KMS_TRY(skip_points(r, "22"));
    }
    KMS_TRY(wire_get_version(r, "PkeV2SupportedHashConfig", 0));
    return wire_get_variant(r, "PkeV2SupportedHashConfig", &v, 3);
}
