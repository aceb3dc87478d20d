#!/usr/bin/python3
"""Scripting through redis-py (Debian's python3-redis) against `tcpkit serve kv`: the Lock
(acquire, extend, release: Lua scripts run by EVALSHA, loaded on NOSCRIPT), contention for one
lock between two threads, register_script, a sliding-window rate limiter called from redis-py
and from redis-cli, and a runaway script: other clients get BUSY, SCRIPT KILL ends it, the
server serves again; a script that wrote cannot be killed (UNKILLABLE) and only SHUTDOWN NOSAVE
ends the server. Functions: FUNCTION LOAD, FCALL, FCALL_RO, LIST, DELETE, and a runaway
function ended by FUNCTION KILL.

BusyOnTheScriptsLoopTest does the runaway-script conversation where the other client shares the
script's thread (`--model epoll`, `--model reactors --threads 1`): the loop serves it from the
script's hook. Its raw replies must equal redis-server's, byte for byte.

Usage: scripting_test.py path/to/tcpkit
"""
import os
import shutil
import socket
import subprocess
import tempfile
import sys
import threading
import time
import unittest

import redis

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import redis_py_test  # noqa: E402
from redis_py_test import KvServer, wait_until  # noqa: E402

BUSY = "Redis is busy running a script"  # redis-py drops the BUSY code from the text

# A sliding-window rate limiter: at most ARGV[2] calls in ARGV[1] milliseconds per key, the
# clock passed in ARGV[3] (scripts must not read the time themselves to be replayable).
RATE_LIMITER = """
local key, window, limit, now = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) >= limit then
  return 0
end
redis.call('ZADD', key, now, ARGV[4])
redis.call('PEXPIRE', key, window)
return 1
"""


