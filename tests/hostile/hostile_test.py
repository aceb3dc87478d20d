#!/usr/bin/python3
"""Hostile clients against `tcpkit serve kv`: slow readers, deep pipelines cut by SIGTERM, a
second signal, RST bursts, thread-creation failure, connection-limit storms.

Usage: hostile_test.py path/to/tcpkit CASE        (CASE: NAME or NAME.MODEL, see CASES)
       hostile_test.py path/to/tcpkit --list

Every case is bounded to a few seconds: port 0, raw sockets to 127.0.0.1, deadlines instead of
sleeps, bounded loops; every process started here is stopped by its pid, and killed in a finally.
Figures are printed so a ctest log shows what was measured. stdlib only.

The helpers (Server, Canary, rss_kib, resp, ...) are shared with tests/soak/soak.py.
"""
import errno
import json
import os
import resource
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

KIB = 1024
MIB = 1024 * 1024
HOST = "127.0.0.1"


# ---------------------------------------------------------------------------------------------
# Helpers

class CaseFailure(AssertionError):
    pass


def check(condition, message):
    if not condition:
        raise CaseFailure(message)


def log(message):
    print(message, flush=True)


def resp(*args):
    """One RESP2 command as bytes."""
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        elif isinstance(a, int):
            a = b"%d" % a
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def rss_kib(pid):
    """VmRSS of pid in KiB, or None once it is gone."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


def vm_size_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmSize:"):
                return int(line.split()[1])
    return None


def socket_fds(pid):
    """How many sockets pid holds open (listeners + connections)."""
    n = 0
    try:
        for fd in os.listdir("/proc/%d/fd" % pid):
            try:
                if os.readlink("/proc/%d/fd/%s" % (pid, fd)).startswith("socket:"):
                    n += 1
            except OSError:
                pass
    except FileNotFoundError:
        return None
    return n


def tcp_connections(pid, port):
    """How many connected (not listening) TCP sockets pid holds on local port `port`."""
    inodes = set()
    try:
        for fd in os.listdir("/proc/%d/fd" % pid):
            try:
                link = os.readlink("/proc/%d/fd/%s" % (pid, fd))
            except OSError:
                continue
            if link.startswith("socket:["):
                inodes.add(link[8:-1])
    except FileNotFoundError:
        return None
    n = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    fields = line.split()
                    local_port = int(fields[1].rsplit(":", 1)[1], 16)
                    if local_port == port and fields[3] != "0A" and fields[9] in inodes:
                        n += 1
        except FileNotFoundError:
            pass
    return n


def wait_until(predicate, timeout, step=0.01):
    """Polls predicate until true or the deadline; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(step)


