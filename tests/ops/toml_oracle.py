#!/usr/bin/env python3
"""Cross-checks ckms's TOML reader (src/ops/toml.c) against Python's tomllib.

Usage: toml_oracle.py <ckms-oracle-toml binary> <corpus dir> [extra .toml ...]

Every document goes through both parsers:
  - tomllib rejects it            -> ckms must reject it too;
  - tomllib accepts it            -> ckms must produce the same tree (same
                                     keys in the same order, same types and
                                     values, floats bit for bit, NaN as NaN);
  - except where ckms is stricter on purpose: documents with dates/times
    (ckms: "not supported") or integers outside int64 (ckms: error, as TOML
    requires) must be rejected with that reason.

Documents: the corpus (valid/ must be accepted by tomllib, invalid/ rejected,
which checks the corpus itself), extra files given on the command line (the
sample configs), then randomly generated documents built from a small
vocabulary of keys so that redefinitions, dotted keys crossing headers,
arrays of tables and inline tables collide often, plus byte mutations of all
of the above. TOML_ORACLE_SEED and TOML_ORACLE_N override the seed and the
number of generated documents.
"""
import datetime
import glob
import json
import math
import os
import random
import subprocess
import sys

try:
    import tomllib
except ImportError:  # Python < 3.11: nothing to compare with
    print("tomllib not available; skipping")
    sys.exit(77)


class Stricter(Exception):
    """tomllib accepted something ckms rejects by design."""

    def __init__(self, code, needle):
        super().__init__(code)
        self.code, self.needle = code, needle


def canon(v, depth=0):
    """tomllib value -> the tagged form ckms's oracle prints (floats kept as
    Python floats for an exact comparison)."""
    if isinstance(v, bool):
        return {"type": "bool", "value": "true" if v else "false"}
    if isinstance(v, int):
        if not -(2**63) <= v < 2**63:
            raise Stricter("invalid_argument", "64 bits")
        return {"type": "integer", "value": str(v)}
    if isinstance(v, float):
        return {"type": "float", "value": v}
    if isinstance(v, str):
        return {"type": "string", "value": v}
    if isinstance(v, (datetime.date, datetime.time)):
        raise Stricter("unimplemented", "not supported")
    if depth > 60:
        raise Stricter("size_limit", "deeper")
    if isinstance(v, dict):
        return {k: canon(x, depth + 1) for k, x in v.items()}
    if isinstance(v, list):
        return [canon(x, depth + 1) for x in v]
    raise TypeError(type(v))


def is_scalar(x):
    return isinstance(x, dict) and set(x) == {"type", "value"} and isinstance(x["type"], str) \
        and x["type"] in ("bool", "integer", "float", "string")


def same(a, c, path="$"):
    """a: canon(tomllib), c: ckms JSON. Returns None or a difference."""
    if is_scalar(a):
        if not is_scalar(c) or c["type"] != a["type"]:
            return f"{path}: expected {a}, got {c}"
        if a["type"] == "float":
            got = float.fromhex(c["value"])
            want = a["value"]
            if math.isnan(want) and math.isnan(got):
                return None
            if got != want or math.copysign(1, got) != math.copysign(1, want):
                return f"{path}: float {want!r} != {got!r} ({c['value']})"
            return None
        return None if a["value"] == c["value"] else f"{path}: {a} != {c}"
    if isinstance(a, dict):
        if not isinstance(c, dict) or is_scalar(c):
            return f"{path}: expected a table, got {c}"
        if list(a) != list(c):
            return f"{path}: keys {list(a)} != {list(c)}"
        for k in a:
            d = same(a[k], c[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list):
        if not isinstance(c, list) or len(a) != len(c):
            return f"{path}: expected {len(a)} elements, got {c}"
        for i, (x, y) in enumerate(zip(a, c)):
            d = same(x, y, f"{path}[{i}]")
            if d:
                return d
        return None
    return f"{path}: unexpected {a!r}"


def reference(doc):
    """('ok', tree) | ('err', None) | ('stricter', Stricter)."""
    try:
        text = doc.decode("utf-8")
    except UnicodeDecodeError:
        return "err", None
    try:
        tree = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError, ValueError):
        return "err", None
    try:
        return "ok", canon(tree)
    except Stricter as s:
        return "stricter", s


