/* Interop oracle for centralized user decryption (src/service/user_decrypt_payload.h).
 *
 * A domain is five arguments: name (hex of UTF-8), version (hex), chain_id
 * (hex, big-endian), verifying_contract (EIP-55 string), salt (hex, "-" when
 * absent). A handle list is "-" (empty) or comma-separated items "h<hex>";
 * a plaintext list is comma-separated items "<fhe_type>:<little-endian hex>".
 *
 *   build <server_sk> <client_address> <enc_key> <domain×5> <handles> <pts> <extra>
 *       -> share (bincode payload) external_signature signature verification_key link
 *   resign <server_sk> <enc_key> <domain×5> <share> <extra>
 *       -> external_signature over an arbitrary (decodable) share
 *   open <enc_sk 1640> <client_address> <enc_key> <domain×5> <handles> <share>
 *        <external_signature> <extra> <server_address>
 *       -> one "<fhe_type>:<hex>" per plaintext
 *   link <client_address> <enc_key> <domain×5> <handles> -> link */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hex.h"
#include "base/secmem.h"
#include "crypto/ecdsa.h"
#include "crypto/ethaddr.h"
#include "crypto/mlkem_pke.h"
#include "oracle_io.h"
#include "service/user_decrypt_payload.h"

#define MAX_ITEMS 64

/* Everything parsed from the arguments; freed by args_free. */
struct args {
    uint8_t *bufs[8 + 2 * MAX_ITEMS];
    size_t n_bufs;
    struct udp_domain_msg dm;
    struct udp_bytes handles[MAX_ITEMS];
    size_t n_handles;
    struct udp_plaintext pts[MAX_ITEMS];
    size_t n_pts;
};

static void args_free(struct args *a)
{
    for (size_t i = 0; i < a->n_bufs; i++)
        free(a->bufs[i]);
}

static int hex_owned(struct args *a, const char *s, size_t len, const uint8_t **p, size_t *n)
{
    if (a->n_bufs == sizeof a->bufs / sizeof a->bufs[0])
        return kms_err(KMS_ELIMIT, "oracle: too many arguments");
    uint8_t *b = malloc(len / 2 + 1);
    if (b == NULL)
        return kms_err(KMS_ENOMEM, "oracle: out of memory");
    a->bufs[a->n_bufs++] = b;
    *p = b;
    return hex_decode(b, len / 2 + 1, n, s, len);
}

static int hex_arg(struct args *a, const char *arg, const uint8_t **p, size_t *n)
{
    return hex_owned(a, arg, strcmp(arg, "-") == 0 ? 0 : strlen(arg), p, n);
}

static int parse_domain(struct args *a, char **argv)
{
    const uint8_t *name, *version;
    KMS_TRY(hex_arg(a, argv[0], &name, &a->dm.name_len));
    KMS_TRY(hex_arg(a, argv[1], &version, &a->dm.version_len));
    a->dm.name = (const char *)name;
    a->dm.version = (const char *)version;
    KMS_TRY(hex_arg(a, argv[2], &a->dm.chain_id, &a->dm.chain_id_len));
    a->dm.verifying_contract = argv[3];
    a->dm.verifying_contract_len = strlen(argv[3]);
    a->dm.has_salt = strcmp(argv[4], "-") != 0;
    if (a->dm.has_salt)
        KMS_TRY(hex_arg(a, argv[4], &a->dm.salt, &a->dm.salt_len));
    return 0;
}

/* Walks a comma-separated list, calling item() on each [start, end). */
static int parse_list(struct args *a, const char *list,
                      int (*item)(struct args *, const char *, size_t))
{
    if (strcmp(list, "-") == 0)
        return 0;
    for (const char *s = list;;) {
        const char *e = strchr(s, ',');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        KMS_TRY(item(a, s, len));
        if (e == NULL)
            return 0;
        s = e + 1;
    }
}

