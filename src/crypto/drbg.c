#include "crypto/drbg.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/secmem.h"
#include "crypto/aes.h"
#include "crypto/entropy.h"

#define DRBG_KEY_BYTES 32

/* Key and V are the SP 800-90A working state. `ctr` is an AES-256-CTR
 * generator kept keyed with `key`: generating blocks AES_Key(V+1),
 * AES_Key(V+2), ... is exactly a CTR keystream started at V+1 (the spec
 * increments the whole 128-bit V, as CTR does). Its expanded key sits in
 * OpenSSL's memory, which OpenSSL cleanses when the context is freed. */
struct drbg {
    uint8_t key[DRBG_KEY_BYTES];
    uint8_t v[AES_BLOCK_BYTES];
    uint64_t reseed_counter;
    uint64_t fork_gen; /* fork generation of the last (re)seed */
    int os_seeded;     /* may reseed itself from entropy_fill */
    int broken;        /* an AES call failed mid-update: refuse all service */
    struct aes_ctr ctr;
};

/* Bumped in every forked child, so a DRBG can tell it now lives in a copy
 * of its parent's memory. */
static uint64_t fork_generation;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void on_fork_child(void)
{
    __atomic_add_fetch(&fork_generation, 1, __ATOMIC_RELAXED);
}

static void register_atfork(void)
{
    (void)pthread_atfork(NULL, NULL, on_fork_child);
}

static uint64_t current_fork_gen(void)
{
    return __atomic_load_n(&fork_generation, __ATOMIC_RELAXED);
}

/* seed = (in ‖ 0…0) XOR mask, where in has at most 48 bytes (mask NULL: no XOR). */
static void seed_material(uint8_t seed[DRBG_SEED_BYTES], const void *in, size_t in_len,
                          const uint8_t *mask)
{
    memset(seed, 0, DRBG_SEED_BYTES);
    if (in_len > 0)
        memcpy(seed, in, in_len);
    if (mask != NULL)
        for (size_t i = 0; i < DRBG_SEED_BYTES; i++)
            seed[i] ^= mask[i];
}

/* CTR_DRBG_Update (§10.2.1.2): (Key, V) = leftmost 48 bytes of
 * AES_Key(V+1) ‖ AES_Key(V+2) ‖ AES_Key(V+3), XOR provided. */
static int drbg_update(struct drbg *d, const uint8_t provided[DRBG_SEED_BYTES])
{
    uint8_t temp[DRBG_SEED_BYTES];
    uint8_t iv[AES_BLOCK_BYTES];
    memcpy(iv, d->v, sizeof iv);
    aes_ctr_add(iv, 1);
    int rc = aes_ctr_reset(&d->ctr, NULL, 0, iv);
    if (rc == 0)
        rc = aes_ctr_keystream(&d->ctr, temp, sizeof temp);
    if (rc == 0) {
        for (size_t i = 0; i < sizeof temp; i++)
            temp[i] ^= provided[i];
        memcpy(d->key, temp, DRBG_KEY_BYTES);
        memcpy(d->v, temp + DRBG_KEY_BYTES, AES_BLOCK_BYTES);
        rc = aes_ctr_reset(&d->ctr, d->key, DRBG_KEY_BYTES, iv);
    }
    secmem_wipe(temp, sizeof temp);
    secmem_wipe(iv, sizeof iv);
    if (rc < 0)
        d->broken = 1; /* Key, V and the cipher may disagree now */
    return rc;
}

static int check_input(const void *p, size_t len, const char *what)
{
    if (len > DRBG_SEED_BYTES)
        return kms_err(KMS_EINVAL, "drbg: %s longer than 48 bytes", what);
    if (p == NULL && len > 0)
        return kms_err(KMS_EINVAL, "drbg: NULL %s", what);
    return 0;
}

/* SP 800-90A §9: after an internal failure the instance must not be used. */
static int check_usable(const struct drbg *d)
{
    if (d == NULL)
        return kms_err(KMS_EINVAL, "drbg: NULL state");
    if (d->broken)
        return kms_err(KMS_ECRYPTO, "drbg: instance failed earlier; create a new one");
    return 0;
}

