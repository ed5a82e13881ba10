/* Ids, the EIP-712 domain, the server's address and signature checks of
 * kms-client (client_common.h). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/hex.h"
#include "client_common.h"
#include "client_json.h"
#include "crypto/ecdsa.h"
#include "crypto/entropy.h"
#include "crypto/ethaddr.h"
#include "service/abi.h"
#include "service/node_key.h"
#include "service/request_id.h"
#include "store/vault.h"

int client_request_id(const struct client_opts *o, char out[65])
{
    struct request_id id;
    if (o->request_id != NULL) {
        KMS_TRY(request_id_parse(&id, o->request_id, strlen(o->request_id)));
    } else {
        static const uint8_t zero[32];
        do
            KMS_TRY(entropy_fill(id.b, sizeof id.b));
        while (memcmp(id.b, zero, 32) == 0);
    }
    request_id_format(out, &id);
    return 0;
}

int client_parse_id(char out[65], uint8_t bytes[32], const char *s)
{
    struct request_id id;
    KMS_TRY(request_id_parse(&id, s, strlen(s)));
    request_id_format(out, &id);
    if (bytes != NULL)
        memcpy(bytes, id.b, 32);
    return 0;
}

/* A chain id in decimal or 0x-hex into 32 big-endian bytes. */
static int parse_chain_id(uint8_t out[32], const char *s)
{
    memset(out, 0, 32);
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        size_t n = strlen(s + 2);
        if (n == 0 || n > 64)
            return kms_err(KMS_EINVAL, "chain id: 1 to 64 hex digits after 0x");
        char padded[65];
        memset(padded, '0', 64);
        memcpy(padded + 64 - n, s + 2, n);
        padded[64] = '\0';
        return hex_decode_exact(out, 32, padded);
    }
    if (s[0] == '\0')
        return kms_err(KMS_EINVAL, "chain id is empty");
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return kms_err(KMS_EINVAL, "chain id: '%s' is not a decimal number", s);
        /* out = out * 10 + digit, big-endian */
        unsigned carry = (unsigned)(*p - '0');
        for (int i = 31; i >= 0; i--) {
            unsigned v = out[i] * 10u + carry;
            out[i] = (uint8_t)v;
            carry = v >> 8;
        }
        if (carry != 0)
            return kms_err(KMS_EINVAL, "chain id does not fit in 256 bits");
    }
    return 0;
}

int client_domain(const struct client_opts *o, struct client_domain *out)
{
    memset(out, 0, sizeof *out);
    Kms__V1__Eip712DomainMsg init = KMS__V1__EIP712_DOMAIN_MSG__INIT;
    out->msg = init;
    KMS_TRY(parse_chain_id(out->chain_id, o->chain_id));
    out->msg.name = (char *)o->domain_name;
    out->msg.version = (char *)o->domain_version;
    out->msg.chain_id.data = out->chain_id;
    out->msg.chain_id.len = 32;
    out->msg.verifying_contract = (char *)o->contract;
    if (o->salt != NULL) {
        if (hex_decode_exact(out->salt, 32, o->salt) != 0)
            return kms_err(KMS_EINVAL, "--salt wants 32 bytes of hex");
        out->msg._salt_case = KMS__V1__EIP712_DOMAIN_MSG___SALT_SALT;
        out->msg.salt.data = out->salt;
        out->msg.salt.len = 32;
    }
    struct domain_fields f = {
        .name = o->domain_name,
        .name_len = strlen(o->domain_name),
        .version = o->domain_version,
        .version_len = strlen(o->domain_version),
        .chain_id = out->chain_id,
        .chain_id_len = 32,
        .verifying_contract = o->contract,
        .verifying_contract_len = strlen(o->contract),
        .has_salt = o->salt != NULL,
        .salt = out->salt,
        .salt_len = 32,
    };
    return domain_from_fields(&out->d, &f);
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int client_pub_path(const struct client_opts *o, char *out, size_t cap, const char *type,
                    const char *id)
{
    if (o->pub_dir == NULL)
        return kms_err(KMS_ENOTFOUND, "no --pub-dir given");
    /* DIR may be the server's storage root (holding PUB/) or PUB itself */
    char probe[4096];
    int n = snprintf(probe, sizeof probe, "%s/%s", o->pub_dir, type);
    int under_pub = 0;
    if (n > 0 && (size_t)n < sizeof probe && !is_dir(probe)) {
        snprintf(probe, sizeof probe, "%s/%s", o->pub_dir, VAULT_PREFIX_PUB);
        under_pub = is_dir(probe);
    }
    n = under_pub ? snprintf(out, cap, "%s/%s/%s/%s", o->pub_dir, VAULT_PREFIX_PUB, type, id)
                  : snprintf(out, cap, "%s/%s/%s", o->pub_dir, type, id);
    if (n < 0 || (size_t)n >= cap)
        return kms_err(KMS_EINVAL, "--pub-dir path too long");
    return 0;
}

int client_server_address(const struct client_opts *o, uint8_t addr[20])
{
    if (o->server_address != NULL)
        return ethaddr_parse(addr, o->server_address, strlen(o->server_address),
                             ETHADDR_ANY_CASE);
    if (o->pub_dir == NULL)
        return kms_err(KMS_ENOTFOUND, "verifying signatures needs --server-address or "
                                      "--pub-dir (or --no-verify)");
    char path[4096];
    KMS_TRY(client_pub_path(o, path, sizeof path, VAULT_PUB_VERF_ADDRESS, node_key_id()));
    uint8_t *text;
    size_t len;
    KMS_TRY(client_read_file(path, &text, &len, 256));
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' '))
        len--;
    int rc = ethaddr_parse(addr, (const char *)text, len, ETHADDR_ANY_CASE);
    free(text);
    if (rc != 0)
        return kms_err_wrap(rc, path);
    return 0;
}

