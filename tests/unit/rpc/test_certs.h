/* Throwaway X.509 material for the TLS tests: a CA, and EC P-256 leaf
 * certificates it signs (SAN DNS:localhost, IP:127.0.0.1; serverAuth +
 * clientAuth), all as PEM text. Made with OpenSSL at test time, so no key
 * ever sits in the tree. */
#ifndef CKMS_TEST_CERTS_H
#define CKMS_TEST_CERTS_H

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

struct test_pki {
    EVP_PKEY *key;
    X509 *cert;
    char *cert_pem, *key_pem;
};

static inline int test_pki_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
    if (e == NULL)
        return -1;
    int ok = X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
    return ok ? 0 : -1;
}

static inline char *test_pki_bio_string(BIO *b)
{
    char *data;
    long n = BIO_get_mem_data(b, &data);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (s != NULL) {
        memcpy(s, data, (size_t)n); /* not NUL-terminated in the BIO */
        s[n] = '\0';
    }
    BIO_free(b);
    return s;
}

/* A certificate for `cn`, self-signed CA when issuer is NULL. 0 on success. */
static inline int test_pki_make(struct test_pki *out, const char *cn, const struct test_pki *issuer)
{
    static long serial = 1;
    memset(out, 0, sizeof *out);
    out->key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    out->cert = X509_new();
    if (out->key == NULL || out->cert == NULL)
        return -1;
    X509 *x = out->cert;
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_set_pubkey(x, out->key);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer->cert) : name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer ? issuer->cert : x, x, NULL, NULL, 0);
    int rc = test_pki_ext(x, &ctx, NID_subject_key_identifier, "hash");
    if (issuer == NULL) {
        rc |= test_pki_ext(x, &ctx, NID_basic_constraints, "critical,CA:TRUE");
        rc |= test_pki_ext(x, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        rc |= test_pki_ext(x, &ctx, NID_basic_constraints, "CA:FALSE");
        rc |= test_pki_ext(x, &ctx, NID_key_usage, "critical,digitalSignature");
        rc |= test_pki_ext(x, &ctx, NID_ext_key_usage, "serverAuth,clientAuth");
        rc |= test_pki_ext(x, &ctx, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
        rc |= test_pki_ext(x, &ctx, NID_authority_key_identifier, "keyid:always");
    }
    if (rc != 0 || X509_sign(x, issuer ? issuer->key : out->key, EVP_sha256()) == 0)
        return -1;
    BIO *b = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(b, x);
    out->cert_pem = test_pki_bio_string(b);
    b = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(b, out->key, NULL, NULL, 0, NULL, NULL);
    out->key_pem = test_pki_bio_string(b);
    return out->cert_pem && out->key_pem ? 0 : -1;
}

static inline void test_pki_free(struct test_pki *p)
{
    EVP_PKEY_free(p->key);
    X509_free(p->cert);
    free(p->cert_pem);
    free(p->key_pem);
    memset(p, 0, sizeof *p);
}

#endif
