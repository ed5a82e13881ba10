/* One server call: unpack the request, run the handler, pack the answer
 * and send it with the status, plus what handlers may ask about the call.
 *
 * The request is unpacked into the call's arena straight from libgrpc's
 * slice when it arrived in one piece, and the response is packed straight
 * into the slice that goes out, so a call copies its bytes once each way. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <grpc/byte_buffer_reader.h>
#include <grpc/support/alloc.h>

#include "rpc/server_impl.h"

#define REQUEST_ID_KEY "x-zama-kms-request-id"

struct rpc_call *rpc_call_new(struct rpc_server *s, struct rpc_method *m)
{
    struct rpc_call *c = malloc(sizeof *c);
    if (c == NULL)
        return NULL;
    c->kind = TAG_CALL;
    c->counted = 0;
    c->srv = s;
    c->method = m;
    c->call = NULL;
    c->gpr_deadline = gpr_inf_future(GPR_CLOCK_MONOTONIC);
    grpc_call_details_init(&c->details);
    grpc_metadata_array_init(&c->md);
    c->payload = NULL;
    c->reply = NULL;
    c->deadline = CLOCK_DEADLINE_NEVER;
    c->cancelled = 0;
    c->fail_code = 0;
    c->request_id = NULL;
    c->status_len = 0;
    c->status_msg[0] = '\0';
    c->status_slice = grpc_empty_slice();
    rpc_arena_init(&c->arena);
    return c;
}

void rpc_call_free(struct rpc_call *c)
{
    if (c->payload != NULL)
        grpc_byte_buffer_destroy(c->payload);
    if (c->reply != NULL)
        grpc_byte_buffer_destroy(c->reply);
    grpc_metadata_array_destroy(&c->md);
    grpc_call_details_destroy(&c->details);
    grpc_slice_unref(c->status_slice);
    if (c->call != NULL)
        grpc_call_unref(c->call);
    rpc_arena_release(&c->arena);
    struct rpc_server *s = c->srv;
    int counted = c->counted;
    free(c);
    /* the last call out wakes a shutdown waiting for it (seq_cst: either
     * this sees the state change or the waiter sees the count) */
    if (counted && atomic_fetch_sub(&s->n_active, 1) == 1 &&
        atomic_load(&s->state) != STATE_RUNNING) {
        pthread_mutex_lock(&s->lock);
        pthread_cond_broadcast(&s->cond);
        pthread_mutex_unlock(&s->lock);
    }
}

void rpc_call_arrived(struct rpc_call *c)
{
    c->counted = 1;
    atomic_fetch_add_explicit(&c->srv->n_calls, 1, memory_order_relaxed);
    atomic_fetch_add(&c->srv->n_active, 1);
    c->deadline = rpc_deadline_from_gpr(c->kind == TAG_GENERIC ? c->details.deadline
                                                               : c->gpr_deadline);
}

/* Starts the final batch; the completion (TAG_FINISH) frees the call. */
static void send_status(struct rpc_call *c, int code)
{
    struct rpc_server *s = c->srv;
    grpc_op ops[4];
    memset(ops, 0, sizeof ops);
    size_t n = 0;
    ops[n++].op = GRPC_OP_SEND_INITIAL_METADATA;
    if (code == RPC_OK && c->reply != NULL) {
        ops[n].op = GRPC_OP_SEND_MESSAGE;
        ops[n++].data.send_message.send_message = c->reply;
    }
    /* a refcounted copy: libgrpc may hold the message past the batch */
    if (code != RPC_OK)
        c->status_slice = grpc_slice_from_copied_buffer(c->status_msg, c->status_len);
    ops[n].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
    ops[n].data.send_status_from_server.status = (grpc_status_code)code;
    ops[n++].data.send_status_from_server.status_details =
        code == RPC_OK ? NULL : &c->status_slice;
    ops[n].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
    ops[n++].data.recv_close_on_server.cancelled = &c->cancelled;

    atomic_fetch_add_explicit(code == RPC_OK ? &s->n_ok : &s->n_failed, 1, memory_order_relaxed);
    if (code != RPC_OK && log_enabled(LOG_DEBUG))
        log_debug("rpc call failed", "method=%s code=%s", rpc_call_method(c), rpc_code_name(code));
    c->kind = TAG_FINISH;
    grpc_call_error e = grpc_call_start_batch(c->call, ops, n, c, NULL);
    if (e != GRPC_CALL_OK) {
        log_error("rpc: cannot answer a call", "method=%s grpc_error=%d", rpc_call_method(c),
                  (int)e);
        rpc_call_free(c);
    }
}

