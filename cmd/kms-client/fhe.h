/* `kms-client fhe`: the offline TFHE tools (keygen, encrypt, decrypt,
 * inspect) over the TFHE-rs 1.7 byte formats of src/tfhe/wire. This header
 * is what the fhe_*.c files share: the subcommands, file handling that
 * keeps secrets in secmem and never overwrites, and the names and values
 * of the encrypted types. */
#ifndef CKMS_KMS_CLIENT_FHE_H
#define CKMS_KMS_CLIENT_FHE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/error.h"
#include "tfhe/radix.h"
#include "tfhe/wire/wire_client_key.h"

/* Exit statuses (kms_client.h). */
#define FHE_EXIT_OK 0
#define FHE_EXIT_FAIL 1
#define FHE_EXIT_USAGE 2

/* The safe_serialize size limit every object is read and written with:
 * larger than any key (the default ServerKey is a few GiB), as tfhe-rs
 * requires a limit above the object's size. */
#define FHE_SIZE_LIMIT ((uint64_t)1 << 36)

/* Subcommands: argv[0] is the subcommand's name. */
int fhe_keygen(int argc, char **argv);
int fhe_encrypt(int argc, char **argv);
int fhe_decrypt(int argc, char **argv);
int fhe_inspect(int argc, char **argv);

/* Prints "kms-client fhe <cmd>: <message>" (the last kms_err) on stderr and
 * returns FHE_EXIT_FAIL. */
int fhe_fail(const char *cmd, int rc);
/* Prints a usage error on stderr and returns FHE_EXIT_USAGE. */
int fhe_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The getopt_long '?' / ':' case: names the offending option. */
int fhe_bad_option(const char *cmd, char **argv);
/* The exit status of an operation's result rc: FHE_EXIT_OK, or
 * FHE_EXIT_FAIL with the error printed (fhe_fail). */
int fhe_exit(const char *cmd, int rc);

/* The getopt_long loop of a subcommand over longs (--help has val 'h').
 * Returns the next option of the subcommand's own (optarg set), or -1 when
 * the scan is over, with *status 0 (go on), -1 (--help printed: exit
 * FHE_EXIT_OK) or FHE_EXIT_USAGE (the error printed). A positional
 * argument is a usage error. */
struct option;
int fhe_getopt(const char *cmd, int *status, int argc, char **argv, const struct option *longs,
               void (*usage)(FILE *));

/* ---- files ---- */

/* A file's whole contents: mapped read-only, or (secret) copied into
 * secmem and wiped on unload. */
struct fhe_file {
    uint8_t *data;
    size_t len;
    int secret;
    int mapped;
};

int fhe_file_load(struct fhe_file *f, const char *path, int secret) KMS_MUST_CHECK;
void fhe_file_unload(struct fhe_file *f);

/* An output file: created new (KMS_EEXIST if it exists, unless force),
 * mode 0600 when private. Secret outputs are buffered in secmem, wiped on
 * close. fhe_out_close flushes and closes (KMS_EIO on failure) and removes
 * the file when rc (the writer's result) is an error; it returns the first
 * error. */
struct fhe_out {
    FILE *f;
    char *path;
    unsigned char *vbuf; /* secmem stdio buffer for private files */
};

int fhe_out_open(struct fhe_out *o, const char *path, int force, int private_file)
    KMS_MUST_CHECK;
int fhe_out_close(struct fhe_out *o, int rc) KMS_MUST_CHECK;

/* Reads a ClientKey file (secmem all the way). */
int fhe_load_client_key(struct wire_client_key *ck, const char *path) KMS_MUST_CHECK;

/* ---- types and values ---- */

/* A type by name: ebool, euint8 .. euint2048, eint8 .. eint2048, eaddress
 * (= euint160); also without the "e", with an "Fhe" prefix, any case. */
int fhe_type_parse(const struct radix_type **out, const char *name) KMS_MUST_CHECK;
/* "ebool", "euint64", "eint8", ... into buf (at least 16 bytes). */
const char *fhe_type_name(const struct radix_type *t, char *buf, size_t cap);

/* out (radix_type_bytes(t) bytes, radix.h layout) = the value text: decimal
 * or 0x hex, with a leading '-' for signed types; true/false/1/0 for ebool.
 * KMS_EINVAL with the reason when it is not a number or is out of range. */
int fhe_value_parse(uint8_t *out, size_t out_len, const struct radix_type *t, const char *text)
    KMS_MUST_CHECK;
/* The value in decimal (true/false for ebool); buf of at least
 * FHE_VALUE_TEXT_MAX bytes. */
#define FHE_VALUE_TEXT_MAX 640
const char *fhe_value_format(char *buf, size_t cap, const struct radix_type *t, const uint8_t *le,
                             size_t len);

#endif
