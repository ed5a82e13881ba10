/* SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed 64-bit hash for hash
 * tables whose keys an attacker chooses, such as client request ids. With a
 * secret random key, colliding inputs cannot be found from outside. */
#ifndef CKMS_BASE_SIPHASH_H
#define CKMS_BASE_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

#define SIPHASH_KEY_LEN 16

uint64_t siphash24(const uint8_t key[SIPHASH_KEY_LEN], const void *in, size_t len);

#endif
