#!/usr/bin/env python3
"""Hostile peers against a real collector, measured: each attack of the hostile-peer table
at a chosen scale (--scale 10: ten times the table), beside a well-behaved loadgen, a
viewer and a scraper. Reports per attack: the longest loop turn (the collector's own
gauge), the longest gap between two deltas at the viewer, the slowest scrape, whether
/metrics stayed promtool-clean, the good node still connected, RSS and model memory.

--soak SECONDS instead runs loadgen with crashes and telemetry, viewers joining and
leaving and a scrape every second, and reports, after a warm-up (--warmup, 60 s), the
slope of RSS beside the collector's own memory gauges (model memory, heap in use and free,
strings held, the flight recorder's bytes, and the heap in use beside the recorder), over
the whole run and over its last half, and the drift between loadgen's
own counts and the collector's. --csv PATH writes every second's sample; --collector-args
"ARGS" passes settings to the collector (e.g. "--max-strings 6000").

Usage: scripts/siege.py BUILD_DIR [--scale N]
       scripts/siege.py BUILD_DIR --soak SECONDS [--warmup SECONDS] [--csv PATH] [--collector-args "ARGS"]
"""
import os
import re
import shlex
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

MAGIC = b"ACTSCOPE"
TOKEN = "siege token"


def varint(v):
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def s(text):
    b = text if isinstance(text, bytes) else text.encode()
    return varint(len(b)) + b


def frame(ftype, seq, payload):
    return struct.pack("<IBI", len(payload), ftype, seq) + payload


def hello(node, role, incarnation=1, caps=0, token=TOKEN):
    body = MAGIC + struct.pack("<HH", 1, 0) + varint(caps) + bytes([role]) + s(token) + s(node)
    body += varint(incarnation) + varint(os.getpid()) + s("localhost") + s("siege") + varint(0) + varint(0) + varint(1 << 20)
    return frame(0x01, 0, body)


def record(tag, body):
    return bytes([tag]) + varint(len(body)) + body


def string_def(sid, text):
    return record(0x01, varint(sid) + s(text))


def spawn(actor, type_sid=0, parent=0, name=0, child=0, kind=0):
    return record(0x02, varint(0) + varint(actor) + varint(parent) + varint(name) + varint(type_sid) + varint(child)
                  + bytes([kind, 0, 0]) + varint(0) + varint(0))


def exited(actor, reason=0):
    return record(0x03, varint(0) + varint(actor) + bytes([reason]) + varint(0))


def flow_edges(edges, sample_every=32):
    """edges: (from, to, count) sampled sends, unnamed types."""
    body = varint(sample_every) + varint(0) + varint(len(edges))
    for f, t, c in edges:
        body += varint(f) + varint(t) + varint(0) + varint(c) + varint(0) + varint(0)
    return record(0x11, body)


def telemetry(event_sid):
    return record(0x07, varint(0) + varint(0) + varint(event_sid) + bytes([0]) + bytes([0]))


def restart(sup, child_sid, old, new):
    return record(0x04, varint(0) + varint(sup) + varint(child_sid) + varint(old) + varint(new) + bytes([1]) + varint(0))


def view_msg(tag, body):
    return bytes([tag]) + varint(len(body)) + body


