/* The toy service of tests/proto/ckms_test.proto on a real in-process
 * server, and a client channel to it, for the rpc unit tests.
 *
 * Echo returns what it got plus what the handler saw of its call
 * (metadata, log request id, deadline, peer); fail_code > 0 fails with
 * that gRPC code through rpc_call_fail, fail_code < 0 with that KMS_E*
 * code through kms_err. Block waits until echo_release() or until the
 * call expires. Include after <cmocka.h>. */
#ifndef CKMS_TEST_ECHO_FIXTURE_H
#define CKMS_TEST_ECHO_FIXTURE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/log.h"
#include "rpc/client.h"
#include "rpc/health.h"
#include "rpc/server.h"
#include "testproto/ckms_test.pb-c.h"

typedef Ckms__Test__V1__EchoRequest EchoRequest;
typedef Ckms__Test__V1__EchoReply EchoReply;
#define ECHO_SVC (&ckms__test__v1__echo__descriptor)

struct echo_ctx {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int released;
    int blocked;        /* Block handlers inside now */
    int block_expired;  /* Block handlers that left because their call expired */
    _Atomic int echo_runs;
};

static inline void echo_ctx_init(struct echo_ctx *e)
{
    memset(e, 0, sizeof *e);
    pthread_mutex_init(&e->lock, NULL);
    pthread_cond_init(&e->cond, NULL);
}

static inline void echo_release(struct echo_ctx *e)
{
    pthread_mutex_lock(&e->lock);
    e->released = 1;
    pthread_cond_broadcast(&e->cond);
    pthread_mutex_unlock(&e->lock);
}

/* Waits until n Block handlers are inside; 0 when they are. */
static inline int echo_wait_blocked(struct echo_ctx *e, int n)
{
    for (int i = 0; i < 1000; i++) {
        pthread_mutex_lock(&e->lock);
        int b = e->blocked;
        pthread_mutex_unlock(&e->lock);
        if (b >= n)
            return 0;
        clock_sleep_ms(5);
    }
    return -1;
}

static inline int on_echo(void *ctx, struct rpc_call *call, const ProtobufCMessage *req,
                   ProtobufCMessage *resp)
{
    struct echo_ctx *e = ctx;
    const EchoRequest *in = (const EchoRequest *)req;
    EchoReply *out = (EchoReply *)resp;
    atomic_fetch_add(&e->echo_runs, 1);
    if (in->sleep_ms > 0)
        clock_sleep_ms(in->sleep_ms);
    if (in->fail_code > 0)
        return rpc_call_fail(call, in->fail_code, "%s", in->fail_message);
    if (in->fail_code < 0)
        return kms_err(in->fail_code, "%s", in->fail_message);
    out->text = in->text;
    out->blob = in->blob;
    if (in->_reply_size_case == CKMS__TEST__V1__ECHO_REQUEST___REPLY_SIZE_REPLY_SIZE) {
        out->blob.len = in->reply_size;
        out->blob.data = rpc_call_alloc(call, in->reply_size);
        if (out->blob.data == NULL)
            return kms_err(KMS_ENOMEM, "no memory for the reply");
        memset(out->blob.data, 0x5a, in->reply_size);
    }
    const char *id = rpc_call_request_id(call);
    out->request_id = (char *)(id ? id : "");
    const char *log_id = log_request_id();
    if (log_id != NULL) {
        out->log_request_id = rpc_call_alloc(call, strlen(log_id) + 1);
        if (out->log_request_id == NULL)
            return kms_err(KMS_ENOMEM, "no memory");
        strcpy(out->log_request_id, log_id);
    }
    struct clock_deadline d = rpc_call_deadline(call);
    out->deadline_left_ms =
        d.at_ns == CLOCK_DEADLINE_NEVER.at_ns ? 0 : clock_deadline_remaining_ms(d);
    char peer[128];
    if (rpc_call_peer_identity(call, peer, sizeof peer) == 0) {
        out->peer = rpc_call_alloc(call, strlen(peer) + 1);
        if (out->peer == NULL)
            return kms_err(KMS_ENOMEM, "no memory");
        strcpy(out->peer, peer);
    }
    return 0;
}

static inline int on_block(void *ctx, struct rpc_call *call, const ProtobufCMessage *req,
                    ProtobufCMessage *resp)
{
    struct echo_ctx *e = ctx;
    EchoReply *out = (EchoReply *)resp;
    out->text = ((const EchoRequest *)req)->text;
    pthread_mutex_lock(&e->lock);
    e->blocked++;
    int expired = 0;
    while (!e->released && !(expired = rpc_call_expired(call))) {
        pthread_mutex_unlock(&e->lock);
        clock_sleep_ms(2);
        pthread_mutex_lock(&e->lock);
    }
    e->blocked--;
    e->block_expired += expired;
    pthread_mutex_unlock(&e->lock);
    return expired ? kms_err(KMS_ETIMEOUT, "gave up") : 0;
}

