/* The vault: where ckms keeps keys and other material, as the reference
 * KMS does (core/service/src/vault/).
 *
 * An object is a byte string addressed by (data type, id) or, for
 * epoch-scoped material, (data type, epoch id, id), under the vault's prefix.
 * The file backend lays objects out exactly as the reference:
 *
 *   {root}/{prefix}/{DataType}/{id}
 *   {root}/{prefix}/{DataType}/{epoch_id}/{id}
 *
 * e.g. keys/PUB/VerfAddress/60b7070a…beee or PRIV/FhePrivateKey/<epoch>/<key>.
 *
 * Rules every backend keeps:
 *   - An object is never overwritten: storing an address that is taken
 *     fails with KMS_EEXIST and changes nothing. Of several concurrent stores
 *     of one address exactly one succeeds.
 *   - An object appears whole or not at all. A streaming write that fails or
 *     is abandoned (vault_writer_abort) leaves nothing behind; the file
 *     backend's writes are atomic and durable (temp file, fsync, no-replace
 *     rename, directory fsync).
 *   - Ids and epoch ids are 64 lower-case hex digits, not all zero (the
 *     reference's RequestId/EpochId text form, derived ids included); data
 *     types and prefixes are short [A-Za-z0-9_-] names. Anything else (empty,
 *     overlong, '/', "..", upper case, ...) is KMS_EINVAL, so every address is
 *     a safe file name.
 *   - Under one data type, epoch folders and objects outside any epoch share
 *     one name space in the file layout (as in the reference): an id that
 *     names an epoch folder reads as absent and cannot be stored outside the
 *     epoch, and vice versa (KMS_EEXIST / KMS_EIO). Ids are random or
 *     derived hashes, so this only matters to a deliberately odd caller.
 *
 * Encryption at rest (vault_crypt_wrap, or vault_open with a KEK): every
 * object is sealed with AES-256-GCM in 1 MiB chunks under a per-object key
 * derived from a 32-byte key-encryption key; the object's address is bound
 * in, so objects cannot be swapped, truncated, reordered or edited without
 * KMS_EVERIFY. A private vault is plaintext only when the caller says so
 * explicitly (vault_config.insecure_plaintext).
 *
 * Thread safety: all vault_* calls on one struct vault may run concurrently
 * from any number of threads (file, memory and encrypted backends alike).
 * A writer or reader belongs to one thread at a time. Close every writer
 * and reader of a vault before vault_free. */
#ifndef CKMS_STORE_VAULT_H
#define CKMS_STORE_VAULT_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/error.h"

/* --- names ------------------------------------------------------------- */

/* Folder names of the reference's PubDataType (core/grpc/src/rpc_types.rs). */
#define VAULT_PUB_SERVER_KEY "ServerKey"
#define VAULT_PUB_PUBLIC_KEY "PublicKey"
#define VAULT_PUB_PUBLIC_KEY_METADATA "PublicKeyMetadata" /* deprecated */
#define VAULT_PUB_CRS "CRS"
#define VAULT_PUB_VERF_KEY "VerfKey"         /* deprecated */
#define VAULT_PUB_VERF_ADDRESS "VerfAddress" /* deprecated; EIP-55 text */
#define VAULT_PUB_DECOMPRESSION_KEY "DecompressionKey"
#define VAULT_PUB_CA_CERT "CACert"
#define VAULT_PUB_RECOVERY_MATERIAL "RecoveryMaterial"
#define VAULT_PUB_COMPRESSED_XOF_KEYSET "CompressedXofKeySet"
#define VAULT_PUB_TYPED_VERF_KEY "TypedVerfKey"
#define VAULT_PUB_TYPED_VERF_ADDRESS "TypedVerfAddress"

/* Folder names of the reference's PrivDataType. */
#define VAULT_PRIV_SIGNING_KEY "SigningKey"
#define VAULT_PRIV_FHE_KEY_INFO "FheKeyInfo"               /* epoch-scoped */
#define VAULT_PRIV_CRS_INFO "CrsInfo"                      /* epoch-scoped */
#define VAULT_PRIV_FHE_PRIVATE_KEY "FhePrivateKey"         /* epoch-scoped */
#define VAULT_PRIV_PRSS_SETUP "PrssSetup"                  /* legacy */
#define VAULT_PRIV_PRSS_SETUP_COMBINED "PrssSetupCombined" /* legacy */
#define VAULT_PRIV_CONTEXT "Context"                       /* PrivDataType::ContextInfo */
#define VAULT_PRIV_EPOCH_DATA "EpochData"

/* All of them, in the reference's enum order. */
extern const char *const vault_pub_types[];
extern const size_t vault_pub_types_len;
extern const char *const vault_priv_types[];
extern const size_t vault_priv_types_len;

/* 1 for the private types the reference keeps under an epoch folder
 * (FheKeyInfo, FhePrivateKey, CrsInfo), else 0. */
int vault_type_is_epoch_scoped(const char *type);

/* Default prefixes (the reference's StorageType names). */
#define VAULT_PREFIX_PUB "PUB"
#define VAULT_PREFIX_PRIV "PRIV"
#define VAULT_PREFIX_BACKUP "BACKUP"

