/* `kms-client fhe inspect F`: what a TFHE-rs 1.7 object is, read with the
 * full reader of its type (so a file that inspects cleanly is one ckms
 * accepts): the safe_serialize type name and versions, the parameters
 * (the library set they match, and the main numbers), the contents and the
 * size. Client keys are read in secmem; no secret is ever printed. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "base/bincode.h"
#include "fhe.h"
#include "tfhe/wire/wire_ciphertext.h"
#include "tfhe/wire/wire_compact_list.h"
#include "tfhe/wire/wire_compressed_list.h"
#include "tfhe/wire/wire_cpk.h"
#include "tfhe/wire/wire_keyset.h"
#include "tfhe/wire/wire_server_key.h"
#include "tfhe/wire/wire_squashed.h"

#define CMD "inspect"

static void usage(FILE *f)
{
    fprintf(f, "usage: kms-client fhe inspect FILE\n"
               "\n"
               "Reads FILE (client key, CompactPublicKey, FheBool/FheUint/FheInt, compact,\n"
               "compressed and squashed ciphertexts and lists, CompressedXofKeySet,\n"
               "CompressedServerKey, CompressedCompactPublicKey, ServerKey) and prints its\n"
               "type, versions, parameters and size. Secrets are never printed.\n");
}

/* ---- header ---- */

static int get_str(struct reader *r, char *out, size_t cap)
{
    const uint8_t *p;
    size_t n;
    KMS_TRY(bincode_get_bytes(r, &p, &n));
    snprintf(out, cap, "%.*s", (int)(n < 200 ? n : 200), (const char *)p);
    return 0;
}

/* type, serialization/versioning versions and the object's own Versions
 * index (the u32 after the header), of an object its reader accepted. */
static void print_header(const struct fhe_file *f)
{
    struct reader r;
    char ser[16], ver[16], name[208];
    uint32_t mode = 0, version = 0;
    reader_init(&r, f->data, f->len);
    if (get_str(&r, ser, sizeof ser) < 0 || reader_u32le(&r, &mode) < 0 ||
        get_str(&r, ver, sizeof ver) < 0 || get_str(&r, name, sizeof name) < 0 ||
        reader_u32le(&r, &version) < 0)
        return; /* cannot happen: the reader checked the header */
    printf("type            %s\n", name);
    printf("versions        safe_serialize %s, %s %s, object V%u\n", ser,
           mode == 0 ? "versioned" : "unversioned", ver, version);
    printf("size            %zu bytes\n", f->len);
}

/* ---- parameters ---- */

static const char *const library_sets[] = {"default", "test", "message_2_carry_2"};

/* The library sets whose compute blocks have dimension big and these
 * moduli, as "default, message_2_carry_2". */
static void sets_for_blocks(char *out, size_t cap, size_t big, uint64_t msg, uint64_t carry)
{
    size_t o = 0;
    out[0] = 0;
    for (size_t i = 0; i < sizeof library_sets / sizeof library_sets[0]; i++) {
        const struct tfhe_params *p;
        if (tfhe_params_get(&p, library_sets[i], 1) < 0)
            continue;
        if (tfhe_params_big_dimension(&p->pbs) == big && p->pbs.message_modulus == msg &&
            p->pbs.carry_modulus == carry && o < cap)
            o += (size_t)snprintf(out + o, cap - o, "%s%s", o ? ", " : "", p->name);
    }
    if (out[0] == 0)
        snprintf(out, cap, "none of the library sets");
    kms_err_clear();
}

static void print_pbs(const struct tfhe_pbs_params *q)
{
    printf("compute         n %u, k %u, N %u, message %u, carry %u, pbs %u x 2^%u, ks %u x 2^%u\n",
           q->lwe_dimension, q->glwe_dimension, q->polynomial_size, q->message_modulus,
           q->carry_modulus, q->pbs_level, q->pbs_base_log, q->ks_level, q->ks_base_log);
}

static void print_tag(const uint8_t *tag, size_t len)
{
    printf("tag             ");
    if (len == 0)
        printf("(empty)");
    for (size_t i = 0; i < len && i < 64; i++)
        printf("%02x", tag[i]);
    printf("%s\n", len > 64 ? "..." : "");
}

