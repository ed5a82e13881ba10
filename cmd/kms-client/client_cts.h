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
#include "client_common.h"
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

/* ---- decryption commands ---- */

/* What public-decrypt and user-decrypt are both given: the common options,
 * the key and the ciphertexts. */
struct client_dec_opts {
    struct client_opts c;
    struct client_cts cts;
    const char *key_id;
};

/* Their shared options; a command numbers its own from CLIENT_DEC_OPT_FIRST_OWN. */
enum {
    CLIENT_OPT_KEY_ID = CLIENT_OPT_FIRST_OWN,
    CLIENT_OPT_CT,
    CLIENT_OPT_CT_HEX,
    CLIENT_OPT_CT_FORMAT,
    CLIENT_DEC_OPT_FIRST_OWN
};

#define CLIENT_DEC_OPTIONS                                                     \
    {"key-id", required_argument, NULL, CLIENT_OPT_KEY_ID},                    \
    {"ct", required_argument, NULL, CLIENT_OPT_CT},                            \
    {"ct-hex", required_argument, NULL, CLIENT_OPT_CT_HEX},                    \
    {"format", required_argument, NULL, CLIENT_OPT_CT_FORMAT}

void client_dec_init(struct client_dec_opts *d, const char *cmd);

/* client_getopt over opts (the command's own options, CLIENT_DEC_OPTIONS,
 * CLIENT_COMMON_OPTIONS) that also takes the shared options, and at the
 * end requires --key-id and the ciphertexts (client_cts_finish). */
int client_dec_getopt(struct client_dec_opts *d, int *status, int argc, char **argv,
                      const struct option *opts, void (*usage)(FILE *));

/* The ids and signing scheme of a decryption request: a fresh (or the
 * --request-id) request id and the key id, canonical, as the request's
 * RequestId messages, and ECDSA256K1 as the one scheme asked for. */
struct client_dec_ids {
    char id[65], key_id[65];
    Kms__V1__RequestId rid, kid;
    Kms__V1__SigningSchemeType scheme;
};
int client_dec_ids(struct client_dec_ids *out, const struct client_dec_opts *d) KMS_MUST_CHECK;

/* The command's exit status after its parse (0 go on, -1 --help done, else
 * the status): client_run_verified(run, ctx) when it is to go on. Clears d. */
int client_dec_run(struct client_dec_opts *d, int parsed, client_run_fn *run, void *ctx);

/* The help lines of --ct, --ct-hex and --format. */
#define CLIENT_CTS_HELP                                                                \
    "      --ct TYPE:FILE[:HANDLE]   a ciphertext file (repeat for several); TYPE is\n"  \
    "                                ebool, euint8 ... euint256; HANDLE (0x-hex, at\n"   \
    "                                most 32 bytes) defaults to keccak256(bytes)\n"      \
    "      --ct-hex TYPE:HEX[:HANDLE] the same with the ciphertext in hex\n"             \
    "      --format F                small-compressed, small-expanded, big-compressed\n" \
    "                                or big-expanded (default: from the file header)\n"

#endif
