/* The kms-server configuration: defaults, a TOML file, then environment
 * overrides, then validation.
 *
 * The sections and keys are the reference KMS's (core/service/config/
 * *.toml), so its sample files load as they are, once given the private
 * vault's key-encryption key that ckms requires (which may come from the
 * environment); ckms adds a few keys of its own (marked "ckms" below). Unknown keys are errors that
 * name the key and its line, as the reference's deny_unknown_fields does. Features ckms does not
 * implement (S3 storage, AWS KMS keychains, Nitro enclave TLS) are recognised and refused with a
 * clear message rather than silently ignored.
 *
 * Environment overrides: KMS_CORE__<SECTION>__...__<KEY>=value, matched
 * without regard to case, e.g. KMS_CORE__SERVICE__LISTEN_PORT=50052 or
 * KMS_CORE__PUBLIC_VAULT__STORAGE__FILE__PATH=/srv/keys. The value is read
 * as the key's type (integers in decimal; booleans true/false, yes/no,
 * on/off, 1/0). An override wins over the file; a variable that names no
 * key is an error, like an unknown key in the file. Arrays of tables
 * (threshold.peers) cannot be set from the environment.
 *
 * The presence of a [threshold] section selects threshold mode. */
#ifndef CKMS_OPS_CONFIG_H
#define CKMS_OPS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/error.h"

#define CONFIG_ENV_PREFIX "KMS_CORE"
#define CONFIG_DEFAULT_LISTEN_ADDRESS "127.0.0.1"
#define CONFIG_DEFAULT_PORT 50051
#define CONFIG_DEFAULT_KEYS_DIR "./keys"
/* Optional integers left unset hold this (their consumer's default applies). */
#define CONFIG_UNSET INT64_C(-1)
#define CONFIG_KEK_LEN 32

enum config_storage_kind {
    CONFIG_STORAGE_FILE = 1, /* {path}/{prefix}/{DataType}/{id} */
    CONFIG_STORAGE_RAM = 2   /* in memory, lost on exit */
};

/* [<vault>.storage.file] / [<vault>.storage.ram] (exactly one). */
struct config_storage {
    enum config_storage_kind kind;
    char *path;   /* file: root directory */
    char *prefix; /* file: folder under path; NULL = the vault's default
                     ("PUB", "PRIV", "BACKUP") */
    /* which sub-table was chosen; kind follows from it (a vault whose
     * storage is not given keeps the default, file storage in ./keys) */
    bool has_file, has_ram;
};

/* ckms: [private_vault.encryption], how the private vault's secrets are
 * encrypted at rest (AES-256-GCM under a 32-byte key-encryption key). */
struct config_encryption {
    char *kek_file;          /* file with the KEK: 32 raw bytes or 64 hex digits */
    char *kek_env;           /* name of an environment variable with 64 hex digits */
    bool insecure_plaintext; /* store secrets unencrypted (tests and demos only) */
};

struct config_vault {
    bool present; /* the section was given */
    struct config_storage storage;
    struct config_encryption encryption; /* private_vault only */
};

/* [service]: the gRPC endpoint. */
struct config_service {
    char *listen_address;           /* default 127.0.0.1 (the reference has no default) */
    uint16_t listen_port;           /* default 50051 */
    uint64_t timeout_secs;          /* per-request handler timeout, default 360 */
    uint64_t grpc_max_message_size; /* bytes, default 100 MiB, at most 2^31-1 */
};

/* [rate_limiter_conf]: a token bucket; each running operation holds its
 * cost until it completes. */
struct config_rate_limiter {
    uint64_t bucket_size;  /* 50000 */
    uint32_t pub_decrypt;  /* 1 */
    uint32_t user_decrypt; /* 1 */
    uint32_t crsgen;       /* 100 */
    uint32_t preproc;      /* 25000 */
    uint32_t keygen;       /* 1000 */
    uint32_t new_epoch;    /* 1 */
};

/* [internal_config]: thread pools. Defaults as the reference derives them
 * from the CPU count n: ceil(n/8) I/O threads, n - that (at least 1)
 * compute threads. */
struct config_internal {
    uint32_t num_tokio_threads; /* request handling / I/O threads */
    uint32_t num_rayon_threads; /* compute workers */
};

/* ckms: [request_store], the decryption result store and long polling of
 * the centralized server (the reference hard-codes these; in threshold mode
 * it reads dec_capacity and min_dec_cache from [threshold]). */
struct config_request_store {
    uint64_t dec_capacity;             /* results kept, finished + running: 10000 */
    uint64_t min_dec_cache;            /* finished results kept when full: 6000 */
    uint64_t result_wait_secs;         /* Get*Result long-poll wait: 60 */
    uint64_t preproc_result_wait_secs; /* the same for preprocessing: 300 */
};

/* [telemetry]: parsed, not used yet. */
struct config_telemetry {
    bool present;
    char *tracing_service_name;
    char *tracing_endpoint;
    int64_t tracing_otlp_timeout_ms;
    char *metrics_bind_address; /* "0.0.0.0:9646" in the reference samples */
    bool enable_sys_metrics;
    int64_t refresh_interval_ms;
    int64_t batch_max_queue_size;
    int64_t batch_max_export_batch_size;
    int64_t batch_scheduled_delay_ms;
};

/* [aws]: parsed and ignored (only used by S3 storage, which ckms refuses). */
struct config_aws {
    char *region, *role_arn, *imds_endpoint, *sts_endpoint, *s3_endpoint, *awskms_endpoint;
};