class Server:
    """A server process on a kernel-chosen port, stderr to a temp file, stopped by its pid.

    kind "tcpkit": `tcpkit serve kv --listen 127.0.0.1:0 ARGS`; kind "redis": redis-server on a
    free port with --save '' --appendonly no ARGS.
    """

    def __init__(self, binary, args=(), kind="tcpkit", preexec_fn=None, ready_timeout=10.0,
                 env=None):
        self.kind = kind
        self.stderr_file = tempfile.TemporaryFile(mode="w+b")
        if kind == "tcpkit":
            cmd = [binary, "serve", "kv", "--listen", HOST + ":0", *args]
        else:
            self.port = free_port()
            cmd = [binary, "--port", str(self.port), "--bind", HOST, "--save", "", "--appendonly",
                   "no", "--daemonize", "no", "--protected-mode", "no", *args]
        self.cmd = cmd
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=self.stderr_file, preexec_fn=preexec_fn, env=env)
        self.pid = self.proc.pid
        try:
            if kind == "tcpkit":
                self._read_ready_line(ready_timeout)
            else:
                self._wait_redis(ready_timeout)
        except BaseException:
            self.kill()
            raise

    def _read_ready_line(self, timeout):
        fd = self.proc.stdout.fileno()
        buf = b""
        deadline = time.monotonic() + timeout
        while b"\n" not in buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError("no ready line within %.0f s: %r" % (timeout, buf))
            r, _, _ = select.select([fd], [], [], left)
            if r:
                chunk = os.read(fd, 4096)
                if not chunk:
                    raise RuntimeError("server exited before its ready line (status %s): %s"
                                       % (self.proc.wait(), self.stderr()))
                buf += chunk
        line = buf.decode()
        check("listening on" in line, "unexpected ready line: %r" % line)
        address = line.split("listening on ")[1].split(" ")[0].rstrip(",")
        self.port = int(address.rsplit(":", 1)[1])

    def _wait_redis(self, timeout):
        def answers():
            try:
                with socket.create_connection((HOST, self.port), timeout=1) as s:
                    s.sendall(resp("PING"))
                    return s.recv(64).startswith((b"+PONG", b"-NOAUTH"))
            except OSError:
                check(self.proc.poll() is None, "redis-server exited: %s" % self.stderr())
                return False
        check(wait_until(answers, timeout), "redis-server did not answer on %d" % self.port)

    def connect(self, timeout=5.0):
        s = socket.create_connection((HOST, self.port), timeout=timeout)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return s

    def rss_kib(self):
        return rss_kib(self.pid)

    def sockets(self):
        return socket_fds(self.pid)

    def connections(self):
        """Client connections the server holds open (its sockets on its port, not listening)."""
        return tcp_connections(self.pid, self.port)

    def stderr(self):
        self.stderr_file.seek(0)
        return self.stderr_file.read().decode(errors="replace")

    def signal(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            os.kill(self.pid, sig)

    def wait(self, timeout):
        """Exit status, or None if still running at the deadline."""
        try:
            return self.proc.wait(timeout=max(0.0, timeout))
        except subprocess.TimeoutExpired:
            return None

    def stop(self, timeout=10.0):
        """SIGTERM and wait; the exit status (killed if it does not exit in time)."""
        self.signal(signal.SIGTERM)
        status = self.wait(timeout)
        if status is None:
            self.kill()
            raise CaseFailure("server pid %d did not exit within %.1f s of SIGTERM"
                              % (self.pid, timeout))
        return status

    def kill(self):
        if self.proc.poll() is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()
        self.stderr_file.close()


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def command(sock, data, expect_prefix=None, timeout=5.0):
    """Sends data, reads one reply line (for short replies); returns it."""
    sock.settimeout(timeout)
    sock.sendall(data)
    buf = b""
    while not buf.endswith(b"\r\n"):
        chunk = sock.recv(4096)
        if not chunk:
            raise CaseFailure("EOF waiting for a reply to %r (got %r)" % (data[:40], buf))
        buf += chunk
    if expect_prefix is not None:
        check(buf.startswith(expect_prefix), "reply to %r: %r" % (data[:40], buf[:80]))
    return buf


def read_bulk(sock, timeout=10.0):
    """Reads one bulk-string reply; returns its payload (None for nil)."""
    sock.settimeout(timeout)
    buf = b""
    while b"\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise CaseFailure("EOF in a bulk reply header")
        buf += chunk
    header, rest = buf.split(b"\r\n", 1)
    check(header[:1] == b"$", "not a bulk reply: %r" % buf[:80])
    n = int(header[1:])
    if n < 0:
        return None
    while len(rest) < n + 2:
        chunk = sock.recv(max(65536, n + 2 - len(rest)))
        if not chunk:
            raise CaseFailure("EOF in a bulk reply body")
        rest += chunk
    return rest[:n]


def set_value(server, key, size):
    before = server.connections()
    with server.connect() as s:
        command(s, resp("SET", key, b"v" * size), b"+OK")
    # The server has seen this connection close (so later counts of connections are exact).
    wait_until(lambda: server.connections() == before, 2.0)


def ping_works(server, timeout=5.0):
    with server.connect(timeout) as s:
        return command(s, resp("PING"), timeout=timeout) == b"+PONG\r\n"


def peer_end(sock, timeout, max_bytes=256 * MIB):
    """Reads (and drops) until the peer's end: 'eof', 'reset', 'timeout', or 'endless' (more
    than max_bytes: the server is still serving it); and the bytes read."""
    sock.setblocking(True)
    deadline = time.monotonic() + timeout
    total = 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return "timeout", total
        sock.settimeout(left)
        try:
            chunk = sock.recv(1 << 20)
        except socket.timeout:
            return "timeout", total
        except ConnectionResetError:
            return "reset", total
        if not chunk:
            return "eof", total
        total += len(chunk)
        if total > max_bytes:
            return "endless", total


def rst_close(sock):
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


class Canary:
    """A separate process (so this one's GIL cannot delay it) that sends PING every ~5 ms on its
    own connection and records the worst round trip. stop() returns a dict with worst_ms, count,
    error."""

    def __init__(self, port, interval=0.005):
        self.proc = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "_canary", str(port), str(interval)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if line.strip() != "ready":
            self.proc.kill()
            self.proc.wait()
            raise CaseFailure("canary did not start: %r" % line)
        self.result = None

    def stop(self):
        if self.result is None:
            try:
                out, _ = self.proc.communicate("stop\n", timeout=10)
                self.result = json.loads(out.strip().splitlines()[-1])
            except (subprocess.TimeoutExpired, ValueError, IndexError) as e:
                self.proc.kill()
                self.proc.wait()
                self.result = {"worst_ms": float("inf"), "count": 0, "error": "canary: %r" % e}
        return self.result

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()


def canary_main(port, interval):
    s = socket.create_connection((HOST, port), timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    worst = 0.0
    count = 0
    error = None

    def ping():
        t0 = time.monotonic()
        s.sendall(b"*1\r\n$4\r\nPING\r\n")
        buf = b""
        while not buf.endswith(b"\r\n"):
            chunk = s.recv(64)
            if not chunk:
                raise ConnectionError("EOF")
            buf += chunk
        if buf != b"+PONG\r\n":
            raise ConnectionError("reply %r" % buf)
        return time.monotonic() - t0

    ping()
    print("ready", flush=True)
    next_at = time.monotonic()
    while True:
        next_at += interval
        wait = max(0.0, next_at - time.monotonic())
        r, _, _ = select.select([sys.stdin], [], [], wait)
        if r:
            break
        if error is None:
            try:
                worst = max(worst, ping())
                count += 1
            except OSError as e:  # includes socket.timeout
                error = repr(e)
        else:
            next_at = time.monotonic()
    print(json.dumps({"worst_ms": round(worst * 1000, 2), "count": count, "error": error}),
          flush=True)


class RssSampler(threading.Thread):
    """Samples a pid's VmRSS every `step` seconds until stopped; keeps the peak."""

    def __init__(self, pid, step=0.005):
        super().__init__(daemon=True)
        self.pid = pid
        self.step = step
        self.peak = 0
        self.last = 0
        self.samples = 0
        self._stop_event = threading.Event()

    def run(self):
        while not self._stop_event.is_set():
            v = rss_kib(self.pid)
            if v is None:
                break
            self.last = v
            self.peak = max(self.peak, v)
            self.samples += 1
            self._stop_event.wait(self.step)

    def stop(self):
        self._stop_event.set()
        self.join(5)
        return self.peak


def fill_pipelines(socks, payload, stall=0.3, deadline_s=3.0):
    """Writes `payload` to every socket without blocking until it is all taken or the kernel
    has pushed back (no progress) for `stall` seconds, or the deadline passes. Returns bytes
    taken per socket."""
    for s in socks:
        s.setblocking(False)
    sent = [0] * len(socks)
    last_progress = [time.monotonic()] * len(socks)
    active = set(range(len(socks)))
    deadline = time.monotonic() + deadline_s
    view = memoryview(payload)
    while active and time.monotonic() < deadline:
        progressed = False
        _, writable, _ = select.select([], [socks[i] for i in active], [], 0.02)
        writable = set(id(w) for w in writable)
        for i in list(active):
            now = time.monotonic()
            if id(socks[i]) in writable:
                try:
                    n = socks[i].send(view[sent[i]:sent[i] + (1 << 20)])
                except BlockingIOError:
                    n = 0
                except (BrokenPipeError, ConnectionResetError):
                    active.discard(i)
                    continue
                if n:
                    sent[i] += n
                    last_progress[i] = now
                    progressed = True
            if sent[i] >= len(payload) or now - last_progress[i] > stall:
                active.discard(i)
        if not progressed and not active:
            break
    return sent


def bounded_rss_kib(high_water, value):
    return (8 * (high_water + 2 * value) + 48 * MIB) // KIB


# ---------------------------------------------------------------------------------------------
# Cases

MODELS = ("epoll", "reactors", "thread")


def model_args(model):
    return ["--model", model] + (["--threads", "2"] if model == "reactors" else [])


def slow_readers_probe(server, n_readers, value_size, gets_per_reader, observe_s,
                       stall=0.3, fill_deadline=3.0):
    """SETs `key` to value_size bytes, starts a canary, opens n_readers that pipeline GET key and
    never read. Returns (socks, canary, sampler, baseline_kib, sent) with the canary and the
    sampler still running; the caller stops them."""
    set_value(server, "key", value_size)
    canary = Canary(server.port)
    baseline = server.rss_kib()
    sampler = RssSampler(server.pid)
    sampler.start()
    socks = [server.connect() for _ in range(n_readers)]
    payload = resp("GET", "key") * gets_per_reader
    sent = fill_pipelines(socks, payload, stall=stall, deadline_s=fill_deadline)
    return socks, canary, sampler, baseline, sent


def case_slow_readers(binary, model):
    value = 100 * KIB
    high_water = 1 * MIB
    with Server(binary, model_args(model)) as server:
        socks, canary, sampler, baseline, sent = [], None, None, 0, []
        try:
            socks, canary, sampler, baseline, sent = slow_readers_probe(
                server, 8, value, 20000, observe_s=2.0)
            # Observe for ~2 s from now, with the pipelines full.
            deadline = time.monotonic() + 2.0
            while time.monotonic() < deadline:
                time.sleep(0.02)
            alive = server.proc.poll() is None
            peak = sampler.stop()
            result = canary.stop()
        finally:
            for s in socks:
                s.close()
            if canary:
                canary.kill()
            if sampler:
                sampler.stop()
        bound = bounded_rss_kib(high_water, value)
        log("slow_readers[%s]: sent %s bytes of GETs per reader; RSS baseline %d KiB, peak %d "
            "KiB (+%d KiB, bound +%d KiB); canary worst %.1f ms over %d PINGs (error %s)"
            % (model, sent, baseline, peak, peak - baseline, bound, result["worst_ms"],
               result["count"], result["error"]))
        check(alive, "server died: %s" % server.stderr())
        check(peak - baseline < bound, "RSS grew by %d KiB, bound %d KiB" % (peak - baseline,
                                                                               bound))
        check(result["error"] is None, "canary failed: %s" % result["error"])
        check(result["worst_ms"] < 100, "canary worst latency %.1f ms >= 100 ms"
              % result["worst_ms"])
        status = server.stop()
        check(status == 0, "exit status %s after SIGTERM" % status)


def disconnected_probe(binary, model, extra_args, value, within_s, label):
    """Slow readers that the server must disconnect (soft or hard output limit) within
    within_s; the canary keeps working, RSS falls back, the server still answers."""
    with Server(binary, model_args(model) + extra_args) as server:
        socks, canary, sampler = [], None, None
        try:
            set_value(server, "key", value)
            canary = Canary(server.port)
            baseline = server.rss_kib()
            base_sockets = 1  # the canary
            sampler = RssSampler(server.pid)
            sampler.start()
            socks = [server.connect() for _ in range(8)]
            check(wait_until(lambda: server.connections() >= base_sockets + 8, 2.0),
                  "the server did not take the 8 readers")
            t0 = time.monotonic()
            payload = resp("GET", "key") * 20000
            sent = fill_pipelines(socks, payload, stall=0.2, deadline_s=within_s)
            # Disconnected = the server no longer holds their sockets (no reads from us needed:
            # reading would lower what they owe).
            gone = wait_until(lambda: server.connections() <= base_sockets,
                              max(0.0, within_s - (time.monotonic() - t0)))
            elapsed = time.monotonic() - t0
            held = server.connections()
            ends = [peer_end(s, 2.0, 64 * MIB) for s in socks]
            rss_after = wait_until(
                lambda: (lambda r: r if r - baseline < 16 * MIB // KIB else None)(
                    server.rss_kib()), 2.0) or server.rss_kib()
            peak = sampler.stop()
            result = canary.stop()
            still_answers = ping_works(server)
        finally:
            for s in socks:
                s.close()
            if canary:
                canary.kill()
            if sampler:
                sampler.stop()
        log("%s[%s]: readers %s within %.2f s (server connections %s, %s before they came); "
            "their ends (state, bytes drained) %s; sent %s; RSS baseline %d KiB, peak %d KiB, "
            "after %d KiB; canary worst %.1f ms over %d PINGs (error %s)"
            % (label, model, "disconnected" if gone else "NOT all disconnected", elapsed, held,
               base_sockets, ends, sent, baseline, peak, rss_after, result["worst_ms"],
               result["count"], result["error"]))
        log("server stderr:\n" + server.stderr()[-2000:])
        check(gone, "the 8 slow readers were not all disconnected within %.1f s "
                    "(server still holds %s connections, %s before they came)"
              % (within_s, held, base_sockets))
        check(all(e in ("eof", "reset") for e, _ in ends),
              "slow readers' sockets did not end (EOF/reset) after draining: %s" % ends)
        check(rss_after - baseline < 16 * MIB // KIB,
              "RSS did not fall back: baseline %d KiB, after %d KiB" % (baseline, rss_after))
        check(result["error"] is None, "canary failed: %s" % result["error"])
        check(result["worst_ms"] < 100, "canary worst latency %.1f ms" % result["worst_ms"])
        check(still_answers, "the server no longer answers PING")
        status = server.stop()
        check(status == 0, "exit status %s after SIGTERM" % status)


def case_slow_readers_disconnected(binary, model):
    disconnected_probe(binary, model,
                       ["--output-soft-limit", str(256 * KIB), "--output-soft-seconds", "1"],
                       100 * KIB, 4.0, "slow_readers_disconnected")


def case_slow_readers_output_limit(binary, model):
    # Each GET reply (1 MiB) passes the hard limit on its own: disconnected at once.
    disconnected_probe(binary, model, ["--output-limit", str(512 * KIB)], 1 * MIB, 1.0,
                       "slow_readers_output_limit")


def incr_pipeline_until_pushback(sock, cap_bytes=256 * MIB, stall=0.3, deadline_s=5.0):
    """Writes pipelined INCR counter without blocking until the kernel stops taking bytes.
    Returns the number of whole commands written (a partial last one is completed)."""
    one = resp("INCR", "counter")
    chunk = one * 4096
    sock.setblocking(False)
    sent = 0
    last_progress = time.monotonic()
    deadline = time.monotonic() + deadline_s
    pending = memoryview(b"")
    while sent < cap_bytes and time.monotonic() < deadline:
        if not pending:
            pending = memoryview(chunk)
        _, w, _ = select.select([], [sock], [], 0.02)
        if w:
            try:
                n = sock.send(pending)
            except BlockingIOError:
                n = 0
            if n:
                sent += n
                pending = pending[n:]
                last_progress = time.monotonic()
        if time.monotonic() - last_progress > stall:
            break
    # Complete a partially written command so every byte sent is a whole command (blocking,
    # bounded: at most len(one) - 1 bytes, the server reads or drops input while draining).
    partial = sent % len(one)
    if partial:
        rest = one[partial:]
        sock.setblocking(True)
        sock.settimeout(5)
        sock.sendall(rest)
        sent += len(rest)
    return sent // len(one), sent


def case_deep_pipeline_sigterm(binary, model):
    drain = 5.0
    with Server(binary, model_args(model) + ["--drain-timeout", str(drain)]) as server:
        s = server.connect()
        try:
            commands, nbytes = incr_pipeline_until_pushback(s)
            check(server.proc.poll() is None, "server died while filling: %s" % server.stderr())
            t_signal = time.monotonic()
            server.signal(signal.SIGTERM)
            s.setblocking(True)
            data = bytearray()
            end = "timeout"
            deadline = t_signal + drain + 2.0
            while time.monotonic() < deadline:
                s.settimeout(max(0.01, deadline - time.monotonic()))
                try:
                    chunk = s.recv(1 << 20)
                except socket.timeout:
                    break
                except ConnectionResetError:
                    end = "reset"
                    break
                if not chunk:
                    end = "eof"
                    break
                data += chunk
            t_end = time.monotonic() - t_signal
        finally:
            s.close()
        status = server.wait(t_signal + drain + 1.0 - time.monotonic())
        t_exit = time.monotonic() - t_signal
        # The replies must be exactly :1 .. :N.
        lines = bytes(data).split(b"\r\n")
        tail = lines.pop()  # after the last CRLF: must be empty
        n = len(lines)
        first_bad = None
        for i, line in enumerate(lines, 1):
            if line != b":%d" % i:
                first_bad = (i, line[:60])
                break
        log("deep_pipeline_sigterm[%s]: wrote %d INCRs (%d bytes) before the kernel pushed back; "
            "after SIGTERM read %d bytes = %d replies, stream end %s after %.2f s; server exit "
            "status %s after %.2f s; first non-contiguous reply: %s"
            % (model, commands, nbytes, len(data), n, end, t_end, status, t_exit,
               first_bad if first_bad else "none, :1..:%d" % n))
        if status != 0 or end != "eof":
            log("server stderr:\n" + server.stderr()[-6000:])
        check(end == "eof", "the stream did not end with a clean EOF: %s" % end)
        check(tail == b"", "a partial reply at the end: %r" % tail[:60])
        check(first_bad is None, "replies not contiguous :1..:N: at #%s got %r"
              % first_bad if first_bad else "")
        check(n > 0, "no replies at all")
        check(n <= commands, "more replies (%d) than commands (%d)" % (n, commands))
        check(status is not None, "server did not exit within drain_timeout + 1 s (%.1f s)"
              % (drain + 1))
        check(status == 0, "exit status %s" % status)


def unread_holder(server, value=100 * KIB, gets=20000):
    """A client that pipelines GETs of a 100 KiB value and never reads: the server owes it."""
    set_value(server, "key", value)
    s = server.connect()
    fill_pipelines([s], resp("GET", "key") * gets, stall=0.2, deadline_s=2.0)
    # The kernel may take the whole pipeline before the server has even accepted the
    # connection (a busy machine): wait for the accept, with a deadline.
    deadline = time.monotonic() + 3.0
    held = server.connections()
    while held != 1 and time.monotonic() < deadline:
        time.sleep(0.01)
        held = server.connections()
    if held != 1:
        s.close()
        raise CaseFailure("precondition: the server does not hold the one client it owes "
                          "replies (%s connections): %s" % (held, server.stderr()[-600:]))
    return s


def case_second_signal(binary, model):
    # The second signal exits with _exit(1) while threads run, by design: under ThreadSanitizer
    # that is a "thread leak" (exit status 66) and, by default, a 1 s sleep before exiting.
    env = dict(os.environ)
    env["TSAN_OPTIONS"] = (env.get("TSAN_OPTIONS", "") + " report_thread_leaks=0 "
                           "atexit_sleep_ms=0").strip()
    with Server(binary, model_args(model) + ["--drain-timeout", "30"], env=env) as server:
        s = unread_holder(server)
        try:
            server.signal(signal.SIGTERM)
            # Let it drain (it cannot finish: the client never reads) for ~0.3 s.
            draining = server.wait(0.3)
            check(draining is None, "the server exited (status %s) on the first SIGTERM with "
                  "replies still owed and --drain-timeout 30" % draining)
            t0 = time.monotonic()
            server.signal(signal.SIGTERM)
            status = server.wait(1.0)
            elapsed = time.monotonic() - t0
        finally:
            s.close()
        log("second_signal[%s]: exit status %s %.3f s after the second SIGTERM"
            % (model, status, elapsed))
        log("server stderr:\n" + server.stderr()[-1500:])
        check(status is not None, "still running 1 s after the second SIGTERM")
        check(status == 1, "exit status %s after the second signal (want 1)" % status)


def case_drain_timeout_bounds(binary, model):
    with Server(binary, model_args(model) + ["--drain-timeout", "1"]) as server:
        s = unread_holder(server)
        try:
            t0 = time.monotonic()
            server.signal(signal.SIGTERM)
            status = server.wait(2.0)
            elapsed = time.monotonic() - t0
        finally:
            s.close()
        log("drain_timeout_bounds[%s]: --drain-timeout 1, a client owed replies never reads: "
            "exit status %s after %.3f s" % (model, status, elapsed))
        check(status is not None, "still running 2 s after SIGTERM with --drain-timeout 1")
        check(status == 0, "exit status %s (want 0: a graceful shutdown, closed at the drain "
                           "timeout)" % status)


def rst_burst_probe(server, clients, gets, value_size):
    """Returns (baseline, peak, canary result, seconds until the server held no burst sockets)."""
    set_value(server, "big", value_size)
    canary = Canary(server.port)
    sampler = None
    socks = []
    try:
        base_sockets = 1  # the canary
        baseline = server.rss_kib()
        sampler = RssSampler(server.pid, step=0.002)
        sampler.start()
        payload = resp("GET", "big") * gets
        for i in range(clients):
            socks.append(server.connect())
        t0 = time.monotonic()
        for s in socks:
            s.sendall(payload)
            rst_close(s)
        socks = []
        cleaned = wait_until(lambda: server.connections() <= base_sockets, 10.0)
        t_clean = time.monotonic() - t0
        # Let the samples cover the aftermath a little longer.
        end = time.monotonic() + 0.5
        while time.monotonic() < end:
            time.sleep(0.02)
        peak = sampler.stop()
        result = canary.stop()
        return baseline, peak, result, (t_clean if cleaned else None)
    finally:
        for s in socks:
            s.close()
        canary.kill()
        if sampler:
            sampler.stop()


def case_rst_burst(binary, model):
    value = 100 * KIB
    with Server(binary, model_args(model)) as server:
        baseline, peak, result, t_clean = rst_burst_probe(server, 200, 50, value)
        alive = server.proc.poll() is None
        answers = False
        big_ok = False
        if alive:
            answers = ping_works(server)
            with server.connect() as s:
                s.sendall(resp("GET", "big"))
                big_ok = read_bulk(s) == b"v" * value
        log("rst_burst[%s]: 200 clients x 50 GET of %d KiB then RST; RSS baseline %d KiB, peak "
            "%d KiB (+%d KiB, bound +%d KiB); burst sockets gone after %s s; canary worst %.1f ms "
            "over %d PINGs (error %s)"
            % (model, value // KIB, baseline, peak, peak - baseline, 64 * 1024,
               "%.2f" % t_clean if t_clean is not None else "NEVER (10 s)", result["worst_ms"],
               result["count"], result["error"]))
        check(alive, "server died: %s" % server.stderr())
        check(peak - baseline < 64 * 1024, "RSS grew by %d KiB" % (peak - baseline))
        check(result["error"] is None, "canary failed: %s" % result["error"])
        check(result["worst_ms"] < 200, "canary worst latency %.1f ms" % result["worst_ms"])
        check(answers and big_ok, "the server does not answer properly afterwards")
        check(t_clean is not None, "the server still holds reset connections after 10 s")
        status = server.stop()
        check(status == 0, "exit status %s after SIGTERM" % status)


def case_thread_creation_failure(binary, model="thread"):
    # Measure the address space the thread model needs to start, then give it that plus room
    # for a few 256 MiB thread stacks (root ignores RLIMIT_NPROC, RLIMIT_AS is honoured).
    stack = 256 * MIB
    with Server(binary, model_args("thread")) as probe:
        base_vm = vm_size_kib(probe.pid) * KIB
        probe.stop()
    limit_as = base_vm + 4 * stack + 64 * MIB

    def limits():
        resource.setrlimit(resource.RLIMIT_STACK, (stack, stack))
        resource.setrlimit(resource.RLIMIT_AS, (limit_as, limit_as))

    with Server(binary, model_args("thread"), preexec_fn=limits) as server:
        held = []
        refused_at = None
        try:
            for i in range(40):  # bounded: a few stacks fit, far fewer than 40
                s = server.connect()
                s.settimeout(3.0)
                try:
                    reply = command(s, resp("PING"), timeout=3.0)
                except (CaseFailure, ConnectionResetError, socket.timeout) as e:
                    reply = repr(e)
                if reply == b"+PONG\r\n":
                    held.append(s)
                    continue
                refused_at = (i + 1, reply)
                s.close()
                break
            alive = server.proc.poll() is None
            first_ok = False
            if held and alive:
                first_ok = command(held[0], resp("PING"), timeout=3.0) == b"+PONG\r\n"
        finally:
            for s in held:
                s.close()
        stderr = server.stderr()
        log("thread_creation_failure: RLIMIT_AS %d MiB (start needs %d MiB), stacks 256 MiB; "
            "%d connections served, refused: %s; server alive %s, existing connection answers "
            "%s" % (limit_as // MIB, base_vm // MIB, len(held), refused_at, alive, first_ok))
        log("server stderr:\n" + stderr[-1500:])
        check(held, "not even one connection was served (limits too tight?)")
        check(refused_at is not None, "no connection was refused within 40 (limits too loose?)")
        check(alive, "the server died when a thread could not be created")
        check(first_ok, "an existing connection no longer answers")
        check("refused" in stderr or "thread" in stderr,
              "the refusal is not logged on stderr")
        status = server.stop()
        check(status == 0, "exit status %s after SIGTERM" % status)


def case_max_connections_reply(binary, model):
    with Server(binary, model_args(model) + ["--max-connections", "2"]) as server:
        a, b = server.connect(), server.connect()
        try:
            command(a, resp("PING"), b"+PONG")
            command(b, resp("PING"), b"+PONG")
            c = server.connect()
            got = b""
            end = "timeout"
            c.settimeout(3.0)
            try:
                while True:
                    chunk = c.recv(4096)
                    if not chunk:
                        end = "eof"
                        break
                    got += chunk
            except ConnectionResetError:
                end = "reset"
            except socket.timeout:
                pass
            c.close()
            lines_before = len(server.stderr().splitlines())
            t0 = time.monotonic()
            ends = {}
            for _ in range(500):
                s = server.connect()
                e, _n = peer_end(s, 3.0)
                ends[e] = ends.get(e, 0) + 1
                s.close()
            storm_s = time.monotonic() - t0
            # Let a rate-limited summary appear if it is due, bounded.
            time.sleep(0.2)
            stderr = server.stderr()
            storm_lines = len(stderr.splitlines()) - lines_before
            still = command(a, resp("PING")) == b"+PONG\r\n"
        finally:
            a.close()
            b.close()
        log("max_connections_reply[%s]: 3rd client got %r then %s; storm of 500 refused in "
            "%.2f s: ends %s, %d log lines; first client still answered %s"
            % (model, got, end, storm_s, ends, storm_lines, still))
        log("server stderr (last lines):\n" + "\n".join(stderr.splitlines()[-8:]))
        check(got == b"-ERR max number of clients reached\r\n",
              "3rd client got %r, want -ERR max number of clients reached" % got)
        check(end in ("eof", "reset"), "3rd client not closed (%s)" % end)
        check(ends.get("timeout", 0) == 0, "refused connections left open: %s" % ends)
        check(storm_lines <= 10, "500 refusals gave %d log lines (want a rate-limited handful)"
              % storm_lines)
        check(stderr.count("refused") >= 1, "the refusals are not logged at all")
        check(still, "an admitted client stopped answering")
        status = server.stop()
        check(status == 0, "exit status %s after SIGTERM" % status)


CASES = {}
for _m in MODELS:
    CASES["slow_readers." + _m] = (case_slow_readers, _m)
    CASES["slow_readers_disconnected." + _m] = (case_slow_readers_disconnected, _m)
    CASES["slow_readers_output_limit." + _m] = (case_slow_readers_output_limit, _m)
    CASES["deep_pipeline_sigterm." + _m] = (case_deep_pipeline_sigterm, _m)
    CASES["second_signal." + _m] = (case_second_signal, _m)
    CASES["drain_timeout_bounds." + _m] = (case_drain_timeout_bounds, _m)
    CASES["rst_burst." + _m] = (case_rst_burst, _m)
    CASES["max_connections_reply." + _m] = (case_max_connections_reply, _m)
CASES["thread_creation_failure"] = (case_thread_creation_failure, "thread")


def main(argv):
    if len(argv) >= 2 and argv[1] == "_canary":
        canary_main(int(argv[2]), float(argv[3]))
        return 0
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    binary, name = argv[1], argv[2]
    if name == "--list":
        print("\n".join(CASES))
        return 0
    if name not in CASES:
        print("unknown case %r; cases: %s" % (name, ", ".join(CASES)), file=sys.stderr)
        return 2
    fn, model = CASES[name]
    t0 = time.monotonic()
    try:
        fn(binary, model)
    except CaseFailure as e:
        print("FAIL %s (%.2f s): %s" % (name, time.monotonic() - t0, e), flush=True)
        return 1
    print("PASS %s (%.2f s)" % (name, time.monotonic() - t0), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
