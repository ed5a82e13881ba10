/* The gRPC layer end to end in one process: a real libgrpc server on
 * 127.0.0.1 serving the toy Echo service (tests/proto/ckms_test.proto),
 * called through rpc_client_*. Checks the answers, the status codes and
 * messages the gRPC protocol defines for each failure (malformed request,
 * oversize message, deadline, busy server, unknown method), metadata,
 * concurrency, and shutdown with calls in flight. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "echo_fixture.h"
#include "proto/health.v1.pb-c.h"

static const struct rpc_server_config small = {.cq_threads = 1, .workers = 2};

static void test_echo(void **state)
{
    (void)state;
    struct fixture f;
    fixture_start(&f, &small, NULL);
    uint8_t blob[300];
    for (size_t i = 0; i < sizeof blob; i++)
        blob[i] = (uint8_t)(i * 7);
    EchoRequest req = CKMS__TEST__V1__ECHO_REQUEST__INIT;
    req.text = "hello";
    req.blob = (ProtobufCBinaryData){sizeof blob, blob};
    EchoReply *r;
    struct rpc_status st;
    assert_int_equal(echo_call(f.ch, "Echo", &r, &st, &req, 5000, "0123abcd"), 0);
    assert_int_equal(st.code, RPC_OK);
    assert_string_equal(r->text, "hello");
    assert_int_equal(r->blob.len, sizeof blob);
    assert_memory_equal(r->blob.data, blob, sizeof blob);
    assert_string_equal(r->request_id, "0123abcd");
    assert_string_equal(r->log_request_id, "0123abcd");
    /* gRPC sends the timeout rounded up to its wire precision */
    if (r->deadline_left_ms < 4000 || r->deadline_left_ms > 5010)
        fail_msg("deadline left %llu ms of 5000", (unsigned long long)r->deadline_left_ms);
    assert_string_equal(r->peer, ""); /* plaintext: no peer identity */
    echo_free(r);

    /* no metadata, no deadline, empty request */
    EchoRequest empty = CKMS__TEST__V1__ECHO_REQUEST__INIT;
    assert_int_equal(echo_call(f.ch, "Echo", &r, &st, &empty, 0, NULL), 0);
    assert_string_equal(r->text, "");
    assert_int_equal(r->blob.len, 0);
    assert_string_equal(r->request_id, "");
    assert_string_equal(r->log_request_id, "");
    assert_int_equal(r->deadline_left_ms, 0);
    echo_free(r);

    struct rpc_server_stats s;
    rpc_server_stats(f.srv, &s);
    assert_int_equal(s.calls, 2);
    assert_int_equal(s.ok, 2);
    assert_int_equal(s.failed, 0);
    fixture_stop(&f);
}

static void expect_failure(struct fixture *f, int fail_code, const char *msg, int want_rc,
                           int want_code)
{
    EchoRequest req = CKMS__TEST__V1__ECHO_REQUEST__INIT;
    req.fail_code = fail_code;
    req.fail_message = (char *)msg;
    EchoReply *r = (EchoReply *)1;
    struct rpc_status st;
    assert_int_equal(echo_call(f->ch, "Echo", &r, &st, &req, 5000, NULL), want_rc);
    assert_null(r);
    assert_int_equal(st.code, want_code);
    assert_string_equal(st.message, msg);
    /* the client's own error message names the method and the status */
    assert_non_null(strstr(kms_err_msg(), "/ckms.test.v1.Echo/Echo"));
    assert_non_null(strstr(kms_err_msg(), rpc_code_name(want_code)));
}