static const struct rpc_method_handler echo_handlers[] = {
    {"Echo", on_echo, 0},
    {"Block", on_block, 0},
};

struct fixture {
    struct rpc_server *srv;
    struct rpc_channel *ch;
    struct echo_ctx echo;
    char target[64];
};

/* Starts the Echo service (and health) with cfg on 127.0.0.1, and a
 * channel with ccfg (NULL: plaintext defaults). */
static inline void fixture_start(struct fixture *f, const struct rpc_server_config *cfg_in,
                          const struct rpc_client_config *ccfg)
{
    struct rpc_server_config cfg = *cfg_in;
    if (cfg.listen_addr == NULL)
        cfg.listen_addr = "127.0.0.1:0";
    echo_ctx_init(&f->echo);
    assert_int_equal(rpc_server_new(&f->srv, &cfg), 0);
    assert_int_equal(rpc_server_add_service(f->srv, ECHO_SVC, echo_handlers,
                                            sizeof echo_handlers / sizeof echo_handlers[0],
                                            &f->echo),
                     0);
    static const char *const names[] = {"ckms.test.v1.Echo"};
    assert_int_equal(rpc_health_register(f->srv, names, 1), 0);
    assert_int_equal(rpc_server_start(f->srv), 0);
    assert_true(rpc_server_port(f->srv) > 0);
    snprintf(f->target, sizeof f->target, "127.0.0.1:%d", rpc_server_port(f->srv));
    assert_int_equal(rpc_channel_new(&f->ch, f->target, ccfg), 0);
}

static inline void fixture_stop(struct fixture *f)
{
    echo_release(&f->echo);
    rpc_channel_free(f->ch);
    rpc_server_free(f->srv);
    pthread_cond_destroy(&f->echo.cond);
    pthread_mutex_destroy(&f->echo.lock);
    f->ch = NULL;
    f->srv = NULL;
}

/* One Echo-service call; *out is freed by the caller (echo_free). */
static inline int echo_call(struct rpc_channel *ch, const char *method, EchoReply **out,
                     struct rpc_status *st, const EchoRequest *req, uint64_t timeout_ms,
                     const char *request_id)
{
    struct rpc_metadata md = {"x-zama-kms-request-id", request_id};
    struct rpc_call_options opt = {timeout_ms, request_id ? &md : NULL, request_id ? 1 : 0};
    ProtobufCMessage *m = NULL;
    int rc = rpc_client_call(ch, &m, st, ECHO_SVC, method, &req->base, &opt);
    *out = (EchoReply *)m;
    return rc;
}

static inline void echo_free(EchoReply *r)
{
    if (r != NULL)
        protobuf_c_message_free_unpacked(&r->base, NULL);
}

/* A call running on its own thread. */
struct bg_call {
    pthread_t th;
    struct rpc_channel *ch;
    const char *method;
    EchoRequest req;
    uint64_t timeout_ms;
    int rc;
    struct rpc_status st;
    char text[64];
};

static inline void *bg_main(void *arg)
{
    struct bg_call *b = arg;
    EchoReply *r = NULL;
    b->rc = echo_call(b->ch, b->method, &r, &b->st, &b->req, b->timeout_ms, NULL);
    if (r != NULL)
        snprintf(b->text, sizeof b->text, "%s", r->text);
    echo_free(r);
    return NULL;
}

static inline void bg_start(struct bg_call *b, struct rpc_channel *ch, const char *method,
                     const char *text, uint32_t sleep_ms, uint64_t timeout_ms)
{
    memset(b, 0, sizeof *b);
    b->ch = ch;
    b->method = method;
    b->req = (EchoRequest)CKMS__TEST__V1__ECHO_REQUEST__INIT;
    b->req.text = (char *)text;
    b->req.sleep_ms = sleep_ms;
    b->timeout_ms = timeout_ms;
    assert_int_equal(pthread_create(&b->th, NULL, bg_main, b), 0);
}

static inline void bg_join(struct bg_call *b) { pthread_join(b->th, NULL); }

/* Polls the server counters until pred holds (up to ~5 s); 0 when it does. */
#define WAIT_STATS(srv, st, pred)                                              \
    ({                                                                         \
        int ok_ = -1;                                                          \
        for (int i_ = 0; i_ < 1000 && ok_ != 0; i_++) {                        \
            rpc_server_stats((srv), &(st));                                    \
            if (pred)                                                          \
                ok_ = 0;                                                       \
            else                                                               \
                clock_sleep_ms(5);                                             \
        }                                                                      \
        ok_;                                                                   \
    })

#endif
