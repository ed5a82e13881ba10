#include "tfhe/csprng.h"

#include <stdlib.h>
#include <string.h>

#include "base/secmem.h"

static void put_le128(uint8_t out[16], u128 v)
{
    for (int i = 0; i < 16; i++)
        out[i] = (uint8_t)(v >> (8 * i));
}

static u128 get_le128(const uint8_t in[16])
{
    u128 v = 0;
    for (int i = 15; i >= 0; i--)
        v = (v << 8) | in[i];
    return v;
}

static int new_key(struct csprng *g, const uint8_t key[16], u128 offset)
{
    memset(g, 0, sizeof *g);
    g->key = calloc(1, sizeof *g->key);
    if (g->key == NULL)
        return kms_err(KMS_ENOMEM, "csprng: out of memory");
    g->owns_key = 1;
    g->key->offset = offset;
    memcpy(g->key->raw, key, 16);
    g->end = CSPRNG_UNBOUNDED;
    int rc = aes_init(&g->key->aes, key, 16);
    if (rc < 0) {
        free(g->key);
        g->key = NULL;
    }
    return rc;
}

int csprng_init_seed(struct csprng *g, const uint8_t seed[16])
{
    return new_key(g, seed, 0);
}

int csprng_init_xof(struct csprng *g, const uint8_t dsep[8], const uint8_t *seed, size_t seed_len)
{
    uint8_t zero_key[16] = {0}, c[16] = {0}, prev[16] = {0}, m[16];
    struct aes_ctx mac;
    size_t len = 8 + seed_len;
    KMS_TRY(aes_init(&mac, zero_key, sizeof zero_key));
    int rc = 0;
    /* CBC-MAC over dsep || seed, zero-padded, then the bit length */
    size_t blocks = (len + 15) / 16;
    for (size_t b = 0; b <= blocks && rc == 0; b++) {
        memset(m, 0, sizeof m);
        if (b < blocks) {
            for (size_t i = 0; i < 16 && 16 * b + i < len; i++) {
                size_t at = 16 * b + i;
                m[i] = at < 8 ? dsep[at] : seed[at - 8];
            }
        } else {
            put_le128(m, (u128)len * 8);
        }
        memcpy(prev, c, 16);
        for (int i = 0; i < 16; i++)
            m[i] ^= c[i];
        rc = aes_ecb_encrypt(&mac, c, m, 1);
    }
    aes_free(&mac);
    if (rc == 0)
        rc = new_key(g, c, get_le128(prev));
    secmem_wipe(c, sizeof c);
    secmem_wipe(prev, sizeof prev);
    secmem_wipe(m, sizeof m);
    return rc;
}

void csprng_seek_start(struct csprng *g, u128 first_byte)
{
    g->pos = first_byte;
}

/* Writes the keystream of n_blocks blocks starting at block index `block`. */
static int keystream(struct csprng *g, uint8_t *out, u128 block, size_t n_blocks)
{
    for (size_t i = 0; i < n_blocks; i++)
        put_le128(out + 16 * i, g->key->offset + block + i);
    return aes_ecb_encrypt(&g->key->aes, out, out, n_blocks);
}

int csprng_fill(struct csprng *g, void *out, size_t n)
{
    uint8_t *o = out;
    if ((u128)n > csprng_remaining(g))
        return kms_err(KMS_EINTERNAL, "csprng: read of %zu bytes past the generator's bound", n);
    while (n > 0) {
        u128 block = g->pos / 16;
        size_t in_block = (size_t)(g->pos % 16);
        /* large aligned reads go straight to the output */
        if (in_block == 0 && n >= 16 * CSPRNG_CACHE_BLOCKS) {
            size_t blocks = n / 16;
            KMS_TRY(keystream(g, o, block, blocks));
            o += 16 * blocks;
            n -= 16 * blocks;
            g->pos += 16 * (u128)blocks;
            continue;
        }
        if (g->cache_blocks == 0 || block < g->cache_first_block ||
            block >= g->cache_first_block + g->cache_blocks) {
            KMS_TRY(keystream(g, g->cache, block, CSPRNG_CACHE_BLOCKS));
            g->cache_first_block = block;
            g->cache_blocks = CSPRNG_CACHE_BLOCKS;
        }
        size_t at = (size_t)(block - g->cache_first_block) * 16 + in_block;
        size_t take = sizeof g->cache - at;
        if (take > n)
            take = n;
        memcpy(o, g->cache + at, take);
        o += take;
        n -= take;
        g->pos += take;
    }
    return 0;
}

int csprng_skip(struct csprng *g, u128 n)
{
    if (n > csprng_remaining(g))
        return kms_err(KMS_EINTERNAL, "csprng: skip past the generator's bound");
    g->pos += n;
    return 0;
}

static void child_of(struct csprng *child, const struct csprng *g, u128 start, u128 len)
{
    memset(child, 0, sizeof *child);
    child->key = g->key;
    child->owns_key = 0;
    child->pos = start;
    child->end = start + len;
}

int csprng_fork(struct csprng *g, struct csprng *children, size_t n_children, u128 bytes_each)
{
    if (bytes_each != 0 && (u128)n_children > csprng_remaining(g) / bytes_each)
        return kms_err(KMS_EINTERNAL, "csprng: fork larger than the generator's bound");
    for (size_t i = 0; i < n_children; i++)
        child_of(&children[i], g, g->pos + (u128)i * bytes_each, bytes_each);
    g->pos += (u128)n_children * bytes_each;
    return 0;
}

int csprng_take(struct csprng *g, struct csprng *child, u128 n_bytes)
{
    return csprng_fork(g, child, 1, n_bytes);
}

int csprng_clone(struct csprng *dst, const struct csprng *src)
{
    KMS_TRY(new_key(dst, src->key->raw, src->key->offset));
    dst->pos = src->pos;
    dst->end = src->end;
    return 0;
}

void csprng_free(struct csprng *g)
{
    if (g == NULL)
        return;
    if (g->owns_key && g->key != NULL) {
        aes_free(&g->key->aes);
        secmem_wipe(g->key, sizeof *g->key);
        free(g->key);
    }
    secmem_wipe(g, sizeof *g);
}
