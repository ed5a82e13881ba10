/* Thread pool: every job runs exactly once, EFULL at capacity, free drains
 * the queue, wait covers jobs that submit jobs, parallel_for calls each
 * index exactly once for many sizes, really runs on several threads, and
 * completes when called concurrently, nested inside itself and from jobs,
 * and when every worker is blocked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "base/clock.h"
#include "base/threadpool.h"

/* A gate jobs can block on until the test opens it. */
struct gate {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int open;
    int waiting;
};

static struct gate gate = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};

static void gate_reset(void)
{
    pthread_mutex_lock(&gate.lock);
    gate.open = 0;
    gate.waiting = 0;
    pthread_mutex_unlock(&gate.lock);
}

static void gate_open(void)
{
    pthread_mutex_lock(&gate.lock);
    gate.open = 1;
    pthread_cond_broadcast(&gate.cond);
    pthread_mutex_unlock(&gate.lock);
}

/* Waits until n jobs are blocked at the gate (fails after 5 s). */
static void gate_wait_for(int n)
{
    struct clock_deadline d = clock_deadline_in_ms(5000);
    pthread_mutex_lock(&gate.lock);
    while (gate.waiting < n && !clock_deadline_expired(d)) {
        pthread_mutex_unlock(&gate.lock);
        clock_sleep_ms(1);
        pthread_mutex_lock(&gate.lock);
    }
    int got = gate.waiting;
    pthread_mutex_unlock(&gate.lock);
    assert_int_equal(got, n);
}

static _Atomic int counter;

static void blocking_job(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&gate.lock);
    gate.waiting++;
    while (!gate.open)
        pthread_cond_wait(&gate.cond, &gate.lock);
    pthread_mutex_unlock(&gate.lock);
    atomic_fetch_add(&counter, 1);
}

static void count_job(void *arg)
{
    atomic_fetch_add((_Atomic int *)arg, 1);
    atomic_fetch_add(&counter, 1);
}

static void test_pool_all_jobs_run(void **state)
{
    (void)state;
    struct threadpool *p;
    assert_int_equal(threadpool_new(&p, 4, 2000), 0);
    assert_int_equal(threadpool_size(p), 4);
    static _Atomic int ran[1000];
    atomic_store(&counter, 0);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(threadpool_submit(p, count_job, &ran[i]), 0);
    threadpool_wait(p);
    assert_int_equal(atomic_load(&counter), 1000);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(atomic_load(&ran[i]), 1);
    assert_int_equal(threadpool_queued(p), 0);
    threadpool_wait(p); /* idle: returns at once */
    threadpool_free(p);
}

static void test_pool_efull(void **state)
{
    (void)state;
    struct threadpool *p;
    assert_int_equal(threadpool_new(&p, 1, 2), 0);
    gate_reset();
    atomic_store(&counter, 0);
    assert_int_equal(threadpool_submit(p, blocking_job, NULL), 0);
    gate_wait_for(1); /* the only worker is busy */
    assert_int_equal(threadpool_submit(p, blocking_job, NULL), 0);
    assert_int_equal(threadpool_submit(p, blocking_job, NULL), 0);
    assert_int_equal(threadpool_queued(p), 2);
    assert_int_equal(threadpool_submit(p, blocking_job, NULL), KMS_EFULL);
    assert_int_equal(threadpool_submit(p, blocking_job, NULL), KMS_EFULL);
    assert_int_equal(threadpool_queued(p), 2);
    gate_open();
    threadpool_wait(p);
    assert_int_equal(atomic_load(&counter), 3);
    /* room again */
    assert_int_equal(threadpool_submit(p, blocking_job, NULL), 0);
    threadpool_wait(p);
    assert_int_equal(atomic_load(&counter), 4);
    threadpool_free(p);
}

static void test_pool_zero_capacity(void **state)
{
    (void)state;
    struct threadpool *p;
    assert_int_equal(threadpool_new(&p, 2, 0), 0);
    _Atomic int x = 0;
    assert_int_equal(threadpool_submit(p, count_job, &x), KMS_EFULL);
    threadpool_wait(p);
    threadpool_free(p);
}

static void test_pool_bad_args(void **state)
{
    (void)state;
    struct threadpool *p = (struct threadpool *)&p;
    assert_int_equal(threadpool_new(&p, 0, 10), KMS_EINVAL);
    assert_null(p);
    assert_int_equal(threadpool_new(&p, THREADPOOL_MAX_THREADS + 1, 10), KMS_EINVAL);
    assert_int_equal(threadpool_new(&p, 1, THREADPOOL_MAX_QUEUE + 1), KMS_EINVAL);
    assert_int_equal(threadpool_new(&p, 1, 1), 0);
    assert_int_equal(threadpool_submit(p, NULL, NULL), KMS_EINVAL);
    threadpool_free(p);
    threadpool_free(NULL);
}

