/* Internal to src/rpc: the server's and the call's insides, shared by
 * server.c (lifecycle, threads, dispatch), call.c (running one call) and
 * health.c. */
#ifndef CKMS_RPC_SERVER_IMPL_H
#define CKMS_RPC_SERVER_IMPL_H

#include <pthread.h>
#include <stdatomic.h>

#include "base/log.h"
#include "rpc/rpc_impl.h"
#include "rpc/server.h"

enum rpc_tag_kind { TAG_CALL, TAG_GENERIC, TAG_FINISH, TAG_SHUTDOWN };

enum rpc_state { STATE_NEW, STATE_RUNNING, STATE_DRAINING, STATE_CANCELLING, STATE_STOPPED };

struct rpc_method {
    struct rpc_server *srv;
    const ProtobufCServiceDescriptor *svc;
    const ProtobufCMethodDescriptor *desc;
    void *handle;            /* libgrpc's registered-method handle */
    rpc_handler_fn *fn;      /* NULL: UNIMPLEMENTED */
    void *ctx;
    unsigned flags;
    char path[];             /* "/pkg.Service/Method" */
};

struct rpc_tag {
    enum rpc_tag_kind kind;
};

struct rpc_server {
    grpc_server *server;
    grpc_completion_queue *cq;
    int port;
    int max_recv, max_send;              /* bytes, -1 = unlimited */
    size_t n_cq_threads, n_started, n_workers, queue_capacity;
    struct rpc_method **methods;
    size_t n_methods, cap_methods;
    pthread_t *cq_threads;
    struct threadpool *pool;
    _Atomic int state;                   /* enum rpc_state */

    pthread_mutex_t life_lock;           /* serialises shutdown */
    pthread_mutex_t lock;                /* guards shutdown_done */
    pthread_cond_t cond;
    int shutdown_done;
    struct rpc_tag shutdown_tag;

    _Atomic uint64_t n_calls, n_ok, n_failed, n_rejected, n_active, n_queued;

    void *health;                        /* health.c's state, or NULL */
    void (*health_free)(void *);
};

struct rpc_call {
    enum rpc_tag_kind kind;              /* first: this is a completion-queue tag */
    int counted;                         /* arrived, so counted in n_active */
    struct rpc_server *srv;
    struct rpc_method *method;           /* NULL for an unknown path */
    grpc_call *call;
    gpr_timespec gpr_deadline;
    grpc_call_details details;           /* unknown paths only */
    grpc_metadata_array md;
    grpc_byte_buffer *payload;           /* the request as received */
    grpc_byte_buffer *reply;             /* the packed response */
    struct clock_deadline deadline;
    int cancelled;                       /* written by RECV_CLOSE_ON_SERVER */
    int fail_code;                       /* set by rpc_call_fail */
    const char *request_id;              /* in the arena, or NULL */
    size_t status_len;
    grpc_slice status_slice;             /* copy of status_msg sent to libgrpc */
    char status_msg[RPC_STATUS_MESSAGE_MAX];
    struct rpc_arena arena;
};

/* call.c */
struct rpc_call *rpc_call_new(struct rpc_server *s, struct rpc_method *m);
void rpc_call_free(struct rpc_call *c);
/* Bookkeeping when the call event arrives (deadline, counters). */
void rpc_call_arrived(struct rpc_call *c);
/* Unpacks, runs the handler, answers. */
void rpc_call_run(struct rpc_call *c);
/* Answers with `code` (the packed reply if one was set and code is OK). */
void rpc_call_finish(struct rpc_call *c, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
