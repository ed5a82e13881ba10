/* The header tfhe-rs `safe_serialize` puts before a versioned object:
 *   String "0.5"              serialization format version (must match)
 *   u32 0                     SerializationVersioningMode::Versioned
 *   String "0.1"              versioning scheme version
 *   String <type name>        e.g. "high_level_api::FheUint"
 * followed directly by the object's versioned bincode body. The size limit
 * of safe_serialize is a check on both ends, never stored in the bytes. */
#ifndef CKMS_BASE_SAFESER_H
#define CKMS_BASE_SAFESER_H

#include "base/buf.h"
#include "base/reader.h"

void safeser_put_header(struct buf *b, const char *type_name);

/* Checks the header against `type_name`, and that the whole serialized
 * object (r's full length) is within `size_limit`, as tfhe-rs does. */
int safeser_get_header(struct reader *r, const char *type_name, size_t size_limit) KMS_MUST_CHECK;

#endif
