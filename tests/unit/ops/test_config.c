/* Server configuration: the defaults are the reference KMS's
 * (core/service/src/conf, util/rate_limiter.rs, consts.rs), its sample
 * files' shapes load (centralized and threshold), config/centralized.toml
 * loads and validates, environment overrides win and follow the config
 * crate's rules (KMS_CORE__A__B, case-insensitive), unknown keys and type
 * errors name the key and line, validation catches inconsistent settings,
 * the dump loads back to the same configuration without secrets, and the
 * KEK is read from its environment variable or file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ops/config.h"
#include "test_util.h"

static char *no_env[] = {NULL};
static char *kek_env[] = {"CKMS_KEK=000102030405060708090a0b0c0d0e0f"
                          "101112131415161718191a1b1c1d1e1f",
                          NULL};

/* A minimal centralized file: everything else from the defaults. */
#define KEK_SECTION "[private_vault.encryption]\nkek_env = \"CKMS_KEK\"\n"

static void load_ok(struct config *cfg, const char *doc, char **env)
{
    if (config_load_string(cfg, doc, strlen(doc), "test.toml", env) != 0)
        fail_msg("load failed: %s\n--- document ---\n%s", kms_err_msg(), doc);
}

/* Loads doc, which must fail with code and a message containing each of
 * the NULL-terminated needles. */
static void load_bad(const char *doc, char **env, int code, ...)
{
    struct config cfg;
    memset(&cfg, 0xAA, sizeof cfg);
    int rc = config_load_string(&cfg, doc, strlen(doc), "test.toml", env);
    if (rc != code)
        fail_msg("expected %d, got %d (%s) for:\n%s", code, rc, kms_err_msg(), doc);
    /* nothing is left behind on failure */
    static const struct config zero;
    assert_memory_equal(&cfg, &zero, sizeof cfg);
    va_list ap;
    va_start(ap, code);
    for (const char *needle; (needle = va_arg(ap, const char *)) != NULL;)
        if (strstr(kms_err_msg(), needle) == NULL)
            fail_msg("message '%s' lacks '%s'", kms_err_msg(), needle);
    va_end(ap);
}

static void test_defaults(void **state)
{
    (void)state;
    struct config c;
    assert_int_equal(config_defaults(&c), 0);
    assert_string_equal(c.service.listen_address, "127.0.0.1");
    assert_int_equal(c.service.listen_port, 50051);
    assert_int_equal(c.service.timeout_secs, 360);
    assert_int_equal(c.service.grpc_max_message_size, 104857600);
    assert_int_equal(c.rate_limiter.bucket_size, 50000);
    assert_int_equal(c.rate_limiter.pub_decrypt, 1);
    assert_int_equal(c.rate_limiter.user_decrypt, 1);
    assert_int_equal(c.rate_limiter.crsgen, 100);
    assert_int_equal(c.rate_limiter.preproc, 25000);
    assert_int_equal(c.rate_limiter.keygen, 1000);
    assert_int_equal(c.rate_limiter.new_epoch, 1);
    assert_int_equal(c.request_store.dec_capacity, 10000);
    assert_int_equal(c.request_store.min_dec_cache, 6000);
    assert_int_equal(c.request_store.result_wait_secs, 60);
    assert_int_equal(c.request_store.preproc_result_wait_secs, 300);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    assert_int_equal(c.internal.num_tokio_threads, (n + 7) / 8);
    assert_int_equal(c.internal.num_tokio_threads + c.internal.num_rayon_threads, n > 1 ? n : 2);
    assert_int_equal(c.public_vault.storage.kind, CONFIG_STORAGE_FILE);
    assert_string_equal(c.public_vault.storage.path, "./keys");
    assert_null(c.public_vault.storage.prefix);
    assert_int_equal(c.private_vault.storage.kind, CONFIG_STORAGE_FILE);
    assert_false(c.backup_vault.present);
    assert_false(c.threshold.present);
    assert_true(c.threshold.my_id == CONFIG_UNSET);
    assert_true(isnan(c.threshold.core_to_core_net.multiplier));
    assert_int_equal(c.bandwidth_benchmark.max_payload_bytes, 1u << 28);
    /* the defaults alone refuse to start: private keys need a KEK */
    assert_int_equal(config_validate(&c), KMS_EINVAL);
    assert_non_null(strstr(kms_err_msg(), "key-encryption key"));
    config_free(&c);
    config_free(NULL);

    /* no file at all: defaults + environment */
    assert_int_equal(config_load(&c, NULL, kek_env), KMS_EINVAL);
    char *env[] = {"KMS_CORE__PRIVATE_VAULT__ENCRYPTION__KEK_ENV=CKMS_KEK", NULL};
    assert_int_equal(config_load(&c, NULL, env), 0);
    assert_string_equal(c.private_vault.encryption.kek_env, "CKMS_KEK");
    assert_int_equal(c.service.listen_port, 50051);
    config_free(&c);
}