static void test_errors(void **state)
{
    (void)state;
    struct fixture f;
    fixture_start(&f, &small, NULL);
    /* KMS_E* codes map through kms_err_grpc_status, the message travels */
    expect_failure(&f, KMS_ENOTFOUND, "unknown key 42", KMS_ENOTFOUND, RPC_NOT_FOUND);
    expect_failure(&f, KMS_EEXIST, "request id in use", KMS_EEXIST, RPC_ALREADY_EXISTS);
    expect_failure(&f, KMS_EUNAVAIL, "not ready yet", KMS_EUNAVAIL, RPC_UNAVAILABLE);
    expect_failure(&f, KMS_EINVAL, "bad domain", KMS_EINVAL, RPC_INVALID_ARGUMENT);
    expect_failure(&f, KMS_EFULL, "rate limited", KMS_EFULL, RPC_RESOURCE_EXHAUSTED);
    expect_failure(&f, KMS_EPRECOND, "epoch busy", KMS_EPRECOND, RPC_FAILED_PRECONDITION);
    /* any gRPC code through rpc_call_fail */
    expect_failure(&f, RPC_DATA_LOSS, "lost", KMS_EINTERNAL, RPC_DATA_LOSS);
    expect_failure(&f, RPC_PERMISSION_DENIED, "no", KMS_EINTERNAL, RPC_PERMISSION_DENIED);
    expect_failure(&f, RPC_ABORTED, "session gone", KMS_EABORTED, RPC_ABORTED);
    /* a message with characters HTTP/2 headers cannot carry verbatim */
    expect_failure(&f, KMS_EINVAL, "bad \"x\" %41 \xc3\xa9 end", KMS_EINVAL, RPC_INVALID_ARGUMENT);

    /* a method without a handler, and paths nobody serves */
    EchoRequest req = CKMS__TEST__V1__ECHO_REQUEST__INIT;
    EchoReply *r;
    struct rpc_status st;
    assert_int_equal(echo_call(f.ch, "Missing", &r, &st, &req, 5000, NULL), KMS_EUNIMPL);
    assert_int_equal(st.code, RPC_UNIMPLEMENTED);
    assert_non_null(strstr(st.message, "/ckms.test.v1.Echo/Missing"));
    uint8_t *raw;
    size_t raw_len;
    const char *paths[] = {"/ckms.test.v1.Echo/Nope", "/no.such.Service/Echo"};
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(rpc_client_call_raw(f.ch, &raw, &raw_len, &st, paths[i], NULL, 0, NULL),
                         KMS_EUNIMPL);
        assert_int_equal(st.code, RPC_UNIMPLEMENTED);
        assert_non_null(strstr(st.message, paths[i]));
        assert_null(raw);
    }
    /* the client refuses a wrong request type or method name locally */
    Ckms__Test__V1__EchoReply wrong = CKMS__TEST__V1__ECHO_REPLY__INIT;
    ProtobufCMessage *m;
    assert_int_equal(rpc_client_call(f.ch, &m, &st, ECHO_SVC, "Echo", &wrong.base, NULL),
                     KMS_EINVAL);
    assert_int_equal(st.code, RPC_INVALID_ARGUMENT);
    assert_int_equal(rpc_client_call(f.ch, &m, &st, ECHO_SVC, "Nope", &req.base, NULL), KMS_EINVAL);

    /* still serving */
    assert_int_equal(echo_call(f.ch, "Echo", &r, &st, &req, 5000, NULL), 0);
    echo_free(r);
    fixture_stop(&f);
}

static void test_malformed_request(void **state)
{
    (void)state;
    struct fixture f;
    fixture_start(&f, &small, NULL);
    static const struct {
        const char *what;
        uint8_t bytes[8];
        size_t len;
    } bad[] = {
        {"length past the end", {0x0a, 0x05, 'a', 'b'}, 4},
        {"varint never ends", {0x18, 0xff, 0xff, 0xff}, 4},
        {"field number 0", {0x00, 0x01}, 2},
        {"wire type 7", {0x0f, 0x01}, 2},
        {"wrong wire type for a string", {0x08, 0x01}, 2},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint8_t *raw;
        size_t raw_len;
        struct rpc_status st;
        int rc = rpc_client_call_raw(f.ch, &raw, &raw_len, &st, "/ckms.test.v1.Echo/Echo",
                                     bad[i].bytes, bad[i].len, NULL);
        if (rc != KMS_EINVAL)
            fail_msg("%s: rc %d status %d", bad[i].what, rc, st.code);
        assert_int_equal(st.code, RPC_INVALID_ARGUMENT);
        assert_string_equal(st.message, "malformed ckms.test.v1.EchoRequest");
    }
    assert_int_equal(atomic_load(&f.echo.echo_runs), 0);

    /* the same path with good bytes works, and the raw answer decodes */
    const uint8_t good[] = {0x0a, 0x02, 'h', 'i'};
    uint8_t *raw;
    size_t raw_len;
    struct rpc_status st;
    assert_int_equal(rpc_client_call_raw(f.ch, &raw, &raw_len, &st, "/ckms.test.v1.Echo/Echo",
                                         good, sizeof good, NULL),
                     0);
    EchoReply *r = ckms__test__v1__echo_reply__unpack(NULL, raw_len, raw);
    assert_non_null(r);
    assert_string_equal(r->text, "hi");
    echo_free(r);
    free(raw);
    fixture_stop(&f);
}

