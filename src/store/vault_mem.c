/* The memory backend: objects in a sorted table under one mutex.
 *
 * An object's bytes live in a chain of segments, so a streaming write of
 * hundreds of MB never reallocates (and so never briefly holds two copies).
 * Committed objects are immutable and reference-counted: a reader keeps its
 * object alive even if it is deleted meanwhile. A writer builds its object
 * privately and inserts it under the lock at commit, where the no-overwrite
 * rule is decided. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/secmem.h"
#include "store/vault_impl.h"

#define SEG_MIN 4096
#define SEG_MAX (1u << 20)

struct mem_seg {
    struct mem_seg *next;
    size_t len, cap;
    uint8_t data[];
};

struct mem_obj {
    char type[VAULT_NAME_MAX + 1];
    char epoch[VAULT_ID_BUF]; /* "" outside any epoch */
    char id[VAULT_ID_BUF];
    uint64_t size;
    struct mem_seg *head, *tail;
    int secret;
    unsigned refs; /* atomic: the table's reference plus one per reader */
};

struct mem_vault {
    struct vault base;
    pthread_mutex_t lock;
    struct mem_obj **objs; /* sorted by (type, epoch, id) */
    size_t n, cap;
};

static void obj_unref(struct mem_obj *o)
{
    if (o == NULL || __atomic_sub_fetch(&o->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    for (struct mem_seg *s = o->head, *next; s != NULL; s = next) {
        next = s->next;
        if (o->secret)
            secmem_wipe(s->data, s->len);
        free(s);
    }
    free(o);
}

static int key_cmp(const struct mem_obj *o, const char *type, const char *epoch, const char *id)
{
    int c = strcmp(o->type, type);
    if (c == 0)
        c = strcmp(o->epoch, epoch != NULL ? epoch : "");
    if (c == 0)
        c = strcmp(o->id, id);
    return c;
}

/* Index of the key, or where it would go (*found = 0). Lock held. */
static size_t find(const struct mem_vault *mv, const struct vault_addr *a, int *found)
{
    size_t lo = 0, hi = mv->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = key_cmp(mv->objs[mid], a->type, a->epoch, a->id);
        if (c == 0) {
            *found = 1;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = 0;
    return lo;
}

/* --- writer --------------------------------------------------------------- */

struct mem_writer {
    struct vault_writer base;
    struct mem_vault *mv;
    struct mem_obj *obj; /* private until commit */
};

static int mem_write(struct vault_writer *w, const uint8_t *data, size_t len)
{
    struct mem_obj *o = ((struct mem_writer *)w)->obj;
    while (len > 0) {
        struct mem_seg *t = o->tail;
        if (t == NULL || t->len == t->cap) {
            size_t cap = o->size < SEG_MIN ? SEG_MIN : o->size > SEG_MAX ? SEG_MAX : o->size;
            struct mem_seg *s = malloc(sizeof *s + cap);
            if (s == NULL)
                return kms_err(KMS_ENOMEM, "vault: out of memory storing an object");
            s->next = NULL;
            s->len = 0;
            s->cap = cap;
            if (t == NULL)
                o->head = s;
            else
                t->next = s;
            o->tail = t = s;
        }
        size_t n = t->cap - t->len < len ? t->cap - t->len : len;
        memcpy(t->data + t->len, data, n);
        t->len += n;
        o->size += n;
        data += n;
        len -= n;
    }
    return 0;
}

static void mem_abort(struct vault_writer *w)
{
    struct mem_writer *mw = (struct mem_writer *)w;
    obj_unref(mw->obj);
    free(mw);
}

static int mem_commit(struct vault_writer *w)
{
    struct mem_writer *mw = (struct mem_writer *)w;
    struct mem_vault *mv = mw->mv;
    struct mem_obj *o = mw->obj;
    struct vault_addr a = {o->type, o->epoch[0] != '\0' ? o->epoch : NULL, o->id};
    int rc = 0, found;
    pthread_mutex_lock(&mv->lock);
    size_t at = find(mv, &a, &found);
    if (found) {
        rc = kms_err(KMS_EEXIST, "vault: %s/%s already exists; nothing was overwritten", o->type,
                     o->id);
    } else if (mv->n == mv->cap) {
        size_t cap = mv->cap == 0 ? 16 : mv->cap * 2;
        void *p = realloc(mv->objs, cap * sizeof mv->objs[0]);
        if (p == NULL) {
            rc = kms_err(KMS_ENOMEM, "vault: out of memory");
        } else {
            mv->objs = p;
            mv->cap = cap;
        }
    }
    if (rc == 0) {
        memmove(mv->objs + at + 1, mv->objs + at, (mv->n - at) * sizeof mv->objs[0]);
        mv->objs[at] = o;
        mv->n++;
        mw->obj = NULL; /* the table holds the reference now */
    }
    pthread_mutex_unlock(&mv->lock);
    mem_abort(w);
    return rc;
}

static const struct vault_writer_ops mem_writer_ops = {mem_write, mem_commit, mem_abort};

static int mem_writer_open(struct vault *v, struct vault_writer **out, const struct vault_addr *a)
{
    struct mem_vault *mv = (struct mem_vault *)v;
    int found;
    pthread_mutex_lock(&mv->lock);
    (void)find(mv, a, &found);
    pthread_mutex_unlock(&mv->lock);
    if (found)
        return kms_err(KMS_EEXIST, "vault: %s/%s already exists; nothing was overwritten", a->type,
                       a->id);
    struct mem_writer *mw = calloc(1, sizeof *mw);
    struct mem_obj *o = calloc(1, sizeof *o);
    if (mw == NULL || o == NULL) {
        free(mw);
        free(o);
        return kms_err(KMS_ENOMEM, "vault: out of memory");
    }
    snprintf(o->type, sizeof o->type, "%s", a->type);
    snprintf(o->epoch, sizeof o->epoch, "%s", a->epoch != NULL ? a->epoch : "");
    snprintf(o->id, sizeof o->id, "%s", a->id);
    o->secret = (v->flags & VAULT_F_PRIVATE) != 0;
    o->refs = 1;
    mw->base.ops = &mem_writer_ops;
    mw->mv = mv;
    mw->obj = o;
    *out = &mw->base;
    return 0;
}

/* --- reader --------------------------------------------------------------- */

struct mem_reader {
    struct vault_reader base;
    struct mem_obj *obj;
    const struct mem_seg *seg;
    size_t off;
};

static int mem_read(struct vault_reader *r, uint8_t *dst, size_t cap, size_t *got)
{
    struct mem_reader *mr = (struct mem_reader *)r;
    size_t n = 0;
    while (n < cap && mr->seg != NULL) {
        size_t take = mr->seg->len - mr->off;
        if (take > cap - n)
            take = cap - n;
        memcpy(dst + n, mr->seg->data + mr->off, take);
        n += take;
        mr->off += take;
        if (mr->off == mr->seg->len) {
            mr->seg = mr->seg->next;
            mr->off = 0;
        }
    }
    *got = n;
    return 0;
}

static void mem_close(struct vault_reader *r)
{
    struct mem_reader *mr = (struct mem_reader *)r;
    obj_unref(mr->obj);
    free(mr);
}

static const struct vault_reader_ops mem_reader_ops = {mem_read, mem_close};

static int not_found(const struct vault_addr *a)
{
    return kms_err(KMS_ENOTFOUND, "vault: no %s object %s%s%s", a->type,
                   a->epoch != NULL ? a->epoch : "", a->epoch != NULL ? "/" : "", a->id);
}

static int mem_reader_open(struct vault *v, struct vault_reader **out, const struct vault_addr *a)
{
    struct mem_vault *mv = (struct mem_vault *)v;
    struct mem_reader *mr = calloc(1, sizeof *mr);
    if (mr == NULL)
        return kms_err(KMS_ENOMEM, "vault: out of memory");
    int found;
    pthread_mutex_lock(&mv->lock);
    size_t at = find(mv, a, &found);
    if (found) {
        mr->obj = mv->objs[at];
        __atomic_add_fetch(&mr->obj->refs, 1, __ATOMIC_RELAXED);
    }
    pthread_mutex_unlock(&mv->lock);
    if (!found) {
        free(mr);
        return not_found(a);
    }
    mr->base.ops = &mem_reader_ops;
    mr->base.size = mr->obj->size;
    mr->seg = mr->obj->head;
    *out = &mr->base;
    return 0;
}

/* --- the rest --------------------------------------------------------------- */

static int mem_stat(struct vault *v, uint64_t *size, const struct vault_addr *a)
{
    struct mem_vault *mv = (struct mem_vault *)v;
    int found;
    pthread_mutex_lock(&mv->lock);
    size_t at = find(mv, a, &found);
    if (found)
        *size = mv->objs[at]->size;
    pthread_mutex_unlock(&mv->lock);
    return found ? 0 : not_found(a);
}

static int mem_list(struct vault *v, struct vault_ids *out, const char *type, const char *epoch,
                    int epochs)
{
    struct mem_vault *mv = (struct mem_vault *)v;
    const char *want = epoch != NULL ? epoch : "";
    int rc = 0;
    pthread_mutex_lock(&mv->lock);
    for (size_t i = 0; i < mv->n && rc == 0; i++) {
        const struct mem_obj *o = mv->objs[i];
        if (strcmp(o->type, type) != 0)
            continue;
        if (epochs) {
            /* sorted: one epoch's objects are adjacent */
            if (o->epoch[0] != '\0' && (out->n == 0 || strcmp(out->id[out->n - 1], o->epoch) != 0))
                rc = vault_ids_push(out, o->epoch);
        } else if (strcmp(o->epoch, want) == 0) {
            rc = vault_ids_push(out, o->id);
        }
    }
    pthread_mutex_unlock(&mv->lock);
    return rc;
}

static int mem_remove(struct vault *v, const struct vault_addr *a)
{
    struct mem_vault *mv = (struct mem_vault *)v;
    struct mem_obj *o = NULL;
    int found;
    pthread_mutex_lock(&mv->lock);
    size_t at = find(mv, a, &found);
    if (found) {
        o = mv->objs[at];
        memmove(mv->objs + at, mv->objs + at + 1, (mv->n - at - 1) * sizeof mv->objs[0]);
        mv->n--;
    }
    pthread_mutex_unlock(&mv->lock);
    if (!found)
        return not_found(a);
    obj_unref(o);
    return 0;
}

static void mem_destroy(struct vault *v)
{
    struct mem_vault *mv = (struct mem_vault *)v;
    for (size_t i = 0; i < mv->n; i++)
        obj_unref(mv->objs[i]);
    free(mv->objs);
    pthread_mutex_destroy(&mv->lock);
    free(mv);
}

static const struct vault_ops mem_ops = {
    "memory", mem_writer_open, mem_reader_open, mem_stat, vault_exists_by_stat,
    mem_list, mem_remove,      mem_destroy,
};

int vault_mem_open(struct vault **out, const char *prefix, unsigned flags)
{
    *out = NULL;
    KMS_TRY(vault_prefix_check(prefix));
    struct mem_vault *mv = calloc(1, sizeof *mv);
    if (mv == NULL)
        return kms_err(KMS_ENOMEM, "vault: out of memory");
    if (pthread_mutex_init(&mv->lock, NULL) != 0) {
        free(mv);
        return kms_err(KMS_EINTERNAL, "vault: cannot create a mutex");
    }
    vault_init_base(&mv->base, &mem_ops, prefix, flags);
    *out = &mv->base;
    return 0;
}
