/* kms-client user-decrypt: the ciphertexts re-encrypted to this client.
 *
 * A fresh ML-KEM-512 key pair per run; enc_key is its 869-byte encoding
 * (mlkem_pke.h, what node-tkms sends). The answer is opened as node-tkms
 * 0.12.8 opens a centralized one (udp_open_centralized): the link, the
 * verification key and the EIP-712 UserDecryptResponseVerification
 * signature must all be the server's, then each signcryption is decrypted
 * and its inner signature checked. The deprecated payload signature
 * ECDSA-SHA256("USER_DEC" ‖ payload) is checked too. */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/secmem.h"
#include "client_common.h"
#include "client_cts.h"
#include "client_json.h"
#include "crypto/dsep.h"
#include "crypto/ecdsa.h"
#include "crypto/entropy.h"
#include "crypto/ethaddr.h"
#include "crypto/mlkem.h"
#include "crypto/mlkem_pke.h"
#include "kms_client.h"
#include "service/user_decrypt_payload.h"
#include "tfhe/radix.h"

enum { OPT_CLIENT_ADDRESS = CLIENT_DEC_OPT_FIRST_OWN };

struct ud_opts {
    struct client_dec_opts d;
    const char *client_address;
};

/* The client's ephemeral identity for one request. */
struct ud_keys {
    uint8_t ek[MLKEM512_EK_BYTES];
    uint8_t *dk; /* MLKEM512_DK_BYTES in secmem */
    struct buf enc_key;
    char address[ETHADDR_STR_LEN + 1];
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: kms-client user-decrypt --key-id ID --ct TYPE:FILE ... [options]\n"
            "\n"
            "Decrypts ciphertexts for this client only (UserDecrypt, then\n"
            "GetUserDecryptionResult): the server signcrypts each plaintext to a fresh\n"
            "ML-KEM-512 key of this run; the answer is opened and every signature checked.\n"
            "\n"
            "      --key-id ID               the key (its KeyGen request id)\n" CLIENT_CTS_HELP
            "      --client-address 0x..     the user's address (EIP-55; default: random)\n"
            "\n"
            "Prints one JSON line: {\"request_id\", \"key_id\", \"client_address\",\n"
            "\"plaintexts\": [{\"fhe_type\", \"value\", \"handle\"}], \"verified\", ...}.\n");
    client_usage_common(f, 1);
}

/* 0 go on, -1 --help done, else the exit status. */
static int parse(struct ud_opts *o, int argc, char **argv)
{
    static const struct option opts[] = {
        {"client-address", required_argument, NULL, OPT_CLIENT_ADDRESS},
        CLIENT_DEC_OPTIONS,
        CLIENT_COMMON_OPTIONS,
        {NULL, 0, NULL, 0}};
    int c, status;
    optind = 1;
    while ((c = client_dec_getopt(&o->d, &status, argc, argv, opts, usage)) != -1)
        if (c == OPT_CLIENT_ADDRESS)
            o->client_address = optarg;
    return status;
}

static void keys_free(struct ud_keys *k)
{
    secmem_free(k->dk);
    k->dk = NULL;
    buf_free(&k->enc_key);
}

static int keys_new(struct ud_keys *k, const char *client_address)
{
    memset(k, 0, sizeof *k);
    buf_init(&k->enc_key, MLKEM_PKE_PK_BYTES);
    k->dk = secmem_alloc(MLKEM512_DK_BYTES);
    if (k->dk == NULL)
        return kms_err(KMS_ENOMEM, "out of secure memory");
    KMS_TRY(mlkem512_keygen(k->ek, k->dk));
    mlkem_pke_encode_pk(&k->enc_key, k->ek);
    KMS_TRY(buf_status(&k->enc_key));
    uint8_t addr[20];
    if (client_address != NULL)
        KMS_TRY(ethaddr_parse(addr, client_address, strlen(client_address), ETHADDR_ANY_CASE));
    else
        KMS_TRY(entropy_fill(addr, sizeof addr));
    ethaddr_to_string(k->address, addr);
    return 0;
}

