/* The centralized KMS service: the handlers of
 * kms_service.v1.CoreServiceEndpoint and metastore_status.v1.
 * MetaStoreStatusService on an rpc server (rpc/server.h), on top of the
 * centralized engine (service/central.h), the request registries
 * (service/registry.h) and admission control (service/admission.h).
 *
 *   struct kms_service *svc;
 *   KMS_TRY(kms_service_new(&svc, &cfg));
 *   KMS_TRY(central_new(&c, &ccfg, kms_service_restore_key, svc));
 *   kms_service_attach(svc, c);
 *   KMS_TRY(kms_service_register(svc, srv));   (also adds grpc.health.v1)
 *   ... rpc_server_start, serve ...
 *   rpc_server_shutdown(srv, grace);
 *   kms_service_stop(svc);                     (aborts and joins key generations)
 *   rpc_server_free(srv); central_free(c); kms_service_free(svc);
 *
 * docs/API.md describes every method, its status codes and where ckms
 * differs from the reference. */
#ifndef CKMS_SERVICE_KMS_SERVICE_H
#define CKMS_SERVICE_KMS_SERVICE_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "rpc/server.h"
#include "service/central.h"
#include "service/keygen_record.h"
#include "service/node_key.h"

struct kms_service;

struct kms_service_config {
    const struct node_key *key; /* borrowed; signs every result */
    uint64_t result_wait_ms;    /* Get*Result long-poll (60 s in the reference) */
    uint64_t preproc_wait_ms;   /* GetKeyGenPreprocResult (300 s) */
    size_t dec_capacity;        /* per decryption kind; 0: unbounded */
    size_t min_dec_cache;
    uint64_t bucket_size; /* admission tokens */
    uint32_t cost_pub_decrypt, cost_user_decrypt, cost_keygen, cost_preproc;
    int allow_test_params;  /* accept FheParameter.test */
    size_t keygen_threads;  /* concurrent key generations; 0 means 1 */
    const char *storage_info; /* for GetKeyMaterialAvailability (copied) */
};

int kms_service_new(struct kms_service **out, const struct kms_service_config *cfg)
    KMS_MUST_CHECK;

/* A central_key_fn (ctx = the service): records a stored key's result so
 * that GetKeyGenResult answers it after a restart. */
int kms_service_restore_key(void *svc, const struct keygen_record *r) KMS_MUST_CHECK;

/* The engine the handlers use (borrowed; must outlive the service). */
void kms_service_attach(struct kms_service *s, struct central *c);

/* Adds CoreServiceEndpoint, MetaStoreStatusService and grpc.health.v1 to
 * srv (before rpc_server_start). */
int kms_service_register(struct kms_service *s, struct rpc_server *srv) KMS_MUST_CHECK;

/* Aborts running key generations and waits for them (they remove what they
 * stored). New key generations are refused afterwards. Idempotent. */
void kms_service_stop(struct kms_service *s);

/* Stops if needed and frees; NULL is a no-op. */
void kms_service_free(struct kms_service *s);

#endif
