#include "crypto/eip712.h"

#include <string.h>

void eip712_type_hash(uint8_t out[32], const char *encode_type)
{
    keccak256(out, encode_type, strlen(encode_type));
}

/* ---- struct encoder ---- */

void eip712_struct_init(struct eip712_struct *s, const uint8_t type_hash[32])
{
    keccak_init_keccak256(&s->k);
    keccak_absorb(&s->k, type_hash, 32);
}

void eip712_struct_final(struct eip712_struct *s, uint8_t out[32])
{
    keccak_squeeze(&s->k, out, 32);
    keccak_clear(&s->k);
}

void eip712_put_word(struct eip712_struct *s, const uint8_t word[32])
{
    keccak_absorb(&s->k, word, 32);
}

void eip712_put_uint(struct eip712_struct *s, uint64_t v)
{
    uint8_t w[32];
    eip712_u256_from_u64(w, v);
    eip712_put_word(s, w);
}

void eip712_put_bool(struct eip712_struct *s, int v) { eip712_put_uint(s, v != 0); }

void eip712_put_address(struct eip712_struct *s, const uint8_t addr[20])
{
    uint8_t w[32] = {0};
    memcpy(w + 12, addr, 20);
    eip712_put_word(s, w);
}

void eip712_put_bytes(struct eip712_struct *s, const void *p, size_t n)
{
    uint8_t h[32];
    keccak256(h, n > 0 ? p : "", n);
    eip712_put_word(s, h);
}

void eip712_put_string(struct eip712_struct *s, const char *p, size_t n)
{
    eip712_put_bytes(s, p, n);
}

void eip712_put_words(struct eip712_struct *s, const uint8_t *words, size_t count)
{
    struct eip712_array a;
    uint8_t h[32];
    eip712_array_init(&a);
    for (size_t i = 0; i < count; i++)
        eip712_array_add(&a, words + 32 * i);
    eip712_array_final(&a, h);
    eip712_put_word(s, h);
}

/* ---- arrays ---- */

void eip712_array_init(struct eip712_array *a) { keccak_init_keccak256(&a->k); }

void eip712_array_add(struct eip712_array *a, const uint8_t word[32])
{
    keccak_absorb(&a->k, word, 32);
}

void eip712_array_final(struct eip712_array *a, uint8_t out[32])
{
    keccak_squeeze(&a->k, out, 32);
    keccak_clear(&a->k);
}

/* ---- domain ---- */

/* The EIP712Domain member list, in the canonical order the type string and
 * the encoding must both follow. */
static const struct {
    unsigned bit;
    const char *decl;
} domain_members[] = {
    {EIP712_DOMAIN_NAME, "string name"},
    {EIP712_DOMAIN_VERSION, "string version"},
    {EIP712_DOMAIN_CHAIN_ID, "uint256 chainId"},
    {EIP712_DOMAIN_CONTRACT, "address verifyingContract"},
    {EIP712_DOMAIN_SALT, "bytes32 salt"},
};

#define N_DOMAIN_MEMBERS (sizeof domain_members / sizeof domain_members[0])

/* keccak256("EIP712Domain(" + present members joined by "," + ")"). */
static void domain_type_hash(uint8_t out[32], unsigned fields)
{
    struct keccak k;
    int first = 1;
    keccak_init_keccak256(&k);
    keccak_absorb(&k, "EIP712Domain(", 13);
    for (size_t i = 0; i < N_DOMAIN_MEMBERS; i++) {
        if (!(fields & domain_members[i].bit))
            continue;
        if (!first)
            keccak_absorb(&k, ",", 1);
        keccak_absorb(&k, domain_members[i].decl, strlen(domain_members[i].decl));
        first = 0;
    }
    keccak_absorb(&k, ")", 1);
    keccak_squeeze(&k, out, 32);
    keccak_clear(&k);
}

int eip712_domain_separator(uint8_t out[32], const struct eip712_domain *d)
{
    const unsigned all = EIP712_DOMAIN_STANDARD | EIP712_DOMAIN_SALT;
    struct eip712_struct s;
    uint8_t th[32];
    memset(out, 0, 32);
    if (d->fields & ~all)
        return kms_err(KMS_EINVAL, "eip712: unknown domain field bits 0x%x", d->fields & ~all);
    domain_type_hash(th, d->fields);
    eip712_struct_init(&s, th);
    if (d->fields & EIP712_DOMAIN_NAME)
        eip712_put_string(&s, d->name, d->name_len);
    if (d->fields & EIP712_DOMAIN_VERSION)
        eip712_put_string(&s, d->version, d->version_len);
    if (d->fields & EIP712_DOMAIN_CHAIN_ID)
        eip712_put_word(&s, d->chain_id);
    if (d->fields & EIP712_DOMAIN_CONTRACT)
        eip712_put_address(&s, d->verifying_contract);
    if (d->fields & EIP712_DOMAIN_SALT)
        eip712_put_word(&s, d->salt);
    eip712_struct_final(&s, out);
    return 0;
}

void eip712_digest(uint8_t out[32], const uint8_t domain_separator[32],
                   const uint8_t struct_hash[32])
{
    struct keccak k;
    keccak_init_keccak256(&k);
    keccak_absorb(&k, "\x19\x01", 2);
    keccak_absorb(&k, domain_separator, 32);
    keccak_absorb(&k, struct_hash, 32);
    keccak_squeeze(&k, out, 32);
    keccak_clear(&k);
}

int eip712_digest_for_domain(uint8_t out[32], const struct eip712_domain *d,
                             const uint8_t struct_hash[32])
{
    uint8_t ds[32];
    KMS_TRY(eip712_domain_separator(ds, d));
    eip712_digest(out, ds, struct_hash);
    return 0;
}

/* ---- uint256 helpers ---- */

int eip712_u256_from_be(uint8_t out[32], const uint8_t *in, size_t in_len)
{
    memset(out, 0, 32);
    /* Accept (and drop) leading zero bytes beyond the 32 that fit. */
    while (in_len > 32 && in[0] == 0) {
        in++;
        in_len--;
    }
    if (in_len > 32)
        return kms_err(KMS_EINVAL, "eip712: integer does not fit in 256 bits");
    if (in_len > 0)
        memcpy(out + 32 - in_len, in, in_len);
    return 0;
}

void eip712_u256_from_u64(uint8_t out[32], uint64_t v)
{
    memset(out, 0, 24);
    for (int i = 0; i < 8; i++)
        out[31 - i] = (uint8_t)(v >> (8 * i));
}
