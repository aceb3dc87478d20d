#!/usr/bin/python3
"""Soak: the hostile probes of tests/hostile at full size, each run against `tcpkit serve kv` and
against redis-server (Debian's 7.0.15) under the same probe, figures printed side by side.

Usage: soak.py path/to/tcpkit [--redis /usr/bin/redis-server] [--model epoll]
               [--probe slow_readers|rst_burst|deep_pipeline|unauth_bulk|all] [--seconds 20]
               [--rss-cap-mib 4096]

Probes (see README.md):
  slow_readers   8 clients each pipeline GETs of a 100 KiB value worth 1 GiB of replies and never
                 read; RSS growth and a canary's worst PING latency over --seconds. redis-server
                 twice: default limits, and client-output-buffer-limit normal 64mb 64mb 0.
  rst_burst      1,000 clients each pipeline 50 GETs of a 100 KiB value then close with RST.
  deep_pipeline  1M pipelined INCRs: throughput while reading; then 1M written without reading,
                 SIGTERM, read to the end (replies contiguous? clean EOF? exit status/time).
  unauth_bulk    --requirepass: 8 unauthenticated clients each send a SET with a 256 MiB bulk.
Every server is stopped by its pid (killed in a finally); a probe whose RSS growth passes
--rss-cap-mib stops early and says so (the machine is shared).
"""
import argparse
import os
import signal
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "hostile"))
from hostile_test import (KIB, MIB, Canary, RssSampler, Server, check, fill_pipelines,  # noqa
                          peer_end, resp, rst_close, set_value, socket_fds, wait_until)

GIB = 1024 * MIB


def tcpkit_server(args, extra=()):
    return Server(args.tcpkit, ["--model", args.model] + list(extra))


def redis_server(args, extra=()):
    return Server(args.redis, list(extra), kind="redis")


def row(name, figures):
    print("  %-34s %s" % (name, "  ".join("%-30s" % f for f in figures)), flush=True)


def fmt_mib(kib):
    return "%.1f MiB" % (kib / 1024.0)


# ---------------------------------------------------------------------------------------------

def slow_readers(server, args):
    value = 100 * KIB
    gets = GIB // value  # 1 GiB of replies per reader
    cap_kib = args.rss_cap_mib * 1024
    set_value(server, "key", value)
    canary = Canary(server.port)
    socks = []
    sampler = RssSampler(server.pid, step=0.01)
    try:
        base_sockets = socket_fds(server.pid)
        baseline = server.rss_kib()
        sampler.start()
        socks = [server.connect() for _ in range(8)]
        sent = fill_pipelines(socks, resp("GET", "key") * gets, stall=0.5, deadline_s=10)
        deadline = time.monotonic() + args.seconds
        capped = False
        while time.monotonic() < deadline:
            if sampler.last - baseline > cap_kib:
                capped = True
                break
            if server.proc.poll() is not None:
                break
            time.sleep(0.05)
        held = socket_fds(server.pid)
        peak = sampler.stop()
        result = canary.stop()
        alive = server.proc.poll() is None
        disconnected = (base_sockets + 8 - held) if held is not None else "server gone"
        return {"rss growth peak": fmt_mib(peak - baseline) + (" (CAPPED, stopped)" if capped
                                                                else ""),
                "canary worst PING": "%.1f ms (%d PINGs%s)" % (
                    result["worst_ms"], result["count"],
                    ", error " + result["error"] if result["error"] else ""),
                "readers disconnected": "%s of 8" % disconnected,
                "GET bytes taken/reader": "%d" % min(sent),
                "server alive": str(alive)}
    finally:
        for s in socks:
            s.close()
        canary.kill()
        sampler.stop()


