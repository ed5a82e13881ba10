/* kms-client key-material and health: what the server holds and how it is. */
#include <stdlib.h>

#include "client_common.h"
#include "client_json.h"
#include "kms_client.h"

static void usage_key_material(FILE *f)
{
    fprintf(f, "usage: kms-client key-material [options]\n"
               "\n"
               "Lists the FHE keys, CRSs and preprocessings the server holds\n"
               "(GetKeyMaterialAvailability). Prints one JSON line:\n"
               "{\"request_id\": null, \"fhe_key_ids\": [...], \"crs_ids\": [...],\n"
               " \"preprocessing_ids\": [...], \"storage_info\": \"...\"}\n");
    client_usage_common(f, 0);
}

static void usage_health(FILE *f)
{
    fprintf(f, "usage: kms-client health [options]\n"
               "\n"
               "The server's health (GetHealthStatus): node type, keys held, storage and,\n"
               "for a threshold node, its peers. Prints one JSON line.\n");
    client_usage_common(f, 0);
}

/* Parses options that only the common set has. 0 go on, else the exit status. */
static int parse_simple(struct client_opts *o, int argc, char **argv, void (*usage)(FILE *))
{
    static const struct option opts[] = {CLIENT_COMMON_OPTIONS, {NULL, 0, NULL, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            return -1;
        }
        int r = client_opt(o, c, optarg);
        if (r == 1)
            continue;
        if (r == 0)
            usage(stderr);
        return CLIENT_EXIT_USAGE;
    }
    if (optind != argc)
        return client_usage_error(o, "unexpected argument '%s'", argv[optind]);
    return 0;
}

static void id_list(struct cjson *j, const char *key, char **ids, size_t n)
{
    cjson_array_begin(j, key);
    for (size_t i = 0; i < n; i++)
        cjson_str(j, NULL, ids[i]);
    cjson_array_end(j);
}

int cmd_key_material(int argc, char **argv)
{
    struct client_opts o;
    client_opts_init(&o, "key-material");
    int rc = parse_simple(&o, argc, argv, usage_key_material);
    if (rc != 0)
        return rc < 0 ? CLIENT_EXIT_OK : rc;
    struct rpc_channel *ch;
    if (client_connect(&o, &ch) != 0)
        return client_fail(&o, "connecting");
    Kms__V1__Empty req = KMS__V1__EMPTY__INIT;
    ProtobufCMessage *out;
    if (client_call(&o, ch, &out, NULL, "GetKeyMaterialAvailability", &req.base) != 0) {
        rpc_channel_free(ch);
        return client_fail(&o, "GetKeyMaterialAvailability");
    }
    Kms__V1__KeyMaterialAvailabilityResponse *r = (Kms__V1__KeyMaterialAvailabilityResponse *)out;
    struct cjson j;
    cjson_begin(&j, stdout);
    cjson_null(&j, "request_id");
    id_list(&j, "fhe_key_ids", r->fhe_key_ids, r->n_fhe_key_ids);
    id_list(&j, "crs_ids", r->crs_ids, r->n_crs_ids);
    id_list(&j, "preprocessing_ids", r->preprocessing_ids, r->n_preprocessing_ids);
    cjson_str(&j, "storage_info", r->storage_info);
    cjson_end(&j);
    protobuf_c_message_free_unpacked(out, NULL);
    rpc_channel_free(ch);
    return CLIENT_EXIT_OK;
}

static const char *node_type_name(int t)
{
    switch (t) {
    case KMS__V1__NODE_TYPE__NODE_TYPE_CENTRALIZED: return "centralized";
    case KMS__V1__NODE_TYPE__NODE_TYPE_THRESHOLD: return "threshold";
    default: return "unspecified";
    }
}

static const char *health_name(int s)
{
    switch (s) {
    case KMS__V1__HEALTH_STATUS__HEALTH_STATUS_OPTIMAL: return "optimal";
    case KMS__V1__HEALTH_STATUS__HEALTH_STATUS_HEALTHY: return "healthy";
    case KMS__V1__HEALTH_STATUS__HEALTH_STATUS_DEGRADED: return "degraded";
    case KMS__V1__HEALTH_STATUS__HEALTH_STATUS_UNHEALTHY: return "unhealthy";
    default: return "unspecified";
    }
}

static void print_peers(struct cjson *j, const Kms__V1__HealthStatusResponse *r)
{
    cjson_array_begin(j, "contexts");
    for (size_t i = 0; i < r->n_peers_from_all_contexts; i++) {
        const Kms__V1__PeersFromContext *c = r->peers_from_all_contexts[i];
        cjson_object_begin(j, NULL);
        cjson_str(j, "context_id", c->context_id ? c->context_id->request_id : NULL);
        cjson_u64(j, "my_party_id", c->my_party_id);
        cjson_u64(j, "threshold_required", c->threshold_required);
        cjson_u64(j, "nodes_reachable", c->nodes_reachable);
        cjson_str(j, "status", health_name(c->status));
        cjson_array_begin(j, "peers");
        for (size_t k = 0; k < c->n_peers; k++) {
            const Kms__V1__PeerHealth *p = c->peers[k];
            cjson_object_begin(j, NULL);
            cjson_u64(j, "peer_id", p->peer_id);
            cjson_str(j, "endpoint", p->endpoint);
            cjson_bool(j, "reachable", p->reachable);
            cjson_u64(j, "latency_ms", p->latency_ms);
            if (p->error != NULL && p->error[0] != '\0')
                cjson_str(j, "error", p->error);
            cjson_object_end(j);
        }
        cjson_array_end(j);
        cjson_object_end(j);
    }
    cjson_array_end(j);
}

int cmd_health(int argc, char **argv)
{
    struct client_opts o;
    client_opts_init(&o, "health");
    int rc = parse_simple(&o, argc, argv, usage_health);
    if (rc != 0)
        return rc < 0 ? CLIENT_EXIT_OK : rc;
    struct rpc_channel *ch;
    if (client_connect(&o, &ch) != 0)
        return client_fail(&o, "connecting");
    Kms__V1__Empty req = KMS__V1__EMPTY__INIT;
    ProtobufCMessage *out;
    if (client_call(&o, ch, &out, NULL, "GetHealthStatus", &req.base) != 0) {
        rpc_channel_free(ch);
        return client_fail(&o, "GetHealthStatus");
    }
    Kms__V1__HealthStatusResponse *r = (Kms__V1__HealthStatusResponse *)out;
    struct cjson j;
    cjson_begin(&j, stdout);
    cjson_null(&j, "request_id");
    cjson_str(&j, "node_type", node_type_name(r->node_type));
    id_list(&j, "fhe_key_ids", r->my_fhe_key_ids, r->n_my_fhe_key_ids);
    id_list(&j, "crs_ids", r->my_crs_ids, r->n_my_crs_ids);
    id_list(&j, "preprocessing_ids", r->my_preprocessing_key_ids, r->n_my_preprocessing_key_ids);
    cjson_str(&j, "storage_info", r->my_storage_info);
    print_peers(&j, r);
    cjson_end(&j);
    protobuf_c_message_free_unpacked(out, NULL);
    rpc_channel_free(ch);
    return CLIENT_EXIT_OK;
}
