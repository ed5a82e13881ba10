/* Error codes shared by every layer, with a short thread-local message.
 *
 * Functions return int: 0 on success, a negative KMS_E* code on failure.
 * The failing function records a human-readable reason with kms_err(), which
 * returns the code so that `return kms_err(KMS_EINVAL, "...");` reads well.
 * Messages never contain secrets. */
#ifndef CKMS_BASE_ERROR_H
#define CKMS_BASE_ERROR_H

#define KMS_MUST_CHECK __attribute__((warn_unused_result))

enum kms_error {
    KMS_OK = 0,
    KMS_EINVAL = -1,      /* malformed or out-of-range input */
    KMS_ELIMIT = -2,      /* input larger than the configured limit */
    KMS_ETRUNC = -3,      /* input ended early */
    KMS_EVERIFY = -4,     /* a signature, tag or checksum did not verify */
    KMS_ENOMEM = -5,      /* allocation failed */
    KMS_ENOTFOUND = -6,   /* unknown key, request or object */
    KMS_EEXIST = -7,      /* already exists; nothing was overwritten */
    KMS_EIO = -8,         /* storage or OS failure */
    KMS_EUNAVAIL = -9,    /* not ready yet; retry later */
    KMS_EFULL = -10,      /* capacity reached; retry later */
    KMS_EABORTED = -11,   /* operation aborted */
    KMS_EPRECOND = -12,   /* wrong state for this operation */
    KMS_EUNIMPL = -13,    /* not implemented */
    KMS_ETIMEOUT = -14,   /* deadline passed */
    KMS_EINTERNAL = -15,  /* broken invariant or library failure */
    KMS_ECRYPTO = -16     /* a cryptographic primitive failed (e.g. no entropy) */
};

/* Propagates a negative result: `KMS_TRY(reader_u8(r, &v));` */
#define KMS_TRY(expr)                                                          \
    do {                                                                       \
        int kms_try_rc_ = (expr);                                              \
        if (kms_try_rc_ < 0)                                                   \
            return kms_try_rc_;                                                \
    } while (0)

/* Records `fmt` as this thread's error message and returns `code`. */
int kms_err(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prefixes the current message with `prefix: ` (adds context on the way up)
 * and returns `code` unchanged. */
int kms_err_wrap(int code, const char *prefix);

/* This thread's last message ("" when none). Valid until the next kms_err. */
const char *kms_err_msg(void);

/* Clears this thread's message. */
void kms_err_clear(void);

/* Stable lower-case name of a code, e.g. "invalid_argument". */
const char *kms_err_name(int code);

/* The gRPC status code (grpc_status_code numbering) a code maps to. */
int kms_err_grpc_status(int code);

#endif
