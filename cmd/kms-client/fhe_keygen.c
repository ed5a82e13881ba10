/* `kms-client fhe keygen`: a whole KMS keyset from a seed (tfhe-rs 1.7
 * CompressedXofKeySet::generate, tfhe/keyset.h), written as three files:
 * client_key.bin (high-level ClientKey, mode 0600), public_key.bin
 * (CompactPublicKey) and server_key.bin (CompressedXofKeySet by default).
 * Keys go to disk through a wire_sink on the FILE: never built whole in
 * memory a second time. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/hex.h"
#include "base/secmem.h"
#include "crypto/entropy.h"
#include "fhe.h"
#include "tfhe/keyset.h"
#include "tfhe/wire/wire_cpk.h"
#include "tfhe/wire/wire_keyset.h"
#include "tfhe/wire/wire_server_key.h"

#define CMD "keygen"
#define SEED_BYTES 16 /* the KMS's u128 seed */
#define TAG_MAX 64

enum sk_format { SK_XOF = 0, SK_CSK, SK_SERVER_KEY };

#define N_OUT 3
static const char *const out_names[N_OUT] = {"client_key.bin", "public_key.bin",
                                             "server_key.bin"};

struct keygen_opts {
    const char *params, *out_dir, *seed_hex, *tag_hex;
    enum sk_format format;
    int force;
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: kms-client fhe keygen --params default|test --out-dir DIR [--seed HEX]\n"
            "                             [--uncompressed | --server-key-format FORMAT]\n"
            "                             [--tag HEX] [--force]\n"
            "\n"
            "Generates a KMS keyset (tfhe-rs 1.7 CompressedXofKeySet::generate) and writes\n"
            "  DIR/client_key.bin  high_level_api::ClientKey (secret, mode 0600)\n"
            "  DIR/public_key.bin  high_level_api::CompactPublicKey\n"
            "  DIR/server_key.bin  high_level_api::CompressedXofKeySet (default)\n"
            "\n"
            "  --params NAME        default (the KMS's production set) or test (tiny and\n"
            "                       INSECURE, for tests only)\n"
            "  --out-dir DIR        output directory (created if missing)\n"
            "  --seed HEX           32 hex digits: the generation seed (secret; the same seed\n"
            "                       gives the same keys). Default: fresh OS entropy\n"
            "  --uncompressed       server_key.bin is the uncompressed ServerKey\n"
            "  --server-key-format  xof-keyset (default), compressed-server-key\n"
            "                       (CompressedServerKey) or server-key (= --uncompressed)\n"
            "  --tag HEX            the keys' tfhe-rs Tag (the KMS puts the key id there)\n"
            "  --force              overwrite existing files\n");
}

static int parse_format(enum sk_format *f, const char *s)
{
    if (strcmp(s, "xof-keyset") == 0)
        *f = SK_XOF;
    else if (strcmp(s, "compressed-server-key") == 0)
        *f = SK_CSK;
    else if (strcmp(s, "server-key") == 0)
        *f = SK_SERVER_KEY;
    else
        return -1;
    return 0;
}

/* 0 go on, -1 --help done, else the exit status. */
static int parse(struct keygen_opts *o, int argc, char **argv)
{
    static const struct option longs[] = {
        {"params", required_argument, NULL, 'p'},  {"out-dir", required_argument, NULL, 'o'},
        {"seed", required_argument, NULL, 's'},    {"tag", required_argument, NULL, 't'},
        {"uncompressed", no_argument, NULL, 'u'},
        {"server-key-format", required_argument, NULL, 'F'},
        {"force", no_argument, NULL, 'f'},         {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c, status;
    memset(o, 0, sizeof *o);
    while ((c = fhe_getopt(CMD, &status, argc, argv, longs, usage)) != -1) {
        switch (c) {
        case 'p': o->params = optarg; break;
        case 'o': o->out_dir = optarg; break;
        case 's': o->seed_hex = optarg; break;
        case 't': o->tag_hex = optarg; break;
        case 'u': o->format = SK_SERVER_KEY; break;
        case 'F':
            if (parse_format(&o->format, optarg) < 0)
                return fhe_usage_error(CMD, "unknown --server-key-format '%s'", optarg);
            break;
        case 'f': o->force = 1; break;
        }
    }
    if (status != 0)
        return status;
    if (o->params == NULL || o->out_dir == NULL)
        return fhe_usage_error(CMD, "--params and --out-dir are required");
    if (strcmp(o->params, "default") != 0 && strcmp(o->params, "test") != 0)
        return fhe_usage_error(CMD, "--params is default or test, not '%s'", o->params);
    return 0;
}

static int make_dir(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) == 0)
        return S_ISDIR(st.st_mode) ? 0 : kms_err(KMS_EINVAL, "%s is not a directory", dir);
    if (mkdir(dir, 0700) != 0)
        return kms_err(KMS_EIO, "cannot create %s: %s", dir, strerror(errno));
    return 0;
}

static void out_path(char *buf, size_t cap, const char *dir, const char *name)
{
    snprintf(buf, cap, "%s/%s", dir, name);
}

/* Fails before the long generation if an output already exists. */
static int check_free(const struct keygen_opts *o)
{
    char path[4096];
    for (size_t i = 0; !o->force && i < N_OUT; i++) {
        out_path(path, sizeof path, o->out_dir, out_names[i]);
        if (access(path, F_OK) == 0)
            return kms_err(KMS_EEXIST, "%s exists; refusing to overwrite it (use --force)", path);
    }
    return 0;
}

/* ---- writers, each streaming into its file ---- */

typedef int write_fn(struct wire_sink *s, const struct keyset *ks);