static void test_message_limits(void **state)
{
    (void)state;
    struct fixture f;
    struct rpc_server_config cfg = small;
    cfg.max_recv_bytes = 4096;
    cfg.max_send_bytes = 4096;
    fixture_start(&f, &cfg, NULL);
    static uint8_t big[8192];
    EchoRequest req = CKMS__TEST__V1__ECHO_REQUEST__INIT;
    EchoReply *r;
    struct rpc_status st;

    /* request over the server's limit: gRPC's own RESOURCE_EXHAUSTED */
    req.blob = (ProtobufCBinaryData){sizeof big, big};
    assert_int_equal(echo_call(f.ch, "Echo", &r, &st, &req, 5000, NULL), KMS_EFULL);
    assert_int_equal(st.code, RPC_RESOURCE_EXHAUSTED);
    assert_int_equal(atomic_load(&f.echo.echo_runs), 0);
    /* just under it is fine */
    req.blob.len = 4000;
    assert_int_equal(echo_call(f.ch, "Echo", &r, &st, &req, 5000, NULL), 0);
    assert_int_equal(r->blob.len, 4000);
    echo_free(r);

    /* response over the server's limit */
    req.blob.len = 0;
    req._reply_size_case = CKMS__TEST__V1__ECHO_REQUEST___REPLY_SIZE_REPLY_SIZE;
    req.reply_size = 5000;
    assert_int_equal(echo_call(f.ch, "Echo", &r, &st, &req, 5000, NULL), KMS_EFULL);
    assert_int_equal(st.code, RPC_RESOURCE_EXHAUSTED);
    assert_non_null(strstr(st.message, "4096"));

    /* response over the client's limit */
    struct rpc_channel *tight;
    struct rpc_client_config cc = {.max_recv_bytes = 1024};
    assert_int_equal(rpc_channel_new(&tight, f.target, &cc), 0);
    req.reply_size = 2000;
    assert_int_equal(echo_call(tight, "Echo", &r, &st, &req, 5000, NULL), KMS_EFULL);
    assert_int_equal(st.code, RPC_RESOURCE_EXHAUSTED);
    req.reply_size = 500;
    assert_int_equal(echo_call(tight, "Echo", &r, &st, &req, 5000, NULL), 0);
    assert_int_equal(r->blob.len, 500);
    assert_int_equal(r->blob.data[499], 0x5a);
    echo_free(r);
    rpc_channel_free(tight);

    /* the server keeps serving */
    req._reply_size_case = CKMS__TEST__V1__ECHO_REQUEST___REPLY_SIZE__NOT_SET;
    req.text = "after";
    assert_int_equal(echo_call(f.ch, "Echo", &r, &st, &req, 5000, NULL), 0);
    assert_string_equal(r->text, "after");
    echo_free(r);
    fixture_stop(&f);
}

static void test_deadline(void **state)
{
    (void)state;
    struct fixture f;
    fixture_start(&f, &small, NULL);
    EchoRequest req = CKMS__TEST__V1__ECHO_REQUEST__INIT;
    req.sleep_ms = 600;
    EchoReply *r;
    struct rpc_status st;
    uint64_t t0 = clock_now_ms();
    assert_int_equal(echo_call(f.ch, "Echo", &r, &st, &req, 100, NULL), KMS_ETIMEOUT);
    assert_int_equal(st.code, RPC_DEADLINE_EXCEEDED);
    assert_true(clock_now_ms() - t0 < 500);
    fixture_stop(&f);
}

