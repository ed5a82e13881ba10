/* Unary gRPC calls on a libgrpc channel: one batch with every operation of
 * the call, waited for on a private completion queue. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <grpc/byte_buffer_reader.h>
#include <grpc/support/alloc.h>

#include "rpc/client.h"
#include "rpc/rpc_impl.h"
#include "rpc/server.h"

/* Metadata entries kept on the stack; more are allocated. */
#define MD_STACK 8
/* Longest method path. */
#define PATH_MAX_LEN 512

struct rpc_channel {
    grpc_channel *ch;
};

int rpc_channel_new(struct rpc_channel **out, const char *target,
                    const struct rpc_client_config *cfg)
{
    *out = NULL;
    static const struct rpc_client_config defaults;
    if (cfg == NULL)
        cfg = &defaults;
    if (target == NULL || target[0] == '\0')
        return kms_err(KMS_EINVAL, "rpc: no target address");
    struct rpc_channel *c = calloc(1, sizeof *c);
    if (c == NULL)
        return kms_err(KMS_ENOMEM, "rpc: out of memory");
    rpc_log_init();
    grpc_init();
    grpc_channel_credentials *creds;
    int rc = rpc_channel_creds(&creds, cfg->tls);
    if (rc != 0) {
        free(c);
        grpc_shutdown();
        return rc;
    }
    grpc_arg args[3];
    size_t n = 0;
    args[n++] = rpc_arg_int(GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH,
                            rpc_size_limit(cfg->max_recv_bytes, RPC_DEFAULT_MAX_MESSAGE));
    args[n++] = rpc_arg_int(GRPC_ARG_MAX_SEND_MESSAGE_LENGTH,
                            rpc_size_limit(cfg->max_send_bytes, RPC_DEFAULT_MAX_MESSAGE));
    if (cfg->tls != NULL && cfg->tls_server_name != NULL) {
        memset(&args[n], 0, sizeof args[n]);
        args[n].type = GRPC_ARG_STRING;
        args[n].key = (char *)GRPC_SSL_TARGET_NAME_OVERRIDE_ARG;
        args[n++].value.string = (char *)cfg->tls_server_name;
    }
    grpc_channel_args chargs = {n, args};
    c->ch = grpc_channel_create(target, creds, &chargs);
    grpc_channel_credentials_release(creds);
    if (c->ch == NULL) {
        free(c);
        grpc_shutdown();
        return kms_err(KMS_EINVAL, "rpc: cannot create a channel to %s", target);
    }
    *out = c;
    return 0;
}

void rpc_channel_free(struct rpc_channel *c)
{
    if (c == NULL)
        return;
    grpc_channel_destroy(c->ch);
    free(c);
    grpc_shutdown();
}

static void status_set(struct rpc_status *st, int code, const char *msg, size_t len)
{
    if (st == NULL)
        return;
    st->code = code;
    if (len >= sizeof st->message)
        len = sizeof st->message - 1;
    memcpy(st->message, msg, len);
    st->message[len] = '\0';
}

/* Everything one call needs, released by call_end. */
struct unary {
    grpc_completion_queue *cq;
    grpc_call *call;
    grpc_metadata md_stack[MD_STACK];
    grpc_metadata *md;
    size_t n_md;
    grpc_slice method;
    grpc_byte_buffer *out, *in;
    grpc_metadata_array imd, tmd;
    grpc_status_code code;
    grpc_slice details;
};

static void call_end(struct unary *u)
{
    if (u->call != NULL)
        grpc_call_unref(u->call);
    if (u->out != NULL)
        grpc_byte_buffer_destroy(u->out);
    if (u->in != NULL)
        grpc_byte_buffer_destroy(u->in);
    grpc_metadata_array_destroy(&u->imd);
    grpc_metadata_array_destroy(&u->tmd);
    grpc_slice_unref(u->details);
    grpc_slice_unref(u->method);
    for (size_t i = 0; i < u->n_md; i++) {
        grpc_slice_unref(u->md[i].key);
        grpc_slice_unref(u->md[i].value);
    }
    if (u->md != u->md_stack)
        free(u->md);
    if (u->cq != NULL) {
        grpc_completion_queue_shutdown(u->cq);
        grpc_completion_queue_destroy(u->cq);
    }
}

