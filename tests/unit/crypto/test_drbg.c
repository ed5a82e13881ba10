/* CTR_DRBG (AES-256, no df): NIST CAVP known answers, request splitting,
 * the reseed interval, input limits, and the per-thread convenience
 * generator across threads and fork().
 *
 * Vector sources (NIST CAVP "DRBG800-90A" test vectors, CAVS 14.3,
 * https://csrc.nist.gov/projects/cryptographic-algorithm-validation-program/random-number-generators):
 *   - drbgvectors_no_reseed/CTR_DRBG.rsp, [AES-256 no df],
 *     [PredictionResistance = False], [EntropyInputLen = 384],
 *     [NonceLen = 0], [ReturnedBitsLen = 512], COUNT = 0 (and 1) of the four
 *     (PersonalizationStringLen, AdditionalInputLen) in {0, 384}^2 groups.
 *     Procedure: Instantiate(EntropyInput, PersonalizationString),
 *     Generate(AdditionalInput1), Generate(AdditionalInput2) = ReturnedBits.
 *     Transcribed from the copies in TinyCrypt's tests/test_ctr_prng.c
 *     ("vectors taken from NIST CAVS 14.3 CTR_DRBG.rsp"), cross-checked
 *     against OpenTitan's and SQIsign's KATs of the same records.
 *   - drbgvectors_pr_false/CTR_DRBG.rsp, same section, which adds
 *     Reseed(EntropyInputReseed, AdditionalInputReseed) after Instantiate.
 *     Transcribed from aws-lc crypto/fipsmodule/rand/ctrdrbg_vectors.txt
 *     ("taken from NIST's CAVP tests for CTR-DRBG ... AES-256 with no
 *     derivation function"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/error.h"
#include "crypto/drbg.h"
#include "test_util.h"

struct kat {
    const char *entropy, *pers, *entropy_reseed, *add_reseed, *add1, *add2, *returned;
};

/* drbgvectors_no_reseed (entropy_reseed NULL = no reseed step). */
static const struct kat no_reseed[] = {
    /* PersonalizationStringLen = 0, AdditionalInputLen = 0, COUNT = 0, 1 */
    {"df5d73faa468649edda33b5cca79b0b05600419ccb7a879ddfec9db32ee494e5531b51de16a30f769262474c73bec010",
     NULL, NULL, NULL, NULL, NULL,
     "d1c07cd95af8a7f11012c84ce48bb8cb87189e99d40fccb1771c619bdf82ab22"
     "80b1dc2f2581f39164f7ac0c510494b3a43c41b7db17514c87b107ae793e01c5"},
    {"3b6fb634d35bb386927374f991c1cbc9fafba3a43c432dc411b7b2fa96cfcce8d305e135ff9bc460dbc7ba3990bf8060",
     NULL, NULL, NULL, NULL, NULL,
     "083a836fe1cde053164555529409337dc4fec6844594fdf15083ba9d1001eb94"
     "5c3b96a1bcee3990e1e51f85c80e9f4e04de34e57b640f6cae8ed68e99624712"},
    /* PersonalizationStringLen = 0, AdditionalInputLen = 384, COUNT = 0 */
    {"f45e9d040c1456f1c7f26e7f146469fbe3973007fe037239ad57623046e7ec52221b22eec208b22ac4cf4ca8d6253874",
     NULL, NULL, NULL,
     "28819bc79b92fc8790ebdc99812cdcea5c96e6feab32801ec1851b9f46e80eb6800028e61fbccb6ccbe42b06bf5a0864",
     "418ca848027e1b3c84d66717e6f31bf89684d5db94cd2d579233f716ac70ab66cc7b01a6f9ab8c7665fcc37dba4af1ad",
     "4f11406bd303c104243441a8f828bf0293cb20ac39392061429c3f56c1f42623"
     "9f8f0c687b69897a2c7c8c2b4fb520b62741ffdd29f038b7c82a9d00a890a3ed"},
    /* PersonalizationStringLen = 384, AdditionalInputLen = 0, COUNT = 0 */
    {"22a89ee0e37b54ea636863d9fed10821f1952a428488d528eceb9d2ec69d573ec6216216fb3e8f72a148a5ada9d620b1",
     "953c10badcbcd45fb4e5475826477fc137ac96a49ad5005fb14bdaf6468ae7f46c5d0de22d304afc67989615adc2e983",
     NULL, NULL, NULL, NULL,
     "f7fab6a6fcf445f0a0434b2aa0c610bdef5489ecd95414634623add18a9f888b"
     "ca6be151312d1b9e8f83bd0acad6234d3bccc11b63a40d6fbff448f67db0b91f"},
    /* PersonalizationStringLen = 384, AdditionalInputLen = 384, COUNT = 0 */
    {"0dd4d80062ecc0f359efbe7723020be9b88b550fe74088094069e74428395856f63eed4f5b0e7d1e006f0eaff74f638c",
     "d2aa2ccd4bc6537e51f6550ab6d6294547bef3e971a7f128e4436f957de9982c93ee22110b0e40ab33a7d3dfa22f599d",
     NULL, NULL,
     "0b081bab6c74d86b4a010e2ded99d14e0c9838f7c3d69afd64f1b66377d95cdcb7f6ec5358e3516034c3339ced7e1638",
     "ca818f938ae0c7f4f507e4cfec10e7baf51fe34b89a502f754d2d2be7395120fe1fb013c67ac2500b3d17b735da09a6e",
     "6808268b13e236f642c06deba2494496e7003c937ebf6f7cb7c92104ea090f18"
     "484aa075560d7844a06eb559948c93b26ae40f2db98ecb53ad593eb4c78f82b1"},
};

