#!/usr/bin/env python3
"""Issue 9's HTTP attacks against the real daemon: for each, the worst honest
GET /health latency seen while it runs, and the daemon's peak RSS (VmHWM).

Usage: bench/attacks/run_attacks.py <build-dir> [attack ...]

Each attack gets a fresh daemon (memory queue, memory plugin, loopback, free ports),
so VmHWM is that attack's own peak. An honest client polls /health on a fresh
connection every 20 ms during the attack. Not a test: it prints numbers.
"""
import os
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time

BUILD = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "build"
DAEMON = os.path.join(BUILD, "core/daemon/productgraphd")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Daemon:
    def __init__(self, env=None, nofile=None):
        self.port = free_port()
        self.admin = free_port()
        self.queue_dir = tempfile.mkdtemp(prefix="pg-attack-")
        full = {"PATH": os.environ.get("PATH", ""), "PORT": str(self.port),
                "PRODUCTGRAPH_ADMIN_ADDRESS": f"127.0.0.1:{self.admin}",
                "PRODUCTGRAPH_QUEUE": "memory", "PRODUCTGRAPH_QUEUE_DIR": self.queue_dir}
        full.update(env or {})

        def limit():
            if nofile:
                resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))
        self.proc = subprocess.Popen([DAEMON], env=full, stderr=subprocess.PIPE, preexec_fn=limit)
        for line in self.proc.stderr:
            if b'"msg":"listening"' in line:
                break
        threading.Thread(target=lambda: [None for _ in self.proc.stderr], daemon=True).start()

    def status(self, field):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        return 0

    def cpu_seconds(self):
        with open(f"/proc/{self.proc.pid}/stat") as f:
            parts = f.read().rsplit(")", 1)[1].split()
        return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        subprocess.run(["rm", "-rf", self.queue_dir])


