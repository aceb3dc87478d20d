#!/usr/bin/python3
"""Differential test of the blocking commands: the same seeded random steps over several
connections sent to a fresh redis-server (the oracle, Debian's 7.0.15) and to `tcpkit serve kv`;
after each step every connection's bytes are compared exactly.

Theory of operation. Each sequence opens --clients connections to each server (some in RESP3)
and runs --length steps over a few list and sorted-set keys; the oracle's bytes are read after a barrier (two
PINGs on a connection of its own: pubsub_differential.barrier). A step is BLPOP, BRPOP, BLMOVE,
BRPOPLPUSH, BLMPOP, BZPOPMIN, BZPOPMAX or BZMPOP (on a connection that may already be blocked:
then it waits behind), a write that may serve waiters (LPUSH, RPUSH, ZADD, LMOVE, a MULTI/EXEC
of pushes and pops, SET over a key, DEL, SWAPDB), CLIENT UNBLOCK (TIMEOUT or ERROR, ids mapped
between the servers) or a plain read. Blocking timeouts are 0 (forever) or 50 ms; after a step
with a timeout the test waits 150 ms before reading, so a timeout fires the same way on both
(a connection already waiting for a reply gets only timeout 0: a timed block queued behind
another would start its clock at a moment the test does not control).
What waiters are served, in what order (first come, first served), with what replies, is all
in the bytes. At the end of a sequence the connections close with clients still blocked.

Usage: blocking_differential.py path/to/tcpkit [--seed S] [--sequences N] [--length L]
Exit 0: all equal; 1: a mismatch; 77: no redis-server (skipped).
"""
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pubsub_differential import (barrier, connect_all, differential_main, frames,  # noqa: E402
                                 report_mismatch)

LISTS = [b"l1", b"l2", b"l3"]
ZSETS = [b"z1", b"z2"]


def timeout(rng):
    return b"0" if rng.random() < 0.7 else b"0.05"


def step(rng, ids):
    """The command for one step (ids: each connection's CLIENT ID, as names for UNBLOCK)."""
    r = rng.random()
    if r < 0.10:
        return [rng.choice([b"BLPOP", b"BRPOP"])] + rng.sample(LISTS, rng.randint(1, 2)) + [timeout(rng)]
    if r < 0.15:
        src, dst = rng.choice(LISTS), rng.choice(LISTS + [b"z1"])
        if rng.random() < 0.5:
            return [b"BRPOPLPUSH", src, dst, timeout(rng)]
        return [b"BLMOVE", src, dst, rng.choice([b"LEFT", b"RIGHT"]), rng.choice([b"LEFT", b"RIGHT"]),
                timeout(rng)]
    if r < 0.19:
        keys = rng.sample(LISTS, rng.randint(1, 2))
        return ([b"BLMPOP", timeout(rng), b"%d" % len(keys)] + keys +
                [rng.choice([b"LEFT", b"RIGHT"])] + ([b"COUNT", b"2"] if rng.random() < 0.5 else []))
    if r < 0.25:
        return [rng.choice([b"BZPOPMIN", b"BZPOPMAX"])] + rng.sample(ZSETS, rng.randint(1, 2)) + [timeout(rng)]
    if r < 0.28:
        keys = rng.sample(ZSETS, rng.randint(1, 2))
        return [b"BZMPOP", timeout(rng), b"%d" % len(keys)] + keys + [rng.choice([b"MIN", b"MAX"])]
    if r < 0.48:
        return [rng.choice([b"LPUSH", b"RPUSH"]), rng.choice(LISTS)] + [
            b"v%d" % rng.randrange(100) for _ in range(rng.randint(1, 3))]
    if r < 0.58:
        return [b"ZADD", rng.choice(ZSETS)] + sum(
            ([b"%d" % rng.randrange(10), b"m%d" % rng.randrange(10)] for _ in range(rng.randint(1, 2))), [])
    if r < 0.62:
        return [b"LMOVE", rng.choice(LISTS), rng.choice(LISTS), b"LEFT", b"RIGHT"]
    if r < 0.66:
        return ["multi"]
    if r < 0.69:
        return [b"SET", rng.choice(LISTS + ZSETS), b"s"]
    if r < 0.73:
        return [b"DEL", rng.choice(LISTS + ZSETS)]
    if r < 0.76:
        return [b"SWAPDB", b"0", b"1"]
    if r < 0.84:
        return [b"CLIENT", b"UNBLOCK", b"#%d" % rng.randrange(len(ids))] + (
            [rng.choice([b"TIMEOUT", b"ERROR"])] if rng.random() < 0.7 else [])
    if r < 0.92:
        return [rng.choice([b"LRANGE", b"ZRANGE"]), rng.choice(LISTS + ZSETS), b"0", b"-1"]
    return [b"SELECT", rng.choice([b"0", b"1"])]


