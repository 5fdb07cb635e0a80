#!/usr/bin/env python3
"""The Grafana dashboard against the real thing: its structure is portable (datasource
input, no hard-coded datasource uid, every variable defined), and every panel's PromQL
returns at least one series from a real Prometheus scraping a collector fed by
actorscope-loadgen (crashes, a slow consumer, telemetry). Prints each panel's query and
a value it returned.

usage: dashboard_test.py DASHBOARD COLLECTOR LOADGEN PROMETHEUS"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

NODE = "dashboard-e2e"
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
        self.p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
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


def main():
    dash_path, collector_bin, loadgen_bin, prometheus_bin = sys.argv[1:5]
    with open(dash_path) as f:
        d = json.load(f)
    problems = check_structure(d)
    for p in problems:
        print("dashboard: " + p)
    if problems:
        fail(f"{len(problems)} structure problems")
    for b in (collector_bin, loadgen_bin, prometheus_bin):
        if not os.access(b, os.X_OK):
            fail(f"{b} is not executable (prometheus comes from Debian's package, see scripts/install-deps.sh)")

    tmp = tempfile.mkdtemp(prefix="actorscope-dashboard-")
    procs = []
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACTORSCOPE_")}
    try:
        collector = Proc([collector_bin, "--listen", "tcp:127.0.0.1:0", "--metrics", "127.0.0.1:0"], env)
        procs.append(collector)
        listen = collector.wait_line(r"listening on (tcp:\S+)")
        metrics = collector.wait_line(r"metrics on http://[^:]+:(\d+)/metrics")
        if not listen or not metrics:
            fail("the collector did not start:\n" + "\n".join(collector.lines))
        loadgen = Proc([loadgen_bin, "--collector", listen.group(1), "--node", NODE, "--actors", "200",
                        "--rate", "2000", "--crash-rate", "0.01", "--slow-consumer", "--telemetry-rate", "0.05",
                        "--intensity", "100000", "--duration", "600", "--stay", "0", "--flush-ms", "100"], env)
        procs.append(loadgen)
        port = free_port()
        with open(os.path.join(tmp, "prometheus.yml"), "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                    "scrape_configs:\n  - job_name: actorscope\n    static_configs:\n"
                    f"      - targets: ['127.0.0.1:{metrics.group(1)}']\n")
        prometheus = Proc([prometheus_bin, f"--config.file={tmp}/prometheus.yml", f"--storage.tsdb.path={tmp}/data",
                           f"--web.listen-address=127.0.0.1:{port}"], env)
        procs.append(prometheus)

        # Variables resolve to this run's node; every panel's queries must answer with a series.
        pending = []
        for p in d["panels"]:
            if p["type"] == "row":
                continue
            for t in p["targets"]:
                expr = (t["expr"].replace("$node", NODE).replace("$actor_type", ".*")
                        .replace("$__rate_interval", "30s").replace("$__interval", "15s"))
                pending.append((p["title"], t.get("legendFormat", ""), expr))
        answered = {}
        errors = {}
        end = time.time() + DEADLINE_S
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
        if pending:
            fail(f"{len(pending)} queries returned no series")
        print(f"dashboard: {len(answered)} passed, 0 failed")
    finally:
        for p in reversed(procs):
            p.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
