/* The request registry ("meta store" in the reference): one per kind of
 * operation, it tracks each request id from start to result.
 *
 *   registry_insert     claims an id for a new operation. A pending or
 *                       succeeded id answers KMS_EEXIST (ALREADY_EXISTS);
 *                       a failed one may be retried and is replaced.
 *   registry_complete_* records the result (bytes, e.g. a packed protobuf
 *                       response) or an error (code and message).
 *   registry_wait       the long poll of Get...Result: waits up to a
 *                       timeout, then KMS_EUNAVAIL if still pending;
 *                       KMS_ENOTFOUND for an unknown id.
 *
 * A bounded registry (the decryption stores) holds at most `capacity`
 * entries: when full, the oldest finished entries are evicted down to
 * `min_cache` finished ones; if that still leaves no room, insertion fails
 * with KMS_EFULL (RESOURCE_EXHAUSTED). Unbounded registries (key generation,
 * preprocessing, CRS) never evict. All functions are thread-safe. */
#ifndef CKMS_SERVICE_REGISTRY_H
#define CKMS_SERVICE_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "service/request_id.h"

enum registry_state {
    REGISTRY_UNKNOWN = 0,
    REGISTRY_PENDING = 1,
    REGISTRY_DONE_OK = 2,
    REGISTRY_DONE_ERR = 3
};

struct registry;

/* capacity 0: unbounded. min_cache <= capacity. */
int registry_new(struct registry **out, const char *name, size_t capacity, size_t min_cache)
    KMS_MUST_CHECK;
void registry_free(struct registry *r);

int registry_insert(struct registry *r, const struct request_id *id) KMS_MUST_CHECK;

/* Takes ownership of result (malloc'd, len bytes; may be NULL when len is 0).
 * KMS_ENOTFOUND / KMS_EPRECOND when the id is unknown or not pending; the
 * result is freed in that case too. */
int registry_complete_ok(struct registry *r, const struct request_id *id, uint8_t *result,
                         size_t len) KMS_MUST_CHECK;
/* code is the KMS_E* the operation failed with; msg is copied (left empty
 * when there is no memory for it: the failure is recorded either way). */
int registry_complete_err(struct registry *r, const struct request_id *id, int code,
                          const char *msg) KMS_MUST_CHECK;

/* The outcome of a finished operation, as registry_wait returns it. */
struct registry_outcome {
    enum registry_state state;
    uint8_t *result; /* DONE_OK: a malloc'd copy the caller frees */
    size_t len;
    int err_code;     /* DONE_ERR: the operation's KMS_E* code */
    char err_msg[256];
};

/* Waits until id is finished or timeout_ms has passed. Returns 0 with the
 * outcome when finished (even when the operation failed: see out->state),
 * KMS_EUNAVAIL when still pending at the deadline, KMS_ENOTFOUND when the
 * id is unknown (never started, or evicted). */
int registry_wait(struct registry *r, const struct request_id *id, uint64_t timeout_ms,
                  struct registry_outcome *out) KMS_MUST_CHECK;

/* The state of id without waiting (REGISTRY_UNKNOWN when absent). */
enum registry_state registry_state_of(struct registry *r, const struct request_id *id);

/* Removes id whatever its state (aborts, purges). KMS_ENOTFOUND if absent. */
int registry_remove(struct registry *r, const struct request_id *id) KMS_MUST_CHECK;

/* Counts, for status reporting. */
void registry_counts(struct registry *r, size_t *total, size_t *pending, size_t *capacity);

/* Calls fn for each entry (under the registry lock: fn must not call back
 * into the registry). Stops early when fn returns non-zero. */
void registry_foreach(struct registry *r,
                      int (*fn)(void *ctx, const struct request_id *id, enum registry_state st),
                      void *ctx);

#endif
