/* Parses arbitrary bytes as an Ethereum address string in both modes.
 * Checks: no crash or out-of-bounds read (ASan); a failed parse leaves the
 * output zeroed; a checksummed parse succeeds exactly when the input is the
 * EIP-55 string of the parsed bytes; a checksummed success implies an
 * any-case success with the same bytes; an any-case success round-trips
 * through ethaddr_to_string case-insensitively. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto/ethaddr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    uint8_t any[ETHADDR_BYTES], strict[ETHADDR_BYTES];
    char str[ETHADDR_STR_LEN + 1];

    memset(any, 0xaa, sizeof any);
    memset(strict, 0xaa, sizeof strict);
    int rc_any = ethaddr_parse(any, s, size, ETHADDR_ANY_CASE);
    int rc_strict = ethaddr_parse(strict, s, size, ETHADDR_CHECKSUMMED);

    if (rc_any != 0 && !all_zero(any, sizeof any))
        abort();
    if (rc_strict != 0 && !all_zero(strict, sizeof strict))
        abort();
    if (rc_strict == 0) {
        if (rc_any != 0 || memcmp(any, strict, sizeof any) != 0)
            abort();
        ethaddr_to_string(str, strict);
        if (size != ETHADDR_STR_LEN || memcmp(str, s, size) != 0)
            abort();
    }
    if (rc_any == 0) {
        ethaddr_to_string(str, any);
        size_t digits = size - (size == ETHADDR_STR_LEN ? 2 : 0);
        if (digits != 40 || strncasecmp(str + 2, s + size - 40, 40) != 0)
            abort();
        /* the canonical string always parses strictly */
        if (ethaddr_parse(strict, str, ETHADDR_STR_LEN, ETHADDR_CHECKSUMMED) != 0 ||
            memcmp(strict, any, sizeof any) != 0)
            abort();
    }
    return 0;
}
