/* Encryption into the formats the KMS decrypts (client_encrypt.h). */
#include "client_encrypt.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/secmem.h"
#include "crypto/entropy.h"
#include "tfhe/bsk.h"
#include "tfhe/compression.h"
#include "tfhe/cpk.h"
#include "tfhe/keyset.h"
#include "tfhe/radix.h"
#include "tfhe/wire/wire_ciphertext.h"
#include "tfhe/wire/wire_compact_list.h"
#include "tfhe/wire/wire_compressed_list.h"
#include "tfhe/wire/wire_cpk.h"
#include "tfhe/wire/wire_io.h"
#include "tfhe/wire/wire_keyset.h"

/* tfhe-rs's safe_serialize limit as the KMS uses it (2 GiB). */
#define KEY_SIZE_LIMIT ((size_t)2 << 30)
#define CT_SIZE_LIMIT ((size_t)1 << 30)

struct client_enc {
    const struct tfhe_params *params;
    uint64_t *cpk; /* [A | B] */
    size_t cpk_len;
    uint64_t *casting_ksk;
    size_t casting_len;
    struct fourier_bsk bsk;
    struct compression_key *compression; /* NULL unless asked for */
    struct cpk_caster *caster;
    uint8_t *tag; /* the key's tag, carried by every ciphertext */
    size_t tag_len;
};

/* A read-only mapping of a whole file (keysets are hundreds of MiB). */
struct mapped {
    uint8_t *p;
    size_t len;
};

static int map_file(struct mapped *m, const char *path)
{
    m->p = NULL;
    m->len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return kms_err(KMS_ENOTFOUND, "%s: cannot open", path);
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
        (uint64_t)st.st_size > KEY_SIZE_LIMIT) {
        close(fd);
        return kms_err(KMS_EIO, "%s: not a key file", path);
    }
    void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (p == MAP_FAILED)
        return kms_err(KMS_EIO, "%s: cannot map", path);
    m->p = p;
    m->len = (size_t)st.st_size;
    return 0;
}

static void unmap_file(struct mapped *m)
{
    if (m->p != NULL)
        munmap(m->p, m->len);
    m->p = NULL;
}

/* One component of the keyset expanded into a fresh buffer. */
static int expand(uint64_t **out, size_t *words, const struct keyset_public *pub,
                  enum keyset_comp c)
{
    const struct keyset_layout *l = &pub->comp[c].layout;
    *out = NULL;
    *words = keyset_layout_words(l);
    if (!l->present || l->word_bytes != 8)
        return kms_err(KMS_EINVAL, "keyset: no usable %s", keyset_comp_name(c));
    *out = malloc(*words * 8);
    if (*out == NULL)
        return kms_err(KMS_ENOMEM, "out of memory for the %s", keyset_comp_name(c));
    int rc = keyset_expand_component(pub, c, *out, *words);
    if (rc < 0) {
        free(*out);
        *out = NULL;
    }
    return rc;
}

static int load_cpk(struct client_enc *e, const char *cpk_path, const struct keyset_public *pub)
{
    struct mapped m;
    if (cpk_path == NULL || map_file(&m, cpk_path) != 0)
        return expand(&e->cpk, &e->cpk_len, pub, KEYSET_CPK);
    struct wire_cpk k;
    int rc = wire_cpk_read(&k, m.p, m.len, KEY_SIZE_LIMIT);
    unmap_file(&m);
    if (rc < 0)
        return kms_err_wrap(rc, cpk_path);
    if (k.pk_len != cpk_pk_size(e->params->cpk.lwe_dimension)) {
        wire_cpk_clear(&k);
        return kms_err(KMS_EINVAL, "%s: not the keyset's public key", cpk_path);
    }
    e->cpk = k.pk;
    e->cpk_len = k.pk_len;
    k.pk = NULL;
    wire_cpk_clear(&k);
    return 0;
}

static int load_server_parts(struct client_enc *e, const struct keyset_public *pub,
                             int need_compression)
{
    const struct tfhe_params *p = e->params;
    uint64_t *bsk;
    size_t bsk_words;
    KMS_TRY(expand(&e->casting_ksk, &e->casting_len, pub, KEYSET_CASTING_KSK));
    KMS_TRY(expand(&bsk, &bsk_words, pub, KEYSET_COMPUTE_BSK));
    struct bsk_shape s = {
        .lwe_dimension = p->pbs.lwe_dimension,
        .glwe_dimension = p->pbs.glwe_dimension,
        .polynomial_size = p->pbs.polynomial_size,
        .base_log = p->pbs.pbs_base_log,
        .level = p->pbs.pbs_level,
    };
    int rc = fourier_bsk_from_std(&e->bsk, &s, bsk);
    free(bsk);
    KMS_TRY(rc);
    KMS_TRY(cpk_caster_new(&e->caster, p, e->casting_ksk, e->casting_len, &e->bsk));
    if (!need_compression)
        return 0;
    e->compression = calloc(1, sizeof *e->compression);
    if (e->compression == NULL)
        return kms_err(KMS_ENOMEM, "out of memory");
    e->compression->params = p;
    KMS_TRY(compression_packing_shape(p, &e->compression->shape));
    size_t words;
    return expand(&e->compression->pksk, &words, pub, KEYSET_COMPRESSION);
}

