/* A fixed set of worker threads fed from a bounded job queue.
 *
 * submit() never blocks: when the queue is full it fails with KMS_EFULL, so
 * the caller can shed load (admission control builds on this) instead of
 * piling up work.
 *
 * parallel_for() splits a loop across the idle workers and the calling
 * thread. It does not take queue slots, and the caller always works through
 * the loop itself, so it completes even when every worker is busy, when
 * called from a job running on the pool, and when several threads call it
 * at once. Workers help with parallel_for loops before starting new jobs. */
#ifndef CKMS_BASE_THREADPOOL_H
#define CKMS_BASE_THREADPOOL_H

#include <stddef.h>

#include "base/error.h"

struct threadpool;

typedef void threadpool_job_fn(void *arg);
typedef void threadpool_for_fn(void *ctx, size_t i);

#define THREADPOOL_MAX_THREADS 1024
#define THREADPOOL_MAX_QUEUE ((size_t)1 << 20)

/* Starts nthreads (1..THREADPOOL_MAX_THREADS) workers with room for
 * queue_capacity (0..THREADPOOL_MAX_QUEUE) waiting jobs. Worker threads
 * block all asynchronous signals, which are left to the main thread. */
int threadpool_new(struct threadpool **pool, size_t nthreads, size_t queue_capacity)
    KMS_MUST_CHECK;

/* Runs the jobs still queued, then stops and joins the workers.
 * threadpool_free(NULL) is a no-op. Jobs may not submit new work while the
 * pool is being freed (submit fails with KMS_EUNAVAIL). */
void threadpool_free(struct threadpool *pool);

/* Queues fn(arg) to run on a worker. KMS_EFULL when the queue is full. */
int threadpool_submit(struct threadpool *pool, threadpool_job_fn *fn, void *arg) KMS_MUST_CHECK;

/* Blocks until the queue is empty and no job is running. Must not be called
 * from a job (it would wait for itself). */
void threadpool_wait(struct threadpool *pool);

/* Calls fn(ctx, i) once for every i in 0..n-1, spread over the workers and
 * the calling thread, and returns when all calls have returned. Calls run
 * concurrently and in no particular order. pool may be NULL (runs inline). */
void threadpool_parallel_for(struct threadpool *pool, size_t n, threadpool_for_fn *fn,
                             void *ctx);

/* Number of worker threads. */
size_t threadpool_size(const struct threadpool *pool);
/* Jobs waiting in the queue right now (a snapshot). */
size_t threadpool_queued(struct threadpool *pool);

#endif
