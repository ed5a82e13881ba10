/* Ciphertext inputs of the decryption commands (client_cts.h). */
#include "client_cts.h"

#include <stdlib.h>
#include <string.h>

#include "base/hex.h"
#include "client_common.h"
#include "crypto/keccak.h"
#include "tfhe/wire/wire_ciphertext.h"
#include "tfhe/wire/wire_compressed_list.h"
#include "tfhe/wire/wire_io.h"
#include "tfhe/wire/wire_squashed.h"

/* Largest ciphertext read from a file or argument. */
#define MAX_CT_BYTES ((size_t)64 << 20)

static const char *const format_names[] = {"small-compressed", "small-expanded",
                                           "big-compressed", "big-expanded"};
static const char *const format_proto_names[] = {"SmallCompressed", "SmallExpanded",
                                                 "BigCompressed", "BigExpanded"};

void client_cts_init(struct client_cts *c)
{
    memset(c, 0, sizeof *c);
    c->format_override = -1;
}

void client_cts_clear(struct client_cts *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->ct[i].bytes);
    c->n = 0;
}

const char *client_ct_format_name(int32_t format)
{
    return format >= 0 && format < 4 ? format_proto_names[format] : "unknown";
}

int client_cts_set_format(struct client_cts *c, const char *name)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(name, format_names[i]) == 0 || strcmp(name, format_proto_names[i]) == 0) {
            c->format_override = i;
            return 0;
        }
    return kms_err(KMS_EINVAL, "unknown format '%s'", name);
}

/* Splits "TYPE:BODY[:HANDLE]" in place-free fashion. */
static int split(const char *arg, char *type, size_t type_cap, const char **body,
                 size_t *body_len, const char **handle)
{
    const char *colon = strchr(arg, ':');
    if (colon == NULL || (size_t)(colon - arg) >= type_cap)
        return kms_err(KMS_EINVAL, "'%s': expected TYPE:VALUE", arg);
    memcpy(type, arg, (size_t)(colon - arg));
    type[colon - arg] = '\0';
    *body = colon + 1;
    const char *second = strrchr(*body, ':');
    /* a handle is 0x-hex; a file name may contain colons of its own */
    if (second != NULL && (second[1] == '0' && (second[2] == 'x' || second[2] == 'X'))) {
        *body_len = (size_t)(second - *body);
        *handle = second + 1;
    } else {
        *body_len = strlen(*body);
        *handle = NULL;
    }
    return 0;
}

static int add(struct client_cts *c, const char *arg, int is_file)
{
    if (c->n >= CLIENT_MAX_CTS)
        return kms_err(KMS_ELIMIT, "at most %d ciphertexts", CLIENT_MAX_CTS);
    char type[32];
    const char *body = NULL, *handle = NULL;
    size_t body_len = 0;
    KMS_TRY(split(arg, type, sizeof type, &body, &body_len, &handle));
    struct client_ct *ct = &c->ct[c->n];
    memset(ct, 0, sizeof *ct);
    KMS_TRY(client_fhe_type_parse(&ct->fhe_type, type));
    if (is_file) {
        char path[4096];
        if (body_len >= sizeof path)
            return kms_err(KMS_EINVAL, "file name too long");
        memcpy(path, body, body_len);
        path[body_len] = '\0';
        KMS_TRY(client_read_file(path, &ct->bytes, &ct->len, MAX_CT_BYTES));
    } else {
        ct->bytes = malloc(body_len / 2 + 1);
        if (ct->bytes == NULL)
            return kms_err(KMS_ENOMEM, "out of memory");
        if (hex_decode(ct->bytes, body_len / 2 + 1, &ct->len, body, body_len) != 0) {
            free(ct->bytes);
            ct->bytes = NULL;
            return kms_err(KMS_EINVAL, "--ct-hex: bad hex");
        }
    }
    if (handle != NULL) {
        if (hex_decode(ct->handle, sizeof ct->handle, &ct->handle_len, handle, strlen(handle)) !=
            0) {
            free(ct->bytes);
            ct->bytes = NULL;
            return kms_err(KMS_EINVAL, "handle '%s': at most 32 bytes of 0x-hex", handle);
        }
    } else {
        keccak256(ct->handle, ct->bytes, ct->len);
        ct->handle_len = 32;
    }
    c->n++;
    return 0;
}

int client_cts_add_file(struct client_cts *c, const char *arg) { return add(c, arg, 1); }
int client_cts_add_hex(struct client_cts *c, const char *arg) { return add(c, arg, 0); }

