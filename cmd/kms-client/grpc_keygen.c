/* kms-client key-gen and key-gen-result: KeyGenPreproc, KeyGen and their
 * results, with the PrepKeygenVerification and KeygenVerification EIP-712
 * signatures checked against the server's address and, given --pub-dir,
 * the key digests checked against the published objects:
 * digest = SHAKE256("PDAT_KEY" ‖ object bytes)[..32]. */
#include <stdlib.h>
#include <string.h>

#include "base/hex.h"
#include "client_common.h"
#include "client_json.h"
#include "crypto/dsep.h"
#include "crypto/ethaddr.h"
#include "crypto/kms_eip712.h"
#include "kms_client.h"

#define MAX_DIGESTS 8

struct keygen_opts {
    struct client_opts c;
    int32_t params;     /* FheParameter */
    int compressed;     /* CompressedAll (1) or CompressedNone (0) */
    const char *preproc_id; /* key-gen: an existing preprocessing */
    const char *key_id;     /* key-gen-result */
};

enum { OPT_PARAMS = CLIENT_OPT_FIRST_OWN, OPT_COMPRESSION, OPT_PREPROC_ID, OPT_KEY_ID };

static void usage_key_gen(FILE *f)
{
    fprintf(f,
            "usage: kms-client key-gen [--params default|test] [--compression all|none]\n"
            "                          [--preproc-id ID] [options]\n"
            "\n"
            "Generates an FHE key on the server: KeyGenPreproc, wait for it, KeyGen, wait\n"
            "for it. Every signature is checked against the server's address, and with\n"
            "--pub-dir the key digests against the published key objects.\n"
            "\n"
            "      --params P             default (the production set) or test (tiny,\n"
            "                             insecure); default: default\n"
            "      --compression C        all (CompressedXofKeySet, the default) or none\n"
            "                             (PublicKey + ServerKey)\n"
            "      --preproc-id ID        skip the preprocessing and use this one\n"
            "\n"
            "Prints one JSON line per step: the preprocessing, then the key\n"
            "({\"request_id\": key id, \"key_digests\": [...], \"verified\": true, ...}).\n");
    client_usage_common(f, 1);
}

static void usage_key_gen_result(FILE *f)
{
    fprintf(f,
            "usage: kms-client key-gen-result --key-id ID [options]\n"
            "\n"
            "Fetches a key generation's result (GetKeyGenResult, waiting while it runs)\n"
            "and checks it as key-gen does. The domain and --extra-data must be the ones\n"
            "the key generation was asked with.\n");
    client_usage_common(f, 1);
}

/* 0 go on, -1 --help done, else the exit status. */
static int parse(struct keygen_opts *o, int argc, char **argv, int result_cmd)
{
    static const struct option opts[] = {
        {"params", required_argument, NULL, OPT_PARAMS},
        {"compression", required_argument, NULL, OPT_COMPRESSION},
        {"preproc-id", required_argument, NULL, OPT_PREPROC_ID},
        {"key-id", required_argument, NULL, OPT_KEY_ID},
        CLIENT_COMMON_OPTIONS,
        {NULL, 0, NULL, 0}};
    void (*usage)(FILE *) = result_cmd ? usage_key_gen_result : usage_key_gen;
    int c, status;
    o->compressed = 1;
    optind = 1;
    while ((c = client_getopt(&o->c, &status, argc, argv, opts, usage)) != -1) {
        switch (c) {
        case OPT_PARAMS:
            if (strcmp(optarg, "default") == 0)
                o->params = KMS__V1__FHE_PARAMETER__default;
            else if (strcmp(optarg, "test") == 0)
                o->params = KMS__V1__FHE_PARAMETER__test;
            else
                return client_usage_error(&o->c, "--params is default or test");
            break;
        case OPT_COMPRESSION:
            if (strcmp(optarg, "all") == 0)
                o->compressed = 1;
            else if (strcmp(optarg, "none") == 0)
                o->compressed = 0;
            else
                return client_usage_error(&o->c, "--compression is all or none");
            break;
        case OPT_PREPROC_ID: o->preproc_id = optarg; break;
        case OPT_KEY_ID: o->key_id = optarg; break;
        }
    }
    if (status != 0)
        return status;
    if ((status = client_id_opt(&o->c, "--key-id", o->key_id, result_cmd)) != 0)
        return status;
    return client_id_opt(&o->c, "--preproc-id", o->preproc_id, 0);
}

