/* The file backend: {root}/{prefix}/{type}/[{epoch}/]{id}, as the reference.
 *
 * A write goes to a temp file in the object's own directory, named
 * ".{id}.partial.{pid}.{token}.{seq}" (hidden, so listings skip it), created
 * with O_EXCL and the vault's file mode. Commit fsyncs it, publishes it with
 * renameat2(RENAME_NOREPLACE), or link()+unlink() where the file system
 * lacks that flag, both of which fail rather than replace an existing
 * object, and fsyncs the directory. So an object is either absent or
 * complete and durable, and of two racing writers exactly one wins.
 *
 * A writer that crashes leaves its temp file. Opening the vault removes the
 * temp files whose writer is gone: a pid that no longer exists, or our own
 * pid with another process's token (a restarted container reuses pids).
 *
 * Every path is resolved from the prefix directory with openat and
 * O_NOFOLLOW, so nothing under the vault can redirect it through a symlink.
 * The vault holds only that directory's fd, so any number of threads can use
 * it at once. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "crypto/entropy.h"
#include "store/vault_impl.h"

#define PARTIAL_TAG ".partial."
#define TMP_NAME_MAX 160

struct file_vault {
    struct vault base;
    int dirfd; /* {root}/{prefix} */
    mode_t file_mode, dir_mode;
    char *path; /* for messages */
};

static int link_publish; /* test hook, see vault_impl.h */

void vault_file_set_link_publish(int on)
{
    __atomic_store_n(&link_publish, on, __ATOMIC_RELAXED);
}

/* --- errors ---------------------------------------------------------------- */

static int io_err(const struct file_vault *fv, const char *what, const char *rel)
{
    int e = errno;
    char msg[128];
    const char *s = strerror_r(e, msg, sizeof msg);
    int code = e == ENOMEM ? KMS_ENOMEM : KMS_EIO;
    return kms_err(code, "vault: cannot %s %s/%s: %s", what, fv->path, rel, s);
}

static int not_found(const struct vault_addr *a)
{
    return kms_err(KMS_ENOTFOUND, "vault: no %s object %s%s%s", a->type,
                   a->epoch != NULL ? a->epoch : "", a->epoch != NULL ? "/" : "", a->id);
}

/* Objects are regular files; a symlink or device in their place is not
 * followed or opened. (A directory there is an epoch folder: "not found".) */
static int not_regular(const struct file_vault *fv, const struct vault_addr *a)
{
    return kms_err(KMS_EIO, "vault: %s/%s/%s is not a regular file", fv->path, a->type, a->id);
}

static void close_keep_errno(int fd)
{
    int e = errno;
    if (fd >= 0)
        (void)close(fd);
    errno = e;
}

/* --- temp names --------------------------------------------------------------- */

static pthread_once_t token_once = PTHREAD_ONCE_INIT;
static uint64_t process_token;
static uint64_t tmp_seq;

static void token_init(void)
{
    if (entropy_fill(&process_token, sizeof process_token) != 0)
        process_token = (uint64_t)getpid() * 0x9e3779b97f4a7c15ull ^ (uint64_t)time(NULL);
    if (process_token == 0)
        process_token = 1;
}

static uint64_t token(void)
{
    pthread_once(&token_once, token_init);
    return process_token;
}

static void tmp_name(char out[TMP_NAME_MAX], const char *id)
{
    uint64_t seq = __atomic_fetch_add(&tmp_seq, 1, __ATOMIC_RELAXED);
    snprintf(out, TMP_NAME_MAX, ".%s" PARTIAL_TAG "%ld.%016llx.%llu", id, (long)getpid(),
             (unsigned long long)token(), (unsigned long long)seq);
}

