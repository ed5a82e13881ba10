/* A vault that forwards to another one and fails on demand, for the
 * failure-injection tests of the services (store/vault_impl.h backend).
 * Include after <cmocka.h>. */
#ifndef CKMS_FAILING_VAULT_H
#define CKMS_FAILING_VAULT_H

#include <stdlib.h>
#include <string.h>

#include "store/vault_impl.h"

struct failing_vault {
    struct vault base;
    struct vault *inner; /* borrowed */
    /* 1-based counts at which to fail (0: never); counted over the
     * vault's whole life */
    unsigned fail_write_at, fail_commit_at, fail_open_at;
    unsigned writes, commits, opens;
};

struct failing_writer {
    struct vault_writer base;
    struct failing_vault *fv;
    struct vault_writer *inner;
};

static int fw_write(struct vault_writer *w, const uint8_t *data, size_t len)
{
    struct failing_writer *fw = (struct failing_writer *)w;
    if (++fw->fv->writes == fw->fv->fail_write_at)
        return kms_err(KMS_EIO, "injected write failure");
    return vault_writer_write(fw->inner, data, len);
}

static int fw_commit(struct vault_writer *w)
{
    struct failing_writer *fw = (struct failing_writer *)w;
    struct vault_writer *inner = fw->inner;
    int fail = ++fw->fv->commits == fw->fv->fail_commit_at;
    free(fw);
    if (fail) {
        vault_writer_abort(inner);
        return kms_err(KMS_EIO, "injected commit failure");
    }
    return vault_writer_commit(inner);
}

static void fw_abort(struct vault_writer *w)
{
    struct failing_writer *fw = (struct failing_writer *)w;
    vault_writer_abort(fw->inner);
    free(fw);
}

static const struct vault_writer_ops failing_writer_ops = {fw_write, fw_commit, fw_abort};

static int fv_writer_open(struct vault *v, struct vault_writer **out, const struct vault_addr *a)
{
    struct failing_vault *fv = (struct failing_vault *)v;
    if (++fv->opens == fv->fail_open_at)
        return kms_err(KMS_EIO, "injected open failure");
    struct failing_writer *fw = calloc(1, sizeof *fw);
    if (fw == NULL)
        return KMS_ENOMEM;
    int rc = vault_writer_open(fv->inner, &fw->inner, a);
    if (rc < 0) {
        free(fw);
        return rc;
    }
    fw->base.ops = &failing_writer_ops;
    fw->fv = fv;
    *out = &fw->base;
    return 0;
}

static int fv_reader_open(struct vault *v, struct vault_reader **out, const struct vault_addr *a)
{
    return vault_reader_open(((struct failing_vault *)v)->inner, out, a);
}

static int fv_stat(struct vault *v, uint64_t *size, const struct vault_addr *a)
{
    return vault_size(((struct failing_vault *)v)->inner, size, a);
}

static int fv_exists(struct vault *v, const struct vault_addr *a)
{
    return vault_exists(((struct failing_vault *)v)->inner, a);
}

static int fv_list(struct vault *v, struct vault_ids *out, const char *type, const char *epoch,
                   int epochs)
{
    struct vault *inner = ((struct failing_vault *)v)->inner;
    struct vault_ids ids;
    int rc = epochs ? vault_list_epochs(inner, &ids, type) : vault_list(inner, &ids, type, epoch);
    for (size_t i = 0; rc == 0 && i < ids.n; i++)
        rc = vault_ids_push(out, ids.id[i]);
    vault_ids_free(&ids);
    return rc;
}

static int fv_remove(struct vault *v, const struct vault_addr *a)
{
    return vault_delete(((struct failing_vault *)v)->inner, a);
}

static void fv_destroy(struct vault *v) { free(v); }

static const struct vault_ops failing_vault_ops = {
    "failing", fv_writer_open, fv_reader_open, fv_stat, fv_exists, fv_list, fv_remove, fv_destroy,
};

/* Free with vault_free (inner stays the caller's). */
static inline struct failing_vault *failing_vault_new(struct vault *inner)
{
    struct failing_vault *fv = calloc(1, sizeof *fv);
    assert_non_null(fv);
    vault_init_base(&fv->base, &failing_vault_ops, vault_prefix(inner), 0);
    fv->inner = inner;
    return fv;
}

#endif
