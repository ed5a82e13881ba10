#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "proto/health.v1.pb-c.h"
#include "rpc/health.h"
#include "rpc/server_impl.h"

struct health {
    _Atomic int serving;
    size_t n;
    char **names;
};

static void health_free(void *arg)
{
    struct health *h = arg;
    if (h == NULL)
        return;
    for (size_t i = 0; i < h->n; i++)
        free(h->names[i]);
    free(h->names);
    free(h);
}

static int known(const struct health *h, const char *name)
{
    if (name[0] == '\0')
        return 1;
    for (size_t i = 0; i < h->n; i++)
        if (strcmp(h->names[i], name) == 0)
            return 1;
    return 0;
}

static int on_check(void *ctx, struct rpc_call *call, const ProtobufCMessage *req,
                    ProtobufCMessage *resp)
{
    (void)call;
    const struct health *h = ctx;
    const Grpc__Health__V1__HealthCheckRequest *in = (const void *)req;
    Grpc__Health__V1__HealthCheckResponse *out = (void *)resp;
    const char *name = in->service != NULL ? in->service : "";
    if (!known(h, name))
        return kms_err(KMS_ENOTFOUND, "unknown service \"%.200s\"", name);
    out->status = atomic_load(&h->serving)
                      ? GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING
                      : GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__NOT_SERVING;
    return 0;
}

static const struct rpc_method_handler handlers[] = {{"Check", on_check, RPC_INLINE}};

int rpc_health_register(struct rpc_server *srv, const char *const *services, size_t n_services)
{
    if (srv->health != NULL)
        return kms_err(KMS_EINVAL, "rpc: health service registered twice");
    if (services == NULL && n_services > 0)
        return kms_err(KMS_EINVAL, "rpc: NULL service list");
    struct health *h = calloc(1, sizeof *h);
    if (h == NULL)
        return kms_err(KMS_ENOMEM, "rpc: out of memory");
    atomic_init(&h->serving, 1);
    h->names = calloc(n_services ? n_services : 1, sizeof *h->names);
    if (h->names == NULL) {
        free(h);
        return kms_err(KMS_ENOMEM, "rpc: out of memory");
    }
    for (; h->n < n_services; h->n++) {
        h->names[h->n] = services[h->n] != NULL ? strdup(services[h->n]) : NULL;
        if (h->names[h->n] == NULL) {
            int rc = services[h->n] == NULL ? kms_err(KMS_EINVAL, "rpc: NULL service name")
                                            : kms_err(KMS_ENOMEM, "rpc: out of memory");
            health_free(h);
            return rc;
        }
    }
    int rc = rpc_server_add_service(srv, &grpc__health__v1__health__descriptor, handlers,
                                    sizeof handlers / sizeof handlers[0], h);
    if (rc != 0) {
        health_free(h);
        return rc;
    }
    srv->health = h;
    srv->health_free = health_free;
    return 0;
}

void rpc_health_set_serving(struct rpc_server *srv, int serving)
{
    struct health *h = srv->health;
    if (h != NULL)
        atomic_store(&h->serving, serving != 0);
}
