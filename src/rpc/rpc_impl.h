/* Internal to src/rpc: pieces shared by the server and the client. Not for
 * use outside this folder (it pulls in the libgrpc headers). */
#ifndef CKMS_RPC_IMPL_H
#define CKMS_RPC_IMPL_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <protobuf-c/protobuf-c.h>

#include "base/clock.h"
#include "base/error.h"
#include "rpc/tls.h"

/* --- arena: the memory of one call, released (and wiped) at once --- */

#define RPC_ARENA_INLINE 1024

struct rpc_arena_chunk;

struct rpc_arena {
    unsigned char *cur, *end;         /* free space in the newest block */
    struct rpc_arena_chunk *chunks;   /* heap blocks, newest first */
    _Alignas(16) unsigned char first[RPC_ARENA_INLINE];
};

void rpc_arena_init(struct rpc_arena *a);
/* n bytes aligned to 16, not zeroed; NULL when out of memory or n > 4 GiB. */
void *rpc_arena_alloc(struct rpc_arena *a, size_t n);
/* Wipes and frees everything; the arena can be used again after init. */
void rpc_arena_release(struct rpc_arena *a);
/* A protobuf-c allocator drawing from a (free is a no-op). */
ProtobufCAllocator rpc_arena_allocator(struct rpc_arena *a);

/* --- grpc helpers --- */

/* A channel argument for a message size: 0 means the default, negative
 * means unlimited (-1 to gRPC), large values saturate at INT_MAX. */
grpc_arg rpc_arg_int(const char *key, int value);
int rpc_size_limit(int64_t configured, int64_t fallback);

/* Remaining time of a gRPC deadline, as a point on our monotonic clock. */
struct clock_deadline rpc_deadline_from_gpr(gpr_timespec d);
/* timeout_ms from now as a gRPC deadline; 0 means no deadline. */
gpr_timespec rpc_deadline_to_gpr(uint64_t timeout_ms);

/* Credentials from PEM text; KMS_EINVAL when required parts are missing. */
int rpc_server_creds(grpc_server_credentials **creds, const struct rpc_tls *tls) KMS_MUST_CHECK;
int rpc_channel_creds(grpc_channel_credentials **creds, const struct rpc_tls *tls) KMS_MUST_CHECK;

/* Blocks every asynchronous signal in the calling thread (saving the old
 * mask in *old), so that threads created now leave signals to the main
 * thread. */
void rpc_block_signals(sigset_t *old);

/* Routes libgrpc's log output to base/log.h (once per process). */
void rpc_log_init(void);

#endif