static void sample_path(char *out, size_t cap)
{
    const char *me = __FILE__; /* .../tests/unit/ops/test_config.c */
    const char *tail = strstr(me, "tests/unit/ops/test_config.c");
    assert_non_null(tail);
    snprintf(out, cap, "%.*sconfig/centralized.toml", (int)(tail - me), me);
}

static void test_sample_centralized(void **state)
{
    (void)state;
    char path[512];
    sample_path(path, sizeof path);
    struct config c;
    if (config_load(&c, path, no_env) != 0)
        fail_msg("%s", kms_err_msg());
    assert_false(c.threshold.present);
    assert_string_equal(c.service.listen_address, "127.0.0.1");
    assert_int_equal(c.service.listen_port, 50051);
    assert_int_equal(c.public_vault.storage.kind, CONFIG_STORAGE_FILE);
    assert_string_equal(c.public_vault.storage.path, "./keys");
    assert_string_equal(c.private_vault.storage.path, "./keys");
    assert_string_equal(c.private_vault.encryption.kek_env, "CKMS_KEK");
    assert_false(c.private_vault.encryption.insecure_plaintext);
    uint8_t kek[CONFIG_KEK_LEN];
    assert_int_equal(config_kek_load(&c, kek, kek_env), 0);
    for (int i = 0; i < CONFIG_KEK_LEN; i++)
        assert_int_equal(kek[i], i);
    assert_int_equal(config_kek_load(&c, kek, no_env), KMS_EINVAL);
    assert_non_null(strstr(kms_err_msg(), "CKMS_KEK"));
    config_free(&c);
}

/* The shape of the reference's default_centralized.toml and default_1.toml
 * (keys and values only), plus the KEK ckms needs, from the environment. */
static const char ref_centralized[] =
    "[service]\nlisten_address = \"0.0.0.0\"\nlisten_port = 50051\ntimeout_secs = 360\n"
    "grpc_max_message_size = 104857600 # 100 MiB\n"
    "[telemetry]\ntracing_service_name = \"kms-centralized\"\n"
    "metrics_bind_address = \"0.0.0.0:9646\"\nenable_sys_metrics = true\n"
    "[telemetry.batch]\nmax_queue_size = 8192\nmax_export_batch_size = 2048\n"
    "scheduled_delay_ms = 500\n"
    "[public_vault.storage.file]\npath = \"./keys\"\n"
    "[private_vault.storage.file]\npath = \"./keys\"\n"
    "[backup_vault]\n[backup_vault.storage.file]\npath = \"./backup_vault\"\n"
    "[rate_limiter_conf]\nbucket_size = 50000\npub_decrypt = 1\nuser_decrypt = 1\n"
    "crsgen = 100\npreproc = 25000\nkeygen = 1000\nnew_epoch = 1\n";