/* ---- objects ---- */

static int inspect_client_key(const struct fhe_file *f)
{
    struct wire_client_key ck;
    KMS_TRY(wire_client_key_read(&ck, f->data, f->len, FHE_SIZE_LIMIT));
    print_header(f);
    const struct keyset_secrets *sk = &ck.sk;
    printf("parameters      %s%s\n", ck.params->name, ck.params->insecure ? " (INSECURE)" : "");
    print_pbs(&ck.params->pbs);
    printf("secret keys     lwe %zu, glwe %zu, compact %zu, compression %zu, "
           "noise-squashing %zu, sns-compression %zu, oprf %zu (key bits; 0 = absent)\n",
           sk->lwe_len, sk->glwe_len, sk->cpk_len, sk->compression_len, sk->sns_len,
           sk->sns_compression_len, sk->oprf_len);
    print_tag(ck.tag, ck.tag_len);
    wire_client_key_clear(&ck);
    return 0;
}

static int inspect_cpk(const struct fhe_file *f)
{
    struct wire_cpk k;
    const char *match = "none of the library sets";
    KMS_TRY(wire_cpk_read(&k, f->data, f->len, FHE_SIZE_LIMIT));
    print_header(f);
    for (size_t i = 0; i < 2; i++) {
        const struct tfhe_params *p;
        if (tfhe_params_get(&p, library_sets[i], 1) == 0 && p->has_cpk &&
            wire_cpk_params_equal(&p->cpk, &k.params.cpk))
            match = p->name;
    }
    kms_err_clear();
    printf("parameters      %s\n", match);
    printf("compact key     n %u, noise TUniform(%u), message %u, carry %u, %s, zk %s\n",
           k.params.cpk.lwe_dimension, k.params.cpk.noise_log2, k.params.cpk.message_modulus,
           k.params.cpk.carry_modulus,
           k.params.expansion == WIRE_EXPANSION_REQUIRES_CASTING ? "requires casting"
                                                                 : "no casting",
           k.params.zk_scheme == WIRE_ZK_NONE ? "none"
           : k.params.zk_scheme == WIRE_ZK_V1 ? "v1"
                                              : "v2");
    print_tag(k.tag, k.tag_len);
    wire_cpk_clear(&k);
    return 0;
}

static int inspect_radix(const struct fhe_file *f)
{
    struct wire_radix w;
    char tn[32], sets[96];
    KMS_TRY(wire_radix_read(&w, f->data, f->len, FHE_SIZE_LIMIT, -1, NULL));
    print_header(f);
    const struct shortint_ct *b = &w.ct->blocks[0];
    sets_for_blocks(sets, sizeof sets, b->dimension, b->message_modulus, b->carry_modulus);
    printf("fhe type        %s (FheTypes %d), %zu block(s)\n",
           fhe_type_name(w.ct->type, tn, sizeof tn), w.ct->type->id, w.ct->nblocks);
    printf("parameters      %s\n", sets);
    printf("blocks          LWE dimension %zu, message %u, carry %u\n", b->dimension,
           b->message_modulus, b->carry_modulus);
    print_tag(w.tag, w.tag_len);
    wire_radix_clear(&w);
    return 0;
}

static int inspect_squashed(const struct fhe_file *f)
{
    struct sns_radix *ct;
    char tn[32];
    KMS_TRY(wire_sns_radix_read(&ct, f->data, f->len, FHE_SIZE_LIMIT, -1, NULL));
    print_header(f);
    printf("fhe type        %s (FheTypes %d), %zu block(s) in %zu squashed ciphertext(s)\n",
           fhe_type_name(ct->type, tn, sizeof tn), ct->type->id, ct->original_block_count,
           ct->count);
    printf("ciphertexts     LWE over Z/2^128, dimension %zu, message %u, carry %u, state %s\n",
           ct->blocks[0].dimension, ct->blocks[0].message_modulus, ct->blocks[0].carry_modulus,
           ct->state == SNS_STATE_NORMAL ? "normal" : "post-decompression");
    print_tag(ct->tag, ct->tag_len);
    sns_radix_free(ct);
    return 0;
}