static int handle_item(struct args *a, const char *s, size_t len)
{
    if (a->n_handles == MAX_ITEMS || len == 0 || s[0] != 'h')
        return kms_err(KMS_EINVAL, "oracle: bad handle item");
    struct udp_bytes *h = &a->handles[a->n_handles++];
    return hex_owned(a, s + 1, len - 1, &h->p, &h->len);
}

static int pt_item(struct args *a, const char *s, size_t len)
{
    const char *colon = memchr(s, ':', len);
    if (a->n_pts == MAX_ITEMS || colon == NULL)
        return kms_err(KMS_EINVAL, "oracle: bad plaintext item");
    struct udp_plaintext *p = &a->pts[a->n_pts++];
    p->fhe_type = (int32_t)strtol(s, NULL, 10);
    return hex_owned(a, colon + 1, len - (size_t)(colon + 1 - s), &p->bytes, &p->len);
}

static int check(struct udp_checked *chk, struct args *a, const char *client, const char *enc_key)
{
    struct udp_request req = {
        .client_address = client,
        .client_address_len = strlen(client),
        .domain = &a->dm,
        .handles = a->handles,
        .n_handles = a->n_handles,
    };
    KMS_TRY(hex_arg(a, enc_key, &req.enc_key, &req.enc_key_len));
    return udp_check_request(chk, &req);
}

static int run_build(struct buf *out, int argc, char **argv)
{
    (void)argc;
    struct args a = {0};
    struct udp_checked chk;
    struct udp_response resp = {0};
    uint8_t sk[32];
    const uint8_t *extra;
    size_t extra_len;
    int rc = oracle_hex_exact(argv[0], sk, sizeof sk);
    if (rc == 0)
        rc = parse_domain(&a, argv + 3);
    if (rc == 0)
        rc = parse_list(&a, argv[8], handle_item);
    if (rc == 0)
        rc = parse_list(&a, argv[9], pt_item);
    if (rc == 0)
        rc = hex_arg(&a, argv[10], &extra, &extra_len);
    if (rc == 0)
        rc = check(&chk, &a, argv[1], argv[2]);
    if (rc == 0)
        rc = udp_build_centralized(&resp, &chk, a.pts, a.n_pts, sk, extra, extra_len);
    if (rc == 0) {
        oracle_put_hex(out, resp.share, resp.share_len);
        oracle_put_hex(out, resp.external_signature, sizeof resp.external_signature);
        oracle_put_hex(out, resp.signature, sizeof resp.signature);
        oracle_put_hex(out, resp.verification_key, sizeof resp.verification_key);
        oracle_put_hex(out, resp.digest, sizeof resp.digest);
    }
    udp_response_free(&resp);
    args_free(&a);
    secmem_wipe(sk, sizeof sk);
    return rc;
}

static int decode_share(struct args *a, struct udp_payload *p, struct udp_ct *cts,
                        const char *arg)
{
    const uint8_t *share;
    size_t len;
    KMS_TRY(hex_arg(a, arg, &share, &len));
    return udp_payload_decode(p, cts, MAX_ITEMS, share, len);
}

static int run_resign(struct buf *out, int argc, char **argv)
{
    (void)argc;
    struct args a = {0};
    struct udp_payload p;
    struct udp_ct cts[MAX_ITEMS];
    struct eip712_domain d;
    uint8_t sk[32], ek[MLKEM512_EK_BYTES], h[32], sig[65];
    const uint8_t *enc_key, *extra;
    size_t enc_key_len, extra_len;
    int rc = oracle_hex_exact(argv[0], sk, sizeof sk);
    if (rc == 0)
        rc = hex_arg(&a, argv[1], &enc_key, &enc_key_len);
    if (rc == 0)
        rc = mlkem_pke_decode_pk(ek, enc_key, enc_key_len);
    if (rc == 0)
        rc = parse_domain(&a, argv + 2);
    if (rc == 0)
        rc = udp_domain_from_msg(&d, &a.dm);
    if (rc == 0)
        rc = decode_share(&a, &p, cts, argv[7]);
    if (rc == 0)
        rc = hex_arg(&a, argv[8], &extra, &extra_len);
    if (rc == 0)
        rc = udp_response_hash(h, &d, ek, &p, extra, extra_len);
    if (rc == 0)
        rc = ecdsa_sign_recoverable(sig, sk, h);
    if (rc == 0)
        oracle_put_hex(out, sig, sizeof sig);
    args_free(&a);
    secmem_wipe(sk, sizeof sk);
    return rc;
}

