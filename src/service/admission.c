#include "service/admission.h"

#include <stdatomic.h>
#include <stdlib.h>

struct admission {
    uint64_t size;
    _Atomic uint64_t used;
};

int admission_new(struct admission **out, uint64_t bucket_size)
{
    *out = NULL;
    if (bucket_size == 0)
        return kms_err(KMS_EINVAL, "admission bucket size must be positive");
    struct admission *a = calloc(1, sizeof *a);
    if (a == NULL)
        return kms_err(KMS_ENOMEM, "out of memory for admission control");
    a->size = bucket_size;
    atomic_init(&a->used, 0);
    *out = a;
    return 0;
}

void admission_free(struct admission *a) { free(a); }

int admission_acquire(struct admission *a, uint64_t cost, const char *what)
{
    uint64_t used = atomic_load_explicit(&a->used, memory_order_relaxed);
    for (;;) {
        if (cost > a->size || used > a->size - cost)
            return kms_err(KMS_EFULL, "server busy: %s needs %llu of %llu tokens, %llu in use",
                           what, (unsigned long long)cost, (unsigned long long)a->size,
                           (unsigned long long)used);
        if (atomic_compare_exchange_weak_explicit(&a->used, &used, used + cost,
                                                  memory_order_acquire, memory_order_relaxed))
            return 0;
    }
}

void admission_release(struct admission *a, uint64_t cost)
{
    atomic_fetch_sub_explicit(&a->used, cost, memory_order_release);
}

uint64_t admission_in_use(struct admission *a)
{
    return atomic_load_explicit(&a->used, memory_order_relaxed);
}
