/* A gRPC client for protobuf-c messages: one channel to host:port, unary
 * calls with a deadline, request metadata, and the status the server sent.
 *
 *   struct rpc_channel *ch;
 *   KMS_TRY(rpc_channel_new(&ch, "127.0.0.1:50051", NULL));   // plaintext
 *   ProtobufCMessage *out;
 *   struct rpc_status st;
 *   struct rpc_call_options opt = {.timeout_ms = 10000};
 *   int rc = rpc_client_call(ch, &out, &st, &kms_service__v1__core_service_endpoint__descriptor,
 *                            "GetKeyGenResult", &req.base, &opt);
 *   if (rc == 0) { ...use (Kms__V1__KeyGenResult *)out...;
 *                  protobuf_c_message_free_unpacked(out, NULL); }
 *   else         { st.code / st.message say what the server answered }
 *   rpc_channel_free(ch);
 *
 * A channel connects lazily, reconnects by itself, and is safe to use from
 * many threads at once. A call to a server that is down fails at once with
 * UNAVAILABLE (no waiting for it to come up). */
#ifndef CKMS_RPC_CLIENT_H
#define CKMS_RPC_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "base/error.h"
#include "rpc/status.h"
#include "rpc/tls.h"

struct rpc_channel;

struct rpc_client_config {
    /* NULL: plaintext. Otherwise TLS, checking the server against
     * tls->ca_pem (system roots when NULL); mutual TLS when tls carries a
     * certificate chain and key. */
    const struct rpc_tls *tls;
    /* Name the server certificate must carry, when it is not the host of
     * the target (e.g. "party-1" while dialing 10.0.0.5:50100). */
    const char *tls_server_name;
    /* Largest response / request in bytes: 0 means RPC_DEFAULT_MAX_MESSAGE
     * (100 MiB), negative means no limit. */
    int64_t max_recv_bytes;
    int64_t max_send_bytes;
};

/* One request metadata entry; keys are lower case ("x-zama-kms-request-id"). */
struct rpc_metadata {
    const char *key;
    const char *value;
};

struct rpc_call_options {
    uint64_t timeout_ms;                 /* 0: no deadline */
    const struct rpc_metadata *metadata;
    size_t n_metadata;
};

/* A channel to target "host:port". cfg may be NULL (plaintext, defaults). */
int rpc_channel_new(struct rpc_channel **ch, const char *target,
                    const struct rpc_client_config *cfg) KMS_MUST_CHECK;
/* rpc_channel_free(NULL) is a no-op. No call may be in progress. */
void rpc_channel_free(struct rpc_channel *ch);

/* Calls svc's method `method` with req (of the method's input type) and
 * waits for the answer. Returns 0 when the server answered OK, with *resp
 * the unpacked response (free with protobuf_c_message_free_unpacked(*resp,
 * NULL)). Otherwise *resp is NULL and the result is the KMS_E* code of the
 * status (rpc_code_to_kms), with a message naming the method, the status
 * and the server's message. st (may be NULL) receives the status either
 * way; local failures (unknown method, unpackable response) are reported
 * as RPC_INVALID_ARGUMENT / RPC_INTERNAL there. opt may be NULL. */
int rpc_client_call(struct rpc_channel *ch, ProtobufCMessage **resp, struct rpc_status *st,
                    const ProtobufCServiceDescriptor *svc, const char *method,
                    const ProtobufCMessage *req, const struct rpc_call_options *opt)
    KMS_MUST_CHECK;

/* The same with bytes in and out, on a full path "/pkg.Service/Method" (for
 * tests and tools). *resp (free with free()) and *resp_len are set when the
 * status is OK. */
int rpc_client_call_raw(struct rpc_channel *ch, uint8_t **resp, size_t *resp_len,
                        struct rpc_status *st, const char *path, const uint8_t *req,
                        size_t req_len, const struct rpc_call_options *opt) KMS_MUST_CHECK;

#endif