class Prober(threading.Thread):
    """The honest client: a new connection and GET /health every 20 ms."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port, self.worst, self.failures, self.count, self.stopping = port, 0.0, 0, 0, False

    def run(self):
        while not self.stopping:
            started = time.monotonic()
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
                    s.sendall(b"GET /health HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n")
                    data = b""
                    while b"\r\n\r\n" not in data:
                        chunk = s.recv(4096)
                        if not chunk:
                            break
                        data += chunk
                    if not data.startswith(b"HTTP/1.1 200"):
                        self.failures += 1
            except OSError:
                self.failures += 1
            self.worst = max(self.worst, time.monotonic() - started)
            self.count += 1
            time.sleep(0.02)


def connect(port):
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
    return s


def read_all(s, timeout=10):
    s.settimeout(timeout)
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    return data


# ---- attacks: each takes the daemon and returns a one-line result -----------------

def smuggling_413(d):
    s = connect(d.port)
    line = b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
    chunk = line * (1 << 20 // len(line))
    s.sendall(b"POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n")
    sent = 0
    try:
        while sent < 100_000_000:
            s.sendall(chunk)
            sent += len(chunk)
    except OSError:
        pass
    data = read_all(s)
    return f"answers={data.count(b'HTTP/1.1')} first={data[:12]!r} body_bytes_sent_before_close={sent}"


def smuggling_cl_te(d):
    results = []
    for head in (b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", b"Content-Length: 0\r\nContent-Length: 38\r\n"):
        s = connect(d.port)
        s.sendall(b"POST /v1/events HTTP/1.1\r\nHost: x\r\n" + head + b"\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        data = read_all(s)
        results.append(f"{data[9:12].decode()}x{data.count(b'HTTP/1.1')}")
    return "CL+TE and CL,CL answers: " + ", ".join(results)


def bad_content_length(d):
    out = []
    for value in (b"-1", b"18446744073709551616", b"100000000000"):
        s = connect(d.port)
        s.sendall(b"POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: " + value + b"\r\n\r\n{}")
        data = read_all(s)
        out.append(f"{value.decode()}->{data[9:12].decode()}")
    return " ".join(out)


def huge_header_line(d):
    s = connect(d.port)
    try:
        s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (1 << 20) + b"\r\n\r\n")
    except OSError:
        pass
    return f"1 MB header line -> {read_all(s)[9:12].decode()}"


def many_headers(d):
    def one():
        s = connect(d.port)
        try:
            s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n" + b"X-H: v\r\n" * 60000 + b"\r\n")
        except OSError:
            pass
        return read_all(s)[9:12].decode()
    threads, results = [], []
    for _ in range(2):
        t = threading.Thread(target=lambda: results.append(one()))
        t.start()
        threads.append(t)
    for t in threads:
        t.join()
    return f"two 60,000-header requests -> {results}"


def keepalive_slowloris(d):
    conns = []
    for _ in range(500):
        s = connect(d.port)
        s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        s.recv(4096)
        conns.append(s)
    started = time.monotonic()
    alive = len(conns)
    while alive and time.monotonic() - started < 30:
        alive = 0
        for s in conns:
            try:
                s.sendall(b"a")
                alive += 1
            except OSError:
                pass
        time.sleep(1)
    return f"500 trickling keep-alive connections all cut after {time.monotonic() - started:.1f} s (header timeout {d.header_timeout} ms)"


def stalled_uploads(d):
    conns = []
    for _ in range(15):
        s = connect(d.port)
        s.sendall(b"POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n")
        conns.append(s)
    for s in conns:
        try:
            s.sendall(b"{" + b" " * (10_000_000 - 10))
        except OSError:
            pass
    time.sleep(2)
    rss = d.status("VmRSS")
    for s in conns:
        s.close()
    return f"15 uploads stalled 10 bytes short of 10 MB: RSS {rss // 1024} MB while held"


def pipelining(d):
    s = connect(d.port)
    body = b'{"events":[{"event_id":"e","project_id":"p","session.id":"s","event.type":"t","event.timestamp":"2024-01-15T10:30:15Z"}]}'
    request = b"POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    s.sendall(request * 1000)
    s.shutdown(socket.SHUT_WR)
    data = read_all(s)
    return f"1,000 pipelined POSTs -> {data.count(b'HTTP/1.1 202')} answers 202"


def connect_burst(d):
    started = time.monotonic()
    conns = [socket.create_connection(("127.0.0.1", d.port)) for _ in range(1000)]
    elapsed = time.monotonic() - started
    for s in conns:
        s.close()
    return f"1,000 connects in {elapsed * 1000:.0f} ms"


def idle_connections(d):
    conns = [socket.create_connection(("127.0.0.1", d.port)) for _ in range(5000)]
    time.sleep(2)
    rss = d.status("VmRSS")
    for s in conns:
        s.close()
    return f"5,000 idle connections: RSS {rss // 1024} MB"


def fd_exhaustion(d):
    conns = []
    for _ in range(400):  # the daemon's limit is 256
        try:
            conns.append(socket.create_connection(("127.0.0.1", d.port), timeout=1))
        except OSError:
            break
    cpu_before = d.cpu_seconds()
    time.sleep(3)
    cpu = d.cpu_seconds() - cpu_before
    for s in conns:
        s.close()
    return f"RLIMIT_NOFILE 256, 400 connections held: daemon CPU {cpu / 3 * 100:.0f}% of a core over 3 s"


ATTACKS = {
    "smuggling_413": (smuggling_413, {}, None),
    "smuggling_cl_te": (smuggling_cl_te, {}, None),
    "bad_content_length": (bad_content_length, {}, None),
    "huge_header_line": (huge_header_line, {}, None),
    "many_headers": (many_headers, {}, None),
    "keepalive_slowloris": (keepalive_slowloris, {"PRODUCTGRAPH_HEADER_TIMEOUT_MS": "10000"}, None),
    "stalled_uploads": (stalled_uploads, {}, None),
    "pipelining": (pipelining, {}, None),
    "connect_burst": (connect_burst, {}, None),
    "idle_connections": (idle_connections, {}, None),
    "fd_exhaustion": (fd_exhaustion, {}, 256),
}


def main():
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    chosen = sys.argv[2:] or list(ATTACKS)
    print(f"{'attack':22} {'worst /health':>14} {'probes':>7} {'failed':>7} {'VmHWM':>8}  result")
    for name in chosen:
        attack, env, nofile = ATTACKS[name]
        d = Daemon(env, nofile)
        d.header_timeout = env.get("PRODUCTGRAPH_HEADER_TIMEOUT_MS", "10000")
        prober = Prober(d.port)
        prober.start()
        time.sleep(0.2)
        try:
            result = attack(d)
        except Exception as error:  # report and go on: one attack's client failing is a result too
            result = f"client error: {error!r}"
        time.sleep(0.3)
        prober.stopping = True
        prober.join()
        hwm = d.status("VmHWM")
        d.stop()
        print(f"{name:22} {prober.worst * 1000:11.0f} ms {prober.count:7} {prober.failures:7} {hwm // 1024:5} MB  {result}",
              flush=True)


if __name__ == "__main__":
    main()