/* Everything a run needs. */
struct run {
    struct keygen_opts *o;
    struct rpc_channel *ch;
    struct client_domain dom;
    uint8_t server[20];
    Kms__V1__SigningSchemeType scheme;
};

static int verify_preproc(struct run *r, const Kms__V1__KeyGenPreprocResult *res,
                          const uint8_t id[32])
{
    uint8_t h[32];
    kms_eip712_prep_keygen(h, id, r->o->c.extra, r->o->c.extra_len);
    KMS_TRY(client_check_eip712(&r->dom.d, h, res->external_signature.data,
                                res->external_signature.len, r->server,
                                "PrepKeygenVerification signature"));
    return client_check_typed_signatures(res->signatures, res->n_signatures,
                                         res->external_signature.data,
                                         res->external_signature.len);
}

static Kms__V1__KeySetConfig *keyset_config(Kms__V1__KeySetConfig *ks,
                                            Kms__V1__StandardKeySetConfig *std, int compressed)
{
    Kms__V1__KeySetConfig k = KMS__V1__KEY_SET_CONFIG__INIT;
    Kms__V1__StandardKeySetConfig s = KMS__V1__STANDARD_KEY_SET_CONFIG__INIT;
    s.compressed_key_config = compressed ? KMS__V1__COMPRESSED_KEY_CONFIG__CompressedAll
                                         : KMS__V1__COMPRESSED_KEY_CONFIG__CompressedNone;
    *std = s;
    *ks = k;
    ks->standard_keyset_config = std;
    return ks;
}

/* KeyGenPreproc, then its result; out gets the preprocessing id. */
static int run_preproc(struct run *r, char out[65])
{
    struct keygen_opts *o = r->o;
    struct client_opts fresh = o->c; /* --request-id names the key, not this */
    fresh.request_id = NULL;
    KMS_TRY(client_request_id(&fresh, out));
    Kms__V1__RequestId rid = KMS__V1__REQUEST_ID__INIT;
    rid.request_id = out;
    Kms__V1__KeySetConfig ks;
    Kms__V1__StandardKeySetConfig std;
    Kms__V1__KeyGenPreprocRequest req = KMS__V1__KEY_GEN_PREPROC_REQUEST__INIT;
    req.request_id = &rid;
    req.params = (Kms__V1__FheParameter)o->params;
    req.keyset_config = keyset_config(&ks, &std, o->compressed);
    req.domain = &r->dom.msg;
    req.extra_data.data = o->c.extra;
    req.extra_data.len = o->c.extra_len;
    req.n_signing_schemes = 1;
    req.signing_schemes = &r->scheme;
    ProtobufCMessage *resp;
    KMS_TRY(kms_err_wrap(client_call(&o->c, r->ch, &resp, NULL, "KeyGenPreproc", &req.base),
                         "KeyGenPreproc"));
    protobuf_c_message_free_unpacked(resp, NULL);
    KMS_TRY(client_poll(&o->c, r->ch, &resp, "GetKeyGenPreprocResult", out));
    Kms__V1__KeyGenPreprocResult *res = (Kms__V1__KeyGenPreprocResult *)resp;
    uint8_t id[32];
    int rc = client_parse_id(out, id, out);
    if (rc == 0 && !o->c.no_verify)
        rc = verify_preproc(r, res, id);
    struct cjson j;
    if (rc == 0) {
        cjson_begin(&j, stdout);
        cjson_str(&j, "request_id", out);
        cjson_str(&j, "step", "preprocessing");
        cjson_str(&j, "preprocessing_id", res->preprocessing_id ? res->preprocessing_id->request_id
                                                                : NULL);
        cjson_bool(&j, "verified", !o->c.no_verify);
        cjson_end(&j);
    }
    protobuf_c_message_free_unpacked(resp, NULL);
    return rc;
}

static int key_type_of(const char *name)
{
    if (strcmp(name, "ServerKey") == 0)
        return KMS_EIP712_KEY_SERVER;
    if (strcmp(name, "PublicKey") == 0)
        return KMS_EIP712_KEY_PUBLIC;
    if (strcmp(name, "CompressedCompactPublicKey") == 0)
        return KMS_EIP712_KEY_COMPRESSED_PUBLIC;
    if (strcmp(name, "CompressedXofKeySet") == 0)
        return KMS_EIP712_KEY_COMPRESSED_KEYSET;
    return -1;
}

