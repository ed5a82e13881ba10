/* Operating-system entropy (getrandom). The only source ckms seeds from. */
#ifndef CKMS_CRYPTO_ENTROPY_H
#define CKMS_CRYPTO_ENTROPY_H

#include <stddef.h>

#include "base/error.h"

/* Fills out with n bytes from the kernel CSPRNG, blocking until it is
 * seeded. Fails with KMS_ECRYPTO only if the kernel refuses. */
int entropy_fill(void *out, size_t n) KMS_MUST_CHECK;

#endif
