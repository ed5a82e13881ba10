/* The gRPC layer's own cost: no-op unary calls on loopback.
 *
 * An in-process server (1 completion-queue thread, 2 workers) serves
 * kms_service.v1.CoreServiceEndpoint/GetKeyMaterialAvailability with a
 * handler that answers an empty response, so every call crosses the whole
 * path the KMS methods take: HTTP/2, dispatch, the worker pool, unpack,
 * handler, pack, status.
 *
 *   rpc_noop_rps        calls/s with BENCH_RPC_INFLIGHT (default 32) calls
 *                       in flight from one asynchronous client thread
 *   rpc_noop_p50_us,    latency of one call at a time through
 *   rpc_noop_p99_us     rpc_client_call (the blocking client API)
 *
 * The client shares the machine's cores with the server. Environment knobs:
 * BENCH_RPC_INFLIGHT, BENCH_RPC_CQ_THREADS (1), BENCH_RPC_WORKERS (2),
 * BENCH_RPC_INLINE=1 (run the handler on the completion-queue thread). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/support/time.h>

#include "bench_util.h"
#include "proto/kms-service.v1.pb-c.h"
#include "rpc/client.h"
#include "rpc/server.h"

#define LOAD_SECONDS 3
#define WARMUP_CALLS 2000
#define LATENCY_CALLS 5000
#define MAX_INFLIGHT 256
#define METHOD "/kms_service.v1.CoreServiceEndpoint/GetKeyMaterialAvailability"

static int on_noop(void *ctx, struct rpc_call *call, const ProtobufCMessage *req,
                   ProtobufCMessage *resp)
{
    (void)ctx;
    (void)call;
    (void)req;
    (void)resp;
    return 0;
}

/* One asynchronous call slot of the load client. */
struct slot {
    grpc_call *call;
    grpc_byte_buffer *out, *in;
    grpc_metadata_array imd, tmd;
    grpc_status_code status;
    grpc_slice details;
};

static grpc_slice method_slice;

