#include "tfhe/radix.h"

#include <stdlib.h>
#include <string.h>

#include "base/secmem.h"
#include "tfhe/lwe.h"

/* ---- types ---- */

#define U(id, bits) {id, "Uint" #bits, bits, (bits) / 2, 0, 0}
#define I(id, bits) {id, "Int" #bits, bits, (bits) / 2, 1, 0}

/* tfhe-rs 1.7 high_level_api/mod.rs FheTypes, every integer variant. */
static const struct radix_type radix_types[] = {
    {0, "Bool", 1, 1, 0, 1},
    U(1, 4), U(2, 8), U(3, 16), U(4, 32), U(5, 64), U(6, 128), U(7, 160), U(8, 256),
    U(9, 512), U(10, 1024), U(11, 2048), U(12, 2), U(13, 6), U(14, 10), U(15, 12), U(16, 14),
    I(17, 2), I(18, 4), I(19, 6), I(20, 8), I(21, 10), I(22, 12), I(23, 14), I(24, 16),
    I(25, 32), I(26, 64), I(27, 128), I(28, 160), I(29, 256), /* 30: AsciiString */
    I(31, 512), I(32, 1024), I(33, 2048),
    U(34, 24), U(35, 40), U(36, 48), U(37, 56), U(38, 72), U(39, 80), U(40, 88), U(41, 96),
    U(42, 104), U(43, 112), U(44, 120), U(45, 136), U(46, 144), U(47, 152), U(48, 168),
    U(49, 176), U(50, 184), U(51, 192), U(52, 200), U(53, 208), U(54, 216), U(55, 224),
    U(56, 232), U(57, 240), U(58, 248),
    I(59, 24), I(60, 40), I(61, 48), I(62, 56), I(63, 72), I(64, 80), I(65, 88), I(66, 96),
    I(67, 104), I(68, 112), I(69, 120), I(70, 136), I(71, 144), I(72, 152), I(73, 168),
    I(74, 176), I(75, 184), I(76, 192), I(77, 200), I(78, 208), I(79, 216), I(80, 224),
    I(81, 232), I(82, 240), I(83, 248),
};

#undef U
#undef I

int radix_type_lookup(const struct radix_type **out, int32_t fhe_type)
{
    *out = NULL;
    for (size_t i = 0; i < sizeof radix_types / sizeof radix_types[0]; i++) {
        if (radix_types[i].id == fhe_type) {
            *out = &radix_types[i];
            return 0;
        }
    }
    if (fhe_type == 30)
        return kms_err(KMS_EINVAL, "radix: FheTypes id 30 (AsciiString) is not an integer type");
    return kms_err(KMS_EINVAL, "radix: unknown FheTypes id %d", (int)fhe_type);
}

/* ---- ciphertexts ---- */

#define RADIX_BLOCK_BITS 2 /* log2(message_modulus) */

void radix_ct_free(struct radix_ct *ct)
{
    if (ct == NULL)
        return;
    free(ct->data);
    free(ct->blocks);
    free(ct);
}

int radix_ct_new(struct radix_ct **out, const struct tfhe_params *params, int32_t fhe_type)
{
    *out = NULL;
    const struct radix_type *type;
    KMS_TRY(radix_type_lookup(&type, fhe_type));
    if (params->pbs.message_modulus != 1u << RADIX_BLOCK_BITS)
        return kms_err(KMS_EINVAL, "radix: parameter set \"%s\" has message modulus %u, need 4",
                       params->name, params->pbs.message_modulus);
    struct shortint_ct proto;
    KMS_TRY(shortint_ct_init(&proto, params)); /* validates params, gives the shape */
    size_t words = lwe_size(proto.dimension);
    struct radix_ct *ct = calloc(1, sizeof *ct);
    if (ct != NULL) {
        ct->type = type;
        ct->nblocks = type->blocks;
        ct->data = calloc(ct->nblocks * words, sizeof *ct->data);
        ct->blocks = calloc(ct->nblocks, sizeof *ct->blocks);
    }
    if (ct == NULL || ct->data == NULL || ct->blocks == NULL) {
        shortint_ct_clear(&proto);
        radix_ct_free(ct);
        return kms_err(KMS_ENOMEM, "radix: out of memory for a %s ciphertext", type->name);
    }
    for (size_t i = 0; i < ct->nblocks; i++) {
        ct->blocks[i] = proto;
        ct->blocks[i].data = ct->data + i * words;
        ct->blocks[i].owns_data = 0;
    }
    shortint_ct_clear(&proto);
    *out = ct;
    return 0;
}