static int format_of(int32_t *out, const uint8_t *p, size_t n)
{
    const char *name;
    size_t len;
    if (wire_peek_name(p, n, &name, &len) != 0)
        return kms_err(KMS_EINVAL, "not a TFHE-rs serialized object (give --format)");
    if (wire_name_is(name, len, WIRE_NAME_COMPRESSED_LIST))
        *out = KMS__V1__CIPHERTEXT_FORMAT__SmallCompressed;
    else if (wire_name_is(name, len, WIRE_NAME_FHEBOOL) || wire_name_is(name, len, WIRE_NAME_FHEUINT) ||
             wire_name_is(name, len, WIRE_NAME_FHEINT))
        *out = KMS__V1__CIPHERTEXT_FORMAT__SmallExpanded;
    else if (wire_name_is(name, len, WIRE_NAME_SNSCOMP_LIST))
        *out = KMS__V1__CIPHERTEXT_FORMAT__BigCompressed;
    else if (wire_name_is(name, len, WIRE_NAME_SQUASHED_BOOL) ||
             wire_name_is(name, len, WIRE_NAME_SQUASHED_UINT) ||
             wire_name_is(name, len, WIRE_NAME_SQUASHED_INT))
        *out = KMS__V1__CIPHERTEXT_FORMAT__BigExpanded;
    else
        return kms_err(KMS_EINVAL, "a %.*s is not a ciphertext the KMS decrypts", (int)len, name);
    return 0;
}

int client_cts_finish(struct client_cts *c)
{
    if (c->n == 0)
        return kms_err(KMS_EINVAL, "no ciphertext given (--ct or --ct-hex)");
    for (size_t i = 0; i < c->n; i++) {
        struct client_ct *ct = &c->ct[i];
        if (c->format_override >= 0)
            ct->format = c->format_override;
        else if (format_of(&ct->format, ct->bytes, ct->len) != 0)
            return kms_err_wrap(KMS_EINVAL, i == 0 ? "ciphertext 0" : "a ciphertext");
        Kms__V1__TypedCiphertext m = KMS__V1__TYPED_CIPHERTEXT__INIT;
        m.ciphertext.data = ct->bytes;
        m.ciphertext.len = ct->len;
        m.fhe_type = ct->fhe_type;
        m.external_handle.data = ct->handle;
        m.external_handle.len = ct->handle_len;
        m.ciphertext_format = (Kms__V1__CiphertextFormat)ct->format;
        c->msg[i] = m;
        c->ptr[i] = &c->msg[i];
    }
    return 0;
}

/* ---- decryption commands ---- */

void client_dec_init(struct client_dec_opts *d, const char *cmd)
{
    client_opts_init(&d->c, cmd);
    client_cts_init(&d->cts);
    d->key_id = NULL;
}

/* One shared option: 0, or the exit status of its usage error. */
static int dec_opt(struct client_dec_opts *d, int c, const char *arg)
{
    int rc = 0;
    switch (c) {
    case CLIENT_OPT_KEY_ID: d->key_id = arg; return 0;
    case CLIENT_OPT_CT: rc = client_cts_add_file(&d->cts, arg); break;
    case CLIENT_OPT_CT_HEX: rc = client_cts_add_hex(&d->cts, arg); break;
    case CLIENT_OPT_CT_FORMAT: rc = client_cts_set_format(&d->cts, arg); break;
    }
    return rc == 0 ? 0 : client_usage_error(&d->c, "%s", kms_err_msg());
}

int client_dec_getopt(struct client_dec_opts *d, int *status, int argc, char **argv,
                      const struct option *opts, void (*usage)(FILE *))
{
    int c;
    while ((c = client_getopt(&d->c, status, argc, argv, opts, usage)) != -1) {
        if (c < CLIENT_OPT_KEY_ID || c >= CLIENT_DEC_OPT_FIRST_OWN)
            return c; /* the command's own */
        if ((*status = dec_opt(d, c, optarg)) != 0)
            return -1;
    }
    if (*status == 0)
        *status = client_id_opt(&d->c, "--key-id", d->key_id, 1);
    if (*status == 0 && client_cts_finish(&d->cts) != 0)
        *status = client_usage_error(&d->c, "%s", kms_err_msg());
    return -1;
}

int client_dec_ids(struct client_dec_ids *out, const struct client_dec_opts *d)
{
    Kms__V1__RequestId init = KMS__V1__REQUEST_ID__INIT;
    KMS_TRY(client_request_id(&d->c, out->id));
    KMS_TRY(client_parse_id(out->key_id, NULL, d->key_id));
    out->rid = init;
    out->rid.request_id = out->id;
    out->kid = init;
    out->kid.request_id = out->key_id;
    out->scheme = KMS__V1__SIGNING_SCHEME_TYPE__ECDSA256K1;
    return 0;
}

int client_dec_run(struct client_dec_opts *d, int parsed, client_run_fn *run, void *ctx)
{
    int rc = parsed;
    if (parsed == 0)
        rc = client_run_verified(&d->c, run, ctx);
    else if (parsed < 0)
        rc = CLIENT_EXIT_OK;
    client_cts_clear(&d->cts);
    client_opts_clear(&d->c);
    return rc;
}
