/* Common options, channel, calls and polling of kms-client (client_common.h). */
#include "client_common.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/hex.h"
#include "proto/kms-service.v1.pb-c.h"
#include "rpc/status.h"
#include "service/request_id.h"

#define MAX_EXTRA_DATA ((size_t)1 << 20)
/* One Get…Result call waits at most this long: the server answers
 * UNAVAILABLE after its own long-poll window (60 s by default). */
#define POLL_CALL_MAX_MS 120000
/* Give up polling once the server has been unreachable this long. */
#define SERVER_DOWN_MAX_NS (UINT64_C(5) * 1000000000u)

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void client_opts_init(struct client_opts *o, const char *cmd)
{
    memset(o, 0, sizeof *o);
    o->cmd = cmd;
    const char *env = getenv("KMS_CLIENT_ADDR");
    o->addr = env != NULL && env[0] != '\0' ? env : CLIENT_DEFAULT_ADDR;
    o->timeout_ms = (uint64_t)CLIENT_DEFAULT_TIMEOUT_S * 1000;
    o->domain_name = CLIENT_DEFAULT_DOMAIN_NAME;
    o->domain_version = CLIENT_DEFAULT_DOMAIN_VERSION;
    o->chain_id = CLIENT_DEFAULT_CHAIN_ID;
    o->contract = CLIENT_DEFAULT_CONTRACT;
}

void client_opts_clear(struct client_opts *o)
{
    free(o->extra);
    o->extra = NULL;
    o->extra_len = 0;
}

int client_usage_error(const struct client_opts *o, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "kms-client %s: ", o->cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (kms-client %s --help)\n", o->cmd);
    return CLIENT_EXIT_USAGE;
}

int client_fail(const struct client_opts *o, const char *what)
{
    if (what == NULL || strcmp(what, o->cmd) == 0)
        fprintf(stderr, "kms-client %s: %s\n", o->cmd, kms_err_msg());
    else
        fprintf(stderr, "kms-client %s: %s: %s\n", o->cmd, what, kms_err_msg());
    return CLIENT_EXIT_FAIL;
}

static int parse_timeout(struct client_opts *o, const char *arg)
{
    char *end;
    errno = 0;
    double s = strtod(arg, &end);
    if (errno != 0 || end == arg || *end != '\0' || !(s > 0) || s > 86400.0 * 365)
        return -1;
    o->timeout_ms = (uint64_t)(s * 1000.0);
    if (o->timeout_ms == 0)
        o->timeout_ms = 1;
    return 0;
}

static int parse_extra(struct client_opts *o, const char *arg)
{
    size_t n = strlen(arg);
    uint8_t *p = malloc(n / 2 + 1);
    size_t len;
    if (p == NULL || hex_decode(p, n / 2 + 1, &len, arg, n) != 0 || len > MAX_EXTRA_DATA) {
        free(p);
        return -1;
    }
    free(o->extra);
    o->extra = len > 0 ? p : NULL;
    o->extra_len = len;
    if (len == 0)
        free(p);
    return 0;
}

int client_opt(struct client_opts *o, int c, const char *arg)
{
    switch (c) {
    case CLIENT_OPT_ADDR: o->addr = arg; return 1;
    case CLIENT_OPT_TIMEOUT:
        if (parse_timeout(o, arg) != 0) {
            client_usage_error(o, "--timeout wants a positive number of seconds, not '%s'", arg);
            return -1;
        }
        return 1;
    case CLIENT_OPT_DOMAIN_NAME: o->domain_name = arg; return 1;
    case CLIENT_OPT_DOMAIN_VERSION: o->domain_version = arg; return 1;
    case CLIENT_OPT_CHAIN_ID: o->chain_id = arg; return 1;
    case CLIENT_OPT_CONTRACT: o->contract = arg; return 1;
    case CLIENT_OPT_SALT: o->salt = arg; return 1;
    case CLIENT_OPT_SERVER_ADDRESS: o->server_address = arg; return 1;
    case CLIENT_OPT_PUB_DIR: o->pub_dir = arg; return 1;
    case CLIENT_OPT_NO_VERIFY: o->no_verify = 1; return 1;
    case CLIENT_OPT_REQUEST_ID: {
        struct request_id id;
        if (request_id_parse(&id, arg, strlen(arg)) != 0) {
            client_usage_error(o, "--request-id: %s", kms_err_msg());
            return -1;
        }
        o->request_id = arg;
        return 1;
    }
    case CLIENT_OPT_EXTRA_DATA:
        if (parse_extra(o, arg) != 0) {
            client_usage_error(o, "--extra-data wants hex bytes (at most 1 MiB)");
            return -1;
        }
        return 1;
    default: return 0;
    }
}

int client_getopt(struct client_opts *o, int *status, int argc, char **argv,
                  const struct option *opts, void (*usage)(FILE *))
{
    int c;
    *status = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            *status = -1;
            return -1;
        }
        int r = client_opt(o, c, optarg);
        if (r == 1)
            continue;
        if (r == 0 && c != '?')
            return c; /* the command's own */
        if (r == 0)
            usage(stderr); /* getopt has said what was wrong */
        *status = CLIENT_EXIT_USAGE;
        return -1;
    }
    if (optind != argc)
        *status = client_usage_error(o, "unexpected argument '%s'", argv[optind]);
    return -1;
}