/* CTR_DRBG_Reseed_algorithm (§10.2.1.4.1), no df. */
static int reseed_from(struct drbg *d, const uint8_t entropy[DRBG_SEED_BYTES], const void *add,
                       size_t add_len)
{
    uint8_t seed[DRBG_SEED_BYTES];
    seed_material(seed, add, add_len, entropy);
    int rc = drbg_update(d, seed);
    secmem_wipe(seed, sizeof seed);
    if (rc < 0)
        return rc;
    d->reseed_counter = 1;
    d->fork_gen = current_fork_gen();
    return 0;
}

static int reseed_os(struct drbg *d, const void *add, size_t add_len)
{
    uint8_t entropy[DRBG_SEED_BYTES];
    int rc = entropy_fill(entropy, sizeof entropy);
    if (rc == 0)
        rc = reseed_from(d, entropy, add, add_len);
    secmem_wipe(entropy, sizeof entropy);
    if (rc == 0)
        d->os_seeded = 1;
    return rc;
}

/* CTR_DRBG_Instantiate_algorithm (§10.2.1.3.1), no df: Key = 0, V = 0, then
 * Update(entropy XOR personalization). Frees the state on failure. */
static int instantiate(struct drbg **out, struct drbg *d, const uint8_t entropy[DRBG_SEED_BYTES],
                       const void *pers, size_t pers_len)
{
    uint8_t seed[DRBG_SEED_BYTES];
    seed_material(seed, pers, pers_len, entropy);
    int rc = aes_ctr_init(&d->ctr, d->key, DRBG_KEY_BYTES, d->v); /* all zero */
    if (rc == 0)
        rc = drbg_update(d, seed);
    secmem_wipe(seed, sizeof seed);
    if (rc < 0) {
        drbg_free(d);
        return rc;
    }
    d->reseed_counter = 1;
    d->fork_gen = current_fork_gen();
    *out = d;
    return 0;
}

static int new_state(struct drbg **out, struct drbg **d, const void *pers, size_t pers_len)
{
    if (out == NULL)
        return kms_err(KMS_EINVAL, "drbg: NULL output");
    *out = NULL;
    KMS_TRY(check_input(pers, pers_len, "personalization string"));
    (void)pthread_once(&atfork_once, register_atfork);
    *d = secmem_alloc(sizeof **d);
    if (*d == NULL)
        return kms_err(KMS_ENOMEM, "drbg: out of secure memory");
    return 0;
}

int drbg_new(struct drbg **out, const void *pers, size_t pers_len)
{
    struct drbg *d;
    KMS_TRY(new_state(out, &d, pers, pers_len));
    uint8_t entropy[DRBG_SEED_BYTES];
    int rc = entropy_fill(entropy, sizeof entropy);
    if (rc < 0) {
        drbg_free(d);
        return rc;
    }
    d->os_seeded = 1;
    rc = instantiate(out, d, entropy, pers, pers_len);
    secmem_wipe(entropy, sizeof entropy);
    return rc;
}

int drbg_new_from_seed(struct drbg **out, const uint8_t *entropy, size_t entropy_len,
                       const void *pers, size_t pers_len)
{
    if (out != NULL)
        *out = NULL;
    if (entropy == NULL || entropy_len != DRBG_SEED_BYTES)
        return kms_err(KMS_EINVAL, "drbg: entropy input must be 48 bytes");
    struct drbg *d;
    KMS_TRY(new_state(out, &d, pers, pers_len));
    return instantiate(out, d, entropy, pers, pers_len);
}

/* One CTR_DRBG_Generate_algorithm call (§10.2.1.5.1), n <= 2^16 bytes;
 * add is the padded additional input or NULL. */
static int generate_one(struct drbg *d, uint8_t *out, size_t n,
                        const uint8_t add[DRBG_SEED_BYTES])
{
    static const uint8_t zeros[DRBG_SEED_BYTES];
    if (d->reseed_counter > DRBG_RESEED_INTERVAL) {
        if (!d->os_seeded)
            return kms_err(KMS_EPRECOND, "drbg: reseed required");
        KMS_TRY(reseed_os(d, NULL, 0));
    }
    if (add != NULL)
        KMS_TRY(drbg_update(d, add));
    uint8_t iv[AES_BLOCK_BYTES];
    memcpy(iv, d->v, sizeof iv);
    aes_ctr_add(iv, 1);
    int rc = aes_ctr_reset(&d->ctr, NULL, 0, iv);
    secmem_wipe(iv, sizeof iv);
    if (rc == 0)
        rc = aes_ctr_keystream(&d->ctr, out, n);
    if (rc < 0) {
        d->broken = 1;
        return rc;
    }
    aes_ctr_add(d->v, (n + AES_BLOCK_BYTES - 1) / AES_BLOCK_BYTES);
    KMS_TRY(drbg_update(d, add != NULL ? add : zeros));
    d->reseed_counter++;
    return 0;
}

