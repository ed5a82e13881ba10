#include "crypto/dsep.h"

#include <string.h>

#include "base/secmem.h"

/* Checked against zama-ai/kms at 30b425c (core/threshold-hashing/src/lib.rs):
 * hash_element_w_size and HashingWriter call Shake256::update(dsep) and then
 * update(data), so the separator is absorbed raw, with no length prefix;
 * unsafe_hash_list_w_size absorbs DSEP_LIST = "HASH_LST", then the caller's
 * separator, then the element count as u64 little-endian, then each element
 * raw. serialize_hash_element feeds bc2wrap (bincode, legacy fixint config)
 * output into the HashingWriter and reads 32 bytes. */

void dsep_init(struct dsep_ctx *h, const uint8_t dsep[DSEP_BYTES])
{
    keccak_init_shake256(&h->k);
    keccak_absorb(&h->k, dsep, DSEP_BYTES);
}

void dsep_init_list(struct dsep_ctx *h, const uint8_t dsep[DSEP_BYTES], uint64_t n_elements)
{
    keccak_init_shake256(&h->k);
    keccak_absorb(&h->k, DSEP_HASH_LST, DSEP_BYTES);
    keccak_absorb(&h->k, dsep, DSEP_BYTES);
    dsep_absorb_u64le(h, n_elements);
}

void dsep_absorb(struct dsep_ctx *h, const void *data, size_t n)
{
    if (n > 0)
        keccak_absorb(&h->k, data, n);
}

void dsep_absorb_u64le(struct dsep_ctx *h, uint64_t v)
{
    uint8_t le[8];
    for (int i = 0; i < 8; i++)
        le[i] = (uint8_t)(v >> (8 * i));
    keccak_absorb(&h->k, le, sizeof le);
}

void dsep_absorb_bincode_bytes(struct dsep_ctx *h, const void *data, size_t n)
{
    dsep_absorb_u64le(h, (uint64_t)n);
    dsep_absorb(h, data, n);
}

void dsep_squeeze(struct dsep_ctx *h, void *out, size_t n)
{
    if (n > 0)
        keccak_squeeze(&h->k, out, n);
}

void dsep_clear(struct dsep_ctx *h)
{
    keccak_clear(&h->k);
}

void dsep_hash(void *out, size_t out_len, const uint8_t dsep[DSEP_BYTES], const void *data,
               size_t n)
{
    struct dsep_ctx h;
    dsep_init(&h, dsep);
    dsep_absorb(&h, data, n);
    dsep_squeeze(&h, out, out_len);
    dsep_clear(&h);
}

void dsep_digest(uint8_t out[DSEP_DIGEST_BYTES], const uint8_t dsep[DSEP_BYTES], const void *data,
                 size_t n)
{
    dsep_hash(out, DSEP_DIGEST_BYTES, dsep, data, n);
}

void dsep_derive_request_id(uint8_t out[DSEP_REQUEST_ID_BYTES], const char *name)
{
    struct dsep_ctx h;
    dsep_init(&h, DSEP_REQST_ID);
    dsep_absorb_bincode_bytes(&h, name, strlen(name));
    dsep_squeeze(&h, out, DSEP_REQUEST_ID_BYTES);
    dsep_clear(&h);
}

int dsep_derive_session_id(uint8_t out[DSEP_SESSION_ID_BYTES],
                           const uint8_t req_id[DSEP_REQUEST_ID_BYTES], uint64_t ctr)
{
    if (secmem_is_zero(req_id, DSEP_REQUEST_ID_BYTES)) {
        memset(out, 0, DSEP_SESSION_ID_BYTES);
        return kms_err(KMS_EINVAL, "session id: all-zero request id");
    }
    /* One list element: req_id ‖ u64le(ctr), as the reference concatenates
     * them before calling unsafe_hash_list_w_size. */
    struct dsep_ctx h;
    dsep_init_list(&h, DSEP_SESSN_ID, 1);
    dsep_absorb(&h, req_id, DSEP_REQUEST_ID_BYTES);
    dsep_absorb_u64le(&h, ctr);
    dsep_squeeze(&h, out, DSEP_SESSION_ID_BYTES);
    dsep_clear(&h);
    return 0;
}
