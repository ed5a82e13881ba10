/* Test-only reader of a kms-server's vaults for tests/interop/
 * test_kms_centralized.js: the e2e test encrypts with the server's public
 * key, and node-tfhe needs a server key to expand a compact list, which it
 * derives from the client key this oracle takes out of the private vault
 * (with the KEK the configuration names). Never part of a product.
 *
 *   client_key <config.toml> <key_id hex> <out file>   -> ok <bytes written>
 */
#include <stdio.h>
#include <string.h>

#include "oracle_io.h"
#include "ops/config.h"
#include "service/central.h"
#include "service/keygen_record.h"
#include "service/vaults.h"

static int write_file(const char *path, const uint8_t *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return kms_err(KMS_EIO, "cannot create %s", path);
    size_t w = fwrite(p, 1, n, f);
    int rc = fclose(f);
    return w == n && rc == 0 ? 0 : kms_err(KMS_EIO, "cannot write %s", path);
}

static int run_client_key(struct buf *out, int argc, char **argv)
{
    (void)argc;
    uint8_t key_id[32];
    KMS_TRY(oracle_hex_exact(argv[1], key_id, sizeof key_id));
    struct config cfg;
    KMS_TRY(config_load(&cfg, argv[0], NULL));
    struct vault *pub = NULL, *priv = NULL;
    int rc = vaults_open(&pub, &priv, &cfg);
    char id[VAULT_ID_BUF], ep[VAULT_ID_BUF];
    struct buf obj;
    buf_init_secret(&obj, BUF_UNLIMITED);
    if (rc == 0)
        rc = vault_id_from_bytes(id, key_id);
    if (rc == 0)
        rc = vault_id_from_bytes(ep, central_default_epoch);
    if (rc == 0)
        rc = vault_read(priv, &obj, VAULT_ADDR_EPOCH(VAULT_PRIV_FHE_PRIVATE_KEY, ep, id));
    struct keygen_record r;
    const uint8_t *ck = NULL;
    size_t ck_len = 0;
    if (rc == 0)
        rc = keygen_record_decode(&r, &ck, &ck_len, obj.data, obj.len);
    if (rc == 0) {
        rc = write_file(argv[2], ck, ck_len);
        keygen_record_clear(&r);
    }
    if (rc == 0) {
        char n[32];
        snprintf(n, sizeof n, "%zu", ck_len);
        oracle_put_text(out, n);
    }
    buf_free(&obj);
    vault_free(priv);
    vault_free(pub);
    config_free(&cfg);
    return rc;
}

int main(void)
{
    static const struct oracle_cmd cmds[] = {{"client_key", 3, run_client_key}};
    return oracle_main(cmds, sizeof cmds / sizeof cmds[0]);
}