/* A call whose deadline passes while it waits for a worker never runs. */
static void test_deadline_while_queued(void **state)
{
    (void)state;
    struct fixture f;
    struct rpc_server_config cfg = {.workers = 1, .queue_capacity = 8};
    fixture_start(&f, &cfg, NULL);
    struct bg_call a;
    bg_start(&a, f.ch, "Block", "a", 0, 0);
    assert_int_equal(echo_wait_blocked(&f.echo, 1), 0);
    EchoRequest req = CKMS__TEST__V1__ECHO_REQUEST__INIT;
    EchoReply *r;
    struct rpc_status st;
    assert_int_equal(echo_call(f.ch, "Echo", &r, &st, &req, 100, NULL), KMS_ETIMEOUT);
    assert_int_equal(st.code, RPC_DEADLINE_EXCEEDED);
    /* the server's deadline started when the call arrived, which is no
     * earlier than the client's; give it time to pass there too */
    clock_sleep_ms(150);
    echo_release(&f.echo);
    bg_join(&a);
    assert_int_equal(a.rc, 0);
    struct rpc_server_stats s;
    assert_int_equal(WAIT_STATS(f.srv, s, s.active == 0), 0);
    assert_int_equal(atomic_load(&f.echo.echo_runs), 0);
    fixture_stop(&f);
}

static void test_queue_full(void **state)
{
    (void)state;
    struct fixture f;
    struct rpc_server_config cfg = {.workers = 1, .queue_capacity = 1};
    fixture_start(&f, &cfg, NULL);
    struct bg_call a, b;
    bg_start(&a, f.ch, "Block", "a", 0, 10000);
    assert_int_equal(echo_wait_blocked(&f.echo, 1), 0);
    bg_start(&b, f.ch, "Block", "b", 0, 10000);
    struct rpc_server_stats s;
    assert_int_equal(WAIT_STATS(f.srv, s, s.queued == 1), 0);

    EchoRequest req = CKMS__TEST__V1__ECHO_REQUEST__INIT;
    EchoReply *r;
    struct rpc_status st;
    assert_int_equal(echo_call(f.ch, "Echo", &r, &st, &req, 5000, NULL), KMS_EFULL);
    assert_int_equal(st.code, RPC_RESOURCE_EXHAUSTED);
    assert_non_null(strstr(st.message, "server busy"));
    rpc_server_stats(f.srv, &s);
    assert_int_equal(s.rejected, 1);

    /* inline handlers (health) still answer while the pool is full */
    Grpc__Health__V1__HealthCheckRequest hreq = GRPC__HEALTH__V1__HEALTH_CHECK_REQUEST__INIT;
    ProtobufCMessage *hresp;
    assert_int_equal(rpc_client_call(f.ch, &hresp, &st, &grpc__health__v1__health__descriptor,
                                     "Check", &hreq.base, NULL),
                     0);
    assert_int_equal(((Grpc__Health__V1__HealthCheckResponse *)hresp)->status,
                     GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING);
    protobuf_c_message_free_unpacked(hresp, NULL);

    echo_release(&f.echo);
    bg_join(&a);
    bg_join(&b);
    assert_int_equal(a.rc, 0);
    assert_string_equal(a.text, "a");
    assert_int_equal(b.rc, 0);
    assert_string_equal(b.text, "b");
    assert_int_equal(echo_call(f.ch, "Echo", &r, &st, &req, 5000, NULL), 0);
    echo_free(r);
    assert_int_equal(atomic_load(&f.echo.echo_runs), 1);
    fixture_stop(&f);
}

#define CONC_THREADS 8
#define CONC_CALLS 150

struct conc_arg {
    struct rpc_channel *ch;
    int id;
    int errors;
};

static void *conc_main(void *p)
{
    struct conc_arg *a = p;
    for (int i = 0; i < CONC_CALLS; i++) {
        char text[32], rid[32];
        snprintf(text, sizeof text, "t%d-%d", a->id, i);
        snprintf(rid, sizeof rid, "r%d-%d", a->id, i);
        uint8_t blob[64];
        memset(blob, a->id * 31 + i, sizeof blob);
        EchoRequest req = CKMS__TEST__V1__ECHO_REQUEST__INIT;
        req.text = text;
        req.blob = (ProtobufCBinaryData){(size_t)(i % 64), blob};
        EchoReply *r;
        struct rpc_status st;
        if (echo_call(a->ch, "Echo", &r, &st, &req, 10000, rid) != 0) {
            a->errors++;
            continue;
        }
        if (strcmp(r->text, text) != 0 || strcmp(r->request_id, rid) != 0 ||
            strcmp(r->log_request_id, rid) != 0 || r->blob.len != (size_t)(i % 64) ||
            (r->blob.len && memcmp(r->blob.data, blob, r->blob.len) != 0))
            a->errors++;
        echo_free(r);
    }
    return NULL;
}