int drbg_generate(struct drbg *d, void *out, size_t n, const void *add, size_t add_len)
{
    if (out == NULL && n > 0)
        return kms_err(KMS_EINVAL, "drbg: NULL output");
    int rc = check_usable(d);
    if (rc == 0)
        rc = check_input(add, add_len, "additional input");
    /* A forked child holds a copy of its parent's state: diverge first. */
    if (rc == 0 && d->os_seeded && d->fork_gen != current_fork_gen())
        rc = reseed_os(d, NULL, 0);

    uint8_t padded[DRBG_SEED_BYTES] = {0};
    if (rc == 0)
        seed_material(padded, add, add_len, NULL);
    size_t total = n;
    uint8_t *p = out;
    while (rc == 0 && n > 0) {
        size_t chunk = n < DRBG_MAX_REQUEST_BYTES ? n : DRBG_MAX_REQUEST_BYTES;
        rc = generate_one(d, p, chunk, add_len > 0 ? padded : NULL);
        p += chunk;
        n -= chunk;
    }
    secmem_wipe(padded, sizeof padded);
    if (rc < 0)
        secmem_wipe(out, total);
    return rc;
}

int drbg_reseed(struct drbg *d, const void *add, size_t add_len)
{
    KMS_TRY(check_usable(d));
    KMS_TRY(check_input(add, add_len, "additional input"));
    return reseed_os(d, add, add_len);
}

int drbg_reseed_with(struct drbg *d, const uint8_t *entropy, size_t entropy_len, const void *add,
                     size_t add_len)
{
    KMS_TRY(check_usable(d));
    if (entropy == NULL || entropy_len != DRBG_SEED_BYTES)
        return kms_err(KMS_EINVAL, "drbg: entropy input must be 48 bytes");
    KMS_TRY(check_input(add, add_len, "additional input"));
    return reseed_from(d, entropy, add, add_len);
}

void drbg_free(struct drbg *d)
{
    if (d == NULL)
        return;
    aes_ctr_free(&d->ctr);
    secmem_free(d); /* wipes key, V and counters */
}

/* ---- One DRBG per thread ----------------------------------------------- */

static __thread struct drbg *tl_drbg;
static pthread_key_t tl_key;
static int tl_key_ok;
static pthread_once_t tl_once = PTHREAD_ONCE_INIT;

/* Runs at thread exit (pthread key destructor) and, for the thread calling
 * exit(), from atexit: the state is wiped either way. */
static void tl_release(void *p)
{
    drbg_free(p);
    tl_drbg = NULL;
}

static void tl_release_at_exit(void)
{
    struct drbg *d = tl_drbg;
    tl_drbg = NULL;
    if (tl_key_ok)
        (void)pthread_setspecific(tl_key, NULL);
    drbg_free(d);
}

static void tl_setup(void)
{
    tl_key_ok = pthread_key_create(&tl_key, tl_release) == 0;
    (void)atexit(tl_release_at_exit);
}

static int tl_instantiate(void)
{
    (void)pthread_once(&tl_once, tl_setup);
    /* Personalization: which process and thread this instance serves. */
    struct {
        char label[16];
        int64_t pid, tid;
    } pers = {"ckms tl drbg", (int64_t)getpid(), (int64_t)gettid()};
    KMS_TRY(drbg_new(&tl_drbg, &pers, sizeof pers));
    if (tl_key_ok)
        (void)pthread_setspecific(tl_key, tl_drbg);
    return 0;
}

int drbg_random_bytes(void *out, size_t n)
{
    if (out == NULL && n > 0)
        return kms_err(KMS_EINVAL, "drbg: NULL output");
    int rc = tl_drbg == NULL ? tl_instantiate() : 0;
    if (rc == 0)
        rc = drbg_generate(tl_drbg, out, n, NULL, 0);
    else
        secmem_wipe(out, n);
    return rc;
}
