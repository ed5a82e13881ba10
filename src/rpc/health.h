/* The standard gRPC health service, grpc.health.v1.Health, on an rpc server.
 *
 * Check answers SERVING (or NOT_SERVING, see rpc_health_set_serving) for
 * the empty name, which stands for the whole server, and for each
 * registered service name (e.g. "kms_service.v1.CoreServiceEndpoint"), and
 * NOT_FOUND for any other name. Watch answers UNIMPLEMENTED, which the
 * protocol allows; clients then poll Check. */
#ifndef CKMS_RPC_HEALTH_H
#define CKMS_RPC_HEALTH_H

#include <stddef.h>

#include "base/error.h"
#include "rpc/server.h"

/* Adds the health service to srv (before rpc_server_start), knowing the
 * given service names (copied). Starts out SERVING. */
int rpc_health_register(struct rpc_server *srv, const char *const *services, size_t n_services)
    KMS_MUST_CHECK;

/* Switches every name between SERVING (1) and NOT_SERVING (0), e.g. while
 * keys load at boot or when draining. No-op without rpc_health_register. */
void rpc_health_set_serving(struct rpc_server *srv, int serving);

#endif
