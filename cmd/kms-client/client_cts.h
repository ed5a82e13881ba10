/* The ciphertexts a decryption command sends: given on the command line as
 * TYPE:FILE (--ct) or TYPE:HEX (--ct-hex), in any of the four formats the
 * KMS decrypts, recognised from the TFHE-rs serialization header unless
 * --format says otherwise. Each gets an external handle: keccak256 of its
 * bytes unless given as a third field (TYPE:FILE:0xHANDLE). */
#ifndef CKMS_KMS_CLIENT_CTS_H
#define CKMS_KMS_CLIENT_CTS_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "proto/kms.v1.pb-c.h"

#define CLIENT_MAX_CTS 256

struct client_ct {
    uint8_t *bytes; /* malloc */
    size_t len;
    int32_t fhe_type;
    int32_t format; /* CiphertextFormat */
    uint8_t handle[32];
    size_t handle_len;
};

struct client_cts {
    struct client_ct ct[CLIENT_MAX_CTS];
    size_t n;
    int32_t format_override; /* -1: from the header */
    /* protobuf views of ct[] for the request */
    Kms__V1__TypedCiphertext msg[CLIENT_MAX_CTS];
    Kms__V1__TypedCiphertext *ptr[CLIENT_MAX_CTS];
};

void client_cts_init(struct client_cts *c);
void client_cts_clear(struct client_cts *c);

/* --ct TYPE:FILE[:HANDLE] and --ct-hex TYPE:HEX[:HANDLE]. */
int client_cts_add_file(struct client_cts *c, const char *arg) KMS_MUST_CHECK;
int client_cts_add_hex(struct client_cts *c, const char *arg) KMS_MUST_CHECK;
/* --format small-compressed|small-expanded|big-compressed|big-expanded. */
int client_cts_set_format(struct client_cts *c, const char *name) KMS_MUST_CHECK;

/* Decides each format and fills msg/ptr. KMS_EINVAL when none was given or
 * a header is not one of the four kinds. */
int client_cts_finish(struct client_cts *c) KMS_MUST_CHECK;

/* "SmallCompressed", ... */
const char *client_ct_format_name(int32_t format);

/* The help lines of --ct, --ct-hex and --format. */
#define CLIENT_CTS_HELP                                                                \
    "      --ct TYPE:FILE[:HANDLE]   a ciphertext file (repeat for several); TYPE is\n"  \
    "                                ebool, euint8 ... euint256; HANDLE (0x-hex, at\n"   \
    "                                most 32 bytes) defaults to keccak256(bytes)\n"      \
    "      --ct-hex TYPE:HEX[:HANDLE] the same with the ciphertext in hex\n"             \
    "      --format F                small-compressed, small-expanded, big-compressed\n" \
    "                                or big-expanded (default: from the file header)\n"

#endif
