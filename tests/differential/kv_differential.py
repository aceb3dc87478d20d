#!/usr/bin/python3
"""Differential test: the same seeded random command sequences sent to a fresh redis-server
(THE oracle, Debian's 7.0.15) and to `tcpkit serve kv`, raw RESP replies compared byte for byte.

Theory of operation. A sequence is FLUSHALL followed by --length commands drawn by a
random.Random seeded with (seed, sequence number), over a small pool of keys so that types
collide (wrong-type calls), with indexes around and beyond the ends, empty and large
collections and binary values. Replies are compared as raw bytes, except where Redis promises
no order (HKEYS HVALS HGETALL KEYS: multisets; HSCAN: the cursor plus a multiset of pairs;
SMEMBERS SSCAN SINTER SUNION SDIFF: multisets unless the operands are intsets, see set_same;
ZSCAN of a skiplist-encoded set: the cursor plus a multiset of pairs) or no content
(HRANDFIELD, RANDOMKEY, SPOP, SRANDMEMBER, ZRANDMEMBER: the reply's shape; ZRANDMEMBER
returning the whole set: exact), and where redis-server reads a stale errno (a SORT after a
failed float parse: see sort_errno_quirk). A mismatch prints
the seed, the sequence, the command and both replies, and the commands before it, and fails.

With --notify both servers publish keyspace notifications (notify-keyspace-events drawn per
sequence from NOTIFY_FLAGS, "AKEmn" most often) and a third connection to each subscribes to
all of them (PSUBSCRIBE __key*__:*); after every command the messages each subscriber got up
to a barrier (a PUBLISH on a channel of its own) must be the same bytes in the same order, as
must the replies. The generator then also draws NOTIFY_EXTRA commands (expiry, MSET, SETEX,
MOVE, SMOVE, ...: the writes with events of their own).

With --resp3 both connections say HELLO 3 first and every reply is RESP3 (maps, sets, doubles,
nulls, pairs nested under WITHSCORES ...); the same rules apply, and an order-free comparison
still requires the same RESP3 type on both sides (a map is never equal to an array).

Usage: kv_differential.py path/to/tcpkit [--seed S] [--sequences N | --seconds T]
                          [--length L] [--redis-server PATH] [--resp3] [--notify]
Exit 0: all equal; 1: a mismatch; 77: no redis-server (skipped).
"""
import argparse
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time


# ---------------------------------------------------------------- RESP over a socket