/* --- ids --------------------------------------------------------------- */

#define VAULT_ID_LEN 64 /* hex digits */
#define VAULT_ID_BUF (VAULT_ID_LEN + 1)
#define VAULT_NAME_MAX 64 /* longest data type or prefix */

/* 0 if id is a valid object or epoch id, else KMS_EINVAL saying why. */
int vault_id_check(const char *id) KMS_MUST_CHECK;
/* 0 if type is a valid data-type folder name, else KMS_EINVAL. */
int vault_type_check(const char *type) KMS_MUST_CHECK;
/* 0 if prefix is a valid prefix, else KMS_EINVAL. */
int vault_prefix_check(const char *prefix) KMS_MUST_CHECK;

/* The text form of a 32-byte id. Fails (out = "") for an all-zero id. */
int vault_id_from_bytes(char out[VAULT_ID_BUF], const uint8_t id[32]) KMS_MUST_CHECK;
/* The reference's derive_request_id(name) as an id, e.g. "SIGNING_KEY_ID"
 * gives 60b7070add74be3827160aa635fb255eeeeb88586c4debf7ab1134ddceb4beee. */
void vault_id_derive(char out[VAULT_ID_BUF], const char *name);

/* Where an object lives. epoch is NULL for objects outside any epoch. */
struct vault_addr {
    const char *type;
    const char *epoch;
    const char *id;
};

#define VAULT_ADDR(type_, id_) (&(const struct vault_addr){(type_), NULL, (id_)})
#define VAULT_ADDR_EPOCH(type_, epoch_, id_) (&(const struct vault_addr){(type_), (epoch_), (id_)})

/* A sorted list of ids (byte order = numeric order of the ids). */
struct vault_ids {
    size_t n;
    char (*id)[VAULT_ID_BUF];
};

/* Releases the list and leaves it empty; NULL is a no-op. */
void vault_ids_free(struct vault_ids *ids);

/* --- opening ------------------------------------------------------------ */

struct vault;

/* vault_file_open / vault_mem_open flags. */
#define VAULT_F_PRIVATE 1u /* files 0600, directories 0700; wipe on free */

enum vault_backend {
    VAULT_BACKEND_FILE = 0,
    VAULT_BACKEND_MEM = 1 /* the reference's "ram" storage */
};

enum vault_kind {
    VAULT_KIND_PUBLIC = 0, /* never encrypted (integrity from signed digests) */
    VAULT_KIND_PRIVATE = 1 /* encrypted at rest unless insecure_plaintext */
};

struct vault_config {
    enum vault_backend backend;
    enum vault_kind kind;
    const char *path;       /* file backend: root directory (created if missing) */
    const char *prefix;     /* e.g. "PUB-p1"; must not start with another kind's name */
    const char *kek_file;   /* private: file holding the KEK (32 raw bytes or 64 hex) */
    const char *kek_env;    /* private: environment variable holding the KEK as hex */
    int insecure_plaintext; /* private without a KEK: only when this is set */
    unsigned chunk_shift;   /* encrypted: log2 chunk size, 0 = default (20) */
};

/* Opens a vault as configured: the backend, wrapped in encryption for a
 * private vault with a KEK. A private vault with neither a KEK nor
 * insecure_plaintext, both at once, or a public vault with a KEK, is
 * KMS_EINVAL. */
int vault_open(struct vault **out, const struct vault_config *cfg) KMS_MUST_CHECK;

/* File backend at {root}/{prefix} (directories created as needed). Removes
 * temp files that crashed writers left behind. */
int vault_file_open(struct vault **out, const char *root, const char *prefix,
                    unsigned flags) KMS_MUST_CHECK;

/* Memory backend (contents die with the vault). */
int vault_mem_open(struct vault **out, const char *prefix, unsigned flags) KMS_MUST_CHECK;

/* Releases the vault (and, for a wrapper, the inner vault). NULL is a no-op. */
void vault_free(struct vault *v);

/* "file", "memory" or "encrypted". */
const char *vault_backend_name(const struct vault *v);
const char *vault_prefix(const struct vault *v);
/* 1 if objects are encrypted at rest. */
int vault_is_encrypted(const struct vault *v);

/* --- whole objects ------------------------------------------------------ */

/* Stores len bytes at a. KMS_EEXIST if a is taken (nothing changed). */
int vault_store(struct vault *v, const struct vault_addr *a, const void *data,
                size_t len) KMS_MUST_CHECK;

/* Appends the object at a to out. KMS_ENOTFOUND if absent; KMS_ELIMIT
 * (nothing read) if it would take out past out->limit; KMS_EVERIFY if an
 * encrypted object does not authenticate. On failure out is as it was.
 * Use buf_init_secret for private material. */
int vault_read(struct vault *v, struct buf *out, const struct vault_addr *a) KMS_MUST_CHECK;

/* 1 if an object is stored at a, 0 if not, negative on error. Does not
 * read the object (no key needed for an encrypted one). */
