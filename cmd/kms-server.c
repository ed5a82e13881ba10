/* kms-server: the centralized KMS server (docs/API.md).
 *
 *   kms-server --config F [--port N] [--allow-test-params] [--log-level L]
 *
 * Loads the configuration, opens the vaults, loads the node's signing key
 * and every stored FHE key, serves gRPC until SIGTERM or SIGINT, then shuts
 * down gracefully. Prints "kms-server listening on HOST:PORT" on stdout
 * once serving. */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "ops/config.h"
#include "rpc/health.h"
#include "rpc/server.h"
#include "service/central.h"
#include "service/kms_service.h"
#include "service/node_key.h"
#include "service/vaults.h"

#define GRACE_MS 5000
#define LONG_POLL_THREADS 16

static void usage(FILE *f)
{
    fprintf(f,
            "usage: kms-server --config FILE [options]\n"
            "\n"
            "Serves the centralized KMS over gRPC (kms_service.v1.CoreServiceEndpoint,\n"
            "metastore_status.v1.MetaStoreStatusService, grpc.health.v1.Health) on\n"
            "[service] listen_address:listen_port, plaintext HTTP/2. Run kms-gen-keys\n"
            "with the same configuration first: it creates the signing key.\n"
            "\n"
            "  -c, --config FILE        the TOML configuration (config/centralized.toml);\n"
            "                           KMS_CORE__<SECTION>__<KEY> variables override it\n"
            "  -p, --port N             listen on port N instead (0: any free port)\n"
            "      --allow-test-params  accept FheParameter test (insecure, small keys)\n"
            "      --log-level L        error, warn, info (default), debug or trace\n"
            "      --print-config       print the effective configuration and exit\n"
            "  -h, --help               this text\n"
            "\n"
            "Once serving it prints one line on stdout:\n"
            "  kms-server listening on HOST:PORT\n"
            "SIGTERM or SIGINT stop it gracefully (running calls get %d s, running key\n"
            "generations are aborted and leave nothing behind). Logs go to stderr.\n",
            GRACE_MS / 1000);
}

struct opts {
    const char *config;
    long port; /* -1: from the configuration */
    int allow_test, print_config;
    enum log_level level;
};