def rst_burst(server, args):
    value = 100 * KIB
    clients = 1000
    set_value(server, "big", value)
    canary = Canary(server.port)
    sampler = RssSampler(server.pid, step=0.002)
    socks = []
    try:
        base_sockets = socket_fds(server.pid)
        baseline = server.rss_kib()
        sampler.start()
        payload = resp("GET", "big") * 50
        for _ in range(clients):
            socks.append(server.connect())
        t0 = time.monotonic()
        for s in socks:
            s.sendall(payload)
            rst_close(s)
        socks = []
        cleaned = wait_until(lambda: (socket_fds(server.pid) or 0) <= base_sockets, 30.0)
        t_clean = time.monotonic() - t0
        time.sleep(0.5)
        peak = sampler.stop()
        result = canary.stop()
        with server.connect() as c:
            c.sendall(resp("PING"))
            answers = c.recv(16) == b"+PONG\r\n"
        return {"rss growth peak": fmt_mib(peak - baseline),
                "canary worst PING": "%.1f ms (%d PINGs)" % (result["worst_ms"], result["count"]),
                "reset conns released": ("%.2f s" % t_clean) if cleaned else "NOT within 30 s",
                "answers afterwards": str(answers)}
    finally:
        for s in socks:
            s.close()
        canary.kill()
        sampler.stop()


