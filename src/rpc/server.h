/* A gRPC server on the libgrpc core C API, serving protobuf-c services.
 *
 * Services are registered from protoc-c's ProtobufCServiceDescriptor: each
 * method "/<package>.<Service>/<Method>" gets a handler, or answers
 * UNIMPLEMENTED when it has none (as do unknown paths). Unary calls only;
 * for a streaming method the handler sees the first request message.
 *
 *   struct rpc_server *srv;
 *   struct rpc_server_config cfg = {.listen_addr = "127.0.0.1:50051"};
 *   KMS_TRY(rpc_server_new(&srv, &cfg));
 *   static const struct rpc_method_handler h[] = {{"PublicDecrypt", on_public_decrypt, 0}};
 *   KMS_TRY(rpc_server_add_service(srv, &kms_service__v1__core_service_endpoint__descriptor,
 *                                  h, 1, engine));
 *   KMS_TRY(rpc_server_start(srv));
 *   ...
 *   rpc_server_shutdown(srv, 5000);
 *   rpc_server_free(srv);
 *
 * Threads: a few completion-queue threads take calls off the network and
 * hand each one to a worker pool (base/threadpool.h) that unpacks the
 * request, runs the handler and sends the answer. When the pool's queue is
 * full a call is answered RESOURCE_EXHAUSTED at once instead of waiting.
 *
 * Handler contract:
 *   int handler(void *ctx, struct rpc_call *call, const ProtobufCMessage *req,
 *               ProtobufCMessage *resp);
 * req is the unpacked request (of the method's input type). resp is an
 * initialised, empty message of the method's output type for the handler
 * to fill. Return 0 to send resp with status OK, or a negative KMS_E* code
 * to send the gRPC status kms_err_grpc_status(code) with kms_err_msg() as
 * the message (so `return kms_err(KMS_ENOTFOUND, "unknown key %s", id);`
 * reaches the client as NOT_FOUND "unknown key ..."); rpc_call_fail() sends
 * any other gRPC code. Messages go to the client: never put secrets in them.
 * Memory that resp points to must stay valid until the handler returns and
 * the layer has packed it; rpc_call_alloc() gives memory that lives exactly
 * as long as the call. Handlers run concurrently on several threads.
 *
 * A malformed request never reaches the handler: the client gets
 * INVALID_ARGUMENT. A request larger than max_recv_bytes is refused by
 * gRPC with RESOURCE_EXHAUSTED, and so is a response larger than
 * max_send_bytes. A call whose deadline passes while it waits for a worker
 * is dropped (the client already has DEADLINE_EXCEEDED); a handler that may
 * wait long (a long-poll) must bound its wait by rpc_call_deadline() and
 * give up when rpc_call_expired() says so. */
#ifndef CKMS_RPC_SERVER_H
#define CKMS_RPC_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "base/clock.h"
#include "base/error.h"
#include "rpc/status.h"
#include "rpc/tls.h"

struct rpc_server;
struct rpc_call;

/* Default largest message each way: 100 MiB, as the reference KMS. */
#define RPC_DEFAULT_MAX_MESSAGE ((int64_t)100 << 20)
/* Default number of calls that may wait for a worker. */
#define RPC_DEFAULT_QUEUE 4096
/* Largest number of completion-queue threads. */
#define RPC_MAX_CQ_THREADS 16

struct rpc_server_config {
    /* "host:port" to listen on; port 0 picks a free port (rpc_server_port). */
    const char *listen_addr;
    /* Threads draining the completion queue; 0 means 1. */
    size_t cq_threads;
    /* Threads running handlers; 0 means the number of online CPUs. */
    size_t workers;
    /* Calls that may wait for a worker; 0 means RPC_DEFAULT_QUEUE. */
    size_t queue_capacity;
    /* Largest request / response in bytes: 0 means RPC_DEFAULT_MAX_MESSAGE,
     * negative means no limit. */
    int64_t max_recv_bytes;
    int64_t max_send_bytes;
    /* NULL: plaintext HTTP/2. Otherwise TLS (mutual when tls->ca_pem is set). */
    const struct rpc_tls *tls;
};

typedef int rpc_handler_fn(void *ctx, struct rpc_call *call, const ProtobufCMessage *req,
                           ProtobufCMessage *resp);

/* Handler flag: run on the completion-queue thread instead of the worker
 * pool. Only for handlers that never block and finish in microseconds
 * (health checks, lookups in memory): it saves a thread hand-off, but a
 * slow inline handler stalls every call behind it. */
