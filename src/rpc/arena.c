/* Per-call bump allocator: the unpacked request, the response and whatever
 * a handler allocates for it live here and go away together, wiped, once
 * the answer is sent. The first kilobyte sits inside the call itself, so a
 * small call allocates nothing more. */
#include <stdlib.h>
#include <string.h>

#include "base/secmem.h"
#include "rpc/rpc_impl.h"

struct rpc_arena_chunk {
    struct rpc_arena_chunk *next;
    size_t cap;
    _Alignas(16) unsigned char data[];
};

#define CHUNK_MIN 8192
/* gRPC messages stay under 2 GiB, so nothing sane asks for more. */
#define ALLOC_MAX ((size_t)1 << 32)

void rpc_arena_init(struct rpc_arena *a)
{
    a->cur = a->first;
    a->end = a->first + sizeof a->first;
    a->chunks = NULL;
}

void *rpc_arena_alloc(struct rpc_arena *a, size_t n)
{
    if (n > ALLOC_MAX)
        return NULL;
    n = (n + 15) & ~(size_t)15;
    if (n == 0)
        n = 16;
    if ((size_t)(a->end - a->cur) >= n) {
        void *p = a->cur;
        a->cur += n;
        return p;
    }
    size_t cap = n > CHUNK_MIN ? n : CHUNK_MIN;
    struct rpc_arena_chunk *c = malloc(sizeof *c + cap);
    if (c == NULL)
        return NULL;
    c->cap = cap;
    c->next = a->chunks;
    a->chunks = c;
    a->cur = c->data + n;
    a->end = c->data + cap;
    return c->data;
}

void rpc_arena_release(struct rpc_arena *a)
{
    /* the inline block is wiped only as far as it was used */
    size_t used = a->chunks == NULL ? (size_t)(a->cur - a->first) : sizeof a->first;
    secmem_wipe(a->first, used);
    struct rpc_arena_chunk *c = a->chunks;
    while (c != NULL) {
        struct rpc_arena_chunk *next = c->next;
        size_t n = c == a->chunks ? (size_t)(a->cur - c->data) : c->cap;
        secmem_wipe(c->data, n);
        free(c);
        c = next;
    }
    rpc_arena_init(a);
}

static void *pb_alloc(void *data, size_t size) { return rpc_arena_alloc(data, size); }

static void pb_free(void *data, void *p)
{
    (void)data;
    (void)p;
}

ProtobufCAllocator rpc_arena_allocator(struct rpc_arena *a)
{
    return (ProtobufCAllocator){.alloc = pb_alloc, .free = pb_free, .allocator_data = a};
}
