#include "base/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MSG_CAP 512

static _Thread_local char err_msg[MSG_CAP];

int kms_err(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err_msg, sizeof err_msg, fmt, ap);
    va_end(ap);
    return code;
}

int kms_err_wrap(int code, const char *prefix)
{
    char tmp[MSG_CAP];
    size_t n = strlen(prefix);
    if (n > MSG_CAP / 2)
        n = MSG_CAP / 2;
    /* truncation of a long message is fine: it is for humans */
    memcpy(tmp, prefix, n);
    memcpy(tmp + n, ": ", 2);
    size_t rest = strnlen(err_msg, MSG_CAP - 1);
    if (rest > MSG_CAP - 1 - n - 2)
        rest = MSG_CAP - 1 - n - 2;
    memcpy(tmp + n + 2, err_msg, rest);
    tmp[n + 2 + rest] = '\0';
    memcpy(err_msg, tmp, sizeof err_msg);
    return code;
}

const char *kms_err_msg(void) { return err_msg; }

void kms_err_clear(void) { err_msg[0] = '\0'; }

/* gRPC status numbers, fixed by the gRPC protocol. */
enum {
    GRPC_OK = 0, GRPC_INVALID_ARGUMENT = 3, GRPC_DEADLINE_EXCEEDED = 4,
    GRPC_NOT_FOUND = 5, GRPC_ALREADY_EXISTS = 6, GRPC_RESOURCE_EXHAUSTED = 8,
    GRPC_FAILED_PRECONDITION = 9, GRPC_ABORTED = 10, GRPC_UNIMPLEMENTED = 12,
    GRPC_INTERNAL = 13, GRPC_UNAVAILABLE = 14
};

static const struct {
    int code;
    const char *name;
    int grpc;
} err_table[] = {
    {KMS_OK, "ok", GRPC_OK},
    {KMS_EINVAL, "invalid_argument", GRPC_INVALID_ARGUMENT},
    {KMS_ELIMIT, "size_limit", GRPC_INVALID_ARGUMENT},
    {KMS_ETRUNC, "truncated", GRPC_INVALID_ARGUMENT},
    {KMS_EVERIFY, "verification_failed", GRPC_INVALID_ARGUMENT},
    {KMS_ENOMEM, "out_of_memory", GRPC_RESOURCE_EXHAUSTED},
    {KMS_ENOTFOUND, "not_found", GRPC_NOT_FOUND},
    {KMS_EEXIST, "already_exists", GRPC_ALREADY_EXISTS},
    {KMS_EIO, "io_error", GRPC_INTERNAL},
    {KMS_EUNAVAIL, "unavailable", GRPC_UNAVAILABLE},
    {KMS_EFULL, "resource_exhausted", GRPC_RESOURCE_EXHAUSTED},
    {KMS_EABORTED, "aborted", GRPC_ABORTED},
    {KMS_EPRECOND, "failed_precondition", GRPC_FAILED_PRECONDITION},
    {KMS_EUNIMPL, "unimplemented", GRPC_UNIMPLEMENTED},
    {KMS_ETIMEOUT, "deadline_exceeded", GRPC_DEADLINE_EXCEEDED},
    {KMS_EINTERNAL, "internal", GRPC_INTERNAL},
    {KMS_ECRYPTO, "crypto_failure", GRPC_INTERNAL},
};

const char *kms_err_name(int code)
{
    for (size_t i = 0; i < sizeof err_table / sizeof err_table[0]; i++)
        if (err_table[i].code == code)
            return err_table[i].name;
    return "unknown";
}

int kms_err_grpc_status(int code)
{
    for (size_t i = 0; i < sizeof err_table / sizeof err_table[0]; i++)
        if (err_table[i].code == code)
            return err_table[i].grpc;
    return GRPC_INTERNAL;
}
