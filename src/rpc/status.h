/* gRPC status codes, and how they map to and from the KMS_E* codes.
 *
 * The numbering is fixed by the gRPC protocol; the names are the ones gRPC
 * documents (e.g. "RESOURCE_EXHAUSTED"). Users of the rpc layer never need
 * the libgrpc headers for this. */
#ifndef CKMS_RPC_STATUS_H
#define CKMS_RPC_STATUS_H

#include <stddef.h>

#include "base/error.h"

enum rpc_code {
    RPC_OK = 0,
    RPC_CANCELLED = 1,
    RPC_UNKNOWN = 2,
    RPC_INVALID_ARGUMENT = 3,
    RPC_DEADLINE_EXCEEDED = 4,
    RPC_NOT_FOUND = 5,
    RPC_ALREADY_EXISTS = 6,
    RPC_PERMISSION_DENIED = 7,
    RPC_RESOURCE_EXHAUSTED = 8,
    RPC_FAILED_PRECONDITION = 9,
    RPC_ABORTED = 10,
    RPC_OUT_OF_RANGE = 11,
    RPC_UNIMPLEMENTED = 12,
    RPC_INTERNAL = 13,
    RPC_UNAVAILABLE = 14,
    RPC_DATA_LOSS = 15,
    RPC_UNAUTHENTICATED = 16
};

/* Longest status message kept, NUL included (longer ones are cut). */
#define RPC_STATUS_MESSAGE_MAX 512

/* The outcome of one call as the client saw it. */
struct rpc_status {
    int code;                               /* enum rpc_code */
    char message[RPC_STATUS_MESSAGE_MAX];   /* grpc-message, "" when none */
};

/* "OK", "INVALID_ARGUMENT", ...; "UNKNOWN_CODE" outside 0..16. */
const char *rpc_code_name(int code);

/* The KMS_E* code a client-side status maps to: 0 for RPC_OK, KMS_EINVAL
 * for INVALID_ARGUMENT, KMS_ENOTFOUND for NOT_FOUND, KMS_EFULL for
 * RESOURCE_EXHAUSTED, KMS_EUNAVAIL for UNAVAILABLE, KMS_ETIMEOUT for
 * DEADLINE_EXCEEDED, and so on (the inverse of kms_err_grpc_status where
 * that is one-to-one); KMS_EINTERNAL for codes without a counterpart. */
int rpc_code_to_kms(int code);

#endif
