/* Interop oracle for the hybrid ML-KEM-512 + AES-256-GCM envelope.
 *   keygen <d32> <z32>                 -> pk (869-byte encoding) sk (1640-byte encoding)
 *   encrypt <pk> <msg> <m32> <nonce12> -> ciphertext (bincode HybridKemCt)
 *   encrypt_random <pk> <msg>          -> ciphertext
 *   decrypt <sk> <ct>                  -> msg */
#include <stdlib.h>

#include "base/secmem.h"
#include "crypto/mlkem_pke.h"
#include "oracle_io.h"

static int run_keygen(struct buf *out, int argc, char **argv)
{
    (void)argc;
    uint8_t d[32], z[32], ek[MLKEM512_EK_BYTES], dk[MLKEM512_DK_BYTES];
    KMS_TRY(oracle_hex_exact(argv[0], d, sizeof d));
    KMS_TRY(oracle_hex_exact(argv[1], z, sizeof z));
    KMS_TRY(mlkem512_keygen_derand(ek, dk, d, z));
    struct buf pk, sk;
    buf_init(&pk, 4096);
    buf_init_secret(&sk, 4096);
    mlkem_pke_encode_pk(&pk, ek);
    mlkem_pke_encode_sk(&sk, dk);
    int rc = buf_status(&pk) ? buf_status(&pk) : buf_status(&sk);
    if (rc == 0) {
        oracle_put_hex(out, pk.data, pk.len);
        oracle_put_hex(out, sk.data, sk.len);
    }
    buf_free(&pk);
    buf_free(&sk);
    secmem_wipe(dk, sizeof dk);
    return rc;
}

static int encrypt(struct buf *out, char **argv, int derand)
{
    uint8_t ek[MLKEM512_EK_BYTES], m[32], nonce[12], *pk, *msg;
    size_t pk_len, msg_len;
    KMS_TRY(oracle_hex_arg(argv[0], &pk, &pk_len));
    int rc = mlkem_pke_decode_pk(ek, pk, pk_len);
    free(pk);
    KMS_TRY(rc);
    KMS_TRY(oracle_hex_arg(argv[1], &msg, &msg_len));
    struct buf ct;
    buf_init(&ct, BUF_UNLIMITED);
    if (derand) {
        rc = oracle_hex_exact(argv[2], m, sizeof m);
        if (rc == 0)
            rc = oracle_hex_exact(argv[3], nonce, sizeof nonce);
        if (rc == 0)
            rc = mlkem_pke_encrypt_derand(&ct, ek, msg, msg_len, m, nonce);
    } else {
        rc = mlkem_pke_encrypt(&ct, ek, msg, msg_len);
    }
    if (rc == 0)
        oracle_put_hex(out, ct.data, ct.len);
    buf_free(&ct);
    free(msg);
    return rc;
}

static int run_encrypt(struct buf *out, int argc, char **argv)
{
    (void)argc;
    return encrypt(out, argv, 1);
}

static int run_encrypt_random(struct buf *out, int argc, char **argv)
{
    (void)argc;
    return encrypt(out, argv, 0);
}

static int run_decrypt(struct buf *out, int argc, char **argv)
{
    (void)argc;
    uint8_t dk[MLKEM512_DK_BYTES], *sk, *ct;
    size_t sk_len, ct_len;
    KMS_TRY(oracle_hex_arg(argv[0], &sk, &sk_len));
    int rc = mlkem_pke_decode_sk(dk, sk, sk_len);
    free(sk);
    KMS_TRY(rc);
    KMS_TRY(oracle_hex_arg(argv[1], &ct, &ct_len));
    struct buf pt;
    buf_init_secret(&pt, BUF_UNLIMITED);
    rc = mlkem_pke_decrypt(&pt, dk, ct, ct_len);
    if (rc == 0)
        oracle_put_hex(out, pt.data, pt.len);
    buf_free(&pt);
    free(ct);
    secmem_wipe(dk, sizeof dk);
    return rc;
}

int main(void)
{
    static const struct oracle_cmd cmds[] = {
        {"keygen", 2, run_keygen},
        {"encrypt", 4, run_encrypt},
        {"encrypt_random", 2, run_encrypt_random},
        {"decrypt", 2, run_decrypt},
    };
    return oracle_main(cmds, sizeof cmds / sizeof cmds[0]);
}
