/* `kms-client fhe decrypt`: any ciphertext object (wire_decrypt.h: FheBool,
 * FheUint, FheInt, compact lists, compressed lists, squashed ciphertexts and
 * lists) decrypted with a client key, printed in decimal. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "base/secmem.h"
#include "fhe.h"
#include "tfhe/wire/wire_decrypt.h"

#define CMD "decrypt"

struct decrypt_opts {
    const char *client_key, *ciphertext;
    const struct radix_type *type; /* NULL: any */
    int json;
    int all;      /* every element (no --index) */
    size_t index;
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: kms-client fhe decrypt --client-key F --ciphertext F [--type T]\n"
            "                              [--index N] [--json]\n"
            "\n"
            "Decrypts an FheBool/FheUint/FheInt (small-expanded), CompressedCiphertextList\n"
            "(small-compressed), SquashedNoiseFhe* (big-expanded), CompressedSquashedNoise\n"
            "CiphertextList (big-compressed) or (Proven)CompactCiphertextList (with the\n"
            "client key's compact-key secret) and prints the value in decimal (true/false\n"
            "for ebool), one line per element of a list.\n"
            "\n"
            "  --type T     the type the value must have (ebool, euint8 .. euint256,\n"
            "               eint8 .. eint256, ...): anything else is an error\n"
            "  --index N    only element N of a list (default: every element)\n"
            "  --json       print {\"type\":\"euint64\",\"value\":\"42\"} (one object per line)\n");
}

static int parse_index(size_t *out, const char *s)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (s[0] < '0' || s[0] > '9' || *end != 0)
        return -1;
    *out = (size_t)v;
    return 0;
}

/* 0 go on, -1 --help done, else the exit status. */
static int parse(struct decrypt_opts *o, int argc, char **argv)
{
    static const struct option longs[] = {
        {"client-key", required_argument, NULL, 'k'}, {"ciphertext", required_argument, NULL, 'c'},
        {"type", required_argument, NULL, 't'},       {"index", required_argument, NULL, 'i'},
        {"json", no_argument, NULL, 'j'},             {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c, status;
    memset(o, 0, sizeof *o);
    o->all = 1;
    while ((c = fhe_getopt(CMD, &status, argc, argv, longs, usage)) != -1) {
        switch (c) {
        case 'k': o->client_key = optarg; break;
        case 'c': o->ciphertext = optarg; break;
        case 't':
            if (fhe_type_parse(&o->type, optarg) < 0)
                return fhe_usage_error(CMD, "%s", kms_err_msg());
            break;
        case 'i':
            if (parse_index(&o->index, optarg) < 0)
                return fhe_usage_error(CMD, "--index takes a number, not '%s'", optarg);
            o->all = 0;
            break;
        case 'j': o->json = 1; break;
        }
    }
    if (status != 0)
        return status;
    if (o->client_key == NULL || o->ciphertext == NULL)
        return fhe_usage_error(CMD, "--client-key and --ciphertext are required");
    return 0;
}

static int print_one(const struct decrypt_opts *o, const struct radix_type *t, const uint8_t *v,
                     size_t len)
{
    char tn[32], text[FHE_VALUE_TEXT_MAX];
    fhe_type_name(t, tn, sizeof tn);
    if (o->type != NULL && o->type->id != t->id) {
        char want[32];
        return kms_err(KMS_EINVAL, "the ciphertext is an %s, not an %s", tn,
                       fhe_type_name(o->type, want, sizeof want));
    }
    fhe_value_format(text, sizeof text, t, v, len);
    if (o->json)
        printf("{\"type\":\"%s\",\"value\":\"%s\"}\n", tn, text);
    else
        printf("%s\n", text);
    secmem_wipe(text, sizeof text);
    return 0;
}

static int run(const struct decrypt_opts *o)
{
    struct wire_client_key ck;
    struct wire_decryptor *d = NULL;
    struct fhe_file ct;
    uint8_t value[RADIX_MAX_BYTES];
    const struct radix_type *t;
    size_t len, count = 1;
    KMS_TRY(fhe_load_client_key(&ck, o->client_key));
    int rc = fhe_file_load(&ct, o->ciphertext, 0);
    if (rc == 0) {
        rc = wire_decryptor_new(&d, &ck);
        /* element `index`, or every element (count is known after the first) */
        for (size_t i = o->all ? 0 : o->index; rc == 0; i++) {
            rc = wire_decrypt(d, ct.data, ct.len, FHE_SIZE_LIMIT, i, &t, value, sizeof value,
                              &len, &count);
            if (rc < 0)
                rc = kms_err_wrap(rc, o->ciphertext);
            if (rc == 0)
                rc = print_one(o, t, value, len);
            if (!o->all || i + 1 >= count)
                break;
        }
        fhe_file_unload(&ct);
    }
    secmem_wipe(value, sizeof value);
    wire_decryptor_free(d);
    wire_client_key_clear(&ck);
    return rc;
}

int fhe_decrypt(int argc, char **argv)
{
    struct decrypt_opts o;
    int rc = parse(&o, argc, argv);
    if (rc != 0)
        return rc < 0 ? FHE_EXIT_OK : rc;
    return fhe_exit(CMD, run(&o));
}
