#!/usr/bin/python3
"""Differential test of pub/sub: the same seeded random steps over several connections sent to
a fresh redis-server (the oracle, Debian's 7.0.15) and to `tcpkit serve kv`; after each step,
every connection's bytes are compared.

Theory of operation. Each sequence opens --clients connections to each server (some say
HELLO 3 first) and runs --length steps; a step is one command on one connection: SUBSCRIBE,
PSUBSCRIBE, SSUBSCRIBE and their UNSUBSCRIBEs (with and without names), PUBLISH, SPUBLISH,
PUBSUB NUMSUB/NUMPAT/CHANNELS/SHARDNUMSUB/SHARDCHANNELS, PING, a GET (refused in RESP2's
subscriber context), MULTI/EXEC around a subscription, RESET, HELLO. The oracle's output on
each connection is read once a barrier (two PINGs on a connection of its own) showed that it
ran everything sent; the subject's until it has sent as many bytes (or a deadline passed),
because its pushes to other connections arrive on their own time. Bytes are compared exactly, except where Redis promises no order: the frames of an
UNSUBSCRIBE without names (the names as a multiset, the counts in order), PUBSUB CHANNELS (a
multiset), and what one PUBLISH delivers to one connection (a multiset of frames: the order of
several matching patterns is Redis's hash order).

Usage: pubsub_differential.py path/to/tcpkit [--seed S] [--sequences N] [--length L]
Exit 0: all equal; 1: a mismatch; 77: no redis-server (skipped).
"""
import argparse
import os
import random
import shutil
import socket
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kv_differential import parse, start_redis, start_tcpkit, stop  # noqa: E402

CHANNELS = [b"news", b"news.eu", b"sport", b"n", b"a*b", b"bin\x00\xff"]
PATTERNS = [b"news*", b"n*", b"*", b"s?ort", b"a\\*b", b"[ns]*", b"zz*"]
QUIET = 0.01  # seconds without bytes that end a read of the oracle


