/* Oracle for tests/interop/test_eip712.js: secp256k1 keys, Ethereum
 * addresses and the KMS's EIP-712 signatures.
 *
 * A domain D is five arguments: <name hex> <version hex> <chain id hex, at
 * most 32 bytes big-endian> <contract 20 bytes> <salt 32 bytes or ->.
 * Byte strings are hex, "-" when empty; handle lists are the 32-byte words
 * concatenated.
 *
 *   address <sk>                          -> addr20 eip55 pubkey65
 *   checksum <addr20>                     -> eip55
 *   parse <string> any|checksummed        -> addr20
 *   recover <digest32> <sig65>            -> addr20 pubkey65
 *   sign_digest <sk> <digest32>           -> sig65
 *   sign_sha256 <sk> <msg>                -> sig64
 *   verify_sha256 <pk> <msg> <sig64>      -> ok (or err)
 *   domain_separator D                    -> hash32
 *   sign_public_decrypt <sk> D <handles> <result> <extra>
 *   sign_user_decrypt_response <sk> D <pubkey> <handles> <share> <extra>
 *   sign_keygen <sk> D <prep32> <key32> <digests> <extra>
 *       digests = concatenation of type(1) ‖ len(4, big-endian) ‖ bytes
 *   sign_crsgen <sk> D <crs32> <max bit length, decimal> <digest> <extra>
 *   sign_prep_keygen <sk> D <prep32> <extra>
 *   sign_linker <sk> D <pubkey> <handles> <user20>
 *       each sign_* -> struct_hash32 digest32 sig65 signer_addr20 */
#include <stdlib.h>
#include <string.h>

#include "base/secmem.h"
#include "crypto/ecdsa.h"
#include "crypto/eip712.h"
#include "crypto/ethaddr.h"
#include "crypto/kms_eip712.h"
#include "oracle_io.h"

/* Decoded hex arguments, freed together. */
struct hexargs {
    uint8_t *p[ORACLE_MAX_ARGS];
    size_t n[ORACLE_MAX_ARGS];
    int count;
};

static void hexargs_free(struct hexargs *h)
{
    for (int i = 0; i < h->count; i++)
        free(h->p[i]);
    h->count = 0;
}

static int hexargs_decode(struct hexargs *h, int argc, char **argv)
{
    h->count = 0;
    for (int i = 0; i < argc; i++) {
        int rc = oracle_hex_arg(argv[i], &h->p[i], &h->n[i]);
        if (rc < 0) {
            hexargs_free(h);
            return rc;
        }
        h->count = i + 1;
    }
    return 0;
}

static int need_len(const struct hexargs *h, int i, size_t n, const char *what)
{
    if (h->n[i] != n)
        return kms_err(KMS_EINVAL, "%s must be %zu bytes, got %zu", what, n, h->n[i]);
    return 0;
}

/* Arguments i..i+4 of h as a domain. */
static int domain_from(struct eip712_domain *d, const struct hexargs *h, int i, const char *salt)
{
    memset(d, 0, sizeof *d);
    d->fields = EIP712_DOMAIN_STANDARD;
    d->name = (const char *)h->p[i];
    d->name_len = h->n[i];
    d->version = (const char *)h->p[i + 1];
    d->version_len = h->n[i + 1];
    KMS_TRY(eip712_u256_from_be(d->chain_id, h->p[i + 2], h->n[i + 2]));
    KMS_TRY(need_len(h, i + 3, 20, "verifying contract"));
    memcpy(d->verifying_contract, h->p[i + 3], 20);
    if (strcmp(salt, "-") != 0) {
        KMS_TRY(need_len(h, i + 4, 32, "salt"));
        memcpy(d->salt, h->p[i + 4], 32);
        d->fields |= EIP712_DOMAIN_SALT;
    }
    return 0;
}

static int handle_count(const struct hexargs *h, int i, size_t *count)
{
    if (h->n[i] % 32 != 0)
        return kms_err(KMS_EINVAL, "handle list is not a multiple of 32 bytes");
    *count = h->n[i] / 32;
    return 0;
}

/* ---- plain key and address commands ---- */

static int cmd_address(struct buf *out, int argc, char **argv)
{
    (void)argc;
    uint8_t sk[32], pk[65], addr[20];
    char str[ETHADDR_STR_LEN + 1];
    int rc = oracle_hex_exact(argv[0], sk, 32);
    if (rc == 0)
        rc = ecdsa_pubkey_from_seckey(pk, sk);
    secmem_wipe(sk, sizeof sk);
    KMS_TRY(rc);
    KMS_TRY(ethaddr_from_pubkey(addr, pk, 65));
    ethaddr_to_string(str, addr);
    oracle_put_hex(out, addr, 20);
    oracle_put_text(out, str);
    oracle_put_hex(out, pk, 65);
    return 0;
}

