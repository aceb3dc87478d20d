#!/usr/bin/env python3
"""The side-by-side comparison behind `make bench` (run through bench/compare/run.sh).

Starts every server itself on free loopback ports, runs the matrix with tcpkit and redis runs
alternating (so drift in the machine's load touches both), reads each server's CPU time from
/proc/PID/stat around each run, and writes OUT/latest.json, OUT/latest.md and OUT/latest.svg
(chart.py). Every process it starts is stopped by pid in a finally block.
Scale with BENCH_SCALE=0.5 (fewer requests, shorter runs) for a quick look.
"""
import argparse
import csv
import datetime
import io
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import sys
import time

SCALE = float(os.environ.get("BENCH_SCALE", "1"))
TICKS = os.sysconf("SC_CLK_TCK")
MODELS = ["iterative", "fork", "thread", "epoll", "reactors"]
ECHO_CONNECTIONS = [1, 50, 1000]
KV_TESTS = ["ping", "set", "get"]
PIPELINES = [1, 16]
KEYSPACE = 100000
IDLE_CONNECTIONS = 10000
GROWTH_REQUESTS = 1000000
MEMORY_STRINGS = 1000000  # keys per dataset of the memory-per-key section
MEMORY_HASHES = 100000
BULK_SIZE = 128 * 1024
# Each kv cell is measured this many times, tcpkit and redis alternating, and the run with the
# median throughput is reported: single runs on a shared 2-core machine vary by +-10%.
KV_REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class Processes:
    """Every child we start, stopped by pid (TERM, then KILL) on stop() or stop_all()."""

    def __init__(self):
        self.children = []

    def start(self, argv, **kw):
        p = subprocess.Popen(argv, stderr=subprocess.DEVNULL, **kw)
        self.children.append(p)
        return p

    def stop(self, p):
        if p.poll() is None:
            os.kill(p.pid, signal.SIGTERM)
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(p.pid, signal.SIGKILL)
                p.wait()
        if p in self.children:
            self.children.remove(p)

    def stop_all(self):
        for p in list(self.children):
            self.stop(p)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, deadline=10.0):
    end = time.time() + deadline
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port}")


def wait_listed(port, deadline=10.0):
    """Waits for a listening socket on `port` in /proc/net/tcp, without connecting to it
    (a probe connection would count as iperf3's test client)."""
    want = f":{port:04X} "
    end = time.time() + deadline
    while time.time() < end:
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            with open(table) as f:
                if any(want in line and line.split()[3] == "0A" for line in f):
                    return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port}")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime (fields 14, 15)