int client_id_opt(const struct client_opts *o, const char *name, const char *value, int required)
{
    char canon[65];
    if (value == NULL)
        return required ? client_usage_error(o, "%s is required", name) : 0;
    if (client_parse_id(canon, NULL, value) != 0)
        return client_usage_error(o, "%s: %s", name, kms_err_msg());
    return 0;
}

void client_usage_common(FILE *f, int verify)
{
    fprintf(f,
            "\nconnection:\n"
            "      --addr HOST:PORT       the kms-server (default %s, or $KMS_CLIENT_ADDR)\n"
            "      --timeout SECONDS      give up after this long, waiting included (default %d)\n"
            "      --request-id HEX       the request id to use (default: 32 random bytes)\n"
            "  -h, --help                 this text\n",
            CLIENT_DEFAULT_ADDR, CLIENT_DEFAULT_TIMEOUT_S);
    if (!verify)
        return;
    fprintf(f,
            "\nEIP-712 domain the server signs under:\n"
            "      --domain-name S        (default \"%s\")\n"
            "      --domain-version S     (default \"%s\")\n"
            "      --chain-id N           decimal or 0x-hex (default %s)\n"
            "      --verifying-contract A EIP-55 address (default %s)\n"
            "      --salt HEX             optional 32-byte salt\n"
            "      --extra-data HEX       extra_data, signed verbatim (default empty)\n"
            "\nsignature verification (on by default; a failed check exits 1):\n"
            "      --server-address 0x..  the server's signing address\n"
            "      --pub-dir DIR          or read it from the server's public storage\n"
            "                             (DIR/VerfAddress/<id>, or DIR/PUB/...)\n"
            "      --no-verify            skip the signature checks\n",
            CLIENT_DEFAULT_DOMAIN_NAME, CLIENT_DEFAULT_DOMAIN_VERSION, CLIENT_DEFAULT_CHAIN_ID,
            CLIENT_DEFAULT_CONTRACT);
}

/* ---- channel and calls ---- */

int client_connect(struct client_opts *o, struct rpc_channel **ch)
{
    o->deadline_ns = now_ns() + o->timeout_ms * 1000000u;
    return rpc_channel_new(ch, o->addr, NULL);
}

uint64_t client_remaining_ms(const struct client_opts *o)
{
    uint64_t now = now_ns();
    if (now >= o->deadline_ns)
        return 1;
    uint64_t ms = (o->deadline_ns - now) / 1000000u;
    return ms > 0 ? ms : 1;
}

static int call_with(struct rpc_channel *ch, ProtobufCMessage **resp, struct rpc_status *st,
                     const char *method, const ProtobufCMessage *req, uint64_t timeout_ms)
{
    struct rpc_call_options opt = {.timeout_ms = timeout_ms};
    return rpc_client_call(ch, resp, st, &kms_service__v1__core_service_endpoint__descriptor,
                           method, req, &opt);
}

int client_call(const struct client_opts *o, struct rpc_channel *ch, ProtobufCMessage **resp,
                struct rpc_status *st, const char *method, const ProtobufCMessage *req)
{
    return call_with(ch, resp, st, method, req, client_remaining_ms(o));
}

/* UNAVAILABLE also means that the server cannot be reached; that is not
 * worth the whole deadline of waiting. */
static int is_transport_failure(const struct rpc_status *st)
{
    static const char *const marks[] = {"failed to connect", "Socket closed",
                                        "Connection refused", "Connection reset"};
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        if (strstr(st->message, marks[i]) != NULL)
            return 1;
    return 0;
}

int client_poll(const struct client_opts *o, struct rpc_channel *ch, ProtobufCMessage **resp,
                const char *method, const char *id)
{
    Kms__V1__RequestId rid = KMS__V1__REQUEST_ID__INIT;
    rid.request_id = (char *)id;
    uint64_t down_since = 0;
    for (;;) {
        uint64_t left = client_remaining_ms(o);
        if (now_ns() >= o->deadline_ns)
            return kms_err(KMS_ETIMEOUT, "%s: no result for %s before the deadline", method, id);
        struct rpc_status st;
        uint64_t t = left < POLL_CALL_MAX_MS ? left : POLL_CALL_MAX_MS;
        int rc = call_with(ch, resp, &st, method, &rid.base, t);
        if (rc == 0)
            return 0;
        if (st.code != RPC_UNAVAILABLE && st.code != RPC_DEADLINE_EXCEEDED)
            return rc;
        if (st.code == RPC_UNAVAILABLE && is_transport_failure(&st)) {
            if (down_since == 0)
                down_since = now_ns();
            else if (now_ns() - down_since > SERVER_DOWN_MAX_NS)
                return rc;
        } else {
            down_since = 0;
        }
        /* not ready: a server that answers at once (no long poll) must not
         * be hammered */
        if (st.code == RPC_UNAVAILABLE) {
            struct timespec ts = {0, 100 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
}

int client_run_verified(struct client_opts *o, client_run_fn *run, void *ctx)
{
    struct client_domain dom;
    uint8_t server[20] = {0};
    if (client_domain(o, &dom) != 0 ||
        (!o->no_verify && client_server_address(o, server) != 0))
        return client_usage_error(o, "%s", kms_err_msg());
    struct rpc_channel *ch = NULL;
    int rc = client_connect(o, &ch);
    if (rc == 0)
        rc = run(ctx, ch, &dom, server);
    rpc_channel_free(ch);
    return rc == 0 ? CLIENT_EXIT_OK : client_fail(o, NULL);
}