static const char ref_threshold[] =
    "[service]\nlisten_address = \"0.0.0.0\"\nlisten_port = 50100\ntimeout_secs = 360\n"
    "grpc_max_message_size = 104857600\n"
    "[aws]\nregion = \"us-east-1\"\ns3_endpoint = \"http://dev-s3-mock:9000\"\n"
    "[public_vault]\n[public_vault.storage.file]\npath = \"./keys\"\nprefix = \"PUB-p1\"\n"
    "[private_vault]\n[private_vault.storage.file]\npath = \"./keys\"\nprefix = \"PRIV-p1\"\n"
    "[threshold]\nlisten_address = \"0.0.0.0\"\nlisten_port = 50001\nmy_id = 1\nthreshold = 1\n"
    "dec_capacity = 10000\nmin_dec_cache = 6000\nnum_sessions_preproc = 2\n"
    "decryption_mode = \"NoiseFloodSmall\"\n"
    "[threshold.tls.manual]\ncert.path = \"certs/cert_p1.pem\"\nkey.path = \"certs/key_p1.pem\"\n"
    "[[threshold.peers]]\nparty_id = 1\naddress = \"p1\"\nmpc_identity = \"p1\"\nport = 50001\n"
    "tls_cert.path = \"certs/cert_p1.pem\"\n"
    "[[threshold.peers]]\nparty_id = 2\naddress = \"p2\"\nport = 50002\n"
    "tls_cert.pem = \"-----BEGIN CERTIFICATE-----\"\n"
    "[[threshold.peers]]\nparty_id = 3\naddress = \"p3\"\nport = 50003\n"
    "[[threshold.peers]]\nparty_id = 4\naddress = \"p4\"\nport = 50004\n"
    "verification_address = \"0x00000000000000000000000000000000000000aa\"\n"
    "[threshold.core_to_core_net]\nmessage_limit = 70\nmultiplier = 2.0\nmax_interval = 60\n"
    "initial_interval_ms = 100\nmax_elapsed_time = 300\nnetwork_timeout = 20\n"
    "network_timeout_bk = 300\nnetwork_timeout_bk_sns = 1200\n"
    "max_en_decode_message_size = 2147483648\nsession_update_interval_secs = 60\n"
    "session_cleanup_interval_secs = 86400\ndiscard_inactive_sessions_interval = 10800\n"
    "max_waiting_time_for_message_queue = 60\nmax_opened_inactive_sessions_per_party = 2000\n"
    "[telemetry]\ntracing_service_name = \"kms-threshold-1\"\ntracing_otlp_timeout_ms = 10000\n"
    "metrics_bind_address = \"0.0.0.0:9646\"\nenable_sys_metrics = true\n"
    "[rate_limiter_conf]\nbucket_size = 50000\npub_decrypt = 1\nuser_decrypt = 1\ncrsgen = 100\n"
    "preproc = 25000\nkeygen = 1000\nnew_epoch = 1\n"
    "[internal_config]\nnum_tokio_threads = 2\nnum_rayon_threads = 14\n";

static char *ref_env[] = {"KMS_CORE__PRIVATE_VAULT__ENCRYPTION__KEK_ENV=CKMS_KEK", NULL};

static void test_reference_shapes(void **state)
{
    (void)state;
    struct config c;
    load_ok(&c, ref_centralized, ref_env);
    assert_false(c.threshold.present);
    assert_string_equal(c.service.listen_address, "0.0.0.0");
    assert_true(c.telemetry.present);
    assert_string_equal(c.telemetry.metrics_bind_address, "0.0.0.0:9646");
    assert_int_equal(c.telemetry.batch_max_export_batch_size, 2048);
    assert_true(c.backup_vault.present);
    assert_string_equal(c.backup_vault.storage.path, "./backup_vault");
    config_free(&c);

    load_ok(&c, ref_threshold, ref_env);
    const struct config_threshold *t = &c.threshold;
    assert_true(t->present);
    assert_int_equal(c.service.listen_port, 50100);
    assert_string_equal(c.public_vault.storage.prefix, "PUB-p1");
    assert_string_equal(c.private_vault.storage.prefix, "PRIV-p1");
    assert_int_equal(t->listen_port, 50001);
    assert_int_equal(t->threshold, 1);
    assert_int_equal(t->my_id, 1);
    assert_int_equal(t->dec_capacity, 10000);
    assert_int_equal(t->min_dec_cache, 6000);
    assert_int_equal(t->num_sessions_preproc, 2);
    assert_int_equal(t->decryption_mode, CONFIG_DEC_NOISE_FLOOD_SMALL);
    assert_true(t->has_tls_manual);
    assert_string_equal(t->tls_cert_path, "certs/cert_p1.pem");
    assert_string_equal(t->tls_key_path, "certs/key_p1.pem");
    assert_int_equal(t->n_peers, 4);
    assert_string_equal(t->peers[0].mpc_identity, "p1");
    assert_string_equal(t->peers[0].tls_cert_path, "certs/cert_p1.pem");
    assert_string_equal(t->peers[1].tls_cert_pem, "-----BEGIN CERTIFICATE-----");
    assert_null(t->peers[2].mpc_identity);
    assert_false(t->peers[2].has_tls_cert);
    assert_int_equal(t->peers[3].port, 50004);
    assert_int_equal(t->peers[3].party_id, 4);
    assert_int_equal(t->core_to_core_net.message_limit, 70);
    assert_true(t->core_to_core_net.multiplier == 2.0);
    assert_int_equal(t->core_to_core_net.max_en_decode_message_size, 2147483648);
    assert_int_equal(t->core_to_core_net.max_opened_inactive_sessions_per_party, 2000);
    assert_true(t->core_to_core_net.max_future_rounds == CONFIG_UNSET);
    assert_int_equal(c.internal.num_rayon_threads, 14);
    assert_string_equal(c.aws.region, "us-east-1");
    config_free(&c);
}

