#!/usr/bin/python3
"""redis-py (Debian's python3-redis) against `tcpkit serve kv`: every data type through the
client's own API, pipelines, transactions, expiry, and concurrent clients whose increments
must all count.

Usage: redis_py_test.py path/to/tcpkit
"""
import os
import signal
import subprocess
import sys
import threading
import time
import unittest

import redis

BINARY = None


class KvServer:
    """A `tcpkit serve kv` process on a kernel-chosen port, stopped by its pid."""

    def __init__(self, *args):
        self.proc = subprocess.Popen(
            [BINARY, "serve", "kv", "--listen", "127.0.0.1:0", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()  # the ready line, or "" if it died
        if "listening on" not in line:
            self.proc.kill()
            raise RuntimeError("no ready line: " + line + self.proc.stderr.read())
        address = line.split("listening on ")[1].split(" ")[0].rstrip(",")
        self.port = int(address.rsplit(":", 1)[1])

    def client(self, **kwargs):
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=10, **kwargs)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise


def wait_until(predicate, timeout=5.0):
    """Polls predicate until it is true or the deadline passes; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.01)


class WithServer(unittest.TestCase):
    """A fresh kv server and a client of it for each test; the server must exit cleanly."""

    def setUp(self):
        self.server = KvServer()
        self.r = self.server.client()

    def tearDown(self):
        self.r.close()
        self.assertEqual(self.server.stop(), 0)


class RedisPyTest(WithServer):
    def test_basic_commands(self):
        self.assertTrue(self.r.ping())
        self.assertTrue(self.r.set("k", "v"))
        self.assertEqual(self.r.get("k"), b"v")
        self.assertEqual(self.r.incrbyfloat("f", 2.5), 2.5)
        self.assertEqual(self.r.mget("k", "nope"), [b"v", None])
        self.assertEqual(self.r.type("k"), b"string")
        with self.assertRaisesRegex(redis.ResponseError, "value is not an integer"):
            self.r.incr("k")

    def test_lists(self):
        self.assertEqual(self.r.rpush("l", "a", "b", "c"), 3)
        self.assertEqual(self.r.lpush("l", "z"), 4)
        self.assertEqual(self.r.lrange("l", 0, -1), [b"z", b"a", b"b", b"c"])
        self.assertEqual(self.r.lpop("l", 2), [b"z", b"a"])
        self.assertEqual(self.r.lmove("l", "m", "RIGHT", "LEFT"), b"c")
        self.assertEqual(self.r.lpos("m", "c"), 0)
        self.assertEqual(self.r.sort("l", alpha=True), [b"b"])
        with self.assertRaisesRegex(redis.ResponseError, "WRONGTYPE"):
            self.r.hget("l", "f")

    def test_hashes(self):
        self.assertEqual(self.r.hset("h", mapping={"f1": "1", "f2": "x"}), 2)
        self.assertEqual(self.r.hgetall("h"), {b"f1": b"1", b"f2": b"x"})
        self.assertEqual(self.r.hincrby("h", "f1", 41), 42)
        self.assertEqual(self.r.hincrbyfloat("h", "f3", 0.5), 0.5)
        self.assertEqual(self.r.hmget("h", "f1", "nope"), [b"42", None])
        self.r.hset("big", mapping={f"field{i}": i for i in range(1000)})
        self.assertEqual(self.r.object("encoding", "big"), b"hashtable")
        self.assertEqual(dict(self.r.hscan_iter("big", count=50)),
                         {f"field{i}".encode(): str(i).encode() for i in range(1000)})

    def test_sets(self):
        self.assertEqual(self.r.sadd("s", 3, 1, 2), 3)
        self.assertEqual(self.r.sadd("t", 2, 3, "x"), 3)
        self.assertEqual(self.r.smembers("s"), {b"1", b"2", b"3"})
        self.assertEqual(self.r.sinter("s", "t"), {b"2", b"3"})
        self.assertEqual(self.r.sunionstore("u", "s", "t"), 4)
        self.assertEqual(self.r.sdiff("s", "t"), {b"1"})
        self.assertEqual(self.r.smismember("s", [1, 5]), [1, 0])
        self.assertEqual(self.r.object("encoding", "s"), b"intset")
        self.assertEqual(set(self.r.sscan_iter("u", count=2)), {b"1", b"2", b"3", b"x"})

    def test_sorted_sets(self):
        self.assertEqual(self.r.zadd("z", {"a": 1, "b": 2.5, "c": 3}), 3)
        self.assertEqual(self.r.zincrby("z", 10, "a"), 11.0)
        self.assertEqual(self.r.zrange("z", 0, -1, withscores=True),
                         [(b"b", 2.5), (b"c", 3.0), (b"a", 11.0)])
        self.assertEqual(self.r.zrangebyscore("z", "(2.5", "+inf"), [b"c", b"a"])
        self.assertEqual(self.r.zrank("z", "a"), 2)
        self.assertEqual(self.r.zscore("z", "nope"), None)
        self.assertEqual(self.r.zpopmin("z"), [(b"b", 2.5)])
        self.r.zadd("y", {"c": 1, "d": 1})
        self.assertEqual(self.r.zunionstore("w", ["z", "y"], aggregate="MAX"), 3)
        self.assertEqual(self.r.zrange("w", 0, -1, withscores=True),
                         [(b"d", 1.0), (b"c", 3.0), (b"a", 11.0)])
        self.assertEqual(dict(self.r.zscan_iter("w")), {b"d": 1.0, b"c": 3.0, b"a": 11.0})

    def test_bitmaps_and_hyperloglog(self):
        self.assertEqual(self.r.setbit("b", 7, 1), 0)
        self.assertEqual(self.r.get("b"), b"\x01")
        self.assertEqual(self.r.bitcount("b"), 1)
        self.assertEqual(self.r.pfadd("hll", *[f"e{i}" for i in range(1000)]), 1)
        self.assertLess(abs(self.r.pfcount("hll") - 1000), 30)

    def test_pipeline_without_transaction(self):
        pipe = self.r.pipeline(transaction=False)
        for i in range(1000):
            pipe.set(f"key:{i}", i)
        for i in range(1000):
            pipe.incr(f"key:{i}")
        results = pipe.execute()
        self.assertEqual(results[:1000], [True] * 1000)
        self.assertEqual(results[1000:], list(range(1, 1001)))
        self.assertEqual(self.r.dbsize(), 1000)

    def test_transaction(self):
        pipe = self.r.pipeline(transaction=True)
        pipe.set("a", 1).incr("a").get("a")
        self.assertEqual(pipe.execute(), [True, 2, b"2"])

    def test_watch_aborts_when_another_client_writes(self):
        other = self.server.client()
        with self.r.pipeline() as pipe:
            pipe.watch("balance")
            other.set("balance", 100)  # changes the watched key
            pipe.multi()
            pipe.set("balance", 0)
            with self.assertRaises(redis.WatchError):
                pipe.execute()
        self.assertEqual(self.r.get("balance"), b"100")
        other.close()

    def test_queued_error_aborts_exec(self):
        pipe = self.r.pipeline(transaction=True)
        pipe.set("x", 1)
        pipe.execute_command("SET", "x")  # wrong arity: queued with an error
        # The server answers EXEC with EXECABORT; redis-py reports the queued command's error.
        with self.assertRaisesRegex(redis.ResponseError, "wrong number of arguments"):
            pipe.execute()
        self.assertIsNone(self.r.get("x"))

    def test_expiry(self):
        self.r.set("short", "v", px=100)
        ttl = self.r.pttl("short")
        self.assertTrue(0 < ttl <= 100, ttl)
        self.assertTrue(wait_until(lambda: self.r.get("short") is None, timeout=5))
        self.r.set("long", "v", ex=100)
        self.assertTrue(95 <= self.r.ttl("long") <= 100)
        self.assertTrue(self.r.persist("long"))
        self.assertEqual(self.r.ttl("long"), -1)

    def test_active_expiry_removes_keys_nobody_reads(self):
        for i in range(200):
            self.r.set(f"gone:{i}", "v", px=50)
        self.r.set("stays", "v")
        # Only the active cycle can remove keys no client touches; DBSIZE does not expire.
        self.assertTrue(wait_until(lambda: self.r.dbsize() == 1, timeout=5), self.r.dbsize())


class PubSubTest(WithServer):
    """redis-py's PubSub object: get_message, listen, patterns, and the limits of a subscriber."""

    def next_message(self, p, timeout=5.0):
        """The next message (not a subscription confirmation), or None at the deadline."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = p.get_message(ignore_subscribe_messages=True, timeout=0.1)
            if m is not None:
                return m
        return None

    def test_get_message(self):
        p = self.r.pubsub()
        p.subscribe("news")
        confirm = p.get_message(timeout=5)
        self.assertEqual(confirm["type"], "subscribe")
        self.assertEqual(confirm["data"], 1)
        self.assertEqual(self.r.publish("news", "hello"), 1)
        self.assertEqual(self.r.publish("other", "nobody"), 0)
        m = self.next_message(p)
        self.assertEqual((m["type"], m["channel"], m["data"]), ("message", b"news", b"hello"))
        self.assertEqual(self.r.pubsub_numsub("news"), [(b"news", 1)])
        self.assertIn(b"news", self.r.pubsub_channels())
        p.unsubscribe("news")
        self.assertTrue(wait_until(lambda: self.r.pubsub_numsub("news") == [(b"news", 0)]))
        p.close()

    def test_patterns_and_handlers(self):
        got = []
        p = self.r.pubsub()
        p.psubscribe(**{"news.*": lambda m: got.append(m)})
        self.assertTrue(wait_until(lambda: self.r.pubsub_numpat() == 1))
        self.assertEqual(self.r.publish("news.eu", "x"), 1)
        self.assertTrue(wait_until(lambda: p.get_message(timeout=0.05) is None and len(got) == 1))
        self.assertEqual((got[0]["pattern"], got[0]["channel"], got[0]["data"]),
                         (b"news.*", b"news.eu", b"x"))
        p.close()

    def test_listen_on_a_thread(self):
        p = self.r.pubsub(ignore_subscribe_messages=True)
        p.subscribe("jobs")
        self.assertIsNone(p.get_message(timeout=5))  # the confirmation, ignored
        received = []

        def listen():
            for m in p.listen():
                if m["type"] == "message":
                    received.append(m["data"])
                    if m["data"] == b"stop":
                        return

        t = threading.Thread(target=listen)
        t.start()
        for i in range(100):
            self.assertEqual(self.r.publish("jobs", str(i)), 1)
        self.r.publish("jobs", "stop")
        t.join(timeout=10)
        self.assertFalse(t.is_alive())
        self.assertEqual(received, [str(i).encode() for i in range(100)] + [b"stop"])
        p.close()

    def test_subscriber_context_refuses_other_commands(self):
        p = self.r.pubsub()
        p.subscribe("c")
        p.get_message(timeout=5)
        p.execute_command("GET", "k")
        reply = None
        deadline = time.monotonic() + 5
        while reply is None and time.monotonic() < deadline:
            try:
                reply = p.parse_response(block=False, timeout=0.1)
            except redis.ResponseError as e:
                reply = e
        self.assertIsInstance(reply, redis.ResponseError)
        self.assertIn("only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET", str(reply))
        self.assertIn(b"flags=P", self.r.execute_command("CLIENT", "LIST", "TYPE", "pubsub"))
        p.close()

    def test_a_subscriber_that_never_reads_is_disconnected(self):
        """Redis's pubsub class: over 32 MiB pending, the subscriber is dropped; the server's
        memory stays bounded and publishers are served throughout."""
        import socket
        sub = socket.create_connection(("127.0.0.1", self.server.port))
        sub.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sub.sendall(b"*2\r\n$9\r\nSUBSCRIBE\r\n$4\r\nfeed\r\n")
        self.assertTrue(wait_until(lambda: self.r.pubsub_numsub("feed") == [(b"feed", 1)]))
        payload = b"x" * (1 << 20)
        receivers = None
        # 48 MiB at most: the pubsub class's 32 MiB plus the kernel's buffers. Without the
        # class, the normal connections' 64 MiB would let all 48 through: the test would fail.
        for _ in range(48):
            receivers = self.r.publish("feed", payload)
            if receivers == 0:
                break
        self.assertEqual(receivers, 0, "the subscriber that never reads was never dropped")
        self.assertEqual(self.r.pubsub_numsub("feed"), [(b"feed", 0)])
        with open("/proc/%d/status" % self.server.proc.pid) as f:
            rss = int(f.read().split("VmRSS:")[1].split()[0]) * 1024
        self.assertLess(rss, 200 << 20)
        sub.close()


class MonitorAndBlockingTest(WithServer):
    """redis-py's Monitor and its blocking pops with timeouts."""

    def test_monitor_sees_other_clients_commands(self):
        with self.r.monitor() as m:
            other = self.server.client()
            other.set("k", "v w")
            other.lpush("l", "x")
            seen = []
            while len(seen) < 2:
                c = m.next_command()
                if c["command"].startswith(("SET", "LPUSH")):
                    seen.append(c)
            other.close()
        self.assertEqual(seen[0]["command"], "SET k v w")
        self.assertEqual(seen[1]["command"], "LPUSH l x")
        self.assertEqual(seen[0]["db"], 0)
        self.assertEqual(seen[0]["client_type"], "tcp")

    def test_blpop_times_out_and_is_served(self):
        started = time.monotonic()
        self.assertIsNone(self.r.blpop(["empty"], timeout=0.2))
        self.assertGreaterEqual(time.monotonic() - started, 0.19)
        result = []
        t = threading.Thread(target=lambda: result.append(self.server.client().blpop(["q"], 5)))
        t.start()
        self.assertTrue(wait_until(lambda: self.r.info("clients")["blocked_clients"] == 1))
        self.r.rpush("q", "job")
        t.join(timeout=10)
        self.assertEqual(result, [(b"q", b"job")])
        self.assertEqual(self.r.bzpopmin("nothing", timeout=0.05), None)
        self.r.zadd("z", {"a": 1})
        self.assertEqual(self.r.bzpopmin("z", timeout=1), (b"z", b"a", 1.0))


class ClientPauseTest(WithServer):
    """CLIENT PAUSE WRITE holds writes (not reads) until CLIENT UNPAUSE; ALL holds everything
    until the pause ends."""

    def test_write_pause_holds_writes_until_unpause(self):
        other = self.server.client()
        self.assertTrue(self.r.client_pause(10000, all=False))
        started = time.monotonic()
        self.assertIsNone(other.get("k"))  # reads go on
        self.assertLess(time.monotonic() - started, 1.0)
        done = []
        t = threading.Thread(target=lambda: done.append(other.set("k", "v")))
        t.start()
        time.sleep(0.2)  # the write is held back meanwhile
        self.assertEqual(done, [])
        self.assertTrue(self.r.client_unpause())
        t.join(timeout=5)
        self.assertEqual(done, [True])
        self.assertLess(time.monotonic() - started, 5.0)
        self.assertEqual(other.get("k"), b"v")
        other.close()

    def test_all_pause_holds_every_command_until_it_ends(self):
        self.assertTrue(self.r.client_pause(300))
        started = time.monotonic()
        self.assertEqual(self.server.client().ping(), True)
        self.assertGreaterEqual(time.monotonic() - started, 0.25)


class KeyspaceEventsTest(WithServer):
    """notify-keyspace-events: what the differential test cannot show deterministically
    (expiry by time, served blocked clients, CLIENT PAUSE holding expiry, other reactors)."""

    def events(self, p, count, timeout=5.0):
        """The next `count` (event, key) pairs from `p`'s __keyevent@<db>__:* messages."""
        got, deadline = [], time.monotonic() + timeout
        while len(got) < count and time.monotonic() < deadline:
            m = p.get_message(ignore_subscribe_messages=True, timeout=0.1)
            if m is not None:
                got.append((m["channel"].split(b":", 1)[1].decode(), m["data"].decode()))
        return got

    def test_expired_lazily_and_actively(self):
        self.r.config_set("notify-keyspace-events", "Ex")
        p = self.r.pubsub()
        p.psubscribe("__keyevent@*__:expired")
        p.get_message(timeout=5)
        self.r.set("read", "v", px=30)
        self.r.set("idle", "v", px=30)
        time.sleep(0.05)
        self.assertIsNone(self.r.get("read"))  # lazy: this lookup deletes it
        got = self.events(p, 2)
        self.assertEqual(got[0], ("expired", "read"))
        self.assertEqual(got[1], ("expired", "idle"))  # active: the tick found it
        self.assertEqual(self.r.info("stats")["expired_keys"], 2)
        p.close()

    def test_a_served_blocked_pop_publishes_its_events(self):
        self.r.config_set("notify-keyspace-events", "KEA")
        p = self.r.pubsub()
        p.psubscribe("__keyevent@0__:*")
        p.get_message(timeout=5)
        popped = []
        waiter = self.server.client()
        t = threading.Thread(target=lambda: popped.append(waiter.blpop(["q"], 5)))
        t.start()
        self.assertTrue(wait_until(lambda: self.r.info("clients")["blocked_clients"] == 1))
        self.r.rpush("q", "job")
        t.join(timeout=10)
        self.assertEqual(popped, [(b"q", b"job")])
        # As redis-server 7.0: the push, then the pop made for the waiter, then the deletion.
        self.assertEqual(self.events(p, 3), [("rpush", "q"), ("lpop", "q"), ("del", "q")])
        waiter.close()
        p.close()

    def test_client_pause_holds_expiry(self):
        self.r.set("k", "v", px=50)
        self.assertTrue(self.r.client_pause(5000, all=False))
        time.sleep(0.3)
        # Expired, so it reads as missing, but neither a lookup nor the tick deletes it.
        self.assertEqual(self.r.exists("k"), 0)
        self.assertEqual(self.r.dbsize(), 1)
        self.assertTrue(self.r.client_unpause())
        self.assertIsNone(self.r.get("k"))
        self.assertEqual(self.r.dbsize(), 0)

    def test_events_reach_subscribers_on_every_reactor_in_order(self):
        server = KvServer("--model", "reactors", "--threads", "2",
                          "--notify-keyspace-events", "E$")
        subscribers = []
        for _ in range(4):  # connections are spread over both loops
            p = server.client().pubsub()
            p.subscribe("__keyevent@0__:set")
            p.get_message(timeout=5)
            subscribers.append(p)
        writer = server.client()
        for i in range(50):
            writer.set("k%d" % i, "v")
        want = [("set", "k%d" % i) for i in range(50)]
        for p in subscribers:
            self.assertEqual(self.events(p, 50), want)
            p.close()
        writer.close()
        self.assertEqual(server.stop(), 0)


class EvictionTest(unittest.TestCase):
    """maxmemory-policy: keys go as the policy says, each an "evicted" event; the policies that
    only evict keys with a TTL refuse writes (OOM) once none is left."""

    def setUp(self):
        self.server = KvServer("--maxmemory", "2mb", "--notify-keyspace-events", "Ee")
        self.r = self.server.client()

    def tearDown(self):
        self.r.close()
        self.assertEqual(self.server.stop(), 0)

    def fill(self, n, prefix="k", ex=None):
        pipe = self.r.pipeline(transaction=False)
        for i in range(n):
            pipe.set("%s%d" % (prefix, i), "v" * 100, ex=ex)
        return pipe.execute(raise_on_error=False)

    def test_noeviction_refuses_writes(self):
        results = self.fill(30000)
        self.assertTrue(any(isinstance(x, redis.ResponseError) and "OOM" in str(x)
                            for x in results))
        self.assertEqual(self.r.info("stats")["evicted_keys"], 0)
        self.assertIsNotNone(self.r.get("k0"))  # reads go on

    def test_allkeys_lru_evicts_the_least_recently_used_first(self):
        self.r.config_set("maxmemory-policy", "allkeys-lru")
        p = self.r.pubsub()
        p.subscribe("__keyevent@0__:evicted")
        p.get_message(timeout=5)
        self.fill(3000, prefix="cold")
        time.sleep(2.1)  # the LRU clock counts seconds: "cold" is now older than the rest
        self.fill(3000, prefix="hot")
        results = self.fill(7000, prefix="new")
        self.assertFalse(any(isinstance(x, redis.ResponseError) for x in results))
        evicted = self.r.info("stats")["evicted_keys"]
        self.assertGreater(evicted, 1500)
        self.assertLessEqual(self.r.info("memory")["used_memory"], 2 << 20)
        cold = self.r.exists(*["cold%d" % i for i in range(3000)])
        hot = self.r.exists(*["hot%d" % i for i in range(3000)])
        # Sampled LRU (5 keys a database a step, as Redis): the old keys go first, mostly.
        self.assertGreater(hot, 2 * cold, (hot, cold, evicted))
        seen = 0
        while seen < evicted:
            m = p.get_message(ignore_subscribe_messages=True, timeout=2)
            if m is None:
                break
            seen += 1
        self.assertEqual(seen, evicted)
        p.close()

    def test_volatile_ttl_evicts_only_keys_with_a_ttl(self):
        self.r.config_set("maxmemory-policy", "volatile-ttl")
        self.fill(2000, prefix="keep")
        self.fill(8000, prefix="tmp", ex=3600)
        results = self.fill(30000, prefix="more")
        self.assertTrue(any(isinstance(x, redis.ResponseError) and "OOM" in str(x)
                            for x in results), "writes go on once no key with a TTL is left")
        self.assertEqual(self.r.exists(*["keep%d" % i for i in range(2000)]), 2000)
        self.assertGreater(self.r.info("stats")["evicted_keys"], 0)
        self.assertEqual(self.r.info("keyspace")["db0"].get("expires", 0), 0)

    def test_policy_settings(self):
        with self.assertRaisesRegex(redis.ResponseError, "must be one of the following"):
            self.r.config_set("maxmemory-policy", "bogus")
        with self.assertRaisesRegex(redis.ResponseError, "LFU policies are not supported"):
            self.r.config_set("maxmemory-policy", "allkeys-lfu")
        self.r.config_set("maxmemory-policy", "VOLATILE-LRU")
        self.assertEqual(self.r.config_get("maxmemory-policy"),
                         {"maxmemory-policy": "volatile-lru"})
        self.assertEqual(self.r.info("memory")["maxmemory_policy"], "volatile-lru")


class ConcurrentIncrementsTest(unittest.TestCase):
    CLIENTS = 50
    INCREMENTS = 200

    def run_model(self, model):
        server = KvServer("--model", model, "--threads", "2")
        errors = []

        def worker():
            client = server.client()
            try:
                for i in range(self.INCREMENTS):
                    client.incr("shared")
                    client.incrby(f"counter:{i % 5}", 2)
            except Exception as e:  # reported below; a thread cannot fail the test itself
                errors.append(e)
            finally:
                client.close()

        threads = [threading.Thread(target=worker) for _ in range(self.CLIENTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        self.assertFalse(any(t.is_alive() for t in threads), "a client hung")
        self.assertEqual(errors, [])
        r = server.client()
        self.assertEqual(int(r.get("shared")), self.CLIENTS * self.INCREMENTS)
        for c in range(5):
            want = self.CLIENTS * (self.INCREMENTS // 5) * 2
            self.assertEqual(int(r.get(f"counter:{c}")), want)
        r.close()
        self.assertEqual(server.stop(), 0)

    def test_reactors(self):
        self.run_model("reactors")

    def test_thread(self):
        self.run_model("thread")


if __name__ == "__main__":
    BINARY = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
