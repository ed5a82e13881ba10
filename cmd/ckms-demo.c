/* A short walk through what ckms does today. */
#include <stdio.h>
#include <string.h>

#include "base/hex.h"
#include "crypto/keccak.h"

int main(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: ckms-demo\n\nWalks through the primitives ckms is built on.\n");
        return 0;
    }
    uint8_t d[32];
    char hex[65];
    keccak256(d, "", 0);
    if (hex_encode(hex, sizeof hex, d, sizeof d) != 0)
        return 1;
    printf("keccak256(\"\") = %s\n", hex);
    return 0;
}
