/* Keccak sponge: FIPS 202 example vectors (NIST "SHA3 examples", message
 * 0xA3 x 200 and the empty/abc strings), Ethereum Keccak-256 values, and
 * incremental absorb/squeeze equivalence. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "crypto/keccak.h"
#include "test_util.h"

static uint8_t msg_a3[200];

static void test_sha3_256(void **state)
{
    (void)state;
    uint8_t out[32];
    sha3_256(out, "", 0);
    assert_bytes_hex(out, 32, "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a");
    sha3_256(out, "abc", 3);
    assert_bytes_hex(out, 32, "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532");
    sha3_256(out, msg_a3, sizeof msg_a3);
    assert_bytes_hex(out, 32, "79f38adec5c20307a98ef76e8324afbfd46cfd81b22e3973c65fa1bd9de31787");
}

static void test_sha3_512(void **state)
{
    (void)state;
    uint8_t out[64];
    sha3_512(out, "", 0);
    assert_bytes_hex(out, 64,
                     "a69f73cca23a9ac5c8b567dc185a756e97c982164fe25859e0d1dcc1475c80a6"
                     "15b2123af1f5f94c11e3e9402c3ac558f500199d95b6d3e301758586281dcd26");
    sha3_512(out, "abc", 3);
    assert_bytes_hex(out, 64,
                     "b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e"
                     "10e116e9192af3c91a7ec57647e3934057340b4cf408d5a56592f8274eec53f0");
    sha3_512(out, msg_a3, sizeof msg_a3);
    assert_bytes_hex(out, 64,
                     "e76dfad22084a8b1467fcf2ffa58361bec7628edf5f3fdc0e4805dc48caeeca8"
                     "1b7c13c30adf52a3659584739a2df46be589c51ca1a4a8416df6545a1ce8ba00");
}

static const char shake128_a3_4096[] =
    "131ab8d2b594946b9c81333f9bb6e0ce75c3b93104fa3469d3917457385da037"
    "cf232ef7164a6d1eb448c8908186ad852d3f85a5cf28da1ab6fe343817197846"
    "7f1c05d58c7ef38c284c41f6c2221a76f12ab1c04082660250802294fb871802"
    "13fdef5b0ecb7df50ca1f8555be14d32e10f6edcde892c09424b29f597afc270"
    "c904556bfcb47a7d40778d390923642b3cbd0579e60908d5a000c1d08b98ef93"
    "3f806445bf87f8b009ba9e94f7266122ed7ac24e5e266c42a82fa1bbefb7b8db"
    "0066e16a85e0493f07df4809aec084a593748ac3dde5a6d7aae1e8b6e5352b2d"
    "71efbb47d4caeed5e6d633805d2d323e6fd81b4684b93a2677d45e7421c2c6ae"
    "a259b855a698fd7d13477a1fe53e5a4a6197dbec5ce95f505b520bcd9570c4a8"
    "265a7e01f89c0c002c59bfec6cd4a5c109258953ee5ee70cd577ee217af21fa7"
    "0178f0946c9bf6ca8751793479f6b537737e40b6ed28511d8a2d7e73eb75f8da"
    "ac912ff906e0ab955b083bac45a8e5e9b744c8506f37e9b4e749a184b30f43eb"
    "188d855f1b70d71ff3e50c537ac1b0f8974f0fe1a6ad295ba42f6aec74d123a7"
    "abedde6e2c0711cab36be5acb1a5a11a4b1db08ba6982efccd716929a7741cfc"
    "63aa4435e0b69a9063e880795c3dc5ef3272e11c497a91acf699fefee206227a"
    "44c9fb359fd56ac0a9a75a743cff6862f17d7259ab075216c0699511643b6439";

static const char shake256_a3_4096[] =
    "cd8a920ed141aa0407a22d59288652e9d9f1a7ee0c1e7c1ca699424da84a904d"
    "2d700caae7396ece96604440577da4f3aa22aeb8857f961c4cd8e06f0ae6610b"
    "1048a7f64e1074cd629e85ad7566048efc4fb500b486a3309a8f26724c0ed628"
    "001a1099422468de726f1061d99eb9e93604d5aa7467d4b1bd6484582a384317"
    "d7f47d750b8f5499512bb85a226c4243556e696f6bd072c5aa2d9b69730244b5"
    "6853d16970ad817e213e470618178001c9fb56c54fefa5fee67d2da524bb3b0b"
    "61ef0e9114a92cdbb6cccb98615cfe76e3510dd88d1cc28ff99287512f24bfaf"
    "a1a76877b6f37198e3a641c68a7c42d45fa7acc10dae5f3cefb7b735f12d4e58"
    "9f7a456e78c0f5e4c4471fffa5e4fa0514ae974d8c2648513b5db494cea84715"
    "6d277ad0e141c24c7839064cd08851bc2e7ca109fd4e251c35bb0a04fb05b364"
    "ff8c4d8b59bc303e25328c09a882e952518e1a8ae0ff265d61c465896973d749"
    "0499dc639fb8502b39456791b1b6ec5bcc5d9ac36a6df622a070d43fed781f5f"
    "149f7b62675e7d1a4d6dec48c1c7164586eae06a51208c0b791244d307726505"
    "c3ad4b26b6822377257aa152037560a739714a3ca79bd605547c9b78dd1f596f"
    "2d4f1791bc689a0e9b799a37339c04275733740143ef5d2b58b96a363d4e0807"
    "6a1a9d7846436e4dca5728b6f760eef0ca92bf0be5615e96959d767197a0beeb";

/* Squeezes 512 bytes in uneven pieces that straddle block boundaries, after
 * absorbing the message in uneven pieces too. */