static void slot_start(struct slot *s, grpc_channel *ch, grpc_completion_queue *cq)
{
    memset(s, 0, sizeof *s);
    grpc_metadata_array_init(&s->imd);
    grpc_metadata_array_init(&s->tmd);
    grpc_slice empty = grpc_empty_slice();
    s->out = grpc_raw_byte_buffer_create(&empty, 1);
    s->call = grpc_channel_create_call(ch, NULL, GRPC_PROPAGATE_DEFAULTS, cq, method_slice, NULL,
                                       gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
    grpc_op ops[6];
    memset(ops, 0, sizeof ops);
    ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
    ops[1].op = GRPC_OP_SEND_MESSAGE;
    ops[1].data.send_message.send_message = s->out;
    ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
    ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
    ops[3].data.recv_initial_metadata.recv_initial_metadata = &s->imd;
    ops[4].op = GRPC_OP_RECV_MESSAGE;
    ops[4].data.recv_message.recv_message = &s->in;
    ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
    ops[5].data.recv_status_on_client.status = &s->status;
    ops[5].data.recv_status_on_client.status_details = &s->details;
    ops[5].data.recv_status_on_client.trailing_metadata = &s->tmd;
    if (grpc_call_start_batch(s->call, ops, 6, s, NULL) != GRPC_CALL_OK)
        bench_fail("grpc_call_start_batch");
}

static void slot_end(struct slot *s)
{
    if (s->status != GRPC_STATUS_OK)
        bench_fail("no-op call");
    grpc_call_unref(s->call);
    grpc_byte_buffer_destroy(s->out);
    if (s->in != NULL)
        grpc_byte_buffer_destroy(s->in);
    grpc_metadata_array_destroy(&s->imd);
    grpc_metadata_array_destroy(&s->tmd);
    grpc_slice_unref(s->details);
}

/* Keeps `inflight` calls going for `seconds`; returns calls completed per second. */
static double load(const char *target, int inflight, int seconds)
{
    grpc_channel_credentials *creds = grpc_insecure_credentials_create();
    grpc_channel *ch = grpc_channel_create(target, creds, NULL);
    grpc_channel_credentials_release(creds);
    grpc_completion_queue *cq = grpc_completion_queue_create_for_next(NULL);
    struct slot *slots = calloc((size_t)inflight, sizeof *slots);
    if (slots == NULL)
        bench_fail("calloc");
    for (int i = 0; i < inflight; i++)
        slot_start(&slots[i], ch, cq);
    uint64_t t0 = bench_now_ns(), stop = t0 + (uint64_t)seconds * 1000000000u;
    uint64_t done = 0;
    int running = inflight;
    while (running > 0) {
        grpc_event ev = grpc_completion_queue_next(cq, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
        if (ev.type != GRPC_OP_COMPLETE || !ev.success)
            bench_fail("completion queue");
        struct slot *s = ev.tag;
        slot_end(s);
        done++;
        if (bench_now_ns() < stop)
            slot_start(s, ch, cq);
        else
            running--;
    }
    double secs = (double)(bench_now_ns() - t0) / 1e9;
    free(slots);
    grpc_channel_destroy(ch);
    grpc_completion_queue_shutdown(cq);
    while (grpc_completion_queue_next(cq, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL).type !=
           GRPC_QUEUE_SHUTDOWN) {
    }
    grpc_completion_queue_destroy(cq);
    return (double)done / secs;
}

/* Sequential calls through the blocking client: latencies in microseconds. */
static void latency(const char *target, double *us, int n)
{
    struct rpc_channel *ch;
    BENCH_CHECK(rpc_channel_new(&ch, target, NULL));
    Kms__V1__Empty req = KMS__V1__EMPTY__INIT;
    struct rpc_call_options opt = {.timeout_ms = 10000};
    for (int i = -WARMUP_CALLS; i < n; i++) {
        ProtobufCMessage *resp;
        uint64_t t0 = bench_now_ns();
        BENCH_CHECK(rpc_client_call(ch, &resp, NULL,
                                    &kms_service__v1__core_service_endpoint__descriptor,
                                    "GetKeyMaterialAvailability", &req.base, &opt));
        if (i >= 0)
            us[i] = (double)(bench_now_ns() - t0) / 1e3;
        protobuf_c_message_free_unpacked(resp, NULL);
    }
    rpc_channel_free(ch);
}

static int env_int(const char *name, int dflt, int max)
{
    const char *v = getenv(name);
    int n = v != NULL ? atoi(v) : 0;
    return n > 0 && n <= max ? n : dflt;
}

int main(void)
{
    int inflight = env_int("BENCH_RPC_INFLIGHT", 32, MAX_INFLIGHT);
    struct rpc_server *srv;
    struct rpc_server_config cfg = {.listen_addr = "127.0.0.1:0",
                                    .cq_threads = (size_t)env_int("BENCH_RPC_CQ_THREADS", 1, 16),
                                    .workers = (size_t)env_int("BENCH_RPC_WORKERS", 2, 64)};
    BENCH_CHECK(rpc_server_new(&srv, &cfg));
    struct rpc_method_handler h[] = {{"GetKeyMaterialAvailability", on_noop,
                                      env_int("BENCH_RPC_INLINE", 0, 1) ? RPC_INLINE : 0}};
    BENCH_CHECK(rpc_server_add_service(srv, &kms_service__v1__core_service_endpoint__descriptor, h,
                                       1, NULL));
    BENCH_CHECK(rpc_server_start(srv));
    char target[64];
    snprintf(target, sizeof target, "127.0.0.1:%d", rpc_server_port(srv));

    grpc_init();
    method_slice = grpc_slice_from_static_string(METHOD);
    (void)load(target, inflight, 1); /* warm-up: connections, allocator, caches */
    double rps = load(target, inflight, LOAD_SECONDS);
    char extra[128];
    snprintf(extra, sizeof extra, "\"inflight\":%d,\"cq_threads\":%zu,\"workers\":%zu",
             inflight, cfg.cq_threads, cfg.workers);
    bench_emit_extra("rpc_noop_rps", rps, "calls/s", extra);

    double *us = malloc(LATENCY_CALLS * sizeof *us);
    if (us == NULL)
        bench_fail("malloc");
    latency(target, us, LATENCY_CALLS);
    bench_emit("rpc_noop_p50_us", bench_quantile(us, LATENCY_CALLS, 0.5), "us");
    bench_emit("rpc_noop_p99_us", bench_quantile(us, LATENCY_CALLS, 0.99), "us");
    free(us);
    grpc_shutdown();
    rpc_server_shutdown(srv, 1000);
    rpc_server_free(srv);
    return 0;
}
