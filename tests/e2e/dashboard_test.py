#!/usr/bin/env python3
"""The Grafana dashboards against the real thing: each one's structure is portable
(datasource input, no hard-coded datasource uid, every variable defined), its variables
resolve to this run's node, and every panel's PromQL returns at least one series from a
real Prometheus scraping a collector. Prints each panel's query and a value it returned.

The main dashboard's collector is fed by actorscope-loadgen (crashes, a slow consumer,
telemetry); the BEAM dashboard's (--beam) by actorscope-beam attached to an Erlang node the
test starts, with its own epmd on a free port, so nothing outlives the test.

With --prometheus it starts nothing and asks a Prometheus already running (the walk of
docs/OPERATIONS.md, whose service and app it did not start), for the given node.

usage: dashboard_test.py DASHBOARD COLLECTOR LOADGEN PROMETHEUS
       dashboard_test.py --beam DASHBOARD COLLECTOR ACTORSCOPE_BEAM PROMETHEUS ERL EPMD
       dashboard_test.py --prometheus DASHBOARD PORT NODE [RATE_INTERVAL]"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

NODE = "dashboard-e2e"  # loadgen's node; a BEAM node is named by its Erlang name
DEADLINE_S = 90  # generous: a condition, not a timing


def fail(msg):
    print("dashboard: FAIL: " + msg)
    sys.exit(1)


def check_structure(d):
    problems = []
    inputs = [i.get("name") for i in d.get("__inputs", []) if i.get("type") == "datasource"]
    if inputs != ["DS_PROMETHEUS"]:
        problems.append(f"expected one datasource input DS_PROMETHEUS, got {inputs}")
    defined = {v["name"] for v in d.get("templating", {}).get("list", [])}
    builtin = {"__rate_interval", "__interval", "__range", "__all"}
    for v in d.get("templating", {}).get("list", []):
        if v.get("datasource", {}).get("uid") != "${DS_PROMETHEUS}":
            problems.append(f"variable {v['name']}: datasource is not ${{DS_PROMETHEUS}}")
    for p in d["panels"]:
        if p["type"] == "row":
            continue
        if p.get("datasource", {}).get("uid") != "${DS_PROMETHEUS}":
            problems.append(f"panel {p['title']!r}: datasource is not ${{DS_PROMETHEUS}}")
        if not p.get("targets"):
            problems.append(f"panel {p['title']!r}: no query")
        for t in p.get("targets", []):
            if t.get("datasource", {}).get("uid") != "${DS_PROMETHEUS}":
                problems.append(f"panel {p['title']!r}: a target's datasource is not ${{DS_PROMETHEUS}}")
            for var in re.findall(r"\$\{?(\w+)", t["expr"]):
                if var not in defined and var not in builtin:
                    problems.append(f"panel {p['title']!r}: ${var} is not a dashboard variable")
    text = json.dumps(d)
    for uid in re.findall(r'"uid":\s*"([^"]*)"', text):
        if uid not in ("${DS_PROMETHEUS}", d.get("uid")):
            problems.append(f"hard-coded uid {uid!r}")
    return problems


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Proc:
    def __init__(self, args, env=None):
        self.lines = []
        # Its own session: stop() ends whatever it started too (erl's helpers).
        self.p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                                  start_new_session=True)
        self.group = self.p.pid
        self.t = threading.Thread(target=self._read, daemon=True)
        self.t.start()

    def _read(self):
        for line in self.p.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_line(self, pattern, timeout=30):
        end = time.time() + timeout
        while time.time() < end:
            for line in list(self.lines):
                m = re.search(pattern, line)
                if m:
                    return m
            if self.p.poll() is not None and not self.t.is_alive():
                break
            time.sleep(0.05)
        return None

    def stop(self):
        if self.p.poll() is None:
            self.p.terminate()
            try:
                self.p.wait(20)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        try:
            os.killpg(self.group, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def group_gone(self, timeout=10):
        end = time.time() + timeout
        while time.time() < end:
            try:
                os.killpg(self.group, 0)
            except ProcessLookupError:
                return True
            time.sleep(0.05)
        return False


def query(port, expr):
    url = f"http://127.0.0.1:{port}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            body = json.load(r)
    except Exception as e:  # HTTP 400 for a query that does not parse
        return None, str(e)
    if body.get("status") != "success":
        return None, body.get("error", "?")
    return body["data"]["result"], None


def label_values(port, selector, label):
    """What Grafana's label_values(SELECTOR, LABEL) offers: the label's values on matching series."""
    url = f"http://127.0.0.1:{port}/api/v1/label/{label}/values?" + urllib.parse.urlencode({"match[]": selector})
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            body = json.load(r)
    except Exception:
        return []
    return (body.get("data") or []) if body.get("status") == "success" else []


RATE_INTERVAL = "30s"  # Grafana's $__rate_interval at a 1 s scrape interval, with room


def substitute(expr, values):
    builtin = {"__rate_interval": RATE_INTERVAL, "__interval": "15s"}
    return re.sub(r"\$\{?(\w+)\}?", lambda m: values.get(m.group(1), builtin.get(m.group(1), m.group(0))), expr)


def resolve_variables(d, port, node, end):
    """Each variable's label_values query, with the variables before it substituted, must offer
    values ($node: this run's node). $node then stands for this node, the others for All."""
    values = {}
    for v in d["templating"]["list"]:
        m = re.fullmatch(r"label_values\((.+),\s*(\w+)\)", v["query"]["query"].strip())
        if not m:
            fail(f"variable {v['name']}: expected label_values(SELECTOR, LABEL), got {v['query']['query']!r}")
        selector = substitute(m.group(1), values)
        offered = []
        while time.time() < end:
            offered = label_values(port, selector, m.group(2))
            if offered and (v["name"] != "node" or node in offered):
                break
            time.sleep(0.5)
        if not offered or (v["name"] == "node" and node not in offered):
            fail(f"variable {v['name']}: label_values({selector}, {m.group(2)}) offers {offered}, not this run's node {node}")
        print(f"dashboard: variable ${v['name']}: label_values({selector}, {m.group(2)}) -> {offered[:5]}")
        values[v["name"]] = node if v["name"] == "node" else v.get("allValue", ".*")
    return values


def start_collector(collector_bin, env, procs):
    collector = Proc([collector_bin, "--listen", "tcp:127.0.0.1:0", "--metrics", "127.0.0.1:0"], env)
    procs.append(collector)
    listen = collector.wait_line(r"listening on (tcp:\S+)")
    metrics = collector.wait_line(r"metrics on http://[^:]+:(\d+)/metrics")
    if not listen or not metrics:
        fail("the collector did not start:\n" + "\n".join(collector.lines))
    return listen.group(1), metrics.group(1)


def start_prometheus(prometheus_bin, tmp, metrics_port, env, procs):
    port = free_port()
    with open(os.path.join(tmp, "prometheus.yml"), "w") as f:
        f.write("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                "scrape_configs:\n  - job_name: actorscope\n    static_configs:\n"
                f"      - targets: ['127.0.0.1:{metrics_port}']\n")
    procs.append(Proc([prometheus_bin, f"--config.file={tmp}/prometheus.yml", f"--storage.tsdb.path={tmp}/data",
                       f"--web.listen-address=127.0.0.1:{port}"], env))
    return port


def feed_with_loadgen(loadgen_bin, listen, env, procs):
    procs.append(Proc([loadgen_bin, "--collector", listen, "--node", NODE, "--actors", "200",
                       "--rate", "2000", "--crash-rate", "0.01", "--slow-consumer", "--telemetry-rate", "0.05",
                       "--intensity", "100000", "--duration", "600", "--stay", "0", "--flush-ms", "100"], env))
    return NODE


def epmd_names(port):
    """The names an epmd knows (its NAMES_REQ), or None when it does not answer."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            s.sendall(b"\x00\x01n")
            data = b""
            while chunk := s.recv(4096):
                data += chunk
    except OSError:
        return None
    return re.findall(r"name (\S+) at port", data[4:].decode(errors="replace")) if len(data) >= 4 else None


# The node's own work, so that reductions, garbage collections and an ETS table of its own
# show on the dashboard beside what the attach costs.
BEAM_WORKLOAD = ("Work = fun Step(N) -> _ = lists:sum([X * X || X <- lists:seq(1, 2000)]), "
                 "receive stop -> ok after 50 -> Step(N + 1) end end, "
                 "spawn(fun() -> register(dashboard_load, self()), "
                 "ets:new(dashboard_table, [named_table, public]), Work(0) end).")


def feed_with_beam(beam_bin, erl_bin, epmd_bin, listen, tmp, env, procs, end):
    """A real Erlang node with its own epmd on a free port, and actorscope-beam attached to it."""
    for b in (erl_bin, epmd_bin):
        if not os.access(b, os.X_OK):
            fail(f"{b} is not executable (erlang comes from Debian's packages, see scripts/install-deps.sh)")
    cookie = os.path.join(tmp, ".erlang.cookie")
    with open(cookie, "w") as f:
        f.write("DASHBOARD" + os.urandom(8).hex().upper())
    os.chmod(cookie, 0o400)
    epmd_port = free_port()
    node_env = dict(env, HOME=tmp, ERL_EPMD_PORT=str(epmd_port))
    epmd = Proc([epmd_bin, "-port", str(epmd_port)], node_env)
    procs.append(epmd)
    while epmd_names(epmd_port) is None:
        if time.time() > end or epmd.p.poll() is not None:
            fail("epmd did not start:\n" + "\n".join(epmd.lines))
        time.sleep(0.1)
    alive = f"dashboard_{os.getpid()}"
    node = f"{alive}@{socket.gethostname().split('.')[0]}"
    erl = Proc([erl_bin, "-sname", alive, "-start_epmd", "false", "-noinput", "-kernel", "net_ticktime", "4",
                "-eval", BEAM_WORKLOAD], node_env)
    procs.append(erl)
    while alive not in (epmd_names(epmd_port) or []):
        if time.time() > end or erl.p.poll() is not None:
            fail("the Erlang node did not start:\n" + "\n".join(erl.lines))
        time.sleep(0.1)
    procs.append(Proc([beam_bin, "--node", node, "--cookie-file", cookie, "--collector", listen], node_env))
    return node


def answer_every_panel(d, port, node, end):
    """Resolves the variables, then asks every panel's queries until each has a series."""
    values = resolve_variables(d, port, node, end)

    # Every panel's queries, variables substituted, must answer with a series.
    pending = []
    for p in d["panels"]:
        if p["type"] == "row":
            continue
        for t in p["targets"]:
            pending.append((p["title"], t.get("legendFormat", ""), substitute(t["expr"], values)))
    answered = {}
    errors = {}
    while pending and time.time() < end:
        still = []
        for item in pending:
            result, err = query(port, item[2])
            if err is not None and "connection" not in err.lower() and "refused" not in err.lower():
                errors[item] = err
            if result:
                answered[item] = result
            else:
                still.append(item)
        pending = still
        if pending:
            time.sleep(1)
    for title, legend, expr in [k for k in answered]:
        r = answered[(title, legend, expr)][0]
        labels = ",".join(f'{k}="{v}"' for k, v in sorted(r["metric"].items()))
        print(f"dashboard: ok  {title} [{legend}]: {expr}  ->  {{{labels}}} {r['value'][1]}")
    for item in pending:
        print(f"dashboard: EMPTY  {item[0]} [{item[1]}]: {item[2]}" + (f"  ({errors[item]})" if item in errors else ""))
    print(f"dashboard: {len(answered)} passed, {len(pending)} failed")
    return not pending


def main():
    global RATE_INTERVAL
    args = sys.argv[1:]
    if args[:1] == ["--prometheus"]:
        dash_path, port, node = args[1:4]
        RATE_INTERVAL = args[4] if len(args) > 4 else RATE_INTERVAL
        with open(dash_path) as f:
            d = json.load(f)
        problems = check_structure(d)
        for p in problems:
            print("dashboard: " + p)
        if problems:
            fail(f"{len(problems)} structure problems")
        if not answer_every_panel(d, port, node, time.time() + DEADLINE_S):
            fail("some queries returned no series")
        return
    beam = args[:1] == ["--beam"]
    if beam:
        dash_path, collector_bin, beam_bin, prometheus_bin, erl_bin, epmd_bin = args[1:7]
        feeder_bin = beam_bin
    else:
        dash_path, collector_bin, loadgen_bin, prometheus_bin = args[0:4]
        feeder_bin = loadgen_bin
    with open(dash_path) as f:
        d = json.load(f)
    problems = check_structure(d)
    for p in problems:
        print("dashboard: " + p)
    if problems:
        fail(f"{len(problems)} structure problems")
    for b in (collector_bin, feeder_bin, prometheus_bin):
        if not os.access(b, os.X_OK):
            fail(f"{b} is not executable (prometheus comes from Debian's package, see scripts/install-deps.sh)")

    tmp = tempfile.mkdtemp(prefix="actorscope-dashboard-")
    procs = []
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACTORSCOPE_")}
    end = time.time() + DEADLINE_S
    try:
        listen, metrics_port = start_collector(collector_bin, env, procs)
        if beam:
            node = feed_with_beam(beam_bin, erl_bin, epmd_bin, listen, tmp, env, procs, end)
        else:
            node = feed_with_loadgen(loadgen_bin, listen, env, procs)
        port = start_prometheus(prometheus_bin, tmp, metrics_port, env, procs)
        if not answer_every_panel(d, port, node, end):
            for p in procs:
                print(f"dashboard: --- {p.p.args[0]} ---\n" + "\n".join(p.lines[-20:]))
            fail("some queries returned no series")
    finally:
        for p in reversed(procs):
            p.stop()
        shutil.rmtree(tmp, ignore_errors=True)
        left = [p.p.args[0] for p in procs if not p.group_gone()]
        if left:
            fail(f"processes left running after the test: {left}")


if __name__ == "__main__":
    main()
