/* ckms-test-server: the gRPC layer behind a real port, for clients written
 * by others (tests/interop/test_grpc.js drives it with @grpc/grpc-js).
 *
 *   ckms-test-server [--max-recv BYTES]
 *
 * Listens on 127.0.0.1 (a free port), prints "port N" on stdout, and runs
 * until stdin reaches EOF or SIGTERM/SIGINT arrives; then it shuts down
 * gracefully and exits 0.
 *
 * Serves grpc.health.v1.Health, the toy ckms.test.v1.Echo service, and, to
 * check our .proto files against an independent protobuf implementation,
 * a few kms_service.v1.CoreServiceEndpoint and
 * metastore_status.v1.MetaStoreStatusService methods that answer with the
 * fields of the request moved into known places of the response (below).
 * Every other KMS method answers UNIMPLEMENTED. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/log.h"
#include "proto/kms-service.v1.pb-c.h"
#include "proto/metastore-status.v1.pb-c.h"
#include "rpc/health.h"
#include "rpc/server.h"
#include "testproto/ckms_test.pb-c.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static ProtobufCBinaryData str_bytes(const char *s)
{
    return (ProtobufCBinaryData){strlen(s), (uint8_t *)s};
}

static char *id_or_empty(const Kms__V1__RequestId *id)
{
    return id != NULL ? id->request_id : "";
}

/* --- ckms.test.v1.Echo --- */

static int on_echo(void *ctx, struct rpc_call *call, const ProtobufCMessage *req,
                   ProtobufCMessage *resp)
{
    (void)ctx;
    const Ckms__Test__V1__EchoRequest *in = (const void *)req;
    Ckms__Test__V1__EchoReply *out = (void *)resp;
    if (in->sleep_ms > 0)
        clock_sleep_ms(in->sleep_ms);
    if (in->fail_code > 0)
        return rpc_call_fail(call, in->fail_code, "%s", in->fail_message);
    out->text = in->text;
    out->blob = in->blob;
    const char *id = rpc_call_request_id(call);
    out->request_id = (char *)(id ? id : "");
    return 0;
}

/* --- kms_service.v1.CoreServiceEndpoint, wire checks --- */

/* payload.request_id = request_id; payload.plaintexts[i] = {ciphertexts[i].ciphertext,
 * fhe_type}; payload.verification_key = "name|version|verifying_contract";
 * signature = key_id as bytes; external_signature = domain.chain_id;
 * extra_data = extra_data; signatures[i] = {signing_schemes[i], salt or
 * "no-salt"}. Plus ciphertext_format and external_handle of each
 * ciphertext appended to its plaintext bytes as "|<format>|<handle hex>". */
