/* Request validation on arbitrary bytes: the first byte picks a request
 * type, the rest is unpacked with protobuf-c as the rpc layer does and, when
 * it parses, goes through the matching request_check_* function. Nothing
 * may crash, leak or read out of bounds, and a success must leave sane
 * outputs (checked below). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/kms.v1.pb-c.h"
#include "service/request_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_keygen(const ProtobufCMessage *m, int allow)
{
    struct checked_keygen k;
    if (request_check_keygen(&k, (const Kms__V1__KeyGenRequest *)m, allow) == 0) {
        if (k.has_params && k.params == NULL)
            abort();
        if (k.schemes.n > REQUEST_CHECK_MAX_SCHEMES)
            abort();
    }
}

static void check_user(const Kms__V1__UserDecryptionRequest *m)
{
    size_t n = m->n_typed_ciphertexts;
    struct udp_bytes *h = malloc((n ? n : 1) * sizeof *h);
    if (h == NULL)
        return;
    struct checked_user_decrypt u;
    if (request_check_user_decrypt(&u, h, m) == 0 && (u.udp.n_handles != n || n == 0))
        abort();
    free(h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const ProtobufCMessageDescriptor *const types[] = {
        &kms__v1__request_id__descriptor,
        &kms__v1__key_gen_preproc_request__descriptor,
        &kms__v1__key_gen_request__descriptor,
        &kms__v1__public_decryption_request__descriptor,
        &kms__v1__user_decryption_request__descriptor,
    };
    if (size < 1)
        return 0;
    unsigned sel = data[0] % (2 * (sizeof types / sizeof types[0]));
    int allow = sel & 1;
    const ProtobufCMessageDescriptor *d = types[sel / 2];
    ProtobufCMessage *m = protobuf_c_message_unpack(d, NULL, size - 1, data + 1);
    if (m == NULL)
        return 0;
    switch (sel / 2) {
    case 0: {
        struct request_id id;
        if (request_check_id(&id, (const Kms__V1__RequestId *)m, "request_id") == 0) {
            char hex[REQUEST_ID_HEX_LEN + 1];
            request_id_format(hex, &id);
            if (strlen(hex) != REQUEST_ID_HEX_LEN)
                abort();
        }
        break;
    }
    case 1: {
        struct checked_preproc p;
        if (request_check_preproc(&p, (const Kms__V1__KeyGenPreprocRequest *)m, allow) == 0 &&
            p.params == NULL)
            abort();
        break;
    }
    case 2: check_keygen(m, allow); break;
    case 3: {
        struct checked_public_decrypt pd;
        const Kms__V1__PublicDecryptionRequest *r = (const void *)m;
        if (request_check_public_decrypt(&pd, r) == 0 &&
            (r->n_ciphertexts == 0 || pd.pt_bytes == 0))
            abort();
        break;
    }
    default: check_user((const Kms__V1__UserDecryptionRequest *)m); break;
    }
    protobuf_c_message_free_unpacked(m, NULL);
    return 0;
}
