#!/usr/bin/env bash
# make demo: the whole centralized KMS on this machine, step by step.
#
#   1. a configuration in a temporary directory (storage, key-encryption key)
#   2. kms-gen-keys: the server's signing key and its published address
#   3. kms-server on 127.0.0.1 (a free port)
#   4. kms-client key-gen: an FHE key (default parameters unless
#      DEMO_PARAMS=test), its signature and key digests checked
#   5. kms-client encrypt: three values of different types
#   6. kms-client public-decrypt: all three, signatures checked
#   7. kms-client user-decrypt: all three, re-encrypted to a fresh ML-KEM key
#   8. the server is stopped (also on error or Ctrl-C)
#
# Binaries come from build/bin (or $CKMS_BIN_DIR). Every kms-client step
# prints its JSON line; the lines a gateway would grep carry "request_id".
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${CKMS_BIN_DIR:-$ROOT/build/bin}
PARAMS=${DEMO_PARAMS:-default}
WORK=$(mktemp -d -t ckms-demo.XXXXXX)
SERVER_PID=

for b in kms-server kms-gen-keys kms-client; do
  if [ ! -x "$BIN/$b" ]; then
    echo "demo: $BIN/$b is missing; build first (make)" >&2
    exit 1
  fi
done

cleanup() {
  local status=$?
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [ "$status" -ne 0 ] && [ -s "$WORK/server.log" ]; then
    echo "demo: failed; the server's last log lines:" >&2
    tail -n 20 "$WORK/server.log" >&2
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -t 1 ]; then BOLD=$'\033[1m' PLAIN=$'\033[0m' JQ=(jq -C .); else BOLD= PLAIN= JQ=(jq .); fi
step() { printf '\n%s== %s%s\n' "$BOLD" "$*" "$PLAIN"; }
show() {  # pretty-print a JSON line when jq is there
  if command -v jq >/dev/null 2>&1; then "${JQ[@]}" <<<"$1"; else printf '%s\n' "$1"; fi
}
field() {  # field NAME JSON: the first string value of NAME
  sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p" <<<"$2" | head -n 1
}
values() {  # the plaintext values of a decryption line, space separated
  grep -o '"value":"[0-9]*"' <<<"$1" | sed 's/"value":"\([0-9]*\)"/\1/' | tr '\n' ' '
}

step "1. configuration in $WORK"
cat >"$WORK/kms.toml" <<EOF
[service]
listen_address = "127.0.0.1"
listen_port = 50051

[public_vault.storage.file]
path = "$WORK/keys"

[private_vault.storage.file]
path = "$WORK/keys"

# the private vault is encrypted under this key-encryption key
[private_vault.encryption]
kek_file = "$WORK/kek"
EOF
cat "$WORK/kms.toml"

step "2. kms-gen-keys: the server's signing key"
GEN=$("$BIN/kms-gen-keys" --config "$WORK/kms.toml" --create-kek 2>/dev/null)
show "$GEN"
ADDRESS=$(field address "$GEN")
echo "server signing address: $ADDRESS (published in $WORK/keys/PUB/VerfAddress/)"

step "3. kms-server on 127.0.0.1"
SERVER_ARGS=(--config "$WORK/kms.toml" --port 0)
[ "$PARAMS" = test ] && SERVER_ARGS+=(--allow-test-params)
"$BIN/kms-server" "${SERVER_ARGS[@]}" >"$WORK/server.out" 2>"$WORK/server.log" &
SERVER_PID=$!
for _ in $(seq 1 100); do
  grep -q 'listening on' "$WORK/server.out" 2>/dev/null && break
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "demo: kms-server exited" >&2; exit 1; }
  sleep 0.1
done
ADDR=$(sed -n 's/.*listening on \([^ ]*\).*/\1/p' "$WORK/server.out" | head -n 1)
[ -n "$ADDR" ] || { echo "demo: kms-server did not start" >&2; exit 1; }
echo "kms-server (pid $SERVER_PID) listening on $ADDR"

export KMS_CLIENT_ADDR=$ADDR
CLIENT=("$BIN/kms-client")
VERIFY=(--pub-dir "$WORK/keys")

step "4. kms-client key-gen --params $PARAMS (preprocessing, then the key)"
[ "$PARAMS" = default ] && echo "(default parameters: this takes a few seconds)"
KEYGEN=$("${CLIENT[@]}" key-gen --params "$PARAMS" "${VERIFY[@]}")
while IFS= read -r line; do show "$line"; done <<<"$KEYGEN"
KEY_ID=$(field key_id "$(tail -n 1 <<<"$KEYGEN")")
echo "key $KEY_ID: KeygenVerification signed by $ADDRESS, digests match the published files"

step "5. kms-client encrypt: three values under the key's public key"
CTS=()
for tv in ebool:true euint8:42 euint64:1234567890123; do
  type=${tv%%:*} value=${tv#*:}
  out="$WORK/$type.ct"
  line=$("${CLIENT[@]}" encrypt --key-id "$KEY_ID" --pub-dir "$WORK/keys" --type "$type" \
           --value "$value" --out "$out")
  show "$line"
  echo "$type $value -> $out ($(field format "$line"), $(wc -c <"$out") bytes)"
  CTS+=(--ct "$type:$out")
done

step "6. kms-client public-decrypt: everyone may learn the values"
PUB=$("${CLIENT[@]}" public-decrypt --key-id "$KEY_ID" "${CTS[@]}" "${VERIFY[@]}")
show "$PUB"
echo "public plaintexts: $(values "$PUB")(PublicDecryptVerification checked)"

step "7. kms-client user-decrypt: re-encrypted to this client only"
USR=$("${CLIENT[@]}" user-decrypt --key-id "$KEY_ID" "${CTS[@]}" "${VERIFY[@]}")
show "$USR"
echo "user plaintexts:   $(values "$USR")(signcryption opened, signatures checked)"

step "8. stopping the server"
kill -TERM "$SERVER_PID"
wait "$SERVER_PID" || true
SERVER_PID=
echo "done."