static int on_public_decrypt_sync(void *ctx, struct rpc_call *call, const ProtobufCMessage *req,
                                  ProtobufCMessage *resp)
{
    (void)ctx;
    const Kms__V1__PublicDecryptionRequest *in = (const void *)req;
    Kms__V1__PublicDecryptionResponse *out = (void *)resp;
    Kms__V1__PublicDecryptionResponsePayload *p = rpc_call_alloc(call, sizeof *p);
    Kms__V1__TypedPlaintext **pts = rpc_call_alloc(call, (in->n_ciphertexts + 1) * sizeof *pts);
    Kms__V1__TypedSignature **sigs =
        rpc_call_alloc(call, (in->n_signing_schemes + 1) * sizeof *sigs);
    if (p == NULL || pts == NULL || sigs == NULL)
        return kms_err(KMS_ENOMEM, "out of memory");
    kms__v1__public_decryption_response_payload__init(p);
    for (size_t i = 0; i < in->n_ciphertexts; i++) {
        const Kms__V1__TypedCiphertext *ct = in->ciphertexts[i];
        pts[i] = rpc_call_alloc(call, sizeof *pts[i]);
        size_t cap = ct->ciphertext.len + 16 + 2 * ct->external_handle.len;
        uint8_t *b = rpc_call_alloc(call, cap);
        if (pts[i] == NULL || b == NULL)
            return kms_err(KMS_ENOMEM, "out of memory");
        kms__v1__typed_plaintext__init(pts[i]);
        memcpy(b, ct->ciphertext.data, ct->ciphertext.len);
        size_t n = ct->ciphertext.len;
        n += (size_t)snprintf((char *)b + n, cap - n, "|%d|", (int)ct->ciphertext_format);
        for (size_t k = 0; k < ct->external_handle.len; k++)
            n += (size_t)snprintf((char *)b + n, cap - n, "%02x", ct->external_handle.data[k]);
        pts[i]->bytes = (ProtobufCBinaryData){n, b};
        pts[i]->fhe_type = ct->fhe_type;
    }
    p->n_plaintexts = in->n_ciphertexts;
    p->plaintexts = pts;
    p->request_id = in->request_id;
    const Kms__V1__Eip712DomainMsg *d = in->domain;
    if (d != NULL) {
        size_t cap = strlen(d->name) + strlen(d->version) + strlen(d->verifying_contract) + 3;
        char *vk = rpc_call_alloc(call, cap);
        if (vk == NULL)
            return kms_err(KMS_ENOMEM, "out of memory");
        snprintf(vk, cap, "%s|%s|%s", d->name, d->version, d->verifying_contract);
        p->verification_key = str_bytes(vk);
        out->external_signature = d->chain_id;
    }
    for (size_t i = 0; i < in->n_signing_schemes; i++) {
        sigs[i] = rpc_call_alloc(call, sizeof *sigs[i]);
        if (sigs[i] == NULL)
            return kms_err(KMS_ENOMEM, "out of memory");
        kms__v1__typed_signature__init(sigs[i]);
        sigs[i]->scheme = in->signing_schemes[i];
        int has_salt = d != NULL && d->_salt_case == KMS__V1__EIP712_DOMAIN_MSG___SALT_SALT;
        sigs[i]->signature = has_salt ? d->salt : str_bytes("no-salt");
    }
    out->n_signatures = in->n_signing_schemes;
    out->signatures = sigs;
    out->payload = p;
    out->signature = str_bytes(id_or_empty(in->key_id));
    out->extra_data = in->extra_data;
    return 0;
}

/* payload.signcrypted_ciphertexts[i] = {fhe_type, ciphertext, external_handle,
 * packing_factor = ciphertext_format}; payload.digest = enc_key;
 * payload.verification_key = client_address; party_id = 7, degree = 2;
 * signature = request_id; external_signature = context_id + "/" + epoch_id. */
static int on_user_decrypt_sync(void *ctx, struct rpc_call *call, const ProtobufCMessage *req,
                                ProtobufCMessage *resp)
{
    (void)ctx;
    const Kms__V1__UserDecryptionRequest *in = (const void *)req;
    Kms__V1__UserDecryptionResponse *out = (void *)resp;
    Kms__V1__UserDecryptionResponsePayload *p = rpc_call_alloc(call, sizeof *p);
    Kms__V1__TypedSigncryptedCiphertext **sc =
        rpc_call_alloc(call, (in->n_typed_ciphertexts + 1) * sizeof *sc);
    char *ce = rpc_call_alloc(call, strlen(id_or_empty(in->context_id)) +
                                        strlen(id_or_empty(in->epoch_id)) + 2);
    if (p == NULL || sc == NULL || ce == NULL)
        return kms_err(KMS_ENOMEM, "out of memory");
    kms__v1__user_decryption_response_payload__init(p);
    for (size_t i = 0; i < in->n_typed_ciphertexts; i++) {
        const Kms__V1__TypedCiphertext *ct = in->typed_ciphertexts[i];
        sc[i] = rpc_call_alloc(call, sizeof *sc[i]);
        if (sc[i] == NULL)
            return kms_err(KMS_ENOMEM, "out of memory");
        kms__v1__typed_signcrypted_ciphertext__init(sc[i]);
        sc[i]->fhe_type = ct->fhe_type;
        sc[i]->signcrypted_ciphertext = ct->ciphertext;
        sc[i]->external_handle = ct->external_handle;
        sc[i]->packing_factor = (uint32_t)ct->ciphertext_format;
    }
    p->n_signcrypted_ciphertexts = in->n_typed_ciphertexts;
    p->signcrypted_ciphertexts = sc;
    p->digest = in->enc_key;
    p->verification_key = str_bytes(in->client_address);
    p->party_id = 7;
    p->degree = 2;
    out->payload = p;
    out->signature = str_bytes(id_or_empty(in->request_id));
    strcpy(ce, id_or_empty(in->context_id));
    strcat(ce, "/");
    strcat(ce, id_or_empty(in->epoch_id));
    out->external_signature = str_bytes(ce);
    out->extra_data = in->extra_data;
    return 0;
}

