/* Every section and key of the kms-server configuration. Names, types and
 * ranges follow the reference (core/service/src/conf/ (mod.rs, threshold.rs) and the structs
 * they nest); keys marked "ckms" are ours. */
#include "ops/config_schema.h"

#include <stddef.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define MAXI INT64_MAX

/* A key stored at offsetof(type, member) from its section's base. */
#define KEY(name, kind, type, member, lo, hi, flags)                                               \
    {                                                                                              \
        name, kind, flags, offsetof(type, member), CONFIG_NO_OFF, lo, hi, NULL, NULL, NULL         \
    }
#define STR(name, type, member, flags) KEY(name, CK_STR, type, member, 0, 0, flags)
#define BOOL(name, type, member) KEY(name, CK_BOOL, type, member, 0, 1, 0)
/* A sub-table whose base is base + off; `present` (relative to the new
 * base, CONFIG_NO_OFF if none) is set when it is given. */
#define SEC(name, off, present, sub, flags)                                                        \
    {                                                                                              \
        name, CK_SECTION, flags, off, present, 0, 0, &(sub), NULL, NULL                            \
    }
/* A sub-table ckms accepts but does not read (why == NULL) or refuses. */
#define OPAQUE(name, why)                                                                          \
    {                                                                                              \
        name, CK_OPAQUE, (why) ? F_REFUSED : 0, 0, CONFIG_NO_OFF, 0, 0, NULL, NULL, why            \
    }
#define SECTION(fields)                                                                            \
    {                                                                                              \
        fields, N(fields), 0                                                                       \
    }

/* --- Vaults -------------------------------------------------------------- */

static const struct config_field file_fields[] = {
    STR("path", struct config_storage, path, F_REQUIRED),
    STR("prefix", struct config_storage, prefix, 0),
};
static const struct config_section file_sec = SECTION(file_fields);
static const struct config_section ram_sec = {NULL, 0, 0};

static const struct config_field storage_fields[] = {
    SEC("file", 0, offsetof(struct config_storage, has_file), file_sec, 0),
    SEC("ram", 0, offsetof(struct config_storage, has_ram), ram_sec, 0),
    OPAQUE("s3", "S3 storage is not supported by ckms; use storage.file or storage.ram"),
};
static const struct config_section storage_sec = SECTION(storage_fields);

static const struct config_field keychain_fields[] = {
    OPAQUE("aws_kms", "AWS KMS keychains are not supported by ckms; the private vault is "
                      "encrypted with [private_vault.encryption] instead"),
    OPAQUE("secret_sharing", "custodian (secret sharing) backup is not supported by ckms yet"),
};
static const struct config_section keychain_sec = SECTION(keychain_fields);

/* ckms: the key-encryption key of the private vault */
static const struct config_field encryption_fields[] = {
    STR("kek_file", struct config_encryption, kek_file, 0),
    STR("kek_env", struct config_encryption, kek_env, 0),
    BOOL("insecure_plaintext", struct config_encryption, insecure_plaintext),
};
static const struct config_section encryption_sec = SECTION(encryption_fields);

#define VAULT_COMMON                                                                               \
    SEC("storage", offsetof(struct config_vault, storage), CONFIG_NO_OFF, storage_sec,             \
        F_CHOICE | F_SPARSE),                                                                      \
        SEC("keychain", 0, CONFIG_NO_OFF, keychain_sec, F_SPARSE)

static const struct config_field vault_fields[] = {VAULT_COMMON};
static const struct config_section vault_sec = SECTION(vault_fields);
static const struct config_field private_vault_fields[] = {
    VAULT_COMMON,
    SEC("encryption", offsetof(struct config_vault, encryption), CONFIG_NO_OFF, encryption_sec,
        F_SPARSE),
};
static const struct config_section private_vault_sec = SECTION(private_vault_fields);

/* --- Service-wide sections ------------------------------------------------ */

static const struct config_field service_fields[] = {
    STR("listen_address", struct config_service, listen_address, 0),
    KEY("listen_port", CK_U16, struct config_service, listen_port, 1, 65535, 0),
    KEY("timeout_secs", CK_U64, struct config_service, timeout_secs, 1, MAXI, 0),
    KEY("grpc_max_message_size", CK_U64, struct config_service, grpc_max_message_size, 1,
        2147483647, 0),
};
static const struct config_section service_sec = SECTION(service_fields);

static const struct config_field aws_fields[] = {
    STR("region", struct config_aws, region, 0),
    STR("role_arn", struct config_aws, role_arn, 0),
    STR("imds_endpoint", struct config_aws, imds_endpoint, 0),
    STR("sts_endpoint", struct config_aws, sts_endpoint, 0),
    STR("s3_endpoint", struct config_aws, s3_endpoint, 0),
    STR("awskms_endpoint", struct config_aws, awskms_endpoint, 0),
};
static const struct config_section aws_sec = SECTION(aws_fields);