static void squeeze_in_pieces(void (*init)(struct keccak *), uint8_t out[512])
{
    struct keccak k;
    init(&k);
    size_t cuts[] = {1, 7, 0, 135, 57};
    size_t off = 0;
    for (size_t i = 0; off < sizeof msg_a3; i++) {
        size_t n = cuts[i % 5];
        if (n > sizeof msg_a3 - off)
            n = sizeof msg_a3 - off;
        keccak_absorb(&k, msg_a3 + off, n);
        off += n;
    }
    for (off = 0; off < 512;) {
        size_t n = 1 + (off * 7) % 200;
        if (n > 512 - off)
            n = 512 - off;
        keccak_squeeze(&k, out + off, n);
        off += n;
    }
    keccak_clear(&k);
}

static void test_shake128(void **state)
{
    (void)state;
    uint8_t out[512];
    shake128(out, 32, "", 0);
    assert_bytes_hex(out, 32, "7f9c2ba4e88f827d616045507605853ed73b8093f6efbc88eb1a6eacfa66ef26");
    shake128(out, sizeof out, msg_a3, sizeof msg_a3);
    assert_bytes_hex(out, sizeof out, shake128_a3_4096);
    memset(out, 0, sizeof out);
    squeeze_in_pieces(keccak_init_shake128, out);
    assert_bytes_hex(out, sizeof out, shake128_a3_4096);
}

static void test_shake256(void **state)
{
    (void)state;
    uint8_t out[512];
    shake256(out, 64, "", 0);
    assert_bytes_hex(out, 64,
                     "46b9dd2b0ba88d13233b3feb743eeb243fcd52ea62b81b82b50c27646ed5762f"
                     "d75dc4ddd8c0f200cb05019d67b592f6fc821c49479ab48640292eacb3b7c4be");
    shake256(out, sizeof out, msg_a3, sizeof msg_a3);
    assert_bytes_hex(out, sizeof out, shake256_a3_4096);
    memset(out, 0, sizeof out);
    squeeze_in_pieces(keccak_init_shake256, out);
    assert_bytes_hex(out, sizeof out, shake256_a3_4096);
}

static void test_keccak256_ethereum(void **state)
{
    (void)state;
    uint8_t out[32];
    keccak256(out, "", 0);
    assert_bytes_hex(out, 32, "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    keccak256(out, "abc", 3);
    assert_bytes_hex(out, 32, "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
    /* ERC-20 Transfer event topic and transfer() selector */
    const char *ev = "Transfer(address,address,uint256)";
    keccak256(out, ev, strlen(ev));
    assert_bytes_hex(out, 32, "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");
    const char *fn = "transfer(address,uint256)";
    keccak256(out, fn, strlen(fn));
    assert_bytes_hex(out, 32, "a9059cbb2ab09eb219583f4a59a5d0623ade346d962bcd4e46b11da047c9049b");
}

/* Every split point of the input gives the same digest as one call. */
static void test_incremental_absorb(void **state)
{
    (void)state;
    uint8_t want[32], got[32];
    sha3_256(want, msg_a3, sizeof msg_a3);
    for (size_t cut = 0; cut <= sizeof msg_a3; cut++) {
        struct keccak k;
        keccak_init_sha3_256(&k);
        keccak_absorb(&k, msg_a3, cut);
        keccak_absorb(&k, msg_a3 + cut, sizeof msg_a3 - cut);
        keccak_squeeze(&k, got, sizeof got);
        assert_memory_equal(got, want, sizeof want);
    }
}

/* Message lengths around the rate: with 135 bytes both pad bytes (0x06 and
 * 0x80) land in the same byte of the block. Values from OpenSSL's SHA3. */
static void test_rate_boundaries(void **state)
{
    (void)state;
    uint8_t a[32], b[32];
    sha3_256(a, msg_a3, 135);
    assert_bytes_hex(a, 32, "d51927265ca4bf0cc8b4453387700918c03f8894e395ad437d4573f3be4d2c34");
    sha3_256(a, msg_a3, 136);
    assert_bytes_hex(a, 32, "0adf6bfb359ae40019b67d8c49c361574b70242a6b752de6f9e0d426ca177f7a");
    for (size_t n = 130; n <= 140; n++) {
        sha3_256(a, msg_a3, n);
        struct keccak k;
        keccak_init_sha3_256(&k);
        for (size_t i = 0; i < n; i++)
            keccak_absorb(&k, msg_a3 + i, 1);
        keccak_squeeze(&k, b, 16);
        keccak_squeeze(&k, b + 16, 16);
        assert_memory_equal(a, b, 32);
    }
}

int main(void)
{
    memset(msg_a3, 0xa3, sizeof msg_a3);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha3_256),        cmocka_unit_test(test_sha3_512),
        cmocka_unit_test(test_shake128),        cmocka_unit_test(test_shake256),
        cmocka_unit_test(test_keccak256_ethereum), cmocka_unit_test(test_incremental_absorb),
        cmocka_unit_test(test_rate_boundaries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