static void test_env_overrides(void **state)
{
    (void)state;
    const char *doc = "[service]\nlisten_port = 50051\ntimeout_secs = 10\n" KEK_SECTION
                      "[private_vault.storage.file]\npath = \"/from/file\"\n";
    char *env[] = {"KMS_CORE__SERVICE__LISTEN_PORT=50052",                 /* beats the file */
                   "kms_core__service__listen_address=0.0.0.0",            /* any case */
                   "KMS_CORE__PUBLIC_VAULT__STORAGE__FILE__PATH=/srv/pub", /* nested path */
                   "KMS_CORE__Public_Vault__Storage__File__Prefix=PUB-x",  /* mixed case */
                   "KMS_CORE__RATE_LIMITER_CONF__KEYGEN=7",       /* section not in the file */
                   "KMS_CORE__TELEMETRY__ENABLE_SYS_METRICS=yes", /* boolean words */
                   "KMS_CORE_SERVICE__LISTEN_PORT=1",             /* wrong prefix: ignored */
                   "KMS_COREX__SERVICE__LISTEN_PORT=1",           /* ignored */
                   "PATH=/usr/bin",
                   NULL};
    struct config c;
    load_ok(&c, doc, env);
    assert_int_equal(c.service.listen_port, 50052);
    assert_int_equal(c.service.timeout_secs, 10); /* from the file */
    assert_string_equal(c.service.listen_address, "0.0.0.0");
    assert_string_equal(c.public_vault.storage.path, "/srv/pub");
    assert_string_equal(c.public_vault.storage.prefix, "PUB-x");
    assert_string_equal(c.private_vault.storage.path, "/from/file");
    assert_int_equal(c.rate_limiter.keygen, 7);
    assert_int_equal(c.rate_limiter.crsgen, 100);
    assert_true(c.telemetry.present);
    assert_true(c.telemetry.enable_sys_metrics);
    config_free(&c);

    /* the environment can switch storage: ram replaces the default file */
    char *ram[] = {"KMS_CORE__PRIVATE_VAULT__STORAGE__RAM__X=1", NULL};
    load_bad(KEK_SECTION, ram, KMS_EINVAL, "KMS_CORE__PRIVATE_VAULT__STORAGE__RAM__X",
             "names no configuration key", NULL);

    /* errors name the variable */
    char *bad_int[] = {"KMS_CORE__SERVICE__LISTEN_PORT=5005x", NULL};
    load_bad(KEK_SECTION, bad_int, KMS_EINVAL, "KMS_CORE__SERVICE__LISTEN_PORT",
             "'5005x' is not an integer", NULL);
    char *range[] = {"KMS_CORE__SERVICE__LISTEN_PORT=70000", NULL};
    load_bad(KEK_SECTION, range, KMS_EINVAL, "KMS_CORE__SERVICE__LISTEN_PORT",
             "70000 is out of range (1 to 65535)", NULL);
    char *bad_bool[] = {"KMS_CORE__PRIVATE_VAULT__ENCRYPTION__INSECURE_PLAINTEXT=maybe", NULL};
    load_bad(KEK_SECTION, bad_bool, KMS_EINVAL, "is not a boolean", NULL);
    char *unknown[] = {"KMS_CORE__SERVICE__LISTEN_PROT=1", NULL};
    load_bad(KEK_SECTION, unknown, KMS_EINVAL, "KMS_CORE__SERVICE__LISTEN_PROT",
             "names no configuration key (at 'listen_prot')", NULL);
    char *section[] = {"KMS_CORE__SERVICE=1", NULL};
    load_bad(KEK_SECTION, section, KMS_EINVAL, "names the section [service]", NULL);
    char *peers[] = {"KMS_CORE__THRESHOLD__PEERS=p1", NULL};
    load_bad(KEK_SECTION, peers, KMS_EINVAL, "cannot be set from the environment", NULL);
    char *twice[] = {"KMS_CORE__SERVICE__LISTEN_PORT=1", "kms_core__service__listen_port=2", NULL};
    load_bad(KEK_SECTION, twice, KMS_EINVAL, "both set service.listen_port", NULL);
    char *s3[] = {"KMS_CORE__PUBLIC_VAULT__STORAGE__S3__BUCKET=b", NULL};
    load_bad(KEK_SECTION, s3, KMS_EINVAL, "S3 storage is not supported", NULL);
    /* a section created by the environment alone still needs its required keys */
    char *thr[] = {"KMS_CORE__THRESHOLD__MY_ID=2", NULL};
    load_bad(KEK_SECTION, thr, KMS_EINVAL, "threshold.listen_address: required", NULL);
    char *mode[] = {"KMS_CORE__THRESHOLD__DECRYPTION_MODE=Fast", NULL};
    load_bad(ref_threshold, mode, KMS_EINVAL,
             "'Fast' is not one of NoiseFloodSmall, NoiseFloodLarge, BitDecSmall, BitDecLarge",
             NULL);
    char *mode_ok[] = {"KMS_CORE__THRESHOLD__DECRYPTION_MODE=BitDecSmall",
                       "KMS_CORE__PRIVATE_VAULT__ENCRYPTION__KEK_ENV=K",
                       "KMS_CORE__THRESHOLD__CORE_TO_CORE_NET__MULTIPLIER=1.5", NULL};
    load_ok(&c, ref_threshold, mode_ok);
    assert_int_equal(c.threshold.decryption_mode, CONFIG_DEC_BIT_DEC_SMALL);
    assert_true(c.threshold.core_to_core_net.multiplier == 1.5);
    config_free(&c);
}

