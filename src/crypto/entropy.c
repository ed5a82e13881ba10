#include "crypto/entropy.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

int entropy_fill(void *out, size_t n)
{
    unsigned char *p = out;
    while (n > 0) {
        /* getrandom returns at most 32 MiB - 1 per call and may be interrupted */
        size_t chunk = n > 1u << 20 ? 1u << 20 : n;
        ssize_t got = getrandom(p, chunk, 0);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return kms_err(KMS_ECRYPTO, "getrandom failed: %s", strerror(errno));
        }
        p += got;
        n -= (size_t)got;
    }
    return 0;
}
