#!/usr/bin/python3
"""Glob matching, differential: the same random keys in redis-server 7.0 and `tcpkit serve kv`,
then random patterns through KEYS, SCAN MATCH and CONFIG GET (case-insensitive matching);
every reply must hold the same names (compared sorted). Patterns favour the characters that
make globs interesting ([ ] ^ - \\ * ?), bytes >= 0x80 and case; a few fixed cases cover
Redis's quirks (the empty key, the nesting guard at 1000 stars).

Both servers listen on Unix sockets in a temp directory; nothing else is contacted.
Usage: glob_differential.py path/to/tcpkit
"""
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


class Conn:
    """A RESP2 client over a Unix socket, binary-safe."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.settimeout(30)
        self.sock.connect(path)
        self.buf = b""

    def call(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a if isinstance(a, bytes) else a.encode()
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.sock.sendall(out)
        return self._read()

    def _line(self):
        while b"\r\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _read(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind in (b"+", b"-", b":"):
            return line
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            while len(self.buf) < n + 2:
                data = self.sock.recv(65536)
                if not data:
                    raise ConnectionError("closed")
                self.buf += data
            value, self.buf = self.buf[:n], self.buf[n + 2:]
            return value
        if kind == b"*":
            return [self._read() for _ in range(int(rest))]
        raise ValueError("bad reply %r" % line)


def wait_for(path, proc, what):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            fail("%s exited: %s" % (what, proc.stderr.read()))
        if os.path.exists(path):
            try:
                if Conn(path).call("PING") == b"+PONG":
                    return
            except OSError:
                pass
        time.sleep(0.05)
    fail("%s did not answer PING within 30 s" % what)


KEY_CHARS = ["a", "b", "c", "A", "B", "-", "]", "[", "^", "*", "?", "\\", "x", "\x80", "\xff"]
PATTERN_PIECES = ["a", "b", "A", "c", "*", "*", "?", "[ab]", "[^a]", "[a-c]", "[c-a]", "[A-B]",
                  "[a-]", "[]", "[^", "[", "]", "^", "-", "\\*", "\\a", "\\", "[\\]]", "[\\A]",
                  "\x80", "[\x80-a]", "[a-\x80]", "x", "**"]


def random_key(rng):
    return "".join(rng.choice(KEY_CHARS) for _ in range(rng.randint(0, 8))).encode("latin-1")


def random_pattern(rng):
    pieces = [rng.choice(PATTERN_PIECES) for _ in range(rng.randint(0, 6))]
    return "".join(pieces).encode("latin-1")


def main():
    binary = sys.argv[1]
    if shutil.which("redis-server") is None:
        fail("redis-server is not installed (scripts/install-deps installs it)")
    work = tempfile.mkdtemp(prefix="tcpkit-glob-")
    procs = []
    try:
        redis_path, kv_path = os.path.join(work, "redis.sock"), os.path.join(work, "kv.sock")
        procs.append(subprocess.Popen(
            ["redis-server", "--port", "0", "--unixsocket", redis_path, "--save", "",
             "--appendonly", "no", "--dir", work],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True))
        procs.append(subprocess.Popen([binary, "serve", "kv", "--listen", "unix:" + kv_path],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                      text=True))
        wait_for(redis_path, procs[0], "redis-server")
        wait_for(kv_path, procs[1], "tcpkit serve kv")
        redis, kv = Conn(redis_path), Conn(kv_path)

        rng = random.Random(int(os.environ.get("GLOB_SEED", "7")))
        keys = {random_key(rng) for _ in range(400)} | {b"", b"a" * 1001, b"a" * 1000}
        for k in keys:
            for c in (redis, kv):
                if c.call("SET", k, "v") != b"+OK":
                    fail("SET %r" % k)

        def same(*args):
            want, got = redis.call(*args), kv.call(*args)
            if isinstance(want, list) and len(want) == 2 and args[0] == "SCAN":
                want, got = want[1], got[1]
            if not isinstance(want, list) or not isinstance(got, list):
                fail("%r: redis %r, kv %r" % (args, want, got))
            return sorted(want), sorted(got)

        stars_1000 = b"*a" * 1000
        fixed = [b"*", b"**", b"", b"?*", stars_1000, stars_1000 + b"*a", stars_1000 + b"*",
                 b"*a" * 14 + b"*b"]
        patterns = fixed + [random_pattern(rng) for _ in range(3000)]
        matched = 0
        for p in patterns:
            for args in (("KEYS", p), ("SCAN", "0", "MATCH", p, "COUNT", "100000")):
                want, got = same(*args)
                if want != got:
                    fail("%s %r: redis %d names, kv %d; only redis: %r; only kv: %r" % (
                        args[0], p, len(want), len(got), sorted(set(want) - set(got))[:5],
                        sorted(set(got) - set(want))[:5]))
                matched += len(want)

        # CONFIG GET matches case-insensitively; compare on the names kv knows.
        known = set(kv.call("CONFIG", "GET", "*")[0::2])
        letters = sorted({ch for name in known for ch in name.decode()})
        pieces = letters + [ch.upper() for ch in letters] + ["*", "?", "[a-m]", "[^e]", "[P-R]"]
        for _ in range(2000):
            p = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 6))).encode()
            want = sorted(n for n in redis.call("CONFIG", "GET", p)[0::2] if n in known)
            got = sorted(kv.call("CONFIG", "GET", p)[0::2])
            if want != got:
                fail("CONFIG GET %r: redis %r, kv %r" % (p, want, got))
        print("glob differential: %d patterns, %d matches, %d keys: identical" % (
            len(patterns), matched, len(keys)))
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
