#!/usr/bin/env python3
"""Smoke test of `tcpkit bench` (CTest label: integration).

Starts `tcpkit serve echo` and `tcpkit serve kv` (RESP and native) on port 0, drives each with a
few thousand requests, parses the --json output and checks: zero errors, every request counted,
every connection served, percentiles in order. Also checks -q and --csv output and that a
refused connection exits 69. Usage: smoke_test.py path/to/tcpkit
"""
import json
import os
import re
import subprocess
import sys
import tempfile

TCPKIT = sys.argv[1]
DEADLINE = 60


def start_server(*args):
    proc = subprocess.Popen([TCPKIT, "serve", *args, "--listen", "127.0.0.1:0"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    match = re.search(r"listening on (\S+?:\d+)", line)
    if not match:
        proc.kill()
        raise SystemExit(f"serve {args}: no ready line, got {line!r}")
    return proc, match.group(1)


def bench(*args, expect_rc=0):
    out = subprocess.run([TCPKIT, "bench", *args], capture_output=True, text=True,
                         timeout=DEADLINE)
    if out.returncode != expect_rc:
        raise SystemExit(f"bench {args}: exit {out.returncode}\n{out.stdout}\n{out.stderr}")
    return out.stdout


def check_report(doc, tests, requests, connections):
    assert doc["schema"] == "tcpkit-bench/1", doc["schema"]
    assert [t["name"] for t in doc["tests"]] == tests, [t["name"] for t in doc["tests"]]
    for t in doc["tests"]:
        assert t["errors"] == 0, t
        assert t["requests"] == requests, (t["name"], t["requests"])
        assert t["connections"]["served"] == connections, t["connections"]
        assert t["rps"] > 0, t
        lat = t["latency_ms"]
        order = [lat[k] for k in ("min", "p50", "p90", "p99", "p99_9", "p99_99", "max")]
        assert order == sorted(order) and order[0] > 0, lat
        assert t["bytes_sent"] > 0 and t["bytes_received"] > 0, t


def main():
    servers = []
    try:
        echo, echo_addr = start_server("echo", "--framing", "line")
        servers.append(echo)
        kv, kv_addr = start_server("kv")
        servers.append(kv)
        native, native_addr = start_server("kv", "--protocol", "native")
        servers.append(native)

        doc = json.loads(bench("echo", echo_addr, "--framing", "line", "-c", "4", "-P", "4",
                               "--threads", "2", "-n", "3000", "--json", "--server-pid", str(echo.pid)))
        check_report(doc, ["ECHO"], 3000, 4)
        assert doc["tests"][0]["server"]["pid"] == echo.pid

        doc = json.loads(bench("resp", kv_addr, "-c", "5", "-n", "2000", "-r", "100",
                               "--tests", "ping,set,get,incr,mset", "--json"))
        check_report(doc, ["PING", "SET", "GET", "INCR", "MSET"], 2000, 5)

        doc = json.loads(bench("native", native_addr, "-c", "3", "-P", "8", "-n", "2000",
                               "--tests", "set,get", "--json"))
        check_report(doc, ["SET", "GET"], 2000, 3)

        # An unknown command is an error reply: counted, reported, exit 74.
        doc = json.loads(bench("resp", kv_addr, "-c", "2", "-n", "100", "--json", "--",
                               "NOSUCHCOMMAND", "x", expect_rc=74))
        assert doc["tests"][0]["error_detail"]["error_replies"] == 100, doc["tests"][0]

        quiet = bench("resp", kv_addr, "-c", "2", "-n", "500", "--tests", "set", "-q")
        assert re.fullmatch(r"SET: [0-9.]+ requests per second, p50=[0-9.]+ msec\n", quiet), quiet
        csv = bench("echo", echo_addr, "--framing", "line", "-c", "2", "-n", "500", "--csv").splitlines()
        assert csv[0].startswith('"test","rps"') and csv[1].startswith('"ECHO"'), csv

        idle = json.loads(bench("resp", kv_addr, "--connections-only", "200", "--server-pid",
                                str(kv.pid), "--json"))["idle"]
        assert idle["opened"] == 200 and idle["answered"] == 200 and idle["errors"] == 0, idle
        assert idle["server"]["bytes_per_connection"] is not None, idle

        open_loop = json.loads(bench("echo", echo_addr, "--framing", "line", "-c", "4", "-R", "2000", "--duration",
                                     "1", "--json"))["tests"][0]
        assert open_loop["mode"] == "open" and open_loop["asked_rps"] == 2000, open_loop
        assert open_loop["errors"] == 0, open_loop

        bench("echo", "127.0.0.1:1", "-n", "10", expect_rc=69)
    finally:
        for s in servers:
            s.terminate()
        for s in servers:
            s.wait(timeout=10)
    check_spectrum()
    print("bench smoke test: ok")


def check_spectrum():
    """make bench's spectrum section, small: compare.py --only spectrum (tcpkit bench --hdr-out
    against redis-server and kv), then its table and latest-spectrum.svg."""
    here = os.path.dirname(os.path.abspath(__file__))
    out = subprocess.run([sys.executable, os.path.join(here, "compare.py"), "--tcpkit", TCPKIT,
                          "--only", "spectrum"], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "BENCH_SCALE": "0.01"}, check=True).stdout
    rows = json.loads(out)["spectrum"]
    assert sorted((r["server"], r["test"]) for r in rows) == [
        ("redis", "GET"), ("redis", "SET"), ("tcpkit", "GET"), ("tcpkit", "SET")], rows
    for r in rows:
        ms = [p[0] for p in r["points"]]
        pct = [p[1] for p in r["points"]]
        assert len(ms) > 10 and ms == sorted(ms) and pct == sorted(pct) and pct[-1] == 1.0, r
    sys.path.insert(0, here)
    import report  # noqa: E402 (beside this file)
    table = report.spectrum_section(rows)
    assert sum(line.startswith("| GET |") or line.startswith("| SET |") for line in table) == 4
    with tempfile.TemporaryDirectory() as tmp:
        svg = os.path.join(tmp, "latest-spectrum.svg")
        if report.spectrum_chart(rows, svg):
            assert open(svg).read().count("<svg") == 1


if __name__ == "__main__":
    main()
