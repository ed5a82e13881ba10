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

enum { OPT_KEY_ID = CLIENT_OPT_FIRST_OWN, OPT_CT, OPT_CT_HEX, OPT_FORMAT, OPT_SYNC };

struct pd_opts {
    struct client_opts c;
    struct client_cts cts;
    const char *key_id;
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

static int parse(struct pd_opts *o, int argc, char **argv)
{
    static const struct option opts[] = {{"key-id", required_argument, NULL, OPT_KEY_ID},
                                         {"ct", required_argument, NULL, OPT_CT},
                                         {"ct-hex", required_argument, NULL, OPT_CT_HEX},
                                         {"format", required_argument, NULL, OPT_FORMAT},
                                         {"sync", no_argument, NULL, OPT_SYNC},
                                         CLIENT_COMMON_OPTIONS,
                                         {NULL, 0, NULL, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int rc = 0;
        switch (c) {
        case 'h': usage(stdout); return -1;
        case OPT_KEY_ID: o->key_id = optarg; break;
        case OPT_CT: rc = client_cts_add_file(&o->cts, optarg); break;
        case OPT_CT_HEX: rc = client_cts_add_hex(&o->cts, optarg); break;
        case OPT_FORMAT: rc = client_cts_set_format(&o->cts, optarg); break;
        case OPT_SYNC: o->sync = 1; break;
        default: {
            int r = client_opt(&o->c, c, optarg);
            if (r == 1)
                break;
            if (r == 0)
                usage(stderr);
            return CLIENT_EXIT_USAGE;
        }
        }
        if (rc != 0)
            return client_usage_error(&o->c, "%s", kms_err_msg());
    }
    if (optind != argc)
        return client_usage_error(&o->c, "unexpected argument '%s'", argv[optind]);
    if (o->key_id == NULL)
        return client_usage_error(&o->c, "--key-id is required");
    {
        char canon[65];
        if (client_parse_id(canon, NULL, o->key_id) != 0)
            return client_usage_error(&o->c, "--key-id: %s", kms_err_msg());
    }
    if (client_cts_finish(&o->cts) != 0)
        return client_usage_error(&o->c, "%s", kms_err_msg());
    return 0;
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
    size_t n = o->cts.n;
    struct typed_plaintext pts[CLIENT_MAX_CTS];
    struct udp_bytes handles[CLIENT_MAX_CTS];
    for (size_t i = 0; i < n; i++) {
        pts[i] = (struct typed_plaintext){p->plaintexts[i]->bytes.data,
                                          p->plaintexts[i]->bytes.len, p->plaintexts[i]->fhe_type};
        handles[i] = (struct udp_bytes){o->cts.ct[i].handle, o->cts.ct[i].handle_len};
    }
    uint8_t h[32], vk_addr[20];
    KMS_TRY(pubdec_struct_hash(h, handles, n, pts, n, r->extra_data.data, r->extra_data.len));
    if (r->extra_data.len != o->c.extra_len ||
        (o->c.extra_len > 0 && memcmp(r->extra_data.data, o->c.extra, o->c.extra_len) != 0))
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
    for (size_t i = 0; i < o->cts.n; i++) {
        const Kms__V1__TypedPlaintext *pt = r->payload->plaintexts[i];
        char name[16], dec[3 * RADIX_MAX_BYTES + 2];
        client_value_decimal(dec, sizeof dec, pt->bytes.data, pt->bytes.len);
        cjson_object_begin(&j, NULL);
        cjson_str(&j, "fhe_type", client_fhe_type_name(pt->fhe_type, name));
        cjson_str(&j, "value", dec);
        cjson_hex(&j, "handle", o->cts.ct[i].handle, o->cts.ct[i].handle_len, 1);
        cjson_object_end(&j);
    }
    cjson_array_end(&j);
    cjson_hex(&j, "external_signature", r->external_signature.data, r->external_signature.len, 1);
    cjson_bool(&j, "verified", !o->c.no_verify);
    if (!o->c.no_verify) {
        char a[ETHADDR_STR_LEN + 1];
        ethaddr_to_string(a, server);
        cjson_str(&j, "signer", a);
    }
    cjson_end(&j);
}

static int run(struct pd_opts *o, struct rpc_channel *ch, const struct client_domain *dom,
               const uint8_t server[20])
{
    char id[65], key_id[65];
    KMS_TRY(client_request_id(&o->c, id));
    KMS_TRY(client_parse_id(key_id, NULL, o->key_id));
    Kms__V1__RequestId rid = KMS__V1__REQUEST_ID__INIT, kid = KMS__V1__REQUEST_ID__INIT;
    rid.request_id = id;
    kid.request_id = key_id;
    Kms__V1__SigningSchemeType scheme = KMS__V1__SIGNING_SCHEME_TYPE__ECDSA256K1;
    Kms__V1__PublicDecryptionRequest req = KMS__V1__PUBLIC_DECRYPTION_REQUEST__INIT;
    req.request_id = &rid;
    req.n_ciphertexts = o->cts.n;
    req.ciphertexts = o->cts.ptr;
    req.key_id = &kid;
    req.domain = (Kms__V1__Eip712DomainMsg *)&dom->msg;
    req.extra_data.data = o->c.extra;
    req.extra_data.len = o->c.extra_len;
    req.n_signing_schemes = 1;
    req.signing_schemes = &scheme;
    ProtobufCMessage *resp;
    if (o->sync) {
        KMS_TRY(client_call(&o->c, ch, &resp, NULL, "PublicDecryptSync", &req.base));
    } else {
        KMS_TRY(client_call(&o->c, ch, &resp, NULL, "PublicDecrypt", &req.base));
        protobuf_c_message_free_unpacked(resp, NULL);
        KMS_TRY(client_poll(&o->c, ch, &resp, "GetPublicDecryptionResult", id));
    }
    Kms__V1__PublicDecryptionResponse *r = (Kms__V1__PublicDecryptionResponse *)resp;
    int rc = check_shape(&o->cts, r, id);
    if (rc == 0 && !o->c.no_verify)
        rc = verify(o, dom, server, r, id);
    if (rc == 0)
        print(o, r, id, key_id, server);
    protobuf_c_message_free_unpacked(resp, NULL);
    return rc;
}

int cmd_public_decrypt(int argc, char **argv)
{
    static struct pd_opts o; /* the ciphertext table is large */
    memset(&o, 0, sizeof o);
    client_opts_init(&o.c, "public-decrypt");
    client_cts_init(&o.cts);
    int rc = parse(&o, argc, argv);
    struct client_domain dom;
    uint8_t server[20] = {0};
    if (rc == 0 && client_domain(&o.c, &dom) != 0)
        rc = client_usage_error(&o.c, "%s", kms_err_msg());
    if (rc == 0 && !o.c.no_verify && client_server_address(&o.c, server) != 0)
        rc = client_usage_error(&o.c, "%s", kms_err_msg());
    if (rc == 0) {
        struct rpc_channel *ch = NULL;
        rc = client_connect(&o.c, &ch);
        if (rc == 0)
            rc = run(&o, ch, &dom, server);
        rpc_channel_free(ch);
        rc = rc == 0 ? CLIENT_EXIT_OK : client_fail(&o.c, "public-decrypt");
    } else if (rc < 0) {
        rc = CLIENT_EXIT_OK;
    }
    client_cts_clear(&o.cts);
    client_opts_clear(&o.c);
    return rc;
}