static int check_ct(const struct tfhe_params *params, const struct radix_ct *ct)
{
    if (ct == NULL || ct->type == NULL || ct->blocks == NULL || ct->nblocks != ct->type->blocks)
        return kms_err(KMS_EINVAL, "radix: ciphertext not initialized");
    for (size_t i = 0; i < ct->nblocks; i++)
        KMS_TRY(shortint_check_ct(params, &ct->blocks[i]));
    return 0;
}

/* Bits of the value above `bits` in le[0..len) must be zero (unsigned) or
 * copies of bit bits - 1 (signed); len = ceil(bits / 8). */
static int check_top_bits(const struct radix_type *t, const uint8_t *le, size_t len)
{
    unsigned used = t->bits % 8;
    if (t->is_bool)
        return le[0] <= 1 ? 0 : kms_err(KMS_EINVAL, "radix: a Bool is the byte 0 or 1");
    if (used == 0)
        return 0;
    uint8_t top = le[len - 1], high = (uint8_t)(0xff << used);
    uint8_t want = (t->is_signed && (top >> (used - 1)) & 1) ? high : 0;
    if ((top & high) != want)
        return kms_err(KMS_EINVAL, "radix: value does not fit a %s", t->name);
    return 0;
}

static unsigned block_value(const uint8_t *le, size_t i)
{
    size_t bit = i * RADIX_BLOCK_BITS;
    return (le[bit / 8] >> (bit % 8)) & ((1u << RADIX_BLOCK_BITS) - 1);
}

int radix_encrypt(const struct shortint_client_key *ck, struct radix_ct *ct, const uint8_t *le,
                  size_t len, struct enc_rng *rng)
{
    KMS_TRY(check_ct(ck->params, ct));
    const struct radix_type *t = ct->type;
    if (len != radix_type_bytes(t))
        return kms_err(KMS_EINVAL, "radix: a %s takes %zu bytes, got %zu", t->name,
                       radix_type_bytes(t), len);
    KMS_TRY(check_top_bits(t, le, len));
    for (size_t i = 0; i < ct->nblocks; i++) {
        int rc = shortint_encrypt(ck, &ct->blocks[i], block_value(le, i), rng);
        if (rc < 0) {
            for (size_t j = 0; j < ct->nblocks; j++) { /* back to trivial zeros */
                lwe_trivial(ct->blocks[j].data, ct->blocks[j].dimension, 0);
                ct->blocks[j].degree = 0;
                ct->blocks[j].noise_level = SHORTINT_NOISE_ZERO;
            }
            return rc;
        }
    }
    if (t->is_bool)
        ct->blocks[0].degree = 1; /* tfhe-rs encrypt_bool */
    return 0;
}

/* acc (words of 64 bits, little-endian) += v << bit, carries propagating up to
 * the last word and dropped beyond it. */
static void add_at(uint64_t *acc, size_t nwords, size_t bit, uint64_t v)
{
    size_t w = bit / 64;
    unsigned s = bit % 64;
    uint64_t lo = v << s, hi = s ? v >> (64 - s) : 0;
    uint64_t old = acc[w];
    acc[w] += lo;
    uint64_t carry = hi + (acc[w] < old);
    for (w++; carry != 0 && w < nwords; w++) {
        old = acc[w];
        acc[w] += carry;
        carry = acc[w] < old;
    }
}

int radix_decrypt(const struct shortint_client_key *ck, uint8_t *out, size_t out_len,
                  const struct radix_ct *ct)
{
    if (out_len > 0)
        memset(out, 0, out_len);
    KMS_TRY(check_ct(ck->params, ct));
    const struct radix_type *t = ct->type;
    if (out_len != radix_type_bytes(t))
        return kms_err(KMS_EINVAL, "radix: a %s decrypts to %zu bytes, got a %zu-byte buffer",
                       t->name, radix_type_bytes(t), out_len);
    uint32_t msg = ct->blocks[0].message_modulus, carry = ct->blocks[0].carry_modulus;
    if (t->is_bool) {
        uint64_t v = shortint_decode(shortint_phase_unchecked(ck, ct->blocks[0].data), msg, carry);
        out[0] = (v % msg) != 0;
        return 0;
    }
    /* carries out of the last word are dropped (wrapping, as tfhe-rs) */
    uint64_t acc[RADIX_MAX_BITS / 64] = {0};
    size_t nwords = ((size_t)t->bits + 63) / 64;
    for (size_t i = 0; i < ct->nblocks; i++) {
        uint64_t v = shortint_decode(shortint_phase_unchecked(ck, ct->blocks[i].data), msg, carry);
        add_at(acc, nwords, i * RADIX_BLOCK_BITS, v);
    }
    for (size_t i = 0; i < out_len; i++)
        out[i] = (uint8_t)(acc[i / 8] >> (8 * (i % 8)));
    /* truncate to N bits, then sign-extend bit N - 1 through the top byte */
    unsigned used = t->bits % 8;
    if (used != 0) {
        uint8_t low = (uint8_t)((1u << used) - 1), top = out[out_len - 1] & low;
        if (t->is_signed && (top >> (used - 1)) & 1)
            top |= (uint8_t)~low;
        out[out_len - 1] = top;
    }
    secmem_wipe(acc, sizeof acc);
    return 0;
}