/* The request as user_decrypt_payload.h checks it, with its link. */
static int checked_request(struct udp_checked *out, struct udp_bytes *handles,
                           struct udp_domain_msg *dm, const struct ud_opts *o,
                           const struct ud_keys *k, const struct client_domain *dom)
{
    const Kms__V1__Eip712DomainMsg *m = &dom->msg;
    *dm = (struct udp_domain_msg){m->name, strlen(m->name), m->version, strlen(m->version),
                                  m->chain_id.data, m->chain_id.len, m->verifying_contract,
                                  strlen(m->verifying_contract),
                                  m->_salt_case == KMS__V1__EIP712_DOMAIN_MSG___SALT_SALT,
                                  dom->salt, 32};
    for (size_t i = 0; i < o->d.cts.n; i++)
        handles[i] = (struct udp_bytes){o->d.cts.ct[i].handle, o->d.cts.ct[i].handle_len};
    struct udp_request req = {k->address, strlen(k->address), k->enc_key.data, k->enc_key.len,
                              dm, handles, o->d.cts.n};
    return udp_check_request(out, &req);
}

/* The deprecated payload signature ECDSA-SHA256("USER_DEC" ‖ share). */
static int check_legacy(const Kms__V1__UserDecryptionResponse *r, const struct udp_payload *p)
{
    if (r->signature.len != UDP_SIG_BYTES)
        return kms_err(KMS_EVERIFY, "deprecated signature: %zu bytes", r->signature.len);
    if (p->verification_key_len != UDP_VERF_KEY_BYTES)
        return kms_err(KMS_EVERIFY, "verification key of %zu bytes", p->verification_key_len);
    struct buf msg;
    buf_init(&msg, BUF_UNLIMITED);
    buf_put(&msg, DSEP_USER_DEC, DSEP_BYTES);
    udp_payload_encode(&msg, p);
    int rc = buf_status(&msg);
    if (rc == 0 && ecdsa_verify_sha256(p->verification_key + 8, 33, msg.data, msg.len,
                                       r->signature.data) != 0)
        rc = kms_err(KMS_EVERIFY, "the deprecated payload signature does not verify");
    buf_free(&msg);
    return rc;
}

struct opened {
    struct buf pts; /* secret */
    struct udp_opened at[CLIENT_MAX_CTS];
};

static int open_response(struct opened *out, const struct ud_opts *o, const struct ud_keys *k,
                         const struct udp_checked *req, const Kms__V1__UserDecryptionResponse *r,
                         const uint8_t server_in[20])
{
    const Kms__V1__UserDecryptionResponsePayload *pm = r->payload;
    if (pm == NULL)
        return kms_err(KMS_EVERIFY, "the response has no payload");
    if (pm->n_signcrypted_ciphertexts != o->d.cts.n)
        return kms_err(KMS_EVERIFY, "%zu answers for %zu ciphertexts",
                       pm->n_signcrypted_ciphertexts, o->d.cts.n);
    if (r->external_signature.len != UDP_EXT_SIG_BYTES)
        return kms_err(KMS_EVERIFY, "external signature of %zu bytes", r->external_signature.len);
    static struct udp_ct cts[CLIENT_MAX_CTS];
    for (size_t i = 0; i < o->d.cts.n; i++) {
        const Kms__V1__TypedSigncryptedCiphertext *t = pm->signcrypted_ciphertexts[i];
        if (t->fhe_type != o->d.cts.ct[i].fhe_type)
            return kms_err(KMS_EVERIFY, "answer %zu has type %d", i, (int)t->fhe_type);
        cts[i] = (struct udp_ct){t->fhe_type, t->signcrypted_ciphertext.data,
                                 t->signcrypted_ciphertext.len, t->external_handle.data,
                                 t->external_handle.len, t->packing_factor};
    }
    struct udp_payload p = {pm->verification_key.data, pm->verification_key.len,
                            pm->digest.data, pm->digest.len, cts, o->d.cts.n,
                            pm->party_id, pm->degree};
    uint8_t server[20];
    if (o->d.c.no_verify)
        KMS_TRY(client_verf_key_address(server, p.verification_key, p.verification_key_len));
    else
        memcpy(server, server_in, 20);
    KMS_TRY(udp_open_centralized(&out->pts, out->at, CLIENT_MAX_CTS, req, &p,
                                 r->external_signature.data, r->extra_data.data,
                                 r->extra_data.len, server, k->dk));
    if (o->d.c.no_verify)
        return 0;
    KMS_TRY(client_check_typed_signatures(r->signatures, r->n_signatures,
                                          r->external_signature.data, r->external_signature.len));
    return check_legacy(r, &p);
}