static void test_unknown_keys_at_their_line(void **state)
{
    (void)state;
    load_bad("[service]\nlisten_address = \"127.0.0.1\"\nlisten_prot = 1\n" KEK_SECTION, no_env,
             KMS_EINVAL, "test.toml: service.listen_prot (line 3, column 1): unknown key",
             "expected one of: listen_address, listen_port", NULL);
    load_bad(KEK_SECTION "\n\n[servce]\nlisten_port = 1\n", no_env, KMS_EINVAL,
             "servce (line 5, column 2): unknown key", NULL);
    load_bad(KEK_SECTION "[private_vault.storage.file]\npath = \"k\"\ncompress = true\n", no_env,
             KMS_EINVAL, "private_vault.storage.file.compress (line 5, column 1)", NULL);
    /* in an array of tables, with the element's index */
    const char *peer = "[threshold]\nlisten_address = \"a\"\nlisten_port = 1\nthreshold = 1\n"
                       "dec_capacity = 2\nmin_dec_cache = 1\ndecryption_mode = \"BitDecSmall\"\n"
                       "[[threshold.peers]]\nparty_id = 1\naddress = \"a\"\nport = 2\n"
                       "[[threshold.peers]]\nparty_id = 2\naddress = \"b\"\nport = 3\nprot = 4\n";
    load_bad(peer, ref_env, KMS_EINVAL, "threshold.peers[1].prot (line 16, column 1)", NULL);
    /* a key only valid elsewhere is unknown here */
    load_bad(KEK_SECTION "kek_file = \"x\"\n[public_vault.encryption]\nkek_env = \"Y\"\n", no_env,
             KMS_EINVAL, "public_vault.encryption (line 4, column 2): unknown key", NULL);
}