/* "euint8, ebool, ..." for DataKinds. */
static void print_kinds(const struct compression_data_kind *info, size_t count)
{
    char tn[32];
    printf("elements        %zu:", count);
    for (size_t i = 0; i < count && i < 32; i++) {
        const struct radix_type *t = NULL;
        int rc = KMS_EINVAL;
        if (info[i].kind == COMPRESSION_KIND_BOOLEAN)
            rc = radix_type_lookup(&t, RADIX_BOOL);
        else if (info[i].kind != COMPRESSION_KIND_STRING)
            rc = wire_radix_type_for_blocks(&t, info[i].num_blocks,
                                            info[i].kind == COMPRESSION_KIND_SIGNED);
        if (rc < 0)
            t = NULL;
        printf("%s %s", i ? "," : "", t ? fhe_type_name(t, tn, sizeof tn) : "string/other");
    }
    printf("%s\n", count > 32 ? ", ..." : "");
    kms_err_clear();
}

static int inspect_compact(const struct fhe_file *f)
{
    struct wire_compact_list l;
    KMS_TRY(wire_compact_list_read(&l, f->data, f->len, FHE_SIZE_LIMIT));
    print_header(f);
    print_kinds(l.info, l.info_count);
    if (l.part_count > 0) {
        const struct wire_compact_part *p = &l.parts[0];
        printf("lists           %zu%s, compact key dimension %zu, message %u, carry %u, %s, %s\n",
               l.part_count, l.proven ? " (each with a zero-knowledge proof, not verified)" : "",
               p->lwe_dimension, p->message_modulus, p->carry_modulus,
               p->degree >= p->message_modulus ? "packed" : "not packed",
               p->expansion == WIRE_EXPANSION_REQUIRES_CASTING ? "requires casting"
                                                               : "no casting");
    }
    print_tag(l.tag, l.tag_len);
    wire_compact_list_clear(&l);
    return 0;
}

static int inspect_compressed(const struct fhe_file *f)
{
    struct wire_compressed_list l;
    KMS_TRY(wire_compressed_list_read(&l, f->data, f->len, FHE_SIZE_LIMIT));
    print_header(f);
    print_kinds(l.list.info, l.list.info_count);
    if (l.list.glwe_count > 0) {
        const struct compression_glwe *g = &l.list.glwes[0];
        printf("glwes           %zu of k %llu, N %llu, stored at %u bits, %llu per GLWE\n",
               l.list.glwe_count, (unsigned long long)g->glwe_dimension,
               (unsigned long long)g->polynomial_size, g->log_modulus,
               (unsigned long long)l.list.meta.lwe_per_glwe);
    }
    print_tag(l.tag, l.tag_len);
    wire_compressed_list_clear(&l);
    return 0;
}

static int inspect_snscomp(const struct fhe_file *f)
{
    struct wire_snscomp_list l;
    KMS_TRY(wire_snscomp_list_read(&l, f->data, f->len, FHE_SIZE_LIMIT));
    print_header(f);
    print_kinds(l.list.info, l.list.info_count);
    if (l.list.glwe_count > 0) {
        const struct snscomp_glwe *g = &l.list.glwes[0];
        printf("glwes           %zu of k %llu, N %llu over Z/2^128, %llu per GLWE\n",
               l.list.glwe_count, (unsigned long long)g->glwe_dimension,
               (unsigned long long)g->polynomial_size,
               (unsigned long long)l.list.meta.lwe_per_glwe);
    }
    print_tag(l.tag, l.tag_len);
    wire_snscomp_list_clear(&l);
    return 0;
}

static void print_components(unsigned present, const uint64_t *bytes)
{
    int first = 1;
    printf("components     ");
    for (int c = 0; c < KEYSET_COMP_COUNT; c++) {
        if (!(present & (1u << c)))
            continue;
        printf("%s %s", first ? "" : ",", keyset_comp_name((enum keyset_comp)c));
        first = 0;
        if (bytes != NULL)
            printf(" (%llu bytes)", (unsigned long long)bytes[c]);
    }
    printf("\n");
}