static void print(const struct ud_opts *o, const struct ud_keys *k, const struct opened *op,
                  const char *id, const char *key_id, const uint8_t server[20])
{
    struct cjson j;
    cjson_begin(&j, stdout);
    cjson_str(&j, "request_id", id);
    cjson_str(&j, "key_id", key_id);
    cjson_str(&j, "client_address", k->address);
    cjson_array_begin(&j, "plaintexts");
    for (size_t i = 0; i < o->d.cts.n; i++)
        client_json_plaintext(&j, op->at[i].fhe_type, op->pts.data + op->at[i].off,
                              op->at[i].len, o->d.cts.ct[i].handle, o->d.cts.ct[i].handle_len);
    cjson_array_end(&j);
    client_json_verified(&j, &o->d.c, server);
    cjson_end(&j);
}

static int send_request(struct ud_opts *o, struct rpc_channel *ch,
                        const struct client_domain *dom, const struct ud_keys *k,
                        struct client_dec_ids *q)
{
    Kms__V1__UserDecryptionRequest req = KMS__V1__USER_DECRYPTION_REQUEST__INIT;
    req.request_id = &q->rid;
    req.n_typed_ciphertexts = o->d.cts.n;
    req.typed_ciphertexts = o->d.cts.ptr;
    req.key_id = &q->kid;
    req.client_address = (char *)k->address;
    req.enc_key.data = k->enc_key.data;
    req.enc_key.len = k->enc_key.len;
    req.domain = (Kms__V1__Eip712DomainMsg *)&dom->msg;
    req.extra_data.data = o->d.c.extra;
    req.extra_data.len = o->d.c.extra_len;
    req.n_signing_schemes = 1;
    req.signing_schemes = &q->scheme;
    ProtobufCMessage *resp;
    KMS_TRY(client_call(&o->d.c, ch, &resp, NULL, "UserDecrypt", &req.base));
    protobuf_c_message_free_unpacked(resp, NULL);
    return 0;
}

static int run(void *ctx, struct rpc_channel *ch, const struct client_domain *dom,
               const uint8_t server[20])
{
    struct ud_opts *o = ctx;
    struct client_dec_ids q;
    KMS_TRY(client_dec_ids(&q, &o->d));
    struct ud_keys k;
    static struct udp_bytes handles[CLIENT_MAX_CTS];
    struct udp_domain_msg dm;
    struct udp_checked req;
    int rc = keys_new(&k, o->client_address);
    if (rc == 0)
        rc = checked_request(&req, handles, &dm, o, &k, dom);
    if (rc == 0)
        rc = send_request(o, ch, dom, &k, &q);
    ProtobufCMessage *resp = NULL;
    if (rc == 0)
        rc = client_poll(&o->d.c, ch, &resp, "GetUserDecryptionResult", q.id);
    if (rc == 0) {
        static struct opened op;
        buf_init_secret(&op.pts, BUF_UNLIMITED);
        rc = open_response(&op, o, &k, &req, (Kms__V1__UserDecryptionResponse *)resp, server);
        if (rc == 0)
            print(o, &k, &op, q.id, q.key_id, server);
        buf_free(&op.pts);
        protobuf_c_message_free_unpacked(resp, NULL);
    }
    keys_free(&k);
    return rc;
}

int cmd_user_decrypt(int argc, char **argv)
{
    static struct ud_opts o; /* the ciphertext table is large */
    memset(&o, 0, sizeof o);
    client_dec_init(&o.d, "user-decrypt");
    return client_dec_run(&o.d, parse(&o, argc, argv), run, &o);
}
