/* Small glue between ckms and libgrpc: channel arguments, deadlines,
 * credentials from PEM text, and thread signal masks. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <grpc/support/log.h>
#include <grpc/support/time.h>

#include "base/log.h"
#include "base/secmem.h"
#include "rpc/rpc_impl.h"

grpc_arg rpc_arg_int(const char *key, int value)
{
    /* grpc_channel_arg_integer_create is not exported by Debian's libgrpc */
    grpc_arg a;
    memset(&a, 0, sizeof a);
    a.type = GRPC_ARG_INTEGER;
    a.key = (char *)key;
    a.value.integer = value;
    return a;
}

int rpc_size_limit(int64_t configured, int64_t fallback)
{
    int64_t v = configured == 0 ? fallback : configured;
    if (v < 0)
        return -1;
    return v > INT_MAX ? INT_MAX : (int)v;
}

struct clock_deadline rpc_deadline_from_gpr(gpr_timespec d)
{
    if (d.tv_sec == INT64_MAX)
        return CLOCK_DEADLINE_NEVER;
    gpr_timespec left = gpr_time_sub(d, gpr_now(d.clock_type));
    if (left.tv_sec < 0)
        return clock_deadline_in_ns(0);
    if ((uint64_t)left.tv_sec > UINT64_MAX / 1000000000u - 1)
        return CLOCK_DEADLINE_NEVER;
    return clock_deadline_in_ns((uint64_t)left.tv_sec * 1000000000u + (uint64_t)left.tv_nsec);
}

gpr_timespec rpc_deadline_to_gpr(uint64_t timeout_ms)
{
    if (timeout_ms == 0 || timeout_ms > (uint64_t)INT64_MAX / 2000)
        return gpr_inf_future(GPR_CLOCK_MONOTONIC);
    return gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
                        gpr_time_from_millis((int64_t)timeout_ms, GPR_TIMESPAN));
}

int rpc_server_creds(grpc_server_credentials **creds, const struct rpc_tls *tls)
{
    *creds = NULL;
    if (tls == NULL) {
        *creds = grpc_insecure_server_credentials_create();
    } else {
        if (tls->cert_chain_pem == NULL || tls->private_key_pem == NULL)
            return kms_err(KMS_EINVAL, "rpc: TLS server needs a certificate chain and a key");
        grpc_ssl_pem_key_cert_pair pair = {tls->private_key_pem, tls->cert_chain_pem};
        grpc_ssl_client_certificate_request_type req =
            tls->ca_pem != NULL ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
                                : GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE;
        *creds = grpc_ssl_server_credentials_create_ex(tls->ca_pem, &pair, 1, req, NULL);
    }
    if (*creds == NULL)
        return kms_err(KMS_EINVAL, "rpc: cannot create server credentials");
    return 0;
}

int rpc_channel_creds(grpc_channel_credentials **creds, const struct rpc_tls *tls)
{
    *creds = NULL;
    if (tls == NULL) {
        *creds = grpc_insecure_credentials_create();
    } else {
        if ((tls->cert_chain_pem == NULL) != (tls->private_key_pem == NULL))
            return kms_err(KMS_EINVAL, "rpc: a client certificate needs its key and vice versa");
        grpc_ssl_pem_key_cert_pair pair = {tls->private_key_pem, tls->cert_chain_pem};
        *creds = grpc_ssl_credentials_create(tls->ca_pem, tls->cert_chain_pem ? &pair : NULL, NULL,
                                             NULL);
    }
    if (*creds == NULL)
        return kms_err(KMS_EINVAL, "rpc: cannot create channel credentials");
    return 0;
}

void rpc_block_signals(sigset_t *old)
{
    /* faults stay unblocked so that a crash is still reported */
    static const int faults[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT, SIGSYS};
    sigset_t all;
    sigfillset(&all);
    for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++)
        sigdelset(&all, faults[i]);
    pthread_sigmask(SIG_BLOCK, &all, old);
}

int rpc_pem_read(char **pem, const char *path)
{
    *pem = NULL;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return kms_err(KMS_EIO, "rpc: cannot open %s: %s", path, strerror(errno));
    char *buf = malloc(RPC_PEM_MAX + 1);
    if (buf == NULL) {
        fclose(f);
        return kms_err(KMS_ENOMEM, "rpc: out of memory");
    }
    size_t n = fread(buf, 1, RPC_PEM_MAX + 1, f);
    int bad = ferror(f);
    fclose(f);
    int rc = 0;
    if (bad)
        rc = kms_err(KMS_EIO, "rpc: cannot read %s", path);
    else if (n > RPC_PEM_MAX)
        rc = kms_err(KMS_ELIMIT, "rpc: %s is larger than %zu bytes", path, RPC_PEM_MAX);
    else if (memchr(buf, '\0', n) != NULL)
        rc = kms_err(KMS_EINVAL, "rpc: %s is not PEM text (NUL byte)", path);
    if (rc == 0) {
        buf[n] = '\0';
        if (strstr(buf, "-----BEGIN ") == NULL)
            rc = kms_err(KMS_EINVAL, "rpc: %s holds no PEM block", path);
    }
    if (rc != 0) {
        secmem_wipe(buf, n < RPC_PEM_MAX + 1 ? n : RPC_PEM_MAX + 1);
        free(buf);
        return rc;
    }
    *pem = buf;
    return 0;
}

void rpc_pem_free(char *pem)
{
    if (pem == NULL)
        return;
    secmem_wipe(pem, strlen(pem));
    free(pem);
}

/* libgrpc's own messages (failed handshakes, bind errors, ...) go through
 * our logger, one logfmt line each: errors as warnings, since they concern
 * one connection and the caller sees the failure anyway. */
static void grpc_log_to_ours(gpr_log_func_args *a)
{
    enum log_level level = a->severity == GPR_LOG_SEVERITY_ERROR  ? LOG_WARN
                           : a->severity == GPR_LOG_SEVERITY_INFO ? LOG_DEBUG
                                                                  : LOG_TRACE;
    if (!log_enabled(level))
        return;
    char detail[1024];
    const char *file = strrchr(a->file, '/');
    log_write(level, "grpc", "src=%s:%d detail=%s", file ? file + 1 : a->file, a->line,
              log_quote(detail, sizeof detail, a->message));
}

static void log_init_once(void) { gpr_set_log_function(grpc_log_to_ours); }

void rpc_log_init(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, log_init_once);
}
