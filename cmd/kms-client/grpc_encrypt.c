/* kms-client encrypt: a value under a server key, in a format the server
 * decrypts (client_encrypt.h). The key's public objects are read from the
 * server's public storage (--pub-dir); no call to the server is made. */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/secmem.h"
#include "client_common.h"
#include "client_encrypt.h"
#include "client_json.h"
#include "crypto/keccak.h"
#include "fhe.h"
#include "kms_client.h"
#include "store/vault.h"
#include "tfhe/radix.h"

enum { OPT_KEY_ID = CLIENT_OPT_FIRST_OWN, OPT_TYPE, OPT_VALUE, OPT_OUT, OPT_FORMAT, OPT_FORCE };

struct enc_opts {
    struct client_opts c;
    const char *key_id, *type, *value, *out;
    int format;
    int force;
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: kms-client encrypt --key-id ID --pub-dir DIR --type T --value V\n"
            "                          [--out FILE [--force]] [--format F]\n"
            "\n"
            "Encrypts a value under a server key, as the reference core-client does:\n"
            "under the key's CompactPublicKey, then expanded and cast to the compute key\n"
            "with the key's public server key, and (by default) compressed. The key's\n"
            "PublicKey and CompressedXofKeySet are read from the server's public storage.\n"
            "\n"
            "      --key-id ID     the key (its KeyGen request id)\n"
            "      --pub-dir DIR   the server's public storage (DIR/PUB or DIR itself)\n"
            "      --type T        ebool, euint4, euint8 ... euint256, eaddress\n"
            "      --value V       decimal or 0x-hex; true/false for ebool\n"
            "      --out FILE      write the ciphertext there (default: hex in the output)\n"
            "      --force         overwrite --out if it exists\n"
            "      --format F      small-compressed (CompressedCiphertextList, the default)\n"
            "                      or small-expanded (FheUintN / FheBool)\n"
            "  -h, --help          this text\n"
            "\n"
            "Prints one JSON line: {\"request_id\" (the key's), \"key_id\", \"fhe_type\",\n"
            "\"format\", \"handle\" (keccak256 of the ciphertext), \"file\" or \"ciphertext\"}.\n");
}

static int parse(struct enc_opts *o, int argc, char **argv)
{
    static const struct option opts[] = {{"key-id", required_argument, NULL, OPT_KEY_ID},
                                         {"type", required_argument, NULL, OPT_TYPE},
                                         {"value", required_argument, NULL, OPT_VALUE},
                                         {"out", required_argument, NULL, OPT_OUT},
                                         {"format", required_argument, NULL, OPT_FORMAT},
                                         {"force", no_argument, NULL, OPT_FORCE},
                                         CLIENT_COMMON_OPTIONS,
                                         {NULL, 0, NULL, 0}};
    int c, status;
    o->format = CLIENT_ENC_SMALL_COMPRESSED;
    optind = 1;
    while ((c = client_getopt(&o->c, &status, argc, argv, opts, usage)) != -1) {
        switch (c) {
        case OPT_KEY_ID: o->key_id = optarg; break;
        case OPT_TYPE: o->type = optarg; break;
        case OPT_VALUE: o->value = optarg; break;
        case OPT_OUT: o->out = optarg; break;
        case OPT_FORCE: o->force = 1; break;
        case OPT_FORMAT:
            if (strcmp(optarg, "small-compressed") == 0)
                o->format = CLIENT_ENC_SMALL_COMPRESSED;
            else if (strcmp(optarg, "small-expanded") == 0)
                o->format = CLIENT_ENC_SMALL_EXPANDED;
            else
                return client_usage_error(&o->c, "--format is small-compressed or "
                                                 "small-expanded");
            break;
        }
    }
    if (status != 0)
        return status;
    if (o->key_id == NULL || o->c.pub_dir == NULL || o->type == NULL || o->value == NULL)
        return client_usage_error(&o->c, "--key-id, --pub-dir, --type and --value are required");
    return client_id_opt(&o->c, "--key-id", o->key_id, 1);
}