/* Parses ".{name}.partial.{pid}.{token}.{seq}"; 1 on success. */
static int tmp_parse(const char *name, long *pid, uint64_t *tok)
{
    if (name[0] != '.')
        return 0;
    const char *tag = strstr(name + 1, PARTIAL_TAG);
    if (tag == NULL || tag == name + 1)
        return 0;
    char *end;
    errno = 0;
    long p = strtol(tag + strlen(PARTIAL_TAG), &end, 10);
    if (errno != 0 || *end != '.' || p <= 0)
        return 0;
    const char *t = end + 1;
    unsigned long long tv = strtoull(t, &end, 16);
    if (errno != 0 || end != t + 16 || *end != '.')
        return 0;
    const char *s = end + 1;
    (void)strtoull(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0')
        return 0;
    *pid = p;
    *tok = tv;
    return 1;
}

/* 1 if the writer of a temp file can no longer be running. */
static int tmp_stale(long pid, uint64_t tok)
{
    if (pid == (long)getpid())
        return tok != token();
    if (kill((pid_t)pid, 0) == 0)
        return 0;
    return errno == ESRCH;
}

/* Removes stale temp files in dir; recurses once into subdirectories. */
static void sweep_dir(const struct file_vault *fv, int dir, int depth)
{
    int fd = dup(dir);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (d == NULL) {
        close_keep_errno(fd);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        long pid;
        uint64_t tok;
        if (e->d_type == DT_DIR || (e->d_type == DT_UNKNOWN && e->d_name[0] != '.')) {
            if (depth >= 2 || e->d_name[0] == '.')
                continue;
            int sub = openat(dir, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub >= 0) {
                sweep_dir(fv, sub, depth + 1);
                close(sub);
            }
        } else if (tmp_parse(e->d_name, &pid, &tok) && tmp_stale(pid, tok)) {
            if (unlinkat(dir, e->d_name, 0) == 0)
                log_info("vault: removed a temp file left by a crashed writer", "dir=%s pid=%ld",
                         fv->path, pid);
        }
    }
    closedir(d);
}

/* --- directories ----------------------------------------------------------------- */

/* Opens parent/name as a directory, creating it when create is set. */
static int open_dir(const struct file_vault *fv, int *out, int parent, const char *name, int create)
{
    *out = -1;
    for (int tries = 0; tries < 2; tries++) {
        int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0) {
            *out = fd;
            return 0;
        }
        if (errno != ENOENT)
            return io_err(fv, "open directory", name);
        if (!create)
            return KMS_ENOTFOUND; /* the caller says what was missing */
        if (mkdirat(parent, name, fv->dir_mode) == 0) {
            if (fsync(parent) != 0)
                return io_err(fv, "sync the parent of", name);
        } else if (errno != EEXIST) {
            return io_err(fv, "create directory", name);
        }
    }
    return io_err(fv, "open directory", name);
}

/* The directory holding a's object (type or type/epoch). */
static int open_leaf(const struct file_vault *fv, int *out, const struct vault_addr *a, int create)
{
    int tdir;
    KMS_TRY(open_dir(fv, &tdir, fv->dirfd, a->type, create));
    if (a->epoch == NULL) {
        *out = tdir;
        return 0;
    }
    int rc = open_dir(fv, out, tdir, a->epoch, create);
    close(tdir);
    return rc;
}

/* --- writer ------------------------------------------------------------------------ */

struct file_writer {
    struct vault_writer base;
    struct file_vault *fv;
    int dir, fd;
    char tmp[TMP_NAME_MAX];
    char id[VAULT_ID_BUF];
};

