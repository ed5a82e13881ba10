/* kms-client: one binary, one function per command. Each command parses its
 * own options (getopt_long, with --help), prints its results on stdout as
 * JSON lines (gRPC commands) or plain text (fhe tools), its errors on
 * stderr, and returns the process exit status: 0 success, 1 the operation
 * failed, 2 bad usage. */
#ifndef CKMS_KMS_CLIENT_H
#define CKMS_KMS_CLIENT_H

/* argv[0] is the command name ("fhe", "key-gen", ...). */
typedef int client_cmd_fn(int argc, char **argv);

/* the offline TFHE tools: keygen, encrypt, decrypt, inspect (fhe.c) */
client_cmd_fn cmd_fhe;

/* the gRPC commands against a running kms-server (grpc_*.c) */
client_cmd_fn cmd_key_gen;
client_cmd_fn cmd_key_gen_result;
client_cmd_fn cmd_encrypt;
client_cmd_fn cmd_public_decrypt;
client_cmd_fn cmd_user_decrypt;
client_cmd_fn cmd_key_material;
client_cmd_fn cmd_health;

#endif
