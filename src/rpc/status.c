#include "rpc/status.h"

static const char *const code_names[] = {
    "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
    "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
    "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
    "UNAUTHENTICATED",
};

const char *rpc_code_name(int code)
{
    if (code < 0 || (size_t)code >= sizeof code_names / sizeof code_names[0])
        return "UNKNOWN_CODE";
    return code_names[code];
}

int rpc_code_to_kms(int code)
{
    switch (code) {
    case RPC_OK:
        return 0;
    case RPC_INVALID_ARGUMENT:
    case RPC_OUT_OF_RANGE:
        return KMS_EINVAL;
    case RPC_DEADLINE_EXCEEDED:
        return KMS_ETIMEOUT;
    case RPC_NOT_FOUND:
        return KMS_ENOTFOUND;
    case RPC_ALREADY_EXISTS:
        return KMS_EEXIST;
    case RPC_RESOURCE_EXHAUSTED:
        return KMS_EFULL;
    case RPC_FAILED_PRECONDITION:
        return KMS_EPRECOND;
    case RPC_CANCELLED:
    case RPC_ABORTED:
        return KMS_EABORTED;
    case RPC_UNIMPLEMENTED:
        return KMS_EUNIMPL;
    case RPC_UNAVAILABLE:
        return KMS_EUNAVAIL;
    default:
        return KMS_EINTERNAL;
    }
}
