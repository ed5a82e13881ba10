/* Interop oracle for ML-KEM-512.
 *   keygen <d> <z>    -> ek dk
 *   encaps <ek> <m>   -> ct ss
 *   decaps <dk> <ct>  -> ss
 *   check_ek <ek>     -> (nothing; err on a bad key) */
#include "crypto/mlkem.h"
#include "oracle_io.h"

static int run_keygen(struct buf *out, int argc, char **argv)
{
    (void)argc;
    uint8_t d[32], z[32], ek[MLKEM512_EK_BYTES], dk[MLKEM512_DK_BYTES];
    KMS_TRY(oracle_hex_exact(argv[0], d, sizeof d));
    KMS_TRY(oracle_hex_exact(argv[1], z, sizeof z));
    KMS_TRY(mlkem512_keygen_derand(ek, dk, d, z));
    oracle_put_hex(out, ek, sizeof ek);
    oracle_put_hex(out, dk, sizeof dk);
    return 0;
}

static int run_encaps(struct buf *out, int argc, char **argv)
{
    (void)argc;
    uint8_t ek[MLKEM512_EK_BYTES], m[32], ct[MLKEM512_CT_BYTES], ss[MLKEM_SS_BYTES];
    KMS_TRY(oracle_hex_exact(argv[0], ek, sizeof ek));
    KMS_TRY(oracle_hex_exact(argv[1], m, sizeof m));
    KMS_TRY(mlkem512_encaps_derand(ct, ss, ek, m));
    oracle_put_hex(out, ct, sizeof ct);
    oracle_put_hex(out, ss, sizeof ss);
    return 0;
}

static int run_decaps(struct buf *out, int argc, char **argv)
{
    (void)argc;
    uint8_t dk[MLKEM512_DK_BYTES], ct[MLKEM512_CT_BYTES], ss[MLKEM_SS_BYTES];
    KMS_TRY(oracle_hex_exact(argv[0], dk, sizeof dk));
    KMS_TRY(oracle_hex_exact(argv[1], ct, sizeof ct));
    KMS_TRY(mlkem512_decaps(ss, ct, dk));
    oracle_put_hex(out, ss, sizeof ss);
    return 0;
}

static int run_check_ek(struct buf *out, int argc, char **argv)
{
    (void)out;
    (void)argc;
    uint8_t ek[MLKEM512_EK_BYTES];
    KMS_TRY(oracle_hex_exact(argv[0], ek, sizeof ek));
    return mlkem512_check_ek(ek);
}

int main(void)
{
    static const struct oracle_cmd cmds[] = {
        {"keygen", 2, run_keygen},
        {"encaps", 2, run_encaps},
        {"decaps", 2, run_decaps},
        {"check_ek", 1, run_check_ek},
    };
    return oracle_main(cmds, sizeof cmds / sizeof cmds[0]);
}
