/* The gRPC server: registration, completion-queue threads, dispatch to the
 * worker pool, and shutdown. What a call does once it runs is in call.c.
 *
 * Every method is registered with libgrpc up front, with the request
 * payload read before the call is reported; so a call arrives as one
 * completion-queue event with its request bytes, and ends with one more
 * event when its answer has gone out. Unknown paths arrive through the
 * generic request and are answered UNIMPLEMENTED.
 *
 * Completion-queue tags are struct rpc_call (kind TAG_CALL, TAG_GENERIC,
 * then TAG_FINISH) or the server's shutdown tag; each starts with its kind. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <grpc/support/alloc.h>

#include "base/log.h"
#include "base/threadpool.h"
#include "rpc/server_impl.h"

/* Requests kept posted per method, so a burst does not wait for reposts. */
#define REQUESTS_PER_METHOD 2
/* Bound on worker threads when the CPU count is unknown or huge. */
#define MAX_DEFAULT_WORKERS 64

static void *cq_thread_main(void *arg);

static struct rpc_method *method_new(struct rpc_server *s, const ProtobufCServiceDescriptor *svc,
                                     const ProtobufCMethodDescriptor *md)
{
    size_t len = strlen(svc->name) + strlen(md->name) + 3;
    struct rpc_method *m = calloc(1, sizeof *m + len);
    if (m == NULL)
        return NULL;
    m->srv = s;
    m->desc = md;
    snprintf(m->path, len, "/%s/%s", svc->name, md->name);
    return m;
}

static int methods_push(struct rpc_server *s, struct rpc_method *m)
{
    if (s->n_methods == s->cap_methods) {
        size_t cap = s->cap_methods ? 2 * s->cap_methods : 32;
        struct rpc_method **p = realloc(s->methods, cap * sizeof *p);
        if (p == NULL)
            return kms_err(KMS_ENOMEM, "rpc: out of memory");
        s->methods = p;
        s->cap_methods = cap;
    }
    s->methods[s->n_methods++] = m;
    return 0;
}

static int config_check(const struct rpc_server_config *cfg)
{
    if (cfg == NULL || cfg->listen_addr == NULL || cfg->listen_addr[0] == '\0')
        return kms_err(KMS_EINVAL, "rpc: no listen address");
    if (cfg->cq_threads > RPC_MAX_CQ_THREADS)
        return kms_err(KMS_EINVAL, "rpc: %zu completion-queue threads (at most %d)",
                       cfg->cq_threads, RPC_MAX_CQ_THREADS);
    if (cfg->workers > THREADPOOL_MAX_THREADS)
        return kms_err(KMS_EINVAL, "rpc: %zu workers (at most %d)", cfg->workers,
                       THREADPOOL_MAX_THREADS);
    if (cfg->queue_capacity > THREADPOOL_MAX_QUEUE)
        return kms_err(KMS_EINVAL, "rpc: queue capacity %zu too large", cfg->queue_capacity);
    return 0;
}

static size_t default_workers(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        return 2;
    return n > MAX_DEFAULT_WORKERS ? MAX_DEFAULT_WORKERS : (size_t)n;
}

