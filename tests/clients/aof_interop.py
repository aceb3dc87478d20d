#!/usr/bin/python3
"""kv's append-only file and redis-server 7.0's, both ways, and its failure modes.

- kv writes (every data type, TTLs, several databases, INCRBYFLOAT, SPOP, MULTI/EXEC, a script,
  a blocking pop served by a later push), redis-check-aof accepts the directory's manifest, and
  redis-server 7.0 started with appendonly yes on a copy of the directory holds the same keys,
  types, values and TTLs (within rdb_interop's tolerance); kv restarted on it does too.
- redis-server writes the same kind of data set with appendonly yes; kv loads its files.
- BGREWRITEAOF under writes: a new base, the old files gone, nothing lost, both servers load it.
- A record cut short at the end is dropped at start-up with a warning; a corrupt record in the
  middle stops start-up with its offset and the redis-check-aof hint.
- A file-size limit (RLIMIT_FSIZE, SIGXFSZ ignored) makes the log's write fail: the reply of
  the write that could not be logged never arrives (the connection closes), later writes get
  MISCONF while reads work, and once the limit is lifted (prlimit --pid) writes work again and
  the write that failed is in the log.

Usage: aof_interop.py path/to/tcpkit [--seed N]
"""
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import redis

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rdb_interop as ri  # noqa: E402  (servers, the data set and the comparison)

CHECK_AOF = shutil.which("redis-check-aof") or "/usr/bin/redis-check-aof"
MANIFEST = os.path.join("appendonlydir", "appendonly.aof.manifest")


def more_writes(client_for_db):
    """Writes whose logging is not their text: time, randomness, transactions, scripts."""
    r = client_for_db(0)
    r.set("f", "1.5")
    r.incrbyfloat("f", 2.25)
    r.hset("hf", "x", "1")
    r.hincrbyfloat("hf", "x", 0.5)
    r.sadd("pop", *range(50))
    r.spop("pop", 7)
    r.set("ex", "v", ex=1000)
    r.expire("s0", 5000)
    r.getex("s1", px=7000)
    with r.pipeline(transaction=True) as p:
        p.incr("tx1")
        p.lpush("tx2", "a", "b")
        p.execute()
    r.eval("redis.call('set', KEYS[1], redis.call('srandmember', KEYS[2])) "
           "redis.call('incr', 'scripted')", 2, "chosen", "pop")
    # A blocking pop served by a later push, from another connection.
    popped = []
    waiter = threading.Thread(target=lambda: popped.append(client_for_db(0).blpop("q", 10)))
    waiter.start()
    ri.wait_until(lambda: any(c.get("cmd") == "blpop" for c in r.client_list()))
    r.rpush("q", "one", "two")
    waiter.join()
    assert popped == [(b"q", b"one")], popped


class Kv(ri.KvServer):
    def __init__(self, directory, *args, preexec=None):
        super().__init__(directory, "--appendonly", "yes", *args, preexec=preexec)


class AofInteropTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="tcpkit-aof-")
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def start(self, cls, *args, **kw):
        server = cls(*args, **kw)
        self.servers.append(server)
        return server

    def stop(self, server):
        self.servers.remove(server)
        return server.stop()

    def check_aof(self, directory):
        out = subprocess.run([CHECK_AOF, os.path.join(directory, MANIFEST)], capture_output=True,
                             text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn("All AOF files and manifest are valid", out.stdout)

    def redis_on_copy(self):
        copy = tempfile.mkdtemp(prefix="tcpkit-aof-copy-")
        shutil.rmtree(copy)
        shutil.copytree(self.dir, copy)
        self.addCleanup(shutil.rmtree, copy, True)
        return self.start(ri.RedisServer, copy, "dump.rdb", "--appendonly", "yes")

    def both_load_what_kv_wrote(self, kv, expected):
        """Stops kv; redis-check-aof accepts its files, and redis-server (on a copy) and kv
        restarted on them both hold `expected`."""
        self.assertEqual(self.stop(kv), 0)
        self.check_aof(self.dir)
        rs = self.redis_on_copy()
        self.assertSame(expected, ri.snapshot(rs.client))
        kv = self.start(Kv, self.dir)
        self.assertSame(expected, ri.snapshot(kv.client))

    def assertSame(self, expected, actual):
        ri.RdbInteropTest.assertSame(self, expected, actual)

    def test_kv_writes_redis_reads(self):
        kv = self.start(Kv, self.dir, "--appendfsync", "always")
        ri.populate(kv.client, random.Random(ri.SEED))
        more_writes(kv.client)
        expected = ri.snapshot(kv.client)
        self.both_load_what_kv_wrote(kv, expected)

    def test_redis_writes_kv_reads(self):
        rs = self.start(ri.RedisServer, self.dir, "dump.rdb", "--appendonly", "yes",
                        "--appendfsync", "always")
        ri.populate(rs.client, random.Random(ri.SEED + 1))
        more_writes(rs.client)
        expected = ri.snapshot(rs.client)
        redis_fields = [k for k in rs.client().info("persistence") if k.startswith("aof_")]
        self.stop(rs)
        self.check_aof(self.dir)
        kv = self.start(Kv, self.dir)
        self.assertSame(expected, ri.snapshot(kv.client))
        # INFO persistence: Redis's aof_* fields, in its order (kv measures no copy-on-write).
        kv_fields = [k for k in kv.client().info("persistence") if k.startswith("aof_")]
        self.assertEqual(kv_fields, [k for k in redis_fields if k != "aof_last_cow_size"])

    def test_bgrewriteaof_under_writes(self):
        kv = self.start(Kv, self.dir, "--model", "reactors", "--threads", "2")
        r = kv.client()
        ri.populate(kv.client, random.Random(ri.SEED + 2))
        stop = threading.Event()
        counted = []

        def writer():
            w = kv.client(3)
            n = 0
            while not stop.is_set():
                n = w.incr("during")
            counted.append(n)
        t = threading.Thread(target=writer)
        t.start()
        self.assertEqual(r.bgrewriteaof(), True)
        self.assertTrue(ri.wait_until(
            lambda: r.info("persistence")["aof_rewrite_in_progress"] == 0, timeout=30))
        time.sleep(0.2)
        stop.set()
        t.join()
        info = r.info("persistence")
        self.assertEqual(info["aof_last_bgrewrite_status"], "ok")
        self.assertEqual(info["aof_rewrites"], 1)
        self.assertEqual(info["aof_rewrites_consecutive_failures"], 0)
        files = sorted(os.listdir(os.path.join(self.dir, "appendonlydir")))
        self.assertEqual(files, ["appendonly.aof.2.base.rdb", "appendonly.aof.2.incr.aof",
                                 "appendonly.aof.manifest"])
        expected = ri.snapshot(kv.client)
        self.assertEqual(expected[(3, b"during")][1], str(counted[0]).encode())
        self.both_load_what_kv_wrote(kv, expected)

    def incr_path(self):
        return os.path.join(self.dir, "appendonlydir", "appendonly.aof.1.incr.aof")

    def test_truncated_tail_is_dropped_corrupt_middle_stops(self):
        kv = self.start(Kv, self.dir)
        r = kv.client()
        for i in range(10):
            r.set("k%d" % i, i)
        self.assertEqual(self.stop(kv), 0)
        whole = os.path.getsize(self.incr_path())
        with open(self.incr_path(), "ab") as f:
            f.write(b"*3\r\n$3\r\nSET\r\n$2\r\nk1")  # a crash mid-write
        kv = Kv(self.dir)
        self.assertEqual(kv.client().mget(["k%d" % i for i in range(10)]),
                         [str(i).encode() for i in range(10)])
        kv.proc.send_signal(signal.SIGTERM)
        _, err = kv.proc.communicate(timeout=20)
        self.assertIn("incomplete record", err)
        self.assertEqual(os.path.getsize(self.incr_path()), whole)  # truncated back
        with open(self.incr_path(), "rb") as f:
            data = f.read()
        middle = data.index(b"*3\r\n$3\r\nSET\r\n$2\r\nk5")
        with open(self.incr_path(), "wb") as f:
            f.write(data[:middle] + b"?garbage\r\n" + data[middle:])
        out = subprocess.run([ri.BINARY, "serve", "kv", "--listen", "127.0.0.1:0", "--dir",
                              self.dir, "--appendonly", "yes"], capture_output=True, text=True,
                             timeout=20)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("at offset %d" % middle, out.stderr)
        self.assertIn("redis-check-aof --fix", out.stderr)

    def test_misconf_while_the_file_cannot_be_written(self):
        limit = 64 * 1024

        def limited():
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            # The soft limit only: lifting it again (below) needs no privilege.
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
        kv = self.start(Kv, self.dir, "--appendfsync", "always", preexec=limited)
        r = kv.client()
        r.set("before", "x")
        big = "v" * 10000
        lost = None
        for i in range(20):
            try:
                r.set("big%d" % i, big)
            except redis.exceptions.ConnectionError:
                lost = i  # its reply never came: not acknowledged
                break
        self.assertIsNotNone(lost, "the file-size limit was never reached")
        r = kv.client()
        with self.assertRaises(redis.exceptions.ResponseError) as e:
            r.set("after", "x")
        self.assertEqual(str(e.exception), "MISCONF Errors writing to the AOF file: File too large")
        self.assertEqual(r.get("before"), b"x")  # reads work
        self.assertEqual(r.info("persistence")["aof_last_write_status"], "err")
        subprocess.run(["prlimit", "--pid", str(kv.proc.pid), "--fsize=unlimited:unlimited"], check=True)
        self.assertTrue(ri.wait_until(
            lambda: r.info("persistence")["aof_last_write_status"] == "ok", timeout=10))
        r.set("after", "x")
        self.assertEqual(self.stop(kv), 0)
        kv = self.start(Kv, self.dir)
        r = kv.client()
        self.assertEqual(r.get("big%d" % lost), big.encode())  # logged once writes worked
        self.assertEqual(r.get("after"), b"x")


def main():
    args = sys.argv[1:]
    ri.BINARY = args[0]
    if "--seed" in args:
        ri.SEED = int(args[args.index("--seed") + 1])
    unittest.main(argv=[sys.argv[0], "-v"] + [a for a in args[1:] if a.startswith("Aof")])


if __name__ == "__main__":
    main()
