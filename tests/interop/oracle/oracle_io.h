/* Line protocol shared by the interop oracles.
 *
 * An oracle reads commands from stdin, one per line: a command name then
 * space-separated arguments (usually hex). For each line it writes exactly
 * one line to stdout: "ok" followed by space-separated results, or
 * "err <error name> <message>". tests/interop/lib/oracle.js drives it. */
#ifndef CKMS_ORACLE_IO_H
#define CKMS_ORACLE_IO_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

#define ORACLE_MAX_ARGS 16

struct oracle_cmd {
    const char *name;
    int nargs; /* exact argument count, or -1 for any */
    /* Appends the space-separated results (without "ok") to out. */
    int (*run)(struct buf *out, int argc, char **argv);
};

/* Serves commands until end of input; returns the process exit status. */
int oracle_main(const struct oracle_cmd *cmds, size_t n_cmds);

/* Decodes hex argument `arg` into a fresh malloc'd buffer (caller frees). */
int oracle_hex_arg(const char *arg, uint8_t **out, size_t *len);
/* Decodes hex argument `arg` into exactly n bytes. */
int oracle_hex_exact(const char *arg, uint8_t *out, size_t n);
/* Appends " <hex of p>" (the leading space only when out is not empty). */
void oracle_put_hex(struct buf *out, const void *p, size_t n);
/* Appends " <text>" likewise. */
void oracle_put_text(struct buf *out, const char *text);

#endif
