#include "base/safeser.h"

#include "base/bincode.h"

#define SAFESER_FORMAT_VERSION "0.5"
#define SAFESER_VERSIONING_VERSION "0.1"
#define SAFESER_MODE_VERSIONED 0u

void safeser_put_header(struct buf *b, const char *type_name)
{
    bincode_put_str(b, SAFESER_FORMAT_VERSION);
    bincode_put_variant(b, SAFESER_MODE_VERSIONED);
    bincode_put_str(b, SAFESER_VERSIONING_VERSION);
    bincode_put_str(b, type_name);
}

int safeser_get_header(struct reader *r, const char *type_name, size_t size_limit)
{
    if (r->len > size_limit)
        return kms_err(KMS_ELIMIT, "%s: %zu bytes exceed the size limit of %zu",
                       type_name, r->len, size_limit);
    uint32_t mode;
    if (bincode_expect_str(r, SAFESER_FORMAT_VERSION) < 0)
        return kms_err(KMS_EINVAL, "%s: not a safe_serialize stream of format %s",
                       type_name, SAFESER_FORMAT_VERSION);
    KMS_TRY(reader_u32le(r, &mode));
    if (mode != SAFESER_MODE_VERSIONED)
        return kms_err(KMS_EINVAL, "%s: unversioned safe_serialize streams are not accepted",
                       type_name);
    if (bincode_expect_str(r, SAFESER_VERSIONING_VERSION) < 0)
        return kms_err(KMS_EINVAL, "%s: unsupported versioning version", type_name);
    if (bincode_expect_str(r, type_name) < 0)
        return kms_err(KMS_EINVAL, "wrong object type: expected %s", type_name);
    return 0;
}
