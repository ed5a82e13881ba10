/* The unsigncrypt side of user decryption, which parses what a server (or
 * anyone on the path) sends: the HybridKemCt framing, the decrypted
 * msg ‖ sig ‖ digest trailer, the SigncryptionPayload and the bincode
 * UserDecryptionResponsePayload. The first input byte picks how deep the
 * rest goes:
 *   0: a raw signcryption to open;
 *   1: the rest encrypted to the receiver, so the trailer checks run on it;
 *   2: the rest signcrypted properly by the server, so the payload parser
 *      runs behind a valid signature (and a generic open must round-trip);
 *   3: the rest as a response payload (decode, re-encode must be identical).
 * Nothing may crash, and a failed open must append nothing. */
#include <stdlib.h>
#include <string.h>

#include "crypto/dsep.h"
#include "crypto/ecdsa.h"
#include "crypto/mlkem_pke.h"
#include "crypto/signcrypt.h"
#include "service/user_decrypt_payload.h"

static uint8_t ek[MLKEM512_EK_BYTES], dk[MLKEM512_DK_BYTES];
static uint8_t server_sk[32], server_pk[ECDSA_PUBKEY_BYTES], addr[20];
static int have_keys;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void setup(void)
{
    uint8_t d[32] = {1}, z[32] = {2};
    memset(server_sk, 0x42, sizeof server_sk);
    memset(addr, 0x17, sizeof addr);
    if (mlkem512_keygen_derand(ek, dk, d, z) != 0 ||
        ecdsa_pubkey_from_seckey(server_pk, server_sk) != 0)
        abort();
    have_keys = 1;
}

/* Opens ct both ways; returns the generic open's result. */
static int open_all(const uint8_t *ct, size_t ct_len, struct buf *msg)
{
    static const uint8_t link[32];
    struct buf pt;
    int32_t type;
    buf_init_secret(&pt, 1 << 20);
    int rc = signcrypt_user_decrypt_open(&pt, &type, ct, ct_len, link, sizeof link, dk, addr,
                                         server_pk, sizeof server_pk);
    if (rc != 0 && (pt.len != 0 || type != 0))
        abort();
    buf_free(&pt);
    rc = signcrypt_open(msg, DSEP_USER_DEC, ct, ct_len, dk, addr, server_pk, sizeof server_pk);
    if (rc != 0 && msg->len != 0)
        abort();
    return rc;
}

static void payload_roundtrip(const uint8_t *in, size_t n)
{
    struct udp_payload p;
    struct udp_ct cts[16];
    if (udp_payload_decode(&p, cts, 16, in, n) != 0)
        return;
    struct buf b;
    buf_init(&b, 1 << 20);
    udp_payload_encode(&b, &p);
    if (buf_status(&b) != 0 || b.len != n || memcmp(b.data, in, n) != 0)
        abort();
    buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!have_keys)
        setup();
    if (size == 0)
        return 0;
    const uint8_t *rest = data + 1;
    size_t n = size - 1;
    uint8_t m[32] = {3}, nonce[12] = {4};
    struct buf ct, msg;
    buf_init(&ct, 1 << 20);
    buf_init_secret(&msg, 1 << 20);
    switch (data[0] & 3) {
    case 0:
        (void)open_all(rest, n, &msg);
        break;
    case 1:
        if (mlkem_pke_encrypt_derand(&ct, ek, rest, n, m, nonce) != 0)
            abort();
        (void)open_all(ct.data, ct.len, &msg);
        break;
    case 2:
        if (signcrypt_seal_derand(&ct, DSEP_USER_DEC, rest, n, ek, addr, server_sk, m, nonce) != 0)
            abort();
        if (open_all(ct.data, ct.len, &msg) != 0 || msg.len != n ||
            (n != 0 && memcmp(msg.data, rest, n) != 0))
            abort();
        break;
    default:
        payload_roundtrip(rest, n);
        break;
    }
    buf_free(&ct);
    buf_free(&msg);
    return 0;
}