/* SHAKE256("PDAT_KEY" ‖ file)[..32], streamed (a keyset is hundreds of MiB). */
static int file_digest(uint8_t out[32], const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return kms_err(KMS_ENOTFOUND, "%s: cannot open", path);
    struct dsep_ctx h;
    dsep_init(&h, DSEP_PDAT_KEY);
    static uint8_t chunk[1 << 20];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        dsep_absorb(&h, chunk, n);
    int err = ferror(f);
    fclose(f);
    if (err)
        return kms_err(KMS_EIO, "%s: read error", path);
    dsep_squeeze(&h, out, 32);
    return 0;
}

/* The digests against the objects in --pub-dir (when given). */
static int check_digests(struct run *r, const Kms__V1__KeyGenResult *res, const char *key_id)
{
    for (size_t i = 0; i < res->n_key_digests; i++) {
        const Kms__V1__KeyDigest *kd = res->key_digests[i];
        char path[4096];
        uint8_t d[32];
        KMS_TRY(client_pub_path(&r->o->c, path, sizeof path, kd->key_type, key_id));
        KMS_TRY(file_digest(d, path));
        if (kd->digest.len != 32 || memcmp(kd->digest.data, d, 32) != 0)
            return kms_err(KMS_EVERIFY, "%s does not hash to the signed %s digest", path,
                           kd->key_type);
    }
    return 0;
}

static int verify_keygen(struct run *r, const Kms__V1__KeyGenResult *res, const char *key_id)
{
    uint8_t kid[32], pid[32];
    if (res->request_id == NULL || res->preprocessing_id == NULL)
        return kms_err(KMS_EVERIFY, "the result lacks its request or preprocessing id");
    char canon[65];
    KMS_TRY(client_parse_id(canon, kid, res->request_id->request_id));
    if (strcmp(canon, key_id) != 0)
        return kms_err(KMS_EVERIFY, "the result is for %s, not %s", canon, key_id);
    KMS_TRY(client_parse_id(canon, pid, res->preprocessing_id->request_id));
    if (res->n_key_digests == 0 || res->n_key_digests > MAX_DIGESTS)
        return kms_err(KMS_EVERIFY, "the result has %zu key digests", res->n_key_digests);
    struct kms_eip712_key_digest kds[MAX_DIGESTS];
    for (size_t i = 0; i < res->n_key_digests; i++) {
        int t = key_type_of(res->key_digests[i]->key_type);
        if (t < 0)
            return kms_err(KMS_EVERIFY, "unknown key type '%s'", res->key_digests[i]->key_type);
        kds[i] = (struct kms_eip712_key_digest){(uint8_t)t, res->key_digests[i]->digest.data,
                                                res->key_digests[i]->digest.len};
    }
    uint8_t h[32];
    kms_eip712_keygen(h, pid, kid, kds, res->n_key_digests, r->o->c.extra, r->o->c.extra_len);
    KMS_TRY(client_check_eip712(&r->dom.d, h, res->external_signature.data,
                                res->external_signature.len, r->server,
                                "KeygenVerification signature"));
    if (r->o->key_id == NULL) /* key-gen asked for the ECDSA entry */
        KMS_TRY(client_check_typed_signatures(res->signatures, res->n_signatures,
                                              res->external_signature.data,
                                              res->external_signature.len));
    return r->o->c.pub_dir != NULL ? check_digests(r, res, key_id) : 0;
}

static void print_keygen(const struct run *r, const Kms__V1__KeyGenResult *res, const char *id)
{
    struct cjson j;
    cjson_begin(&j, stdout);
    cjson_str(&j, "request_id", id);
    cjson_str(&j, "step", "keygen");
    cjson_str(&j, "key_id", id);
    cjson_str(&j, "preprocessing_id",
              res->preprocessing_id ? res->preprocessing_id->request_id : NULL);
    if (r->o->key_id == NULL) {
        cjson_str(&j, "params", r->o->params == KMS__V1__FHE_PARAMETER__test ? "test" : "default");
        cjson_str(&j, "compression", r->o->compressed ? "all" : "none");
    }
    cjson_array_begin(&j, "key_digests");
    for (size_t i = 0; i < res->n_key_digests; i++) {
        cjson_object_begin(&j, NULL);
        cjson_str(&j, "key_type", res->key_digests[i]->key_type);
        cjson_hex(&j, "digest", res->key_digests[i]->digest.data,
                  res->key_digests[i]->digest.len, 0);
        cjson_object_end(&j);
    }
    cjson_array_end(&j);
    cjson_hex(&j, "external_signature", res->external_signature.data,
              res->external_signature.len, 1);
    cjson_bool(&j, "verified", !r->o->c.no_verify);
    cjson_bool(&j, "digests_checked", !r->o->c.no_verify && r->o->c.pub_dir != NULL);
    if (!r->o->c.no_verify) {
        char a[ETHADDR_STR_LEN + 1];
        ethaddr_to_string(a, r->server);
        cjson_str(&j, "signer", a);
    }
    cjson_end(&j);
}