class ScriptingTest(unittest.TestCase):
    def setUp(self):
        # The thread model: a runaway script holds one thread; the others answer BUSY.
        self.server = KvServer("--model", "thread")
        self.r = self.server.client()

    def tearDown(self):
        self.r.close()
        self.server.stop()

    def test_lock_acquire_extend_release(self):
        lock = self.r.lock("resource", timeout=5)
        self.assertTrue(lock.acquire(blocking=False))
        self.assertTrue(self.r.exists("resource"))
        self.assertTrue(lock.extend(10))
        self.assertGreater(self.r.pttl("resource"), 9000)
        self.assertTrue(lock.reacquire())
        other = self.r.lock("resource", timeout=5)
        self.assertFalse(other.acquire(blocking=False))
        lock.release()
        self.assertFalse(self.r.exists("resource"))
        with self.assertRaises(redis.exceptions.LockError):
            lock.release()  # no longer owned: the release script returns 0
        self.assertTrue(other.acquire(blocking=False))
        other.release()

    def test_lock_contention_between_threads(self):
        counter = {"in": 0, "max": 0, "done": 0}
        guard = threading.Lock()

        def worker():
            client = self.server.client()
            for _ in range(20):
                with client.lock("shared", timeout=5, sleep=0.001):
                    with guard:
                        counter["in"] += 1
                        counter["max"] = max(counter["max"], counter["in"])
                    client.incr("total")
                    with guard:
                        counter["in"] -= 1
            with guard:
                counter["done"] += 1
            client.close()

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        self.assertEqual(counter["done"], 2)
        self.assertEqual(counter["max"], 1)  # never two holders at once
        self.assertEqual(self.r.get("total"), b"40")

    def test_register_script_and_cache(self):
        script = self.r.register_script("return {KEYS[1], ARGV[1], redis.call('INCR', KEYS[1])}")
        self.assertEqual(script(keys=["n"], args=["a"]), [b"n", b"a", 1])
        self.assertEqual(script(keys=["n"], args=["b"]), [b"n", b"b", 2])
        self.assertEqual(self.r.script_exists(script.sha), [True])
        self.r.script_flush()
        self.assertEqual(self.r.script_exists(script.sha), [False])
        self.assertEqual(script(keys=["n"], args=["c"]), [b"n", b"c", 3])  # reloaded on NOSCRIPT
        with self.assertRaisesRegex(redis.exceptions.NoScriptError, "No matching script"):
            self.r.evalsha("0" * 40, 0)
        self.assertEqual(self.r.eval_ro("return redis.call('GET', KEYS[1])", 1, "n"), b"3")
        with self.assertRaisesRegex(redis.ResponseError, "Write commands are not allowed"):
            self.r.eval_ro("return redis.call('SET', KEYS[1], 'x')", 1, "n")

    def test_rate_limiter_from_two_clients(self):
        limiter = self.r.register_script(RATE_LIMITER)
        now = 1_000_000
        allowed = [limiter(keys=["rl"], args=[1000, 3, now + i, "py%d" % i]) for i in range(4)]
        self.assertEqual(allowed, [1, 1, 1, 0])
        cli = subprocess.run(
            ["redis-cli", "-p", str(self.server.port), "EVALSHA", limiter.sha, "1", "rl",
             "1000", "3", str(now + 500), "cli"], capture_output=True, text=True, timeout=10)
        self.assertEqual(cli.stdout.strip(), "0")  # still 3 in the window
        cli = subprocess.run(
            ["redis-cli", "-p", str(self.server.port), "EVALSHA", limiter.sha, "1", "rl",
             "1000", "3", str(now + 1001), "cli"], capture_output=True, text=True, timeout=10)
        self.assertEqual(cli.stdout.strip(), "1")  # the first two calls left the window
        self.assertEqual(self.r.zrange("rl", 0, -1), [b"py2", b"cli"])

    def test_functions(self):
        code = ("#!lua name=counters\n"
                "redis.register_function('bump', function(keys, args) "
                "return redis.call('INCRBY', keys[1], args[1]) end)\n"
                "redis.register_function{function_name='peek', callback=function(keys, args) "
                "return redis.call('GET', keys[1]) end, flags={'no-writes'}}")
        self.assertEqual(self.r.function_load(code), b"counters")
        self.assertEqual(self.r.fcall("bump", 1, "c", 5), 5)
        self.assertEqual(self.r.fcall_ro("peek", 1, "c"), b"5")
        with self.assertRaisesRegex(redis.ResponseError, "write flag"):
            self.r.fcall_ro("bump", 1, "c", 1)
        listed = self.r.function_list()
        self.assertEqual(listed[0][1], b"counters")
        self.assertTrue(self.r.function_delete("counters"))
        with self.assertRaisesRegex(redis.ResponseError, "Function not found"):
            self.r.fcall("bump", 1, "c", 1)

    def run_in_thread(self, *args):
        result = {}

        def run():
            client = redis.Redis(host="127.0.0.1", port=self.server.port, socket_timeout=30)
            try:
                result["reply"] = client.eval(*args)
            except redis.RedisError as e:  # ConnectionError: the server was stopped under it
                result["error"] = str(e)
            client.close()

        thread = threading.Thread(target=run)
        thread.start()
        return thread, result

    def wait_busy(self, client):
        def busy():
            try:
                client.get("k")
                return False
            except redis.exceptions.BusyLoadingError:
                return True
            except redis.ResponseError as e:
                return BUSY in str(e)
        self.assertTrue(wait_until(busy, timeout=10))

    def test_runaway_script_is_killed(self):
        self.r.config_set("busy-reply-threshold", 100)
        self.assertEqual(self.r.config_get("lua-time-limit"), {"lua-time-limit": "100"})
        waiter_result = {}
        thread, result = self.run_in_thread("while true do end", 0)
        other = self.server.client()
        self.wait_busy(other)

        def waiter():  # a command that already waits for the script's shards gives up too
            client = self.server.client()
            try:
                waiter_result["reply"] = client.set("k", "v")
            except redis.ResponseError as e:
                waiter_result["error"] = str(e)
        w = threading.Thread(target=waiter)
        w.start()
        self.assertEqual(other.execute_command("SCRIPT", "KILL"), b"OK")
        thread.join(10)
        w.join(10)
        self.assertIn("Script killed by user with SCRIPT KILL", result.get("error", ""))
        self.assertTrue("reply" in waiter_result or BUSY in waiter_result.get("error", ""))
        self.assertTrue(other.ping())
        self.assertTrue(other.set("after", "1"))
        with self.assertRaisesRegex(redis.ResponseError, "NOTBUSY"):
            other.execute_command("SCRIPT", "KILL")
        other.close()

    def test_runaway_function_is_killed(self):
        self.r.config_set("busy-reply-threshold", 100)
        self.r.function_load("#!lua name=spin\n"
                             "redis.register_function('spin', function() while true do end end)")
        result = {}

        def run():
            client = redis.Redis(host="127.0.0.1", port=self.server.port, socket_timeout=30)
            try:
                client.fcall("spin", 0)
            except redis.RedisError as e:
                result["error"] = str(e)
            client.close()
        thread = threading.Thread(target=run)
        thread.start()
        other = self.server.client()
        self.wait_busy(other)
        stats = other.execute_command("FUNCTION", "STATS")
        self.assertIsNotNone(stats[1])  # running_script
        self.assertEqual(other.execute_command("FUNCTION", "KILL"), b"OK")
        thread.join(10)
        self.assertIn("Script killed by user", result.get("error", ""))
        self.assertTrue(other.ping())
        other.close()

    def test_script_that_wrote_stops_with_shutdown_nosave(self):
        self.r.config_set("busy-reply-threshold", 100)
        thread, result = self.run_in_thread("redis.call('SET', 'w', '1') while true do end", 0)
        other = self.server.client()
        self.wait_busy(other)
        with self.assertRaisesRegex(redis.ResponseError, "UNKILLABLE"):
            other.execute_command("SCRIPT", "KILL")
        with self.assertRaisesRegex(redis.ResponseError, BUSY):
            other.execute_command("SHUTDOWN")  # a save would wait for the script: BUSY
        try:
            other.execute_command("SHUTDOWN", "NOSAVE")
        except redis.exceptions.ConnectionError:
            pass  # no reply: the server exits at once, as Redis's does
        self.assertEqual(self.server.proc.wait(timeout=10), 0)
        thread.join(10)
        self.assertIn("error", result)  # the script's client lost its connection
        self.server.proc.stdout.close()
        self.server.proc.stderr.close()
        self.server = KvServer()  # for tearDown
        self.r = self.server.client()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Raw:
    """A RESP connection that returns each reply's raw bytes (lines and bulk strings only)."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=15)
        self.buf = b""

    def send(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a.encode() if isinstance(a, str) else a
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.sock.sendall(out)

    def line(self):
        """One line, or b"" when the server closed the connection."""
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(4096)
            if not chunk:
                return b""
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line + b"\r\n"

    def reply(self):
        """One reply (a line, or a bulk string's two), or b"" when the server closed."""
        first = self.line()
        if first.startswith(b"$") and not first.startswith(b"$-"):
            return first + self.line()
        return first

    def call(self, *args):
        self.send(*args)
        return self.reply()

    def close(self):
        self.sock.close()


class BusyOnTheScriptsLoopTest(unittest.TestCase):
    """A runaway script where the other clients share its thread; checked against redis-server."""

    def conversation(self, port, proc):
        """The transcript of the conversation; ends with the server's exit status."""
        transcript = []
        script, other = Raw(port), Raw(port)
        transcript.append(other.call("CONFIG", "SET", "busy-reply-threshold", "100"))
        script.send("EVAL", "while true do end", "0")

        def wait_busy():
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                reply = other.call("GET", "k")  # waits (unread) until the script is busy
                if reply.startswith(b"-BUSY"):
                    return reply
            return b"never busy"
        transcript.append(wait_busy())
        passer = Raw(port)  # accepted, answered and closed while the script runs
        transcript.append(passer.call("PING"))
        passer.close()
        transcript.append(other.call("ECHO", "after the close"))
        transcript.append(other.call("SCRIPT", "KILL"))
        transcript.append(script.reply())
        transcript.append(other.call("PING"))
        transcript.append(Raw(port).call("PING"))  # the loop serves new connections again
        transcript.append(script.call("PING"))
        transcript.append(other.call(
            "FUNCTION", "LOAD",
            "#!lua name=spin\nredis.register_function('spin', function() while true do end end)"))
        script.send("FCALL", "spin", "0")
        transcript.append(wait_busy())  # a function: Redis names FUNCTION KILL
        transcript.append(other.call("FUNCTION", "KILL"))
        transcript.append(script.reply())
        script.send("EVAL", "redis.call('SET', 'w', '1') while true do end", "0")
        transcript.append(wait_busy())
        transcript.append(other.call("SCRIPT", "KILL"))
        transcript.append(other.call("FUNCTION", "KILL"))
        third = Raw(port)  # accepted while the script runs
        transcript.append(third.call("PING"))
        third.close()  # closed while the script runs
        transcript.append(other.call("SHUTDOWN"))
        transcript.append(other.call("SHUTDOWN", "NOSAVE"))
        transcript.append(script.reply())
        transcript.append(proc.wait(timeout=10))
        script.close()
        other.close()
        return transcript

    def kv_transcript(self, *model):
        server = KvServer(*model)
        try:
            return self.conversation(server.port, server.proc)
        finally:
            if server.proc.poll() is None:
                server.proc.kill()
                server.proc.wait()
            server.proc.stdout.close()
            server.proc.stderr.close()

    def test_same_replies_as_redis_server(self):
        redis_server = shutil.which("redis-server")
        with tempfile.TemporaryDirectory() as directory:
            expected = None
            if redis_server:
                port = free_port()
                proc = subprocess.Popen(
                    [redis_server, "--port", str(port), "--bind", "127.0.0.1", "--dir",
                     directory, "--save", "", "--appendonly", "no", "--daemonize", "no"],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                try:
                    self.assertTrue(wait_until(lambda: _accepts(port), timeout=10))
                    expected = self.conversation(port, proc)
                finally:
                    if proc.poll() is None:
                        proc.kill()
                        proc.wait()
        for model in (["--model", "epoll"], ["--model", "reactors", "--threads", "1"]):
            with self.subTest(model=model):
                got = self.kv_transcript(*model)
                self.assertEqual(got[1][:6], b"-BUSY ")
                self.assertEqual(got[2][:6], b"-BUSY ")
                self.assertEqual(got[4], b"+OK\r\n")
                self.assertIn(b"Script killed by user with SCRIPT KILL", got[5])
                self.assertEqual(got[6:8], [b"+PONG\r\n", b"+PONG\r\n"])
                self.assertEqual(got[-2], b"")  # the script's connection closed
                self.assertEqual(got[-1], 0)
                if expected is not None:
                    self.assertEqual(got, expected)


def _accepts(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False

if __name__ == "__main__":
    redis_py_test.BINARY = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
