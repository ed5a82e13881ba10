/* TLS material for the gRPC server and client, as PEM text.
 *
 * A server always presents cert_chain_pem + private_key_pem. With ca_pem it
 * also requires every client to present a certificate that chains to ca_pem
 * (mutual TLS); the handler can read the client's CN (rpc_call_peer_identity).
 * A client checks the server against ca_pem (the system roots when NULL) and
 * presents cert_chain_pem + private_key_pem when both are set (mutual TLS). */
#ifndef CKMS_RPC_TLS_H
#define CKMS_RPC_TLS_H

#include <stddef.h>

#include "base/error.h"

struct rpc_tls {
    const char *cert_chain_pem;
    const char *private_key_pem;
    const char *ca_pem;
};

/* Largest PEM file rpc_pem_read accepts. */
#define RPC_PEM_MAX ((size_t)1 << 20)

/* Reads a PEM file into a new NUL-terminated string (*pem, freed with
 * rpc_pem_free). KMS_EIO when it cannot be read, KMS_ELIMIT above
 * RPC_PEM_MAX, KMS_EINVAL when it holds no "-----BEGIN " line or a NUL. */
int rpc_pem_read(char **pem, const char *path) KMS_MUST_CHECK;

/* Wipes (it may be a private key) and frees; NULL is a no-op. */
void rpc_pem_free(char *pem);

#endif
