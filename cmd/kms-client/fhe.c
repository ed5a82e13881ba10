/* `kms-client fhe`: dispatch to the subcommands, error reporting, and the
 * file handling they share (secrets in secmem, outputs never overwritten). */
#include "fhe.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/secmem.h"
#include "kms_client.h"

static void group_usage(FILE *f)
{
    fprintf(f,
            "usage: kms-client fhe SUBCOMMAND [options]   (kms-client fhe SUBCOMMAND --help)\n"
            "\n"
            "Offline TFHE tools over the TFHE-rs 1.7 byte formats (safe_serialize).\n"
            "\n"
            "subcommands:\n"
            "  keygen    generate client_key.bin, public_key.bin and server_key.bin\n"
            "  encrypt   encrypt a value with a public key or a client key\n"
            "  decrypt   decrypt a ciphertext object with a client key\n"
            "  inspect   print an object's type, versions, parameters and size\n"
            "\n"
            "exit status: 0 success, 1 the operation failed, 2 bad usage\n");
}

int cmd_fhe(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } subs[] = {
        {"keygen", fhe_keygen},
        {"encrypt", fhe_encrypt},
        {"decrypt", fhe_decrypt},
        {"inspect", fhe_inspect},
    };
    if (argc < 2) {
        group_usage(stderr);
        return FHE_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        group_usage(stdout);
        return FHE_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        if (strcmp(argv[1], subs[i].name) == 0) {
            optind = 0; /* a fresh getopt scan for the subcommand */
            opterr = 0;
            return subs[i].fn(argc - 1, argv + 1);
        }
    fprintf(stderr, "kms-client fhe: unknown subcommand '%s'\n", argv[1]);
    group_usage(stderr);
    return FHE_EXIT_USAGE;
}

/* ---- errors ---- */

int fhe_fail(const char *cmd, int rc)
{
    const char *msg = kms_err_msg();
    fprintf(stderr, "kms-client fhe %s: %s\n", cmd, msg[0] != 0 ? msg : kms_err_name(rc));
    return FHE_EXIT_FAIL;
}

int fhe_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "kms-client fhe %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (kms-client fhe %s --help)\n", cmd);
    return FHE_EXIT_USAGE;
}

int fhe_bad_option(const char *cmd, char **argv)
{
    /* getopt has stepped past the option it did not accept */
    const char *opt = optind > 0 ? argv[optind - 1] : "?";
    return fhe_usage_error(cmd, "unknown option, or option without its value: %s", opt);
}

int fhe_exit(const char *cmd, int rc)
{
    return rc < 0 ? fhe_fail(cmd, rc) : FHE_EXIT_OK;
}

int fhe_getopt(const char *cmd, int *status, int argc, char **argv, const struct option *longs,
               void (*usage)(FILE *))
{
    int c = getopt_long(argc, argv, ":h", longs, NULL);
    *status = 0;
    if (c == 'h') {
        usage(stdout);
        *status = -1;
        return -1;
    }
    if (c == '?' || c == ':') {
        *status = fhe_bad_option(cmd, argv);
        return -1;
    }
    if (c == -1 && optind < argc)
        *status = fhe_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    return c;
}

/* ---- input files ---- */

