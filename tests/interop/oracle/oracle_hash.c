/* Interop oracle for the Keccak sponge.
 *   keccak256|sha3_256|sha3_512 <msg>          -> digest
 *   shake128|shake256 <msg> <len1> [<len2> ...] -> one output per squeeze,
 *       read in that many successive pieces of one stream */
#include <stdlib.h>

#include "crypto/keccak.h"
#include "oracle_io.h"

static int digest(struct buf *out, char *arg, void (*fn)(uint8_t *, const void *, size_t),
                  size_t n)
{
    uint8_t *msg, d[64];
    size_t len;
    KMS_TRY(oracle_hex_arg(arg, &msg, &len));
    fn(d, msg, len);
    free(msg);
    oracle_put_hex(out, d, n);
    return 0;
}

static int run_keccak256(struct buf *out, int argc, char **argv)
{
    (void)argc;
    return digest(out, argv[0], keccak256, 32);
}

static int run_sha3_256(struct buf *out, int argc, char **argv)
{
    (void)argc;
    return digest(out, argv[0], sha3_256, 32);
}

static int run_sha3_512(struct buf *out, int argc, char **argv)
{
    (void)argc;
    return digest(out, argv[0], sha3_512, 64);
}

static int xof(struct buf *out, int argc, char **argv, void (*init)(struct keccak *))
{
    uint8_t *msg;
    size_t len;
    if (argc < 2)
        return kms_err(KMS_EINVAL, "need a message and at least one length");
    KMS_TRY(oracle_hex_arg(argv[0], &msg, &len));
    struct keccak k;
    init(&k);
    /* absorb in two pieces so the incremental path is exercised too */
    keccak_absorb(&k, msg, len / 3);
    keccak_absorb(&k, msg + len / 3, len - len / 3);
    free(msg);
    for (int i = 1; i < argc; i++) {
        size_t n = strtoul(argv[i], NULL, 10);
        uint8_t *piece = malloc(n + 1);
        if (piece == NULL)
            return kms_err(KMS_ENOMEM, "out of memory");
        keccak_squeeze(&k, piece, n);
        oracle_put_hex(out, piece, n);
        free(piece);
    }
    return 0;
}

static int run_shake128(struct buf *out, int argc, char **argv)
{
    return xof(out, argc, argv, keccak_init_shake128);
}

static int run_shake256(struct buf *out, int argc, char **argv)
{
    return xof(out, argc, argv, keccak_init_shake256);
}

int main(void)
{
    static const struct oracle_cmd cmds[] = {
        {"keccak256", 1, run_keccak256}, {"sha3_256", 1, run_sha3_256},
        {"sha3_512", 1, run_sha3_512},   {"shake128", -1, run_shake128},
        {"shake256", -1, run_shake256},
    };
    return oracle_main(cmds, sizeof cmds / sizeof cmds[0]);
}