static int cmd_checksum(struct buf *out, int argc, char **argv)
{
    (void)argc;
    uint8_t addr[20];
    char str[ETHADDR_STR_LEN + 1];
    KMS_TRY(oracle_hex_exact(argv[0], addr, 20));
    ethaddr_to_string(str, addr);
    oracle_put_text(out, str);
    return 0;
}

static int cmd_parse(struct buf *out, int argc, char **argv)
{
    (void)argc;
    uint8_t addr[20];
    enum ethaddr_mode mode;
    if (strcmp(argv[1], "any") == 0)
        mode = ETHADDR_ANY_CASE;
    else if (strcmp(argv[1], "checksummed") == 0)
        mode = ETHADDR_CHECKSUMMED;
    else
        return kms_err(KMS_EINVAL, "mode must be any or checksummed");
    KMS_TRY(ethaddr_parse(addr, argv[0], strlen(argv[0]), mode));
    oracle_put_hex(out, addr, 20);
    return 0;
}

static int cmd_recover(struct buf *out, int argc, char **argv)
{
    (void)argc;
    uint8_t digest[32], sig[65], pk[65], addr[20];
    KMS_TRY(oracle_hex_exact(argv[0], digest, 32));
    KMS_TRY(oracle_hex_exact(argv[1], sig, 65));
    KMS_TRY(ecdsa_recover(pk, digest, sig));
    KMS_TRY(ethaddr_from_pubkey(addr, pk, 65));
    oracle_put_hex(out, addr, 20);
    oracle_put_hex(out, pk, 65);
    return 0;
}

static int cmd_sign_digest(struct buf *out, int argc, char **argv)
{
    (void)argc;
    uint8_t sk[32], digest[32], sig[65];
    KMS_TRY(oracle_hex_exact(argv[1], digest, 32));
    int rc = oracle_hex_exact(argv[0], sk, 32);
    if (rc == 0)
        rc = ecdsa_sign_recoverable(sig, sk, digest);
    secmem_wipe(sk, sizeof sk);
    KMS_TRY(rc);
    oracle_put_hex(out, sig, 65);
    return 0;
}

static int cmd_sign_sha256(struct buf *out, int argc, char **argv)
{
    struct hexargs h;
    uint8_t sig[64];
    KMS_TRY(hexargs_decode(&h, argc, argv));
    int rc = need_len(&h, 0, 32, "secret key");
    if (rc == 0)
        rc = ecdsa_sign_sha256(sig, h.p[0], h.p[1], h.n[1]);
    secmem_wipe(h.p[0], h.n[0]);
    hexargs_free(&h);
    KMS_TRY(rc);
    oracle_put_hex(out, sig, 64);
    return 0;
}

static int cmd_verify_sha256(struct buf *out, int argc, char **argv)
{
    struct hexargs h;
    (void)out;
    KMS_TRY(hexargs_decode(&h, argc, argv));
    int rc = need_len(&h, 2, 64, "signature");
    if (rc == 0)
        rc = ecdsa_verify_sha256(h.p[0], h.n[0], h.p[1], h.n[1], h.p[2]);
    hexargs_free(&h);
    return rc;
}

static int cmd_domain_separator(struct buf *out, int argc, char **argv)
{
    struct hexargs h;
    struct eip712_domain d;
    uint8_t ds[32];
    KMS_TRY(hexargs_decode(&h, argc, argv));
    int rc = domain_from(&d, &h, 0, argv[4]);
    if (rc == 0)
        rc = eip712_domain_separator(ds, &d);
    hexargs_free(&h);
    KMS_TRY(rc);
    oracle_put_hex(out, ds, 32);
    return 0;
}

/* ---- KMS structs ---- */

/* Computes the struct hash of one KMS type from arguments 6.. of h. */
typedef int (*struct_fn)(uint8_t out[32], const struct hexargs *h, char **argv);

static int st_public_decrypt(uint8_t out[32], const struct hexargs *h, char **argv)
{
    size_t n = 0;
    (void)argv;
    KMS_TRY(handle_count(h, 6, &n));
    kms_eip712_public_decrypt(out, h->p[6], n, h->p[7], h->n[7], h->p[8], h->n[8]);
    return 0;
}

static int st_user_decrypt_response(uint8_t out[32], const struct hexargs *h, char **argv)
{
    size_t n = 0;
    (void)argv;
    KMS_TRY(handle_count(h, 7, &n));
    kms_eip712_user_decrypt_response(out, h->p[6], h->n[6], h->p[7], n, h->p[8], h->n[8], h->p[9],
                                     h->n[9]);
    return 0;
}

