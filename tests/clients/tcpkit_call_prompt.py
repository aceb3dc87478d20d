"""tcpkit call's interactive prompt, driven through a pseudo-terminal as a person would type:
the prompt shows the server, the database after SELECT and (TX) inside MULTI, as redis-cli's;
after the server goes away the next command says so and the prompt is "not connected>"; once
the server is back the next command reconnects (and selects the database again). Tab
completes command names and help's topics, and help is answered at the prompt.

The kv server listens on a temporary Unix socket (restarted on the same path), started and
stopped by its pid; every wait has a deadline.

Usage: tcpkit_call_prompt.py TCPKIT_BINARY
"""
import os
import pty
import select
import subprocess
import sys
import tempfile
import time

BIN = sys.argv[1]
WORK = tempfile.mkdtemp(prefix="tcpkit-prompt-")
SOCK = os.path.join(WORK, "kv.sock")
DEADLINE_S = 20


def start_server():
    proc = subprocess.Popen([BIN, "serve", "kv", "--listen", "unix:" + SOCK],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    if "listening on" not in line:
        proc.kill()
        raise SystemExit("FAIL: no ready line: " + line + proc.stderr.read())
    return proc


def stop_server(proc):
    proc.terminate()
    proc.wait(timeout=DEADLINE_S)


class Terminal:
    """tcpkit call on a pty: type() a line, expect() text to appear."""

    def __init__(self, argv):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.environ["HOME"] = WORK  # history file in the temp directory
            os.execv(argv[0], argv)
        self.seen = b""

    def expect(self, text):
        want = text.encode()
        end = time.monotonic() + DEADLINE_S
        while want not in self.seen:
            left = end - time.monotonic()
            if left <= 0:
                raise SystemExit(f"FAIL: {text!r} did not appear; the terminal shows:\n"
                                 + self.seen.decode(errors="replace"))
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.fd, 4096)
                except OSError:
                    chunk = b""
                if not chunk:
                    raise SystemExit(f"FAIL: the client exited before {text!r} appeared:\n"
                                     + self.seen.decode(errors="replace"))
                self.seen += chunk
        self.seen = self.seen[self.seen.index(want) + len(want):]

    def type(self, line):
        os.write(self.fd, line.encode() + b"\r")

    def close(self):
        self.type("quit")
        _, status = os.waitpid(self.pid, 0)
        return status


server = start_server()
term = Terminal([BIN, "call", "-s", SOCK])
try:
    prompt = f"redis {SOCK}> "
    term.expect(prompt)
    # Tab completes a command name (never a file name) and, after help, a group; help is
    # answered at the prompt from the table.
    term.type("ECH\t completed")
    term.expect('"completed"')
    term.expect(prompt)
    term.type("help @hyperlog\t")
    term.expect("PFCOUNT")
    term.expect(prompt)
    term.type("help echo")
    term.expect("summary:\x1b[0m Echo the given string")
    term.expect(prompt)
    term.type("SET k v")
    term.expect("OK")
    term.expect(prompt)
    term.type("SELECT 3")
    term.expect(f"redis {SOCK}[3]> ")
    term.type("MULTI")
    term.expect(f"redis {SOCK}[3](TX)> ")
    term.type("INCR n")
    term.expect("QUEUED")
    term.type("EXEC")
    term.expect("(integer) 1")
    term.expect(f"redis {SOCK}[3]> ")
    # The server goes away: the next command reports it, the prompt says so.
    stop_server(server)
    term.type("PING")
    term.expect("Error: ")
    term.expect("not connected> ")
    term.type("PING")
    term.expect("Could not connect to unix:")
    term.expect("not connected> ")
    # Back: the next command reconnects, in database 3 again.
    server = start_server()
    term.type("CLIENT INFO")
    term.expect(" db=3 ")  # the new connection selected database 3 again
    term.expect(f"redis {SOCK}[3]> ")
    status = term.close()
    if status != 0:
        raise SystemExit(f"FAIL: exit status {status}")
    # -w bounds the wait for a reply: while the server holds every client (CLIENT PAUSE), the
    # command gives up after 0.5 s and the prompt says "not connected"; the next one reconnects.
    term = Terminal([BIN, "call", "-s", SOCK, "-w", "0.5"])
    term.expect(prompt)
    subprocess.run([BIN, "call", "-s", SOCK, "CLIENT", "PAUSE", "3000", "ALL"], check=True,
                   capture_output=True, timeout=DEADLINE_S)
    started = time.monotonic()
    term.type("PING")
    term.expect("Error: no reply within 0.5s")
    term.expect("not connected> ")
    if time.monotonic() - started > 2.5:
        raise SystemExit("FAIL: -w 0.5 waited until the pause ended")
    subprocess.run([BIN, "call", "-s", SOCK, "CLIENT", "UNPAUSE"], check=True,
                   capture_output=True, timeout=DEADLINE_S)
    term.type("ECHO back")
    term.expect('"back"')
    status = term.close()
    if status != 0:
        raise SystemExit(f"FAIL: exit status {status} (-w)")
finally:
    stop_server(server) if server.poll() is None else None
print("tcpkit call prompt: all checks passed")