class Raw:
    """A connection read as raw bytes."""

    def __init__(self, sock):
        self.sock = sock
        self.sock.setblocking(False)

    def send(self, args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.sock.sendall(out)

    def read_quiet(self, quiet=QUIET, limit=2.0):
        data, last, start = b"", time.monotonic(), time.monotonic()
        while time.monotonic() - last < quiet and time.monotonic() - start < limit:
            try:
                chunk = self.sock.recv(1 << 16)
                if not chunk:
                    break
                data += chunk
                last = time.monotonic()
            except BlockingIOError:
                time.sleep(0.002)
        return data

    def read_n(self, n, limit=2.0):
        data, start = b"", time.monotonic()
        while len(data) < n and time.monotonic() - start < limit:
            try:
                chunk = self.sock.recv(1 << 16)
                if not chunk:
                    break
                data += chunk
            except BlockingIOError:
                time.sleep(0.002)
        return data + self.read_quiet(0.005, 0.05)  # anything extra is a difference too


def connect_all(clients, sock_path, port):
    """`clients` connections to each server, oracle first, and a control connection to the
    oracle for barrier()."""
    oracle, subject = [], []
    for _ in range(clients):
        s = socket.socket(socket.AF_UNIX)
        s.connect(sock_path)
        oracle.append(Raw(s))
        subject.append(Raw(socket.create_connection(("127.0.0.1", port))))
    control = socket.socket(socket.AF_UNIX)
    control.connect(sock_path)
    return oracle, subject, Raw(control)


def differential_main(doc, what, run_sequence, sequences, length, clients, finally_check=None):
    """The command line and the loop of a multi-connection differential test: starts both
    servers, runs run_sequence(seed, index, clients, length, sock_path, port) until one fails,
    then finally_check(subject) if given (a Conn to tcpkit; True when fine)."""
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument("tcpkit")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--sequences", type=int, default=sequences)
    ap.add_argument("--length", type=int, default=length)
    ap.add_argument("--clients", type=int, default=clients)
    ap.add_argument("--redis-server", default=shutil.which("redis-server") or "")
    opts = ap.parse_args()
    if not opts.redis_server or not os.path.exists(opts.redis_server):
        print("SKIP: no redis-server")
        return 77
    workdir = tempfile.mkdtemp(prefix="differential-")
    redis_proc, _ = start_redis(opts.redis_server, workdir)
    tcpkit_proc, subject = start_tcpkit(opts.tcpkit)
    port = subject.sock.getpeername()[1]
    started, ok, index = time.monotonic(), True, 0
    try:
        while ok and index < opts.sequences:
            ok = run_sequence(opts.seed, index, opts.clients, opts.length,
                              os.path.join(workdir, "redis.sock"), port)
            index += 1
        if ok and finally_check is not None:
            ok = finally_check(subject)
    finally:
        stop(tcpkit_proc)
        stop(redis_proc)
        shutil.rmtree(workdir, ignore_errors=True)
    print("%s: %s, seed %d, %d sequences of %d steps on %d connections, %.1f s" %
          ("ok" if ok else "FAILED", what, opts.seed, index, opts.length, opts.clients,
           time.monotonic() - started))
    return 0 if ok else 1


def report_mismatch(seed, index, connection, command, oracle_bytes, subject_bytes, history):
    print("MISMATCH seed %d sequence %d, connection %d after %r" %
          (seed, index, connection, command))
    print("  redis-server: %r" % oracle_bytes)
    print("  tcpkit:       %r" % subject_bytes)
    for h in history[-30:]:
        print("    %d: %r" % h)


def barrier(control):
    """Returns once redis-server has run everything sent to it before (on any connection) and
    written the replies: two round trips on a connection of its own. After the first, every
    request sent earlier is in the server's sockets and was ready in that event-loop pass or an
    earlier one; the second reply comes from a later pass."""
    for _ in range(2):
        control.send([b"PING"])
        reply = b""
        while not reply.endswith(b"\r\n"):
            reply += control.read_n(1, limit=10.0)


def frames(data):
    out, pos = [], 0
    while pos < len(data):
        parsed = parse(data, pos)
        if parsed is None:
            out.append(("incomplete", data[pos:]))
            break
        value, end = parsed
        out.append(data[pos:end])
        pos = end
    return out


def step(rng):
    """(command args, how to compare the issuing connection's reply)."""
    kind = rng.random()
    if kind < 0.14:
        return [rng.choice([b"SUBSCRIBE", b"SSUBSCRIBE"])] + rng.sample(CHANNELS, rng.randint(1, 3)), "exact"
    if kind < 0.24:
        return [b"PSUBSCRIBE"] + rng.sample(PATTERNS, rng.randint(1, 2)), "exact"
    if kind < 0.36:
        cmd = rng.choice([b"UNSUBSCRIBE", b"PUNSUBSCRIBE", b"SUNSUBSCRIBE"])
        if rng.random() < 0.5:
            return [cmd], "unsubscribe-all"
        pool = PATTERNS if cmd == b"PUNSUBSCRIBE" else CHANNELS
        return [cmd] + rng.sample(pool, rng.randint(1, 2)), "exact"
    if kind < 0.62:
        cmd = rng.choice([b"PUBLISH", b"PUBLISH", b"SPUBLISH"])
        return [cmd, rng.choice(CHANNELS), rng.choice([b"hi", b"", b"x" * 100, b"\r\n"])], "exact"
    if kind < 0.70:
        sub = rng.choice([b"NUMSUB", b"SHARDNUMSUB"])
        return [b"PUBSUB", sub] + rng.sample(CHANNELS, rng.randint(0, 3)), "exact"
    if kind < 0.74:
        return [b"PUBSUB", b"NUMPAT"], "exact"
    if kind < 0.78:
        sub = rng.choice([b"CHANNELS", b"SHARDCHANNELS"])
        return [b"PUBSUB", sub] + ([rng.choice(PATTERNS)] if rng.random() < 0.5 else []), "set"
    if kind < 0.84:
        return [b"PING"] + ([b"hey"] if rng.random() < 0.5 else []), "exact"
    if kind < 0.88:
        return [b"GET", b"k"], "exact"
    if kind < 0.92:
        return [b"HELLO", rng.choice([b"2", b"3"])], "hello"
    if kind < 0.95:
        return [b"RESET"], "exact"
    return [b"MULTI"], "multi"


def same(mode, a, b):
    if a == b:
        return True
    if mode == "exact":
        return False
    fa, fb = frames(a), frames(b)
    if mode == "set":
        va, vb = parse(a, 0), parse(b, 0)
        if va is None or vb is None:
            return False
        return va[0][0] == vb[0][0] and sorted(map(repr, va[0][1] or [])) == sorted(
            map(repr, vb[0][1] or []))
    if mode == "unsubscribe-all":
        def split(fs):
            vals = [parse(f, 0)[0] for f in fs if isinstance(f, bytes)]
            names = sorted(repr(v[1][1]) for v in vals if v[0] in ("*", ">"))
            counts = [v[1][2] for v in vals if v[0] in ("*", ">")]
            return names, counts, [v[0] for v in vals]
        return split(fa) == split(fb)
    if mode == "multiset":
        return sorted(fa, key=repr) == sorted(fb, key=repr)
    return False


def run_sequence(seed, index, clients, length, sock_path, port):
    rng = random.Random("%d/%d" % (seed, index))
    oracle, subject, control = connect_all(clients, sock_path, port)
    history = []
    try:
        for i in range(clients):
            if rng.random() < 0.4:
                for conn in (oracle[i], subject[i]):
                    conn.send([b"HELLO", b"3"])
                    conn.read_quiet()  # the map differs in its id only
                history.append((i, [b"HELLO", b"3"]))
        for _ in range(length):
            who = rng.randrange(clients)
            args, mode = step(rng)
            if mode == "multi":  # MULTI, a subscription queued, EXEC
                sequence = [[b"MULTI"], [b"SUBSCRIBE", rng.choice(CHANNELS)], [b"EXEC"]]
            else:
                sequence = [args]
            for cmd in sequence:
                history.append((who, cmd))
                oracle[who].send(cmd)
                subject[who].send(cmd)
                barrier(control)
                for i in range(clients):
                    a = oracle[i].read_quiet(0.003)
                    b = subject[i].read_n(len(a)) if a else subject[i].read_quiet(0.005, 0.05)
                    how = mode if i == who and mode in ("set", "unsubscribe-all") else (
                        "multiset" if cmd[0] in (b"PUBLISH", b"SPUBLISH") else "exact")
                    if mode == "hello" and i == who:  # the id differs; the rest must not
                        how = "hello"
                        ok = (a[:1] == b[:1]) and a.count(b"\r\n") == b.count(b"\r\n")
                    else:
                        ok = same(how, a, b)
                    if not ok:
                        report_mismatch(seed, index, i, cmd, a, b, history)
                        return False
        return True
    finally:
        for c in oracle + subject + [control]:
            c.sock.close()


def main():
    return differential_main(__doc__, "pub/sub", run_sequence, sequences=10, length=60, clients=3)


if __name__ == "__main__":
    sys.exit(main())
