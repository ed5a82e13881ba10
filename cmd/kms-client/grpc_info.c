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

/* A command of the common options only that calls the parameterless
 * `method` and prints its answer as one JSON line. */
struct simple_cmd {
    const char *name, *method;
    void (*usage)(FILE *);
    void (*print)(struct cjson *j, const ProtobufCMessage *resp);
};

static int run_simple(const struct simple_cmd *cmd, int argc, char **argv)
{
    static const struct option opts[] = {CLIENT_COMMON_OPTIONS, {NULL, 0, NULL, 0}};
    struct client_opts o;
    int status;
    client_opts_init(&o, cmd->name);
    optind = 1;
    while (client_getopt(&o, &status, argc, argv, opts, cmd->usage) != -1)
        ; /* no options of its own */
    if (status != 0)
        return status < 0 ? CLIENT_EXIT_OK : status;
    struct rpc_channel *ch;
    if (client_connect(&o, &ch) != 0)
        return client_fail(&o, "connecting");
    Kms__V1__Empty req = KMS__V1__EMPTY__INIT;
    ProtobufCMessage *out;
    if (client_call(&o, ch, &out, NULL, cmd->method, &req.base) != 0) {
        rpc_channel_free(ch);
        return client_fail(&o, cmd->method);
    }
    struct cjson j;
    cjson_begin(&j, stdout);
    cjson_null(&j, "request_id");
    cmd->print(&j, out);
    cjson_end(&j);
    protobuf_c_message_free_unpacked(out, NULL);
    rpc_channel_free(ch);
    return CLIENT_EXIT_OK;
}

static void id_list(struct cjson *j, const char *key, char **ids, size_t n)
{
    cjson_array_begin(j, key);
    for (size_t i = 0; i < n; i++)
        cjson_str(j, NULL, ids[i]);
    cjson_array_end(j);
}

static void print_key_material(struct cjson *j, const ProtobufCMessage *out)
{
    const Kms__V1__KeyMaterialAvailabilityResponse *r =
        (const Kms__V1__KeyMaterialAvailabilityResponse *)out;
    id_list(j, "fhe_key_ids", r->fhe_key_ids, r->n_fhe_key_ids);
    id_list(j, "crs_ids", r->crs_ids, r->n_crs_ids);
    id_list(j, "preprocessing_ids", r->preprocessing_ids, r->n_preprocessing_ids);
    cjson_str(j, "storage_info", r->storage_info);
}

int cmd_key_material(int argc, char **argv)
{
    static const struct simple_cmd cmd = {"key-material", "GetKeyMaterialAvailability",
                                          usage_key_material, print_key_material};
    return run_simple(&cmd, argc, argv);
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

static void print_health(struct cjson *j, const ProtobufCMessage *out)
{
    const Kms__V1__HealthStatusResponse *r = (const Kms__V1__HealthStatusResponse *)out;
    cjson_str(j, "node_type", node_type_name(r->node_type));
    id_list(j, "fhe_key_ids", r->my_fhe_key_ids, r->n_my_fhe_key_ids);
    id_list(j, "crs_ids", r->my_crs_ids, r->n_my_crs_ids);
    id_list(j, "preprocessing_ids", r->my_preprocessing_key_ids, r->n_my_preprocessing_key_ids);
    cjson_str(j, "storage_info", r->my_storage_info);
    print_peers(j, r);
}

int cmd_health(int argc, char **argv)
{
    static const struct simple_cmd cmd = {"health", "GetHealthStatus", usage_health,
                                          print_health};
    return run_simple(&cmd, argc, argv);
}
