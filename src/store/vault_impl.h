/* What a vault backend implements (internal to src/store and its tests).
 *
 * vault.c validates every address before calling a backend, keeps the
 * sticky writer error and implements whole-object store/read on top of the
 * streaming operations, so a backend only moves bytes. */
#ifndef CKMS_STORE_VAULT_IMPL_H
#define CKMS_STORE_VAULT_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "store/vault.h"

struct vault_ops {
    const char *name;
    /* A fresh writer for a (KMS_EEXIST when a is taken). */
    int (*writer_open)(struct vault *v, struct vault_writer **out, const struct vault_addr *a);
    /* A reader positioned at the start, with size set. */
    int (*reader_open)(struct vault *v, struct vault_reader **out, const struct vault_addr *a);
    /* Stored size, KMS_ENOTFOUND when absent. */
    int (*stat)(struct vault *v, uint64_t *size, const struct vault_addr *a);
    /* 1 / 0 / error, without reading the object. */
    int (*exists)(struct vault *v, const struct vault_addr *a);
    /* Appends (unsorted) ids stored under type[/epoch]; epochs != 0 lists
     * the epoch folders of type instead (epoch is NULL then). */
    int (*list)(struct vault *v, struct vault_ids *out, const char *type, const char *epoch,
                int epochs);
    int (*remove)(struct vault *v, const struct vault_addr *a);
    void (*destroy)(struct vault *v);
};

struct vault {
    const struct vault_ops *ops;
    char prefix[VAULT_NAME_MAX + 1];
    unsigned flags;
    int encrypted;
};

struct vault_writer_ops {
    int (*write)(struct vault_writer *w, const uint8_t *data, size_t len);
    /* Publishes and frees the writer. */
    int (*commit)(struct vault_writer *w);
    /* Discards and frees the writer. */
    void (*abort)(struct vault_writer *w);
};

struct vault_writer {
    const struct vault_writer_ops *ops;
    int err; /* first write error, kept by vault.c */
};

struct vault_reader_ops {
    /* Up to cap bytes (cap > 0); *got == 0 only at the end. */
    int (*read)(struct vault_reader *r, uint8_t *dst, size_t cap, size_t *got);
    void (*close)(struct vault_reader *r);
};

struct vault_reader {
    const struct vault_reader_ops *ops;
    uint64_t size;
};

/* Fills the common part of a new vault. */
void vault_init_base(struct vault *v, const struct vault_ops *ops, const char *prefix,
                     unsigned flags);

/* An exists operation from the stat operation. */
int vault_exists_by_stat(struct vault *v, const struct vault_addr *a);

/* Appends name to ids. */
int vault_ids_push(struct vault_ids *ids, const char *name) KMS_MUST_CHECK;

/* 1 if s is a valid id (no error message set), else 0. */
int vault_id_ok(const char *s);

/* The 32 bytes of a KEK (for vault_crypt.c). */
const uint8_t *vault_kek_bytes(const struct vault_kek *kek);

/* Layout of an encrypted object (vault_crypt.c):
 *
 *   header (64 bytes)
 *     0  magic "CKVE"          4  version (1)       5  algorithm (1)
 *     6  log2 chunk size       7  zero
 *     8  salt (32)            40  nonce prefix (7)  47  zero
 *    48  key check (16)
 *   then N >= 1 chunks, each AES-256-GCM(ciphertext ‖ 16-byte tag):
 *     chunks 0..N-2 hold exactly one chunk of plaintext, the last 0..chunk
 *     bytes (0 only when N = 1).
 *
 *   key ‖ key check = SHAKE256(label ‖ KEK ‖ header[0..48])[0..48]
 *   nonce(i)        = nonce prefix ‖ u32be(i) ‖ (i == N-1 ? 1 : 0)
 *   AAD             = header ‖ u8 len ‖ type ‖ u8 len ‖ epoch ‖ u8 len ‖ id
 */
#define VAULT_CRYPT_HEADER_BYTES 64
#define VAULT_CRYPT_TAG_BYTES 16

/* Test hook of the file backend: 1 publishes with link()+unlink() as on
 * file systems without renameat2(RENAME_NOREPLACE), 0 (default) tries
 * renameat2 first. */
void vault_file_set_link_publish(int on);

#endif
