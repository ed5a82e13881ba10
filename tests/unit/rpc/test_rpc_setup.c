/* The gRPC layer's set-up paths: the health service, TLS and mutual TLS
 * with certificates made at test time, configuration and registration
 * errors, PEM loading, the status-code tables, and the per-call arena. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <unistd.h>

#include "echo_fixture.h"
#include "proto/health.v1.pb-c.h"
#include "proto/kms-service.v1.pb-c.h"
#include "rpc/rpc_impl.h"
#include "test_certs.h"
#include "test_util.h"

typedef Grpc__Health__V1__HealthCheckResponse HealthResp;
#define SERVING GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING
#define NOT_SERVING GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__NOT_SERVING

static int health_call(struct rpc_channel *ch, const char *method, const char *service,
                       int *status, struct rpc_status *st)
{
    Grpc__Health__V1__HealthCheckRequest req = GRPC__HEALTH__V1__HEALTH_CHECK_REQUEST__INIT;
    req.service = (char *)service;
    ProtobufCMessage *m;
    int rc = rpc_client_call(ch, &m, st, &grpc__health__v1__health__descriptor, method, &req.base,
                             NULL);
    if (rc == 0) {
        *status = ((HealthResp *)m)->status;
        protobuf_c_message_free_unpacked(m, NULL);
    }
    return rc;
}

static void test_health(void **state)
{
    (void)state;
    struct fixture f;
    struct rpc_server_config cfg = {.workers = 1};
    fixture_start(&f, &cfg, NULL);
    int status = -1;
    struct rpc_status st;
    assert_int_equal(health_call(f.ch, "Check", "", &status, &st), 0);
    assert_int_equal(status, SERVING);
    assert_int_equal(health_call(f.ch, "Check", "ckms.test.v1.Echo", &status, &st), 0);
    assert_int_equal(status, SERVING);
    assert_int_equal(health_call(f.ch, "Check", "ckms.test.v1.Other", &status, &st), KMS_ENOTFOUND);
    assert_int_equal(st.code, RPC_NOT_FOUND);
    assert_non_null(strstr(st.message, "ckms.test.v1.Other"));
    rpc_health_set_serving(f.srv, 0);
    assert_int_equal(health_call(f.ch, "Check", "", &status, &st), 0);
    assert_int_equal(status, NOT_SERVING);
    rpc_health_set_serving(f.srv, 1);
    assert_int_equal(health_call(f.ch, "Check", "ckms.test.v1.Echo", &status, &st), 0);
    assert_int_equal(status, SERVING);
    /* Watch is a streaming method we do not serve */
    assert_int_equal(health_call(f.ch, "Watch", "", &status, &st), KMS_EUNIMPL);
    assert_int_equal(st.code, RPC_UNIMPLEMENTED);
    fixture_stop(&f);
}