def run_sequence(seed, index, clients, length, sock_path, port):
    rng = random.Random("blocking %d/%d" % (seed, index))
    oracle, subject, control = connect_all(clients, sock_path, port)
    history = []
    try:
        for conns in (oracle, subject):
            conns[0].send([b"FLUSHALL"])
            conns[0].read_quiet()
        ids = []  # per connection: (oracle id, subject id)
        for i in range(clients):
            pair = []
            for conn in (oracle[i], subject[i]):
                if i % 2 == 1:
                    conn.send([b"HELLO", b"3"])
                    conn.read_quiet()
                conn.send([b"CLIENT", b"ID"])
                pair.append(conn.read_quiet().split(b"\r\n")[0][1:])
            ids.append(pair)
        pending = [0] * clients  # replies the oracle still owes each connection
        for _ in range(length):
            who = rng.randrange(clients)
            cmd = step(rng, ids)
            if pending[who] > 0 and cmd != ["multi"]:
                # A timed block queued behind another would start its clock at an unknown
                # moment: behind a block, only forever.
                cmd = [b"0" if a == b"0.05" else a for a in cmd]
            if cmd == ["multi"]:
                sequence = [[b"MULTI"], [b"LPUSH", rng.choice(LISTS), b"t1", b"t2"],
                            [b"LPOP", rng.choice(LISTS)], [b"ZADD", rng.choice(ZSETS), b"1", b"t"],
                            [b"EXEC"]]
            else:
                sequence = [cmd]
            for c in sequence:
                history.append((who, c))
                args = {}
                for side, conns in ((0, oracle), (1, subject)):
                    if c[:2] == [b"CLIENT", b"UNBLOCK"]:
                        target = ids[int(c[2][1:])][side]
                        conns[who].send(c[:2] + [target] + c[3:])
                    else:
                        conns[who].send(c)
                pending[who] += 1
                if b"0.05" in c:
                    time.sleep(0.15)
                barrier(control)
                for i in range(clients):
                    a = oracle[i].read_quiet(0.003)
                    pending[i] -= len(frames(a))
                    b = subject[i].read_n(len(a)) if a else subject[i].read_quiet(0.005, 0.05)
                    if a != b:
                        report_mismatch(seed, index, i, c, a, b, history)
                        return False
        return True
    finally:
        for c in oracle + subject + [control]:
            c.sock.close()


def no_blocked_clients_left(subject):
    """Every blocked client of the closed connections is gone (INFO blocked_clients, bounded)."""
    deadline = time.monotonic() + 5
    raw = b""
    while time.monotonic() < deadline:
        raw, _ = subject.call([b"INFO", b"clients"])
        if b"blocked_clients:0\r\n" in raw:
            return True
        time.sleep(0.02)
    print("FAILED: blocked clients left behind: %r" % raw)
    return False


def main():
    return differential_main(__doc__, "blocking commands", run_sequence, sequences=8, length=60,
                             clients=4, finally_check=no_blocked_clients_left)


if __name__ == "__main__":
    sys.exit(main())
