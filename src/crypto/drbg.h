/* CTR_DRBG (NIST SP 800-90A Rev. 1, §10.2) with AES-256 and no derivation
 * function, prediction resistance off.
 *
 *   seedlen = 48 bytes (32-byte key ‖ 16-byte V). Instantiate and reseed take
 *   exactly 48 bytes of full-entropy input, XORed with the personalization
 *   string / additional input zero-padded to 48 bytes (so those may be at
 *   most 48 bytes long). No nonce: the no-df construction has none.
 *
 *   One generate request yields at most DRBG_MAX_REQUEST_BYTES (2^19 bits,
 *   the SP 800-90A limit for AES); drbg_generate splits larger requests.
 *   After DRBG_RESEED_INTERVAL requests a DRBG seeded from the OS reseeds
 *   itself from entropy_fill(); one seeded explicitly (known-answer tests)
 *   fails with KMS_EPRECOND until drbg_reseed_with() is called.
 *
 * The state lives in secmem_alloc memory and is wiped by drbg_free. After
 * fork(), an OS-seeded DRBG reseeds from the OS before its next output, so
 * parent and child never share a stream (an explicitly seeded one stays
 * deterministic). A DRBG is not thread-safe; drbg_random_bytes() keeps one
 * per thread. */
#ifndef CKMS_CRYPTO_DRBG_H
#define CKMS_CRYPTO_DRBG_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

#define DRBG_SEED_BYTES 48
#define DRBG_MAX_REQUEST_BYTES 65536
#define DRBG_RESEED_INTERVAL 65536

struct drbg;

/* Instantiates from 48 bytes of OS entropy, with an optional
 * personalization string (pers may be NULL when pers_len is 0;
 * pers_len <= 48). */
int drbg_new(struct drbg **out, const void *pers, size_t pers_len) KMS_MUST_CHECK;

/* Instantiates from caller-supplied entropy (entropy_len must be 48), for
 * known-answer tests and deterministic streams. */
int drbg_new_from_seed(struct drbg **out, const uint8_t *entropy, size_t entropy_len,
                       const void *pers, size_t pers_len) KMS_MUST_CHECK;

/* Fills out with n pseudo-random bytes; add (add_len <= 48, may be NULL when
 * add_len is 0) is the optional additional input, applied to every internal
 * request. On any failure out is zeroed. If OpenSSL ever fails mid-way the
 * instance refuses all further use (KMS_ECRYPTO): free it. */
int drbg_generate(struct drbg *d, void *out, size_t n, const void *add, size_t add_len)
    KMS_MUST_CHECK;

/* Reseeds from 48 bytes of OS entropy plus optional additional input. An
 * explicitly seeded DRBG becomes OS-seeded from then on. */
int drbg_reseed(struct drbg *d, const void *add, size_t add_len) KMS_MUST_CHECK;

/* Reseeds from caller-supplied entropy (48 bytes), for known-answer tests. */
int drbg_reseed_with(struct drbg *d, const uint8_t *entropy, size_t entropy_len, const void *add,
                     size_t add_len) KMS_MUST_CHECK;

/* Wipes and releases; NULL is a no-op. */
void drbg_free(struct drbg *d);

/* Process-wide convenience: n bytes from this thread's own DRBG,
 * instantiated from the OS on first use and reseeded in a forked child.
 * Thread-safe. On failure out is zeroed. */
int drbg_random_bytes(void *out, size_t n) KMS_MUST_CHECK;

#endif
