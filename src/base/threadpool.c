#include "base/threadpool.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>

struct job {
    threadpool_job_fn *fn;
    void *arg;
};

/* One parallel_for call. It lives on its caller's stack and is linked into
 * the pool's list while helpers may join; the caller unlinks it and waits
 * for `active` to reach 0 before returning. */
struct pfor {
    threadpool_for_fn *fn;
    void *ctx;
    size_t n;
    size_t grain;
    _Atomic size_t next; /* first index nobody has claimed */
    size_t active;       /* helpers inside; guarded by the pool lock */
    struct pfor *prev, *link;
};

struct threadpool {
    pthread_mutex_t lock;
    pthread_cond_t work;    /* a job was queued, a loop was added, or stopping */
    pthread_cond_t idle;    /* the queue drained and no job is running */
    pthread_cond_t helped;  /* a helper left a parallel_for loop */
    struct job *queue;      /* ring of queue_cap slots */
    size_t queue_cap, head, count;
    size_t running;         /* jobs executing now */
    struct pfor *loops;     /* parallel_for calls that accept helpers */
    int stopping;
    size_t nthreads;        /* threads actually started */
    pthread_t *threads;
};

/* Claims the next chunk of indices; 0 when the loop is fully claimed. */
static int pfor_claim(struct pfor *f, size_t *begin, size_t *end)
{
    size_t cur = atomic_load(&f->next);
    for (;;) {
        if (cur >= f->n)
            return 0;
        size_t stop = f->n - cur < f->grain ? f->n : cur + f->grain;
        if (atomic_compare_exchange_weak(&f->next, &cur, stop)) {
            *begin = cur;
            *end = stop;
            return 1;
        }
    }
}

static void pfor_run(struct pfor *f)
{
    size_t i, end;
    while (pfor_claim(f, &i, &end))
        for (; i < end; i++)
            f->fn(f->ctx, i);
}

/* A loop that still has unclaimed indices, or NULL. Caller holds the lock. */
static struct pfor *loop_with_work(struct threadpool *p)
{
    for (struct pfor *f = p->loops; f != NULL; f = f->link)
        if (atomic_load(&f->next) < f->n)
            return f;
    return NULL;
}

static void help_loop(struct threadpool *p, struct pfor *f)
{
    f->active++;
    pthread_mutex_unlock(&p->lock);
    pfor_run(f);
    pthread_mutex_lock(&p->lock);
    if (--f->active == 0)
        pthread_cond_broadcast(&p->helped);
}

static void run_job(struct threadpool *p)
{
    struct job j = p->queue[p->head];
    p->head = (p->head + 1) % p->queue_cap;
    p->count--;
    p->running++;
    pthread_mutex_unlock(&p->lock);
    j.fn(j.arg);
    pthread_mutex_lock(&p->lock);
    p->running--;
    if (p->running == 0 && p->count == 0)
        pthread_cond_broadcast(&p->idle);
}

static void *worker_main(void *arg)
{
    struct threadpool *p = arg;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        struct pfor *f = loop_with_work(p);
        if (f != NULL)
            help_loop(p, f);
        else if (p->count > 0)
            run_job(p);
        else if (p->stopping)
            break;
        else
            pthread_cond_wait(&p->work, &p->lock);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

static void stop_and_join(struct threadpool *p)
{
    pthread_mutex_lock(&p->lock);
    p->stopping = 1;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->lock);
    for (size_t i = 0; i < p->nthreads; i++)
        pthread_join(p->threads[i], NULL);
}

static void destroy(struct threadpool *p)
{
    pthread_cond_destroy(&p->helped);
    pthread_cond_destroy(&p->idle);
    pthread_cond_destroy(&p->work);
    pthread_mutex_destroy(&p->lock);
    free(p->threads);
    free(p->queue);
    free(p);
}