/* drbgvectors_pr_false: with a reseed between instantiate and generate. */
static const struct kat with_reseed[] = {
    /* no personalization, no additional input */
    {"e4bc23c5089a19d86f4119cb3fa08c0a4991e0a1def17e101e4c14d9c323460a7c2fb58e0b086c6c57b55f56cae25bad",
     NULL,
     "fd85a836bba85019881e8c6bad23c9061adc75477659acaea8e4a01dfe07a1832dad1c136f59d70f8653a5dc118663d6",
     NULL, NULL, NULL,
     "b2cb8905c05e5950ca31895096be29ea3d5a3b82b269495554eb80fe07de43e1"
     "93b9e7c3ece73b80e062b1c1f68202fbb1c52a040ea2478864295282234aaada"},
    /* additional input everywhere, no personalization */
    {"99903165903fea49c2db26ed675e44cc14cb2c1f28b836b203240b02771e831146ffc4335373bb344688c5c950670291",
     NULL,
     "b4ee99fa9e0eddaf4a3612013cd636c4af69177b43eebb3c58a305b9979b68b5cc820504f6c029aad78a5d29c66e84a0",
     "2d8c5c28b05696e74774eb69a10f01c5fabc62691ddf7848a8004bb5eeb4d2c5febe1aa01f4d557b23d7e9a0e4e90655",
     "0dc9cde42ac6e856f01a55f219c614de90c659260948db5053d414bab0ec2e13e995120c3eb5aafc25dc4bdcef8ace24",
     "711be6c035013189f362211889248ca8a3268e63a7eb26836d915810a680ac4a33cd1180811a31a0f44f08db3dd64f91",
     "11c7a0326ea737baa7a993d510fafee5374e7bbe17ef0e3e29f50fa68aac2124"
     "b017d449768491cac06d136d691a4e80785739f9aaedf311bba752a3268cc531"},
    /* personalization only */
    {"45329bc74685c7b29a1e9bb9e6c19eacf9a1ecd168be3b5a2e2ff437b5e6cdd56e89a4b2b8b6abb52713a48a51ccb302",
     "d6b1955d30db953a4009c7664b96aef47cc30d33db74986b171eb199c39225e0ebd25c7abacc06ed6c27921c2f9d7e10",
     "6e5c464cc465801887c57291d47475ac481c98d033a8963053f2f614e995d1435a4b2d5249cbf83f620d74370d48c581",
     NULL, NULL, NULL,
     "96c6583b98f2d75c9b6c87aaa788ca6dd9da10b02732001b55ab1ce7323cb4d6"
     "0c6059e1ed95c0561302d2ce4381bfae8c2b7c49183ab72b42f80b7ad1587b75"},
    /* everything */
    {"ed64cf25e9ca81e5572ebccbf892c8ac9d88c256b7ddd3f7f477579f80ea8fec7c452159b1a6ac9c59767504c0573b29",
     "f19cf2f821440adfa1f7f634a26925dc63e29b7993f7860558afc4d7c61f0d83145cdb13102e513edddfcf48bef17464",
     "d91c7a31dc11edf5c778bb1bc92067b6df2b5b5e90c04df5172562bbd38937ad62715c287651ce8ad4bf4c80b14c8c1e",
     "02bac94171c112c3774769148f137e6b72fd4bf9a74464cd24a7dfc6f75cab82a15e3847afe86999d0f665577bba6c20",
     "ffb738e975f48c5a5a7d8a63c418abb0604efe3cecac611bdf292e2ab47a4d33099ebdcb0d6c89c5849c1ed9693c435e",
     "459f3d979eda0f8f8c273768df1f92344abfba4eaedf00356f02461e449da18843a44b08a46413dd3a1eb1ab5bd146ec",
     "2a6a38fb6575f55cddb774ef51ca9db72e729065d102e866877798651f1850cf"
     "3be808f6378f860fcde6fc631b955fa07b5b7f5dd1ad1d1f32837ffa07311383"},
};