__attribute__((format(printf, 2, 0))) static void set_message(struct rpc_call *c,
                                                               const char *fmt, va_list ap)
{
    int n = vsnprintf(c->status_msg, sizeof c->status_msg, fmt, ap);
    if (n < 0)
        n = 0;
    c->status_len = (size_t)n < sizeof c->status_msg ? (size_t)n : sizeof c->status_msg - 1;
}

void rpc_call_finish(struct rpc_call *c, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_message(c, fmt, ap);
    va_end(ap);
    send_status(c, code);
}

/* Unpacks the request into the arena, reading libgrpc's own slice when the
 * message arrived in one piece and a joined copy otherwise; then drops the
 * received bytes. NULL when they are not a valid message. */
static ProtobufCMessage *unpack_request(struct rpc_call *c)
{
    grpc_byte_buffer_reader r;
    if (!grpc_byte_buffer_reader_init(&r, c->payload))
        return NULL; /* undecodable compression */
    const uint8_t *p = (const uint8_t *)"";
    size_t n = 0;
    grpc_slice joined = grpc_empty_slice();
    grpc_slice *first, *second;
    if (grpc_byte_buffer_reader_peek(&r, &first)) {
        if (!grpc_byte_buffer_reader_peek(&r, &second)) {
            p = GRPC_SLICE_START_PTR(*first);
            n = GRPC_SLICE_LENGTH(*first);
        } else {
            grpc_byte_buffer_reader_destroy(&r);
            if (!grpc_byte_buffer_reader_init(&r, c->payload))
                return NULL;
            joined = grpc_byte_buffer_reader_readall(&r);
            p = GRPC_SLICE_START_PTR(joined);
            n = GRPC_SLICE_LENGTH(joined);
        }
    }
    ProtobufCAllocator a = rpc_arena_allocator(&c->arena);
    ProtobufCMessage *req = protobuf_c_message_unpack(c->method->desc->input, &a, n, p);
    grpc_slice_unref(joined);
    grpc_byte_buffer_reader_destroy(&r);
    /* the bytes are no longer needed; do not hold them through the handler */
    grpc_byte_buffer_destroy(c->payload);
    c->payload = NULL;
    return req;
}

static void reply(struct rpc_call *c, const ProtobufCMessage *resp)
{
    struct rpc_server *s = c->srv;
    if (!protobuf_c_message_check(resp)) {
        rpc_call_finish(c, RPC_INTERNAL, "handler of %s built an invalid %s",
                        c->method->path, resp->descriptor->name);
        return;
    }
    size_t n = protobuf_c_message_get_packed_size(resp);
    if (s->max_send >= 0 && n > (size_t)s->max_send) {
        rpc_call_finish(c, RPC_RESOURCE_EXHAUSTED,
                        "response of %zu bytes exceeds the %d-byte limit", n, s->max_send);
        return;
    }
    grpc_slice out = grpc_slice_malloc(n);
    size_t w = protobuf_c_message_pack(resp, GRPC_SLICE_START_PTR(out));
    if (w != n) {
        grpc_slice_unref(out);
        rpc_call_finish(c, RPC_INTERNAL, "packing %s: %zu of %zu bytes", resp->descriptor->name, w,
                        n);
        return;
    }
    c->reply = grpc_raw_byte_buffer_create(&out, 1);
    grpc_slice_unref(out);
    rpc_call_finish(c, RPC_OK, "%s", "");
}

static void find_request_id(struct rpc_call *c)
{
    size_t len;
    const char *v = rpc_call_metadata(c, REQUEST_ID_KEY, &len);
    if (v == NULL)
        return;
    if (len > LOG_REQUEST_ID_MAX - 1)
        len = LOG_REQUEST_ID_MAX - 1;
    char *id = rpc_arena_alloc(&c->arena, len + 1);
    if (id == NULL)
        return;
    memcpy(id, v, len);
    id[len] = '\0';
    c->request_id = id;
}

/* The status for a handler's negative return. */
static void handler_failed(struct rpc_call *c, int rc)
{
    if (c->fail_code != 0) {
        send_status(c, c->fail_code);
        return;
    }
    if (rc > 0) {
        rpc_call_finish(c, RPC_INTERNAL, "handler of %s returned %d", c->method->path, rc);
        return;
    }
    const char *msg = kms_err_msg();
    rpc_call_finish(c, kms_err_grpc_status(rc), "%s", msg[0] != '\0' ? msg : kms_err_name(rc));
}

