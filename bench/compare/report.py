#!/usr/bin/env python3
"""Turns compare.py's results (latest.json) into latest.md and the chart latest.svg.
Run alone to redo both from a saved JSON: report.py bench/results/latest.json"""
import json
import os
import sys


def fmt(x, digits=2):
    if x is None:
        return "n/a"
    if isinstance(x, float) and abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.{digits}f}" if isinstance(x, float) else str(x)


def ratio(a, b):
    return f"{a / b:.2f}x" if a and b else "n/a"


def find(rows, **keys):
    for r in rows:
        if all(r.get(k) == v for k, v in keys.items()):
            return r
    return None


def kv_table(rows, driver):
    out = ["| test | -P | redis rps | tcpkit rps | tcpkit/redis | redis p50 ms | tcpkit p50 ms "
           "| redis p99 ms | tcpkit p99 ms | redis CPU µs/req | tcpkit CPU µs/req | CPU tcpkit/redis |",
           "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for pipeline in sorted({r["pipeline"] for r in rows}):
        for test in ("PING", "SET", "GET"):
            r = find(rows, driver=driver, server="redis", test=test, pipeline=pipeline)
            t = find(rows, driver=driver, server="tcpkit", test=test, pipeline=pipeline)
            if not r or not t:
                continue
            out.append(f"| {test} | {pipeline} | {fmt(r['rps'])} | {fmt(t['rps'])} | "
                       f"{ratio(t['rps'], r['rps'])} | {fmt(r['p50'], 3)} | {fmt(t['p50'], 3)} | "
                       f"{fmt(r['p99'], 3)} | {fmt(t['p99'], 3)} | {fmt(r['cpu_us'])} | "
                       f"{fmt(t['cpu_us'])} | {ratio(t['cpu_us'], r['cpu_us'])} |")
    return out


def generator_table(rows):
    out = ["| test | -P | redis-benchmark rps | tcpkit bench rps | tcpkit bench / redis-benchmark |",
           "|---|---|---:|---:|---:|"]
    for pipeline in sorted({r["pipeline"] for r in rows}):
        for test in ("PING", "SET", "GET"):
            a = find(rows, driver="redis-benchmark", server="redis", test=test, pipeline=pipeline)
            b = find(rows, driver="tcpkit bench", server="redis", test=test, pipeline=pipeline)
            if a and b:
                out.append(f"| {test} | {pipeline} | {fmt(a['rps'])} | {fmt(b['rps'])} | "
                           f"{ratio(b['rps'], a['rps'])} |")
    return out


def echo_table(rows):
    out = ["| model | connections | rps | p50 ms | p99 ms | connections served | unanswered "
           "| lost | server CPU µs/req |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        out.append(f"| {r['model']} | {r['connections']} | {fmt(r['rps'])} | {fmt(r['p50'], 3)} | "
                   f"{fmt(r['p99'], 3)} | {r['served']} of {r['opened']} | {r['unanswered']} | "
                   f"{r['lost']} | {fmt(r['cpu_us'])} |")
    return out


def idle_table(rows):
    out = ["| server | connections | answered | connects/s | VmRSS before KiB | VmRSS after KiB "
           "| bytes per connection |", "|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        s = r.get("server") or {}
        out.append(f"| {r['name']} | "
                   f"{r['opened']} | {r['answered']} | {fmt(r['connects_per_s'])} | "
                   f"{s.get('rss_before_kib')} | {s.get('rss_after_kib')} | "
                   f"{fmt(s.get('bytes_per_connection'), 0)} |")
    return out


def markdown(res):
    m = res["machine"]
    kv, echo, bulk, idle = res["kv"], res["echo"], res["bulk"], res["idle"]
    for r in idle:
        r["name"] = "redis-server" if r["server_label"] == "redis" else "tcpkit kv"
    L = ["# tcpkit benchmark results", "",
         f"Produced by `make bench` (bench/compare/run.sh) on {m['date']}, commit {m['commit']}, "
         f"in {m['wall_s']} s.", "",
         f"**Machine:** {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, {m['os']}, "
         f"Linux {m['kernel']}. Load average at start {' '.join(m['load_at_start'])}, at end "
         f"{' '.join(m['load_at_end'])}. Client and server share the same cores over loopback, "
         f"so absolute figures are low and noisy; the ratios, from runs alternated in one "
         f"session, are the point.", "",
         f"**Versions:** {m['redis']}; {m['redis_benchmark']}; {m['iperf3']}; {m['tcpkit']}.", "",
         "Method: 50 connections, keys random in 100,000 (`-r 100000`), 3-byte values, "
         "unpipelined (-P 1) and pipelined (-P 16); both generators single-threaded. Server "
         "CPU is utime+stime from /proc/PID/stat around each run (10 ms ticks), divided by "
         "the requests. Each kv cell is run three times, the two servers alternating, and the "
         "run with the median throughput is shown. Both servers run with one event loop (tcpkit kv `--model epoll`; "
         "redis-server without persistence).", "",
         "![tcpkit vs redis](latest.svg)", "",
         "## 1. tcpkit kv vs redis-server, driven by redis-benchmark", ""]
    L += kv_table(kv, "redis-benchmark")
    L += ["", "## 2. The same matrix driven by tcpkit bench", ""]
    L += kv_table(kv, "tcpkit bench")
    L += ["", "## 3. Is the generator the bottleneck? tcpkit bench vs redis-benchmark, same "
          "redis-server, same parameters", ""]
    L += generator_table(kv)
    gen = [b["rps"] / a["rps"] for a in kv for b in kv
           if a["driver"] == "redis-benchmark" and b["driver"] == "tcpkit bench"
           and a["server"] == b["server"] == "redis" and a["test"] == b["test"]
           and a["pipeline"] == b["pipeline"] and a["rps"]]
    if gen:
        L += ["", f"tcpkit bench / redis-benchmark throughput against the same redis-server: "
              f"{min(gen):.2f}x to {max(gen):.2f}x. Where it is well above 1, redis-benchmark "
              f"(which spends more CPU per request) saturated its core before the server did, "
              f"so in section 1 those rows measure the generator as much as the servers; "
              f"section 2 is the better measure of the servers."]
    L += ["", "## 4. Echo under every concurrency model (64-byte messages, closed loop, "
          "timed runs)", "",
          "`iterative` serves one connection to its end before accepting the next: at 50 and "
          "1000 connections one connection is served and the others wait in the backlog; "
          "their requests are reported as unanswered, not hidden.", ""]
    L += echo_table(echo)
    L += ["", "## 5. Bulk: echo of large messages vs iperf3's loopback ceiling", "",
          "| what | throughput MB/s (one direction) | share of iperf3 |", "|---|---:|---:|",
          f"| iperf3, one stream | {bulk['iperf3_bytes_per_s'] / 1e6:,.0f} | 100% |",
          f"| tcpkit echo (epoll), {bulk['message_size'] // 1024} KiB messages, -P 4 | "
          f"{bulk['echo_bytes_per_s'] / 1e6:,.0f} | "
          f"{100 * bulk['echo_bytes_per_s'] / bulk['iperf3_bytes_per_s']:.0f}% |", "",
          "iperf3 moves bytes one way; the echo moves every byte out and back (and the "
          "generator shares the cores), so half the ceiling is the natural limit.", "",
          "## 6. Idle connections: server memory per connection", ""]
    L += idle_table(idle)
    ratio_line = ""
    r = next((x for x in idle if x["server_label"] == "redis"), None)
    t = next((x for x in idle if x["server_label"] == "tcpkit"), None)
    if r and t and r["server"]["bytes_per_connection"] and t["server"]["bytes_per_connection"]:
        ratio_line = (f"tcpkit kv / redis-server memory per idle connection: "
                      f"{t['server']['bytes_per_connection'] / r['server']['bytes_per_connection']:.2f}x.")
    L += ["", ratio_line, ""]
    L += growth_section(res.get("growth"))
    L += memory_section(res.get("memory"))
    L += spectrum_section(res.get("spectrum"), m["date"])
    L += aof_section(res.get("aof"))
    return "\n".join(L)


def aof_section(rows):
    if not rows:
        return []
    L = ["## 10. Persistence: SET with the append-only file", "",
         "redis-benchmark SET, 50 connections, -P 1, each server in its own temporary "
         "directory; `none`: no log; `everysec` / `always`: appendonly yes with that fsync "
         "policy. tcpkit kv runs `--model epoll` (one loop, as redis-server) and, for always, "
         "`--model reactors --threads 2` too. Median of the alternated runs.", "",
         "| fsync | server | rps | p50 ms | p99 ms | server CPU µs/req | vs redis-server | vs tcpkit none |",
         "|---|---|---:|---:|---:|---:|---:|---:|"]
    base = next((r for r in rows if r["mode"] == "none" and r["server"] == "tcpkit"), None)
    for r in rows:
        red = next((x for x in rows if x["mode"] == r["mode"] and x["server"] == "redis"), None)
        name = {"redis": "redis-server", "tcpkit": "tcpkit kv (epoll)",
                "tcpkit-reactors": "tcpkit kv (reactors, 2)"}[r["server"]]
        L.append(f"| {r['mode']} | {name} | {r['rps']:,.0f} | {fmt(r['p50'], 3)} | "
                 f"{fmt(r['p99'], 3)} | {fmt(r['cpu_us'])} | "
                 f"{ratio(r['rps'], red['rps']) if red else ''} | "
                 f"{ratio(r['rps'], base['rps']) if base and r['server'] != 'redis' else ''} |")
    return L + [""]


def growth_section(rows):
    if not rows:
        return []
    L = ["## 7. Latency while the key count grows (progressive rehashing)", "",
         "SET of new random keys (`-r` ten times the request count), 50 connections, -P 16: the "
         "hash table doubles many times during the measured run. A stop-the-world rehash "
         "would show in p99.9 and max.", "",
         "| server | requests | keys at end | rps | p50 ms | p99 ms | p99.9 ms | max ms |",
         "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lat = r["latency_ms"]
        name = "redis-server" if r["server"] == "redis" else "tcpkit kv"
        L.append(f"| {name} | {r['requests']:,} | {r['keys']:,} | {r['rps']:,.0f} | "
                 f"{fmt(lat['p50'], 3)} | {fmt(lat['p99'], 3)} | {fmt(lat['p99_9'], 3)} | "
                 f"{fmt(lat['max'], 3)} |")
    return L + [""]


def memory_section(rows):
    if not rows:
        return []
    L = ["## 8. Memory per key", "",
         "The same keys loaded into each server with `redis-cli --pipe`: strings are `key:N` "
         "with 8-byte values, small hashes `hash:N` with 5 fields of 8-byte values. Growth of "
         "the process's RSS and of INFO's used_memory, divided by the keys (redis-server "
         "counts with jemalloc's sizes, tcpkit with its own accounting).", "",
         "| data | keys | redis RSS B/key | tcpkit RSS B/key | RSS tcpkit/redis | "
         "redis used_memory B/key | tcpkit used_memory B/key |",
         "|---|---:|---:|---:|---:|---:|---:|"]
    for dataset in dict.fromkeys(r["dataset"] for r in rows):
        r = find(rows, dataset=dataset, server="redis")
        t = find(rows, dataset=dataset, server="tcpkit")
        if not r or not t:
            continue
        L.append(f"| {dataset} | {r['keys']:,} | {r['rss_per_key']:.0f} | "
                 f"{t['rss_per_key']:.0f} | {ratio(t['rss_per_key'], r['rss_per_key'])} | "
                 f"{r['used_memory_per_key']:.0f} | {t['used_memory_per_key']:.0f} |")
    return L + [""]


SPECTRUM_AT = (0.5, 0.9, 0.99, 0.999, 0.9999)


def at_percentile(points, p):
    """The latency (ms) of the first row at or past percentile p (a 0-1 fraction)."""
    return next((ms for ms, q in points if q >= p), points[-1][0] if points else None)


def spectrum_section(rows, run_date=None):
    if not rows:
        return []
    when = rows[0].get("measured")
    apart = []
    if when and when["date"] != run_date:
        apart = [f"Measured apart from the sections above (`compare.py --only spectrum`, its "
                 f"rows added to latest.json): {when['date']}, commit {when['commit']}, load "
                 f"average {' '.join(when['load'])} at start.", ""]
    L = ["## 9. The whole latency spectrum (tcpkit bench --hdr-out)", "",
         "GET and SET at `-c 50 -P 1`, keys random in 100,000, one run per server, from the "
         "HdrHistogram text (.hgrm) that `tcpkit bench --hdr-out FILE` writes; drawn in "
         "latest-spectrum.svg (latency against 1/(1-percentile), HdrHistogram's plot).", "",
         *apart, "![latency spectrum](latest-spectrum.svg)", "",
         "| test | server | " + " | ".join(f"p{100 * p:g} ms" for p in SPECTRUM_AT) +
         " | max ms |", "|---|---|" + "---:|" * (len(SPECTRUM_AT) + 1)]
    for r in rows:
        name = "redis-server" if r["server"] == "redis" else "tcpkit kv"
        cells = [fmt(at_percentile(r["points"], p), 3) for p in SPECTRUM_AT]
        L.append(f"| {r['test']} | {name} | " + " | ".join(cells) +
                 f" | {fmt(r['points'][-1][0] if r['points'] else None, 3)} |")
    return L + [""]


def spectrum_chart(rows, path):
    """latest-spectrum.svg: each server's latency against 1/(1-percentile) on a log axis,
    one panel per test, as HdrHistogram's plotter draws a .hgrm."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("report.py: python3-matplotlib is missing; no spectrum chart", file=sys.stderr)
        return False
    tests = sorted({r["test"] for r in rows})
    fig, axes = plt.subplots(1, len(tests), figsize=(6.5 * len(tests), 4.5), squeeze=False)
    for ax, test in zip(axes[0], tests):
        for r in (x for x in rows if x["test"] == test):
            pts = [(1 / (1 - q), ms) for ms, q in r["points"] if q < 1]
            server = "redis-server" if r["server"] == "redis" else "tcpkit kv"
            ax.plot([x for x, _ in pts], [y for _, y in pts], label=server,
                    color="#c0392b" if r["server"] == "redis" else "#2471a3")
        ax.set_xscale("log")
        ticks = [1, 2, 10, 100, 1000, 10000]
        ax.set_xticks(ticks, ["0%", "50%", "90%", "99%", "99.9%", "99.99%"])
        ax.set_xlabel("percentile")
        ax.set_ylabel("latency, ms")
        ax.set_title(f"{test}, -c 50 -P 1")
        ax.grid(True, which="major", alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, format="svg")
    return True


def chart(res, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("report.py: python3-matplotlib is missing; no chart", file=sys.stderr)
        return False
    kv, echo, idle = res["kv"], res["echo"], res["idle"]
    fig, axes = plt.subplots(2, 2, figsize=(13, 9))
    labels = [f"{t}\n-P {p}" for p in (1, 16) for t in ("PING", "SET", "GET")]
    for ax, driver in ((axes[0][0], "redis-benchmark"), (axes[0][1], "tcpkit bench")):
        xs = range(len(labels))
        for off, server, color in ((-0.2, "redis", "#c0392b"), (0.2, "tcpkit", "#2471a3")):
            vals = [(find(kv, driver=driver, server=server, test=t, pipeline=p) or {}).get("rps", 0)
                    for p in (1, 16) for t in ("PING", "SET", "GET")]
            ax.bar([x + off for x in xs], [v / 1000 for v in vals], 0.4,
                   label="redis-server" if server == "redis" else "tcpkit kv", color=color)
        ax.set_xticks(list(xs), labels)
        ax.set_ylabel("thousand requests/s")
        ax.set_title(f"kv throughput, driven by {driver}")
        ax.legend()
    ax = axes[1][0]
    models = [m for m in ("iterative", "fork", "thread", "epoll", "reactors")
              if any(r["model"] == m for r in echo)]
    for i, conns in enumerate((1, 50, 1000)):
        vals = [(find(echo, model=m, connections=conns) or {}).get("rps", 0) for m in models]
        ax.bar([x + (i - 1) * 0.27 for x in range(len(models))], [v / 1000 for v in vals], 0.27,
               label=f"{conns} connections")
    ax.set_xticks(range(len(models)), models)
    ax.set_ylabel("thousand requests/s")
    ax.set_title("echo, 64-byte messages, by concurrency model")
    ax.legend()
    ax = axes[1][1]
    names = ["redis-server" if r["server_label"] == "redis" else "tcpkit kv" for r in idle]
    vals = [r["server"]["bytes_per_connection"] or 0 for r in idle]
    ax.bar(names, vals, color=["#c0392b", "#2471a3"][:len(vals)])
    for i, v in enumerate(vals):
        ax.text(i, v, f"{v:,.0f} B", ha="center", va="bottom")
    ax.set_ylabel("bytes of server RSS per connection")
    ax.set_title(f"memory per idle connection ({idle[0]['opened'] if idle else 0} connections)")
    fig.suptitle(f"tcpkit vs redis-server, {res['machine']['date']}, "
                 f"{res['machine']['cores']} cores ({res['machine']['cpu']})")
    fig.tight_layout()
    fig.savefig(path, format="svg")
    return True


def write(res, out_dir):
    with open(os.path.join(out_dir, "latest.md"), "w") as f:
        f.write(markdown(res))
    chart(res, os.path.join(out_dir, "latest.svg"))
    if res.get("spectrum"):
        spectrum_chart(res["spectrum"], os.path.join(out_dir, "latest-spectrum.svg"))


if __name__ == "__main__":
    path = sys.argv[1] if len(sys.argv) > 1 else "bench/results/latest.json"
    with open(path) as f:
        results = json.load(f)
    write(results, os.path.dirname(os.path.abspath(path)))