static int server_bind(struct rpc_server *s, const struct rpc_server_config *cfg)
{
    grpc_arg args[] = {
        rpc_arg_int(GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH, s->max_recv),
        rpc_arg_int(GRPC_ARG_MAX_SEND_MESSAGE_LENGTH, s->max_send),
        /* libgrpc turns SO_REUSEPORT on by default: a second server on a
         * busy port would then share it silently instead of failing */
        rpc_arg_int(GRPC_ARG_ALLOW_REUSEPORT, 0),
        /* the reference (tonic/hyper) never hangs up on a client for
         * sending keepalive pings; libgrpc by default does after two
         * pings within 5 minutes without data, which would cut off
         * clients configured for the reference */
        rpc_arg_int(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 0),
        rpc_arg_int(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1),
    };
    grpc_channel_args chargs = {sizeof args / sizeof args[0], args};
    s->server = grpc_server_create(&chargs, NULL);
    s->cq = grpc_completion_queue_create_for_next(NULL);
    if (s->server == NULL || s->cq == NULL)
        return kms_err(KMS_EINTERNAL, "rpc: cannot create the gRPC server");
    grpc_server_register_completion_queue(s->server, s->cq, NULL);
    grpc_server_credentials *creds;
    KMS_TRY(rpc_server_creds(&creds, cfg->tls));
    s->port = grpc_server_add_http2_port(s->server, cfg->listen_addr, creds);
    grpc_server_credentials_release(creds);
    if (s->port <= 0)
        return kms_err(KMS_EIO, "rpc: cannot listen on %s (address in use or invalid)",
                       cfg->listen_addr);
    return 0;
}

int rpc_server_new(struct rpc_server **srv, const struct rpc_server_config *cfg)
{
    *srv = NULL;
    KMS_TRY(config_check(cfg));
    struct rpc_server *s = calloc(1, sizeof *s);
    if (s == NULL)
        return kms_err(KMS_ENOMEM, "rpc: out of memory");
    rpc_log_init();
    grpc_init();
    pthread_mutex_init(&s->life_lock, NULL);
    pthread_mutex_init(&s->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->cond, &ca);
    pthread_condattr_destroy(&ca);
    s->shutdown_tag.kind = TAG_SHUTDOWN;
    s->n_cq_threads = cfg->cq_threads ? cfg->cq_threads : 1;
    s->n_workers = cfg->workers ? cfg->workers : default_workers();
    s->queue_capacity = cfg->queue_capacity ? cfg->queue_capacity : RPC_DEFAULT_QUEUE;
    s->max_recv = rpc_size_limit(cfg->max_recv_bytes, RPC_DEFAULT_MAX_MESSAGE);
    s->max_send = rpc_size_limit(cfg->max_send_bytes, RPC_DEFAULT_MAX_MESSAGE);
    atomic_init(&s->state, STATE_NEW);
    int rc = server_bind(s, cfg);
    if (rc != 0) {
        rpc_server_free(s);
        return rc;
    }
    *srv = s;
    return 0;
}

static const struct rpc_method_handler *find_handler(const struct rpc_method_handler *h, size_t n,
                                                     const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(h[i].method, name) == 0)
            return &h[i];
    return NULL;
}

static int handlers_check(const ProtobufCServiceDescriptor *svc,
                          const struct rpc_method_handler *h, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (h[i].method == NULL || h[i].fn == NULL)
            return kms_err(KMS_EINVAL, "rpc: handler %zu of %s has no method or function", i,
                           svc->name);
        if (h[i].flags & ~RPC_INLINE)
            return kms_err(KMS_EINVAL, "rpc: unknown flags 0x%x for %s", h[i].flags, h[i].method);
        if (protobuf_c_service_descriptor_get_method_by_name(svc, h[i].method) == NULL)
            return kms_err(KMS_EINVAL, "rpc: %s has no method %s", svc->name, h[i].method);
        if (find_handler(h, i, h[i].method) != NULL)
            return kms_err(KMS_EINVAL, "rpc: two handlers for %s.%s", svc->name, h[i].method);
    }
    return 0;
}

