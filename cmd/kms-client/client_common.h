/* What every gRPC command of kms-client shares: the common options
 * (server address, timeout, EIP-712 domain, how to verify signatures),
 * the channel and calls with polling of Get…Result, request ids, files,
 * FHE type names and plaintext values.
 *
 * A command builds its getopt_long table from its own options followed by
 * CLIENT_COMMON_OPTIONS, and hands every option it does not know to
 * client_opt(). Errors are printed on stderr as "kms-client CMD: ...". */
#ifndef CKMS_KMS_CLIENT_COMMON_H
#define CKMS_KMS_CLIENT_COMMON_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <protobuf-c/protobuf-c.h>

#include "base/error.h"
#include "crypto/eip712.h"
#include "proto/kms.v1.pb-c.h"
#include "rpc/client.h"

/* Exit statuses (kms_client.h). */
#define CLIENT_EXIT_OK 0
#define CLIENT_EXIT_FAIL 1
#define CLIENT_EXIT_USAGE 2

/* config/centralized.toml's listen address and port. */
#define CLIENT_DEFAULT_ADDR "127.0.0.1:50051"
#define CLIENT_DEFAULT_TIMEOUT_S 300
/* The reference core-client's default domain (client_local_*.toml). */
#define CLIENT_DEFAULT_DOMAIN_NAME "Authorization token"
#define CLIENT_DEFAULT_DOMAIN_VERSION "1"
#define CLIENT_DEFAULT_CHAIN_ID "8006"
#define CLIENT_DEFAULT_CONTRACT "0x66f9664f97F2b50F62D13eA064982f936dE76657"

/* Ids of the common long options (beyond any character a command uses). */
enum client_opt_id {
    CLIENT_OPT_ADDR = 0x100,
    CLIENT_OPT_TIMEOUT,
    CLIENT_OPT_DOMAIN_NAME,
    CLIENT_OPT_DOMAIN_VERSION,
    CLIENT_OPT_CHAIN_ID,
    CLIENT_OPT_CONTRACT,
    CLIENT_OPT_SALT,
    CLIENT_OPT_SERVER_ADDRESS,
    CLIENT_OPT_PUB_DIR,
    CLIENT_OPT_NO_VERIFY,
    CLIENT_OPT_REQUEST_ID,
    CLIENT_OPT_EXTRA_DATA,
    CLIENT_OPT_FIRST_OWN /* commands number their own long-only options from here */
};

#define CLIENT_COMMON_OPTIONS                                                  \
    {"addr", required_argument, NULL, CLIENT_OPT_ADDR},                        \
    {"timeout", required_argument, NULL, CLIENT_OPT_TIMEOUT},                  \
    {"domain-name", required_argument, NULL, CLIENT_OPT_DOMAIN_NAME},          \
    {"domain-version", required_argument, NULL, CLIENT_OPT_DOMAIN_VERSION},    \
    {"chain-id", required_argument, NULL, CLIENT_OPT_CHAIN_ID},                \
    {"verifying-contract", required_argument, NULL, CLIENT_OPT_CONTRACT},      \
    {"salt", required_argument, NULL, CLIENT_OPT_SALT},                        \
    {"server-address", required_argument, NULL, CLIENT_OPT_SERVER_ADDRESS},    \
    {"pub-dir", required_argument, NULL, CLIENT_OPT_PUB_DIR},                  \
    {"no-verify", no_argument, NULL, CLIENT_OPT_NO_VERIFY},                    \
    {"request-id", required_argument, NULL, CLIENT_OPT_REQUEST_ID},            \
    {"extra-data", required_argument, NULL, CLIENT_OPT_EXTRA_DATA},            \
    {"help", no_argument, NULL, 'h'}

struct client_opts {
    const char *cmd; /* for messages */
    const char *addr;
    uint64_t timeout_ms; /* the whole operation, polling included */
    const char *domain_name, *domain_version, *chain_id, *contract, *salt;
    const char *server_address, *pub_dir;
    int no_verify;
    const char *request_id; /* NULL: a fresh random one */
    uint8_t *extra;         /* malloc, NULL when empty */
    size_t extra_len;
    uint64_t deadline_ns; /* set by client_connect */
};

/* Defaults, then the environment (KMS_CLIENT_ADDR). */
void client_opts_init(struct client_opts *o, const char *cmd);
void client_opts_clear(struct client_opts *o);

/* Handles one common option: 1 handled, 0 not a common option, -1 a bad
 * value (message printed; exit CLIENT_EXIT_USAGE). */
int client_opt(struct client_opts *o, int c, const char *arg);

/* The getopt_long loop of a command over opts (its own options followed by
 * CLIENT_COMMON_OPTIONS); set optind = 1 before the first call. Returns
 * the next option that is the command's own (optarg set), or -1 when the
 * scan is over, with *status 0 (go on), -1 (--help printed: exit
 * CLIENT_EXIT_OK) or CLIENT_EXIT_USAGE (the error printed). Common options
 * go to client_opt(); a positional argument is a usage error. */
int client_getopt(struct client_opts *o, int *status, int argc, char **argv,
                  const struct option *opts, void (*usage)(FILE *));

/* Checks an id option (--key-id ...) given as `value`: 0, or
 * CLIENT_EXIT_USAGE with the error printed when it is not an id, or
 * missing though required. */
int client_id_opt(const struct client_opts *o, const char *name, const char *value, int required);

/* Help text of the common options. `verify`: also the domain and
 * verification options. */
void client_usage_common(FILE *f, int verify);

