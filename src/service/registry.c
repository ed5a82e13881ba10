#include "service/registry.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "base/siphash.h"
#include "crypto/entropy.h"

/* Entries live in a hash table (open addressing, linear probing, tombstones)
 * and, once finished, on a FIFO list in completion order for eviction. */
struct entry {
    struct request_id id;
    enum registry_state state;
    uint8_t *result;
    size_t len;
    int err_code;
    char *err_msg;
    struct entry *older, *newer; /* finished-FIFO links */
};

struct slot {
    struct entry *e; /* NULL: empty; TOMBSTONE: deleted */
};

static struct entry tombstone_entry;
#define TOMBSTONE (&tombstone_entry)

struct registry {
    char name[32];
    size_t capacity, min_cache;
    size_t count, finished, used_slots;
    size_t n_slots; /* power of two */
    uint8_t hash_key[SIPHASH_KEY_LEN];
    struct slot *slots;
    struct entry *oldest, *newest; /* finished FIFO */
    pthread_mutex_t lock;
    pthread_cond_t done;
};

/* Clients choose request ids, so the hash is keyed: ids built to collide
 * would otherwise turn every lookup into a scan of the table. */
static size_t hash_id(const struct registry *r, const struct request_id *id)
{
    return (size_t)siphash24(r->hash_key, id->b, sizeof id->b);
}

int registry_new(struct registry **out, const char *name, size_t capacity, size_t min_cache)
{
    *out = NULL;
    if (capacity != 0 && min_cache > capacity)
        return kms_err(KMS_EINVAL, "registry %s: min cache %zu above capacity %zu", name,
                       min_cache, capacity);
    struct registry *r = calloc(1, sizeof *r);
    if (r == NULL)
        return kms_err(KMS_ENOMEM, "out of memory for a registry");
    snprintf(r->name, sizeof r->name, "%s", name);
    r->capacity = capacity;
    r->min_cache = min_cache;
    r->n_slots = 64;
    r->slots = calloc(r->n_slots, sizeof *r->slots);
    int rc = entropy_fill(r->hash_key, sizeof r->hash_key);
    if (rc < 0) {
        free(r->slots);
        free(r);
        return rc;
    }
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    int ok = r->slots != NULL && pthread_mutex_init(&r->lock, NULL) == 0 &&
             pthread_cond_init(&r->done, &ca) == 0;
    pthread_condattr_destroy(&ca);
    if (!ok) {
        free(r->slots);
        free(r);
        return kms_err(KMS_ENOMEM, "out of memory for a registry");
    }
    *out = r;
    return 0;
}

static void entry_free(struct entry *e)
{
    free(e->result);
    free(e->err_msg);
    free(e);
}

void registry_free(struct registry *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->n_slots; i++)
        if (r->slots[i].e != NULL && r->slots[i].e != TOMBSTONE)
            entry_free(r->slots[i].e);
    free(r->slots);
    pthread_cond_destroy(&r->done);
    pthread_mutex_destroy(&r->lock);
    free(r);
}

/* The slot holding id, or NULL. */
static struct slot *find(struct registry *r, const struct request_id *id)
{
    size_t mask = r->n_slots - 1;
    for (size_t i = hash_id(r, id) & mask, n = 0; n < r->n_slots; i = (i + 1) & mask, n++) {
        struct entry *e = r->slots[i].e;
        if (e == NULL)
            return NULL;
        if (e != TOMBSTONE && request_id_equal(&e->id, id))
            return &r->slots[i];
    }
    return NULL;
}

/* Puts e in the first free slot of its probe sequence; 1 when that slot
 * was empty, 0 when it reused a tombstone (which is already counted). */
static int place(const struct registry *r, struct slot *slots, size_t n_slots,
                 struct entry *e)
{
    size_t mask = n_slots - 1;
    size_t i = hash_id(r, &e->id) & mask;
    while (slots[i].e != NULL && slots[i].e != TOMBSTONE)
        i = (i + 1) & mask;
    int fresh = slots[i].e == NULL;
    slots[i].e = e;
    return fresh;
}

