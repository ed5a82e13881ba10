/* safeser_get_header on arbitrary bytes. The first input byte picks the
 * expected type name and the size limit; the rest is the stream. Checks:
 * no crash or out-of-bounds read, and an accepted header is exactly what
 * safeser_put_header writes for that name. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/safeser.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = {
    "UnifiedPublicEncKey", "high_level_api::FheUint", "high_level_api::ClientKey", "",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *name = names[data[0] & 3u];
    size_t limit = (data[0] & 4u) ? 64 : (size_t)1 << 20;
    struct reader r;
    reader_init(&r, data + 1, size - 1);
    if (safeser_get_header(&r, name, limit) != 0)
        return 0;
    if (r.pos > r.len || r.len > limit)
        abort();
    struct buf b;
    buf_init(&b, 1 << 10);
    safeser_put_header(&b, name);
    if (buf_status(&b) != 0 || b.len != r.pos || memcmp(b.data, data + 1, b.len) != 0)
        abort();
    buf_free(&b);
    return 0;
}
