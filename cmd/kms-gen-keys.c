/* kms-gen-keys: creates the node's secp256k1 signing key and publishes its
 * verification key and Ethereum address, as the reference's kms-gen-keys
 * does for a centralized node. Reads the server's own configuration for
 * where the vaults are.
 *
 *   kms-gen-keys --config F [--create-kek] [--overwrite | --show-existing]
 *
 * Prints one JSON line: {"signing_key_id", "address", "verification_key",
 * "status": "created" | "existing" | "replaced"}. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/hex.h"
#include "base/log.h"
#include "ops/config.h"
#include "service/node_key.h"
#include "service/vaults.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: kms-gen-keys --config FILE [options]\n"
            "\n"
            "Creates the node's signing key (secp256k1) in the private vault as\n"
            "SigningKey/<SIGNING_KEY_ID>, and publishes VerfKey, VerfAddress,\n"
            "TypedVerfKey and TypedVerfAddress in the public vault. An existing key\n"
            "is never replaced unless --overwrite is given; missing public objects\n"
            "are written again from it.\n"
            "\n"
            "  -c, --config FILE    the kms-server configuration (vault locations, KEK)\n"
            "      --create-kek     first create the key-encryption key file named by\n"
            "                       private_vault.encryption.kek_file (if it is missing)\n"
            "      --show-existing  only print the existing key (error if there is none)\n"
            "      --overwrite      delete the existing key and its public objects, then\n"
            "                       create a new one (every signature checked against the\n"
            "                       old address stops verifying)\n"
            "  -h, --help           this text\n"
            "\n"
            "Output: one JSON line with signing_key_id, address (EIP-55),\n"
            "verification_key (compressed SEC1, hex) and status.\n");
}

static void print_key(const struct node_key *k, const char *status)
{
    char vk[2 * ECDSA_PUBKEY_COMPRESSED_BYTES + 1];
    if (hex_encode(vk, sizeof vk, k->pk33, sizeof k->pk33) != 0)
        vk[0] = '\0';
    printf("{\"signing_key_id\":\"%s\",\"address\":\"%s\",\"verification_key\":\"%s\","
           "\"status\":\"%s\"}\n",
           node_key_id(), k->address_str, vk, status);
    fflush(stdout);
}

static int fail(const char *what)
{
    fprintf(stderr, "kms-gen-keys: %s: %s\n", what, kms_err_msg());
    return 1;
}

static int create_kek(const struct config *cfg)
{
    const char *path = cfg->private_vault.encryption.kek_file;
    if (path == NULL) {
        fprintf(stderr, "kms-gen-keys: --create-kek needs private_vault.encryption.kek_file "
                        "in the configuration\n");
        return 1;
    }
    struct stat st;
    if (stat(path, &st) == 0) {
        fprintf(stderr, "kms-gen-keys: key-encryption key %s exists; keeping it\n", path);
        return 0;
    }
    if (vault_kek_create_file(path) != 0)
        return fail("creating the key-encryption key");
    fprintf(stderr, "kms-gen-keys: created key-encryption key %s (keep it safe: it decrypts "
                    "the private vault)\n", path);
    return 0;
}

enum mode { MODE_ENSURE, MODE_SHOW, MODE_OVERWRITE };

static int run(struct vault *pub, struct vault *priv, enum mode mode)
{
    struct node_key *k = NULL;
    int rc = node_key_load(&k, priv);
    if (rc < 0 && rc != KMS_ENOTFOUND)
        return fail("reading the private vault");
    if (mode == MODE_SHOW) {
        if (k == NULL)
            return fail("no signing key");
        rc = node_key_check_public(pub, k, 0);
        print_key(k, "existing");
        node_key_free(k);
        return rc < 0 ? fail("public vault") : 0;
    }
    const char *status = "created";
    if (k != NULL && mode == MODE_ENSURE) {
        /* never replaced: only the public objects are completed */
        rc = node_key_check_public(pub, k, 1);
        if (rc == 0)
            print_key(k, "existing");
        node_key_free(k);
        return rc < 0 ? fail("publishing the verification key") : 0;
    }
    if (mode == MODE_OVERWRITE) {
        status = k != NULL ? "replaced" : "created";
        node_key_free(k);
        k = NULL;
        if (node_key_delete(priv, pub) != 0)
            return fail("deleting the old key");
    } else {
        int has_key = vault_exists(pub, VAULT_ADDR(VAULT_PUB_VERF_KEY, node_key_id()));
        int has_addr = vault_exists(pub, VAULT_ADDR(VAULT_PUB_VERF_ADDRESS, node_key_id()));
        if (has_key < 0 || has_addr < 0)
            return fail("reading the public vault");
        if (has_key || has_addr) {
            /* published material of a key that is gone: refuse to guess */
            fprintf(stderr, "kms-gen-keys: the public vault holds a verification key but the "
                            "private vault has no signing key; run with --overwrite to replace "
                            "both\n");
            return 1;
        }
    }
    if (node_key_generate(&k) != 0)
        return fail("generating the key");
    /* the private key first: public objects without it would be orphans
     * that a later run refuses to publish over */
    rc = node_key_store(priv, k);
    if (rc == 0)
        rc = node_key_check_public(pub, k, 1);
    if (rc == 0)
        print_key(k, status);
    node_key_free(k);
    return rc < 0 ? fail("storing the key") : 0;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},    {"create-kek", no_argument, NULL, 'k'},
        {"show-existing", no_argument, NULL, 's'},   {"overwrite", no_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},            {NULL, 0, NULL, 0},
    };
    const char *config_path = NULL;
    int make_kek = 0, show = 0, overwrite = 0, c;
    while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': config_path = optarg; break;
        case 'k': make_kek = 1; break;
        case 's': show = 1; break;
        case 'o': overwrite = 1; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc || config_path == NULL || (show && overwrite)) {
        usage(stderr);
        return 2;
    }
    struct config cfg;
    if (config_load(&cfg, config_path, NULL) != 0) {
        fprintf(stderr, "kms-gen-keys: %s\n", kms_err_msg());
        return 1;
    }
    if (cfg.private_vault.storage.kind == CONFIG_STORAGE_RAM ||
        cfg.public_vault.storage.kind == CONFIG_STORAGE_RAM)
        fprintf(stderr, "kms-gen-keys: warning: RAM storage is lost when this program exits\n");
    int rc = make_kek ? create_kek(&cfg) : 0;
    struct vault *pub = NULL, *priv = NULL;
    if (rc == 0 && vaults_open(&pub, &priv, &cfg) != 0)
        rc = fail("opening the vaults");
    if (rc == 0)
        rc = run(pub, priv, show ? MODE_SHOW : overwrite ? MODE_OVERWRITE : MODE_ENSURE);
    vault_free(priv);
    vault_free(pub);
    config_free(&cfg);
    return rc;
}