class Bench:
    def __init__(self, tcpkit):
        self.tcpkit = tcpkit
        self.procs = Processes()

    # --- servers
    def redis(self, *extra):
        port = free_port()
        p = self.procs.start(["redis-server", "--port", str(port), "--save", "",
                              "--appendonly", "no", "--daemonize", "no", *extra],
                             stdout=subprocess.DEVNULL)
        wait_listening(port)
        return p, f"127.0.0.1:{port}"

    def tcpkit_serve(self, *args):
        p = self.procs.start([self.tcpkit, "serve", *args, "--listen", "127.0.0.1:0"],
                             stdout=subprocess.PIPE, text=True)
        line = p.stdout.readline()
        m = re.search(r"listening on (\S+?:\d+)", line)
        if not m:
            raise RuntimeError(f"tcpkit serve {args}: no ready line ({line!r})")
        return p, m.group(1)

    # --- drivers: each returns a dict with rps, p50, p99 (ms) and cpu_us (server CPU/request)
    def redis_benchmark(self, server, addr, test, n, conns, pipeline):
        host, port = addr.rsplit(":", 1)
        name = "ping_mbulk" if test == "ping" else test
        argv = ["redis-benchmark", "-h", host, "-p", port, "-t", name, "-n", str(n), "-c",
                str(conns), "-P", str(pipeline), "-r", str(KEYSPACE), "--csv"]
        cpu0 = cpu_seconds(server.pid)
        out = subprocess.run(argv, capture_output=True, text=True, timeout=300).stdout
        cpu1 = cpu_seconds(server.pid)
        rows = list(csv.DictReader(io.StringIO(out)))
        if not rows:
            raise RuntimeError(f"redis-benchmark printed no CSV: {out!r}")
        row = rows[-1]
        return {"rps": float(row["rps"]), "p50": float(row["p50_latency_ms"]),
                "p99": float(row["p99_latency_ms"]), "errors": None,
                "cpu_us": (cpu1 - cpu0) * 1e6 / n}

    def tcpkit_bench(self, server, argv, per_request=True):
        cpu0 = cpu_seconds(server.pid) if server else None
        out = subprocess.run([self.tcpkit, "bench", *argv, "--json"], capture_output=True,
                             text=True, timeout=300)
        cpu1 = cpu_seconds(server.pid) if server else None
        if out.returncode not in (0, 74):
            raise RuntimeError(f"tcpkit bench {argv}: exit {out.returncode}: {out.stderr}")
        doc = json.loads(out.stdout)
        if doc["idle"] is not None:
            return doc["idle"]
        t = doc["tests"][0]
        t["cpu_us"] = ((cpu1 - cpu0) * 1e6 / t["requests"]
                       if server and per_request and t["requests"] else None)
        return {"rps": t["rps"], "p50": t["latency_ms"]["p50"], "p99": t["latency_ms"]["p99"],
                "errors": t["errors"], "cpu_us": t["cpu_us"], "raw": t}

    # --- the matrix
    def kv_matrix(self):
        rows = []
        redis, redis_addr = self.redis()
        kv, kv_addr = self.tcpkit_serve("kv", "--model", "epoll")
        servers = {"redis": (redis, redis_addr), "tcpkit": (kv, kv_addr)}
        turn = 0
        for pipeline in PIPELINES:
            n = int((100000 if pipeline == 1 else 500000) * SCALE)
            for test in KV_TESTS:
                for driver in ("redis-benchmark", "tcpkit bench"):
                    runs = {"redis": [], "tcpkit": []}
                    for _ in range(KV_REPEATS):
                        order = ["redis", "tcpkit"] if turn % 2 == 0 else ["tcpkit", "redis"]
                        turn += 1
                        for name in order:
                            log(f"kv: {driver} -> {name} {test.upper()} -P {pipeline}")
                            runs[name].append(self.kv_run(driver, servers[name], test, n,
                                                          pipeline))
                    for name, results in runs.items():
                        median = sorted(results, key=lambda r: r["rps"])[len(results) // 2]
                        rows.append({"driver": driver, "server": name, "test": test.upper(),
                                     "pipeline": pipeline, "requests": n, "runs": len(results),
                                     "rps_all": [r["rps"] for r in results], **median})
        self.procs.stop(kv)
        self.procs.stop(redis)
        return rows

    def spectrum(self):
        """The whole latency spectrum of GET and SET (-c 50, -P 1, keys random in KEYSPACE), from
        tcpkit bench --hdr-out against each server, runs alternating: the .hgrm rows, parsed."""
        rows = []
        redis, redis_addr = self.redis()
        kv, kv_addr = self.tcpkit_serve("kv", "--model", "epoll")
        n = int(200000 * SCALE)
        measured = {"date": datetime.datetime.now(datetime.timezone.utc).strftime(
            "%Y-%m-%d %H:%M UTC"), "commit": sh("git rev-parse --short HEAD"),
            "load": open("/proc/loadavg").read().split()[:3]}
        with tempfile.TemporaryDirectory(prefix="tcpkit-spectrum-") as tmp:
            for test in ("SET", "GET"):
                for name, addr in (("redis", redis_addr), ("tcpkit", kv_addr)):
                    log(f"spectrum: tcpkit bench -> {name} {test} --hdr-out")
                    path = os.path.join(tmp, f"{name}.{test}.hgrm")
                    subprocess.run([self.tcpkit, "bench", "resp", addr, "--tests", test, "-n",
                                    str(n), "-c", "50", "-r", str(KEYSPACE), "-q", "--hdr-out",
                                    path], check=True, capture_output=True, timeout=300)
                    rows.append({"server": name, "test": test, "requests": n,
                                 "measured": measured,
                                 "points": parse_hgrm(open(path).read())})
        self.procs.stop(kv)
        self.procs.stop(redis)
        return rows

    def kv_run(self, driver, server, test, n, pipeline):
        proc, addr = server
        if driver == "redis-benchmark":
            return self.redis_benchmark(proc, addr, test, n, 50, pipeline)
        r = self.tcpkit_bench(proc, ["resp", addr, "--tests", test, "-n", str(n), "-c", "50",
                                     "-P", str(pipeline), "--threads", "1", "-r", str(KEYSPACE)])
        r.pop("raw")
        return r

    def echo_matrix(self):
        rows = []
        duration = max(1.0, 2.0 * SCALE)
        for model in MODELS:
            extra = ["--threads", "2"] if model == "reactors" else []
            server, addr = self.tcpkit_serve("echo", "--model", model,
                                             "--max-connections", "2000", *extra)
            for conns in ECHO_CONNECTIONS:
                log(f"echo: {model} at {conns} connections")
                r = self.tcpkit_bench(server, ["echo", addr, "-d", "64", "-c", str(conns),
                                               "--threads", "1", "--duration", str(duration), "--warmup",
                                               "0.5", "--timeout", "3"],
                                      per_request=model != "fork")
                t = r.pop("raw")
                rows.append({"model": model, "connections": conns, **r,
                             "served": t["connections"]["served"],
                             "opened": t["connections"]["opened"],
                             "unanswered": t["error_detail"]["timeouts"],
                             "lost": t["error_detail"]["connection_errors"]})
            self.procs.stop(server)
        return rows

    def bulk(self):
        seconds = max(1, round(3 * SCALE))
        port = free_port()
        iperf = self.procs.start(["iperf3", "-s", "-p", str(port)],
                                 stdout=subprocess.DEVNULL)
        wait_listed(port)
        log("bulk: iperf3 single stream")
        out = subprocess.run(["iperf3", "-c", "127.0.0.1", "-p", str(port), "-t", str(seconds),
                              "-J"], capture_output=True, text=True, timeout=60).stdout
        self.procs.stop(iperf)
        iperf_bps = json.loads(out)["end"]["sum_received"]["bits_per_second"] / 8
        server, addr = self.tcpkit_serve("echo", "--model", "epoll")
        log(f"bulk: tcpkit echo, {BULK_SIZE} B messages")
        r = self.tcpkit_bench(server, ["echo", addr, "-d", str(BULK_SIZE), "-c", "1", "-P", "4",
                                       "--duration", str(seconds), "--warmup", "0.5"])
        self.procs.stop(server)
        return {"iperf3_bytes_per_s": iperf_bps, "message_size": BULK_SIZE,
                "echo_bytes_per_s": r["rps"] * BULK_SIZE, "echo_rps": r["rps"],
                "echo_errors": r["errors"]}

    def growth(self):
        """SETs of ever new keys: the table doubles many times while the run is measured.
        With progressive rehashing no single request pays for a whole rehash, so the tail
        (p99.9, max) should stay close to the steady state. Same run against redis-server."""
        rows = []
        n = int(GROWTH_REQUESTS * SCALE)
        for name in ("redis", "tcpkit"):
            server, addr = (self.redis() if name == "redis"
                            else self.tcpkit_serve("kv", "--model", "epoll"))
            log(f"growth: {n} SETs of new keys to {name}")
            r = self.tcpkit_bench(server, ["resp", addr, "--tests", "set", "-n", str(n), "-c",
                                           "50", "-P", "16", "--threads", "1", "-r", str(n * 10)])
            t = r.pop("raw")
            keys = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p",
                                   addr.rsplit(":", 1)[1], "dbsize"],
                                  capture_output=True, text=True, timeout=30).stdout.strip()
            rows.append({"server": name, "requests": n, "keys": int(keys or 0), **r,
                         "latency_ms": t["latency_ms"]})
            self.procs.stop(server)
        return rows

    def memory(self):
        """Memory per key: the same data loaded into each server (redis-cli --pipe), RSS and
        used_memory (INFO) before and after, divided by the keys. Strings: MEMORY_STRINGS keys
        `key:N` with 8-byte values; hashes: MEMORY_HASHES keys `hash:N` with 5 fields of 8-byte
        values (both encode as Redis's compact forms: embstr, listpack)."""
        strings = int(MEMORY_STRINGS * min(1.0, SCALE))
        hashes = int(MEMORY_HASHES * min(1.0, SCALE))

        def resp(*args):
            return b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)

        datasets = {
            "strings": (strings, lambda i: resp(b"SET", b"key:%d" % i, b"v%07d" % i)),
            "small hashes": (hashes, lambda i: resp(b"HSET", b"hash:%d" % i, b"f1", b"a%07d" % i,
                                                    b"f2", b"b%07d" % i, b"f3", b"c%07d" % i,
                                                    b"f4", b"d%07d" % i, b"f5", b"e%07d" % i)),
        }
        rows = []
        for dataset, (n, command) in datasets.items():
            payload = b"".join(command(i) for i in range(n))
            for name in ("redis", "tcpkit"):
                server, addr = (self.redis() if name == "redis"
                                else self.tcpkit_serve("kv", "--model", "epoll"))
                port = addr.rsplit(":", 1)[1]
                before_rss, before_used = rss_bytes(server.pid), used_memory(port)
                log(f"memory: {n} {dataset} into {name}")
                subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", port, "--pipe"],
                               input=payload, capture_output=True, check=True, timeout=300)
                after_rss, after_used = rss_bytes(server.pid), used_memory(port)
                rows.append({"dataset": dataset, "server": name, "keys": n,
                             "rss_per_key": (after_rss - before_rss) / n,
                             "used_memory_per_key": (after_used - before_used) / n})
                self.procs.stop(server)
        return rows

    def aof(self):
        """SET throughput with persistence: no log, appendfsync everysec, appendfsync always,
        redis-server and tcpkit kv (epoll, one loop like redis-server; and reactors for
        always, where group commit spans threads) in their own temporary directories.
        redis-benchmark SET, 50 connections unpipelined (so `always` can group many clients'
        writes into one fsync), runs alternated, the median of KV_REPEATS shown."""
        rows = []
        dirs = []
        configs = [("none", []), ("everysec", ["--appendonly", "yes", "--appendfsync",
                                                "everysec"]),
                   ("always", ["--appendonly", "yes", "--appendfsync", "always"])]
        for mode, flags in configs:
            servers = {}
            for name in ("redis", "tcpkit", "tcpkit-reactors"):
                if name == "tcpkit-reactors" and mode != "always":
                    continue
                d = tempfile.mkdtemp(prefix="bench-aof-")
                dirs.append(d)
                if name == "redis":
                    servers[name] = self.redis("--dir", d, *flags)
                else:
                    model = ["--model", "reactors", "--threads", "2"] if name != "tcpkit" \
                        else ["--model", "epoll"]
                    servers[name] = self.tcpkit_serve("kv", *model, "--dir", d, *flags)
            n = int((20000 if mode == "always" else 100000) * SCALE)
            runs = {name: [] for name in servers}
            for turn in range(KV_REPEATS):
                order = list(servers) if turn % 2 == 0 else list(reversed(list(servers)))
                for name in order:
                    log(f"aof: redis-benchmark -> {name} SET, {mode}")
                    proc, addr = servers[name]
                    runs[name].append(self.redis_benchmark(proc, addr, "set", n, 50, 1))
            for name, results in runs.items():
                median = sorted(results, key=lambda r: r["rps"])[len(results) // 2]
                rows.append({"mode": mode, "server": name, "requests": n, "runs": len(results),
                             "rps_all": [r["rps"] for r in results], **median})
            for proc, _ in servers.values():
                self.procs.stop(proc)
        for d in dirs:
            shutil.rmtree(d, ignore_errors=True)
        return rows

    def idle(self):
        rows = []
        n = int(IDLE_CONNECTIONS * min(1.0, SCALE))
        for name in ("redis", "tcpkit"):
            if name == "redis":
                server, addr = self.redis("--maxclients", str(n + 100))
            else:
                server, addr = self.tcpkit_serve("kv", "--model", "epoll", "--max-connections",
                                                 str(n + 100))
            time.sleep(0.2)
            log(f"idle: {n} connections to {name}")
            r = self.tcpkit_bench(None, ["resp", addr, "--connections-only", str(n),
                                         "--server-pid", str(server.pid)])
            rows.append({"server_label": name, **r})
            self.procs.stop(server)
        return rows


def parse_hgrm(text):
    """HdrHistogram's text (Value Percentile TotalCount 1/(1-Percentile)) as [ms, percentile]
    pairs, the last one (percentile 1.0, the max) included."""
    points = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) >= 3 and not line.startswith("#") and fields[0] != "Value":
            points.append([float(fields[0]), float(fields[1])])
    return points


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+) kB", f.read()).group(1)) * 1024