class Conn:
    """One connection; call() sends a command and returns (raw reply bytes, parsed reply)."""

    def __init__(self, sock):
        self.sock = sock
        self.sock.settimeout(10)
        self.buf = b""

    def call(self, args):
        self.send(args)
        return self.read()

    def send(self, args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.sock.sendall(out)

    def read(self):
        """The next whole value the server sent: (raw bytes, parsed)."""
        while True:
            parsed = parse(self.buf, 0)
            if parsed is not None:
                value, end = parsed
                raw, self.buf = self.buf[:end], self.buf[end:]
                return raw, value
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise ConnectionError("connection closed")
            self.buf += chunk


AGGREGATES = ("*", "%", "~", ">")  # array, map, set, push
NULLS = ("$", "*", "_")  # the kinds whose body may be None


def parse(buf, pos):
    """(value, end) of the RESP2 or RESP3 value at pos, or None when incomplete.
    Values: ('+', bytes) ('-', bytes) (':', int) ('$', bytes|None) ('*', list|None), and RESP3's
    ('_', None) (',', bytes) ('#', bool) ('(', bytes) ('!', bytes) ('=', bytes with its
    format) ('%', [k1, v1, k2, v2 ...]) ('~', list) ('>', list)."""
    eol = buf.find(b"\r\n", pos)
    if eol < 0:
        return None
    kind, line = buf[pos:pos + 1], buf[pos + 1:eol]
    if kind in (b"+", b"-", b",", b"("):
        return (kind.decode(), line), eol + 2
    if kind == b":":
        return (":", int(line)), eol + 2
    if kind == b"_":
        return ("_", None), eol + 2
    if kind == b"#":
        return ("#", line == b"t"), eol + 2
    n = int(line)
    if kind in (b"$", b"!", b"="):
        if n < 0:
            return (kind.decode(), None), eol + 2
        if len(buf) < eol + 2 + n + 2:
            return None
        return (kind.decode(), buf[eol + 2:eol + 2 + n]), eol + 2 + n + 2
    if kind in (b"*", b"%", b"~", b">"):
        if n < 0:
            return (kind.decode(), None), eol + 2
        items, at = [], eol + 2
        for _ in range(2 * n if kind == b"%" else n):
            parsed = parse(buf, at)
            if parsed is None:
                return None
            item, at = parsed
            items.append(item)
        return (kind.decode(), items), at
    raise ValueError("bad RESP at %d: %r" % (pos, buf[pos:pos + 40]))


# ---------------------------------------------------------------- the two servers

def hello3(conn):
    """Switches a connection to RESP3 (HELLO 3); fails unless the reply is a map."""
    raw, (kind, _) = conn.call([b"HELLO", b"3"])
    if kind != "%":
        raise RuntimeError("HELLO 3 answered %r" % raw)


def start_redis(path, workdir):
    sock_path = os.path.join(workdir, "redis.sock")
    proc = subprocess.Popen(
        [path, "--port", "0", "--unixsocket", sock_path, "--save", "", "--appendonly", "no",
         "--dir", workdir], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            s = socket.socket(socket.AF_UNIX)
            s.connect(sock_path)
            return proc, Conn(s)
        except OSError:
            s.close()
            time.sleep(0.02)
    proc.kill()
    raise RuntimeError("redis-server did not start")


def start_tcpkit(path):
    proc = subprocess.Popen([path, "serve", "kv", "--listen", "127.0.0.1:0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    if "listening on 127.0.0.1:" not in line:
        proc.kill()
        raise RuntimeError("no ready line: " + line + proc.stderr.read())
    port = int(line.split("listening on 127.0.0.1:")[1].split()[0].rstrip(","))
    return proc, Conn(socket.create_connection(("127.0.0.1", port)))


def stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# ---------------------------------------------------------------- the generator

# The key pools, by type (a generator mostly draws a key of its command's type and sometimes
# any key of KEYS, for wrong-type calls).
STRING_KEYS = [b"s0", b"s1", b"x"]
LIST_KEYS = [b"l0", b"l1", b"l2"]
HASH_KEYS = [b"h0", b"h1", b"h2"]
BIT_KEYS = [b"b0", b"b1", b"b2"]  # bitmaps (plain strings: byte-identical in both servers)
SET_KEYS = [b"t0", b"t1", b"t2", b"t3"]
ZSET_KEYS = [b"z0", b"z1", b"z2"]
KEYS = STRING_KEYS + LIST_KEYS + HASH_KEYS + BIT_KEYS + SET_KEYS + ZSET_KEYS
# HyperLogLog sketches: kv's byte layout differs from Redis's (counts do not), so these keys are
# kept out of KEYS: nothing may copy a sketch into a key that GET, BITCOUNT, APPEND... read.
HLL_KEYS = [b"p0", b"p1", b"p2"]
# Sorted sets whose members all score 0, for the lex commands (Redis leaves a lex range over
# mixed scores unspecified): only ZADD ... 0 and removals write them, and they are not in KEYS,
# so RENAME and friends never bring mixed scores in.
LEX_KEYS = [b"zl0", b"zl1"]
SCORES = [b"0", b"1", b"-1", b"1.5", b"0.1", b"-0", b"inf", b"-inf", b"+inf", b"1e300", b"3",
          b"2.5e-10", b"123456789012345678", b"10", b"0x10", b"-2"]
BAD_SCORES = [b"nan", b"x", b"", b" 1", b"1e400", b"(1", b"1 ", b"-nan"]
MEMBERS = [b"a", b"b", b"c", b"d", b"e", b"", b"m1", b"m2", b"m10", b"bin\x00\xff", b"x" * 65]
SMALL = [b"a", b"b", b"c", b"", b"1", b"-3", b"10", b"1.5", b"9223372036854775807",
         b"bin\x00\r\n\xff", b" sp", b"a*"]


class Gen:
    """Random commands as lists of bytes; the mix favors lists and hashes."""

    def __init__(self, rng):
        self.r = rng

    def key(self):
        return self.r.choice(KEYS)

    def typed_key(self, pool):
        # Mostly a key of the command's type; sometimes any key (wrong-type calls).
        return self.r.choice(pool) if self.r.random() < 0.93 else self.key()

    def skey(self):
        return self.typed_key(STRING_KEYS)

    def lkey(self):
        return self.typed_key(LIST_KEYS)

    def hkey(self):
        return self.typed_key(HASH_KEYS)

    def bad(self, good, bad, p=0.1):
        """`good` most of the time, `bad` (an invalid argument) with probability p."""
        return self.r.choice(bad) if self.r.random() < p else good

    def val(self):
        p = self.r.random()
        if p < 0.8:
            return self.r.choice(SMALL)
        if p < 0.9:
            return bytes(self.r.randrange(256) for _ in range(self.r.randrange(1, 20)))
        return b"v" * self.r.choice([44, 45, 63, 64, 65, 100])

    def field(self):
        return self.r.choice([b"f1", b"f2", b"f3", b"n", b"fl", b""]) if self.r.random() < 0.85 \
            else self.val()

    def index(self):
        r = self.r
        if r.random() < 0.6:
            return str(r.randrange(-4, 4)).encode()
        return str(r.choice([5, -10, 100, -100, r.randrange(-700, 700),
                             9223372036854775807, -9223372036854775808])).encode()

    def count(self):
        return self.bad(self.r.choice([b"0", b"1", b"2", b"3", b"10", b"200", b"700"]),
                        [b"-1", b"x", b"-5", b"1.5"])

    def end(self):
        return self.bad(self.r.choice([b"LEFT", b"RIGHT", b"left", b"right"]), [b"up"], 0.05)

    def many(self, fn, lo=1, hi=4):
        return [fn() for _ in range(self.r.randrange(lo, hi + 1))]

    def big_list(self, k):
        n = self.r.choice([127, 128, 129, 150])
        return [b"RPUSH", k] + [b"e%d" % (i % 7) for i in range(n)]

    def big_hash(self, k):
        n = self.r.choice([127, 511, 512, 513, 600])
        args = [b"HSET", k]
        for i in range(n):
            args += [b"f%d" % i, b"%d" % i]
        return args

    def command(self):
        r = self.r
        if r.random() < 0.22:
            return self.bits_command() if r.random() < 0.65 else self.hll_command()
        if r.random() < 0.3:
            return self.set_command()
        kind = r.random()
        if kind < 0.25:
            return self.list_command()
        if kind < 0.5:
            return self.hash_command()
        if kind < 0.84:
            return self.zset_command()
        if kind < 0.95:
            return self.string_command()
        if kind < 0.97:
            return self.sort_command()
        return self.key_command()

    def list_command(self):
        r, k = self.r, self.lkey()
        c = r.choice(["push", "push", "push", "pop", "llen", "lrange", "lindex", "lset",
                      "linsert", "lrem", "ltrim", "lpos", "lmove", "rpoplpush", "lmpop",
                      "big", "arity"])
        if c == "push":
            return [r.choice([b"LPUSH", b"RPUSH", b"LPUSHX", b"RPUSHX"]), k] + self.many(self.val)
        if c == "pop":
            args = [r.choice([b"LPOP", b"RPOP"]), k]
            return args + ([self.count()] if r.random() < 0.5 else [])
        if c == "llen":
            return [b"LLEN", k]
        if c == "lrange":
            return [b"LRANGE", k, self.index(), self.index()]
        if c == "lindex":
            return [b"LINDEX", k, self.bad(self.index(), [b"x", b"1.0"], 0.05)]
        if c == "lset":
            return [b"LSET", k, self.index(), self.val()]
        if c == "linsert":
            return [b"LINSERT", k, self.bad(r.choice([b"BEFORE", b"after"]), [b"middle"]),
                    self.val(), self.val()]
        if c == "lrem":
            return [b"LREM", k, self.bad(r.choice([b"0", b"1", b"-1", b"2", b"-2"]), [b"x"]),
                    self.val()]
        if c == "ltrim":
            return [b"LTRIM", k, self.index(), self.index()]
        if c == "lpos":
            args = [b"LPOS", k, self.val()]
            for _ in range(r.randrange(0, 3)):
                args += r.choice([[b"RANK", self.bad(r.choice([b"1", b"2", b"-1", b"-2"]),
                                                     [b"0", b"x", b"-9223372036854775808"])],
                                  [b"COUNT", self.count()], [b"MAXLEN", self.count()],
                                  [b"RANK", b"3"], [b"COUNT", b"0"]]
                                 + [[b"BOGUS"]] * (r.random() < 0.1))
            return args
        if c == "lmove":
            return [b"LMOVE", k, self.lkey(), self.end(), self.end()]
        if c == "rpoplpush":
            return [b"RPOPLPUSH", k, self.lkey()]
        if c == "lmpop":
            keys = self.many(self.lkey, 1, 3)
            n = self.bad(len(keys), [0, len(keys) + 1, -1])
            args = [b"LMPOP", str(n).encode()] + keys + [self.end()]
            if r.random() < 0.5:
                args += [b"COUNT", self.bad(r.choice([b"1", b"2", b"5", b"1000"]),
                                            [b"0", b"-1", b"x"])]
            return args
        if c == "big":
            return self.big_list(k)
        return r.choice([[b"LPUSH", k], [b"LPOP", k, b"1", b"2"], [b"LSET", k, b"0"],
                         [b"LMPOP", b"1"], [b"LRANGE", k, b"0"]])

    # ------------------------------------------------ bitmaps, LCS, HyperLogLog

    def bkey(self):
        return self.typed_key(BIT_KEYS + STRING_KEYS[0:2])

    def bit_offset(self):
        r = self.r
        if r.random() < 0.85:
            return str(r.choice([r.randrange(0, 64), r.randrange(0, 2000), 7, 8, 15, 16])).encode()
        return r.choice([b"-1", b"x", b"4294967296", b"-0", b"+1", b"1.5", b""])

    def read_offset(self):
        # Large valid offsets only for reads: a write there would allocate 512 MB in both.
        return self.bad(self.bit_offset(), [b"4294967295", b"4294967288", b"#536870911"], 0.1)

    def bit_range(self):
        r = self.r
        args = []
        if r.random() < 0.7:
            args += [self.index(), self.index()]
            if r.random() < 0.5:
                args.append(self.bad(r.choice([b"BYTE", b"BIT", b"bit", b"byte"]), [b"foo"]))
        elif r.random() < 0.5:
            args.append(self.index())
        return args

    def field_type(self):
        r = self.r
        good = (b"i" if r.random() < 0.5 else b"u") + str(r.choice([1, 3, 8, 16, 31, 63])).encode()
        return self.bad(good, [b"i64", b"u64", b"i65", b"u0", b"I8", b"u08", b"x8"], 0.15)

    def field_ops(self, read_only):
        r = self.r
        args = []
        for _ in range(r.randrange(0, 5)):
            c = r.random()
            at = self.bad(self.bit_offset(), [b"#3", b"#0", b"#-1", b"#x"], 0.2)
            if c < 0.35 or (read_only and c < 0.9):
                args += [r.choice([b"GET", b"get"]), self.field_type(), self.read_offset()]
            elif c < 0.6:
                args += [b"SET", self.field_type(), at, self.bad(self.index(), [b"x"], 0.05)]
            elif c < 0.85:
                args += [b"INCRBY", self.field_type(), at, self.bad(self.index(), [b"x"], 0.05)]
            else:
                args += [b"OVERFLOW", self.bad(r.choice([b"WRAP", b"SAT", b"FAIL", b"fail"]),
                                               [b"foo"])]
        if r.random() < 0.05:
            args = args[:-1]  # a truncated operation: syntax error
        return args

    def bits_command(self):
        r, k = self.r, self.bkey()
        c = r.choice(["setbit", "setbit", "getbit", "bitcount", "bitpos", "bitop", "bitfield",
                      "bitfield", "bitfield_ro", "lcs", "substr", "read", "set", "arity"])
        if c == "setbit":
            return [b"SETBIT", k, self.bit_offset(),
                    self.bad(r.choice([b"0", b"1"]), [b"2", b"-1", b"x", b" 1"])]
        if c == "getbit":
            return [b"GETBIT", k, self.read_offset()]
        if c == "bitcount":
            return [b"BITCOUNT", k] + self.bit_range()
        if c == "bitpos":
            return [b"BITPOS", k, self.bad(r.choice([b"0", b"1"]), [b"2", b"x"])] + \
                self.bit_range()
        if c == "bitop":
            op = self.bad(r.choice([b"AND", b"OR", b"XOR", b"NOT", b"and"]), [b"foo"], 0.05)
            n = 1 if op == b"NOT" and r.random() < 0.8 else r.randrange(1, 4)
            return [b"BITOP", op, self.bkey()] + [self.bkey() for _ in range(n)]
        if c == "bitfield":
            return [b"BITFIELD", k] + self.field_ops(False)
        if c == "bitfield_ro":
            return [b"BITFIELD_RO", k] + self.field_ops(r.random() < 0.9)
        if c == "lcs":
            args = [b"LCS", k, self.bkey()]
            for _ in range(r.randrange(0, 3)):
                args += r.choice([[b"LEN"], [b"IDX"], [b"WITHMATCHLEN"],
                                  [b"MINMATCHLEN", r.choice([b"0", b"1", b"2", b"-3", b"x"])],
                                  [b"IDX"], [b"MINMATCHLEN"], [b"foo"]][:6 + (r.random() < 0.1)])
            return args
        if c == "substr":
            return [b"SUBSTR", k, self.index(), self.index()]
        if c == "read":
            return r.choice([[b"GET", k], [b"STRLEN", k], [b"OBJECT", b"ENCODING", k]])
        if c == "set":
            return [b"SET", k, r.choice([self.val(), b"12345", bytes(range(256)) * 4])]
        return r.choice([[b"SETBIT", k, b"1"], [b"GETBIT", k], [b"BITOP", b"AND", k],
                         [b"BITFIELD"], [b"LCS", k], [b"SUBSTR", k, b"0"], [b"BITPOS", k]])

    def pkey(self):
        return self.r.choice(HLL_KEYS)

    def elements(self):
        r = self.r
        n = r.choice([0, 1, 2, 3, 5, 20, 200, 1500])
        return [b"e%d" % r.randrange(0, 5000) if r.random() < 0.9 else self.val()
                for _ in range(n)]

    def hll_command(self):
        r, k = self.r, self.pkey()
        c = r.choice(["pfadd", "pfadd", "pfadd", "pfcount", "pfcount", "pfmerge", "wrong",
                      "keys", "arity"])
        if c == "pfadd":
            return [b"PFADD", k] + self.elements()
        if c == "pfcount":
            return [b"PFCOUNT"] + [self.pkey() for _ in range(r.randrange(1, 4))]
        if c == "pfmerge":
            return [b"PFMERGE", k] + [self.pkey() for _ in range(r.randrange(0, 3))]
        if c == "wrong":
            # Another type, or a string that is no sketch: read-only or failing calls only.
            other = self.key()
            return r.choice([[b"PFCOUNT", other], [b"PFCOUNT", k, other],
                             [b"PFMERGE", k, other], [b"SET", k, b"not a sketch"]])
        if c == "keys":
            return r.choice([[b"TYPE", k], [b"EXISTS", k], [b"DEL", k], [b"EXPIRE", k, b"100"],
                             [b"TTL", k], [b"OBJECT", b"ENCODING", k], [b"COPY", k, self.pkey()],
                             [b"COPY", k, self.pkey(), b"REPLACE"], [b"RENAME", k, self.pkey()]])
        return r.choice([[b"PFADD"], [b"PFCOUNT"], [b"PFMERGE"]])

    def hash_command(self):
        r, k = self.r, self.hkey()
        c = r.choice(["hset", "hset", "hsetnx", "hget", "hmget", "hgetall", "hdel", "hexists",
                      "hlen", "hkeys", "hvals", "hstrlen", "hincrby", "hincrbyfloat",
                      "hrandfield", "hscan", "big", "arity", "encoding"])
        if c == "hset":
            args = [r.choice([b"HSET", b"HMSET"]), k]
            for _ in range(r.randrange(1, 4)):
                args += [self.field(), self.val()]
            return args
        if c == "hsetnx":
            return [b"HSETNX", k, self.field(), self.val()]
        if c == "hget":
            return [b"HGET", k, self.field()]
        if c == "hmget":
            return [b"HMGET", k] + self.many(self.field)
        if c in ("hgetall", "hkeys", "hvals", "hlen"):
            return [c.upper().encode(), k]
        if c == "hdel":
            return [b"HDEL", k] + self.many(self.field)
        if c in ("hexists", "hstrlen"):
            return [c.upper().encode(), k, self.field()]
        if c == "hincrby":
            return [b"HINCRBY", k, self.field(),
                    self.bad(r.choice([b"1", b"-5", b"100"]), [b"x", b"9223372036854775807",
                                                              b"1.5"], 0.15)]
        if c == "hincrbyfloat":
            return [b"HINCRBYFLOAT", k, self.field(),
                    self.bad(r.choice([b"1", b"-0.5", b"1e3", b"0.1", b"1.5e300"]),
                             [b"x", b"inf", b"-inf", b"nan"], 0.15)]
        if c == "hrandfield":
            args = [b"HRANDFIELD", k]
            if r.random() < 0.7:
                args.append(self.bad(r.choice([b"0", b"1", b"2", b"5", b"-3", b"200", b"1000"]),
                                     [b"x", b"-9223372036854775808"]))
                if r.random() < 0.5:
                    args.append(self.bad(r.choice([b"WITHVALUES", b"withvalues"]), [b"bogus"]))
            return args
        if c == "hscan":
            return self.scan_command(b"HSCAN", k, [b"f*", b"*", b"n", b"f[12]", b"?"])
        if c == "big":
            return self.big_hash(k)
        if c == "encoding":
            return [b"OBJECT", b"ENCODING", self.key()]
        return r.choice([[b"HSET", k, b"f"], [b"HMSET", k], [b"HGET", k], [b"HSETNX", k, b"f"],
                         [b"HRANDFIELD"], [b"HSCAN", k]])

    def tkey(self):
        return self.typed_key(SET_KEYS)

    def member(self, k=b""):
        """Mostly small integers (intsets), sometimes what is not an integer to Redis; t0 and
        t1 stay intsets for longer."""
        r = self.r
        if r.random() < (0.97 if k in (b"t0", b"t1") else 0.6):
            return b"%d" % r.randrange(-5, 25)
        p = r.random()
        if p < 0.25:
            return r.choice([b"01", b"+1", b"-0", b" 1", b"1.0", b"9223372036854775807",
                             b"-9223372036854775808", b"9223372036854775808", b"0", b"-1"])
        if p < 0.75:
            return r.choice([b"a", b"b", b"c", b"m1", b"m2", b""])
        return self.val()

    def big_set(self, k):
        n = self.r.choice([100, 511, 512, 513, 520, 600])
        start = self.r.choice([0, 0, -300, 9223372036854775807 - 700])
        members = [b"%d" % (start + i) for i in range(n)]
        if self.r.random() < 0.2:
            members.append(b"not-an-int")
        return [b"SADD", k] + members

    def set_command(self):
        r, k = self.r, self.tkey()
        c = r.choice(["sadd", "sadd", "sadd", "srem", "smembers", "sismember", "smismember",
                      "scard", "spop", "srandmember", "smove", "algebra", "algebra", "store",
                      "sintercard", "sscan", "big", "arity", "encoding"])
        if c == "sadd":
            return [b"SADD", k] + self.many(lambda: self.member(k), 1, 5)
        if c == "srem":
            return [b"SREM", k] + self.many(self.member, 1, 4)
        if c in ("smembers", "scard"):
            return [c.upper().encode(), k]
        if c == "sismember":
            return [b"SISMEMBER", k, self.member()]
        if c == "smismember":
            return [b"SMISMEMBER", k] + self.many(self.member)
        if c in ("spop", "srandmember"):
            args = [c.upper().encode(), k]
            if r.random() < 0.7:
                args.append(self.bad(r.choice([b"0", b"1", b"2", b"5", b"-3", b"200", b"1000",
                                                b"-600"]),
                                     [b"x", b"-9223372036854775808", b"-1", b"1.5"]))
            return args
        if c == "smove":
            return [b"SMOVE", k, self.tkey(), self.member()]
        if c == "algebra":
            return [r.choice([b"SINTER", b"SUNION", b"SDIFF"])] + self.many(self.tkey, 1, 4)
        if c == "store":
            return [r.choice([b"SINTERSTORE", b"SUNIONSTORE", b"SDIFFSTORE"]), self.tkey()] + \
                self.many(self.tkey, 1, 3)
        if c == "sintercard":
            keys = self.many(self.tkey, 1, 3)
            n = self.bad(b"%d" % len(keys), [b"0", b"%d" % (len(keys) + 1), b"-1", b"x"])
            args = [b"SINTERCARD", n] + keys
            if r.random() < 0.5:
                args += [b"LIMIT", self.bad(r.choice([b"0", b"1", b"2", b"5", b"1000"]),
                                            [b"-1", b"x"])]
            if r.random() < 0.05:
                args += [b"BOGUS"]
            return args
        if c == "sscan":
            return self.scan_command(b"SSCAN", k, [b"1*", b"*", b"a", b"m[12]", b"?", b"-*"])
        if c == "big":
            return self.big_set(k)
        if c == "encoding":
            return [b"OBJECT", b"ENCODING", self.tkey()]
        return r.choice([[b"SADD", k], [b"SREM", k], [b"SMEMBERS"], [b"SISMEMBER", k],
                         [b"SPOP", k, b"1", b"2"], [b"SRANDMEMBER", k, b"1", b"x"],
                         [b"SMOVE", k, k], [b"SINTERCARD", b"1"], [b"SINTERSTORE", k],
                         [b"SSCAN", k], [b"SCAN", b"0", b"COUNT", b"1000", b"TYPE", b"set"],
                         [b"TYPE", k],
                         [b"COPY", k, self.tkey()], [b"RENAME", k, self.tkey()]])

    # ------------------------------------------------------------ sorted sets

    def zkey(self):
        return self.typed_key(ZSET_KEYS)

    def zlkey(self):
        # Sometimes a key of another type (WRONGTYPE), never a mixed-score sorted set.
        return self.r.choice(LEX_KEYS) if self.r.random() < 0.95 else self.r.choice(STRING_KEYS + LIST_KEYS + HASH_KEYS)

    def zany(self):
        """Any sorted set (lex ones included) as a read-only source."""
        return self.r.choice([self.zkey, self.zkey, self.zlkey])()

    def score(self):
        return self.bad(self.r.choice(SCORES), BAD_SCORES, 0.05)

    def zmember(self):
        return self.r.choice(MEMBERS) if self.r.random() < 0.85 else self.val()

    def sbound(self):
        return self.bad(self.r.choice([b"-inf", b"+inf", b"(1", b"1", b"0", b"(0", b"2.5", b"(inf",
                                       b"-1", b"inf", b"(-inf", b"3", b"(3", b"10", b"", b"("]),
                        [b"x", b"(nan", b"nan", b"1x", b"[1"], 0.05)

    def lbound(self):
        return self.bad(self.r.choice([b"-", b"+", b"[a", b"(a", b"[c", b"(c", b"[", b"(", b"[m1",
                                       b"(m2", b"[e", b"[bin"]),
                        [b"a", b"-x", b"", b"+a"], 0.05)

    def big_zset(self, k, lex=False):
        n = self.r.choice([100, 127, 128, 129, 200])
        args = [b"ZADD", k]
        for i in range(n):
            args += [b"0" if lex else b"%d" % (i % 13), b"m%d" % i]
        if self.r.random() < 0.2:
            args += [b"0", b"y" * self.r.choice([64, 65])]
        return args

    def zadd(self, k, lex=False):
        r = self.r
        args = [b"ZADD", k]
        flags = [b"NX", b"XX", b"CH"] if lex else [b"NX", b"XX", b"GT", b"LT", b"CH", b"INCR",
                                                    b"incr", b"ch"]
        for _ in range(r.choice([0, 0, 0, 1, 1, 2])):
            args.append(r.choice(flags))
        for _ in range(r.choice([1, 1, 1, 2, 3])):
            args += [b"0" if lex else self.score(), self.zmember()]
        if r.random() < 0.03:
            args.append(self.zmember())  # an odd count
        return args

    def zrange_opts(self, store=False):
        r, opts = self.r, []
        for _ in range(r.choice([0, 1, 1, 2, 3])):
            opts += r.choice([[b"REV"], [b"LIMIT", self.index(), self.index()],
                              [b"LIMIT", b"0", r.choice([b"1", b"2", b"-1", b"100"])],
                              [b"LIMIT", b"1", b"2"]] + [[b"WITHSCORES"]] * 2 +
                             [[b"BOGUS"], [b"LIMIT", b"x", b"1"], [b"LIMIT", b"1"]] *
                             (r.random() < 0.1))
        return opts

    def zrange(self, store):
        r = self.r
        head = [b"ZRANGESTORE", self.zkey()] if store else [b"ZRANGE"]
        kind = r.choice(["rank", "score", "lex"])
        if kind == "lex":
            return head + [self.zlkey(), self.lbound(), self.lbound(), b"BYLEX"] + \
                self.zrange_opts(store)
        if kind == "score":
            return head + [self.zany(), self.sbound(), self.sbound(), b"BYSCORE"] + \
                self.zrange_opts(store)
        opts = self.zrange_opts(store)
        if store:
            opts = [o for o in opts if o != b"WITHSCORES"]
        return head + [self.zany(), self.index(), self.index()] + opts

    def zsetop(self):
        r = self.r
        op = r.choice([b"ZUNION", b"ZINTER", b"ZDIFF"])
        store = r.random() < 0.4
        keys = self.many(self.zany, 1, 3)
        n = self.bad(len(keys), [0, len(keys) + 1, -1, b"x"], 0.05)
        args = [op + (b"STORE" if store else b"")] + ([self.zkey()] if store else [])
        args += [str(n).encode() if isinstance(n, int) else n] + keys
        if op != b"ZDIFF" and r.random() < 0.4:
            args += [b"WEIGHTS"] + [self.bad(r.choice([b"1", b"2", b"-1", b"0", b"0.5", b"inf"]),
                                             [b"x", b"nan"], 0.05) for _ in keys]
        if op != b"ZDIFF" and r.random() < 0.4:
            args += [b"AGGREGATE", self.bad(r.choice([b"SUM", b"MIN", b"MAX", b"max"]), [b"avg"])]
        if not store and r.random() < 0.5:
            args.append(b"WITHSCORES")
        return args

    def zset_command(self):
        r, k = self.r, self.zkey()
        c = r.choice(["zadd", "zadd", "zadd", "zaddlex", "zaddlex", "zincrby", "zrem", "zscore",
                      "zmscore", "zcard", "zcount", "zlexcount", "zrange", "zrange", "zrangestore",
                      "zrevrange", "zrangebyscore", "zrangebylex", "zrank", "zpop", "zmpop",
                      "zrandmember", "zremrangebyrank", "zremrangebyscore", "zremrangebylex",
                      "setop", "setop", "zintercard", "zscan", "big", "biglex", "arity",
                      "encoding"])
        if c == "zadd":
            return self.zadd(k)
        if c == "zaddlex":
            return self.zadd(self.zlkey(), lex=True)
        if c == "zincrby":
            return [b"ZINCRBY", k, self.score(), self.zmember()]
        if c == "zrem":
            return [b"ZREM", r.choice([k, self.zlkey()])] + self.many(self.zmember)
        if c == "zscore":
            return [b"ZSCORE", self.zany(), self.zmember()]
        if c == "zmscore":
            return [b"ZMSCORE", self.zany()] + self.many(self.zmember)
        if c == "zcard":
            return [b"ZCARD", self.zany()]
        if c == "zcount":
            return [b"ZCOUNT", self.zany(), self.sbound(), self.sbound()]
        if c == "zlexcount":
            return [b"ZLEXCOUNT", self.zlkey(), self.lbound(), self.lbound()]
        if c in ("zrange", "zrangestore"):
            return self.zrange(c == "zrangestore")
        if c == "zrevrange":
            args = [b"ZREVRANGE", self.zany(), self.index(), self.index()]
            return args + ([b"WITHSCORES"] if r.random() < 0.5 else [])
        if c == "zrangebyscore":
            args = [r.choice([b"ZRANGEBYSCORE", b"ZREVRANGEBYSCORE"]), self.zany(),
                    self.sbound(), self.sbound()]
            return args + self.zrange_opts()
        if c == "zrangebylex":
            args = [r.choice([b"ZRANGEBYLEX", b"ZREVRANGEBYLEX"]), self.zlkey(), self.lbound(),
                    self.lbound()]
            return args + [o for o in self.zrange_opts() if r.random() < 0.2 or o != b"WITHSCORES"]
        if c == "zrank":
            return [r.choice([b"ZRANK", b"ZREVRANK"]), self.zany(), self.zmember()]
        if c == "zpop":
            args = [r.choice([b"ZPOPMIN", b"ZPOPMAX"]), r.choice([k, k, self.zlkey()])]
            return args + ([self.count()] if r.random() < 0.5 else [])
        if c == "zmpop":
            keys = self.many(self.zkey, 1, 3)
            n = self.bad(len(keys), [0, len(keys) + 1, -1])
            args = [b"ZMPOP", str(n).encode()] + keys + \
                [self.bad(r.choice([b"MIN", b"MAX", b"min"]), [b"left"], 0.05)]
            if r.random() < 0.5:
                args += [b"COUNT", self.bad(r.choice([b"1", b"2", b"5", b"1000"]),
                                            [b"0", b"-1", b"x"])]
            return args
        if c == "zrandmember":
            args = [b"ZRANDMEMBER", self.zany()]
            if r.random() < 0.7:
                args.append(self.bad(r.choice([b"0", b"1", b"2", b"5", b"-3", b"200", b"1000"]),
                                     [b"x", b"-9223372036854775808"]))
                if r.random() < 0.5:
                    args.append(self.bad(b"WITHSCORES", [b"bogus"]))
            return args
        if c == "zremrangebyrank":
            return [b"ZREMRANGEBYRANK", k, self.index(), self.index()]
        if c == "zremrangebyscore":
            return [b"ZREMRANGEBYSCORE", k, self.sbound(), self.sbound()]
        if c == "zremrangebylex":
            return [b"ZREMRANGEBYLEX", self.zlkey(), self.lbound(), self.lbound()]
        if c == "setop":
            return self.zsetop()
        if c == "zintercard":
            keys = self.many(self.zany, 1, 3)
            args = [b"ZINTERCARD", str(self.bad(len(keys), [0, len(keys) + 1])).encode()] + keys
            if r.random() < 0.5:
                args += [b"LIMIT", self.bad(r.choice([b"0", b"1", b"2", b"100"]), [b"-1", b"x"])]
            return args
        if c == "zscan":
            return self.scan_command(b"ZSCAN", self.zany(), [b"m*", b"*", b"a", b"m1?", b"?"])
        if c == "big":
            return self.big_zset(k)
        if c == "biglex":
            return self.big_zset(self.zlkey(), lex=True)
        if c == "encoding":
            return [b"OBJECT", b"ENCODING", r.choice([self.zany(), self.key()])]
        return r.choice([[b"ZADD", k, b"1"], [b"ZADD", k, b"NX"], [b"ZINCRBY", k, b"1"],
                         [b"ZRANGE", k, b"0"], [b"ZPOPMIN", k, b"1", b"2"], [b"ZMPOP", b"1"],
                         [b"ZSCORE", k], [b"ZUNIONSTORE", k, b"1"], [b"ZRANGESTORE", k, k, b"0"],
                         [b"ZRANK", k, b"a", b"WITHSCORE"], [b"ZINTERCARD", b"1"],
                         [b"ZREMRANGEBYRANK", k, b"0"], [b"ZSCAN", k]])

    def scan_command(self, name, key, patterns):
        """HSCAN / SSCAN / ZSCAN key cursor [MATCH p] [COUNT n], bad cursors and options too."""
        r = self.r
        args = [name, key, self.bad(b"0", [b"x", b"-1", b"5", b" 1", b"+0"], 0.15)]
        if r.random() < 0.5:
            args += [b"MATCH", r.choice(patterns)]
        if r.random() < 0.5:
            args += self.bad([b"COUNT", r.choice([b"1000", b"5", b"1"])],
                             [[b"COUNT", b"0"], [b"COUNT", b"x"], [b"TYPE", b"x"],
                              [b"COUNT"]], 0.2)
        return args

    def string_command(self):
        r, k = self.r, self.skey()
        return r.choice([
            [b"SET", k, self.val()], [b"GET", k], [b"APPEND", k, self.val()], [b"STRLEN", k],
            [b"INCR", k], [b"INCRBYFLOAT", k, b"1.5"], [b"GETRANGE", k, b"0", b"-1"],
            [b"SETRANGE", k, b"1", b"zz"], [b"GETDEL", k], [b"GETEX", k, b"PERSIST"],
            [b"SET", k, b"v", b"GET"], [b"MGET", k, self.key()], [b"SETNX", k, b"n"],
            [b"GETSET", k, b"g"], [b"DECRBY", k, b"2"], [b"OBJECT", b"ENCODING", k]])

    def key_command(self):
        r, k = self.r, self.key()
        return r.choice([
            [b"TYPE", k], [b"EXISTS", k, self.key()], [b"DEL", k], [b"RENAME", k, self.key()],
            [b"RENAMENX", k, self.key()], [b"COPY", k, self.key()],
            [b"COPY", k, self.key(), b"REPLACE"], [b"MOVE", k, b"1"], [b"DBSIZE"],
            [b"EXPIRE", k, b"1000"], [b"TTL", k], [b"PERSIST", k], [b"KEYS", b"*"],
            [b"SCAN", b"0", b"COUNT", b"1000", b"TYPE",
             r.choice([b"list", b"hash", b"string", b"set", b"zset"])],
            [b"OBJECT", b"ENCODING", k], [b"SELECT", b"1"], [b"SELECT", b"0"], [b"RANDOMKEY"],
            [b"OBJECT", b"REFCOUNT", k], [b"OBJECT", b"HELP"]])

    def sort_command(self):
        r = self.r
        args = [r.choice([b"SORT", b"SORT", b"SORT_RO"]), r.choice([self.lkey(), self.key()])]
        alpha = r.random() < 0.6
        by = r.random() < 0.4
        limit = r.random() < 0.4
        # ALPHA ties between equal BY values keep the key's natural order, which for a
        # hashtable set is its bucket order (and a LIMIT window BY a pattern is sorted with a
        # partial quicksort, no order at all): ALPHA is drawn only with BY patterns that make
        # no ties (# is the element itself) or do not sort.
        if by:
            patterns = [b"#", b"nosort", b"w"] if alpha else \
                [b"s*", b"h*->f1", b"h*->n", b"l*", b"#", b"nosort", b"w"]
            args += [b"BY", r.choice(patterns)]
        if limit:
            args += [b"LIMIT", self.bad(self.index(), [b"x"], 0.05), self.index()]
        for _ in range(r.choice([0, 0, 1, 2])):
            args += [b"GET", r.choice([b"#", b"s*", b"h*->f1", b"x", b"l*"])]
        if alpha:
            args.append(r.choice([b"ALPHA", b"alpha"]))
        if r.random() < 0.3:
            args.append(r.choice([b"DESC", b"ASC"]))
        if r.random() < 0.25:
            args += [b"STORE", self.lkey()]
        if r.random() < 0.03:
            args.append(r.choice([b"LIMIT", b"GET", b"STORE", b"BOGUS"]))
        return args


# ---------------------------------------------------------------- comparing

ORDERLESS = {b"HKEYS", b"HVALS", b"KEYS"}
PAIRS = {b"HGETALL"}
SHAPE_ONLY = {b"HRANDFIELD", b"RANDOMKEY", b"ZRANDMEMBER"}


def shape(v):
    kind, body = v
    if kind in AGGREGATES and body is not None:
        return (kind, len(body))
    if kind == "-":
        return v
    return (kind, body is None)


def pairs(items):
    return sorted((items[i][1], items[i + 1][1]) for i in range(0, len(items), 2))


def normalize(args, v):
    """What must be equal for this command: the raw bytes unless Redis promises less."""
    name = args[0].upper()
    kind, body = v
    if kind not in AGGREGATES or body is None:
        return v
    if name in SHAPE_ONLY:
        return shape(v)
    if name in ORDERLESS or (name == b"SCAN"):
        if name == b"SCAN":
            return (body[0], sorted(x[1] for x in body[1][1]))
        return (kind, sorted(x[1] for x in body))
    if name in PAIRS:
        return (kind, pairs(body))
    return v


def unsorted_sort(args):
    """SORT ... BY <no '*'> without STORE keeps the key's natural order, which for a hashtable
    set is its bucket order: Redis promises none. Returns the reply's group size then, else 0."""
    upper = [a.upper() for a in args]
    if upper[0] not in (b"SORT", b"SORT_RO") or b"STORE" in upper:
        return 0
    by = [args[i + 1] for i in range(2, len(args) - 1) if upper[i] == b"BY"]
    if not any(b"*" not in p for p in by):  # one BY without '*' turns sorting off for good
        return 0
    return max(1, upper.count(b"GET"))


def same(args, a, b):
    (raw_a, va), (raw_b, vb) = a, b
    if raw_a == raw_b:
        return True
    name = args[0].upper()
    group = unsorted_sort(args)
    if group and va[0] == vb[0] == "*" and va[1] is not None and vb[1] is not None:
        if b"LIMIT" in [x.upper() for x in args]:
            return len(va[1]) == len(vb[1])  # a window of an unordered sequence

        def groups(items):
            return sorted(tuple(repr(x) for x in items[i:i + group])
                          for i in range(0, len(items), group))
        return groups(va[1]) == groups(vb[1])
    if name in (b"HSCAN", b"ZSCAN") and va[0] == vb[0] == "*":
        # A hashtable's cursor walks buckets in an order only its hash function decides: a
        # walk that both finish at once (cursor 0) is compared by content, others by shape.
        (_, ca), (_, ea) = va[1]
        (_, cb), (_, eb) = vb[1]
        if ca == cb == b"0" and args[2] == b"0":
            return pairs(ea) == pairs(eb)
        return len(va[1]) == len(vb[1]) == 2
    if name == b"ZRANDMEMBER" and va[0] == vb[0] == "*" and len(args) >= 3:
        # Fewer elements than asked for: the whole set, whose order Redis fixes (highest first).
        # (RESP3 nests each member and its score in a pair.)
        flat_scores = len(args) > 3 and args[3].upper() == b"WITHSCORES" and not \
            (va[1] and va[1][0][0] == "*")
        per = 2 if flat_scores else 1
        count = int(args[2]) if args[2].lstrip(b"-").isdigit() else 0
        if count > 0 and len(va[1]) < count * per:
            return False
    if name in ORDERLESS | PAIRS | SHAPE_ONLY | {b"SCAN"}:
        if name in SHAPE_ONLY and va[0] == vb[0] == "$":
            return (va[1] is None) == (vb[1] is None)
        return normalize(args, va) == normalize(args, vb)
    return False


SET_REPLIES = {b"SMEMBERS", b"SSCAN", b"SINTER", b"SUNION", b"SDIFF", b"SPOP", b"SRANDMEMBER"}


def members(v):
    return sorted(x[1] for x in v[1])


def intsets_only(oracle, keys):
    """True when every existing key among `keys` is an intset on the oracle (asked after the
    command: only read-only commands call this)."""
    for k in keys:
        _, (kind, body) = oracle.call([b"OBJECT", b"ENCODING", k])
        if kind == "$" and body is not None and body != b"intset":
            return False
    return True


def set_same(args, a, b, oracle):
    """Set replies: Redis promises an order only for intsets (ascending), which is kept when
    every operand is one (SUNION: and the result has at most 512 members); the random ones
    (SPOP, SRANDMEMBER) by shape, or as a multiset when they return the whole set."""
    (raw_a, va), (raw_b, vb) = a, b
    if raw_a == raw_b:
        return True
    if va[0] != vb[0] or va[0] not in AGGREGATES or va[1] is None or vb[1] is None:
        return va[0] == vb[0] == "$" and args[0].upper() in (b"SPOP", b"SRANDMEMBER") \
            and (va[1] is None) == (vb[1] is None)
    name = args[0].upper()
    if name in (b"SPOP", b"SRANDMEMBER"):
        count = int(args[2])
        if 0 < len(va[1]) < count:  # the whole set
            return members(va) == members(vb)
        return len(va[1]) == len(vb[1])
    if name == b"SSCAN":
        (_, ca), ea = va[1]
        (_, cb), eb = vb[1]
        if ca == cb == b"0" and args[2] == b"0":
            return members(ea) == members(eb) and not intsets_only(oracle, [args[1]])
        return len(va[1]) == len(vb[1]) == 2
    if members(va) != members(vb):
        return False
    if name == b"SUNION" and len(va[1]) > 512:
        return True
    return not intsets_only(oracle, args[1:])


def resync_set(key, oracle, subject):
    """After SPOP popped different members on the two servers, rebuilds the subject's set as the
    oracle's: same members, same encoding (a sentinel member forces a hashtable), same TTL."""
    _, (_, body) = oracle.call([b"SMEMBERS", key])
    _, (_, encoding) = oracle.call([b"OBJECT", b"ENCODING", key])
    _, (_, expire_at) = oracle.call([b"PEXPIRETIME", key])
    subject.call([b"DEL", key])
    if not body:
        return
    sentinel = [b"\x00resync"] if encoding == b"hashtable" else []
    subject.call([b"SADD", key] + sentinel + [x[1] for x in body])
    if sentinel:
        subject.call([b"SREM", key] + sentinel)
    if expire_at >= 0:
        subject.call([b"PEXPIREAT", key, b"%d" % expire_at])


# ---------------------------------------------------------------- driver

SORT_ERRNO = b"-ERR One or more scores can't be converted into double\r\n"


def sort_errno_quirk(args, a, b, oracle):
    """redis-server 7.0's SORT tests errno after strtod without clearing it first, so an
    ERANGE left by an earlier command (ZINCRBY k 1e400 m: "value is not a valid float") fails
    a SORT of valid numbers. kv does not copy that: when the oracle gives this error and kv
    does not, the oracle is asked again with errno cleared (INCRBYFLOAT sets it to 0; its
    scratch key is deleted at once). Returns the oracle's reply to compare."""
    if args[0].upper() not in (b"SORT", b"SORT_RO") or a[0] != SORT_ERRNO or b[0] == SORT_ERRNO:
        return a
    scratch = b"\x00errno"
    oracle.call([b"INCRBYFLOAT", scratch, b"0"])
    oracle.call([b"DEL", scratch])
    return oracle.call(args)


# ---------------------------------------------------------------- keyspace notifications

NOTIFY_FLAGS = [b"AKEmn", b"AKEmn", b"AKEmn", b"KEA", b"Kg$lsh", b"Ezxn", b"KElzn", b"Em",
                b"Kszhn", b"E$gx"]


def notify_extra(gen):
    """A write whose events the main generator rarely or never produces."""
    r, k = gen.r, gen.key()
    s, l, t, z, h = gen.skey(), gen.lkey(), gen.tkey(), gen.zkey(), gen.hkey()
    return r.choice([
        [b"SET", s, gen.val(), b"EX", b"100"], [b"SET", s, b"v", b"PX", b"100000", b"GET"],
        [b"SET", s, b"v", b"NX"], [b"SET", s, b"v", b"XX", b"KEEPTTL"], [b"SETEX", s, b"50", b"x"],
        [b"PSETEX", s, b"50000", b"x"], [b"MSET", s, b"1", gen.skey(), b"2"],
        [b"MSETNX", s, b"1", gen.skey(), b"2"], [b"GETEX", s, b"EX", b"100"],
        [b"GETEX", s, b"PXAT", b"1"], [b"INCRBY", s, b"3"], [b"DECR", s],
        [b"EXPIRE", k, b"100"], [b"EXPIRE", k, b"-1"], [b"PEXPIREAT", k, b"1"],
        [b"EXPIRE", k, b"100", b"NX"], [b"EXPIRE", k, b"200", b"GT"], [b"PERSIST", k],
        [b"UNLINK", k, gen.key()], [b"DEL", k], [b"MOVE", k, b"1"], [b"COPY", k, gen.key()],
        [b"COPY", k, gen.key(), b"REPLACE"], [b"COPY", k, k, b"DB", b"1"],
        [b"RENAME", k, gen.key()], [b"RENAMENX", k, gen.key()], [b"TOUCH", k, gen.key()],
        [b"EXISTS", k], [b"TYPE", k], [b"GET", s],
        [b"LPUSHX", l, b"a"], [b"RPUSHX", l, b"b"], [b"LINSERT", l, b"BEFORE", b"a", b"z"],
        [b"LSET", l, b"0", b"q"], [b"LMOVE", l, gen.lkey(), b"LEFT", b"RIGHT"],
        [b"RPOPLPUSH", l, l], [b"LMPOP", b"2", l, gen.lkey(), b"RIGHT", b"COUNT", b"2"],
        [b"BLPOP", l, b"0.01"], [b"LTRIM", l, b"1", b"0"], [b"LREM", l, b"0", b"a"],
        [b"SMOVE", t, gen.tkey(), gen.member()], [b"SPOP", t], [b"SPOP", t, b"2"],
        [b"SINTERSTORE", t, gen.tkey(), gen.tkey()], [b"SUNIONSTORE", t, gen.tkey()],
        [b"SDIFFSTORE", t, gen.tkey(), gen.tkey()],
        [b"ZINCRBY", z, b"1", gen.zmember()], [b"ZADD", z, b"INCR", b"0", gen.zmember()],
        [b"ZADD", z, b"XX", b"CH", b"5", gen.zmember()], [b"ZPOPMIN", z], [b"ZPOPMAX", z, b"2"],
        [b"ZMPOP", b"1", z, b"MIN"], [b"BZPOPMAX", z, b"0.01"],
        [b"ZRANGESTORE", gen.zkey(), z, b"0", b"1"], [b"ZUNIONSTORE", z, b"2", z, gen.zkey()],
        [b"ZREMRANGEBYRANK", z, b"0", b"0"], [b"ZREM", z, gen.zmember()],
        [b"HSETNX", h, b"f", b"v"], [b"HINCRBY", h, b"n", b"2"],
        [b"HINCRBYFLOAT", h, b"x", b"1.5"], [b"HDEL", h, b"f", b"n", b"x"],
        [b"SORT", l, b"ALPHA", b"STORE", gen.lkey()], [b"BITOP", b"OR", gen.bkey(), gen.bkey()],
        [b"SETBIT", gen.bkey(), b"7", b"1"], [b"BITFIELD", gen.bkey(), b"SET", b"u8", b"0", b"255"],
        [b"PFADD", gen.pkey(), b"a"], [b"PFMERGE", gen.pkey(), gen.pkey()],
        [b"SELECT", b"1"], [b"SELECT", b"0"], [b"SWAPDB", b"0", b"1"]])


class Events:
    """A connection subscribed to every keyspace event of one server (and to a barrier channel);
    collect() returns the raw messages it got since the last call, in order."""

    BARRIER = b"\x00barrier"

    def __init__(self, sock, publisher):
        self.conn, self.publisher, self.n = Conn(sock), publisher, 0
        self.conn.call([b"PSUBSCRIBE", b"__key*__:*"])
        self.conn.call([b"SUBSCRIBE", self.BARRIER])

    def collect(self):
        self.n += 1
        tag = b"%d" % self.n
        self.publisher.call([b"PUBLISH", self.BARRIER, tag])
        got = []
        while True:
            raw, value = self.conn.read()
            if value == ("*", [("$", b"message"), ("$", self.BARRIER), ("$", tag)]):
                return got
            got.append(raw)


def compare_events(seed, index, history, events):
    """Collects both subscribers' messages; prints them and returns False when they differ."""
    a, b = events[0].collect(), events[1].collect()
    if a == b:
        return True
    if history[-1][0].upper() in (b"SORT", b"SORT_RO") and sorted(a) == sorted(b):
        return True  # BY/GET lookups follow the elements' order, which a set does not fix
    print("MISMATCH (keyspace events) seed=%d sequence=%d command #%d" % (seed, index,
                                                                         len(history)))
    print("  command:   %r" % b" ".join(history[-1]))
    print("  redis:     %r" % b"".join(a)[:1500])
    print("  tcpkit:    %r" % b"".join(b)[:1500])
    print("  before it (last 15):")
    for h in history[-16:-1]:
        print("    %r" % b" ".join(h))
    return False


def run_sequence(seed, index, length, oracle, subject, events=None):
    rng = random.Random("%d/%d" % (seed, index))
    gen = Gen(rng)
    history = []
    flags = rng.choice(NOTIFY_FLAGS) if events else b""
    for conn in (oracle, subject):
        conn.call([b"SELECT", b"0"])
        conn.call([b"FLUSHALL"])
        if events:
            conn.call([b"CONFIG", b"SET", b"notify-keyspace-events", flags])
    if events:
        for e in events:
            e.collect()
    for _ in range(length):
        args = notify_extra(gen) if events and rng.random() < 0.3 else gen.command()
        history.append(args)
        a, b = oracle.call(args), subject.call(args)
        if events and not compare_events(seed, index, history, events):
            return False, len(history)
        a = sort_errno_quirk(args, a, b, oracle)
        if args[0].upper() == b"ZSCAN" and a[0] != b[0] and a[1][0] == "*":
            # A listpack zset comes whole and in order: only a skiplist's may differ.
            if oracle.call([b"OBJECT", b"ENCODING", args[1]])[1] == ("$", b"listpack"):
                b = (b[0] + b"(listpack order)", b[1])
        if args[0].upper() in SET_REPLIES:
            equal = set_same(args, a, b, oracle)
        else:
            equal = same(args, a, b)
        if equal and args[0].upper() == b"SPOP" and a[0] != b[0]:
            resync_set(args[1], oracle, subject)
        if events:  # what the repairs above published is not compared
            for e in events:
                e.collect()
        if not equal:
            print("MISMATCH seed=%d sequence=%d command #%d" % (seed, index, len(history)))
            print("  command:   %r" % b" ".join(args))
            print("  redis:     %r" % a[0])
            print("  tcpkit:    %r" % b[0])
            print("  before it (last 15):")
            for h in history[-16:-1]:
                print("    %r" % b" ".join(h))
            return False, len(history)
    return True, length


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("tcpkit")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--sequences", type=int, default=60)
    ap.add_argument("--seconds", type=float, default=0, help="run until then instead")
    ap.add_argument("--length", type=int, default=250)
    ap.add_argument("--redis-server", default=shutil.which("redis-server") or "")
    ap.add_argument("--resp3", action="store_true", help="both connections say HELLO 3 first")
    ap.add_argument("--notify", action="store_true",
                    help="compare keyspace notifications too (see the docstring)")
    opts = ap.parse_args()
    if not opts.redis_server or not os.path.exists(opts.redis_server):
        print("SKIP: no redis-server")
        return 77
    workdir = tempfile.mkdtemp(prefix="kv-differential-")
    redis_proc, oracle = start_redis(opts.redis_server, workdir)
    tcpkit_proc, subject = start_tcpkit(opts.tcpkit)
    started, commands, index, ok = time.monotonic(), 0, 0, True
    events = None
    try:
        if opts.notify:
            s = socket.socket(socket.AF_UNIX)
            s.connect(os.path.join(workdir, "redis.sock"))
            events = [Events(s, oracle),
                      Events(socket.create_connection(subject.sock.getpeername()), subject)]
        if opts.resp3:
            hello3(oracle)
            hello3(subject)
        while ok:
            if opts.seconds > 0:
                if time.monotonic() - started >= opts.seconds:
                    break
            elif index >= opts.sequences:
                break
            ok, n = run_sequence(opts.seed, index, opts.length, oracle, subject, events)
            commands += n
            index += 1
    finally:
        stop(tcpkit_proc)
        stop(redis_proc)
        shutil.rmtree(workdir, ignore_errors=True)
    print("%s: %s%s, seed %d, %d sequences, %d commands, %.1f s" %
          ("ok" if ok else "FAILED", "RESP3" if opts.resp3 else "RESP2",
           " with keyspace events" if opts.notify else "", opts.seed, index, commands,
           time.monotonic() - started))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