/* GetKeyGenResult for id, checked and printed. */
static int fetch_keygen(struct run *r, const char *id)
{
    ProtobufCMessage *resp;
    KMS_TRY(client_poll(&r->o->c, r->ch, &resp, "GetKeyGenResult", id));
    Kms__V1__KeyGenResult *res = (Kms__V1__KeyGenResult *)resp;
    int rc = r->o->c.no_verify ? 0 : verify_keygen(r, res, id);
    if (rc == 0)
        print_keygen(r, res, id);
    protobuf_c_message_free_unpacked(resp, NULL);
    return rc;
}

static int start_keygen(struct run *r, const char *key_id, const char *preproc_id)
{
    struct keygen_opts *o = r->o;
    Kms__V1__RequestId rid = KMS__V1__REQUEST_ID__INIT, pid = KMS__V1__REQUEST_ID__INIT;
    rid.request_id = (char *)key_id;
    pid.request_id = (char *)preproc_id;
    Kms__V1__KeySetConfig ks;
    Kms__V1__StandardKeySetConfig std;
    Kms__V1__KeyGenRequest req = KMS__V1__KEY_GEN_REQUEST__INIT;
    req.request_id = &rid;
    req.preproc_id = &pid;
    req._params_case = KMS__V1__KEY_GEN_REQUEST___PARAMS_PARAMS;
    req.params = (Kms__V1__FheParameter)o->params;
    req.domain = &r->dom.msg;
    req.keyset_config = keyset_config(&ks, &std, o->compressed);
    req.extra_data.data = o->c.extra;
    req.extra_data.len = o->c.extra_len;
    req.n_signing_schemes = 1;
    req.signing_schemes = &r->scheme;
    ProtobufCMessage *resp;
    KMS_TRY(kms_err_wrap(client_call(&o->c, r->ch, &resp, NULL, "KeyGen", &req.base), "KeyGen"));
    protobuf_c_message_free_unpacked(resp, NULL);
    return 0;
}

static int run_key_gen(struct run *r)
{
    struct keygen_opts *o = r->o;
    char preproc[65], key_id[65];
    if (o->preproc_id != NULL) {
        KMS_TRY(client_parse_id(preproc, NULL, o->preproc_id));
    } else {
        KMS_TRY(run_preproc(r, preproc));
    }
    KMS_TRY(client_request_id(&o->c, key_id));
    KMS_TRY(start_keygen(r, key_id, preproc));
    return fetch_keygen(r, key_id);
}

static int run_cmd(int argc, char **argv, int result_cmd)
{
    struct keygen_opts o;
    memset(&o, 0, sizeof o);
    client_opts_init(&o.c, result_cmd ? "key-gen-result" : "key-gen");
    int rc = parse(&o, argc, argv, result_cmd);
    if (rc != 0) {
        client_opts_clear(&o.c);
        return rc < 0 ? CLIENT_EXIT_OK : rc;
    }
    struct run r = {.o = &o, .scheme = KMS__V1__SIGNING_SCHEME_TYPE__ECDSA256K1};
    const char *what = "setup";
    rc = client_domain(&o.c, &r.dom);
    if (rc == 0 && !o.c.no_verify)
        rc = client_server_address(&o.c, r.server);
    if (rc != 0) {
        fprintf(stderr, "kms-client %s: %s\n", o.c.cmd, kms_err_msg());
        client_opts_clear(&o.c);
        return CLIENT_EXIT_USAGE;
    }
    rc = client_connect(&o.c, &r.ch);
    if (rc == 0) {
        what = result_cmd ? "key-gen-result" : "key-gen";
        if (result_cmd) {
            char id[65];
            rc = client_parse_id(id, NULL, o.key_id);
            if (rc == 0)
                rc = fetch_keygen(&r, id);
        } else {
            rc = run_key_gen(&r);
        }
    }
    rpc_channel_free(r.ch);
    int status = rc == 0 ? CLIENT_EXIT_OK : client_fail(&o.c, what);
    client_opts_clear(&o.c);
    return status;
}

int cmd_key_gen(int argc, char **argv) { return run_cmd(argc, argv, 0); }
int cmd_key_gen_result(int argc, char **argv) { return run_cmd(argc, argv, 1); }