/* A hex field of a vector (NULL stays NULL, length 0). */
static uint8_t *field(const char *hex, size_t *len)
{
    *len = 0;
    return hex == NULL ? NULL : test_unhex(hex, len);
}

/* Instantiate, optional reseed, then the first Generate (output discarded). */
static struct drbg *kat_start(const struct kat *k)
{
    size_t e_len, p_len, er_len, ar_len, a1_len;
    uint8_t *e = field(k->entropy, &e_len), *p = field(k->pers, &p_len);
    uint8_t *er = field(k->entropy_reseed, &er_len), *ar = field(k->add_reseed, &ar_len);
    uint8_t *a1 = field(k->add1, &a1_len);
    uint8_t first[64];
    struct drbg *d = NULL;
    assert_int_equal(drbg_new_from_seed(&d, e, e_len, p, p_len), 0);
    if (er != NULL)
        assert_int_equal(drbg_reseed_with(d, er, er_len, ar, ar_len), 0);
    assert_int_equal(drbg_generate(d, first, sizeof first, a1, a1_len), 0);
    free(e);
    free(p);
    free(er);
    free(ar);
    free(a1);
    return d;
}

static void run_kat(const struct kat *k)
{
    size_t a2_len;
    uint8_t *a2 = field(k->add2, &a2_len);
    uint8_t out[64];
    struct drbg *d = kat_start(k);
    assert_int_equal(drbg_generate(d, out, sizeof out, a2, a2_len), 0);
    assert_bytes_hex(out, sizeof out, k->returned);
    drbg_free(d);
    free(a2);
}

static void test_cavp_no_reseed(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof no_reseed / sizeof no_reseed[0]; i++)
        run_kat(&no_reseed[i]);
}

static void test_cavp_reseed(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof with_reseed / sizeof with_reseed[0]; i++)
        run_kat(&with_reseed[i]);
}

/* A shorter or longer second request starts with the same bytes: the state
 * update happens after the output is produced. Covers lengths that are not
 * whole blocks and one request above the 64 KiB internal limit. */
static void test_request_lengths(void **state)
{
    (void)state;
    static const size_t lens[] = {1, 15, 16, 17, 63, 65536, 65537, 200000};
    uint8_t *expect = test_unhex(no_reseed[0].returned, NULL);
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        uint8_t *out = malloc(lens[i]);
        assert_non_null(out);
        struct drbg *d = kat_start(&no_reseed[0]);
        assert_int_equal(drbg_generate(d, out, lens[i], NULL, 0), 0);
        assert_memory_equal(out, expect, lens[i] < 64 ? lens[i] : 64);
        drbg_free(d);
        free(out);
    }
    free(expect);
}

/* A large request is served as successive 64 KiB requests. */
static void test_large_request_split(void **state)
{
    (void)state;
    const size_t n = 3 * DRBG_MAX_REQUEST_BYTES + 1000;
    uint8_t *one = malloc(n), *parts = malloc(n);
    assert_non_null(one);
    assert_non_null(parts);
    struct drbg *a = kat_start(&no_reseed[4]), *b = kat_start(&no_reseed[4]);
    uint8_t add[5] = {1, 2, 3, 4, 5};
    assert_int_equal(drbg_generate(a, one, n, add, sizeof add), 0);
    for (size_t off = 0; off < n; off += DRBG_MAX_REQUEST_BYTES) {
        size_t len = n - off < DRBG_MAX_REQUEST_BYTES ? n - off : DRBG_MAX_REQUEST_BYTES;
        assert_int_equal(drbg_generate(b, parts + off, len, add, sizeof add), 0);
    }
    assert_memory_equal(one, parts, n);
    /* successive requests do not repeat each other */
    assert_memory_not_equal(one, one + DRBG_MAX_REQUEST_BYTES, 64);
    /* both end in the same state */
    uint8_t x[32], y[32];
    assert_int_equal(drbg_generate(a, x, sizeof x, NULL, 0), 0);
    assert_int_equal(drbg_generate(b, y, sizeof y, NULL, 0), 0);
    assert_memory_equal(x, y, sizeof x);
    drbg_free(a);
    drbg_free(b);
    free(one);
    free(parts);
}