static void test_pool_free_drains(void **state)
{
    (void)state;
    struct threadpool *p;
    assert_int_equal(threadpool_new(&p, 1, 100), 0);
    gate_reset();
    atomic_store(&counter, 0);
    assert_int_equal(threadpool_submit(p, blocking_job, NULL), 0);
    gate_wait_for(1);
    static _Atomic int ran[50];
    for (int i = 0; i < 50; i++)
        assert_int_equal(threadpool_submit(p, count_job, &ran[i]), 0);
    gate_open();
    threadpool_free(p); /* runs the 50 queued jobs before joining */
    assert_int_equal(atomic_load(&counter), 51);
    for (int i = 0; i < 50; i++)
        assert_int_equal(atomic_load(&ran[i]), 1);
}

struct chain {
    struct threadpool *pool;
    _Atomic int left;
    _Atomic int failed;
};

static void chain_job(void *arg)
{
    struct chain *c = arg;
    atomic_fetch_add(&counter, 1);
    if (atomic_fetch_sub(&c->left, 1) > 1 && threadpool_submit(c->pool, chain_job, c) != 0)
        atomic_store(&c->failed, 1);
}

static void test_pool_wait_covers_follow_up_jobs(void **state)
{
    (void)state;
    struct chain c;
    assert_int_equal(threadpool_new(&c.pool, 2, 4), 0);
    atomic_store(&c.left, 200);
    atomic_store(&c.failed, 0);
    atomic_store(&counter, 0);
    assert_int_equal(threadpool_submit(c.pool, chain_job, &c), 0);
    threadpool_wait(c.pool);
    assert_int_equal(atomic_load(&c.failed), 0);
    assert_int_equal(atomic_load(&counter), 200);
    threadpool_free(c.pool);
}

static _Atomic int mask_ok;

static void mask_job(void *arg)
{
    (void)arg;
    sigset_t cur;
    pthread_sigmask(SIG_BLOCK, NULL, &cur);
    atomic_store(&mask_ok, sigismember(&cur, SIGTERM) == 1 && sigismember(&cur, SIGINT) == 1 &&
                               sigismember(&cur, SIGSEGV) == 0 && sigismember(&cur, SIGABRT) == 0);
}

static void test_pool_workers_block_signals(void **state)
{
    (void)state;
    sigset_t before, after;
    pthread_sigmask(SIG_BLOCK, NULL, &before);
    struct threadpool *p;
    assert_int_equal(threadpool_new(&p, 1, 1), 0);
    pthread_sigmask(SIG_BLOCK, NULL, &after);
    assert_int_equal(sigismember(&after, SIGTERM), sigismember(&before, SIGTERM)); /* restored */
    atomic_store(&mask_ok, 0);
    assert_int_equal(threadpool_submit(p, mask_job, NULL), 0);
    threadpool_wait(p);
    assert_int_equal(atomic_load(&mask_ok), 1);
    threadpool_free(p);
}

/* ---- parallel_for ------------------------------------------------------ */

struct cover {
    _Atomic unsigned char *hits;
    size_t n;
};

static void cover_fn(void *ctx, size_t i)
{
    struct cover *c = ctx;
    if (i < c->n)
        atomic_fetch_add(&c->hits[i], 1);
}

static void check_cover(struct threadpool *p, size_t n)
{
    struct cover c = {calloc(n + 1, 1), n};
    assert_non_null(c.hits);
    threadpool_parallel_for(p, n, cover_fn, &c);
    for (size_t i = 0; i < n; i++)
        if (atomic_load(&c.hits[i]) != 1)
            fail_msg("n=%zu: index %zu ran %d times", n, i, (int)atomic_load(&c.hits[i]));
    free((void *)c.hits);
}

static void test_pfor_each_index_once(void **state)
{
    (void)state;
    static const size_t sizes[] = {0, 1, 2, 3, 5, 7, 8, 31, 100, 1000, 4099, 100003};
    struct threadpool *p;
    assert_int_equal(threadpool_new(&p, 3, 8), 0);
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        check_cover(p, sizes[k]);
        check_cover(NULL, sizes[k]); /* no pool: inline */
    }
    threadpool_free(p);
}

/* The first two indices wait for each other: completes only if two
 * threads really run the loop at the same time. */
struct meet {
    _Atomic int arrived;
    _Atomic int met;
};

static void meet_fn(void *ctx, size_t i)
{
    struct meet *m = ctx;
    if (i >= 2)
        return;
    atomic_fetch_add(&m->arrived, 1);
    struct clock_deadline d = clock_deadline_in_ms(5000);
    while (atomic_load(&m->arrived) < 2 && !clock_deadline_expired(d))
        clock_sleep_ms(1);
    if (atomic_load(&m->arrived) >= 2)
        atomic_store(&m->met, 1);
}