static int file_write(struct vault_writer *w, const uint8_t *data, size_t len)
{
    struct file_writer *fw = (struct file_writer *)w;
    while (len > 0) {
        ssize_t n = write(fw->fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return io_err(fw->fv, "write", fw->tmp);
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

static void file_abort(struct vault_writer *w)
{
    struct file_writer *fw = (struct file_writer *)w;
    if (fw->fd >= 0)
        close(fw->fd);
    if (fw->tmp[0] != '\0')
        (void)unlinkat(fw->dir, fw->tmp, 0);
    if (fw->dir >= 0)
        close(fw->dir);
    free(fw);
}

/* Moves tmp to id without ever replacing id: 0, KMS_EEXIST, or an error. */
static int publish(struct file_writer *fw)
{
    if (!__atomic_load_n(&link_publish, __ATOMIC_RELAXED)) {
        if (renameat2(fw->dir, fw->tmp, fw->dir, fw->id, RENAME_NOREPLACE) == 0) {
            fw->tmp[0] = '\0';
            return 0;
        }
        if (errno == EEXIST)
            return KMS_EEXIST;
        if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
            return io_err(fw->fv, "publish", fw->id);
    }
    if (linkat(fw->dir, fw->tmp, fw->dir, fw->id, 0) != 0)
        return errno == EEXIST ? KMS_EEXIST : io_err(fw->fv, "publish", fw->id);
    /* A left-over name would be swept by the next process; harmless. */
    (void)unlinkat(fw->dir, fw->tmp, 0);
    fw->tmp[0] = '\0';
    return 0;
}

static int file_commit(struct vault_writer *w)
{
    struct file_writer *fw = (struct file_writer *)w;
    int rc = 0;
    if (fsync(fw->fd) != 0)
        rc = io_err(fw->fv, "sync", fw->tmp);
    if (close(fw->fd) != 0 && rc == 0)
        rc = io_err(fw->fv, "close", fw->tmp);
    fw->fd = -1;
    if (rc == 0) {
        rc = publish(fw);
        if (rc == KMS_EEXIST)
            rc = kms_err(KMS_EEXIST, "vault: %s/%s already exists; nothing was overwritten",
                         fw->fv->path, fw->id);
    }
    /* The directory entry is what makes the object durable. */
    if (rc == 0 && fsync(fw->dir) != 0)
        rc = io_err(fw->fv, "sync the directory of", fw->id);
    file_abort(w); /* removes the temp file if it is still there */
    return rc;
}

static const struct vault_writer_ops file_writer_ops = {file_write, file_commit, file_abort};

static int taken(const struct file_vault *fv, int dir, const struct vault_addr *a)
{
    struct stat st;
    if (fstatat(dir, a->id, &st, AT_SYMLINK_NOFOLLOW) == 0)
        return kms_err(KMS_EEXIST, "vault: %s/%s/%s already exists%s; nothing was overwritten",
                       fv->path, a->type, a->id,
                       S_ISDIR(st.st_mode) ? " (as an epoch folder)" : "");
    return errno == ENOENT ? 0 : io_err(fv, "inspect", a->id);
}

static int file_writer_open(struct vault *v, struct vault_writer **out, const struct vault_addr *a)
{
    struct file_vault *fv = (struct file_vault *)v;
    struct file_writer *fw = calloc(1, sizeof *fw);
    if (fw == NULL)
        return kms_err(KMS_ENOMEM, "vault: out of memory");
    fw->base.ops = &file_writer_ops;
    fw->fv = fv;
    fw->dir = fw->fd = -1;
    snprintf(fw->id, sizeof fw->id, "%s", a->id);
    int rc = 0;
    /* An emptied epoch folder may vanish under us (vault_delete): retry. */
    for (int tries = 0; tries < 3; tries++) {
        rc = open_leaf(fv, &fw->dir, a, 1);
        if (rc == 0)
            rc = taken(fv, fw->dir, a);
        if (rc < 0)
            break;
        tmp_name(fw->tmp, a->id);
        fw->fd = openat(fw->dir, fw->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                        fv->file_mode);
        if (fw->fd >= 0)
            break;
        int e = errno;
        rc = io_err(fv, "create a temp file for", a->id);
        if (e != ENOENT)
            break;
        close(fw->dir);
        fw->dir = -1;
    }
    if (rc < 0 || fw->fd < 0) {
        fw->tmp[0] = '\0';
        file_abort(&fw->base);
        return rc < 0 ? rc : kms_err(KMS_EIO, "vault: cannot create a temp file");
    }
    *out = &fw->base;
    return 0;
}

/* --- reader -------------------------------------------------------------------------- */

struct file_reader {
    struct vault_reader base;
    struct file_vault *fv;
    int fd;
    uint64_t pos;
};

static int file_read(struct vault_reader *r, uint8_t *dst, size_t cap, size_t *got)
{
    struct file_reader *fr = (struct file_reader *)r;
    uint64_t left = r->size - fr->pos;
    if (cap > left)
        cap = (size_t)left;
    size_t n = 0;
    while (n < cap) {
        ssize_t k = read(fr->fd, dst + n, cap - n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return io_err(fr->fv, "read", "object");
        if (k == 0)
            break; /* shorter than at open: read_exact reports it */
        n += (size_t)k;
    }
    fr->pos += n;
    *got = n;
    return 0;
}

static void file_close(struct vault_reader *r)
{
    struct file_reader *fr = (struct file_reader *)r;
    close(fr->fd);
    free(fr);
}

static const struct vault_reader_ops file_reader_ops = {file_read, file_close};

/* Opens a's object for reading (O_NOFOLLOW), a regular file. */
static int open_object(const struct file_vault *fv, int *fd_out, struct stat *st,
                       const struct vault_addr *a)
{
    int dir;
    int rc = open_leaf(fv, &dir, a, 0);
    if (rc == KMS_ENOTFOUND)
        return not_found(a);
    KMS_TRY(rc);
    int fd = openat(dir, a->id, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        rc = errno == ENOENT ? not_found(a) : io_err(fv, "open", a->id);
    } else if (fstat(fd, st) != 0) {
        rc = io_err(fv, "inspect", a->id);
    } else if (S_ISDIR(st->st_mode)) {
        rc = not_found(a); /* an epoch folder, not an object */
    } else if (!S_ISREG(st->st_mode)) {
        rc = not_regular(fv, a);
    }
    close(dir);
    if (rc < 0) {
        if (fd >= 0)
            close(fd);
        return rc;
    }
    *fd_out = fd;
    return 0;
}

static int file_reader_open(struct vault *v, struct vault_reader **out, const struct vault_addr *a)
{
    struct file_vault *fv = (struct file_vault *)v;
    struct file_reader *fr = calloc(1, sizeof *fr);
    if (fr == NULL)
        return kms_err(KMS_ENOMEM, "vault: out of memory");
    struct stat st;
    int rc = open_object(fv, &fr->fd, &st, a);
    if (rc < 0) {
        free(fr);
        return rc;
    }
    (void)posix_fadvise(fr->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    fr->base.ops = &file_reader_ops;
    fr->base.size = (uint64_t)st.st_size;
    fr->fv = fv;
    *out = &fr->base;
    return 0;
}

/* --- the rest -------------------------------------------------------------------------- */

static int file_stat(struct vault *v, uint64_t *size, const struct vault_addr *a)
{
    struct file_vault *fv = (struct file_vault *)v;
    int dir;
    int rc = open_leaf(fv, &dir, a, 0);
    if (rc == KMS_ENOTFOUND)
        return not_found(a);
    KMS_TRY(rc);
    struct stat st;
    if (fstatat(dir, a->id, &st, AT_SYMLINK_NOFOLLOW) != 0)
        rc = errno == ENOENT ? not_found(a) : io_err(fv, "inspect", a->id);
    else if (S_ISDIR(st.st_mode))
        rc = not_found(a);
    else if (!S_ISREG(st.st_mode))
        rc = not_regular(fv, a);
    else
        *size = (uint64_t)st.st_size;
    close(dir);
    return rc;
}

/* 1 if dir/name is a regular file (want_dir 0) or a directory (1). */
static int entry_is(int dir, const struct dirent *e, int want_dir)
{
    unsigned char t = e->d_type;
    if (t == DT_UNKNOWN) {
        struct stat st;
        if (fstatat(dir, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            return 0;
        t = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
    }
    return want_dir ? t == DT_DIR : t == DT_REG;
}

static int file_list(struct vault *v, struct vault_ids *out, const char *type, const char *epoch,
                     int epochs)
{
    struct file_vault *fv = (struct file_vault *)v;
    struct vault_addr a = {type, epoch, NULL};
    int dir;
    int rc = open_leaf(fv, &dir, &a, 0);
    if (rc == KMS_ENOTFOUND)
        return 0; /* nothing stored yet */
    KMS_TRY(rc);
    DIR *d = fdopendir(dir);
    if (d == NULL) {
        rc = io_err(fv, "list", type);
        close(dir);
        return rc;
    }
    for (;;) {
        errno = 0;
        struct dirent *e = readdir(d);
        if (e == NULL) {
            if (errno != 0)
                rc = io_err(fv, "list", type);
            break;
        }
        if (e->d_name[0] == '.')
            continue; /* ".", "..", temp files */
        if (!vault_id_ok(e->d_name)) {
            log_warn("vault: ignoring a file that is not an object", "dir=%s type=%s", fv->path,
                     type);
            continue;
        }
        /* objects are files, epochs folders; an epoch folder sits next to
         * the objects outside any epoch */
        if (!entry_is(dirfd(d), e, epochs))
            continue;
        rc = vault_ids_push(out, e->d_name);
        if (rc < 0)
            break;
    }
    closedir(d);
    return rc;
}

static int file_remove(struct vault *v, const struct vault_addr *a)
{
    struct file_vault *fv = (struct file_vault *)v;
    int dir;
    int rc = open_leaf(fv, &dir, a, 0);
    if (rc == KMS_ENOTFOUND)
        return not_found(a);
    KMS_TRY(rc);
    struct stat st;
    if (fstatat(dir, a->id, &st, AT_SYMLINK_NOFOLLOW) != 0)
        rc = errno == ENOENT ? not_found(a) : io_err(fv, "inspect", a->id);
    else if (S_ISDIR(st.st_mode))
        rc = not_found(a);
    else if (!S_ISREG(st.st_mode))
        rc = not_regular(fv, a);
    else if (unlinkat(dir, a->id, 0) != 0)
        rc = errno == ENOENT ? not_found(a) : io_err(fv, "delete", a->id);
    else if (fsync(dir) != 0)
        rc = io_err(fv, "sync the directory of", a->id);
    close(dir);
    if (rc < 0 || a->epoch == NULL)
        return rc;
    /* Like the reference, drop the epoch folder once it is empty; a folder
     * still holding objects or a writer's temp file stays. */
    int tdir;
    if (open_dir(fv, &tdir, fv->dirfd, a->type, 0) == 0) {
        if (unlinkat(tdir, a->epoch, AT_REMOVEDIR) == 0)
            (void)fsync(tdir);
        close(tdir);
    }
    return 0;
}

static void file_destroy(struct vault *v)
{
    struct file_vault *fv = (struct file_vault *)v;
    if (fv->dirfd >= 0)
        close(fv->dirfd);
    free(fv->path);
    free(fv);
}

static const struct vault_ops file_ops = {
    "file",    file_writer_open, file_reader_open, file_stat, vault_exists_by_stat,
    file_list, file_remove,      file_destroy,
};

/* --- opening ------------------------------------------------------------------------------ */

static int path_err(const char *what, const char *path)
{
    char msg[128];
    const char *s = strerror_r(errno, msg, sizeof msg);
    return kms_err(KMS_EIO, "vault: cannot %s %s: %s", what, path, s);
}

/* mkdir -p root; existing components are fine. */
static int make_root(const char *root)
{
    size_t n = strlen(root);
    char *p = malloc(n + 1);
    if (p == NULL)
        return kms_err(KMS_ENOMEM, "vault: out of memory");
    memcpy(p, root, n + 1);
    int rc = 0;
    for (size_t i = 1; i <= n && rc == 0; i++) {
        if (p[i] != '/' && p[i] != '\0')
            continue;
        char c = p[i];
        p[i] = '\0';
        if (mkdir(p, 0755) != 0 && errno != EEXIST)
            rc = path_err("create directory", p);
        p[i] = c;
    }
    free(p);
    return rc;
}

static int open_prefix(struct file_vault *fv, const char *root, const char *prefix)
{
    KMS_TRY(make_root(root));
    int rfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (rfd < 0)
        return path_err("open directory", root);
    int rc = open_dir(fv, &fv->dirfd, rfd, prefix, 1);
    close(rfd);
    KMS_TRY(rc);
    struct stat st;
    if (fstat(fv->dirfd, &st) == 0 && fv->file_mode == 0600 && (st.st_mode & 077) != 0)
        log_warn("vault: the private vault's directory is accessible to group or others",
                 "dir=%s mode=%03o", fv->path, (unsigned)(st.st_mode & 0777));
    return 0;
}

int vault_file_open(struct vault **out, const char *root, const char *prefix, unsigned flags)
{
    *out = NULL;
    KMS_TRY(vault_prefix_check(prefix));
    if (root == NULL || root[0] == '\0')
        return kms_err(KMS_EINVAL, "vault: the file backend needs a root directory");
    struct file_vault *fv = calloc(1, sizeof *fv);
    size_t plen = strlen(root) + 1 + strlen(prefix) + 1;
    char *path = malloc(plen);
    if (fv == NULL || path == NULL) {
        free(fv);
        free(path);
        return kms_err(KMS_ENOMEM, "vault: out of memory");
    }
    snprintf(path, plen, "%s/%s", root, prefix);
    vault_init_base(&fv->base, &file_ops, prefix, flags);
    fv->path = path;
    fv->dirfd = -1;
    fv->file_mode = (flags & VAULT_F_PRIVATE) ? 0600 : 0644;
    fv->dir_mode = (flags & VAULT_F_PRIVATE) ? 0700 : 0755;
    int rc = open_prefix(fv, root, prefix);
    if (rc < 0) {
        file_destroy(&fv->base);
        return rc;
    }
    sweep_dir(fv, fv->dirfd, 0);
    *out = &fv->base;
    return 0;
}