class Oracle:
    def __init__(self, exe):
        self.p = subprocess.Popen([exe], stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def parse(self, doc):
        arg = doc.hex() if doc else "-"
        self.p.stdin.write(f"parse {arg}\n".encode())
        self.p.stdin.flush()
        line = self.p.stdout.readline().decode("utf-8", "replace").rstrip("\n")
        if line.startswith("ok "):
            return "ok", json.loads(bytes.fromhex(line[3:]).decode("utf-8"))
        if line.startswith("err "):
            parts = line.split(" ", 2)
            return "err", (parts[1], parts[2] if len(parts) > 2 else "")
        raise RuntimeError(f"oracle died or answered {line!r}")

    def close(self):
        self.p.stdin.close()
        self.p.wait()


def check(oracle, name, doc):
    """Returns None when ckms agrees with tomllib, else a description."""
    kind, want = reference(doc)
    got_kind, got = oracle.parse(doc)
    if kind == "err":
        if got_kind != "err":
            return f"{name}: tomllib rejects, ckms accepts: {doc[:200]!r}"
        if got[0] in ("internal", "out_of_memory"):
            return f"{name}: ckms failed badly: {got}"
        return None
    if kind == "stricter":
        if got_kind != "err" or got[0] != want.code or want.needle not in got[1]:
            return f"{name}: expected ckms to refuse ({want.code}), got {got_kind} {got}"
        return None
    if got_kind != "ok":
        return f"{name}: tomllib accepts, ckms rejects with {got}: {doc[:300]!r}"
    diff = same(want, got)
    return f"{name}: {diff}: {doc[:300]!r}" if diff else None


# --- Random documents ------------------------------------------------------

KEYS = ["a", "b", "c", "a", "b", "x", "1", "-", "_k", "true", "inf", '"a"', "'b'",
        '"a.b"', '"\u00e9"', '""', '"\\u0061"', "'c'", "key-2"]
GOOD = [
    "0", "+0", "-0", "1", "-1", "42", "123_456", "9223372036854775807",
    "-9223372036854775808", "0x7fffffffffffffff", "0xDEAD_beef", "0o777", "0b1010",
    "1.0", "-0.0", "+1.5", "1e10", "1E-5", "1.5e+3", "3.14_15", "1e400", "-1e-400",
    "4.9e-324", "2.5e-324", "1.7976931348623157e308", "0.1", "6.02e23", "1e1_0", "0e0",
    "inf", "-inf", "+inf", "nan", "-nan", "+nan", "true", "false",
    '"a"', '""', '"\\n\\t\\"\\\\"', '"\\u00e9"', '"\\U0001F600"', '"\\u0000"', "'lit\\n'",
    "''", '"""\nml"""', '"""a\\\n   b"""', '"""a\\   \n  b"""', "'''\nraw'''",
    '""""x"""""', '""""""', '"""""""', "''''''", "'''''x'''''", '"tab\there"',
    '"\u00e9\u20ac\U0001F600"', '"""a\nb"""', "'''a\nb'''", "'a\"b'", '"a\'b"',
]
BAD = [
    "1__2", "1_", "_1", "01", "007", "9223372036854775808", "0x8000000000000000",
    "0xdead__beef", "0o8", "0b", "0x", "+0x1", "-0b1", "0X1", "00.1", ".5", "5.", "1.e5",
    "1e", "1.0_", "1e_1", "1_.0", "Inf", "NaN", "infinity", "True", "tru", "falsey",
    '"\\uD800"', '"\\x41"', '"\\e"', '"bad \x01"', '"\x7f"', '"unterminated', '""""""""',
    "1979-05-27", "1979-05-27T07:32:00Z", "07:32:00", "1979-05-27 07:32:00.999999-07:00",
    "1979-13-01", "12:61:00",
]


def gen_scalar(r):
    return r.choice(BAD) if r.random() < 0.06 else r.choice(GOOD)


SEPS = [" = ", "=", " =", "= ", "\t=\t"]


def gen_key(r):
    n = r.choice([1, 1, 1, 2, 2, 3])
    dot = r.choice([".", ".", " . "])
    keys = KEYS[:r.choice([4, 8, len(KEYS)])]
    return dot.join(r.choice(keys) for _ in range(n))


def gen_value(r, depth=0):
    x = r.random()
    if depth < 3 and x < 0.15:
        items = [gen_value(r, depth + 1) for _ in range(r.randint(0, 3))]
        sep = r.choice([", ", ",", ",\n  ", " ,# c\n"])
        tail = r.choice(["", "", ",", ",\n", "\n"])
        return "[" + sep.join(items) + (tail if items else "") + "]"
    if depth < 3 and x < 0.27:
        items = [gen_key(r) + r.choice(SEPS) + gen_value(r, depth + 1)
                 for _ in range(r.randint(0, 3))]
        return "{" + r.choice([", ", ","]).join(items) + r.choice(["}", " }", "}", "}", ",}"])
    return gen_scalar(r)


def gen_doc(r):
    lines = []
    for _ in range(r.randint(1, 10)):
        x = r.random()
        if x < 0.55:
            line = gen_key(r) + r.choice(SEPS) + gen_value(r)
        elif x < 0.78:
            line = "[" + r.choice(["", " "]) + gen_key(r) + r.choice(["", " "]) + "]"
        elif x < 0.92:
            line = "[[" + gen_key(r) + "]]"
        else:
            line = r.choice(["", "# comment", "   ", "\t# c \u00e9"])
        if r.random() < 0.1:
            line += r.choice([" # trailing", "#", " ", " x"])
        lines.append(line)
    nl = "\r\n" if r.random() < 0.1 else "\n"
    return (nl.join(lines) + r.choice(["", nl])).encode()


JUNK = [b"[", b"]", b"=", b'"', b"'", b".", b",", b"\n", b" ", b"#", b"{", b"}", b"\\",
        b"\r", b"\x00", b"\x7f", b"\xc3\xa9", b"\xff", b"_", b"e", b"0", b"+", b"\t"]


def mutate(r, doc):
    for _ in range(r.randint(1, 3)):
        op = r.random()
        pos = r.randint(0, len(doc))
        if op < 0.35 and doc:
            doc = doc[:pos] + doc[pos + 1:]
        elif op < 0.75:
            doc = doc[:pos] + r.choice(JUNK) + doc[pos:]
        else:
            lines = doc.split(b"\n")
            i, j = r.randrange(len(lines)), r.randrange(len(lines))
            if r.random() < 0.5:
                lines[i], lines[j] = lines[j], lines[i]
            else:
                lines.insert(i, lines[j])
            doc = b"\n".join(lines)
    return doc


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    exe, corpus = sys.argv[1], sys.argv[2]
    oracle = Oracle(exe)
    failures, stats = [], {"ok": 0, "err": 0, "stricter": 0}
    corpus_docs = []

    def run(name, doc):
        stats[reference(doc)[0]] += 1
        f = check(oracle, name, doc)
        if f:
            failures.append(f)

    for sub, want in (("valid", True), ("invalid", False)):
        for path in sorted(glob.glob(os.path.join(corpus, sub, "*.toml"))):
            doc = open(path, "rb").read()
            kind, _ = reference(doc)
            if (kind != "err") != want:
                failures.append(f"corpus {path}: tomllib says {kind}, folder says otherwise")
            corpus_docs.append(doc)
            run(path, doc)
    for path in sys.argv[3:]:
        doc = open(path, "rb").read()
        if reference(doc)[0] != "ok":
            failures.append(f"{path}: tomllib rejects the sample config")
        corpus_docs.append(doc)
        run(path, doc)

    seed = int(os.environ.get("TOML_ORACLE_SEED", "20261122"))
    n = int(os.environ.get("TOML_ORACLE_N", "6000"))
    r = random.Random(seed)
    for i in range(n):
        doc = gen_doc(r)
        if r.random() < 0.3:
            doc = mutate(r, doc)
        run(f"random #{i} (seed {seed})", doc)
    for i in range(n // 4):
        run(f"mutated corpus #{i} (seed {seed})", mutate(r, r.choice(corpus_docs)))

    oracle.close()
    print(f"documents accepted by both: {stats['ok']}, rejected by tomllib: {stats['err']}, "
          f"refused by design (dates, big integers): {stats['stricter']}")
    for f in failures[:30]:
        print("FAIL", f)
    if failures:
        print(f"{len(failures)} disagreements")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