/* Appends " <fhe_type>:<hex>". */
static int put_typed(struct buf *out, int32_t fhe_type, const uint8_t *p, size_t n)
{
    size_t cap = 16 + 2 * n + 1;
    char *text = malloc(cap);
    if (text == NULL)
        return kms_err(KMS_ENOMEM, "oracle: out of memory");
    int k = snprintf(text, cap, "%d:", (int)fhe_type);
    int rc = hex_encode(text + k, cap - (size_t)k, p, n);
    if (rc == 0)
        oracle_put_text(out, text);
    free(text);
    return rc;
}

static int run_open(struct buf *out, int argc, char **argv)
{
    (void)argc;
    struct args a = {0};
    struct udp_checked chk;
    struct udp_payload p;
    struct udp_ct cts[MAX_ITEMS];
    struct udp_opened opened[MAX_ITEMS];
    uint8_t dk[MLKEM512_DK_BYTES], ext_sig[65], server[20];
    const uint8_t *sk_enc, *extra;
    size_t sk_enc_len, extra_len;
    struct buf pts;
    buf_init_secret(&pts, BUF_UNLIMITED);
    int rc = hex_arg(&a, argv[0], &sk_enc, &sk_enc_len);
    if (rc == 0)
        rc = mlkem_pke_decode_sk(dk, sk_enc, sk_enc_len);
    if (rc == 0)
        rc = parse_domain(&a, argv + 3);
    if (rc == 0)
        rc = parse_list(&a, argv[8], handle_item);
    if (rc == 0)
        rc = check(&chk, &a, argv[1], argv[2]);
    if (rc == 0)
        rc = decode_share(&a, &p, cts, argv[9]);
    if (rc == 0)
        rc = oracle_hex_exact(argv[10], ext_sig, sizeof ext_sig);
    if (rc == 0)
        rc = hex_arg(&a, argv[11], &extra, &extra_len);
    if (rc == 0)
        rc = ethaddr_parse(server, argv[12], strlen(argv[12]), ETHADDR_CHECKSUMMED);
    if (rc == 0)
        rc = udp_open_centralized(&pts, opened, MAX_ITEMS, &chk, &p, ext_sig, extra, extra_len,
                                  server, dk);
    for (size_t i = 0; rc == 0 && i < p.n_cts; i++)
        rc = put_typed(out, opened[i].fhe_type, pts.data + opened[i].off, opened[i].len);
    buf_free(&pts);
    args_free(&a);
    secmem_wipe(dk, sizeof dk);
    return rc;
}

static int run_link(struct buf *out, int argc, char **argv)
{
    (void)argc;
    struct args a = {0};
    struct udp_checked chk;
    int rc = parse_domain(&a, argv + 2);
    if (rc == 0)
        rc = parse_list(&a, argv[7], handle_item);
    if (rc == 0)
        rc = check(&chk, &a, argv[0], argv[1]);
    if (rc == 0)
        oracle_put_hex(out, chk.link, sizeof chk.link);
    args_free(&a);
    return rc;
}

int main(void)
{
    static const struct oracle_cmd cmds[] = {
        {"build", 11, run_build},
        {"resign", 9, run_resign},
        {"open", 13, run_open},
        {"link", 8, run_link},
    };
    return oracle_main(cmds, sizeof cmds / sizeof cmds[0]);
}
