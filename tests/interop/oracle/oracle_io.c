#include "oracle_io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hex.h"

int oracle_hex_arg(const char *arg, uint8_t **out, size_t *len)
{
    size_t n = strlen(arg);
    /* "-" stands for the empty byte string */
    if (strcmp(arg, "-") == 0)
        n = 0;
    uint8_t *p = malloc(n / 2 + 1);
    if (p == NULL)
        return kms_err(KMS_ENOMEM, "oracle: out of memory");
    int rc = hex_decode(p, n / 2 + 1, len, arg, n);
    if (rc < 0) {
        free(p);
        return rc;
    }
    *out = p;
    return 0;
}

int oracle_hex_exact(const char *arg, uint8_t *out, size_t n)
{
    return hex_decode_exact(out, n, arg);
}

static void sep(struct buf *out)
{
    if (out->len > 0)
        buf_put_u8(out, ' ');
}

void oracle_put_hex(struct buf *out, const void *p, size_t n)
{
    sep(out);
    if (n == 0) {
        buf_put_u8(out, '-');
        return;
    }
    char *dst = (char *)buf_extend(out, 2 * n + 1);
    if (dst != NULL && hex_encode(dst, 2 * n + 1, p, n) == 0)
        out->len--; /* drop the NUL */
}

void oracle_put_text(struct buf *out, const char *text)
{
    sep(out);
    buf_put(out, text, strlen(text));
}

static int split(char *line, char **argv)
{
    int argc = 0;
    for (char *tok = strtok(line, " \t\r\n"); tok != NULL; tok = strtok(NULL, " \t\r\n")) {
        if (argc == ORACLE_MAX_ARGS + 1)
            return -1;
        argv[argc++] = tok;
    }
    return argc;
}

static void run_line(const struct oracle_cmd *cmds, size_t n_cmds, char *line, struct buf *out)
{
    char *argv[ORACLE_MAX_ARGS + 1];
    int argc = split(line, argv);
    buf_reset(out);
    kms_err_clear();
    if (argc <= 0) {
        printf("err invalid_argument empty or overlong command\n");
        return;
    }
    for (size_t i = 0; i < n_cmds; i++) {
        if (strcmp(cmds[i].name, argv[0]) != 0)
            continue;
        if (cmds[i].nargs >= 0 && cmds[i].nargs != argc - 1) {
            printf("err invalid_argument %s takes %d arguments\n", argv[0], cmds[i].nargs);
            return;
        }
        int rc = cmds[i].run(out, argc - 1, argv + 1);
        if (rc == 0)
            rc = buf_status(out);
        if (rc < 0)
            printf("err %s %s\n", kms_err_name(rc), kms_err_msg());
        else
            printf("ok %.*s\n", (int)out->len, (const char *)out->data);
        return;
    }
    printf("err invalid_argument unknown command %s\n", argv[0]);
}

int oracle_main(const struct oracle_cmd *cmds, size_t n_cmds)
{
    char *line = NULL;
    size_t cap = 0;
    struct buf out;
    buf_init(&out, BUF_UNLIMITED);
    while (getline(&line, &cap, stdin) > 0) {
        run_line(cmds, n_cmds, line, &out);
        fflush(stdout);
    }
    free(line);
    buf_free(&out);
    return 0;
}
