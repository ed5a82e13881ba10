#include "base/secmem.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

void secmem_wipe(void *p, size_t n)
{
    if (p != NULL && n > 0)
        explicit_bzero(p, n);
}

int secmem_equal(const void *a, const void *b, size_t n)
{
    const volatile uint8_t *x = a, *y = b;
    uint8_t d = 0;
    for (size_t i = 0; i < n; i++)
        d |= x[i] ^ y[i];
    /* (d - 1) >> 8 is all-ones exactly when d == 0 */
    return (int)((((unsigned)d - 1) >> 8) & 1);
}

int secmem_is_zero(const void *p, size_t n)
{
    const volatile uint8_t *x = p;
    uint8_t d = 0;
    for (size_t i = 0; i < n; i++)
        d |= x[i];
    return (int)((((unsigned)d - 1) >> 8) & 1);
}

void secmem_cmov(void *dst, const void *src, size_t n, int cond)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    volatile uint8_t mask = (uint8_t)-(uint8_t)(cond & 1);
    uint8_t m = mask;
    for (size_t i = 0; i < n; i++)
        d[i] ^= m & (d[i] ^ s[i]);
}

/* Layout: one page-aligned mapping, a header page recording the mapped size,
 * then the caller's bytes. mmap keeps secrets out of the malloc heap, where
 * freed chunks can be recycled before we wipe them. */
struct secmem_header {
    size_t map_len;
    size_t user_len;
    int locked;
};

void *secmem_alloc(size_t n)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    if (n > SIZE_MAX - 2 * page)
        return NULL;
    size_t map_len = page + ((n + page - 1) / page) * page;
    uint8_t *base = mmap(NULL, map_len, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
        return NULL;
    (void)madvise(base, map_len, MADV_DONTDUMP);
    struct secmem_header *h = (struct secmem_header *)base;
    h->map_len = map_len;
    h->user_len = n;
    h->locked = mlock(base, map_len) == 0; /* best effort: RLIMIT_MEMLOCK may refuse */
    return base + page;
}

void secmem_free(void *p)
{
    if (p == NULL)
        return;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    uint8_t *base = (uint8_t *)p - page;
    struct secmem_header *h = (struct secmem_header *)base;
    size_t map_len = h->map_len;
    secmem_wipe(p, h->user_len);
    if (h->locked)
        (void)munlock(base, map_len);
    (void)munmap(base, map_len);
}