def used_memory(port):
    info = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", port, "info", "memory"],
                          capture_output=True, text=True, timeout=30).stdout
    return int(re.search(r"used_memory:(\d+)", info).group(1))


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""


def machine(tcpkit):
    cpu = re.search(r"Model name:\s*(.+)", sh("lscpu"))
    mem = re.search(r"MemTotal:\s*(\d+)", open("/proc/meminfo").read())
    osname = re.search(r'PRETTY_NAME="(.+)"', open("/etc/os-release").read())
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu.group(1) if cpu else platform.processor(),
        "cores": os.cpu_count(),
        "memory_gib": round(int(mem.group(1)) / 1048576, 1) if mem else None,
        "kernel": platform.release(),
        "os": osname.group(1) if osname else "",
        "load_at_start": open("/proc/loadavg").read().split()[:3],
        "redis": sh("redis-server --version"),
        "redis_benchmark": sh("redis-benchmark --version"),
        "iperf3": sh("iperf3 --version | head -1"),
        "tcpkit": sh(f"{tcpkit} --version"),
        "commit": sh("git rev-parse --short HEAD"),
        "scale": SCALE,
    }


SECTIONS = ["kv", "echo", "bulk", "idle", "growth", "memory", "spectrum", "aof"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tcpkit", required=True)
    ap.add_argument("--out", help="where latest.md/.json/.svg go (the whole run only)")
    ap.add_argument("--only", choices=SECTIONS, action="append",
                    help="run just this section (repeatable) and print its rows as JSON on "
                         "stdout instead of writing a report, e.g. --only memory")
    args = ap.parse_args()
    if not args.only and not args.out:
        ap.error("--out is required unless --only is given")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    bench = Bench(os.path.abspath(args.tcpkit))
    runners = {"kv": bench.kv_matrix, "echo": bench.echo_matrix, "bulk": bench.bulk,
               "idle": bench.idle, "growth": bench.growth, "memory": bench.memory,
               "spectrum": bench.spectrum, "aof": bench.aof}
    started = time.time()
    try:
        if args.only:
            json.dump({name: runners[name]() for name in args.only}, sys.stdout, indent=1)
            print()
            return
        results = {"machine": machine(args.tcpkit)}
        for name in SECTIONS:
            results[name] = runners[name]()
    finally:
        bench.procs.stop_all()
    results["machine"]["load_at_end"] = open("/proc/loadavg").read().split()[:3]
    results["machine"]["wall_s"] = round(time.time() - started, 1)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "latest.json"), "w") as f:
        json.dump(results, f, indent=1)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import report  # noqa: E402 (beside this file)
    report.write(results, args.out)
    log(f"done in {results['machine']['wall_s']} s: {args.out}/latest.md")


if __name__ == "__main__":
    main()