static void test_concurrent_calls(void **state)
{
    (void)state;
    struct fixture f;
    struct rpc_server_config cfg = {.cq_threads = 2, .workers = 4};
    fixture_start(&f, &cfg, NULL);
    pthread_t th[CONC_THREADS];
    struct conc_arg args[CONC_THREADS];
    for (int i = 0; i < CONC_THREADS; i++) {
        args[i] = (struct conc_arg){f.ch, i, 0};
        assert_int_equal(pthread_create(&th[i], NULL, conc_main, &args[i]), 0);
    }
    for (int i = 0; i < CONC_THREADS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(args[i].errors, 0);
    }
    struct rpc_server_stats s;
    assert_int_equal(WAIT_STATS(f.srv, s, s.active == 0), 0);
    assert_int_equal(s.ok, CONC_THREADS * CONC_CALLS);
    assert_int_equal(atomic_load(&f.echo.echo_runs), CONC_THREADS * CONC_CALLS);
    fixture_stop(&f);
}

/* Shutdown lets the calls in progress finish within the grace period. */
static void test_shutdown_graceful(void **state)
{
    (void)state;
    struct fixture f;
    struct rpc_server_config cfg = {.workers = 4};
    fixture_start(&f, &cfg, NULL);
    struct bg_call b[4];
    for (int i = 0; i < 4; i++)
        bg_start(&b[i], f.ch, "Echo", "slow", 300, 10000);
    struct rpc_server_stats s;
    assert_int_equal(WAIT_STATS(f.srv, s, s.active == 4), 0);
    uint64_t t0 = clock_now_ms();
    rpc_server_shutdown(f.srv, 10000);
    assert_true(clock_now_ms() - t0 < 5000);
    for (int i = 0; i < 4; i++) {
        bg_join(&b[i]);
        assert_int_equal(b[i].rc, 0);
        assert_string_equal(b[i].text, "slow");
    }
    /* no longer accepting */
    EchoRequest req = CKMS__TEST__V1__ECHO_REQUEST__INIT;
    EchoReply *r;
    struct rpc_status st;
    assert_int_not_equal(echo_call(f.ch, "Echo", &r, &st, &req, 2000, NULL), 0);
    assert_int_equal(st.code, RPC_UNAVAILABLE);
    rpc_server_shutdown(f.srv, 0); /* idempotent */
    fixture_stop(&f);
}

/* Calls still running when the grace period ends are cancelled, and
 * handlers see rpc_call_expired(). */
static void test_shutdown_cancels(void **state)
{
    (void)state;
    struct fixture f;
    struct rpc_server_config cfg = {.workers = 2, .queue_capacity = 8};
    fixture_start(&f, &cfg, NULL);
    struct bg_call b[3];
    for (int i = 0; i < 3; i++)
        bg_start(&b[i], f.ch, "Block", "stuck", 0, 0);
    assert_int_equal(echo_wait_blocked(&f.echo, 2), 0);
    struct rpc_server_stats s;
    assert_int_equal(WAIT_STATS(f.srv, s, s.queued == 1), 0);
    uint64_t t0 = clock_now_ms();
    rpc_server_shutdown(f.srv, 200);
    uint64_t took = clock_now_ms() - t0;
    assert_true(took >= 150 && took < 3000);
    for (int i = 0; i < 3; i++) {
        bg_join(&b[i]);
        assert_int_not_equal(b[i].rc, 0);
        /* a handler that saw the expiry may get its own DEADLINE_EXCEEDED
         * out before the cancel lands */
        if (b[i].st.code != RPC_CANCELLED && b[i].st.code != RPC_UNAVAILABLE &&
            b[i].st.code != RPC_DEADLINE_EXCEEDED)
            fail_msg("call %d ended with status %d", i, (int)b[i].st.code);
    }
    assert_int_equal(f.echo.block_expired, 2);
    assert_int_equal(f.echo.blocked, 0);
    fixture_stop(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_echo),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_malformed_request),
        cmocka_unit_test(test_message_limits),
        cmocka_unit_test(test_deadline),
        cmocka_unit_test(test_deadline_while_queued),
        cmocka_unit_test(test_queue_full),
        cmocka_unit_test(test_concurrent_calls),
        cmocka_unit_test(test_shutdown_graceful),
        cmocka_unit_test(test_shutdown_cancels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
