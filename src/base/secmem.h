/* Memory for secrets: wiping the compiler cannot drop, constant-time
 * comparison and selection, and locked, non-dumpable allocations. */
#ifndef CKMS_BASE_SECMEM_H
#define CKMS_BASE_SECMEM_H

#include <stddef.h>
#include <stdint.h>

/* Overwrites n bytes with zeros; never optimised away. NULL is a no-op. */
void secmem_wipe(void *p, size_t n);

/* 1 if the n bytes of a and b are equal, else 0, in time that depends only
 * on n. */
int secmem_equal(const void *a, const void *b, size_t n);

/* 1 if all n bytes are zero, else 0, in time that depends only on n. */
int secmem_is_zero(const void *p, size_t n);

/* dst = cond ? src : dst for n bytes, without branching on cond (0 or 1). */
void secmem_cmov(void *dst, const void *src, size_t n, int cond);

/* Zero-filled allocation for a secret: locked in RAM where the OS allows
 * (RLIMIT_MEMLOCK), excluded from core dumps, wiped by secmem_free.
 * Returns NULL when out of memory. */
void *secmem_alloc(size_t n);
/* Wipes and releases a secmem_alloc block; NULL is a no-op. */
void secmem_free(void *p);

#endif
