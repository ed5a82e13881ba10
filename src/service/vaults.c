#include "service/vaults.h"

#include <stdio.h>

static int open_one(struct vault **out, const struct config_vault *cv, enum vault_kind kind)
{
    const struct config_storage *st = &cv->storage;
    struct vault_config vc = {
        .backend = st->kind == CONFIG_STORAGE_RAM ? VAULT_BACKEND_MEM : VAULT_BACKEND_FILE,
        .kind = kind,
        .path = st->path != NULL ? st->path : CONFIG_DEFAULT_KEYS_DIR,
        .prefix = st->prefix != NULL ? st->prefix
                                     : (kind == VAULT_KIND_PUBLIC ? VAULT_PREFIX_PUB
                                                                  : VAULT_PREFIX_PRIV),
    };
    if (kind == VAULT_KIND_PRIVATE) {
        vc.kek_file = cv->encryption.kek_file;
        vc.kek_env = cv->encryption.kek_env;
        vc.insecure_plaintext = cv->encryption.insecure_plaintext;
        /* RAM storage dies with the process: nothing to protect at rest */
        if (st->kind == CONFIG_STORAGE_RAM && vc.kek_file == NULL && vc.kek_env == NULL)
            vc.insecure_plaintext = 1;
    }
    int rc = vault_open(out, &vc);
    /* vault_open names the private vault in its KEK messages already */
    return rc < 0 && kind == VAULT_KIND_PUBLIC ? kms_err_wrap(rc, "public vault") : rc;
}

int vaults_open(struct vault **pub, struct vault **priv, const struct config *cfg)
{
    *pub = *priv = NULL;
    KMS_TRY(open_one(pub, &cfg->public_vault, VAULT_KIND_PUBLIC));
    int rc = open_one(priv, &cfg->private_vault, VAULT_KIND_PRIVATE);
    if (rc < 0) {
        vault_free(*pub);
        *pub = NULL;
    }
    return rc;
}

void vaults_describe(char *out, size_t out_cap, const struct config_vault *cv,
                     const struct vault *v)
{
    const struct config_storage *st = &cv->storage;
    if (st->kind == CONFIG_STORAGE_RAM)
        snprintf(out, out_cap, "ram %s%s", vault_prefix(v),
                 vault_is_encrypted(v) ? " (encrypted)" : "");
    else
        snprintf(out, out_cap, "file %s/%s%s", st->path ? st->path : CONFIG_DEFAULT_KEYS_DIR,
                 vault_prefix(v), vault_is_encrypted(v) ? " (encrypted)" : "");
}