/* [bandwidth_benchmark]: caps for the threshold diagnostic endpoint. */
struct config_bandwidth_benchmark {
    uint32_t max_payload_bytes;   /* 256 MiB */
    uint32_t max_sessions;        /* 256 */
    uint64_t max_total_bytes;     /* 1 GiB */
    uint64_t max_duration_secs;   /* 60 */
    uint64_t max_concurrent_runs; /* 1 */
};

enum config_decryption_mode {
    CONFIG_DEC_NOISE_FLOOD_SMALL = 0,
    CONFIG_DEC_NOISE_FLOOD_LARGE,
    CONFIG_DEC_BIT_DEC_SMALL,
    CONFIG_DEC_BIT_DEC_LARGE
};

/* [[threshold.peers]] */
struct config_peer {
    uint64_t party_id; /* 1-based */
    char *address;
    uint16_t port;
    char *mpc_identity; /* NULL: address */
    bool has_tls_cert;  /* tls_cert.path or tls_cert.pem */
    char *tls_cert_path;
    char *tls_cert_pem;
    char *verification_address;
};

/* [threshold.core_to_core_net]: CONFIG_UNSET (NaN for multiplier) leaves
 * the network layer's default. */
struct config_core_to_core_net {
    int64_t message_limit;
    double multiplier;
    int64_t max_interval;
    int64_t max_elapsed_time;
    int64_t initial_interval_ms;
    int64_t network_timeout;
    int64_t network_timeout_bk;
    int64_t network_timeout_bk_sns;
    int64_t max_en_decode_message_size;
    int64_t session_update_interval_secs;
    int64_t session_cleanup_interval_secs;
    int64_t discard_inactive_sessions_interval;
    int64_t max_waiting_time_for_message_queue;
    int64_t max_opened_inactive_sessions_per_party;
    int64_t max_future_rounds;
    int64_t max_buffered_future_msgs;
};

/* [threshold]: parsed and validated now; used by the threshold engine. */
struct config_threshold {
    bool present;
    char *listen_address;                        /* required, as in the reference */
    uint16_t listen_port;                        /* required */
    uint32_t threshold;                          /* required, 1..255 */
    int64_t my_id;                               /* CONFIG_UNSET or >= 1 */
    uint64_t dec_capacity;                       /* required */
    uint64_t min_dec_cache;                      /* required */
    int64_t num_sessions_preproc;                /* CONFIG_UNSET or >= 1 */
    enum config_decryption_mode decryption_mode; /* required */
    /* [threshold.tls.manual] {cert.path|cert.pem, key.path|key.pem} */
    bool has_tls_manual, has_tls_cert, has_tls_key;
    char *tls_cert_path, *tls_cert_pem;
    char *tls_key_path, *tls_key_pem; /* tls_key_pem is secret: never printed */
    struct config_peer *peers;
    size_t n_peers;
    struct config_core_to_core_net core_to_core_net;
};

struct config {
    struct config_service service;
    struct config_vault public_vault;  /* default: file storage in ./keys */
    struct config_vault private_vault; /* default: file storage in ./keys */
    struct config_vault backup_vault;  /* default: none */
    struct config_rate_limiter rate_limiter;
    struct config_internal internal;
    struct config_request_store request_store;
    struct config_telemetry telemetry;
    struct config_aws aws;
    struct config_bandwidth_benchmark bandwidth_benchmark;
    int64_t enclave_web_identity_token_port; /* [enclave_bootstrap], unused */
    bool mock_enclave;
    struct config_threshold threshold;
};

/* Fills cfg with the defaults (the reference's where it has them). */
int config_defaults(struct config *cfg) KMS_MUST_CHECK;

/* defaults <- file at path (NULL: none) <- environment <- validation.
 * envp is a NULL-terminated "NAME=value" list; NULL means the process
 * environment. Errors name the file, line and key, or the variable. On
 * failure cfg holds nothing (no need to free it). */
int config_load(struct config *cfg, const char *path, char *const *envp) KMS_MUST_CHECK;
/* The same with the TOML document in memory; name is used in messages. */
int config_load_string(struct config *cfg, const char *toml, size_t len, const char *name,
                       char *const *envp) KMS_MUST_CHECK;

/* Cross-field checks (ports in range and distinct, capacities, storage
 * choice, KEK settings, threshold = (n-1)/3 with the peer list, ...).
 * config_load runs it; call it again after changing fields by hand. */
int config_validate(const struct config *cfg) KMS_MUST_CHECK;

/* Releases the strings and arrays and zeroes cfg. NULL is a no-op. */
void config_free(struct config *cfg);

/* Writes the effective configuration as TOML that config_load reads back,
 * with secrets (PEM private keys) replaced by "<redacted>". */
int config_dump(const struct config *cfg, FILE *out) KMS_MUST_CHECK;

/* The private vault's key-encryption key, from the file or environment
 * variable the configuration names. KMS_ENOTFOUND when none is configured
 * (insecure_plaintext or RAM storage); KMS_EINVAL/KMS_EIO when the source
 * is missing or malformed. kek is zeroed on failure; wipe it after use. */
int config_kek_load(const struct config *cfg, uint8_t kek[CONFIG_KEK_LEN],
                    char *const *envp) KMS_MUST_CHECK;

/* "NoiseFloodSmall", ... as written in the file. */
const char *config_decryption_mode_name(enum config_decryption_mode m);

#endif