static void test_pfor_runs_in_parallel(void **state)
{
    (void)state;
    struct threadpool *p;
    assert_int_equal(threadpool_new(&p, 2, 8), 0);
    struct meet m;
    atomic_init(&m.arrived, 0);
    atomic_init(&m.met, 0);
    /* n = 2 with grain 1: index 0 and 1 are claimed by different threads */
    threadpool_parallel_for(p, 2, meet_fn, &m);
    assert_int_equal(atomic_load(&m.met), 1);
    threadpool_free(p);
}

struct sum_ctx {
    _Atomic uint64_t sum;
};

static void sum_fn(void *ctx, size_t i)
{
    atomic_fetch_add(&((struct sum_ctx *)ctx)->sum, (uint64_t)i + 1);
}

#define CONC_CALLERS 6

static void *concurrent_caller(void *arg)
{
    struct threadpool *p = arg;
    for (int rep = 0; rep < 20; rep++) {
        struct sum_ctx s;
        atomic_init(&s.sum, 0);
        size_t n = 1000 + (size_t)rep * 37;
        threadpool_parallel_for(p, n, sum_fn, &s);
        if (atomic_load(&s.sum) != (uint64_t)n * (n + 1) / 2)
            return (void *)1;
    }
    return NULL;
}

static void test_pfor_concurrent_callers(void **state)
{
    (void)state;
    struct threadpool *p;
    assert_int_equal(threadpool_new(&p, 3, 1), 0);
    pthread_t t[CONC_CALLERS];
    for (int i = 0; i < CONC_CALLERS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, concurrent_caller, p), 0);
    for (int i = 0; i < CONC_CALLERS; i++) {
        void *bad = (void *)1;
        assert_int_equal(pthread_join(t[i], &bad), 0);
        assert_null(bad);
    }
    threadpool_free(p);
}

/* Outer loop whose body runs an inner parallel_for on the same pool. */
struct nested {
    struct threadpool *pool;
    _Atomic uint64_t total;
};

static void inner_fn(void *ctx, size_t i)
{
    atomic_fetch_add(&((struct nested *)ctx)->total, (uint64_t)i);
}

static void outer_fn(void *ctx, size_t i)
{
    struct nested *c = ctx;
    (void)i;
    threadpool_parallel_for(c->pool, 50, inner_fn, c); /* sum 0..49 = 1225 */
}

static void nested_job(void *arg)
{
    struct nested *c = arg;
    threadpool_parallel_for(c->pool, 40, outer_fn, c);
}

static void test_pfor_nested_and_from_jobs(void **state)
{
    (void)state;
    struct threadpool *p;
    assert_int_equal(threadpool_new(&p, 2, 4), 0);
    struct nested c[5];
    for (int k = 0; k < 5; k++) {
        c[k].pool = p;
        atomic_init(&c[k].total, 0);
    }
    /* four jobs fill both workers and the queue; each nests two levels */
    for (int k = 0; k < 4; k++)
        assert_int_equal(threadpool_submit(p, nested_job, &c[k]), 0);
    nested_job(&c[4]); /* and the test thread does the same meanwhile */
    threadpool_wait(p);
    for (int k = 0; k < 5; k++)
        assert_true(atomic_load(&c[k].total) == 40u * 1225u);
    threadpool_free(p);
}

static void test_pfor_all_workers_blocked(void **state)
{
    (void)state;
    struct threadpool *p;
    assert_int_equal(threadpool_new(&p, 2, 4), 0);
    gate_reset();
    atomic_store(&counter, 0);
    assert_int_equal(threadpool_submit(p, blocking_job, NULL), 0);
    assert_int_equal(threadpool_submit(p, blocking_job, NULL), 0);
    gate_wait_for(2);
    /* no worker can help: the caller does the whole loop */
    check_cover(p, 5000);
    gate_open();
    threadpool_wait(p);
    assert_int_equal(atomic_load(&counter), 2);
    threadpool_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pool_all_jobs_run),
        cmocka_unit_test(test_pool_efull),
        cmocka_unit_test(test_pool_zero_capacity),
        cmocka_unit_test(test_pool_bad_args),
        cmocka_unit_test(test_pool_free_drains),
        cmocka_unit_test(test_pool_wait_covers_follow_up_jobs),
        cmocka_unit_test(test_pool_workers_block_signals),
        cmocka_unit_test(test_pfor_each_index_once),
        cmocka_unit_test(test_pfor_runs_in_parallel),
        cmocka_unit_test(test_pfor_concurrent_callers),
        cmocka_unit_test(test_pfor_nested_and_from_jobs),
        cmocka_unit_test(test_pfor_all_workers_blocked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
