/* Opening the public and private vaults a server configuration names
 * (ops/config.h [public_vault] / [private_vault]), for kms-server,
 * kms-gen-keys and the tools that read their storage. */
#ifndef CKMS_SERVICE_VAULTS_H
#define CKMS_SERVICE_VAULTS_H

#include <stddef.h>

#include "base/error.h"
#include "ops/config.h"
#include "store/vault.h"

/* Opens both (the private one encrypted with the configured KEK unless
 * insecure_plaintext, or when it lives in RAM). Both are NULL on failure. */
int vaults_open(struct vault **pub, struct vault **priv, const struct config *cfg)
    KMS_MUST_CHECK;

/* A one-line description, e.g. "file ./keys/PRIV (encrypted)", for logs and
 * storage_info fields. */
void vaults_describe(char *out, size_t out_cap, const struct config_vault *cv,
                     const struct vault *v);

#endif