/* Keeps the table at most half full (tombstones included). */
static int grow_if_needed(struct registry *r)
{
    if (2 * (r->used_slots + 1) <= r->n_slots)
        return 0;
    /* rehash without tombstones, at most a quarter full */
    size_t n = r->n_slots;
    while (4 * (r->count + 1) > n)
        n *= 2;
    struct slot *s = calloc(n, sizeof *s);
    if (s == NULL)
        return kms_err(KMS_ENOMEM, "registry %s: out of memory", r->name);
    for (size_t i = 0; i < r->n_slots; i++)
        if (r->slots[i].e != NULL && r->slots[i].e != TOMBSTONE)
            (void)place(r, s, n, r->slots[i].e);
    free(r->slots);
    r->slots = s;
    r->n_slots = n;
    r->used_slots = r->count;
    return 0;
}

static void fifo_unlink(struct registry *r, struct entry *e)
{
    if (e->older)
        e->older->newer = e->newer;
    else if (r->oldest == e)
        r->oldest = e->newer;
    if (e->newer)
        e->newer->older = e->older;
    else if (r->newest == e)
        r->newest = e->older;
    e->older = e->newer = NULL;
}

static void fifo_push(struct registry *r, struct entry *e)
{
    e->newer = NULL;
    e->older = r->newest;
    if (r->newest)
        r->newest->newer = e;
    r->newest = e;
    if (r->oldest == NULL)
        r->oldest = e;
}

/* Drops the entry in slot s (any state). */
static void drop(struct registry *r, struct slot *s)
{
    struct entry *e = s->e;
    if (e->state == REGISTRY_DONE_OK || e->state == REGISTRY_DONE_ERR) {
        fifo_unlink(r, e);
        r->finished--;
    }
    s->e = TOMBSTONE;
    r->count--;
    entry_free(e);
}

static void evict_for_room(struct registry *r)
{
    if (r->capacity == 0 || r->count < r->capacity)
        return;
    while (r->oldest != NULL && r->finished > r->min_cache) {
        struct slot *s = find(r, &r->oldest->id);
        drop(r, s);
    }
}

int registry_insert(struct registry *r, const struct request_id *id)
{
    char hex[REQUEST_ID_HEX_LEN + 1];
    int rc = 0;
    pthread_mutex_lock(&r->lock);
    struct slot *s = find(r, id);
    if (s != NULL && s->e->state != REGISTRY_DONE_ERR) {
        request_id_format(hex, id);
        rc = kms_err(KMS_EEXIST, "request %s already exists (%s)", hex,
                     s->e->state == REGISTRY_PENDING ? "pending" : "completed");
        goto out;
    }
    if (s != NULL) /* a failed attempt: retry replaces it */
        drop(r, s);
    evict_for_room(r);
    if (r->capacity != 0 && r->count >= r->capacity) {
        rc = kms_err(KMS_EFULL, "%s store is full (%zu requests, %zu pending)", r->name,
                     r->count, r->count - r->finished);
        goto out;
    }
    if ((rc = grow_if_needed(r)) < 0)
        goto out;
    struct entry *e = calloc(1, sizeof *e);
    if (e == NULL) {
        rc = kms_err(KMS_ENOMEM, "registry %s: out of memory", r->name);
        goto out;
    }
    e->id = *id;
    e->state = REGISTRY_PENDING;
    r->used_slots += (size_t)place(r, r->slots, r->n_slots, e);
    r->count++;
out:
    pthread_mutex_unlock(&r->lock);
    return rc;
}

static int complete(struct registry *r, const struct request_id *id, uint8_t *result, size_t len,
                    int code, const char *msg)
{
    int rc = 0;
    /* without memory for the message the failure is still recorded (with
     * an empty one): an entry left pending would hold its id and its room
     * in a bounded store forever */
    char *copy = msg != NULL ? strdup(msg) : NULL;
    pthread_mutex_lock(&r->lock);
    struct slot *s = find(r, id);
    if (s == NULL) {
        rc = kms_err(KMS_ENOTFOUND, "%s: no such request to complete", r->name);
    } else if (s->e->state != REGISTRY_PENDING) {
        rc = kms_err(KMS_EPRECOND, "%s: request already completed", r->name);
    } else {
        struct entry *e = s->e;
        e->state = code == 0 ? REGISTRY_DONE_OK : REGISTRY_DONE_ERR;
        e->result = result;
        e->len = len;
        e->err_code = code;
        e->err_msg = copy;
        result = NULL;
        copy = NULL;
        fifo_push(r, e);
        r->finished++;
        pthread_cond_broadcast(&r->done);
    }
    pthread_mutex_unlock(&r->lock);
    free(result);
    free(copy);
    return rc;
}