static void print(const struct enc_opts *o, const char *key_id, int32_t type,
                  const struct buf *ct)
{
    uint8_t handle[32];
    char name[16];
    keccak256(handle, ct->data, ct->len);
    struct cjson j;
    cjson_begin(&j, stdout);
    cjson_str(&j, "request_id", key_id);
    cjson_str(&j, "key_id", key_id);
    cjson_str(&j, "fhe_type", client_fhe_type_name(type, name));
    cjson_str(&j, "format", o->format == CLIENT_ENC_SMALL_COMPRESSED ? "SmallCompressed"
                                                                     : "SmallExpanded");
    cjson_hex(&j, "handle", handle, sizeof handle, 1);
    cjson_u64(&j, "bytes", ct->len);
    if (o->out != NULL)
        cjson_str(&j, "file", o->out);
    else
        cjson_hex(&j, "ciphertext", ct->data, ct->len, 0);
    cjson_end(&j);
}

/* The ciphertext into --out: created new unless --force, removed again
 * when it cannot be written whole. */
static int write_out(const struct enc_opts *o, const struct buf *ct)
{
    struct fhe_out out;
    KMS_TRY(fhe_out_open(&out, o->out, o->force, 0));
    int rc = 0;
    if (fwrite(ct->data, 1, ct->len, out.f) != ct->len)
        rc = kms_err(KMS_EIO, "cannot write %s", o->out);
    return fhe_out_close(&out, rc);
}

static int run(struct enc_opts *o, int32_t type, const uint8_t *le, size_t len)
{
    char key_id[65], keyset[4096], cpk[4096];
    KMS_TRY(client_parse_id(key_id, NULL, o->key_id));
    KMS_TRY(client_pub_path(&o->c, keyset, sizeof keyset, VAULT_PUB_COMPRESSED_XOF_KEYSET,
                            key_id));
    KMS_TRY(client_pub_path(&o->c, cpk, sizeof cpk, VAULT_PUB_PUBLIC_KEY, key_id));
    struct client_enc *e;
    int rc = client_enc_open(&e, keyset, cpk, o->format == CLIENT_ENC_SMALL_COMPRESSED);
    if (rc == KMS_ENOTFOUND)
        return kms_err(rc, "no CompressedXofKeySet for key %s in %s (keys generated with "
                           "--compression none cannot be used here yet)", key_id, o->c.pub_dir);
    KMS_TRY(rc);
    struct buf ct;
    buf_init(&ct, BUF_UNLIMITED);
    rc = client_enc_value(e, &ct, type, le, len, o->format);
    if (rc == 0 && o->out != NULL)
        rc = write_out(o, &ct);
    if (rc == 0)
        print(o, key_id, type, &ct);
    buf_free(&ct);
    client_enc_free(e);
    return rc;
}

int cmd_encrypt(int argc, char **argv)
{
    struct enc_opts o;
    memset(&o, 0, sizeof o);
    client_opts_init(&o.c, "encrypt");
    int rc = parse(&o, argc, argv);
    int32_t type;
    const struct radix_type *t;
    uint8_t le[RADIX_MAX_BYTES];
    if (rc == 0 && (client_fhe_type_parse(&type, o.type) != 0 || radix_type_lookup(&t, type) != 0))
        rc = client_usage_error(&o.c, "--type: %s", kms_err_msg());
    if (rc == 0 && t->is_signed)
        rc = client_usage_error(&o.c, "--type: the KMS decrypts unsigned types only");
    if (rc == 0 && client_value_parse(le, radix_type_bytes(t), o.value, t->is_bool) != 0)
        rc = client_usage_error(&o.c, "--value: %s", kms_err_msg());
    if (rc == 0)
        rc = run(&o, type, le, radix_type_bytes(t)) == 0 ? CLIENT_EXIT_OK
                                                         : client_fail(&o.c, "encrypt");
    else if (rc < 0)
        rc = CLIENT_EXIT_OK;
    secmem_wipe(le, sizeof le);
    client_opts_clear(&o.c);
    return rc;
}