static int set_metadata(struct unary *u, const struct rpc_call_options *opt)
{
    size_t n = opt->n_metadata;
    if (n > MD_STACK) {
        u->md = calloc(n, sizeof *u->md);
        if (u->md == NULL)
            return kms_err(KMS_ENOMEM, "rpc: out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        const struct rpc_metadata *m = &opt->metadata[i];
        if (m->key == NULL || m->value == NULL)
            return kms_err(KMS_EINVAL, "rpc: metadata entry %zu is incomplete", i);
        memset(&u->md[i], 0, sizeof u->md[i]);
        /* refcounted copies: libgrpc may hold them past the call */
        u->md[i].key = grpc_slice_from_copied_string(m->key);
        u->md[i].value = grpc_slice_from_copied_string(m->value);
        u->n_md = i + 1;
    }
    return 0;
}

/* Runs the call; 0 once a status came back (in u->code / u->details). */
static int call_run(struct unary *u, struct rpc_channel *ch, const char *path, grpc_slice req,
                    const struct rpc_call_options *opt)
{
    KMS_TRY(set_metadata(u, opt));
    u->cq = grpc_completion_queue_create_for_pluck(NULL);
    if (u->cq == NULL)
        return kms_err(KMS_EINTERNAL, "rpc: cannot create a completion queue");
    u->method = grpc_slice_from_copied_string(path);
    u->call = grpc_channel_create_call(ch->ch, NULL, GRPC_PROPAGATE_DEFAULTS, u->cq, u->method,
                                       NULL, rpc_deadline_to_gpr(opt->timeout_ms), NULL);
    if (u->call == NULL)
        return kms_err(KMS_EINTERNAL, "rpc: cannot create a call to %s", path);
    u->out = grpc_raw_byte_buffer_create(&req, 1);
    grpc_op ops[6];
    memset(ops, 0, sizeof ops);
    ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
    ops[0].data.send_initial_metadata.count = opt->n_metadata;
    ops[0].data.send_initial_metadata.metadata = u->md;
    ops[1].op = GRPC_OP_SEND_MESSAGE;
    ops[1].data.send_message.send_message = u->out;
    ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
    ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
    ops[3].data.recv_initial_metadata.recv_initial_metadata = &u->imd;
    ops[4].op = GRPC_OP_RECV_MESSAGE;
    ops[4].data.recv_message.recv_message = &u->in;
    ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
    ops[5].data.recv_status_on_client.status = &u->code;
    ops[5].data.recv_status_on_client.status_details = &u->details;
    ops[5].data.recv_status_on_client.trailing_metadata = &u->tmd;
    grpc_call_error e = grpc_call_start_batch(u->call, ops, 6, u, NULL);
    if (e == GRPC_CALL_ERROR_INVALID_METADATA)
        return kms_err(KMS_EINVAL, "rpc: invalid request metadata for %s", path);
    if (e != GRPC_CALL_OK)
        return kms_err(KMS_EINTERNAL, "rpc: cannot start a call to %s (grpc error %d)", path,
                       (int)e);
    grpc_event ev =
        grpc_completion_queue_pluck(u->cq, u, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
    if (ev.type != GRPC_OP_COMPLETE)
        return kms_err(KMS_EINTERNAL, "rpc: call to %s did not complete", path);
    return 0;
}

/* Runs a call and leaves the response bytes in *body (to unref). */
static int unary_bytes(struct rpc_channel *ch, grpc_slice *body, struct rpc_status *st,
                       const char *path, grpc_slice req, const struct rpc_call_options *opt)
{
    static const struct rpc_call_options none;
    struct unary u;
    memset(&u, 0, sizeof u);
    u.md = u.md_stack;
    u.details = grpc_empty_slice();
    u.method = grpc_empty_slice();
    grpc_metadata_array_init(&u.imd);
    grpc_metadata_array_init(&u.tmd);
    *body = grpc_empty_slice();
    int rc = call_run(&u, ch, path, req, opt != NULL ? opt : &none);
    if (rc != 0) {
        status_set(st, rc == KMS_EINVAL ? RPC_INVALID_ARGUMENT : RPC_INTERNAL, kms_err_msg(),
                   strlen(kms_err_msg()));
        call_end(&u);
        return rc;
    }
    int code = (int)u.code;
    status_set(st, code, (const char *)GRPC_SLICE_START_PTR(u.details),
               GRPC_SLICE_LENGTH(u.details));
    if (code != RPC_OK) {
        rc = kms_err(rpc_code_to_kms(code), "%s: %s: %.*s", path, rpc_code_name(code),
                     (int)(GRPC_SLICE_LENGTH(u.details) < 300 ? GRPC_SLICE_LENGTH(u.details) : 300),
                     (const char *)GRPC_SLICE_START_PTR(u.details));
    } else if (u.in == NULL) {
        rc = kms_err(KMS_EINTERNAL, "%s: OK without a response message", path);
        status_set(st, RPC_INTERNAL, kms_err_msg(), strlen(kms_err_msg()));
    } else {
        grpc_byte_buffer_reader r;
        if (!grpc_byte_buffer_reader_init(&r, u.in)) {
            rc = kms_err(KMS_EINTERNAL, "%s: undecodable response", path);
            status_set(st, RPC_INTERNAL, kms_err_msg(), strlen(kms_err_msg()));
        } else {
            *body = grpc_byte_buffer_reader_readall(&r);
            grpc_byte_buffer_reader_destroy(&r);
        }
    }
    call_end(&u);
    return rc;
}

int rpc_client_call_raw(struct rpc_channel *ch, uint8_t **resp, size_t *resp_len,
                        struct rpc_status *st, const char *path, const uint8_t *req,
                        size_t req_len, const struct rpc_call_options *opt)
{
    *resp = NULL;
    *resp_len = 0;
    grpc_slice in = grpc_slice_from_copied_buffer((const char *)req, req_len);
    grpc_slice body;
    int rc = unary_bytes(ch, &body, st, path, in, opt);
    grpc_slice_unref(in);
    if (rc != 0)
        return rc;
    size_t n = GRPC_SLICE_LENGTH(body);
    *resp = malloc(n ? n : 1);
    if (*resp == NULL) {
        grpc_slice_unref(body);
        return kms_err(KMS_ENOMEM, "rpc: out of memory");
    }
    memcpy(*resp, GRPC_SLICE_START_PTR(body), n);
    *resp_len = n;
    grpc_slice_unref(body);
    return 0;
}

int rpc_client_call(struct rpc_channel *ch, ProtobufCMessage **resp, struct rpc_status *st,
                    const ProtobufCServiceDescriptor *svc, const char *method,
                    const ProtobufCMessage *req, const struct rpc_call_options *opt)
{
    *resp = NULL;
    if (svc == NULL || method == NULL) {
        status_set(st, RPC_INVALID_ARGUMENT, "", 0);
        return kms_err(KMS_EINVAL, "rpc: no service or method");
    }
    const ProtobufCMethodDescriptor *md =
        protobuf_c_service_descriptor_get_method_by_name(svc, method);
    int rc = 0;
    char path[PATH_MAX_LEN];
    if (md == NULL)
        rc = kms_err(KMS_EINVAL, "rpc: %s has no method %s", svc->name, method);
    else if (req == NULL || req->descriptor != md->input)
        rc = kms_err(KMS_EINVAL, "rpc: %s.%s takes a %s", svc->name, method, md->input->name);
    else if ((size_t)snprintf(path, sizeof path, "/%s/%s", svc->name, method) >= sizeof path)
        rc = kms_err(KMS_EINVAL, "rpc: method path too long");
    if (rc != 0) {
        status_set(st, RPC_INVALID_ARGUMENT, kms_err_msg(), strlen(kms_err_msg()));
        return rc;
    }
    /* pack straight into the slice that goes out */
    size_t n = protobuf_c_message_get_packed_size(req);
    grpc_slice out = grpc_slice_malloc(n);
    protobuf_c_message_pack(req, GRPC_SLICE_START_PTR(out));
    grpc_slice body;
    rc = unary_bytes(ch, &body, st, path, out, opt);
    grpc_slice_unref(out);
    if (rc != 0)
        return rc;
    *resp = protobuf_c_message_unpack(md->output, NULL, GRPC_SLICE_LENGTH(body),
                                      GRPC_SLICE_START_PTR(body));
    grpc_slice_unref(body);
    if (*resp == NULL) {
        rc = kms_err(KMS_EINVAL, "%s: malformed %s in the response", path, md->output->name);
        status_set(st, RPC_INTERNAL, kms_err_msg(), strlen(kms_err_msg()));
    }
    return rc;
}