/* Prints "kms-client CMD: what: <kms_err_msg()>" and returns CLIENT_EXIT_FAIL. */
int client_fail(const struct client_opts *o, const char *what);
/* Prints "kms-client CMD: msg" and returns CLIENT_EXIT_USAGE. */
int client_usage_error(const struct client_opts *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- channel and calls ---- */

/* Opens the channel and starts the operation's clock. */
int client_connect(struct client_opts *o, struct rpc_channel **ch) KMS_MUST_CHECK;

/* Milliseconds left before the operation's deadline (at least 1). */
uint64_t client_remaining_ms(const struct client_opts *o);

/* One call of CoreServiceEndpoint's `method` with the remaining time as
 * deadline. The status goes to st (may be NULL). */
int client_call(const struct client_opts *o, struct rpc_channel *ch, ProtobufCMessage **resp,
                struct rpc_status *st, const char *method, const ProtobufCMessage *req)
    KMS_MUST_CHECK;

/* Calls `method` (a Get…Result) with RequestId{id} until it answers
 * something other than UNAVAILABLE (the long poll ended without a result)
 * or the deadline passes (KMS_ETIMEOUT). */
int client_poll(const struct client_opts *o, struct rpc_channel *ch, ProtobufCMessage **resp,
                const char *method, const char *id) KMS_MUST_CHECK;

/* ---- ids, domain, signatures ---- */

/* The option's request id in canonical form, or 32 fresh random bytes. */
int client_request_id(const struct client_opts *o, char out[65]) KMS_MUST_CHECK;
/* A user-given id (key id, preprocessing id) in canonical form and bytes. */
int client_parse_id(char out[65], uint8_t bytes[32], const char *s) KMS_MUST_CHECK;

/* The domain as the request carries it; the strings and chain_id/salt
 * point into `store`, which must outlive msg. */
struct client_domain {
    Kms__V1__Eip712DomainMsg msg;
    struct eip712_domain d; /* the same, for hashing */
    uint8_t chain_id[32];
    uint8_t salt[32];
};
int client_domain(const struct client_opts *o, struct client_domain *out) KMS_MUST_CHECK;

/* A verifying command's operation, given the channel, the domain and the
 * server's address (all zero under --no-verify). */
typedef int client_run_fn(void *ctx, struct rpc_channel *ch, const struct client_domain *dom,
                          const uint8_t server[20]);

/* Gets the domain and (unless --no-verify) the server's address, where a
 * failure is a usage error, then connects and runs run(ctx, ...). Returns
 * the exit status; a failed run is printed as "kms-client CMD: ...". */
int client_run_verified(struct client_opts *o, client_run_fn *run, void *ctx);

/* The server's signing address: --server-address, else the VerfAddress the
 * server published under --pub-dir. KMS_ENOTFOUND when neither is given. */
int client_server_address(const struct client_opts *o, uint8_t addr[20]) KMS_MUST_CHECK;

/* Checks a 65-byte EIP-712 signature on struct_hash under the domain: the
 * signer must be `expect`. KMS_EVERIFY (with the recovered signer in the
 * message) otherwise. `what` names the signature in messages. */
int client_check_eip712(const struct eip712_domain *d, const uint8_t struct_hash[32],
                        const uint8_t *sig, size_t sig_len, const uint8_t expect[20],
                        const char *what) KMS_MUST_CHECK;

/* The ECDSA256K1 entry of signatures[] (requested by every command) must
 * equal the external signature. */
int client_check_typed_signatures(Kms__V1__TypedSignature *const *sigs, size_t n,
                                  const uint8_t *ext_sig, size_t ext_len) KMS_MUST_CHECK;

/* The output members "verified" and, when verified, "signer" (the
 * server's EIP-55 address). */
struct cjson;
void client_json_verified(struct cjson *j, const struct client_opts *o,
                          const uint8_t server[20]);

/* A SEC1 verification key as responses carry it (bincode PublicSigKey of
 * 41 bytes, or 33/65 bytes SEC1) into its address. */
int client_verf_key_address(uint8_t addr[20], const uint8_t *vk, size_t vk_len) KMS_MUST_CHECK;

/* ---- files ---- */

/* Reads a whole file (at most max bytes). Free *out with free(). */
int client_read_file(const char *path, uint8_t **out, size_t *len, size_t max) KMS_MUST_CHECK;
/* The public-storage folder of --pub-dir: DIR itself, or DIR/PUB when DIR
 * holds a PUB folder (the server's storage root). */
int client_pub_path(const struct client_opts *o, char *out, size_t cap, const char *type,
                    const char *id) KMS_MUST_CHECK;

/* ---- FHE types and values ---- */

/* "ebool", "euint8" … "euint2048", "eaddress", or the TFHE-rs names
 * ("Bool", "Uint64"; any case). KMS_EINVAL otherwise. */
int client_fhe_type_parse(int32_t *out, const char *s) KMS_MUST_CHECK;
/* "ebool", "euint64", ... ("type<N>" for ids without a name). */
const char *client_fhe_type_name(int32_t fhe_type, char buf[16]);

/* Parses a decimal or 0x-hex unsigned value into len little-endian bytes
 * (the type's plaintext size); KMS_EINVAL when it does not fit. For a
 * boolean also true/false. */
int client_value_parse(uint8_t *le, size_t len, const char *s, int is_bool) KMS_MUST_CHECK;
/* Writes the decimal form of a little-endian value (cap >= 3 * len + 2). */
void client_value_decimal(char *out, size_t cap, const uint8_t *le, size_t len);
/* One element of an output's "plaintexts": {"fhe_type", "value" (decimal),
 * "handle" (0x-hex)}. The decimal text is wiped after use. */
void client_json_plaintext(struct cjson *j, int32_t fhe_type, const uint8_t *le, size_t len,
                           const uint8_t *handle, size_t handle_len);

#endif