class Peer:
    """A raw connection that can play an agent or a viewer."""

    def __init__(self, port, node=None, role=1, incarnation=1, caps=0, token=TOKEN):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.seq = 1
        self.welcomed = False
        if node is not None:
            self.sock.sendall(hello(node, role, incarnation, caps, token))
            head = self._read(9)
            if head:
                length, ftype, _ = struct.unpack("<IBI", head)
                body = self._read(length)
                self.welcomed = ftype == 0x02
                self.reject = body

    def _read(self, n):
        buf = b""
        while len(buf) < n:
            try:
                chunk = self.sock.recv(n - len(buf))
            except OSError:
                return None
            if not chunk:
                return None
            buf += chunk
        return buf

    def send(self, ftype, payload):
        self.sock.sendall(frame(ftype, self.seq, payload))
        self.seq += 1

    def batch(self, records, limit=900_000):
        buf = bytearray()
        for r in records:
            buf += r
            if len(buf) > limit:
                self.send(0x10, bytes(buf))
                buf = bytearray()
        if buf:
            self.send(0x10, bytes(buf))

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class Viewer(threading.Thread):
    """Subscribes and records the time of each Tick."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.peer = Peer(port, "viewer", role=2, caps=1)
        self.peer.send(0x20, view_msg(0x01, s("") + bytes([0])))
        self.ticks = []
        self.alive = True

    def run(self):
        buf = b""
        sock = self.peer.sock
        sock.settimeout(60)
        while True:
            try:
                chunk = sock.recv(1 << 20)
            except OSError:
                chunk = b""
            if not chunk:
                self.alive = False
                return
            buf += chunk
            while len(buf) >= 9:
                length, ftype, _ = struct.unpack("<IBI", buf[:9])
                if len(buf) < 9 + length:
                    break
                body, buf = buf[9:9 + length], buf[9 + length:]
                if ftype == 0x20:
                    i = 0
                    while i < len(body):
                        tag = body[i]
                        i += 1
                        n, shift = 0, 0
                        while True:
                            b = body[i]
                            i += 1
                            n |= (b & 0x7F) << shift
                            shift += 7
                            if b < 0x80:
                                break
                        if tag == 0x4A:
                            self.ticks.append(time.monotonic())
                        i += n

    def max_gap(self, since):
        ts = [t for t in self.ticks if t >= since]
        if len(ts) < 2:
            return float("inf")
        return max(b - a for a, b in zip(ts, ts[1:]))


def scrape(port, timeout=10):
    t = time.monotonic()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=timeout) as r:
            return r.read().decode("utf-8", "replace"), time.monotonic() - t
    except Exception:
        return None, time.monotonic() - t


def metric(text, name, labels=""):
    total = None
    for line in (text or "").splitlines():
        if line.startswith(name + "{" + labels if labels else name + " ") or (labels == "" and line.startswith(name + "{")):
            try:
                total = (total or 0) + float(line.rsplit(" ", 1)[1])
            except ValueError:
                pass
    return total


def rss(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def promtool_ok(text):
    if not shutil.which("promtool") or text is None:
        return text is not None
    p = subprocess.run(["promtool", "check", "metrics"], input=text.encode(), capture_output=True)
    return p.returncode == 0


class Stack:
    def __init__(self, build, extra=(), node="good", loadgen_args=()):
        self.dir = tempfile.mkdtemp(prefix="actorscope-siege-")
        with open(os.path.join(self.dir, "token"), "w") as f:
            f.write(TOKEN + "\n")
        self.collector = subprocess.Popen(
            [f"{build}/bin/actorscope-collector", "--listen", "tcp:127.0.0.1:0", "--metrics", "127.0.0.1:0",
             "--token-file", os.path.join(self.dir, "token"), *extra],
            stdout=subprocess.PIPE, stderr=open(os.path.join(self.dir, "stderr"), "w"), text=True)
        self.port = self.metrics = None
        for line in self.collector.stdout:
            m = re.search(r"listening on tcp:127.0.0.1:(\d+)", line)
            if m:
                self.port = int(m.group(1))
            m = re.search(r"metrics on http://127.0.0.1:(\d+)", line)
            if m:
                self.metrics = int(m.group(1))
                break
        self.loadgen = subprocess.Popen(
            [f"{build}/bin/actorscope-loadgen", "--collector", f"tcp:127.0.0.1:{self.port}", "--node", node,
             "--token-file", os.path.join(self.dir, "token"), *loadgen_args],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        time.sleep(1.0)
        self.viewer = Viewer(self.port)
        self.viewer.start()

    def stderr_lines(self):
        with open(os.path.join(self.dir, "stderr"), errors="replace") as f:
            return sum(1 for _ in f)

    def stop(self):
        for p in (self.loadgen, self.collector):
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def attacks(scale):
    """(name, function(stack)) at `scale` times the table's sizes."""

    def colliding(st):
        a = Peer(st.port, "colliding")
        a.batch([string_def(1, "t")] + [spawn((i << 40) | 1, 1) for i in range(1, 80_000 * scale // 1 + 1)])
        return a

    def searches(st):
        v = Peer(st.port, "searcher", role=2, caps=1)
        req = b"".join(view_msg(0x03, varint(r) + varint(0) + varint(0xFFFFFFFF) + varint(0) + varint(100) + s("no such text"))
                       for r in range(1, 1000 * scale + 1))
        for i in range(0, len(req), 900_000):
            v.send(0x20, req[i:i + 900_000])
        return v

    def bad_utf8(st):
        a = Peer(st.port, b"bad\xff\xfe node")
        a.batch([string_def(1, b"type\xff\xc3(" * 10), spawn(1, 1)])
        return a

    def slow_http(st):
        conns = []
        for _ in range(8 * scale):
            c = socket.create_connection(("127.0.0.1", st.metrics))
            c.sendall(b"G")
            conns.append(c)
        return conns

    def telemetry_names(st):
        a = Peer(st.port, "telemetry-names")
        recs = []
        for i in range(1, 14_000 * scale + 1):
            recs += [string_def(i, f"event.{i}." + "x" * 200), telemetry(i)]
        a.batch(recs)
        return a

    def huge_string_id(st):
        agents = []
        for i in range(20 * scale):
            a = Peer(st.port, f"sparse-{i}")
            a.batch([string_def(4_194_303, "x")])
            agents.append(a)
        return agents

    def many_long_types(st):
        a = Peer(st.port, "long-types")
        recs = []
        for i in range(1, 3000 * scale + 1):
            recs += [string_def(i, f"type{i}" + "y" * 4000), spawn(i, i)]
        a.batch(recs)
        return a

    def cycles(st):
        for i in range(6000 * scale):
            p = Peer(st.port, f"cycle-{i}-" + "n" * 4000)
            p.close()
        return None

    def greedy_first(st):
        a = Peer(st.port, "greedy")
        recs = []
        for i in range(1, 10_000 * scale + 1):
            recs += [string_def(i, f"type{i}"), spawn(i, i)]
        a.batch(recs)
        return a

    def pending_flood(st):
        conns = []
        for _ in range(min(1030 * scale, 4000)):
            try:
                conns.append(socket.create_connection(("127.0.0.1", st.port)))
            except OSError:
                break
        return conns

    def takeover(st):
        for i in range(100 * scale):
            Peer(st.port, "good", incarnation=1000 + i).close()
        return None

    def malformed(st):
        v = Peer(st.port, "bad-viewer", role=2, caps=1)
        for _ in range(100 * scale):
            v.send(0x20, b"\x32\x7f\x01")
        return v

    def child_ids(st):
        a = Peer(st.port, "children")
        recs = [string_def(1, "sup"), spawn(1, 1, kind=1)]
        for i in range(2, 60_000 * scale + 2):
            recs += [string_def(i, f"child{i}"), restart(1, i, 0, 0)]
        for i in range(100_000 * scale):
            recs.append(restart(1, 2 + (i % 100), 0, 0))
        a.batch(recs)
        return a

    def partial_frames(st):
        peers = []
        for i in range(100 * min(scale, 2)):
            p = Peer(st.port, f"partial-{i}")
            p.sock.sendall(struct.pack("<IBI", (1 << 20) - 16, 0x10, 1) + b"\0" * ((1 << 20) - 17))
            peers.append(p)
        return peers

    def deep_chain_moves(st):
        # A chain 10 000 x scale deep, then one actor moved back and forth under its bottom:
        # each move is checked for a cycle by walking up the new parent's chain.
        a = Peer(st.port, "deep-chain")
        depth = 10_000 * scale
        recs = [string_def(1, "w"), spawn(1, 1)] + [spawn(i, 1, parent=i - 1) for i in range(2, depth + 1)]
        mover = depth + 1
        recs.append(spawn(mover, 1))
        recs += [spawn(mover, 1, parent=depth - i % 2) for i in range(2000 * scale)]
        a.batch(recs)
        return a

    def waiting_children_leave(st):
        # 10 000 x scale children waiting for a parent that never comes, then ended oldest first.
        a = Peer(st.port, "waiting")
        n = 10_000 * scale
        a.batch([string_def(1, "w")] + [spawn(10 + k, 1, parent=1) for k in range(n)] +
                [exited(10 + k) for k in range(n)])
        return a

    def flow_records(st):
        # 16 384 actors, then flow records of 256 edges each, every edge to another receiver
        # from a sender it has not seen (the costliest flow record there is).
        a = Peer(st.port, "flow", caps=8)
        receivers = 16_384
        recs = [string_def(1, "w")] + [spawn(k, 1) for k in range(1, receivers + 1)]
        sender = 0
        for i in range(200 * scale):
            edges = []
            for k in range(256):
                sender += 1
                edges.append((1 + sender % receivers, 1 + (i * 256 + k) % receivers, 1))
            recs.append(flow_edges(edges))
        a.batch(recs)
        return a

    def supervisor_flips(st):
        # A supervisor with a child id among 5000 siblings, turned into a worker and back 2000 x
        # scale times: each time it stops being a supervisor, its successor is looked for.
        a = Peer(st.port, "flips")
        recs = [string_def(1, "w"), string_def(2, "pool"), spawn(1, 1, kind=1)]
        recs += [spawn(k, 1, parent=1) for k in range(100, 5100)]
        for i in range(4000 * scale):
            recs.append(spawn(10, 1, parent=1, child=2, kind=0 if i % 2 else 1))
        a.batch(recs)
        return a

    return [("1 colliding actor ids", colliding), ("2 many searches in frames", searches),
            ("4a invalid UTF-8 names", bad_utf8), ("4b slow HTTP clients", slow_http),
            ("5 telemetry names", telemetry_names), ("6a huge string ids", huge_string_id),
            ("6c long actor types", many_long_types), ("6d connect/disconnect cycles", cycles),
            ("7 greedy node first", greedy_first), ("8 pending flood", pending_flood),
            ("10 takeover attempts", takeover), ("11 malformed viewer requests", malformed),
            ("14 child ids and restarts", child_ids), ("15 partial frames", partial_frames),
            ("16 moves under a deep chain", deep_chain_moves),
            ("17 waiting children leave", waiting_children_leave),
            ("18 costly flow records", flow_records),
            ("19 supervisor flips among many siblings", supervisor_flips)]


def run_attacks(build, scale):
    print(f"siege: scale {scale}x the hostile-peer table, default bounds", flush=True)
    print("| attack | longest loop turn | longest gap between deltas | slowest scrape | promtool | good node | RSS | model memory | log lines |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, attack in attacks(scale):
        st = Stack(build, loadgen_args=["--duration", "3600", "--rate", "5000", "--stay", "0"])
        try:
            time.sleep(1.5)
            lines0 = st.stderr_lines()
            t0 = time.monotonic()
            slowest = [0.0]
            stop = threading.Event()

            def scraper():
                while not stop.is_set():
                    _, took = scrape(st.metrics)
                    slowest[0] = max(slowest[0], took)
                    time.sleep(0.2)
            th = threading.Thread(target=scraper, daemon=True)
            th.start()
            try:
                held = attack(st)
            except Exception as e:  # the collector refusing us is part of the answer
                held = None
                print(f"siege: {name}: {e}", file=sys.stderr)
            time.sleep(2.0)
            stop.set()
            th.join()
            text, took = scrape(st.metrics)
            turn = metric(text, "actorscope_collector_loop_turn_longest_seconds")
            good = metric(text, "actorscope_node_connected", 'node="good"')
            mem = metric(text, "actorscope_collector_model_memory_bytes")
            gap = st.viewer.max_gap(t0)
            print(f"| {name} | {turn * 1000 if turn is not None else float('nan'):.1f} ms | {gap * 1000:.0f} ms | "
                  f"{max(slowest[0], took) * 1000:.0f} ms | {'clean' if promtool_ok(text) else 'FAILS'} | "
                  f"{'connected' if good == 1 else 'LOST'} | {rss(st.collector.pid) / 1e6:.0f} MB | "
                  f"{(mem or 0) / 1e6:.0f} MB | {st.stderr_lines() - lines0} |", flush=True)
            del held
        finally:
            st.stop()


def slope_per_hour(points):
    """Least-squares slope of (t, v) points, in units per hour."""
    n = len(points)
    if n < 2:
        return float("nan")
    mt = sum(t for t, _ in points) / n
    mv = sum(v for _, v in points) / n
    return 3600 * sum((t - mt) * (v - mv) for t, v in points) / max(sum((t - mt) ** 2 for t, _ in points), 1e-9)


# What the soak records beside RSS, from the collector's own /metrics.
SOAK_GAUGES = [("model", "actorscope_collector_model_memory_bytes", ""),
               ("heap_in_use", "actorscope_collector_heap_bytes", 'state="in_use"'),
               ("heap_free", "actorscope_collector_heap_bytes", 'state="free"'),
               ("actor_table", "actorscope_collector_actor_table_bytes", ""),
               ("strings", "actorscope_collector_strings", ""),
               ("live_actors", "actorscope_collector_live_actors", ""),
               ("history", "actorscope_collector_history_bytes", "")]
# Derived from the gauges: the heap in use beside what the flight recorder holds. The recorder
# fills up to --history-bytes (or --history-age) and then stays there; what grows beside it
# is what a leak would look like.
SOAK_DERIVED = [("heap_beside_history", lambda r: r["heap_in_use"] - r["history"])]


def soak(build, seconds, warmup=60, csv_path=None, collector_args=()):
    st = Stack(build, extra=collector_args, loadgen_args=["--duration", str(seconds), "--rate", "20000", "--crash-rate", "0.001",
                                    "--telemetry-rate", "0.05", "--stay", "0", "--actors", "2000"])
    samples = []  # (t, {"rss": bytes, gauge: value})
    t0 = time.monotonic()
    viewers = []
    csv = open(csv_path, "w") if csv_path else None
    if csv:
        csv.write("t,rss," + ",".join(k for k, _, _ in SOAK_GAUGES) + "\n")
    try:
        next_report = 60
        while time.monotonic() - t0 < seconds:
            text, _ = scrape(st.metrics)
            if not promtool_ok(text):
                print("soak: /metrics failed promtool", flush=True)
            t = time.monotonic() - t0
            row = {"rss": rss(st.collector.pid)}
            for key, name, labels in SOAK_GAUGES:
                row[key] = metric(text, name, labels) or 0
            for key, derive in SOAK_DERIVED:
                row[key] = derive(row)
            samples.append((t, row))
            if csv:
                csv.write(f"{t:.1f},{row['rss']}," + ",".join(f"{row[k]:.0f}" for k, _, _ in SOAK_GAUGES) + "\n")
                csv.flush()
            if t >= next_report:
                next_report += 60
                print(f"soak: t={t:.0f} s RSS {row['rss'] / 1e6:.1f} MB, model {row['model'] / 1e6:.1f} MB, heap in use "
                      f"{row['heap_in_use'] / 1e6:.1f} MB (flight recorder {row['history'] / 1e6:.1f} MB), heap free "
                      f"{row['heap_free'] / 1e6:.1f} MB, strings {row['strings']:.0f}", flush=True)
            if int(time.monotonic() - t0) % 5 == 0:
                viewers.append(Viewer(st.port))
                viewers[-1].start()
                if len(viewers) > 4:
                    viewers.pop(0).peer.close()
            time.sleep(1.0)
        line = st.loadgen.stdout.readline()
        counts = dict(kv.split("=") for kv in line.split()[1:] if "=" in kv)
        time.sleep(3.0)
        text, _ = scrape(st.metrics)
        warm = [(t, r) for t, r in samples if t > warmup]
        half = warm[len(warm) // 2:]
        print(f"soak: {seconds} s, warm-up {warmup} s, collector {' '.join(collector_args) or 'with default bounds'}; "
              f"after the warm-up RSS {warm[0][1]['rss'] / 1e6:.1f} MB -> "
              f"{warm[-1][1]['rss'] / 1e6:.1f} MB at the end", flush=True)
        for key in ["rss"] + [k for k, _, _ in SOAK_GAUGES] + [k for k, _ in SOAK_DERIVED]:
            unit, scale = ("", 1) if key in ("strings", "live_actors") else (" MB", 1e6)
            whole = slope_per_hour([(t, r[key]) for t, r in warm]) / scale
            last = slope_per_hour([(t, r[key]) for t, r in half]) / scale
            print(f"soak: slope of {key}: {whole:.2f}{unit}/hour after warm-up, {last:.2f}{unit}/hour over the last half",
                  flush=True)
        seen = metric(text, "actorscope_messages_processed_total", 'node="good"')
        restarts = metric(text, "actorscope_supervisor_restarts_total", 'node="good"')
        print(f"soak: loadgen processed={counts.get('messages_processed')} restarts={counts.get('restarts')}; "
              f"collector processed={seen} restarts={restarts}; viewers still receiving: "
              f"{sum(1 for v in viewers if v.alive)}/{len(viewers)}", flush=True)
    finally:
        if csv:
            csv.close()
        st.stop()


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    scale = 1
    soak_s = 0
    warmup = 60
    csv_path = None
    collector_args = []
    args = sys.argv[2:]
    for i, a in enumerate(args):
        if a == "--scale":
            scale = int(args[i + 1])
        if a == "--soak":
            soak_s = int(args[i + 1])
        if a == "--warmup":
            warmup = int(args[i + 1])
        if a == "--csv":
            csv_path = args[i + 1]
        if a == "--collector-args":
            collector_args = shlex.split(args[i + 1])
    if soak_s:
        soak(build, soak_s, warmup, csv_path, collector_args)
    else:
        run_attacks(build, scale)


if __name__ == "__main__":
    main()