#define RL(name, lo) KEY(#name, CK_U32, struct config_rate_limiter, name, lo, UINT32_MAX, 0)
static const struct config_field rate_limiter_fields[] = {
    KEY("bucket_size", CK_U64, struct config_rate_limiter, bucket_size, 1, MAXI, 0),
    RL(pub_decrypt, 1),
    RL(user_decrypt, 1),
    RL(crsgen, 1),
    RL(preproc, 1),
    RL(keygen, 1),
    RL(new_epoch, 1),
};
static const struct config_section rate_limiter_sec = SECTION(rate_limiter_fields);

static const struct config_field internal_fields[] = {
    KEY("num_tokio_threads", CK_U32, struct config_internal, num_tokio_threads, 1, 4096, 0),
    KEY("num_rayon_threads", CK_U32, struct config_internal, num_rayon_threads, 1, 4096, 0),
};
static const struct config_section internal_sec = SECTION(internal_fields);

/* ckms: the centralized server's result store and long polling */
#define RS(name, lo) KEY(#name, CK_U64, struct config_request_store, name, lo, MAXI, 0)
static const struct config_field request_store_fields[] = {
    RS(dec_capacity, 1),
    RS(min_dec_cache, 0),
    RS(result_wait_secs, 1),
    RS(preproc_result_wait_secs, 1),
};
static const struct config_section request_store_sec = SECTION(request_store_fields);

#define TEL_I64(name, member, lo) KEY(name, CK_I64, struct config_telemetry, member, lo, MAXI, 0)
static const struct config_field batch_fields[] = {
    TEL_I64("max_queue_size", batch_max_queue_size, 0),
    TEL_I64("max_export_batch_size", batch_max_export_batch_size, 0),
    TEL_I64("scheduled_delay_ms", batch_scheduled_delay_ms, 0),
};
static const struct config_section batch_sec = SECTION(batch_fields);

static const struct config_field telemetry_fields[] = {
    STR("tracing_service_name", struct config_telemetry, tracing_service_name, 0),
    STR("tracing_endpoint", struct config_telemetry, tracing_endpoint, 0),
    TEL_I64("tracing_otlp_timeout_ms", tracing_otlp_timeout_ms, 1),
    STR("metrics_bind_address", struct config_telemetry, metrics_bind_address, 0),
    BOOL("enable_sys_metrics", struct config_telemetry, enable_sys_metrics),
    TEL_I64("refresh_interval_ms", refresh_interval_ms, 1),
    SEC("batch", 0, CONFIG_NO_OFF, batch_sec, F_SPARSE),
};
static const struct config_section telemetry_sec = SECTION(telemetry_fields);

#define BB(name, kind) KEY(#name, kind, struct config_bandwidth_benchmark, name, 1, MAXI, 0)
static const struct config_field bandwidth_fields[] = {
    KEY("max_payload_bytes", CK_U32, struct config_bandwidth_benchmark, max_payload_bytes, 1,
        UINT32_MAX, 0),
    KEY("max_sessions", CK_U32, struct config_bandwidth_benchmark, max_sessions, 1, UINT32_MAX, 0),
    BB(max_total_bytes, CK_U64),
    BB(max_duration_secs, CK_U64),
    BB(max_concurrent_runs, CK_U64),
};
static const struct config_section bandwidth_sec = SECTION(bandwidth_fields);

static const struct config_field enclave_fields[] = {
    {"web_identity_token_port", CK_I64, F_REQUIRED, 0, CONFIG_NO_OFF, 1, 65535, NULL, NULL, NULL},
};
static const struct config_section enclave_sec = SECTION(enclave_fields);

/* --- [threshold] ------------------------------------------------------------ */

#define TH struct config_threshold
static const struct config_field cert_fields[] = {
    STR("path", TH, tls_cert_path, 0),
    STR("pem", TH, tls_cert_pem, 0),
};
static const struct config_section cert_sec = SECTION(cert_fields);
static const struct config_field key_fields[] = {
    STR("path", TH, tls_key_path, 0),
    STR("pem", TH, tls_key_pem, F_SECRET),
};
static const struct config_section key_sec = SECTION(key_fields);
static const struct config_field manual_fields[] = {
    SEC("cert", 0, offsetof(TH, has_tls_cert), cert_sec, 0),
    SEC("key", 0, offsetof(TH, has_tls_key), key_sec, 0),
};
static const struct config_section manual_sec = SECTION(manual_fields);
static const struct config_field tls_fields[] = {
    SEC("manual", 0, offsetof(TH, has_tls_manual), manual_sec, 0),
    OPAQUE("auto", "TLS auto mode needs AWS Nitro enclaves, which ckms does not support; use "
                   "[threshold.tls.manual]"),
};
static const struct config_section tls_sec = SECTION(tls_fields);

