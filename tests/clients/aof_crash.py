#!/usr/bin/python3
"""Nothing acknowledged is lost: kv's append-only file under SIGKILL.

For each model (epoll, thread, reactors) and fsync policy: several clients write unique keys
(SET w:<client>:<i> <i>) and INCR a counter of their own, each recording what the server
acknowledged; the server is killed with SIGKILL at a random moment and restarted on the same
directory. After each restart every acknowledged SET is there with its value, and each counter
equals the increments acknowledged, or one more (the one in flight when the server died; its
record may have reached the file before the reply could leave). A record cut short by the kill
is dropped at load (kv says so on stderr) and nothing torn remains.

appendfsync always is what the issue asks for; everysec is run too: kv writes the records to
the file before any reply leaves, so a killed process loses nothing under everysec either (a
lost machine could lose the last second or two, which no test here can show).

Usage: aof_crash.py path/to/tcpkit [--seed N] [--rounds N]
Bounded: ROUNDS kills per run, each after 0.1-0.4 s of writes.
"""
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time

import redis

import rdb_interop as ri  # KvServer

SEED = 1
ROUNDS = 3
CLIENTS = 4


class Kv(ri.KvServer):
    def __init__(self, directory, model, fsync):
        threads = ["--threads", "2"] if model == "reactors" else []
        super().__init__(directory, "--appendonly", "yes", "--appendfsync", fsync, "--model",
                         model, *threads)

    def client(self):
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=10)

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        err = self.proc.stderr.read()
        self.proc.stdout.close()
        self.proc.stderr.close()
        return err


class Writer(threading.Thread):
    """One client: SET w:<me>:<i> i, then INCR c:<me>, until the connection breaks."""

    def __init__(self, port, me, first, counter):
        super().__init__(daemon=True)
        self.port, self.me, self.next, self.counter = port, me, first, counter
        self.acked_sets = []   # the i of every SET acknowledged
        self.incr_in_flight = False

    def run(self):
        r = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=10)
        try:
            while True:
                i = self.next
                r.set("w:%d:%d" % (self.me, i), str(i))
                self.acked_sets.append(i)
                self.next += 1
                self.incr_in_flight = True
                self.counter = r.incr("c:%d" % self.me)
                self.incr_in_flight = False
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError):
            pass


def check(kv, writers, failures, label):
    r = kv.client()
    for w in writers:
        keys = ["w:%d:%d" % (w.me, i) for i in w.acked_sets]
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            values = r.mget(chunk)
            for key, value in zip(chunk, values):
                expected = key.rsplit(":", 1)[1].encode()
                if value != expected:
                    failures.append("%s: %s is %r after the restart, acknowledged as %r"
                                    % (label, key, value, expected))
        counter = int(r.get("c:%d" % w.me) or 0)
        allowed = (w.counter, w.counter + 1) if w.incr_in_flight else (w.counter, w.counter)
        if not allowed[0] <= counter <= allowed[1]:
            failures.append("%s: counter c:%d is %d, acknowledged %d (in flight: %s)"
                            % (label, w.me, counter, w.counter, w.incr_in_flight))
        w.counter = counter  # the next round continues from what the server has


def run(model, fsync, rng):
    failures = []
    directory = tempfile.mkdtemp(prefix="kv-aof-crash-")
    kv = Kv(directory, model, fsync)
    counters = [0] * CLIENTS
    next_i = [0] * CLIENTS
    acked_total = 0
    truncations = 0
    for round_no in range(ROUNDS):
        writers = [Writer(kv.port, me, next_i[me], counters[me]) for me in range(CLIENTS)]
        for w in writers:
            w.start()
        time.sleep(rng.uniform(0.1, 0.4))
        err = kv.kill()
        for w in writers:
            w.join(timeout=20)
            if w.is_alive():
                failures.append("a client did not stop after the kill")
        kv = Kv(directory, model, fsync)
        label = "%s/%s round %d" % (model, fsync, round_no)
        check(kv, writers, failures, label)
        for w in writers:
            counters[w.me] = w.counter
            next_i[w.me] = w.next + 1  # the SET in flight may or may not be there: skip its i
            acked_total += len(w.acked_sets)
        truncations += err.count("incomplete record")  # what the previous start-up dropped
    info = kv.client().info("persistence")
    if info.get("aof_enabled") != 1:
        failures.append("%s/%s: INFO says aof_enabled:%s" % (model, fsync, info.get("aof_enabled")))
    err = kv.kill()
    truncations += err.count("incomplete record")
    print("%s/%s: %d kills, %d acknowledged writes checked, %d torn tails dropped at load"
          % (model, fsync, ROUNDS, acked_total, truncations))
    if acked_total < ROUNDS * CLIENTS:
        failures.append("%s/%s: too few writes acknowledged to test anything (%d)"
                        % (model, fsync, acked_total))
    subprocess.run(["rm", "-rf", directory], check=False)
    return failures


def main():
    global SEED, ROUNDS
    args = sys.argv[1:]
    ri.BINARY = args[0]
    if "--seed" in args:
        SEED = int(args[args.index("--seed") + 1])
    if "--rounds" in args:
        ROUNDS = int(args[args.index("--rounds") + 1])
    rng = random.Random(SEED)
    failures = []
    for model, fsync in (("epoll", "always"), ("thread", "always"), ("reactors", "always"),
                         ("epoll", "everysec")):
        failures += run(model, fsync, rng)
    for f in failures[:20]:
        print("FAIL:", f)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