int vault_exists(struct vault *v, const struct vault_addr *a) KMS_MUST_CHECK;

/* The object's size in bytes. KMS_ENOTFOUND if absent. For an encrypted
 * object this is the plaintext size, from its header (KMS_EVERIFY under a
 * wrong KEK); it is only authenticated by reading the object. */
int vault_size(struct vault *v, uint64_t *size, const struct vault_addr *a) KMS_MUST_CHECK;

/* Removes the object at a (an emptied epoch folder goes too).
 * KMS_ENOTFOUND if absent. */
int vault_delete(struct vault *v, const struct vault_addr *a) KMS_MUST_CHECK;

/* The ids stored under type (epoch NULL) or under type/epoch, sorted.
 * Temp files and names that are not ids are skipped. */
int vault_list(struct vault *v, struct vault_ids *out, const char *type,
               const char *epoch) KMS_MUST_CHECK;

/* The epoch ids that have a folder under type, sorted. */
int vault_list_epochs(struct vault *v, struct vault_ids *out, const char *type) KMS_MUST_CHECK;

/* The reference's purge: deletes id under each of types, at epoch for the
 * epoch-scoped types (skipped when epoch is NULL) and outside any epoch for
 * the others. Absent objects are fine; on other errors it carries on and
 * returns the first one. */
int vault_purge(struct vault *v, const char *id, const char *epoch, const char *const *types,
                size_t n_types) KMS_MUST_CHECK;

/* --- streaming ---------------------------------------------------------- */

/* A writer: feed it chunks, then commit (publishes the object) or abort
 * (discards it). Both consume the writer, whatever they return. After a
 * failed write every later write fails and commit returns that error. */
struct vault_writer;

/* KMS_EEXIST up front if a is already taken. */
int vault_writer_open(struct vault *v, struct vault_writer **out,
                      const struct vault_addr *a) KMS_MUST_CHECK;
int vault_writer_write(struct vault_writer *w, const void *data, size_t len) KMS_MUST_CHECK;
/* KMS_EEXIST if another writer published a first (this one is discarded). */
int vault_writer_commit(struct vault_writer *w) KMS_MUST_CHECK;
/* Discards everything written; NULL is a no-op. */
void vault_writer_abort(struct vault_writer *w);

/* A reader: pull the object in chunks of any size. For an encrypted object
 * each chunk is authenticated before any of its bytes is returned, and the
 * object is only known complete (not truncated) when a read returns 0 with
 * *got == 0; an error from any read means the data must be discarded. */
struct vault_reader;

int vault_reader_open(struct vault *v, struct vault_reader **out,
                      const struct vault_addr *a) KMS_MUST_CHECK;
/* The object's total size in bytes (plaintext). */
uint64_t vault_reader_size(const struct vault_reader *r);
/* Reads up to cap bytes; *got == 0 at the end. */
int vault_reader_read(struct vault_reader *r, void *dst, size_t cap, size_t *got) KMS_MUST_CHECK;
/* Reads exactly n bytes, or fails with KMS_ETRUNC at the end. */
int vault_reader_read_exact(struct vault_reader *r, void *dst, size_t n) KMS_MUST_CHECK;
/* NULL is a no-op. */
void vault_reader_close(struct vault_reader *r);

/* --- encryption at rest --------------------------------------------------- */

#define VAULT_KEK_BYTES 32

/* A key-encryption key, held in locked memory and wiped on free. */
struct vault_kek;

int vault_kek_from_bytes(struct vault_kek **out, const uint8_t *key, size_t len) KMS_MUST_CHECK;
/* 64 hex digits (an optional "0x" and surrounding white space allowed). */
int vault_kek_from_hex(struct vault_kek **out, const char *hex) KMS_MUST_CHECK;
/* A file holding 32 raw bytes or 64 hex digits. A file readable by group or
 * others is accepted with a warning. */
int vault_kek_from_file(struct vault_kek **out, const char *path) KMS_MUST_CHECK;
/* An environment variable holding 64 hex digits. */
int vault_kek_from_env(struct vault_kek **out, const char *var) KMS_MUST_CHECK;
/* Creates a new file (mode 0600, never overwriting) holding a fresh random
 * KEK as 64 hex digits and a newline. */
int vault_kek_create_file(const char *path) KMS_MUST_CHECK;
/* NULL is a no-op. */
void vault_kek_free(struct vault_kek *kek);

/* The default and allowed log2 chunk sizes of encrypted objects. */
#define VAULT_CRYPT_CHUNK_SHIFT_DEFAULT 20
#define VAULT_CRYPT_CHUNK_SHIFT_MIN 6
#define VAULT_CRYPT_CHUNK_SHIFT_MAX 24

/* Wraps inner so that every object is encrypted at rest under kek (copied;
 * the caller may free it). chunk_shift (0 = default) applies to new
 * objects; readers take it from each object's header. The wrapper owns
 * inner from then on, even on failure. */
int vault_crypt_wrap(struct vault **out, struct vault *inner, const struct vault_kek *kek,
                     unsigned chunk_shift) KMS_MUST_CHECK;

#endif