static void test_type_errors(void **state)
{
    (void)state;
    load_bad(KEK_SECTION "[service]\nlisten_port = \"50051\"\n", no_env, KMS_EINVAL,
             "service.listen_port (line 4, column 1): expected integer, found string", NULL);
    load_bad(KEK_SECTION "[service]\nlisten_port = 65536\n", no_env, KMS_EINVAL,
             "service.listen_port (line 4, column 1): 65536 is out of range (1 to 65535)", NULL);
    load_bad(KEK_SECTION "[service]\ntimeout_secs = -5\n", no_env, KMS_EINVAL, "-5 is out of range",
             NULL);
    load_bad(KEK_SECTION "[service]\ngrpc_max_message_size = 2147483648\n", no_env, KMS_EINVAL,
             "grpc_max_message_size (line 4, column 1): 2147483648 is out of range", NULL);
    load_bad("service = 1\n" KEK_SECTION, no_env, KMS_EINVAL,
             "service (line 1, column 1): expected a table, found integer", NULL);
    load_bad(KEK_SECTION "[service]\nlisten_address = \"a\\u0000b\"\n", no_env, KMS_EINVAL,
             "must not contain a NUL", NULL);
    load_bad("[private_vault.encryption]\ninsecure_plaintext = \"yes\"\n", no_env, KMS_EINVAL,
             "insecure_plaintext (line 2, column 1): expected boolean, found string", NULL);
    load_bad(KEK_SECTION "[threshold]\npeers = 3\n", no_env, KMS_EINVAL,
             "threshold.peers (line 4, column 1): expected an array of tables", NULL);
    /* TOML syntax errors keep the file name, line and column */
    load_bad(KEK_SECTION "[service]\nlisten_port = 1 2\n", no_env, KMS_EINVAL,
             "test.toml: line 4, column 17", NULL);
    /* features ckms refuses are named, with their line */
    load_bad(KEK_SECTION "[public_vault.storage.s3]\nbucket = \"kms\"\n", no_env, KMS_EUNIMPL,
             "public_vault.storage.s3 (line 3, column 2): S3 storage is not supported", NULL);
    load_bad(KEK_SECTION "[private_vault.keychain.aws_kms]\nroot_key_id = \"k\"\n", no_env,
             KMS_EUNIMPL, "AWS KMS keychains are not supported", NULL);
    /* what ckms does not read at all is accepted */
    struct config c;
    load_ok(&c, KEK_SECTION "[[migration.context_associations]]\ncontext_id = \"ab\"\n", no_env);
    config_free(&c);
}

static void test_validation(void **state)
{
    (void)state;
    load_bad("[private_vault.storage.file]\npath = \"k\"\n", no_env, KMS_EINVAL,
             "no key-encryption key", NULL);
    load_bad("[private_vault.encryption]\nkek_env = \"A\"\nkek_file = \"/k\"\n", no_env, KMS_EINVAL,
             "not both", NULL);
    load_bad("[private_vault.encryption]\nkek_env = \"A\"\ninsecure_plaintext = true\n", no_env,
             KMS_EINVAL, "contradicts", NULL);
    load_bad("[private_vault.encryption]\nkek_env = \"A-B\"\n", no_env, KMS_EINVAL,
             "not a valid environment variable name", NULL);
    load_bad(KEK_SECTION "[public_vault.storage.file]\npath = \"k\"\n"
                         "[public_vault.storage.ram]\n",
             no_env, KMS_EINVAL, "give exactly one of [public_vault.storage.file]", NULL);
    load_bad(KEK_SECTION "[public_vault.storage]\n", no_env, KMS_EINVAL, "give exactly one", NULL);
    load_bad(KEK_SECTION "[backup_vault]\n", no_env, KMS_EINVAL, "backup_vault.storage", NULL);
    load_bad(KEK_SECTION "[public_vault.storage.file]\nprefix = \"P\"\n", no_env, KMS_EINVAL,
             "public_vault.storage.file (line 3, column 2): missing required key path", NULL);
    load_bad(KEK_SECTION "[public_vault.storage.file]\npath = \"k\"\nprefix = \"../x\"\n", no_env,
             KMS_EINVAL, "prefix '../x' must be a relative folder name", NULL);
    load_bad(KEK_SECTION "[service]\nlisten_address = \"\"\n", no_env, KMS_EINVAL,
             "service.listen_address must not be empty", NULL);
    load_bad(KEK_SECTION "[request_store]\ndec_capacity = 100\nmin_dec_cache = 101\n", no_env,
             KMS_EINVAL, "min_dec_cache (101) must not exceed request_store.dec_capacity (100)",
             NULL);
    load_bad(KEK_SECTION "[rate_limiter_conf]\npreproc = 0\n", no_env, KMS_EINVAL,
             "rate_limiter_conf.preproc (line 4, column 1): 0 is out of range", NULL);
    load_bad(KEK_SECTION "[internal_config]\nnum_rayon_threads = 0\n", no_env, KMS_EINVAL,
             "out of range", NULL);

    /* RAM private storage needs no KEK; insecure_plaintext replaces it */
    struct config c;
    load_ok(&c, "[private_vault.storage.ram]\n", no_env);
    assert_int_equal(c.private_vault.storage.kind, CONFIG_STORAGE_RAM);
    assert_false(c.private_vault.storage.has_file);
    uint8_t kek[CONFIG_KEK_LEN];
    assert_int_equal(config_kek_load(&c, kek, kek_env), KMS_ENOTFOUND);
    config_free(&c);
    load_ok(&c, "[private_vault.encryption]\ninsecure_plaintext = true\n", no_env);
    assert_int_equal(c.private_vault.storage.kind, CONFIG_STORAGE_FILE);
    config_free(&c);
}