int rpc_server_add_service(struct rpc_server *s, const ProtobufCServiceDescriptor *svc,
                           const struct rpc_method_handler *handlers, size_t n_handlers, void *ctx)
{
    if (svc == NULL || (handlers == NULL && n_handlers > 0))
        return kms_err(KMS_EINVAL, "rpc: no service descriptor");
    if (atomic_load(&s->state) != STATE_NEW)
        return kms_err(KMS_EINVAL, "rpc: services must be added before the server starts");
    for (size_t i = 0; i < s->n_methods; i++)
        if (s->methods[i]->svc == svc)
            return kms_err(KMS_EINVAL, "rpc: service %s added twice", svc->name);
    KMS_TRY(handlers_check(svc, handlers, n_handlers));
    for (unsigned i = 0; i < svc->n_methods; i++) {
        struct rpc_method *m = method_new(s, svc, &svc->methods[i]);
        if (m == NULL)
            return kms_err(KMS_ENOMEM, "rpc: out of memory");
        m->svc = svc;
        const struct rpc_method_handler *h = find_handler(handlers, n_handlers, m->desc->name);
        if (h != NULL) {
            m->fn = h->fn;
            m->flags = h->flags;
            m->ctx = ctx;
        }
        m->handle = grpc_server_register_method(s->server, m->path, NULL,
                                                GRPC_SRM_PAYLOAD_READ_INITIAL_BYTE_BUFFER, 0);
        int rc = m->handle == NULL ? kms_err(KMS_EINVAL, "rpc: cannot register %s", m->path)
                                   : methods_push(s, m);
        if (rc != 0) {
            free(m);
            return rc;
        }
    }
    return 0;
}

/* Posts one request for the next call of method m (NULL: any unknown path). */
static int request_call(struct rpc_server *s, struct rpc_method *m)
{
    struct rpc_call *c = rpc_call_new(s, m);
    if (c == NULL)
        return kms_err(KMS_ENOMEM, "rpc: out of memory");
    grpc_call_error e;
    if (m != NULL) {
        e = grpc_server_request_registered_call(s->server, m->handle, &c->call, &c->gpr_deadline,
                                                &c->md, &c->payload, s->cq, s->cq, c);
    } else {
        c->kind = TAG_GENERIC;
        e = grpc_server_request_call(s->server, &c->call, &c->details, &c->md, s->cq, s->cq, c);
    }
    if (e != GRPC_CALL_OK) {
        rpc_call_free(c);
        return kms_err(KMS_EINTERNAL, "rpc: cannot request calls (grpc error %d)", (int)e);
    }
    return 0;
}