int client_enc_open(struct client_enc **out, const char *keyset_path, const char *cpk_path,
                    int need_compression)
{
    *out = NULL;
    struct client_enc *e = calloc(1, sizeof *e);
    if (e == NULL)
        return kms_err(KMS_ENOMEM, "out of memory");
    struct mapped m;
    struct wire_seeded_keyset ks;
    memset(&ks, 0, sizeof ks);
    int rc = map_file(&m, keyset_path);
    if (rc == 0) {
        rc = wire_seeded_keyset_read(&ks, m.p, m.len, KEY_SIZE_LIMIT, NULL);
        unmap_file(&m);
        if (rc < 0)
            rc = kms_err_wrap(rc, keyset_path);
    }
    if (rc == 0 && ks.kind != WIRE_KEYSET_XOF)
        rc = kms_err(KMS_EINVAL, "%s: not a CompressedXofKeySet", keyset_path);
    if (rc == 0) {
        e->params = ks.pub.params;
        rc = wire_tag_dup(&e->tag, &e->tag_len, ks.pub.tag, ks.pub.tag_len);
    }
    if (rc == 0)
        rc = load_cpk(e, cpk_path, &ks.pub);
    if (rc == 0)
        rc = load_server_parts(e, &ks.pub, need_compression);
    wire_seeded_keyset_clear(&ks);
    if (rc < 0) {
        client_enc_free(e);
        return rc;
    }
    *out = e;
    return 0;
}

void client_enc_free(struct client_enc *e)
{
    if (e == NULL)
        return;
    cpk_caster_free(e->caster);
    compression_key_free(e->compression);
    fourier_bsk_free(&e->bsk);
    free(e->casting_ksk);
    free(e->cpk);
    free(e->tag);
    free(e);
}

const struct tfhe_params *client_enc_params(const struct client_enc *e) { return e->params; }

/* The value as a compute-key radix ciphertext: compact list of one, cast. */
static int encrypt_radix(struct client_enc *e, struct radix_ct **out, int32_t fhe_type,
                         const uint8_t *le, size_t len)
{
    uint8_t seed[32];
    KMS_TRY(entropy_fill(seed, sizeof seed));
    struct wire_plaintext pt = {fhe_type, le, len};
    struct wire_compact_list l;
    int rc = wire_compact_list_encrypt(&l, e->params, e->cpk, e->cpk_len, &pt, 1, 0, seed,
                                       sizeof seed);
    secmem_wipe(seed, sizeof seed); /* it and the ciphertext give the value */
    KMS_TRY(rc);
    rc = wire_compact_list_expand(&l, e->caster, e->params, 0, out);
    wire_compact_list_clear(&l);
    return rc;
}

static int write_sink_done(struct wire_sink *s, int rc)
{
    return rc < 0 ? rc : wire_sink_status(s);
}

int client_enc_value(struct client_enc *e, struct buf *out, int32_t fhe_type, const uint8_t *le,
                     size_t len, int format)
{
    if (format == CLIENT_ENC_SMALL_COMPRESSED && e->compression == NULL)
        return kms_err(KMS_EPRECOND, "encrypt: opened without the compression key");
    if (format != CLIENT_ENC_SMALL_COMPRESSED && format != CLIENT_ENC_SMALL_EXPANDED)
        return kms_err(KMS_EUNIMPL, "encrypt: format %d is not produced here", format);
    struct radix_ct *ct;
    KMS_TRY(encrypt_radix(e, &ct, fhe_type, le, len));
    struct wire_sink s;
    wire_sink_buf(&s, out, CT_SIZE_LIMIT);
    int rc;
    if (format == CLIENT_ENC_SMALL_EXPANDED) {
        struct wire_radix w = {.ct = ct};
        rc = wire_tag_dup(&w.tag, &w.tag_len, e->tag, e->tag_len);
        if (rc == 0)
            rc = write_sink_done(&s, wire_radix_write(&s, &w));
        wire_radix_clear(&w); /* frees ct */
        return rc;
    }
    struct wire_compressed_list wl;
    memset(&wl, 0, sizeof wl);
    const struct radix_ct *one = ct;
    rc = compression_compress_radix(e->compression, &wl.list, &one, 1);
    radix_ct_free(ct);
    if (rc == 0)
        rc = wire_tag_dup(&wl.tag, &wl.tag_len, e->tag, e->tag_len);
    if (rc == 0)
        rc = write_sink_done(&s, wire_compressed_list_write(&s, &wl));
    wire_compressed_list_clear(&wl);
    return rc;
}
