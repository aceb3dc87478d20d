#!/usr/bin/python3
"""COMMAND INFO and COMMAND GETKEYS(ANDFLAGS) of tcpkit kv against redis-server, the oracle.

For every command kv lists (COMMAND LIST), the COMMAND INFO entry must equal redis-server's:
name, arity, flags, key positions, ACL categories, tips, key specs; subcommands compared as a
set (Redis lists them in its hash table's order). Then COMMAND GETKEYS and GETKEYSANDFLAGS of
a fixed list of full commands (movable keys, keywords, numkeys, errors) must equal byte for
byte. COMMAND COUNT is kv's own number and is not compared. The few names kv answers as a
newer Redis does (command_meta.hpp's kNewerThanRedis70, such as CLIENT SETINFO from 7.2) are
left out: redis-server 7.0 has nothing to compare them with. With --resp3 both connections say
HELLO 3 first: flags, categories, tips and key specs are then RESP3 sets and maps.

Usage: command_info.py path/to/tcpkit [--redis-server PATH] [--resp3]
Exit 0: all equal; 1: a difference; 77: no redis-server (skipped).
"""
import argparse
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kv_differential as kd  # noqa: E402

GETKEYS = [
    "GET k", "SET k v", "MSET a 1 b 2", "MGET a b c", "DEL a b", "LMOVE src dst LEFT RIGHT",
    "LMPOP 2 a b LEFT", "LMPOP 0 a LEFT", "LMPOP 3 a b LEFT", "RENAME a b", "COPY a b",
    "SORT k", "SORT k BY w_* GET x STORE dst", "SORT k LIMIT 0 1 STORE", "SORT_RO k GET #",
    "OBJECT ENCODING k", "HSET h f v", "EXPIRE k 10", "PING", "GET", "NOSUCH k", "TOUCH a b",
    "RPOPLPUSH a b", "SCAN 0", "MSETNX a 1 b 2", "HSCAN h 0", "WATCH a b", "EXISTS a",
]


def newer_than_redis_70():
    """The names of command_meta.hpp's kNewerThanRedis70 list."""
    header = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "services",
                          "kv", "command_meta.hpp")
    block = re.search(r"kNewerThanRedis70\[\] = \{(.*?)\};", open(header).read(), re.S)
    return set(re.findall(r'"([a-z_|-]+)"', block.group(1)))


def reply_tree(raw):
    value, end = kd.parse(raw, 0)
    assert end == len(raw)
    return value


def canonical(entry, only=None):
    """A COMMAND INFO entry with its subcommands sorted by name (and, given `only`, just the
    subcommands named there)."""
    kind, body = entry
    if kind != "*" or body is None or len(body) != 10:
        return entry
    subs = body[9]
    if subs[0] == "*" and subs[1]:
        items = [s for s in subs[1] if only is None or s[1][0][1] in only]
        subs = ("*", sorted((canonical(s) for s in items), key=lambda s: s[1][0][1]))
    return (kind, body[:9] + [subs])


def subcommand_names(entry):
    return {s[1][0][1] for s in entry[1][9][1] or []}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("tcpkit")
    ap.add_argument("--redis-server", default=shutil.which("redis-server") or "")
    ap.add_argument("--resp3", action="store_true", help="both connections say HELLO 3 first")
    opts = ap.parse_args()
    if not opts.redis_server or not os.path.exists(opts.redis_server):
        print("SKIP: no redis-server")
        return 77
    workdir = tempfile.mkdtemp(prefix="kv-command-info-")
    redis_proc, oracle = kd.start_redis(opts.redis_server, workdir)
    tcpkit_proc, subject = kd.start_tcpkit(opts.tcpkit)
    failures = 0
    newer = {n.encode() for n in newer_than_redis_70()}
    try:
        if opts.resp3:
            kd.hello3(oracle)
            kd.hello3(subject)
        _, listed = subject.call([b"COMMAND", b"LIST"])
        names = [item[1] for item in listed[1]]
        for name in (n for n in names if n not in newer):
            a = oracle.call([b"COMMAND", b"INFO", name])
            b = subject.call([b"COMMAND", b"INFO", name])
            ours = reply_tree(b[0])[1][0]
            theirs = reply_tree(a[0])[1][0]
            # kv implements some of a container's subcommands (FUNCTION FLUSH but not LOAD):
            # those must be described as Redis describes them.
            mine = subcommand_names(ours) - newer
            ours = canonical(ours, mine)
            missing = subcommand_names(theirs) - mine
            if missing:
                print("note: %s: kv lacks %s" % (name.decode(), b" ".join(sorted(missing)).decode()))
            if canonical(theirs, mine) != canonical(ours):
                failures += 1
                print("COMMAND INFO %s differs\n  redis:  %r\n  tcpkit: %r"
                      % (name.decode(), a[0], b[0]))
        for line in GETKEYS:
            for sub in (b"GETKEYS", b"GETKEYSANDFLAGS"):
                args = [b"COMMAND", sub] + line.encode().split()
                a, b = oracle.call(args), subject.call(args)
                if a[0] != b[0]:
                    failures += 1
                    print("COMMAND %s %s differs\n  redis:  %r\n  tcpkit: %r"
                          % (sub.decode(), line, a[0], b[0]))
    finally:
        kd.stop(tcpkit_proc)
        kd.stop(redis_proc)
        shutil.rmtree(workdir, ignore_errors=True)
    print("%s: %d commands, %d GETKEYS cases, %d differences"
          % ("ok" if failures == 0 else "FAILED", len(names), len(GETKEYS), failures))
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