int registry_complete_ok(struct registry *r, const struct request_id *id, uint8_t *result,
                         size_t len)
{
    return complete(r, id, result, len, 0, NULL);
}

int registry_complete_err(struct registry *r, const struct request_id *id, int code,
                          const char *msg)
{
    return complete(r, id, NULL, 0, code < 0 ? code : KMS_EINTERNAL, msg ? msg : "failed");
}

static int copy_outcome(const struct entry *e, struct registry_outcome *out)
{
    memset(out, 0, sizeof *out);
    out->state = e->state;
    if (e->state == REGISTRY_DONE_OK && e->len > 0) {
        out->result = malloc(e->len);
        if (out->result == NULL)
            return kms_err(KMS_ENOMEM, "out of memory copying a result");
        memcpy(out->result, e->result, e->len);
        out->len = e->len;
    }
    if (e->state == REGISTRY_DONE_ERR) {
        out->err_code = e->err_code;
        snprintf(out->err_msg, sizeof out->err_msg, "%s", e->err_msg ? e->err_msg : "");
    }
    return 0;
}

int registry_wait(struct registry *r, const struct request_id *id, uint64_t timeout_ms,
                  struct registry_outcome *out)
{
    memset(out, 0, sizeof *out);
    struct clock_deadline dl = clock_deadline_in_ms(timeout_ms);
    struct timespec ts = clock_deadline_timespec(dl);
    char hex[REQUEST_ID_HEX_LEN + 1];
    int rc;
    pthread_mutex_lock(&r->lock);
    for (;;) {
        struct slot *s = find(r, id);
        if (s == NULL) {
            request_id_format(hex, id);
            rc = kms_err(KMS_ENOTFOUND, "%s: unknown request %s", r->name, hex);
            break;
        }
        if (s->e->state != REGISTRY_PENDING) {
            rc = copy_outcome(s->e, out);
            break;
        }
        if (clock_deadline_expired(dl) ||
            pthread_cond_timedwait(&r->done, &r->lock, &ts) == ETIMEDOUT) {
            /* one last look: the result may have landed with the timeout */
            s = find(r, id);
            if (s != NULL && s->e->state != REGISTRY_PENDING) {
                rc = copy_outcome(s->e, out);
                break;
            }
            request_id_format(hex, id);
            rc = kms_err(KMS_EUNAVAIL, "%s: request %s is not finished yet", r->name, hex);
            break;
        }
    }
    pthread_mutex_unlock(&r->lock);
    return rc;
}

enum registry_state registry_state_of(struct registry *r, const struct request_id *id)
{
    pthread_mutex_lock(&r->lock);
    struct slot *s = find(r, id);
    enum registry_state st = s ? s->e->state : REGISTRY_UNKNOWN;
    pthread_mutex_unlock(&r->lock);
    return st;
}

int registry_remove(struct registry *r, const struct request_id *id)
{
    int rc = 0;
    pthread_mutex_lock(&r->lock);
    struct slot *s = find(r, id);
    if (s == NULL)
        rc = kms_err(KMS_ENOTFOUND, "%s: no such request", r->name);
    else
        drop(r, s);
    pthread_cond_broadcast(&r->done); /* waiters see the id disappear */
    pthread_mutex_unlock(&r->lock);
    return rc;
}

void registry_counts(struct registry *r, size_t *total, size_t *pending, size_t *capacity)
{
    pthread_mutex_lock(&r->lock);
    if (total)
        *total = r->count;
    if (pending)
        *pending = r->count - r->finished;
    if (capacity)
        *capacity = r->capacity;
    pthread_mutex_unlock(&r->lock);
}

void registry_foreach(struct registry *r,
                      int (*fn)(void *ctx, const struct request_id *id, enum registry_state st),
                      void *ctx)
{
    pthread_mutex_lock(&r->lock);
    for (size_t i = 0; i < r->n_slots; i++) {
        struct entry *e = r->slots[i].e;
        if (e != NULL && e != TOMBSTONE && fn(ctx, &e->id, e->state) != 0)
            break;
    }
    pthread_mutex_unlock(&r->lock);
}
