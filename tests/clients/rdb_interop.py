#!/usr/bin/python3
"""RDB snapshots between `tcpkit serve kv` and Debian's redis-server 7.0, both ways.

A seeded random data set of every type, in small and large encodings (intsets, listpacks,
hashtables, skiplists, quicklists of several nodes, LZF-compressible and binary strings, TTLs,
several databases), is written by one server with SAVE, checked with redis-check-rdb, loaded by
the other at start-up and compared key by key without DUMP: TYPE, GET, LRANGE, SMEMBERS
(sorted), HGETALL (sorted), ZRANGE WITHSCORES, PTTL within a tolerance. Also: BGSAVE and
INFO persistence, and a corrupt dump stopping kv's start-up with the offset.

Usage: rdb_interop.py path/to/tcpkit [--seed N]
Every process is started on a free port (kv: port 0; redis-server: a port found by binding
port 0 first) in a temporary directory and stopped by its pid.
"""
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import redis

BINARY = None
SEED = 1
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
CHECK_RDB = shutil.which("redis-check-rdb") or "/usr/bin/redis-check-rdb"
TTL_TOLERANCE_MS = 2000


def wait_until(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.02)


class KvServer:
    """`tcpkit serve kv` on port 0, stopped by its pid."""

    def __init__(self, directory, *args, preexec=None):
        self.proc = subprocess.Popen(
            [BINARY, "serve", "kv", "--listen", "127.0.0.1:0", "--dir", directory, *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=preexec)
        line = self.proc.stdout.readline()
        if "listening on" not in line:
            self.proc.kill()
            self.proc.wait()
            raise RuntimeError("kv did not start: " + line + self.proc.stderr.read())
        address = line.split("listening on ")[1].split(" ")[0].rstrip(",")
        self.port = int(address.rsplit(":", 1)[1])

    def client(self, db=0):
        return redis.Redis(host="127.0.0.1", port=self.port, db=db, socket_timeout=20)

    def stop(self):
        """SIGTERM; returns the exit status (0 after a clean drain, and no sanitizer report)."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            status = self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            status = self.proc.wait()
        err = self.proc.stderr.read()
        if status != 0:
            sys.stderr.write(err)
        self.proc.stdout.close()
        self.proc.stderr.close()
        return status


def crc64(data):
    """CRC-64/Jones as Redis computes it (reflected, initial value 0)."""
    crc = 0
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0x95AC9329AC4BC9B5 if crc & 1 else crc >> 1
    return crc


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """redis-server on a free port in `directory`, stopped by its pid."""

    def __init__(self, directory, dbfilename="dump.rdb", *extra):
        self.port = free_port()
        self.proc = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", directory,
             "--dbfilename", dbfilename, "--save", "", "--appendonly", "no",
             "--daemonize", "no", "--logfile", os.path.join(directory, "redis.log"), *extra],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def ready():
            try:
                return self.client().ping()
            except redis.exceptions.ConnectionError:
                return False
        if not wait_until(ready):
            self.stop()
            raise RuntimeError("redis-server did not start on port %d" % self.port)
        wait_until(lambda: self.client().info("persistence")["loading"] == 0)

    def client(self, db=0):
        return redis.Redis(host="127.0.0.1", port=self.port, db=db, socket_timeout=20)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def random_bytes(rng, n, binary=False):
    if binary:
        return bytes(rng.randrange(256) for _ in range(n))
    return "".join(rng.choice("abcdefghij") for _ in range(n)).encode()


def random_element(rng):
    kind = rng.randrange(6)
    if kind == 0:
        return str(rng.randrange(-10**6, 10**6)).encode()
    if kind == 1:
        return str(rng.randrange(-2**63, 2**63)).encode()
    if kind == 2:
        return random_bytes(rng, rng.randrange(0, 20), binary=True)
    if kind == 3:
        return random_bytes(rng, rng.randrange(60, 300))
    return random_bytes(rng, rng.randrange(1, 12))


def populate(client_for_db, rng):
    """Writes the random data set; returns nothing (the servers are compared directly)."""
    for db in (0, 1, 7):
        r = client_for_db(db)
        p = r.pipeline(transaction=False)
        for i in range(40):
            key = "s%d" % i
            choice = i % 5
            if choice == 0:
                p.set(key, rng.randrange(-2**40, 2**40))
            elif choice == 1:
                p.set(key, random_bytes(rng, rng.randrange(0, 40), binary=True))
            elif choice == 2:
                p.set(key, b"x" * rng.randrange(21, 5000))  # LZF-compressible
            elif choice == 3:
                p.set(key, random_bytes(rng, rng.randrange(100, 3000)))
            else:
                p.set(key, str(rng.randrange(0, 128)))
        for i in range(12):
            n = rng.choice([1, 3, 20, 200, 1500])
            p.rpush("l%d" % i, *[random_element(rng) for _ in range(n)])
        p.rpush("lbig", b"y" * 20000, b"z", b"w" * 70000)
        for i in range(12):
            n = rng.choice([1, 5, 100, 600])
            if i % 3 == 0:
                members = {random_element(rng) for _ in range(n)}
            else:
                members = {str(rng.randrange(-2**62, 2**62) if i % 2 else rng.randrange(-1000, 1000))
                           for _ in range(n)}
            p.sadd("set%d" % i, *members)
        for i in range(12):
            n = rng.choice([1, 5, 100, 700])
            long_values = i % 4 == 3
            mapping = {random_element(rng): (random_bytes(rng, 100) if long_values
                                             else random_element(rng)) for _ in range(n)}
            p.hset("h%d" % i, mapping=mapping)
        for i in range(12):
            n = rng.choice([1, 5, 100, 300])
            scores = {}
            for _ in range(n):
                score = rng.choice([rng.randrange(-100, 100), rng.uniform(-1e6, 1e6),
                                    float("inf"), float("-inf"), rng.random() * 1e-5, 0.1])
                scores[random_element(rng)] = score
            p.zadd("z%d" % i, scores)
        for i in range(10):
            key = "ttl%d" % i
            if i % 2:
                p.set(key, "v")
            else:
                p.hset(key, "f", "v")
            p.pexpire(key, rng.randrange(10**5, 10**9))
        p.execute()


def snapshot(client_for_db):
    """Every key of every database: (type, value, pttl)."""
    result = {}
    for db in range(16):
        r = client_for_db(db)
        for key in r.scan_iter(count=1000):
            kind = r.type(key).decode()
            if kind == "string":
                value = r.get(key)
            elif kind == "list":
                value = r.lrange(key, 0, -1)
            elif kind == "set":
                value = sorted(r.smembers(key))
            elif kind == "hash":
                value = sorted(r.hgetall(key).items())
            elif kind == "zset":
                value = r.zrange(key, 0, -1, withscores=True)
            else:
                value = kind
            result[(db, key)] = (kind, value, r.pttl(key))
        r.close()
    return result


class RdbInteropTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="tcpkit-rdb-")
        self.servers = []

    def tearDown(self):
        statuses = [(type(s).__name__, s.stop()) for s in self.servers]
        shutil.rmtree(self.dir, ignore_errors=True)
        for name, status in statuses:
            if name == "KvServer":
                self.assertEqual(status, 0, "kv exited with %s" % status)

    def start(self, cls, *args):
        server = cls(*args)
        self.servers.append(server)
        return server

    def stop(self, server):
        self.servers.remove(server)
        status = server.stop()
        if isinstance(server, KvServer):
            self.assertEqual(status, 0, "kv exited with %s" % status)

    def assertSame(self, expected, actual):
        self.assertEqual(sorted(expected), sorted(actual), "different keys")
        for k, (kind, value, pttl) in expected.items():
            other = actual[k]
            self.assertEqual((kind, value), other[:2], "key %r" % (k,))
            if pttl < 0:
                self.assertEqual(pttl, other[2], "key %r" % (k,))
            else:
                self.assertLess(abs(pttl - other[2]), TTL_TOLERANCE_MS, "key %r" % (k,))

    def check_rdb(self, path):
        out = subprocess.run([CHECK_RDB, path], capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn("RDB looks OK", out.stdout)

    def test_kv_writes_redis_reads(self):
        kv = self.start(KvServer, self.dir)
        populate(kv.client, random.Random(SEED))
        expected = snapshot(kv.client)
        self.assertTrue(kv.client().save())
        self.stop(kv)
        self.check_rdb(os.path.join(self.dir, "dump.rdb"))
        rs = self.start(RedisServer, self.dir)
        self.assertSame(expected, snapshot(rs.client))

    def test_redis_writes_kv_reads(self):
        # list-compress-depth 1: quicklist nodes inside a list are saved LZF-compressed.
        rs = self.start(RedisServer, self.dir, "dump.rdb", "--list-compress-depth", "1")
        populate(rs.client, random.Random(SEED + 1))
        expected = snapshot(rs.client)
        self.assertTrue(rs.client().save())
        self.stop(rs)
        self.check_rdb(os.path.join(self.dir, "dump.rdb"))
        kv = self.start(KvServer, self.dir)
        self.assertSame(expected, snapshot(kv.client))
        info = kv.client().info("persistence")
        self.assertEqual(info["rdb_last_load_keys_loaded"], len(expected))

    LIBRARIES = [
        "#!lua name=lib1\nredis.register_function('f1', function() return 1 end)",
        # long and repetitive: redis-server and kv store it LZF-compressed
        "#!lua name=alib\n" + "".join(
            "redis.register_function('g%d', function(keys, args) return %d end)\n" % (i, i)
            for i in range(20)),
    ]

    def functions(self, client):
        """{library name: code} as FUNCTION LIST WITHCODE says."""
        listed = client.function_list(withcode=True)
        return {entry[1]: entry[entry.index(b"library_code") + 1] for entry in listed}

    def test_function_dump_restore_both_ways(self):
        kv = self.start(KvServer, self.dir)
        rs = self.start(RedisServer, self.dir)
        for library in self.LIBRARIES:
            rs.client().function_load(library)
        payload = rs.client().function_dump()
        self.assertTrue(kv.client().function_restore(payload))
        self.assertEqual(self.functions(kv.client()), self.functions(rs.client()))
        self.assertEqual(kv.client().fcall("g7", 0), 7)
        for policy in ("APPEND", "FLUSH", "REPLACE", "BAD"):  # the same replies from both
            replies = []
            for server in (rs, kv):
                try:
                    replies.append(server.client().function_restore(payload, policy))
                except redis.ResponseError as e:
                    # Which existing library APPEND names first follows redis-server's hash
                    # order (seeded per process): compare the text without the name.
                    replies.append(re.sub(r"Library \S+ already", "Library X already", str(e)))
            self.assertEqual(replies[0], replies[1], policy)
        def signed(body):  # a payload with a valid CRC-64 (kv's own, over an empty library set)
            return body + crc64(body).to_bytes(8, "little")
        for bad in (payload[:-1] + bytes([payload[-1] ^ 1]), b"short", b"\x00" * 10,
                    signed(b"\x00\x01k\x01v\n\x00"), signed(b"\xf5\x05abcde\n\x00"),
                    signed(b"\xf5\x40\n\x00"), signed(b"\xf5\x05#!lua\n\x00"),
                    signed(b"\xf5\x05abcde\x0b\x00")):
            replies = []
            for server in (rs, kv):
                try:
                    replies.append(server.client().function_restore(bad))
                except redis.ResponseError as e:
                    replies.append(str(e))
            self.assertEqual(replies[0], replies[1], bad)
        # and back: kv's payload restores in a flushed redis-server
        back = kv.client().function_dump()
        self.assertTrue(rs.client().function_flush())
        self.assertTrue(rs.client().function_restore(back))
        self.assertEqual(self.functions(rs.client()), self.functions(kv.client()))
        self.assertEqual(rs.client().fcall("f1", 0), 1)
        for library in self.LIBRARIES:  # one library each: byte for byte the same payload
            for server in (rs, kv):
                server.client().function_flush()
                server.client().function_load(library)
            self.assertEqual(kv.client().function_dump(), rs.client().function_dump())
        for server in (rs, kv):
            server.client().function_flush()
        self.assertEqual(kv.client().function_dump(), rs.client().function_dump())  # empty

    def test_functions_in_rdb_both_ways(self):
        kv = self.start(KvServer, self.dir)
        for library in self.LIBRARIES:
            kv.client().function_load(library)
        kv.client().set("k", "v")
        expected = self.functions(kv.client())
        self.assertTrue(kv.client().save())
        self.stop(kv)
        self.check_rdb(os.path.join(self.dir, "dump.rdb"))
        rs = self.start(RedisServer, self.dir)
        self.assertEqual(self.functions(rs.client()), expected)
        self.assertEqual(rs.client().fcall("g3", 0), 3)
        rs.client().function_delete("lib1")
        self.assertTrue(rs.client().save())
        self.stop(rs)
        kv = self.start(KvServer, self.dir)
        self.assertEqual(self.functions(kv.client()), {b"alib": expected[b"alib"]})
        self.assertEqual(kv.client().fcall("g19", 0), 19)
        self.assertEqual(kv.client().get("k"), b"v")

    def test_bgsave_and_info(self):
        # Threads in the process: the fork happens under every shard lock.
        kv = self.start(KvServer, self.dir, "--dbfilename", "bg.rdb", "--model", "reactors",
                        "--threads", "4")
        r = kv.client()
        populate(kv.client, random.Random(SEED + 2))
        before = r.lastsave()
        self.assertGreater(r.info("persistence")["rdb_changes_since_last_save"], 0)
        time.sleep(1.1)  # LASTSAVE has a resolution of a second
        self.assertTrue(r.bgsave())  # "+Background saving started"
        self.assertTrue(wait_until(
            lambda: r.info("persistence")["rdb_bgsave_in_progress"] == 0, timeout=30))
        info = r.info("persistence")
        self.assertEqual(info["rdb_last_bgsave_status"], "ok")
        self.assertEqual(info["rdb_changes_since_last_save"], 0)
        self.assertGreater(r.lastsave(), before)
        expected = snapshot(kv.client)
        self.check_rdb(os.path.join(self.dir, "bg.rdb"))
        rs = self.start(RedisServer, self.dir, "bg.rdb")
        self.assertSame(expected, snapshot(rs.client))

    def test_bgsave_is_a_point_in_time_under_writes(self):
        """Transactions keep two keys (most likely in different shards) equal while BGSAVEs
        run: every snapshot must hold them equal, and a later one larger values."""
        kv = self.start(KvServer, self.dir, "--model", "reactors", "--threads", "4")
        stop = threading.Event()
        errors = []

        def writer(prefix):
            r = kv.client()
            i = 0
            try:
                while not stop.is_set():
                    i += 1
                    p = r.pipeline(transaction=True)
                    p.set(prefix + "a", i).set(prefix + "b", i).rpush(prefix + "l", i)
                    p.execute()
            except Exception as e:  # reported below, not swallowed
                errors.append(e)
            finally:
                r.close()

        threads = [threading.Thread(target=writer, args=("w%d:" % n,)) for n in range(3)]
        for t in threads:
            t.start()
        r = kv.client()
        seen = []
        try:
            for n in range(3):
                time.sleep(0.2)
                self.assertTrue(r.bgsave())
                self.assertTrue(wait_until(
                    lambda: r.info("persistence")["rdb_bgsave_in_progress"] == 0, timeout=30))
                self.assertEqual(r.info("persistence")["rdb_last_bgsave_status"], "ok")
                path = os.path.join(self.dir, "dump.rdb")
                copy = os.path.join(self.dir, "snap%d.rdb" % n)
                shutil.copy(path, copy)
                self.check_rdb(copy)
                rs = self.start(RedisServer, self.dir, "snap%d.rdb" % n)
                c = rs.client()
                values = []
                for w in range(3):
                    a, b = c.get("w%d:a" % w), c.get("w%d:b" % w)
                    self.assertEqual(a, b, "snapshot %d, writer %d" % (n, w))
                    if a is not None:
                        self.assertEqual(c.llen("w%d:l" % w), int(a))
                    values.append(int(a or 0))
                c.close()
                self.stop(rs)
                seen.append(values)
        finally:
            stop.set()
            for t in threads:
                t.join()
            r.close()
        self.assertEqual(errors, [])
        self.assertGreater(sum(seen[-1]), sum(seen[0]))

    def test_shutdown_save_then_restart(self):
        kv = self.start(KvServer, self.dir)
        r = kv.client()
        r.set("k", "v")
        r.rpush("l", *range(300))
        try:
            r.execute_command("SHUTDOWN", "SAVE")
        except redis.exceptions.ConnectionError:
            pass  # no reply: the server closes the connection and exits
        self.assertEqual(kv.proc.wait(timeout=20), 0)
        self.servers.remove(kv)
        kv.proc.stdout.close()
        kv.proc.stderr.close()
        kv = self.start(KvServer, self.dir)
        self.assertEqual(kv.client().get("k"), b"v")
        self.assertEqual(kv.client().llen("l"), 300)

    def test_corrupt_dump_stops_start_up(self):
        kv = self.start(KvServer, self.dir)
        kv.client().set("k", "v" * 100)
        kv.client().save()
        self.stop(kv)
        path = os.path.join(self.dir, "dump.rdb")
        with open(path, "r+b") as f:
            f.seek(-12, os.SEEK_END)
            byte = f.read(1)
            f.seek(-12, os.SEEK_END)
            f.write(bytes([byte[0] ^ 0xFF]))
        proc = subprocess.run([BINARY, "serve", "kv", "--listen", "127.0.0.1:0", "--dir",
                               self.dir], capture_output=True, text=True, timeout=30)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("cannot load the snapshot: " + path + ": offset ", proc.stderr)
        with open(path, "r+b") as f:
            f.truncate(30)
        proc = subprocess.run([BINARY, "serve", "kv", "--listen", "127.0.0.1:0", "--dir",
                               self.dir], capture_output=True, text=True, timeout=30)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("the file has", proc.stderr)


if __name__ == "__main__":
    BINARY = os.path.abspath(sys.argv[1])
    args = sys.argv[2:]
    if "--seed" in args:
        SEED = int(args[args.index("--seed") + 1])
    unittest.main(argv=[sys.argv[0]], verbosity=2)