#define RPC_INLINE 1u

struct rpc_method_handler {
    const char *method;   /* the method's name in the service, e.g. "KeyGen" */
    rpc_handler_fn *fn;
    unsigned flags;       /* 0 or RPC_INLINE */
};

/* Creates a server listening on cfg->listen_addr (bound now, so a busy port
 * fails here with KMS_EIO). Not serving until rpc_server_start. */
int rpc_server_new(struct rpc_server **srv, const struct rpc_server_config *cfg) KMS_MUST_CHECK;

/* Serves every method of svc: those named in handlers[0..n_handlers) with
 * their handler and ctx, the others with UNIMPLEMENTED. KMS_EINVAL for a
 * name svc does not have, a service added twice, or after start.
 * svc and the handler table must outlive the server. */
int rpc_server_add_service(struct rpc_server *srv, const ProtobufCServiceDescriptor *svc,
                           const struct rpc_method_handler *handlers, size_t n_handlers,
                           void *ctx) KMS_MUST_CHECK;

/* Starts the threads and begins accepting calls. */
int rpc_server_start(struct rpc_server *srv) KMS_MUST_CHECK;

/* The TCP port the server listens on. */
int rpc_server_port(const struct rpc_server *srv);

/* Stops accepting calls, lets the calls in progress finish for up to
 * grace_ms, then cancels the rest (their clients see CANCELLED or
 * UNAVAILABLE, and rpc_call_expired() turns 1 for their handlers) and
 * waits for the handlers to return. Idempotent. */
void rpc_server_shutdown(struct rpc_server *srv, uint64_t grace_ms);

/* Shuts down with no grace period if still running, then frees.
 * rpc_server_free(NULL) is a no-op. */
void rpc_server_free(struct rpc_server *srv);

struct rpc_server_stats {
    uint64_t calls;       /* calls received (all methods, known or not) */
    uint64_t ok;          /* answered OK */
    uint64_t failed;      /* answered with another status by a handler or the layer */
    uint64_t rejected;    /* of those, RESOURCE_EXHAUSTED because the worker queue was full */
    uint64_t active;      /* received and not yet finished */
    uint64_t queued;      /* waiting for a worker right now */
};

/* A snapshot of the counters (for metrics and tests). */
void rpc_server_stats(struct rpc_server *srv, struct rpc_server_stats *st);

/* --- what a handler can ask about its call --- */

/* The full method path, e.g. "/kms_service.v1.CoreServiceEndpoint/KeyGen". */
const char *rpc_call_method(const struct rpc_call *call);

/* The client's deadline (CLOCK_DEADLINE_NEVER when it set none). */
struct clock_deadline rpc_call_deadline(const struct rpc_call *call);

/* 1 once the deadline has passed or the server is cancelling calls during
 * shutdown: the answer will not reach anyone, stop working on it. (A client
 * that hangs up without a deadline is not noticed before the answer.) */
int rpc_call_expired(const struct rpc_call *call);

/* The value of request metadata `key` (lower case, e.g.
 * "x-zama-kms-request-id"), not NUL-terminated, with its length in *len;
 * NULL when absent. Valid during the handler. */
const char *rpc_call_metadata(const struct rpc_call *call, const char *key, size_t *len);

/* The x-zama-kms-request-id metadata as a NUL-terminated string (cut to
 * LOG_REQUEST_ID_MAX - 1 bytes), or NULL. While the handler runs, log lines
 * of its thread carry it as request_id=. */
const char *rpc_call_request_id(const struct rpc_call *call);

/* The common name (CN) of the client's verified certificate, copied into
 * out (NUL-terminated). KMS_ENOTFOUND when the client presented none
 * (plaintext or TLS without client certificates), KMS_ELIMIT when it does
 * not fit. */
int rpc_call_peer_identity(const struct rpc_call *call, char *out, size_t out_cap) KMS_MUST_CHECK;

/* n zeroed bytes that live until the call has been answered (then wiped
 * and freed with it); NULL when out of memory. For response fields. */
void *rpc_call_alloc(struct rpc_call *call, size_t n);

/* Makes the call end with gRPC status `code` (not RPC_OK) and the printf-
 * formatted message; returns KMS_EABORTED for the handler to return. */
int rpc_call_fail(struct rpc_call *call, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