static void test_config_errors(void **state)
{
    (void)state;
    struct rpc_server *s = (struct rpc_server *)1;
    struct rpc_server_config cfg = {0};
    assert_int_equal(rpc_server_new(&s, &cfg), KMS_EINVAL);
    assert_null(s);
    assert_int_equal(rpc_server_new(&s, NULL), KMS_EINVAL);
    cfg.listen_addr = "127.0.0.1:0";
    cfg.cq_threads = RPC_MAX_CQ_THREADS + 1;
    assert_int_equal(rpc_server_new(&s, &cfg), KMS_EINVAL);
    cfg.cq_threads = 0;
    cfg.listen_addr = "not an address";
    assert_int_equal(rpc_server_new(&s, &cfg), KMS_EIO);
    struct rpc_tls no_key = {.cert_chain_pem = "x"};
    cfg.listen_addr = "127.0.0.1:0";
    cfg.tls = &no_key;
    assert_int_equal(rpc_server_new(&s, &cfg), KMS_EINVAL);
    cfg.tls = NULL;

    /* a busy port fails (SO_REUSEPORT is off) */
    assert_int_equal(rpc_server_new(&s, &cfg), 0);
    char addr[64];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", rpc_server_port(s));
    struct rpc_server *s2;
    struct rpc_server_config cfg2 = {.listen_addr = addr};
    assert_int_equal(rpc_server_new(&s2, &cfg2), KMS_EIO);

    /* registration errors */
    static const struct rpc_method_handler typo[] = {{"Ehco", on_echo, 0}};
    assert_int_equal(rpc_server_add_service(s, ECHO_SVC, typo, 1, NULL), KMS_EINVAL);
    static const struct rpc_method_handler twice[] = {{"Echo", on_echo, 0}, {"Echo", on_block, 0}};
    assert_int_equal(rpc_server_add_service(s, ECHO_SVC, twice, 2, NULL), KMS_EINVAL);
    static const struct rpc_method_handler flags[] = {{"Echo", on_echo, 0x80}};
    assert_int_equal(rpc_server_add_service(s, ECHO_SVC, flags, 1, NULL), KMS_EINVAL);
    assert_int_equal(rpc_server_add_service(s, ECHO_SVC, echo_handlers, 2, NULL), 0);
    assert_int_equal(rpc_server_add_service(s, ECHO_SVC, echo_handlers, 2, NULL), KMS_EINVAL);
    /* the whole KMS service with no handlers at all is fine */
    assert_int_equal(rpc_server_add_service(s, &kms_service__v1__core_service_endpoint__descriptor,
                                            NULL, 0, NULL),
                     0);
    assert_int_equal(rpc_health_register(s, NULL, 0), 0);
    assert_int_equal(rpc_health_register(s, NULL, 0), KMS_EINVAL);
    assert_int_equal(rpc_server_start(s), 0);
    assert_int_equal(rpc_server_start(s), KMS_EINVAL);
    static const struct rpc_method_handler late[] = {{"Echo", on_echo, 0}};
    assert_int_equal(
        rpc_server_add_service(s, &grpc__health__v1__health__descriptor, late, 0, NULL),
        KMS_EINVAL);
    rpc_server_free(s);

    /* a server that never started frees cleanly */
    assert_int_equal(rpc_server_new(&s, &cfg), 0);
    assert_int_equal(rpc_server_add_service(s, ECHO_SVC, echo_handlers, 2, NULL), 0);
    rpc_server_shutdown(s, 0);
    rpc_server_free(s);
    rpc_server_free(NULL);

    struct rpc_channel *ch = (struct rpc_channel *)1;
    assert_int_equal(rpc_channel_new(&ch, "", NULL), KMS_EINVAL);
    assert_null(ch);
    rpc_channel_free(NULL);
}

/* A call to a port where nobody listens fails at once with UNAVAILABLE. */
static void test_server_down(void **state)
{
    (void)state;
    struct rpc_server *s;
    struct rpc_server_config cfg = {.listen_addr = "127.0.0.1:0"};
    assert_int_equal(rpc_server_new(&s, &cfg), 0);
    char target[64];
    snprintf(target, sizeof target, "127.0.0.1:%d", rpc_server_port(s));
    rpc_server_free(s); /* the port is free again */
    struct rpc_channel *ch;
    assert_int_equal(rpc_channel_new(&ch, target, NULL), 0);
    EchoRequest req = CKMS__TEST__V1__ECHO_REQUEST__INIT;
    EchoReply *r;
    struct rpc_status st;
    uint64_t t0 = clock_now_ms();
    assert_int_equal(echo_call(ch, "Echo", &r, &st, &req, 5000, NULL), KMS_EUNAVAIL);
    assert_int_equal(st.code, RPC_UNAVAILABLE);
    assert_true(clock_now_ms() - t0 < 4000);
    rpc_channel_free(ch);
}

struct pki {
    struct test_pki ca, server, client, other_ca, stranger;
};

static void pki_make(struct pki *p)
{
    assert_int_equal(test_pki_make(&p->ca, "ckms test CA", NULL), 0);
    assert_int_equal(test_pki_make(&p->server, "party-1", &p->ca), 0);
    assert_int_equal(test_pki_make(&p->client, "party-2", &p->ca), 0);
    assert_int_equal(test_pki_make(&p->other_ca, "other CA", NULL), 0);
    assert_int_equal(test_pki_make(&p->stranger, "party-9", &p->other_ca), 0);
}