static int load_secret(struct fhe_file *f, int fd, const char *path)
{
    f->data = secmem_alloc(f->len > 0 ? f->len : 1);
    if (f->data == NULL)
        return kms_err(KMS_ENOMEM, "out of memory reading %s", path);
    size_t got = 0;
    while (got < f->len) {
        ssize_t n = read(fd, f->data + got, f->len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return kms_err(KMS_EIO, "cannot read %s: %s", path,
                           n < 0 ? strerror(errno) : "file shrank");
        got += (size_t)n;
    }
    return 0;
}

int fhe_file_load(struct fhe_file *f, const char *path, int secret)
{
    struct stat st;
    memset(f, 0, sizeof *f);
    f->secret = secret;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return kms_err(errno == ENOENT ? KMS_ENOTFOUND : KMS_EIO, "cannot open %s: %s", path,
                       strerror(errno));
    int rc = 0;
    if (fstat(fd, &st) != 0)
        rc = kms_err(KMS_EIO, "cannot stat %s: %s", path, strerror(errno));
    else if (!S_ISREG(st.st_mode))
        rc = kms_err(KMS_EINVAL, "%s is not a regular file", path);
    else if ((uint64_t)st.st_size > FHE_SIZE_LIMIT)
        rc = kms_err(KMS_ELIMIT, "%s is larger than any TFHE object (%lld bytes)", path,
                     (long long)st.st_size);
    if (rc == 0) {
        f->len = (size_t)st.st_size;
        if (secret) {
            rc = load_secret(f, fd, path);
        } else if (f->len > 0) {
            void *p = mmap(NULL, f->len, PROT_READ, MAP_PRIVATE, fd, 0);
            if (p == MAP_FAILED)
                rc = kms_err(KMS_EIO, "cannot map %s: %s", path, strerror(errno));
            else {
                f->data = p;
                f->mapped = 1;
            }
        }
    }
    close(fd);
    if (rc < 0)
        fhe_file_unload(f);
    return rc;
}

void fhe_file_unload(struct fhe_file *f)
{
    if (f->mapped)
        munmap(f->data, f->len);
    else if (f->secret)
        secmem_free(f->data); /* wipes */
    else
        free(f->data);
    memset(f, 0, sizeof *f);
}

/* Larger than any client key (the default set's is 220 KB): a bigger file
 * is something else and is not copied into locked memory. */
#define FHE_CLIENT_KEY_MAX ((size_t)64 << 20)

int fhe_load_client_key(struct wire_client_key *ck, const char *path)
{
    struct fhe_file f;
    const char *name;
    size_t name_len;
    memset(ck, 0, sizeof *ck);
    /* what the file is, before its bytes are copied anywhere */
    KMS_TRY(fhe_file_load(&f, path, 0));
    int rc = wire_peek_name(f.data, f.len, &name, &name_len);
    if (rc < 0)
        rc = kms_err_wrap(rc, path);
    else if (!wire_name_is(name, name_len, WIRE_NAME_CLIENT_KEY))
        rc = kms_err(KMS_EINVAL, "%s is a %.*s, not a client key (%s)", path, (int)name_len,
                     name, WIRE_NAME_CLIENT_KEY);
    else if (f.len > FHE_CLIENT_KEY_MAX)
        rc = kms_err(KMS_ELIMIT, "%s: %zu bytes is too large for a client key", path, f.len);
    fhe_file_unload(&f);
    KMS_TRY(rc);
    KMS_TRY(fhe_file_load(&f, path, 1));
    rc = wire_client_key_read(ck, f.data, f.len, FHE_SIZE_LIMIT);
    fhe_file_unload(&f);
    if (rc < 0)
        return kms_err_wrap(rc, path);
    return 0;
}

/* ---- output files ---- */

#define FHE_VBUF 65536

int fhe_out_open(struct fhe_out *o, const char *path, int force, int private_file)
{
    memset(o, 0, sizeof *o);
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (force ? O_TRUNC : O_EXCL);
    int fd = open(path, flags, private_file ? 0600 : 0644);
    if (fd < 0) {
        if (errno == EEXIST)
            return kms_err(KMS_EEXIST, "%s exists; refusing to overwrite it (use --force)",
                           path);
        return kms_err(KMS_EIO, "cannot create %s: %s", path, strerror(errno));
    }
    if (force && private_file)
        (void)fchmod(fd, 0600); /* an existing file keeps its mode otherwise */
    o->f = fdopen(fd, "wb");
    o->path = strdup(path);
    if (o->f == NULL || o->path == NULL) {
        if (o->f != NULL)
            fclose(o->f);
        else
            close(fd);
        unlink(path);
        free(o->path);
        memset(o, 0, sizeof *o);
        return kms_err(KMS_ENOMEM, "cannot open %s for writing", path);
    }
    if (private_file) {
        o->vbuf = secmem_alloc(FHE_VBUF);
        if (o->vbuf == NULL || setvbuf(o->f, (char *)o->vbuf, _IOFBF, FHE_VBUF) != 0)
            return fhe_out_close(o, kms_err(KMS_ENOMEM, "out of memory"));
    }
    return 0;
}

int fhe_out_close(struct fhe_out *o, int rc)
{
    if (o->f == NULL)
        return rc;
    if (fclose(o->f) != 0 && rc == 0)
        rc = kms_err(KMS_EIO, "cannot write %s: %s", o->path, strerror(errno));
    if (rc < 0)
        unlink(o->path);
    secmem_free(o->vbuf); /* after fclose: stdio no longer uses it */
    free(o->path);
    memset(o, 0, sizeof *o);
    return rc;
}