/* ---- 64-bit conveniences ---- */

static void put_le64(uint8_t *buf, size_t len, uint64_t v, uint8_t fill)
{
    memset(buf, fill, len);
    for (size_t i = 0; i < len && i < 8; i++)
        buf[i] = (uint8_t)(v >> (8 * i));
}

int radix_encrypt_u64(const struct shortint_client_key *ck, struct radix_ct *ct, uint64_t value,
                      struct enc_rng *rng)
{
    KMS_TRY(check_ct(ck->params, ct));
    const struct radix_type *t = ct->type;
    if (t->bits < 64 && value >> t->bits != 0)
        return kms_err(KMS_EINVAL, "radix: %llu does not fit a %s", (unsigned long long)value,
                       t->name);
    if (t->is_signed && t->bits <= 64 && (value >> (t->bits - 1)) != 0)
        return kms_err(KMS_EINVAL, "radix: %llu does not fit a %s", (unsigned long long)value,
                       t->name);
    uint8_t buf[RADIX_MAX_BYTES];
    size_t len = radix_type_bytes(t);
    put_le64(buf, len, value, 0);
    return radix_encrypt(ck, ct, buf, len, rng);
}

int radix_encrypt_i64(const struct shortint_client_key *ck, struct radix_ct *ct, int64_t value,
                      struct enc_rng *rng)
{
    KMS_TRY(check_ct(ck->params, ct));
    const struct radix_type *t = ct->type;
    if (!t->is_signed) {
        if (value < 0)
            return kms_err(KMS_EINVAL, "radix: %lld does not fit a %s", (long long)value,
                           t->name);
        return radix_encrypt_u64(ck, ct, (uint64_t)value, rng);
    }
    if (t->bits < 64) {
        int64_t lim = (int64_t)1 << (t->bits - 1);
        if (value < -lim || value >= lim)
            return kms_err(KMS_EINVAL, "radix: %lld does not fit a %s", (long long)value,
                           t->name);
    }
    uint8_t buf[RADIX_MAX_BYTES];
    size_t len = radix_type_bytes(t);
    put_le64(buf, len, (uint64_t)value, value < 0 ? 0xff : 0);
    unsigned used = t->bits % 8;
    if (used != 0 && len <= 8) { /* the bits above N - 1 are copies of the sign */
        uint8_t low = (uint8_t)((1u << used) - 1);
        buf[len - 1] = value < 0 ? (uint8_t)(buf[len - 1] | ~low) : (uint8_t)(buf[len - 1] & low);
    }
    return radix_encrypt(ck, ct, buf, len, rng);
}

int radix_decrypt_u64(const struct shortint_client_key *ck, uint64_t *out,
                      const struct radix_ct *ct)
{
    *out = 0;
    KMS_TRY(check_ct(ck->params, ct));
    uint8_t buf[RADIX_MAX_BYTES];
    size_t len = radix_type_bytes(ct->type);
    KMS_TRY(radix_decrypt(ck, buf, len, ct));
    uint64_t v = 0;
    int fits = !(ct->type->is_signed && (buf[len - 1] & 0x80));
    for (size_t i = 0; i < len; i++) {
        if (i < 8)
            v |= (uint64_t)buf[i] << (8 * i);
        else
            fits &= buf[i] == 0;
    }
    secmem_wipe(buf, sizeof buf);
    if (!fits)
        return kms_err(KMS_ELIMIT, "radix: the %s plaintext does not fit a u64", ct->type->name);
    *out = v;
    return 0;
}