#define PEER struct config_peer
static const struct config_field peer_cert_fields[] = {
    STR("path", PEER, tls_cert_path, 0),
    STR("pem", PEER, tls_cert_pem, 0),
};
static const struct config_section peer_cert_sec = SECTION(peer_cert_fields);
static const struct config_field peer_fields[] = {
    KEY("party_id", CK_U64, PEER, party_id, 1, MAXI, F_REQUIRED),
    STR("address", PEER, address, F_REQUIRED),
    STR("mpc_identity", PEER, mpc_identity, 0),
    KEY("port", CK_U16, PEER, port, 1, 65535, F_REQUIRED),
    SEC("tls_cert", 0, offsetof(PEER, has_tls_cert), peer_cert_sec, 0),
    STR("verification_address", PEER, verification_address, 0),
};
static const struct config_section peer_sec = {peer_fields, N(peer_fields), sizeof(PEER)};

#define C2C(name, lo) KEY(#name, CK_I64, struct config_core_to_core_net, name, lo, MAXI, 0)
static const struct config_field c2c_fields[] = {
    C2C(message_limit, 1),
    KEY("multiplier", CK_F64, struct config_core_to_core_net, multiplier, 0, 0, 0),
    C2C(max_interval, 1),
    C2C(max_elapsed_time, 1),
    C2C(initial_interval_ms, 1),
    C2C(network_timeout, 1),
    C2C(network_timeout_bk, 1),
    C2C(network_timeout_bk_sns, 1),
    C2C(max_en_decode_message_size, 1024),
    C2C(session_update_interval_secs, 1),
    C2C(session_cleanup_interval_secs, 1),
    C2C(discard_inactive_sessions_interval, 1),
    C2C(max_waiting_time_for_message_queue, 1),
    C2C(max_opened_inactive_sessions_per_party, 0),
    C2C(max_future_rounds, 0),
    C2C(max_buffered_future_msgs, 0),
};
static const struct config_section c2c_sec = SECTION(c2c_fields);

static const char *const decryption_modes[] = {"NoiseFloodSmall", "NoiseFloodLarge", "BitDecSmall",
                                               "BitDecLarge", NULL};

static const struct config_field threshold_fields[] = {
    STR("listen_address", TH, listen_address, F_REQUIRED),
    KEY("listen_port", CK_U16, TH, listen_port, 1, 65535, F_REQUIRED),
    SEC("tls", 0, CONFIG_NO_OFF, tls_sec, F_SPARSE),
    KEY("threshold", CK_U32, TH, threshold, 1, 255, F_REQUIRED),
    KEY("my_id", CK_I64, TH, my_id, 1, MAXI, 0),
    KEY("dec_capacity", CK_U64, TH, dec_capacity, 1, MAXI, F_REQUIRED),
    KEY("min_dec_cache", CK_U64, TH, min_dec_cache, 0, MAXI, F_REQUIRED),
    KEY("num_sessions_preproc", CK_I64, TH, num_sessions_preproc, 1, 65535, 0),
    {"peers", CK_TABLES, 0, offsetof(TH, peers), offsetof(TH, n_peers), 0, 0, &peer_sec, NULL,
     NULL},
    SEC("core_to_core_net", offsetof(TH, core_to_core_net), CONFIG_NO_OFF, c2c_sec, F_SPARSE),
    {"decryption_mode", CK_ENUM, F_REQUIRED, offsetof(TH, decryption_mode), CONFIG_NO_OFF, 0, 0,
     NULL, decryption_modes, NULL},
};
static const struct config_section threshold_sec = SECTION(threshold_fields);

/* --- The file ----------------------------------------------------------------- */

#define CFG(member) offsetof(struct config, member)
#define PRESENT(type) offsetof(type, present)
static const struct config_field root_fields[] = {
    KEY("mock_enclave", CK_BOOL, struct config, mock_enclave, 0, 1, 0),
    SEC("service", CFG(service), CONFIG_NO_OFF, service_sec, 0),
    SEC("aws", CFG(aws), CONFIG_NO_OFF, aws_sec, F_SPARSE),
    SEC("public_vault", CFG(public_vault), PRESENT(struct config_vault), vault_sec, F_SPARSE),
    SEC("private_vault", CFG(private_vault), PRESENT(struct config_vault), private_vault_sec,
        F_SPARSE),
    SEC("backup_vault", CFG(backup_vault), PRESENT(struct config_vault), vault_sec, F_SPARSE),
    SEC("rate_limiter_conf", CFG(rate_limiter), CONFIG_NO_OFF, rate_limiter_sec, 0),
    SEC("internal_config", CFG(internal), CONFIG_NO_OFF, internal_sec, 0),
    SEC("request_store", CFG(request_store), CONFIG_NO_OFF, request_store_sec, 0),
    SEC("telemetry", CFG(telemetry), PRESENT(struct config_telemetry), telemetry_sec, 0),
    SEC("bandwidth_benchmark", CFG(bandwidth_benchmark), CONFIG_NO_OFF, bandwidth_sec, 0),
    SEC("enclave_bootstrap", CFG(enclave_web_identity_token_port), CONFIG_NO_OFF, enclave_sec,
        F_SPARSE),
    OPAQUE("migration", NULL),
    SEC("threshold", CFG(threshold), PRESENT(struct config_threshold), threshold_sec, 0),
};

const struct config_section config_schema_root = SECTION(root_fields);