/* Short personalization / additional input is zero-padded to 48 bytes. */
static void test_short_inputs_are_padded(void **state)
{
    (void)state;
    uint8_t entropy[48], pers48[48] = "short", add48[48] = {9, 8, 7};
    for (int i = 0; i < 48; i++)
        entropy[i] = (uint8_t)(i * 5);
    struct drbg *a, *b;
    uint8_t x[40], y[40];
    assert_int_equal(drbg_new_from_seed(&a, entropy, 48, "short", 5), 0);
    assert_int_equal(drbg_new_from_seed(&b, entropy, 48, pers48, 48), 0);
    assert_int_equal(drbg_generate(a, x, sizeof x, add48, 3), 0);
    assert_int_equal(drbg_generate(b, y, sizeof y, add48, 48), 0);
    assert_memory_equal(x, y, sizeof x);
    /* ...and a personalization string changes the stream */
    drbg_free(b);
    assert_int_equal(drbg_new_from_seed(&b, entropy, 48, NULL, 0), 0);
    assert_int_equal(drbg_generate(b, y, sizeof y, add48, 3), 0);
    assert_memory_not_equal(x, y, sizeof x);
    drbg_free(a);
    drbg_free(b);
}

static void test_bad_inputs(void **state)
{
    (void)state;
    uint8_t buf[64] = {0};
    struct drbg *d = (struct drbg *)buf; /* must be overwritten with NULL */
    assert_int_equal(drbg_new_from_seed(&d, buf, 47, NULL, 0), KMS_EINVAL);
    assert_int_equal(drbg_new_from_seed(&d, NULL, 48, NULL, 0), KMS_EINVAL);
    assert_int_equal(drbg_new_from_seed(&d, buf, 48, buf, 49), KMS_EINVAL);
    assert_null(d);
    assert_int_equal(drbg_new(&d, buf, 49), KMS_EINVAL);
    assert_int_equal(drbg_new(&d, NULL, 1), KMS_EINVAL);
    assert_int_equal(drbg_new_from_seed(&d, buf, 48, NULL, 0), 0);
    uint8_t out[16];
    memset(out, 0x5a, sizeof out);
    assert_int_equal(drbg_generate(d, out, sizeof out, buf, 49), KMS_EINVAL);
    for (size_t i = 0; i < sizeof out; i++)
        assert_int_equal(out[i], 0); /* zeroed on failure */
    assert_int_equal(drbg_generate(d, NULL, 16, NULL, 0), KMS_EINVAL);
    assert_int_equal(drbg_generate(NULL, buf, 16, NULL, 0), KMS_EINVAL);
    assert_int_equal(drbg_generate(d, NULL, 0, NULL, 0), 0);
    assert_int_equal(drbg_reseed_with(d, buf, 48, buf, 49), KMS_EINVAL);
    assert_int_equal(drbg_reseed_with(d, buf, 32, NULL, 0), KMS_EINVAL);
    assert_int_equal(drbg_reseed(d, NULL, 49), KMS_EINVAL);
    drbg_free(d);
    drbg_free(NULL);
}

/* An explicitly seeded DRBG serves exactly DRBG_RESEED_INTERVAL requests,
 * then refuses (output zeroed) until reseeded; an OS-seeded one reseeds
 * itself. */
static void test_reseed_interval(void **state)
{
    (void)state;
    uint8_t entropy[48] = {1}, b[4];
    struct drbg *det, *os;
    assert_int_equal(drbg_new_from_seed(&det, entropy, 48, NULL, 0), 0);
    assert_int_equal(drbg_new(&os, "reseed test", 11), 0);
    for (int i = 0; i < DRBG_RESEED_INTERVAL; i++) {
        assert_int_equal(drbg_generate(det, b, 1, NULL, 0), 0);
        assert_int_equal(drbg_generate(os, b, 1, NULL, 0), 0);
    }
    memset(b, 0xee, sizeof b);
    assert_int_equal(drbg_generate(det, b, sizeof b, NULL, 0), KMS_EPRECOND);
    assert_true(b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] == 0);
    assert_int_equal(drbg_generate(os, b, sizeof b, NULL, 0), 0);
    assert_int_equal(drbg_reseed_with(det, entropy, 48, NULL, 0), 0);
    assert_int_equal(drbg_generate(det, b, sizeof b, NULL, 0), 0);
    assert_int_equal(drbg_reseed(os, "more", 4), 0);
    assert_int_equal(drbg_generate(os, b, sizeof b, NULL, 0), 0);
    drbg_free(det);
    drbg_free(os);
}

