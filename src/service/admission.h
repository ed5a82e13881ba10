/* Admission control: a bucket of tokens that operations hold while they
 * run (the reference's rate limiter: it bounds concurrent work, not the
 * request rate). An operation that cannot get its cost in tokens at once is
 * refused with KMS_EFULL (RESOURCE_EXHAUSTED) rather than queued, so an
 * overloaded server sheds load instead of stalling. */
#ifndef CKMS_SERVICE_ADMISSION_H
#define CKMS_SERVICE_ADMISSION_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

struct admission;

int admission_new(struct admission **out, uint64_t bucket_size) KMS_MUST_CHECK;
void admission_free(struct admission *a);

/* Takes cost tokens, or fails with KMS_EFULL and takes nothing. */
int admission_acquire(struct admission *a, uint64_t cost, const char *what) KMS_MUST_CHECK;
/* Returns tokens taken by admission_acquire. */
void admission_release(struct admission *a, uint64_t cost);

/* Tokens currently held (for metrics). */
uint64_t admission_in_use(struct admission *a);

#endif