/* ref_threshold with `find` replaced by `repl`. */
static char *threshold_with(const char *find, const char *repl)
{
    const char *at = strstr(ref_threshold, find);
    assert_non_null(at);
    size_t n = sizeof ref_threshold + strlen(repl);
    char *doc = malloc(n);
    assert_non_null(doc);
    snprintf(doc, n, "%.*s%s%s", (int)(at - ref_threshold), ref_threshold, repl, at + strlen(find));
    return doc;
}

static void test_threshold_validation(void **state)
{
    (void)state;
    static const struct {
        const char *find, *repl, *needle;
        int code;
    } cases[] = {
        {"threshold = 1\n", "threshold = 2\n", "4 peers need threshold = 1", KMS_EINVAL},
        {"threshold = 1\n", "threshold = 0\n", "threshold.threshold (line", KMS_EINVAL},
        {"party_id = 3\n", "party_id = 5\n", "peers[2].party_id 5 exceeds", KMS_EINVAL},
        {"party_id = 3\n", "party_id = 2\n", "have the same party_id 2", KMS_EINVAL},
        {"listen_port = 50001\n", "listen_port = 50100\n", "must differ", KMS_EINVAL},
        {"min_dec_cache = 6000\n", "min_dec_cache = 10001\n", "threshold.min_dec_cache",
         KMS_EINVAL},
        {"dec_capacity = 10000\n", "",
         "threshold (line 17, column 2): missing required key "
         "dec_capacity",
         KMS_EINVAL},
        {"address = \"p3\"\n", "address = \"\"\n", "peers[2].address must not be empty",
         KMS_EINVAL},
        {"address = \"p3\"\n", "", "threshold.peers[2] (line", KMS_EINVAL},
        {"key.path = \"certs/key_p1.pem\"\n", "", "needs both cert and key", KMS_EINVAL},
        {"cert.path = \"certs/cert_p1.pem\"\n", "cert.path = \"c\"\ncert.pem = \"p\"\n",
         "manual.cert: give exactly one", KMS_EINVAL},
        {"multiplier = 2.0\n", "multiplier = 0.5\n", "multiplier must be", KMS_EINVAL},
        {"max_en_decode_message_size = 2147483648\n", "max_en_decode_message_size = 1000\n",
         "1000 is out of range (1024 to", KMS_EINVAL},
        {"decryption_mode = \"NoiseFloodSmall\"\n", "decryption_mode = \"noisefloodsmall\"\n",
         "'noisefloodsmall' is not one of", KMS_EINVAL},
        {"[threshold.tls.manual]\n", "[threshold.tls.auto]\n[threshold.tls.manual]\n",
         "threshold.tls.auto (line", KMS_EUNIMPL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *doc = threshold_with(cases[i].find, cases[i].repl);
        load_bad(doc, ref_env, cases[i].code, cases[i].needle, NULL);
        free(doc);
    }
    /* without a peer list the size rule does not apply */
    char *doc = threshold_with("[[threshold.peers]]", "[[threshold.other]]");
    load_bad(doc, ref_env, KMS_EINVAL, "threshold.other", NULL);
    free(doc);
}

static char *dump_text(const struct config *c)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    assert_int_equal(config_dump(c, f), 0);
    fclose(f);
    return text;
}

