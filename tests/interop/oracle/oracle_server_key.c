/* Interop oracle for the uncompressed ServerKey (src/tfhe/wire/
 * wire_server_key.h). Keys are large, so they travel as file paths.
 *   keygen <params> <seed hex (16 bytes)> <dir>   makes a keyset and writes
 *       <dir>/client_key.bin, <dir>/server_key.bin (ServerKey) and
 *       <dir>/compressed_server_key.bin (CompressedServerKey); prints the
 *       set's name and the ServerKey's size
 *   roundtrip <in> <out>   reads a ServerKey and writes it back; prints the
 *       parameter set's name and the present components (hex bit mask) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oracle_io.h"
#include "tfhe/wire/wire_client_key.h"
#include "tfhe/wire/wire_keyset.h"
#include "tfhe/wire/wire_server_key.h"

#define LIMIT ((uint64_t)1 << 33)

struct out_file {
    FILE *f;
    struct wire_sink s;
};

static int open_out(struct out_file *o, const char *dir, const char *name)
{
    char path[4096];
    if (name != NULL)
        snprintf(path, sizeof path, "%s/%s", dir, name);
    else
        snprintf(path, sizeof path, "%s", dir);
    o->f = fopen(path, "wb");
    if (o->f == NULL)
        return kms_err(KMS_EIO, "cannot create %s: %s", path, strerror(errno));
    wire_sink_file(&o->s, o->f, LIMIT);
    return 0;
}

static int close_out(struct out_file *o, int rc)
{
    if (fclose(o->f) != 0 && rc == 0)
        rc = kms_err(KMS_EIO, "cannot write a key file");
    return rc;
}

static int run_keygen(struct buf *out, int argc, char **argv)
{
    (void)argc;
    const struct tfhe_params *p;
    uint8_t seed[16];
    static const uint8_t tag[] = "ckms-oracle";
    struct keyset *ks;
    struct wire_client_key ck;
    struct out_file o;
    KMS_TRY(tfhe_params_get(&p, argv[0], 1));
    KMS_TRY(oracle_hex_exact(argv[1], seed, sizeof seed));
    KMS_TRY(keyset_generate(&ks, p, seed, sizeof seed, tag, sizeof tag - 1, 128, 1.0, 0));
    int rc = wire_client_key_from_keyset(&ck, ks);
    if (rc == 0) {
        if ((rc = open_out(&o, argv[2], "client_key.bin")) == 0)
            rc = close_out(&o, wire_client_key_write(&o.s, &ck));
        wire_client_key_clear(&ck);
    }
    uint64_t size = 0;
    if (rc == 0 && (rc = open_out(&o, argv[2], "server_key.bin")) == 0) {
        rc = close_out(&o, wire_server_key_write(&o.s, &ks->pub));
        size = o.s.count;
    }
    if (rc == 0 && (rc = open_out(&o, argv[2], "compressed_server_key.bin")) == 0)
        rc = close_out(&o, wire_csk_write(&o.s, &ks->pub, NULL));
    keyset_free(ks);
    if (rc == 0) {
        char n[32];
        snprintf(n, sizeof n, "%llu", (unsigned long long)size);
        oracle_put_text(out, p->name);
        oracle_put_text(out, n);
    }
    return rc;
}

static int read_file(const char *path, uint8_t **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    *data = NULL;
    *len = 0;
    if (f == NULL)
        return kms_err(KMS_EIO, "cannot open %s: %s", path, strerror(errno));
    int rc = fseek(f, 0, SEEK_END);
    long n = ftell(f);
    if (rc != 0 || n < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return kms_err(KMS_EIO, "cannot size %s", path);
    }
    *len = (size_t)n;
    *data = malloc(*len ? *len : 1);
    if (*data == NULL || fread(*data, 1, *len, f) != *len) {
        fclose(f);
        free(*data);
        *data = NULL;
        return kms_err(KMS_EIO, "cannot read %s", path);
    }
    fclose(f);
    return 0;
}

static int run_roundtrip(struct buf *out, int argc, char **argv)
{
    (void)argc;
    uint8_t *data;
    size_t len = 0;
    struct wire_server_key k;
    struct out_file o;
    KMS_TRY(read_file(argv[0], &data, &len));
    int rc = wire_server_key_read(&k, data, len, len, NULL);
    if (rc == 0) {
        if ((rc = open_out(&o, argv[1], NULL)) == 0)
            rc = close_out(&o, wire_server_key_write_read(&o.s, &k));
        if (rc == 0) {
            char mask[16];
            snprintf(mask, sizeof mask, "%x", k.present);
            oracle_put_text(out, k.params->name);
            oracle_put_text(out, mask);
        }
        wire_server_key_clear(&k);
    }
    free(data);
    return rc;
}

int main(void)
{
    static const struct oracle_cmd cmds[] = {
        {"keygen", 3, run_keygen},
        {"roundtrip", 2, run_roundtrip},
    };
    return oracle_main(cmds, sizeof cmds / sizeof cmds[0]);
}
