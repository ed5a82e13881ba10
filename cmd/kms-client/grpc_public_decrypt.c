/* kms-client public-decrypt: PublicDecrypt + GetPublicDecryptionResult, with
 * every signature of the answer checked (pubdec.h describes them):
 *   external_signature  EIP-712 PublicDecryptVerification by the server;
 *   signatures[]        its ECDSA256K1 entry equals external_signature;
 *   verification_key    is the server's key;
 *   signature           (deprecated) ECDSA-SHA256("PUBL_DEC" ‖ payload). */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "client_common.h"
#include "client_cts.h"
#include "client_json.h"
#include "crypto/dsep.h"
#include "crypto/ecdsa.h"
#include "crypto/ethaddr.h"
#include "kms_client.h"
#include "service/pubdec.h"
#include "tfhe/radix.h"

enum { OPT_SYNC = CLIENT_DEC_OPT_FIRST_OWN };

struct pd_opts {
    struct client_dec_opts d;
    int sync;
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: kms-client public-decrypt --key-id ID --ct TYPE:FILE ... [options]\n"
            "\n"
            "Decrypts ciphertexts publicly (PublicDecrypt, then GetPublicDecryptionResult)\n"
            "and checks the server's signatures over the plaintexts.\n"
            "\n"
            "      --key-id ID               the key (its KeyGen request id)\n" CLIENT_CTS_HELP
            "      --sync                    one PublicDecryptSync call instead\n"
            "\n"
            "Prints one JSON line: {\"request_id\", \"key_id\", \"plaintexts\": [{\"fhe_type\",\n"
            "\"value\" (decimal), \"handle\"}], \"verified\", \"signer\", ...}.\n");
    client_usage_common(f, 1);
}

/* 0 go on, -1 --help done, else the exit status. */
static int parse(struct pd_opts *o, int argc, char **argv)
{
    static const struct option opts[] = {{"sync", no_argument, NULL, OPT_SYNC},
                                         CLIENT_DEC_OPTIONS,
                                         CLIENT_COMMON_OPTIONS,
                                         {NULL, 0, NULL, 0}};
    int c, status;
    optind = 1;
    while ((c = client_dec_getopt(&o->d, &status, argc, argv, opts, usage)) != -1)
        if (c == OPT_SYNC)
            o->sync = 1;
    return status;
}

/* The plaintexts must answer the ciphertexts one for one. */
static int check_shape(const struct client_cts *cts, const Kms__V1__PublicDecryptionResponse *r,
                       const char *id)
{
    const Kms__V1__PublicDecryptionResponsePayload *p = r->payload;
    if (p == NULL)
        return kms_err(KMS_EVERIFY, "the response has no payload");
    if (p->request_id != NULL && strcmp(p->request_id->request_id, id) != 0)
        return kms_err(KMS_EVERIFY, "the response is for request %s", p->request_id->request_id);
    if (p->n_plaintexts != cts->n)
        return kms_err(KMS_EVERIFY, "%zu plaintexts for %zu ciphertexts", p->n_plaintexts,
                       cts->n);
    for (size_t i = 0; i < cts->n; i++) {
        const struct radix_type *t;
        if (p->plaintexts[i]->fhe_type != cts->ct[i].fhe_type)
            return kms_err(KMS_EVERIFY, "plaintext %zu has type %d, asked %d", i,
                           (int)p->plaintexts[i]->fhe_type, (int)cts->ct[i].fhe_type);
        if (radix_type_lookup(&t, cts->ct[i].fhe_type) != 0 ||
            p->plaintexts[i]->bytes.len != radix_type_bytes(t))
            return kms_err(KMS_EVERIFY, "plaintext %zu has %zu bytes", i,
                           p->plaintexts[i]->bytes.len);
    }
    return 0;
}

/* The deprecated internal signature, over the payload as pubdec.h encodes it. */
static int check_legacy(const Kms__V1__PublicDecryptionResponse *r,
                        const struct typed_plaintext *pts, size_t n, const char *id)
{
    const Kms__V1__PublicDecryptionResponsePayload *p = r->payload;
    const uint8_t *vk = p->verification_key.data;
    size_t vk_len = p->verification_key.len;
    if (r->signature.len != PUBDEC_SIG_BYTES)
        return kms_err(KMS_EVERIFY, "deprecated signature: %zu bytes", r->signature.len);
    struct buf msg;
    buf_init(&msg, BUF_UNLIMITED);
    buf_put(&msg, DSEP_PUBL_DEC, DSEP_BYTES);
    pubdec_payload_encode(&msg, vk, vk_len, pts, n, p->request_id ? id : NULL);
    const uint8_t *pk = vk_len == 41 ? vk + 8 : vk;
    size_t pk_len = vk_len == 41 ? 33 : vk_len;
    int rc = buf_status(&msg);
    if (rc == 0 && ecdsa_verify_sha256(pk, pk_len, msg.data, msg.len, r->signature.data) != 0)
        rc = kms_err(KMS_EVERIFY, "the deprecated payload signature does not verify");
    buf_free(&msg);
    return rc;
}