static void test_dump_round_trip(void **state)
{
    (void)state;
    char *doc = threshold_with("key.path = \"certs/key_p1.pem\"\n",
                               "key.pem = \"-----BEGIN PRIVATE KEY----- SECRET\"\n");
    char *env[] = {"KMS_CORE__PRIVATE_VAULT__ENCRYPTION__KEK_ENV=CKMS_KEK",
                   "KMS_CORE__SERVICE__LISTEN_ADDRESS=odd \"name\"\\\t", NULL};
    struct config a, b;
    load_ok(&a, doc, env);
    free(doc);
    char *text = dump_text(&a);
    assert_null(strstr(text, "SECRET"));
    assert_non_null(strstr(text, "pem = \"<redacted>\""));
    assert_non_null(strstr(text, "[[threshold.peers]]"));
    /* the dump is a configuration file that loads back to the same thing */
    load_ok(&b, text, ref_env);
    char *again = dump_text(&b);
    assert_string_equal(text, again);
    assert_string_equal(b.service.listen_address, "odd \"name\"\\\t");
    assert_int_equal(b.threshold.n_peers, 4);
    assert_true(b.threshold.core_to_core_net.multiplier == 2.0);
    assert_true(b.threshold.core_to_core_net.max_future_rounds == CONFIG_UNSET);
    assert_string_equal(b.threshold.tls_key_pem, "<redacted>");
    free(text);
    free(again);
    config_free(&a);
    config_free(&b);

    /* a RAM vault and the defaults round-trip too */
    load_ok(&a,
            "[private_vault.storage.ram]\n[public_vault.storage.file]\npath = \"p\"\n"
            "prefix = \"PUB-1\"\n",
            no_env);
    text = dump_text(&a);
    assert_non_null(strstr(text, "[private_vault.storage.ram]"));
    assert_null(strstr(text, "[threshold]"));
    load_ok(&b, text, no_env);
    again = dump_text(&b);
    assert_string_equal(text, again);
    assert_int_equal(b.private_vault.storage.kind, CONFIG_STORAGE_RAM);
    assert_string_equal(b.public_vault.storage.prefix, "PUB-1");
    free(text);
    free(again);
    config_free(&a);
    config_free(&b);
}

static void write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    fclose(f);
}

static void test_kek_sources(void **state)
{
    (void)state;
    char dir[256];
    test_mkdtemp(dir, sizeof dir, "ckms-test-config");
    char path[320], doc[512];
    snprintf(path, sizeof path, "%s/kek", dir);
    snprintf(doc, sizeof doc, "[private_vault.encryption]\nkek_file = \"%s\"\n", path);
    struct config c;
    load_ok(&c, doc, no_env);
    uint8_t kek[CONFIG_KEK_LEN], want[CONFIG_KEK_LEN];
    for (int i = 0; i < CONFIG_KEK_LEN; i++)
        want[i] = (uint8_t)(0xF0 ^ i);
    assert_int_equal(config_kek_load(&c, kek, no_env), KMS_EIO); /* no file yet */
    write_file(path, want, sizeof want);                         /* 32 raw bytes */
    assert_int_equal(config_kek_load(&c, kek, no_env), 0);
    assert_memory_equal(kek, want, sizeof want);
    const char *hex = "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeffe0e1e2e3e4e5e6e7e8e9eaebecedeeef\n";
    write_file(path, hex, strlen(hex)); /* 64 hex digits and a newline */
    assert_int_equal(config_kek_load(&c, kek, no_env), 0);
    assert_memory_equal(kek, want, sizeof want);
    write_file(path, hex, 40);
    assert_int_equal(config_kek_load(&c, kek, no_env), KMS_EINVAL);
    static const uint8_t zero[CONFIG_KEK_LEN];
    assert_memory_equal(kek, zero, sizeof zero); /* zeroed on failure */
    unlink(path);
    rmdir(dir);
    config_free(&c);

    load_ok(&c, KEK_SECTION, no_env);
    char *short_env[] = {"CKMS_KEK=0011", NULL};
    assert_int_equal(config_kek_load(&c, kek, short_env), KMS_EINVAL);
    assert_non_null(strstr(kms_err_msg(), "64 hex digits"));
    char *bad_env[] = {"CKMS_KEK=zz0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
                       NULL};
    assert_int_equal(config_kek_load(&c, kek, bad_env), KMS_EINVAL);
    config_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_sample_centralized),
        cmocka_unit_test(test_reference_shapes),
        cmocka_unit_test(test_env_overrides),
        cmocka_unit_test(test_unknown_keys_at_their_line),
        cmocka_unit_test(test_type_errors),
        cmocka_unit_test(test_validation),
        cmocka_unit_test(test_threshold_validation),
        cmocka_unit_test(test_dump_round_trip),
        cmocka_unit_test(test_kek_sources),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