int radix_decrypt_i64(const struct shortint_client_key *ck, int64_t *out,
                      const struct radix_ct *ct)
{
    *out = 0;
    KMS_TRY(check_ct(ck->params, ct));
    uint8_t buf[RADIX_MAX_BYTES];
    size_t len = radix_type_bytes(ct->type);
    KMS_TRY(radix_decrypt(ck, buf, len, ct));
    int negative = ct->type->is_signed && (buf[len - 1] & 0x80);
    uint8_t fill = negative ? 0xff : 0;
    uint64_t v = negative ? UINT64_MAX : 0;
    int fits = 1;
    for (size_t i = 0; i < len; i++) {
        if (i < 8) {
            v &= ~((uint64_t)0xff << (8 * i));
            v |= (uint64_t)buf[i] << (8 * i);
        } else {
            fits &= buf[i] == fill;
        }
    }
    /* the 64-bit result's sign must agree with the value's */
    fits &= ((v >> 63) != 0) == negative;
    secmem_wipe(buf, sizeof buf);
    if (!fits)
        return kms_err(KMS_ELIMIT, "radix: the %s plaintext does not fit an i64", ct->type->name);
    *out = (int64_t)v;
    return 0;
}

/* ---- addition ---- */

static int check_add_operands(const struct shortint_server_key *sk, const struct radix_ct *out,
                              const struct radix_ct *a, const struct radix_ct *b)
{
    KMS_TRY(check_ct(sk->params, a));
    KMS_TRY(check_ct(sk->params, b));
    KMS_TRY(check_ct(sk->params, out));
    if (a->type != b->type || a->type != out->type)
        return kms_err(KMS_EINVAL, "radix: addition of different types (%s, %s into %s)",
                       a->type->name, b->type->name, out->type->name);
    if (a->type->is_bool)
        return kms_err(KMS_EINVAL, "radix: Bool has no addition");
    return 0;
}

/* The degree and noise checks of every shortint_add below, done up front so
 * that a refused addition leaves out untouched. */
static int check_add_degrees(const struct shortint_server_key *sk, const struct radix_ct *a,
                             const struct radix_ct *b)
{
    const struct tfhe_pbs_params *p = &sk->params->pbs;
    uint64_t max_degree = (uint64_t)p->message_modulus * p->carry_modulus - 1;
    uint64_t carry_degree = max_degree / p->message_modulus; /* max of x -> x / 4 */
    for (size_t i = 0; i < a->nblocks; i++) {
        const struct shortint_ct *x = &a->blocks[i], *y = &b->blocks[i];
        int in = i > 0;
        if (x->degree > max_degree || y->degree > max_degree ||
            x->degree + y->degree + in * carry_degree > max_degree)
            return kms_err(KMS_ELIMIT, "radix: block %zu would reach degree %llu > %llu "
                                       "(inputs with full carries)",
                           i, (unsigned long long)(x->degree + y->degree + in * carry_degree),
                           (unsigned long long)max_degree);
        if (x->noise_level > p->max_noise_level || y->noise_level > p->max_noise_level ||
            x->noise_level + y->noise_level + in * SHORTINT_NOISE_NOMINAL > p->max_noise_level)
            return kms_err(KMS_ELIMIT, "radix: block %zu would exceed noise level %u", i,
                           p->max_noise_level);
    }
    return 0;
}

int radix_add(const struct shortint_server_key *sk, struct shortint_scratch *sc,
              struct radix_ct *out, const struct radix_ct *a, const struct radix_ct *b)
{
    KMS_TRY(check_add_operands(sk, out, a, b));
    KMS_TRY(check_add_degrees(sk, a, b));
    if (out == b) { /* write over the left operand only */
        const struct radix_ct *t = a;
        a = b;
        b = t;
    }
    struct shortint_ct carry;
    KMS_TRY(shortint_ct_init(&carry, sk->params));
    int rc = 0;
    for (size_t i = 0; i < a->nblocks && rc == 0; i++) {
        struct shortint_ct *s = &out->blocks[i];
        rc = shortint_ct_copy(s, &a->blocks[i]);
        if (rc == 0)
            rc = shortint_add(sk, s, &b->blocks[i]);
        if (rc == 0 && i > 0)
            rc = shortint_add(sk, s, &carry);
        if (rc == 0 && i + 1 < a->nblocks)
            rc = shortint_carry_extract(sk, sc, &carry, s);
        if (rc == 0)
            rc = shortint_message_extract(sk, sc, s, s);
    }
    shortint_ct_clear(&carry);
    return rc;
}