/* Two OS-seeded instances never agree. */
static void test_os_seeded_distinct(void **state)
{
    (void)state;
    struct drbg *a, *b;
    uint8_t x[32], y[32];
    assert_int_equal(drbg_new(&a, NULL, 0), 0);
    assert_int_equal(drbg_new(&b, NULL, 0), 0);
    assert_int_equal(drbg_generate(a, x, sizeof x, NULL, 0), 0);
    assert_int_equal(drbg_generate(b, y, sizeof y, NULL, 0), 0);
    assert_memory_not_equal(x, y, sizeof x);
    drbg_free(a);
    drbg_free(b);
}

/* ---- drbg_random_bytes ------------------------------------------------- */

enum { N_THREADS = 8, PER_THREAD = 4 };
static uint8_t thread_out[N_THREADS][PER_THREAD][32];

static void *thread_main(void *arg)
{
    size_t t = (size_t)arg;
    for (int i = 0; i < PER_THREAD; i++)
        if (drbg_random_bytes(thread_out[t][i], 32) != 0)
            return (void *)1;
    return NULL;
}

static void test_threads_distinct(void **state)
{
    (void)state;
    pthread_t th[N_THREADS];
    for (size_t t = 0; t < N_THREADS; t++)
        assert_int_equal(pthread_create(&th[t], NULL, thread_main, (void *)t), 0);
    for (size_t t = 0; t < N_THREADS; t++) {
        void *rc;
        assert_int_equal(pthread_join(th[t], &rc), 0);
        assert_null(rc);
    }
    const uint8_t *all = &thread_out[0][0][0];
    size_t n = N_THREADS * PER_THREAD;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            assert_memory_not_equal(all + 32 * i, all + 32 * j, 32);
    uint8_t big[100000];
    assert_int_equal(drbg_random_bytes(big, sizeof big), 0);
    assert_memory_not_equal(big, big + 50000, 32);
    assert_int_equal(drbg_random_bytes(NULL, 0), 0);
}

/* The child of a fork must not replay its parent's stream, both for the
 * per-thread generator and for an OS-seeded instance. */
static void test_fork_child_differs(void **state)
{
    (void)state;
    uint8_t warm[16];
    assert_int_equal(drbg_random_bytes(warm, sizeof warm), 0);
    struct drbg *d;
    assert_int_equal(drbg_new(&d, NULL, 0), 0);
    assert_int_equal(drbg_generate(d, warm, sizeof warm, NULL, 0), 0);

    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        uint8_t mine[64];
        int ok = drbg_random_bytes(mine, 32) == 0 && drbg_generate(d, mine + 32, 32, NULL, 0) == 0;
        ssize_t w = ok ? write(fds[1], mine, sizeof mine) : -1;
        _exit(w == (ssize_t)sizeof mine ? 0 : 1);
    }
    close(fds[1]);
    uint8_t parent[64], child[64];
    assert_int_equal(drbg_random_bytes(parent, 32), 0);
    assert_int_equal(drbg_generate(d, parent + 32, 32, NULL, 0), 0);
    size_t got = 0;
    while (got < sizeof child) {
        ssize_t r = read(fds[0], child + got, sizeof child - got);
        assert_true(r > 0);
        got += (size_t)r;
    }
    close(fds[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_memory_not_equal(parent, child, 32);
    assert_memory_not_equal(parent + 32, child + 32, 32);
    drbg_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cavp_no_reseed),
        cmocka_unit_test(test_cavp_reseed),
        cmocka_unit_test(test_request_lengths),
        cmocka_unit_test(test_large_request_split),
        cmocka_unit_test(test_short_inputs_are_padded),
        cmocka_unit_test(test_bad_inputs),
        cmocka_unit_test(test_reseed_interval),
        cmocka_unit_test(test_os_seeded_distinct),
        cmocka_unit_test(test_threads_distinct),
        cmocka_unit_test(test_fork_child_differs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