static int parse_args(struct opts *o, int argc, char **argv)
{
    static const struct option lo[] = {
        {"config", required_argument, NULL, 'c'},   {"port", required_argument, NULL, 'p'},
        {"allow-test-params", no_argument, NULL, 't'},
        {"log-level", required_argument, NULL, 'l'}, {"print-config", no_argument, NULL, 'P'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0}};
    *o = (struct opts){.port = -1, .level = LOG_INFO};
    int ch;
    while ((ch = getopt_long(argc, argv, "c:p:h", lo, NULL)) != -1) {
        char *end;
        switch (ch) {
        case 'c': o->config = optarg; break;
        case 'p':
            o->port = strtol(optarg, &end, 10);
            if (*end != '\0' || *optarg == '\0' || o->port < 0 || o->port > 65535) {
                fprintf(stderr, "kms-server: --port wants 0..65535\n");
                return 2;
            }
            break;
        case 't': o->allow_test = 1; break;
        case 'l':
            if (log_parse_level(&o->level, optarg) != 0) {
                fprintf(stderr, "kms-server: unknown log level '%s'\n", optarg);
                return 2;
            }
            break;
        case 'P': o->print_config = 1; break;
        case 'h': usage(stdout); exit(0);
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc || o->config == NULL) {
        usage(stderr);
        return 2;
    }
    return 0;
}

/* Everything the server holds, freed in reverse order. */
struct server {
    struct config cfg;
    struct vault *pub, *priv;
    struct node_key *key;
    struct kms_service *svc;
    struct central *central;
    struct rpc_server *rpc;
};

static int fail(const char *what)
{
    fprintf(stderr, "kms-server: %s: %s\n", what, kms_err_msg());
    log_error("start-up failed", "step=\"%s\"", what);
    return 1;
}

static int open_engine(struct server *sv, const struct opts *o)
{
    const struct config *cfg = &sv->cfg;
    if (vaults_open(&sv->pub, &sv->priv, cfg) != 0)
        return fail("opening the vaults");
    int rc = node_key_load(&sv->key, sv->priv);
    if (rc == KMS_ENOTFOUND) {
        fprintf(stderr, "kms-server: the private vault holds no signing key: run "
                        "`kms-gen-keys --config %s` first\n", o->config);
        return 1;
    }
    if (rc < 0)
        return fail("loading the signing key");
    if (node_key_check_public(sv->pub, sv->key, 1) != 0)
        return fail("checking the published verification key");
    char pub_info[256], priv_info[256], info[600];
    vaults_describe(pub_info, sizeof pub_info, &cfg->public_vault, sv->pub);
    vaults_describe(priv_info, sizeof priv_info, &cfg->private_vault, sv->priv);
    snprintf(info, sizeof info, "public: %s; private: %s", pub_info, priv_info);
    const struct config_rate_limiter *rl = &cfg->rate_limiter;
    const struct config_request_store *rs = &cfg->request_store;
    struct kms_service_config sc = {
        .key = sv->key,
        .result_wait_ms = rs->result_wait_secs * 1000,
        .preproc_wait_ms = rs->preproc_result_wait_secs * 1000,
        .dec_capacity = rs->dec_capacity,
        .min_dec_cache = rs->min_dec_cache,
        .bucket_size = rl->bucket_size,
        .cost_pub_decrypt = rl->pub_decrypt,
        .cost_user_decrypt = rl->user_decrypt,
        .cost_keygen = rl->keygen,
        .cost_preproc = rl->preproc,
        .allow_test_params = o->allow_test,
        .keygen_threads = 1,
        .storage_info = info,
    };
    if (kms_service_new(&sv->svc, &sc) != 0)
        return fail("creating the service");
    struct central_config cc = {.pub = sv->pub, .priv = sv->priv, .key = sv->key,
                                .verify_public = 1};
    if (central_new(&sv->central, &cc, kms_service_restore_key, sv->svc) != 0)
        return fail("loading the stored keys");
    kms_service_attach(sv->svc, sv->central);
    log_info("keys loaded", "keys=%zu address=%s", central_cached_keys(sv->central),
             sv->key->address_str);
    return 0;
}

static int open_rpc(struct server *sv, const struct opts *o, char *addr, size_t addr_cap)
{
    const struct config_service *cs = &sv->cfg.service;
    unsigned port = o->port >= 0 ? (unsigned)o->port : cs->listen_port;
    snprintf(addr, addr_cap, "%s:%u", cs->listen_address, port);
    /* handlers compute (decryptions) or sleep in long polls: one thread per
     * core for the first, plus room for LONG_POLL_THREADS of the second so
     * that waiting pollers never starve decryptions */
    size_t workers = (size_t)sv->cfg.internal.num_tokio_threads +
                     sv->cfg.internal.num_rayon_threads + LONG_POLL_THREADS;
    struct rpc_server_config rc = {
        .listen_addr = addr,
        .cq_threads = 1,
        .workers = workers,
        .max_recv_bytes = (int64_t)cs->grpc_max_message_size,
        .max_send_bytes = (int64_t)cs->grpc_max_message_size,
    };
    if (rpc_server_new(&sv->rpc, &rc) != 0)
        return fail("listening");
    if (kms_service_register(sv->svc, sv->rpc) != 0 || rpc_server_start(sv->rpc) != 0)
        return fail("starting the gRPC server");
    snprintf(addr, addr_cap, "%s:%d", cs->listen_address, rpc_server_port(sv->rpc));
    return 0;
}

static void close_server(struct server *sv)
{
    if (sv->rpc != NULL) {
        rpc_health_set_serving(sv->rpc, 0);
        rpc_server_shutdown(sv->rpc, GRACE_MS);
    }
    if (sv->svc != NULL)
        kms_service_stop(sv->svc);
    rpc_server_free(sv->rpc);
    central_free(sv->central);
    kms_service_free(sv->svc);
    node_key_free(sv->key);
    vault_free(sv->priv);
    vault_free(sv->pub);
    config_free(&sv->cfg);
}

int main(int argc, char **argv)
{
    struct opts o;
    int rc = parse_args(&o, argc, argv);
    if (rc != 0)
        return rc;
    log_set_level(o.level);
    /* every thread created from here on inherits the blocked signals; the
     * main thread takes them with sigwait */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct server sv;
    memset(&sv, 0, sizeof sv);
    if (config_load(&sv.cfg, o.config, NULL) != 0) {
        fprintf(stderr, "kms-server: %s\n", kms_err_msg());
        return 1;
    }
    if (o.print_config) {
        rc = config_dump(&sv.cfg, stdout) != 0;
        config_free(&sv.cfg);
        return rc;
    }
    if (sv.cfg.threshold.present) {
        fprintf(stderr, "kms-server: this configuration selects threshold mode ([threshold]); "
                        "ckms serves centralized mode only so far\n");
        config_free(&sv.cfg);
        return 1;
    }
    char addr[300];
    rc = open_engine(&sv, &o);
    if (rc == 0)
        rc = open_rpc(&sv, &o, addr, sizeof addr);
    if (rc != 0) {
        close_server(&sv);
        return rc;
    }
    log_info("serving", "address=%s allow_test_params=%d", addr, o.allow_test);
    printf("kms-server listening on %s\n", addr);
    fflush(stdout);
    int sig = 0;
    sigwait(&sigs, &sig);
    log_info("shutting down", "signal=%d", sig);
    close_server(&sv);
    log_info("stopped", NULL);
    return 0;
}