void rpc_call_run(struct rpc_call *c)
{
    const ProtobufCMethodDescriptor *md = c->method->desc;
    if (atomic_load(&c->srv->state) == STATE_CANCELLING) {
        rpc_call_finish(c, RPC_UNAVAILABLE, "server shutting down");
        return;
    }
    if (clock_deadline_expired(c->deadline)) {
        rpc_call_finish(c, RPC_DEADLINE_EXCEEDED, "deadline passed before the call ran");
        return;
    }
    if (c->payload == NULL) {
        rpc_call_finish(c, RPC_INVALID_ARGUMENT, "no request message");
        return;
    }
    ProtobufCMessage *req = unpack_request(c);
    if (req == NULL) {
        rpc_call_finish(c, RPC_INVALID_ARGUMENT, "malformed %s", md->input->name);
        return;
    }
    ProtobufCMessage *resp = rpc_arena_alloc(&c->arena, md->output->sizeof_message);
    if (resp == NULL) {
        rpc_call_finish(c, RPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    protobuf_c_message_init(md->output, resp);
    find_request_id(c);
    if (c->request_id != NULL)
        log_set_request_id(c->request_id);
    kms_err_clear();
    int rc = c->method->fn(c->method->ctx, c, req, resp);
    if (c->request_id != NULL)
        log_clear_request_id();
    if (rc == 0)
        reply(c, resp);
    else
        handler_failed(c, rc);
}

/* --- accessors for handlers --- */

const char *rpc_call_method(const struct rpc_call *c)
{
    return c->method != NULL ? c->method->path : "";
}

struct clock_deadline rpc_call_deadline(const struct rpc_call *c) { return c->deadline; }

int rpc_call_expired(const struct rpc_call *c)
{
    return atomic_load(&c->srv->state) == STATE_CANCELLING || clock_deadline_expired(c->deadline);
}

const char *rpc_call_metadata(const struct rpc_call *c, const char *key, size_t *len)
{
    size_t klen = strlen(key);
    for (size_t i = 0; i < c->md.count; i++) {
        const grpc_metadata *m = &c->md.metadata[i];
        if (GRPC_SLICE_LENGTH(m->key) == klen &&
            memcmp(GRPC_SLICE_START_PTR(m->key), key, klen) == 0) {
            *len = GRPC_SLICE_LENGTH(m->value);
            return (const char *)GRPC_SLICE_START_PTR(m->value);
        }
    }
    *len = 0;
    return NULL;
}

const char *rpc_call_request_id(const struct rpc_call *c) { return c->request_id; }

int rpc_call_peer_identity(const struct rpc_call *c, char *out, size_t out_cap)
{
    if (out_cap > 0)
        out[0] = '\0';
    grpc_auth_context *ac = grpc_call_auth_context(c->call);
    if (ac == NULL)
        return kms_err(KMS_ENOTFOUND, "rpc: no authenticated peer");
    int rc = kms_err(KMS_ENOTFOUND, "rpc: the peer presented no certificate");
    if (grpc_auth_context_peer_is_authenticated(ac)) {
        grpc_auth_property_iterator it =
            grpc_auth_context_find_properties_by_name(ac, GRPC_X509_CN_PROPERTY_NAME);
        const grpc_auth_property *p = grpc_auth_property_iterator_next(&it);
        if (p != NULL && p->value_length < out_cap) {
            memcpy(out, p->value, p->value_length);
            out[p->value_length] = '\0';
            rc = 0;
        } else if (p != NULL) {
            rc = kms_err(KMS_ELIMIT, "rpc: peer name of %zu bytes does not fit", p->value_length);
        }
    }
    grpc_auth_context_release(ac);
    return rc;
}

void *rpc_call_alloc(struct rpc_call *c, size_t n)
{
    void *p = rpc_arena_alloc(&c->arena, n);
    if (p != NULL)
        memset(p, 0, n);
    return p;
}

int rpc_call_fail(struct rpc_call *c, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_message(c, fmt, ap);
    va_end(ap);
    c->fail_code = code > RPC_OK && code <= RPC_UNAUTHENTICATED ? code : RPC_INTERNAL;
    return KMS_EABORTED;
}