static int start_threads(struct rpc_server *s)
{
    s->cq_threads = calloc(s->n_cq_threads, sizeof *s->cq_threads);
    if (s->cq_threads == NULL)
        return kms_err(KMS_ENOMEM, "rpc: out of memory");
    sigset_t old;
    rpc_block_signals(&old);
    int rc = 0;
    for (; s->n_started < s->n_cq_threads; s->n_started++) {
        if (pthread_create(&s->cq_threads[s->n_started], NULL, cq_thread_main, s) != 0) {
            rc = kms_err(KMS_EINTERNAL, "rpc: cannot start a completion-queue thread");
            break;
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

int rpc_server_start(struct rpc_server *s)
{
    if (atomic_load(&s->state) != STATE_NEW)
        return kms_err(KMS_EINVAL, "rpc: server already started");
    KMS_TRY(threadpool_new(&s->pool, s->n_workers, s->queue_capacity));
    grpc_server_start(s->server);
    atomic_store(&s->state, STATE_RUNNING);
    int rc = start_threads(s);
    for (size_t i = 0; rc == 0 && i < s->n_methods; i++)
        for (int k = 0; rc == 0 && k < REQUESTS_PER_METHOD; k++)
            rc = request_call(s, s->methods[i]);
    for (int k = 0; rc == 0 && k < REQUESTS_PER_METHOD; k++)
        rc = request_call(s, NULL);
    if (rc != 0) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s", kms_err_msg());
        rpc_server_shutdown(s, 0);
        return kms_err(rc, "%s", msg);
    }
    return 0;
}

int rpc_server_port(const struct rpc_server *s) { return s->port; }

/* --- the completion-queue threads --- */

static void on_shutdown_tag(struct rpc_server *s)
{
    pthread_mutex_lock(&s->lock);
    s->shutdown_done = 1;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
}

static void run_job(void *arg)
{
    struct rpc_call *c = arg;
    atomic_fetch_sub_explicit(&c->srv->n_queued, 1, memory_order_relaxed);
    rpc_call_run(c);
}

/* A registered call arrived with its request bytes. */
static void on_new_call(struct rpc_server *s, struct rpc_call *c, int ok)
{
    if (!ok) { /* the server is shutting down: the request was withdrawn */
        rpc_call_free(c);
        return;
    }
    rpc_call_arrived(c);
    if (atomic_load(&s->state) == STATE_RUNNING && request_call(s, c->method) != 0)
        log_error("rpc: cannot post a new request", "method=%s error=\"%s\"", c->method->path,
                  kms_err_msg());
    if (c->method->fn == NULL) {
        rpc_call_finish(c, RPC_UNIMPLEMENTED, "method %s is not implemented", c->method->path);
        return;
    }
    if (c->method->flags & RPC_INLINE) {
        rpc_call_run(c);
        return;
    }
    atomic_fetch_add_explicit(&s->n_queued, 1, memory_order_relaxed);
    int rc = threadpool_submit(s->pool, run_job, c);
    if (rc != 0)
        atomic_fetch_sub_explicit(&s->n_queued, 1, memory_order_relaxed);
    if (rc == KMS_EFULL) {
        atomic_fetch_add_explicit(&s->n_rejected, 1, memory_order_relaxed);
        rpc_call_finish(c, RPC_RESOURCE_EXHAUSTED, "server busy: %zu calls already waiting",
                        s->queue_capacity);
    } else if (rc != 0) {
        rpc_call_finish(c, RPC_UNAVAILABLE, "server shutting down");
    }
}

/* A call to a path no service has. */
static void on_generic_call(struct rpc_server *s, struct rpc_call *c, int ok)
{
    if (!ok) {
        rpc_call_free(c);
        return;
    }
    rpc_call_arrived(c);
    if (atomic_load(&s->state) == STATE_RUNNING && request_call(s, NULL) != 0)
        log_error("rpc: cannot post a new request", "error=\"%s\"", kms_err_msg());
    char *path = grpc_slice_to_c_string(c->details.method);
    rpc_call_finish(c, RPC_UNIMPLEMENTED, "unknown method %.200s", path ? path : "?");
    gpr_free(path);
}

static void *cq_thread_main(void *arg)
{
    struct rpc_server *s = arg;
    for (;;) {
        grpc_event ev =
            grpc_completion_queue_next(s->cq, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
        if (ev.type == GRPC_QUEUE_SHUTDOWN)
            break;
        if (ev.type != GRPC_OP_COMPLETE)
            continue;
        enum rpc_tag_kind kind = *(enum rpc_tag_kind *)ev.tag;
        switch (kind) {
        case TAG_SHUTDOWN:
            on_shutdown_tag(s);
            break;
        case TAG_CALL:
            on_new_call(s, ev.tag, ev.success);
            break;
        case TAG_GENERIC:
            on_generic_call(s, ev.tag, ev.success);
            break;
        case TAG_FINISH:
            rpc_call_free(ev.tag);
            break;
        }
    }
    return NULL;
}

/* --- shutdown --- */

/* Waits until libgrpc has reported the shutdown and every call we took has
 * been freed (a call libgrpc counts as done, e.g. after its deadline, may
 * still be in a handler, and its answer needs the completion queue), or
 * until `d`. 1 when idle. */
static int wait_idle(struct rpc_server *s, struct clock_deadline d)
{
    pthread_mutex_lock(&s->lock);
    for (;;) {
        if (s->shutdown_done && atomic_load(&s->n_active) == 0)
            break;
        if (clock_deadline_expired(d))
            break;
        /* short waits: rpc_call_free signals, this is only the safety net */
        uint64_t left = clock_deadline_remaining_ms(d);
        struct timespec ts = clock_deadline_timespec(clock_deadline_in_ms(left < 50 ? left : 50));
        pthread_cond_timedwait(&s->cond, &s->lock, &ts);
    }
    int idle = s->shutdown_done && atomic_load(&s->n_active) == 0;
    pthread_mutex_unlock(&s->lock);
    return idle;
}

/* Drains the queue in this thread (no completion-queue thread is running). */
static void drain_inline(struct rpc_server *s)
{
    for (;;) {
        grpc_event ev =
            grpc_completion_queue_next(s->cq, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
        if (ev.type == GRPC_QUEUE_SHUTDOWN)
            return;
        if (ev.type != GRPC_OP_COMPLETE)
            continue;
        enum rpc_tag_kind kind = *(enum rpc_tag_kind *)ev.tag;
        if (kind == TAG_SHUTDOWN) {
            grpc_completion_queue_shutdown(s->cq);
        } else {
            rpc_call_free(ev.tag);
        }
    }
}

void rpc_server_shutdown(struct rpc_server *s, uint64_t grace_ms)
{
    pthread_mutex_lock(&s->life_lock);
    int state = atomic_load(&s->state);
    if (state == STATE_STOPPED || state == STATE_NEW) {
        pthread_mutex_unlock(&s->life_lock);
        return;
    }
    atomic_store(&s->state, STATE_DRAINING);
    grpc_server_shutdown_and_notify(s->server, s->cq, &s->shutdown_tag);
    if (s->n_started == 0) {
        /* nothing can run a call: cancel and drain here */
        atomic_store(&s->state, STATE_CANCELLING);
        grpc_server_cancel_all_calls(s->server);
        drain_inline(s);
    } else {
        if (!wait_idle(s, clock_deadline_in_ms(grace_ms))) {
            atomic_store(&s->state, STATE_CANCELLING);
            grpc_server_cancel_all_calls(s->server);
            (void)wait_idle(s, CLOCK_DEADLINE_NEVER);
        }
        grpc_completion_queue_shutdown(s->cq);
        for (size_t i = 0; i < s->n_started; i++)
            pthread_join(s->cq_threads[i], NULL);
    }
    threadpool_free(s->pool);
    s->pool = NULL;
    atomic_store(&s->state, STATE_STOPPED);
    pthread_mutex_unlock(&s->life_lock);
}

void rpc_server_free(struct rpc_server *s)
{
    if (s == NULL)
        return;
    if (atomic_load(&s->state) != STATE_NEW) {
        rpc_server_shutdown(s, 0);
    } else if (s->server != NULL) {
        /* never started: libgrpc still wants a shutdown before destroy */
        grpc_server_shutdown_and_notify(s->server, s->cq, &s->shutdown_tag);
        drain_inline(s);
    }
    if (s->server != NULL)
        grpc_server_destroy(s->server);
    if (s->cq != NULL)
        grpc_completion_queue_destroy(s->cq);
    for (size_t i = 0; i < s->n_methods; i++)
        free(s->methods[i]);
    free(s->methods);
    free(s->cq_threads);
    if (s->health_free != NULL)
        s->health_free(s->health);
    pthread_cond_destroy(&s->cond);
    pthread_mutex_destroy(&s->lock);
    pthread_mutex_destroy(&s->life_lock);
    free(s);
    grpc_shutdown();
}

void rpc_server_stats(struct rpc_server *s, struct rpc_server_stats *st)
{
    st->calls = atomic_load_explicit(&s->n_calls, memory_order_relaxed);
    st->ok = atomic_load_explicit(&s->n_ok, memory_order_relaxed);
    st->failed = atomic_load_explicit(&s->n_failed, memory_order_relaxed);
    st->rejected = atomic_load_explicit(&s->n_rejected, memory_order_relaxed);
    st->active = atomic_load_explicit(&s->n_active, memory_order_relaxed);
    st->queued = atomic_load_explicit(&s->n_queued, memory_order_relaxed);
}
