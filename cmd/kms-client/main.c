/* kms-client: drives a kms-server over gRPC, and holds the offline TFHE
 * tools (`fhe`). main only dispatches to the command's own function. */
#include <stdio.h>
#include <string.h>

#include "kms_client.h"

struct command {
    const char *name;
    client_cmd_fn *fn;
    const char *summary;
};

static const struct command commands[] = {
    {"key-gen", cmd_key_gen, "generate an FHE key on the server (KeyGenPreproc + KeyGen)"},
    {"key-gen-result", cmd_key_gen_result, "fetch and verify a key generation's result"},
    {"encrypt", cmd_encrypt, "encrypt a value under a server key's public key"},
    {"public-decrypt", cmd_public_decrypt, "decrypt ciphertexts publicly, verify signatures"},
    {"user-decrypt", cmd_user_decrypt, "decrypt ciphertexts re-encrypted to this client"},
    {"key-material", cmd_key_material, "list the keys the server holds"},
    {"health", cmd_health, "the server's health and peers"},
    {"fhe", cmd_fhe, "offline TFHE tools: keygen, encrypt, decrypt, inspect"},
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
    fprintf(f, "usage: kms-client COMMAND [options]   (kms-client COMMAND --help for details)\n"
               "\ncommands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-16s %s\n", commands[i].name, commands[i].summary);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < N_COMMANDS; i++) {
        if (strcmp(argv[1], commands[i].name) != 0)
            continue;
        return commands[i].fn(argc - 1, argv + 1);
    }
    fprintf(stderr, "kms-client: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
