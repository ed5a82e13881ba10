/* ckms-demo: a short walk through what ckms does today, printing each step.
 * It grows with the project; every step runs the real code paths. */
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/hex.h"
#include "base/secmem.h"
#include "crypto/ecdsa.h"
#include "crypto/eip712.h"
#include "crypto/ethaddr.h"
#include "crypto/kms_eip712.h"
#include "crypto/mlkem_pke.h"

static void print_hex(const char *label, const uint8_t *p, size_t n)
{
    char hex[2 * 96 + 1];
    size_t shown = n > 96 ? 96 : n;
    if (hex_encode(hex, sizeof hex, p, shown) == 0)
        printf("  %-22s %s%s\n", label, hex, shown < n ? "…" : "");
}

static int fail(const char *step)
{
    fprintf(stderr, "demo: %s failed: %s\n", step, kms_err_msg());
    return 1;
}

/* Step 1: a node identity, as kms-gen-keys will create it. */
static int node_identity(uint8_t sk[32], uint8_t addr[20])
{
    char text[ETHADDR_STR_LEN + 1];
    printf("1. Node signing identity (secp256k1)\n");
    if (ecdsa_seckey_generate(sk) != 0 || ethaddr_from_seckey(addr, sk) != 0)
        return fail("key generation");
    ethaddr_to_string(text, addr);
    printf("  %-22s %s (EIP-55)\n", "address", text);
    return 0;
}

/* Step 2: sign a public-decryption result the way the KMS does for fhevm. */
static int sign_public_decryption(const uint8_t sk[32], const uint8_t addr[20])
{
    printf("2. EIP-712 signature over PublicDecryptVerification\n");
    struct eip712_domain d = {.fields = EIP712_DOMAIN_STANDARD, .name = "Decryption",
                              .name_len = 10, .version = "1", .version_len = 1};
    eip712_u256_from_u64(d.chain_id, 54321);
    memset(d.verifying_contract, 0x42, sizeof d.verifying_contract);
    uint8_t handle[32], result[32] = {0}, sh[32], digest[32], sig[65], signer[20];
    memset(handle, 0xab, sizeof handle);
    result[31] = 42; /* abi.encode(uint256(42)) */
    kms_eip712_public_decrypt(sh, handle, 1, result, sizeof result, NULL, 0);
    if (kms_eip712_sign(sig, digest, sk, &d, sh) != 0)
        return fail("signing");
    print_hex("digest", digest, 32);
    print_hex("signature r||s||v", sig, 65);
    if (ethaddr_recover(signer, digest, sig) != 0 || !secmem_equal(signer, addr, 20))
        return fail("signer recovery");
    printf("  %-22s matches the node address\n", "recovered signer");
    return 0;
}

/* Step 3: the user-decryption envelope: ML-KEM-512 + AES-256-GCM. */
static int user_envelope(void)
{
    printf("3. User-decryption envelope (ML-KEM-512 + AES-256-GCM, node-tkms format)\n");
    uint8_t ek[MLKEM512_EK_BYTES], dk[MLKEM512_DK_BYTES];
    struct buf pk, ct, pt;
    buf_init(&pk, 4096);
    buf_init(&ct, 4096);
    buf_init_secret(&pt, 4096);
    int rc = mlkem512_keygen(ek, dk);
    if (rc == 0) {
        mlkem_pke_encode_pk(&pk, ek);
        rc = mlkem_pke_encrypt(&ct, ek, (const uint8_t *)"share for the user", 18);
    }
    if (rc == 0)
        rc = mlkem_pke_decrypt(&pt, dk, ct.data, ct.len);
    if (rc == 0) {
        printf("  %-22s %zu bytes\n", "user public key", pk.len);
        printf("  %-22s %zu bytes\n", "envelope", ct.len);
        printf("  %-22s \"%.*s\"\n", "opened by the user", (int)pt.len, (const char *)pt.data);
    }
    secmem_wipe(dk, sizeof dk);
    buf_free(&pk);
    buf_free(&ct);
    buf_free(&pt);
    return rc == 0 ? 0 : fail("envelope");
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        int help = strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0;
        fprintf(help ? stdout : stderr,
                "usage: ckms-demo\n\n"
                "Walks through the building blocks of ckms: a node signing identity,\n"
                "an EIP-712 signed decryption result, and the user-decryption envelope.\n");
        return help ? 0 : 2;
    }
    uint8_t sk[32], addr[20];
    int rc = node_identity(sk, addr);
    if (rc == 0)
        rc = sign_public_decryption(sk, addr);
    secmem_wipe(sk, sizeof sk);
    if (rc == 0)
        rc = user_envelope();
    if (rc == 0)
        printf("demo: all steps succeeded\n");
    return rc;
}