static void pki_free(struct pki *p)
{
    test_pki_free(&p->ca);
    test_pki_free(&p->server);
    test_pki_free(&p->client);
    test_pki_free(&p->other_ca);
    test_pki_free(&p->stranger);
}

static int try_echo(struct fixture *f, const char *target, const struct rpc_client_config *cc,
                    char *peer, size_t peer_cap, struct rpc_status *st)
{
    struct rpc_channel *ch;
    assert_int_equal(rpc_channel_new(&ch, target, cc), 0);
    EchoRequest req = CKMS__TEST__V1__ECHO_REQUEST__INIT;
    req.text = "over tls";
    EchoReply *r;
    int rc = echo_call(ch, "Echo", &r, st, &req, 5000, NULL);
    if (rc == 0) {
        assert_string_equal(r->text, "over tls");
        snprintf(peer, peer_cap, "%s", r->peer);
        echo_free(r);
    }
    rpc_channel_free(ch);
    (void)f;
    return rc;
}

static void test_tls(void **state)
{
    (void)state;
    struct pki p;
    pki_make(&p);
    char peer[64];
    struct rpc_status st;

    /* server-only TLS: any client that trusts the CA */
    struct rpc_tls stls = {p.server.cert_pem, p.server.key_pem, NULL};
    struct rpc_server_config cfg = {.workers = 1, .tls = &stls};
    struct rpc_tls ctls = {NULL, NULL, p.ca.cert_pem};
    struct rpc_client_config cc = {.tls = &ctls, .tls_server_name = "localhost"};
    struct fixture f;
    fixture_start(&f, &cfg, &cc);
    assert_int_equal(try_echo(&f, f.target, &cc, peer, sizeof peer, &st), 0);
    assert_string_equal(peer, "");
    /* a plaintext client, or one that does not trust the CA, gets nowhere */
    assert_int_equal(try_echo(&f, f.target, NULL, peer, sizeof peer, &st), KMS_EUNAVAIL);
    struct rpc_tls wrong_ca = {NULL, NULL, p.other_ca.cert_pem};
    struct rpc_client_config cc_wrong = {.tls = &wrong_ca, .tls_server_name = "localhost"};
    assert_int_equal(try_echo(&f, f.target, &cc_wrong, peer, sizeof peer, &st), KMS_EUNAVAIL);
    /* nor one that expects another name */
    struct rpc_client_config cc_name = {.tls = &ctls, .tls_server_name = "party-7.example"};
    assert_int_equal(try_echo(&f, f.target, &cc_name, peer, sizeof peer, &st), KMS_EUNAVAIL);
    fixture_stop(&f);

    /* mutual TLS: the handler sees the client's CN */
    stls.ca_pem = p.ca.cert_pem;
    struct rpc_tls mtls = {p.client.cert_pem, p.client.key_pem, p.ca.cert_pem};
    struct rpc_client_config mc = {.tls = &mtls, .tls_server_name = "localhost"};
    fixture_start(&f, &cfg, &mc);
    assert_int_equal(try_echo(&f, f.target, &mc, peer, sizeof peer, &st), 0);
    assert_string_equal(peer, "party-2");
    /* without a client certificate, or with one from another CA: refused */
    assert_int_equal(try_echo(&f, f.target, &cc, peer, sizeof peer, &st), KMS_EUNAVAIL);
    struct rpc_tls stranger = {p.stranger.cert_pem, p.stranger.key_pem, p.ca.cert_pem};
    struct rpc_client_config sc = {.tls = &stranger, .tls_server_name = "localhost"};
    assert_int_equal(try_echo(&f, f.target, &sc, peer, sizeof peer, &st), KMS_EUNAVAIL);
    /* a client certificate without its key is a local error */
    struct rpc_tls half = {p.client.cert_pem, NULL, p.ca.cert_pem};
    struct rpc_client_config hc = {.tls = &half};
    struct rpc_channel *ch;
    assert_int_equal(rpc_channel_new(&ch, f.target, &hc), KMS_EINVAL);
    fixture_stop(&f);
    pki_free(&p);
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static void test_pem_read(void **state)
{
    (void)state;
    char dir[256];
    test_mkdtemp(dir, sizeof dir, "ckms-pem");
    char path[320];
    snprintf(path, sizeof path, "%s/a.pem", dir);
    const char *pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    write_file(path, pem);
    char *got;
    assert_int_equal(rpc_pem_read(&got, path), 0);
    assert_string_equal(got, pem);
    rpc_pem_free(got);
    write_file(path, "just text\n");
    assert_int_equal(rpc_pem_read(&got, path), KMS_EINVAL);
    assert_null(got);
    FILE *fp = fopen(path, "wb");
    fwrite("-----BEGIN X-----\0", 1, 18, fp);
    fclose(fp);
    assert_int_equal(rpc_pem_read(&got, path), KMS_EINVAL);
    unlink(path);
    assert_int_equal(rpc_pem_read(&got, path), KMS_EIO);
    rpc_pem_free(NULL);
    rmdir(dir);
}

static void test_status_codes(void **state)
{
    (void)state;
    assert_string_equal(rpc_code_name(RPC_OK), "OK");
    assert_string_equal(rpc_code_name(RPC_RESOURCE_EXHAUSTED), "RESOURCE_EXHAUSTED");
    assert_string_equal(rpc_code_name(RPC_UNAUTHENTICATED), "UNAUTHENTICATED");
    assert_string_equal(rpc_code_name(17), "UNKNOWN_CODE");
    assert_string_equal(rpc_code_name(-1), "UNKNOWN_CODE");
    /* the codes of the KMS status contract come back as they went out */
    static const int kms[] = {KMS_EINVAL, KMS_ENOTFOUND, KMS_EEXIST, KMS_EUNAVAIL, KMS_EFULL,
                              KMS_EABORTED, KMS_EPRECOND, KMS_EUNIMPL, KMS_ETIMEOUT,
                              KMS_EINTERNAL};
    for (size_t i = 0; i < sizeof kms / sizeof kms[0]; i++)
        assert_int_equal(rpc_code_to_kms(kms_err_grpc_status(kms[i])), kms[i]);
    assert_int_equal(rpc_code_to_kms(RPC_OK), 0);
    assert_int_equal(rpc_code_to_kms(RPC_DATA_LOSS), KMS_EINTERNAL);
    assert_int_equal(rpc_code_to_kms(99), KMS_EINTERNAL);
}

static void test_arena(void **state)
{
    (void)state;
    struct rpc_arena a;
    rpc_arena_init(&a);
    uint8_t *prev = NULL;
    /* fill the inline block, then spill into heap chunks of every size */
    static const size_t sizes[] = {1, 0, 15, 16, 17, 100, 900, 5000, 1, 20000, 3, 8192, 64};
    for (int round = 0; round < 2; round++) {
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            uint8_t *p = rpc_arena_alloc(&a, sizes[i]);
            assert_non_null(p);
            assert_int_equal((uintptr_t)p % 16, 0);
            memset(p, 0xab, sizes[i]);
            assert_true(p != prev);
            prev = p;
        }
        rpc_arena_release(&a);
    }
    assert_null(rpc_arena_alloc(&a, SIZE_MAX));
    assert_null(rpc_arena_alloc(&a, SIZE_MAX - 100));
    assert_null(rpc_arena_alloc(&a, ((size_t)1 << 32) + 1));
    ProtobufCAllocator pa = rpc_arena_allocator(&a);
    void *p = pa.alloc(pa.allocator_data, 40);
    assert_non_null(p);
    pa.free(pa.allocator_data, p); /* no-op */
    rpc_arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_health),      cmocka_unit_test(test_config_errors),
        cmocka_unit_test(test_server_down), cmocka_unit_test(test_tls),
        cmocka_unit_test(test_pem_read),    cmocka_unit_test(test_status_codes),
        cmocka_unit_test(test_arena),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