static int inspect_seeded(const struct fhe_file *f)
{
    struct wire_seeded_keyset k;
    uint64_t bytes[KEYSET_COMP_COUNT];
    KMS_TRY(wire_seeded_keyset_read(&k, f->data, f->len, FHE_SIZE_LIMIT, NULL));
    print_header(f);
    const struct tfhe_params *p = k.pub.params;
    printf("parameters      %s%s\n", p->name, p->insecure ? " (INSECURE)" : "");
    print_pbs(&p->pbs);
    for (int c = 0; c < KEYSET_COMP_COUNT; c++) {
        const struct keyset_layout *l = &k.pub.comp[c].layout;
        bytes[c] = (uint64_t)keyset_layout_body_words(l) * l->word_bytes;
    }
    print_components(k.present, bytes);
    printf("seeds           %s\n", k.replayable ? "one public XOF stream (ckms / KMS keyset)"
                                                  : "per-component seeds");
    print_tag(k.pub.tag, k.pub.tag_len);
    wire_seeded_keyset_clear(&k);
    return 0;
}

static int inspect_server_key(const struct fhe_file *f)
{
    struct wire_server_key k;
    KMS_TRY(wire_server_key_read(&k, f->data, f->len, FHE_SIZE_LIMIT, NULL));
    print_header(f);
    printf("parameters      %s%s\n", k.params->name, k.params->insecure ? " (INSECURE)" : "");
    print_pbs(&k.params->pbs);
    print_components(k.present, k.comp_bytes);
    print_tag(k.tag, k.tag_len);
    wire_server_key_clear(&k);
    return 0;
}

static int run(const char *path)
{
    struct fhe_file f;
    const char *name;
    size_t name_len;
    KMS_TRY(fhe_file_load(&f, path, 0));
    int rc = wire_peek_name(f.data, f.len, &name, &name_len);
    if (rc == 0 && wire_name_is(name, name_len, WIRE_NAME_CLIENT_KEY)) {
        fhe_file_unload(&f); /* a secret: reread into secmem, not mapped */
        KMS_TRY(fhe_file_load(&f, path, 1));
        rc = wire_peek_name(f.data, f.len, &name, &name_len);
    }
    if (rc < 0) {
        fhe_file_unload(&f);
        return kms_err_wrap(rc, path);
    }
#define IS(n) wire_name_is(name, name_len, n)
    if (IS(WIRE_NAME_CLIENT_KEY))
        rc = inspect_client_key(&f);
    else if (IS(WIRE_NAME_CPK))
        rc = inspect_cpk(&f);
    else if (IS(WIRE_NAME_FHEBOOL) || IS(WIRE_NAME_FHEUINT) || IS(WIRE_NAME_FHEINT))
        rc = inspect_radix(&f);
    else if (IS(WIRE_NAME_SQUASHED_BOOL) || IS(WIRE_NAME_SQUASHED_UINT) ||
             IS(WIRE_NAME_SQUASHED_INT))
        rc = inspect_squashed(&f);
    else if (IS(WIRE_NAME_COMPACT_LIST) || IS(WIRE_NAME_PROVEN_COMPACT_LIST))
        rc = inspect_compact(&f);
    else if (IS(WIRE_NAME_COMPRESSED_LIST))
        rc = inspect_compressed(&f);
    else if (IS(WIRE_NAME_SNSCOMP_LIST))
        rc = inspect_snscomp(&f);
    else if (IS(WIRE_NAME_XOF_KEYSET) || IS(WIRE_NAME_COMPRESSED_SERVER_KEY) ||
             IS(WIRE_NAME_COMPRESSED_CPK))
        rc = inspect_seeded(&f);
    else if (IS(WIRE_NAME_SERVER_KEY))
        rc = inspect_server_key(&f);
    else
        rc = kms_err(KMS_EINVAL, "%.*s is not an object ckms reads", (int)name_len, name);
#undef IS
    fhe_file_unload(&f);
    return rc < 0 ? kms_err_wrap(rc, path) : 0;
}

int fhe_inspect(int argc, char **argv)
{
    static const struct option longs[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            return FHE_EXIT_OK;
        }
        return fhe_bad_option(CMD, argv);
    }
    if (argc - optind != 1)
        return fhe_usage_error(CMD, "give exactly one FILE");
    return fhe_exit(CMD, run(argv[optind]));
}