int client_check_eip712(const struct eip712_domain *d, const uint8_t struct_hash[32],
                        const uint8_t *sig, size_t sig_len, const uint8_t expect[20],
                        const char *what)
{
    if (sig_len != 65)
        return kms_err(KMS_EVERIFY, "%s: %zu bytes, not a 65-byte signature", what, sig_len);
    uint8_t digest[32], got[20];
    KMS_TRY(eip712_digest_for_domain(digest, d, struct_hash));
    /* alloy may hand out a high-S twin; the signer is what counts */
    uint8_t norm[65];
    if (ecdsa_rsig_normalize(norm, sig) != 0 || ethaddr_recover(got, digest, norm) != 0)
        return kms_err(KMS_EVERIFY, "%s does not verify (no signer recoverable)", what);
    if (memcmp(got, expect, 20) != 0) {
        char g[ETHADDR_STR_LEN + 1], e[ETHADDR_STR_LEN + 1];
        ethaddr_to_string(g, got);
        ethaddr_to_string(e, expect);
        return kms_err(KMS_EVERIFY, "%s was made by %s, not by the server %s", what, g, e);
    }
    return 0;
}

int client_check_typed_signatures(Kms__V1__TypedSignature *const *sigs, size_t n,
                                  const uint8_t *ext_sig, size_t ext_len)
{
    for (size_t i = 0; i < n; i++) {
        if (sigs[i]->scheme != KMS__V1__SIGNING_SCHEME_TYPE__ECDSA256K1)
            continue;
        if (sigs[i]->signature.len != ext_len ||
            memcmp(sigs[i]->signature.data, ext_sig, ext_len) != 0)
            return kms_err(KMS_EVERIFY, "the ECDSA256K1 entry of signatures differs from "
                                        "external_signature");
        return 0;
    }
    return kms_err(KMS_EVERIFY, "signatures has no ECDSA256K1 entry although one was asked for");
}

int client_verf_key_address(uint8_t addr[20], const uint8_t *vk, size_t vk_len)
{
    if (vk_len == NODE_KEY_VERF_KEY_BYTES && vk[0] == 33) {
        for (size_t i = 1; i < 8; i++)
            if (vk[i] != 0)
                return kms_err(KMS_EVERIFY, "verification key: bad length prefix");
        return ethaddr_from_pubkey(addr, vk + 8, 33);
    }
    return ethaddr_from_pubkey(addr, vk, vk_len);
}

void client_json_verified(struct cjson *j, const struct client_opts *o, const uint8_t server[20])
{
    cjson_bool(j, "verified", !o->no_verify);
    if (!o->no_verify) {
        char a[ETHADDR_STR_LEN + 1];
        ethaddr_to_string(a, server);
        cjson_str(j, "signer", a);
    }
}