static int verify(const struct pd_opts *o, const struct client_domain *dom,
                  const uint8_t server[20], const Kms__V1__PublicDecryptionResponse *r,
                  const char *id)
{
    const Kms__V1__PublicDecryptionResponsePayload *p = r->payload;
    size_t n = o->d.cts.n;
    struct typed_plaintext pts[CLIENT_MAX_CTS];
    struct udp_bytes handles[CLIENT_MAX_CTS];
    for (size_t i = 0; i < n; i++) {
        pts[i] = (struct typed_plaintext){p->plaintexts[i]->bytes.data,
                                          p->plaintexts[i]->bytes.len, p->plaintexts[i]->fhe_type};
        handles[i] = (struct udp_bytes){o->d.cts.ct[i].handle, o->d.cts.ct[i].handle_len};
    }
    uint8_t h[32], vk_addr[20];
    KMS_TRY(pubdec_struct_hash(h, handles, n, pts, n, r->extra_data.data, r->extra_data.len));
    if (r->extra_data.len != o->d.c.extra_len ||
        (o->d.c.extra_len > 0 && memcmp(r->extra_data.data, o->d.c.extra, o->d.c.extra_len) != 0))
        return kms_err(KMS_EVERIFY, "the response's extra_data differs from the request's");
    KMS_TRY(client_check_eip712(&dom->d, h, r->external_signature.data,
                                r->external_signature.len, server,
                                "PublicDecryptVerification signature"));
    KMS_TRY(client_check_typed_signatures(r->signatures, r->n_signatures,
                                          r->external_signature.data, r->external_signature.len));
    if (client_verf_key_address(vk_addr, p->verification_key.data, p->verification_key.len) != 0 ||
        memcmp(vk_addr, server, 20) != 0)
        return kms_err(KMS_EVERIFY, "the payload's verification key is not the server's");
    return check_legacy(r, pts, n, id);
}

static void print(const struct pd_opts *o, const Kms__V1__PublicDecryptionResponse *r,
                  const char *id, const char *key_id, const uint8_t server[20])
{
    struct cjson j;
    cjson_begin(&j, stdout);
    cjson_str(&j, "request_id", id);
    cjson_str(&j, "key_id", key_id);
    cjson_array_begin(&j, "plaintexts");
    for (size_t i = 0; i < o->d.cts.n; i++) {
        const Kms__V1__TypedPlaintext *pt = r->payload->plaintexts[i];
        client_json_plaintext(&j, pt->fhe_type, pt->bytes.data, pt->bytes.len,
                              o->d.cts.ct[i].handle, o->d.cts.ct[i].handle_len);
    }
    cjson_array_end(&j);
    cjson_hex(&j, "external_signature", r->external_signature.data, r->external_signature.len, 1);
    client_json_verified(&j, &o->d.c, server);
    cjson_end(&j);
}

static int run(void *ctx, struct rpc_channel *ch, const struct client_domain *dom,
               const uint8_t server[20])
{
    struct pd_opts *o = ctx;
    struct client_dec_ids q;
    KMS_TRY(client_dec_ids(&q, &o->d));
    const char *id = q.id;
    Kms__V1__PublicDecryptionRequest req = KMS__V1__PUBLIC_DECRYPTION_REQUEST__INIT;
    req.request_id = &q.rid;
    req.n_ciphertexts = o->d.cts.n;
    req.ciphertexts = o->d.cts.ptr;
    req.key_id = &q.kid;
    req.domain = (Kms__V1__Eip712DomainMsg *)&dom->msg;
    req.extra_data.data = o->d.c.extra;
    req.extra_data.len = o->d.c.extra_len;
    req.n_signing_schemes = 1;
    req.signing_schemes = &q.scheme;
    ProtobufCMessage *resp;
    if (o->sync) {
        KMS_TRY(client_call(&o->d.c, ch, &resp, NULL, "PublicDecryptSync", &req.base));
    } else {
        KMS_TRY(client_call(&o->d.c, ch, &resp, NULL, "PublicDecrypt", &req.base));
        protobuf_c_message_free_unpacked(resp, NULL);
        KMS_TRY(client_poll(&o->d.c, ch, &resp, "GetPublicDecryptionResult", id));
    }
    Kms__V1__PublicDecryptionResponse *r = (Kms__V1__PublicDecryptionResponse *)resp;
    int rc = check_shape(&o->d.cts, r, id);
    if (rc == 0 && !o->d.c.no_verify)
        rc = verify(o, dom, server, r, id);
    if (rc == 0)
        print(o, r, id, q.key_id, server);
    protobuf_c_message_free_unpacked(resp, NULL);
    return rc;
}

int cmd_public_decrypt(int argc, char **argv)
{
    static struct pd_opts o; /* the ciphertext table is large */
    memset(&o, 0, sizeof o);
    client_dec_init(&o.d, "public-decrypt");
    return client_dec_run(&o.d, parse(&o, argc, argv), run, &o);
}