/* Reports what arrived in the proto3 `optional` fields, as the status message. */
static int on_key_gen(void *ctx, struct rpc_call *call, const ProtobufCMessage *req,
                      ProtobufCMessage *resp)
{
    (void)ctx;
    (void)resp;
    const Kms__V1__KeyGenRequest *in = (const void *)req;
    if (in->_params_case != KMS__V1__KEY_GEN_REQUEST___PARAMS_PARAMS)
        return rpc_call_fail(call, RPC_FAILED_PRECONDITION, "params=absent preproc=%s",
                             id_or_empty(in->preproc_id));
    return rpc_call_fail(call, RPC_FAILED_PRECONDITION, "params=%d preproc=%s", (int)in->params,
                         id_or_empty(in->preproc_id));
}

static int on_crs_gen(void *ctx, struct rpc_call *call, const ProtobufCMessage *req,
                      ProtobufCMessage *resp)
{
    (void)ctx;
    (void)resp;
    const Kms__V1__CrsGenRequest *in = (const void *)req;
    if (in->_max_num_bits_case != KMS__V1__CRS_GEN_REQUEST___MAX_NUM_BITS_MAX_NUM_BITS)
        return rpc_call_fail(call, RPC_FAILED_PRECONDITION, "max_num_bits=absent params=%d",
                             (int)in->params);
    return rpc_call_fail(call, RPC_FAILED_PRECONDITION, "max_num_bits=%u params=%d",
                         in->max_num_bits, (int)in->params);
}

/* A fixed KeyGenResult for the asked id. */
struct key_gen_parts {
    Kms__V1__RequestId pp;
    Kms__V1__KeyDigest k1, k2;
    Kms__V1__KeyDigest *digests[2];
    Kms__V1__TypedSignature sig;
    Kms__V1__TypedSignature *sigs[1];
};

static int on_get_key_gen_result(void *ctx, struct rpc_call *call, const ProtobufCMessage *req,
                                 ProtobufCMessage *resp)
{
    (void)ctx;
    static const uint8_t d1[32] = {1, 2, 3}, d2[32] = {4, 5, 6};
    struct key_gen_parts *k = rpc_call_alloc(call, sizeof *k);
    if (k == NULL)
        return kms_err(KMS_ENOMEM, "out of memory");
    kms__v1__request_id__init(&k->pp);
    k->pp.request_id = "00000000000000000000000000000000000000000000000000000000000000aa";
    kms__v1__key_digest__init(&k->k1);
    k->k1.key_type = "PublicKey";
    k->k1.digest = (ProtobufCBinaryData){32, (uint8_t *)d1};
    kms__v1__key_digest__init(&k->k2);
    k->k2.key_type = "ServerKey";
    k->k2.digest = (ProtobufCBinaryData){32, (uint8_t *)d2};
    k->digests[0] = &k->k1;
    k->digests[1] = &k->k2;
    kms__v1__typed_signature__init(&k->sig);
    k->sig.scheme = KMS__V1__SIGNING_SCHEME_TYPE__ECDSA256K1;
    k->sig.signature = str_bytes("sig");
    k->sigs[0] = &k->sig;
    Kms__V1__KeyGenResult *out = (void *)resp;
    out->request_id = (Kms__V1__RequestId *)req;
    out->preprocessing_id = &k->pp;
    out->n_key_digests = 2;
    out->key_digests = k->digests;
    out->external_signature = str_bytes("ext");
    out->n_signatures = 1;
    out->signatures = k->sigs;
    return 0;
}

/* --- metastore_status.v1: statuses echo the ids; error_message only for
 * ids that start with 'f' (FAILED); type from the optional filter --- */