static int start_workers(struct threadpool *p, size_t nthreads)
{
    /* workers inherit the mask: asynchronous signals go to the main thread;
     * faults stay unblocked so a crash in a job is still reported */
    static const int faults[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT, SIGSYS};
    sigset_t all, old;
    sigfillset(&all);
    for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++)
        sigdelset(&all, faults[i]);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int rc = 0;
    for (; p->nthreads < nthreads; p->nthreads++) {
        if (pthread_create(&p->threads[p->nthreads], NULL, worker_main, p) != 0) {
            rc = kms_err(KMS_EINTERNAL, "threadpool: cannot start worker %zu of %zu",
                         p->nthreads + 1, nthreads);
            break;
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

int threadpool_new(struct threadpool **pool, size_t nthreads, size_t queue_capacity)
{
    *pool = NULL;
    if (nthreads == 0 || nthreads > THREADPOOL_MAX_THREADS)
        return kms_err(KMS_EINVAL, "threadpool: %zu threads (want 1..%d)", nthreads,
                       THREADPOOL_MAX_THREADS);
    if (queue_capacity > THREADPOOL_MAX_QUEUE)
        return kms_err(KMS_EINVAL, "threadpool: queue capacity %zu too large", queue_capacity);
    struct threadpool *p = calloc(1, sizeof *p);
    if (p == NULL)
        return kms_err(KMS_ENOMEM, "threadpool: out of memory");
    /* one spare slot so that a zero-capacity queue still has a valid ring */
    p->queue = calloc(queue_capacity + 1, sizeof *p->queue);
    p->threads = calloc(nthreads, sizeof *p->threads);
    p->queue_cap = queue_capacity + 1;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->idle, NULL);
    pthread_cond_init(&p->helped, NULL);
    if (p->queue == NULL || p->threads == NULL) {
        destroy(p);
        return kms_err(KMS_ENOMEM, "threadpool: out of memory");
    }
    int rc = start_workers(p, nthreads);
    if (rc != 0) {
        stop_and_join(p);
        destroy(p);
        return rc;
    }
    *pool = p;
    return 0;
}

void threadpool_free(struct threadpool *pool)
{
    if (pool == NULL)
        return;
    stop_and_join(pool);
    destroy(pool);
}

int threadpool_submit(struct threadpool *pool, threadpool_job_fn *fn, void *arg)
{
    struct threadpool *p = pool;
    int rc = 0;
    if (fn == NULL)
        return kms_err(KMS_EINVAL, "threadpool: NULL job function");
    pthread_mutex_lock(&p->lock);
    if (p->stopping) {
        rc = kms_err(KMS_EUNAVAIL, "threadpool: shutting down");
    } else if (p->count + 1 >= p->queue_cap) {
        rc = kms_err(KMS_EFULL, "threadpool: queue full (%zu jobs)", p->count);
    } else {
        p->queue[(p->head + p->count) % p->queue_cap] = (struct job){fn, arg};
        p->count++;
        pthread_cond_signal(&p->work);
    }
    pthread_mutex_unlock(&p->lock);
    return rc;
}

void threadpool_wait(struct threadpool *pool)
{
    pthread_mutex_lock(&pool->lock);
    while (pool->count > 0 || pool->running > 0)
        pthread_cond_wait(&pool->idle, &pool->lock);
    pthread_mutex_unlock(&pool->lock);
}

static void unlink_loop(struct threadpool *p, struct pfor *f)
{
    if (f->prev != NULL)
        f->prev->link = f->link;
    else
        p->loops = f->link;
    if (f->link != NULL)
        f->link->prev = f->prev;
}

void threadpool_parallel_for(struct threadpool *pool, size_t n, threadpool_for_fn *fn, void *ctx)
{
    struct pfor f = {.fn = fn, .ctx = ctx, .n = n, .grain = 1};
    atomic_init(&f.next, 0);
    if (pool == NULL || n < 2) {
        for (size_t i = 0; i < n; i++)
            fn(ctx, i);
        return;
    }
    /* about 8 chunks per participant: balances load without contention */
    size_t chunks = 8 * (pool->nthreads + 1);
    f.grain = n / chunks > 0 ? n / chunks : 1;

    pthread_mutex_lock(&pool->lock);
    f.link = pool->loops;
    if (f.link != NULL)
        f.link->prev = &f;
    pool->loops = &f;
    pthread_cond_broadcast(&pool->work);
    pthread_mutex_unlock(&pool->lock);

    pfor_run(&f);

    pthread_mutex_lock(&pool->lock);
    unlink_loop(pool, &f);
    while (f.active > 0)
        pthread_cond_wait(&pool->helped, &pool->lock);
    pthread_mutex_unlock(&pool->lock);
}

size_t threadpool_size(const struct threadpool *pool) { return pool->nthreads; }

size_t threadpool_queued(struct threadpool *pool)
{
    pthread_mutex_lock(&pool->lock);
    size_t n = pool->count;
    pthread_mutex_unlock(&pool->lock);
    return n;
}