static int put_client_key(struct wire_sink *s, const struct keyset *ks)
{
    struct wire_client_key ck;
    KMS_TRY(wire_client_key_from_keyset(&ck, ks));
    int rc = wire_client_key_write(s, &ck);
    wire_client_key_clear(&ck);
    return rc;
}

static int put_public_key(struct wire_sink *s, const struct keyset *ks)
{
    const struct keyset_component *c = &ks->pub.comp[KEYSET_CPK];
    struct wire_cpk_params params;
    struct wire_ksk_params casting;
    struct wire_rerand_params rerand;
    size_t words = keyset_layout_words(&c->layout);
    uint64_t *pk = malloc(words * sizeof *pk);
    if (pk == NULL)
        return kms_err(KMS_ENOMEM, "out of memory");
    int rc = keyset_expand_component(&ks->pub, KEYSET_CPK, pk, words);
    if (rc == 0) {
        wire_params_kms_cpk(ks->pub.params, &params, &casting, &rerand);
        rc = wire_cpk_write(s, &params, pk, words, ks->pub.tag, ks->pub.tag_len);
    }
    free(pk);
    return rc;
}

static int put_xof(struct wire_sink *s, const struct keyset *ks)
{
    return wire_xof_keyset_write(s, &ks->pub);
}

static int put_csk(struct wire_sink *s, const struct keyset *ks)
{
    return wire_csk_write(s, &ks->pub, NULL);
}

static int put_server_key(struct wire_sink *s, const struct keyset *ks)
{
    return wire_server_key_write(s, &ks->pub);
}

static int write_one(const struct keygen_opts *o, const char *name, int private_file,
                     write_fn *fn, const struct keyset *ks, uint64_t *size)
{
    char path[4096];
    struct fhe_out out;
    struct wire_sink s;
    out_path(path, sizeof path, o->out_dir, name);
    KMS_TRY(fhe_out_open(&out, path, o->force, private_file));
    wire_sink_file(&s, out.f, FHE_SIZE_LIMIT);
    int rc = fn(&s, ks);
    if (rc == 0)
        rc = wire_sink_status(&s);
    KMS_TRY(fhe_out_close(&out, rc));
    *size = s.count;
    return 0;
}

static void remove_written(const struct keygen_opts *o, int written)
{
    char path[4096];
    for (int i = 0; i < written && i < N_OUT; i++) {
        out_path(path, sizeof path, o->out_dir, out_names[i]);
        unlink(path);
    }
}

static int get_seed(uint8_t seed[SEED_BYTES], const char *hex)
{
    if (hex == NULL)
        return entropy_fill(seed, SEED_BYTES);
    if (strlen(hex) != 2 * SEED_BYTES || hex_decode_exact(seed, SEED_BYTES, hex) < 0)
        return kms_err(KMS_EINVAL, "--seed takes %d hex digits", 2 * SEED_BYTES);
    return 0;
}

static int get_tag(uint8_t *tag, size_t *len, const char *hex)
{
    *len = 0;
    if (hex == NULL)
        return 0;
    size_t n = strlen(hex);
    if (n % 2 != 0 || n / 2 > TAG_MAX || hex_decode_exact(tag, n / 2, hex) < 0)
        return kms_err(KMS_EINVAL, "--tag takes an even number of hex digits (at most %d bytes)",
                       TAG_MAX);
    *len = n / 2;
    return 0;
}

static int run(const struct keygen_opts *o)
{
    const struct tfhe_params *p;
    struct keyset *ks = NULL;
    uint8_t seed[SEED_BYTES], tag[TAG_MAX];
    size_t tag_len;
    static write_fn *const server_writers[] = {put_xof, put_csk, put_server_key};
    static const char *const server_names[] = {"CompressedXofKeySet", "CompressedServerKey",
                                               "ServerKey"};
    KMS_TRY(tfhe_params_get(&p, o->params, 1));
    KMS_TRY(get_tag(tag, &tag_len, o->tag_hex));
    KMS_TRY(make_dir(o->out_dir));
    KMS_TRY(check_free(o));
    if (p->insecure)
        fprintf(stderr, "kms-client fhe keygen: warning: the \"%s\" parameters are INSECURE "
                        "(tests only)\n", p->name);
    int rc = get_seed(seed, o->seed_hex);
    if (rc == 0)
        rc = keyset_generate(&ks, p, seed, sizeof seed, tag, tag_len, 128, 1.0, 0);
    secmem_wipe(seed, sizeof seed);
    write_fn *const writers[N_OUT] = {put_client_key, put_public_key, server_writers[o->format]};
    uint64_t sizes[N_OUT];
    int written = 0; /* files of this run, removed again if a later one fails */
    for (; rc == 0 && written < N_OUT; written++)
        rc = write_one(o, out_names[written], written == 0, writers[written], ks,
                       &sizes[written]);
    if (rc == 0) {
        for (int i = 0; i < N_OUT; i++)
            printf("%-15s %s/%s (%llu bytes)\n", out_names[i], o->out_dir, out_names[i],
                   (unsigned long long)sizes[i]);
        printf("params          %s\nserver key      %s\n", p->name, server_names[o->format]);
    } else {
        remove_written(o, written - 1); /* the failed one removed itself */
    }
    keyset_free(ks); /* wipes the secrets */
    return rc;
}

int fhe_keygen(int argc, char **argv)
{
    struct keygen_opts o;
    int rc = parse(&o, argc, argv);
    if (rc != 0)
        return rc < 0 ? FHE_EXIT_OK : rc;
    return fhe_exit(CMD, run(&o));
}