static int on_get_request_statuses(void *ctx, struct rpc_call *call, const ProtobufCMessage *req,
                                   ProtobufCMessage *resp)
{
    (void)ctx;
    const MetastoreStatus__V1__GetRequestStatusesRequest *in = (const void *)req;
    MetastoreStatus__V1__GetRequestStatusesResponse *out = (void *)resp;
    MetastoreStatus__V1__RequestStatusInfo **st =
        rpc_call_alloc(call, (in->n_request_ids + 1) * sizeof *st);
    if (st == NULL)
        return kms_err(KMS_ENOMEM, "out of memory");
    int typed =
        in->_meta_store_type_case ==
        METASTORE_STATUS__V1__GET_REQUEST_STATUSES_REQUEST___META_STORE_TYPE_META_STORE_TYPE;
    for (size_t i = 0; i < in->n_request_ids; i++) {
        st[i] = rpc_call_alloc(call, sizeof *st[i]);
        if (st[i] == NULL)
            return kms_err(KMS_ENOMEM, "out of memory");
        metastore_status__v1__request_status_info__init(st[i]);
        st[i]->request_id = in->request_ids[i];
        st[i]->meta_store_type =
            typed ? in->meta_store_type : METASTORE_STATUS__V1__META_STORE_TYPE__ALL;
        int failed = in->request_ids[i][0] == 'f';
        st[i]->status = failed ? METASTORE_STATUS__V1__REQUEST_PROCESSING_STATUS__FAILED
                               : METASTORE_STATUS__V1__REQUEST_PROCESSING_STATUS__COMPLETED;
        if (failed) {
            st[i]->_error_message_case =
                METASTORE_STATUS__V1__REQUEST_STATUS_INFO___ERROR_MESSAGE_ERROR_MESSAGE;
            st[i]->error_message = "it failed";
        }
    }
    out->n_statuses = in->n_request_ids;
    out->statuses = st;
    return 0;
}

static const struct rpc_method_handler echo_handlers[] = {{"Echo", on_echo, 0}};
static const struct rpc_method_handler core_handlers[] = {
    {"PublicDecryptSync", on_public_decrypt_sync, 0},
    {"UserDecryptSync", on_user_decrypt_sync, 0},
    {"KeyGen", on_key_gen, 0},
    {"CrsGen", on_crs_gen, 0},
    {"GetKeyGenResult", on_get_key_gen_result, 0},
};
static const struct rpc_method_handler meta_handlers[] = {
    {"GetRequestStatuses", on_get_request_statuses, 0},
};

static int serve(struct rpc_server *srv)
{
    static const char *const names[] = {"kms_service.v1.CoreServiceEndpoint",
                                        "metastore_status.v1.MetaStoreStatusService",
                                        "ckms.test.v1.Echo"};
    KMS_TRY(rpc_server_add_service(srv, &ckms__test__v1__echo__descriptor, echo_handlers,
                                   ARRAY_LEN(echo_handlers), NULL));
    KMS_TRY(rpc_server_add_service(srv, &kms_service__v1__core_service_endpoint__descriptor,
                                   core_handlers, ARRAY_LEN(core_handlers), NULL));
    KMS_TRY(rpc_server_add_service(srv,
                                   &metastore_status__v1__meta_store_status_service__descriptor,
                                   meta_handlers, ARRAY_LEN(meta_handlers), NULL));
    KMS_TRY(rpc_health_register(srv, names, ARRAY_LEN(names)));
    return rpc_server_start(srv);
}

/* Blocks until stdin reaches EOF or a termination signal arrives. */
static void wait_for_stop(int sfd)
{
    struct pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {sfd, POLLIN, 0}};
    char buf[256];
    for (;;) {
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        if (fds[1].revents & POLLIN)
            return;
        if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
            if (n <= 0)
                return;
        }
    }
}

int main(int argc, char **argv)
{
    struct rpc_server_config cfg = {.listen_addr = "127.0.0.1:0", .cq_threads = 1, .workers = 2};
    if (argc == 3 && strcmp(argv[1], "--max-recv") == 0) {
        cfg.max_recv_bytes = strtoll(argv[2], NULL, 10);
    } else if (argc != 1) {
        fprintf(stderr, "usage: %s [--max-recv BYTES]\n", argv[0]);
        return 2;
    }
    /* termination signals are read from a signalfd; block them before any
     * thread starts so that every thread inherits the mask */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    int sfd = signalfd(-1, &stop, SFD_CLOEXEC);
    if (sfd < 0) {
        perror("signalfd");
        return 1;
    }
    struct rpc_server *srv = NULL;
    int rc = rpc_server_new(&srv, &cfg);
    if (rc == 0)
        rc = serve(srv);
    if (rc != 0) {
        fprintf(stderr, "ckms-test-server: %s\n", kms_err_msg());
        rpc_server_free(srv);
        close(sfd);
        return 1;
    }
    printf("port %d\n", rpc_server_port(srv));
    fflush(stdout);
    wait_for_stop(sfd);
    rpc_server_shutdown(srv, 2000);
    rpc_server_free(srv);
    close(sfd);
    return 0;
}