static int st_keygen(uint8_t out[32], const struct hexargs *h, char **argv)
{
    struct kms_eip712_key_digest kd[16];
    size_t n = 0, off = 0;
    const uint8_t *p = h->p[8];
    (void)argv;
    KMS_TRY(need_len(h, 6, 32, "preprocessing id"));
    KMS_TRY(need_len(h, 7, 32, "key id"));
    while (off < h->n[8]) {
        if (n == 16 || h->n[8] - off < 5)
            return kms_err(KMS_EINVAL, "bad key digest list");
        size_t len = (size_t)p[off + 1] << 24 | (size_t)p[off + 2] << 16 |
                     (size_t)p[off + 3] << 8 | p[off + 4];
        if (h->n[8] - off - 5 < len)
            return kms_err(KMS_EINVAL, "key digest list truncated");
        kd[n].key_type = p[off];
        kd[n].digest = p + off + 5;
        kd[n].digest_len = len;
        n++;
        off += 5 + len;
    }
    kms_eip712_keygen(out, h->p[6], h->p[7], kd, n, h->p[9], h->n[9]);
    return 0;
}

static int st_crsgen(uint8_t out[32], const struct hexargs *h, char **argv)
{
    char *end;
    KMS_TRY(need_len(h, 6, 32, "crs id"));
    unsigned long long bits = strtoull(argv[7], &end, 10);
    if (*end != '\0')
        return kms_err(KMS_EINVAL, "max bit length must be decimal");
    kms_eip712_crsgen(out, h->p[6], bits, h->p[8], h->n[8], h->p[9], h->n[9]);
    return 0;
}

static int st_prep_keygen(uint8_t out[32], const struct hexargs *h, char **argv)
{
    (void)argv;
    KMS_TRY(need_len(h, 6, 32, "preprocessing id"));
    kms_eip712_prep_keygen(out, h->p[6], h->p[7], h->n[7]);
    return 0;
}

static int st_linker(uint8_t out[32], const struct hexargs *h, char **argv)
{
    size_t n = 0;
    (void)argv;
    KMS_TRY(handle_count(h, 7, &n));
    KMS_TRY(need_len(h, 8, 20, "user address"));
    kms_eip712_user_decryption_linker(out, h->p[6], h->n[6], h->p[7], n, h->p[8]);
    return 0;
}

/* <sk> D <struct args...>: hashes, signs, and reports the signer. */
static int sign_struct(struct buf *out, int argc, char **argv, struct_fn fn)
{
    struct hexargs h;
    struct eip712_domain d;
    uint8_t sh[32], digest[32], sig[65], addr[20];
    /* the crsgen bit length is decimal, not hex: st_crsgen reads it from
     * argv, and the hex decoder sees an empty placeholder instead */
    char *args[ORACLE_MAX_ARGS];
    memcpy(args, argv, sizeof(char *) * (size_t)argc);
    if (fn == st_crsgen)
        args[7] = "-";
    KMS_TRY(hexargs_decode(&h, argc, args));
    int rc = need_len(&h, 0, 32, "secret key");
    if (rc == 0)
        rc = domain_from(&d, &h, 1, argv[5]);
    if (rc == 0)
        rc = fn(sh, &h, argv);
    if (rc == 0)
        rc = kms_eip712_sign(sig, digest, h.p[0], &d, sh);
    if (rc == 0)
        rc = ethaddr_from_seckey(addr, h.p[0]);
    secmem_wipe(h.p[0], h.n[0]);
    hexargs_free(&h);
    KMS_TRY(rc);
    oracle_put_hex(out, sh, 32);
    oracle_put_hex(out, digest, 32);
    oracle_put_hex(out, sig, 65);
    oracle_put_hex(out, addr, 20);
    return 0;
}

#define SIGN_CMD(name, fn)                                                     \
    static int name(struct buf *out, int argc, char **argv)                    \
    {                                                                          \
        return sign_struct(out, argc, argv, fn);                               \
    }

SIGN_CMD(cmd_sign_public_decrypt, st_public_decrypt)
SIGN_CMD(cmd_sign_user_decrypt_response, st_user_decrypt_response)
SIGN_CMD(cmd_sign_keygen, st_keygen)
SIGN_CMD(cmd_sign_crsgen, st_crsgen)
SIGN_CMD(cmd_sign_prep_keygen, st_prep_keygen)
SIGN_CMD(cmd_sign_linker, st_linker)

int main(void)
{
    static const struct oracle_cmd cmds[] = {
        {"address", 1, cmd_address},
        {"checksum", 1, cmd_checksum},
        {"parse", 2, cmd_parse},
        {"recover", 2, cmd_recover},
        {"sign_digest", 2, cmd_sign_digest},
        {"sign_sha256", 2, cmd_sign_sha256},
        {"verify_sha256", 3, cmd_verify_sha256},
        {"domain_separator", 5, cmd_domain_separator},
        {"sign_public_decrypt", 9, cmd_sign_public_decrypt},
        {"sign_user_decrypt_response", 10, cmd_sign_user_decrypt_response},
        {"sign_keygen", 10, cmd_sign_keygen},
        {"sign_crsgen", 10, cmd_sign_crsgen},
        {"sign_prep_keygen", 8, cmd_sign_prep_keygen},
        {"sign_linker", 9, cmd_sign_linker},
    };
    return oracle_main(cmds, sizeof cmds / sizeof cmds[0]);
}