def incr_throughput(server, n):
    one = resp("INCR", "counter")
    s = server.connect(timeout=60)
    got = [0]
    want = sum(len(b":%d\r\n" % i) for i in range(1, n + 1))

    def reader():
        while got[0] < want:
            chunk = s.recv(1 << 20)
            if not chunk:
                break
            got[0] += len(chunk)

    t = threading.Thread(target=reader, daemon=True)
    t0 = time.monotonic()
    t.start()
    batch = one * 10000
    for _ in range(n // 10000):
        s.sendall(batch)
    t.join(120)
    elapsed = time.monotonic() - t0
    s.close()
    ok = got[0] == want
    return "%.0f INCR/s (%.2f s%s)" % (n / elapsed, elapsed, "" if ok else ", SHORT REPLIES")


def deep_pipeline(make_server, args):
    n = 1_000_000
    out = {}
    with make_server() as server:
        out["1M INCR, reading"] = incr_throughput(server, n)
        server.stop()
    with make_server() as server:
        s = server.connect()
        payload = resp("INCR", "counter") * n
        sent = fill_pipelines([s], payload, stall=0.5, deadline_s=30)[0]
        commands = sent // len(resp("INCR", "counter"))
        t_signal = time.monotonic()
        server.signal(signal.SIGTERM)
        s.setblocking(True)
        data = bytearray()
        end = "timeout"
        deadline = t_signal + 15
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
        s.close()
        status = server.wait(max(0.0, t_signal + 15 - time.monotonic()))
        t_exit = time.monotonic() - t_signal
        lines = bytes(data).split(b"\r\n")
        tail = lines.pop()
        contiguous = all(line == b":%d" % i for i, line in enumerate(lines, 1)) and tail == b""
        out["written before pushback"] = "%d INCRs (%.1f MB)" % (commands, sent / 1e6)
        out["replies after SIGTERM"] = "%d, %s" % (len(lines), "contiguous :1..:N" if contiguous
                                                  else "NOT contiguous")
        out["stream end"] = end
        out["exit"] = "status %s after %.2f s" % (status, t_exit)
    return out


def unauth_bulk(server, args):
    size = 256 * MIB
    header = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$%d\r\n" % size
    chunk = b"x" * (4 * MIB)
    cap_kib = args.rss_cap_mib * 1024
    sampler = RssSampler(server.pid, step=0.01)
    baseline = server.rss_kib()
    sampler.start()
    results = [None] * 8
    socks = [server.connect(timeout=30) for _ in range(8)]

    def client(i):
        s = socks[i]
        sent = 0
        t0 = time.monotonic()
        try:
            s.sendall(header)
            while sent < size:
                if sampler.last - baseline > cap_kib:
                    results[i] = ("capped", sent, b"", time.monotonic() - t0)
                    return
                s.sendall(chunk)
                sent += len(chunk)
            s.sendall(b"\r\n")
        except (BrokenPipeError, ConnectionResetError, socket.timeout) as e:
            reply = b""
            try:
                s.settimeout(1)
                reply = s.recv(200)
            except OSError:
                pass
            results[i] = (type(e).__name__, sent, reply, time.monotonic() - t0)
            return
        s.settimeout(10)
        try:
            reply = s.recv(200)
        except OSError as e:
            reply = repr(e).encode()
        results[i] = ("sent all", sent, reply, time.monotonic() - t0)

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    peak = sampler.stop()
    for s in socks:
        s.close()
    alive = server.proc.poll() is None
    outcomes = {}
    for r in results:
        if r is None:
            key = "no result"
        else:
            key = "%s after %.0f MiB: %r" % (r[0], r[1] / MIB, r[2][:60])
        outcomes[key] = outcomes.get(key, 0) + 1
    worst_t = max((r[3] for r in results if r), default=0)
    return {"rss growth peak": fmt_mib(peak - baseline),
            "client outcomes": "; ".join("%dx %s" % (v, k) for k, v in outcomes.items()),
            "slowest client done": "%.2f s" % worst_t,
            "server alive": str(alive)}


def compare(title, runs):
    """runs: [(label, thunk)] -> prints their dicts side by side."""
    print("\n== %s" % title, flush=True)
    results = []
    for label, thunk in runs:
        t0 = time.monotonic()
        try:
            results.append(thunk())
        except Exception as e:  # a probe's failure is a figure too
            results.append({"error": repr(e)[:200]})
        print("   (%s done in %.1f s)" % (label, time.monotonic() - t0), flush=True)
    row("", [label for label, _ in runs])
    keys = []
    for r in results:
        for k in r:
            if k not in keys:
                keys.append(k)
    for k in keys:
        row(k, [r.get(k, "-") for r in results])


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("tcpkit")
    p.add_argument("--redis", default="/usr/bin/redis-server")
    p.add_argument("--model", default="epoll")
    p.add_argument("--probe", default="all")
    p.add_argument("--seconds", type=float, default=20.0)
    p.add_argument("--rss-cap-mib", type=int, default=4096)
    args = p.parse_args()
    probes = ["slow_readers", "rst_burst", "deep_pipeline", "unauth_bulk"]
    chosen = probes if args.probe == "all" else args.probe.split(",")
    tk = "tcpkit (%s)" % args.model

    def with_server(make, probe):
        def thunk():
            with make() as server:
                out = probe(server, args)
                if server.proc.poll() is None:
                    server.stop(30)
                return out
        return thunk

    if "slow_readers" in chosen:
        compare("slow_readers: 8 readers x 1 GiB of pipelined GET replies (100 KiB value), "
                "never read, %.0f s" % args.seconds, [
                    (tk, with_server(lambda: tcpkit_server(args), slow_readers)),
                    ("redis 7.0.15 (defaults)", with_server(lambda: redis_server(args),
                                                            slow_readers)),
                    ("redis (normal 64mb 64mb 0)", with_server(
                        lambda: redis_server(args, ["--client-output-buffer-limit",
                                                    "normal 64mb 64mb 0"]), slow_readers))])
    if "rst_burst" in chosen:
        compare("rst_burst: 1000 clients x 50 GET of 100 KiB, then RST", [
            (tk, with_server(lambda: tcpkit_server(args), rst_burst)),
            ("redis 7.0.15", with_server(lambda: redis_server(args), rst_burst))])
    if "deep_pipeline" in chosen:
        compare("deep_pipeline: 1M INCR", [
            (tk, lambda: deep_pipeline(lambda: tcpkit_server(args), args)),
            ("redis 7.0.15", lambda: deep_pipeline(lambda: redis_server(args), args))])
    if "unauth_bulk" in chosen:
        compare("unauth_bulk: --requirepass, 8 unauthenticated clients x SET with a 256 MiB bulk", [
            (tk, with_server(lambda: tcpkit_server(args, ["--requirepass", "s3cret"]),
                             unauth_bulk)),
            ("redis 7.0.15", with_server(lambda: redis_server(args, ["--requirepass", "s3cret"]),
                                         unauth_bulk))])
    return 0


if __name__ == "__main__":
    sys.exit(main())
