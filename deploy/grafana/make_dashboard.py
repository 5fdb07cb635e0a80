#!/usr/bin/env python3
"""Writes the Grafana dashboards in deploy/grafana/: actorscope.json (actors, supervisors,
mailboxes and the collector itself) and actorscope-beam.json (the VM of BEAM nodes that
actorscope-beam attaches to: PromEx's BEAM panels on the actorscope_beam_* series).

Both are portable: their datasource is the ${DS_PROMETHEUS} input chosen at import, and
every panel is filtered by the $node template variable (and $actor_type in the first).
Edit the panel lists below and run this script; tests/e2e/dashboard_test.py checks the
results and runs every query against a real Prometheus scraping a collector."""
import json
import os

DS = {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}
SEL = 'node=~"$node"'
SELT = 'node=~"$node",actor_type=~"$actor_type"'
RI = "$__rate_interval"

# (row, title, unit, kind, [(legend, expr)], description)
PANELS = [
    ("Actors", "Live actors by type", "short", "timeseries",
     [("{{actor_type}}", f"sum by (actor_type) (actorscope_actors{{{SELT}}})")],
     "Actors alive now, per actor type (supervisors included)."),
    ("Actors", "Spawns per second", "ops", "timeseries",
     [("{{actor_type}}", f"sum by (actor_type) (rate(actorscope_actor_spawns_total{{{SELT}}}[{RI}]))")],
     "Actors started per second, per type."),
    ("Actors", "Exits per second by reason", "ops", "timeseries",
     [("{{reason}}", f"sum by (reason) (rate(actorscope_actor_exits_total{{{SELT}}}[{RI}]))")],
     "normal, shutdown and {shutdown, _} are clean; error and killed are crashes."),
    ("Supervision", "Restarts per second by supervisor", "ops", "timeseries",
     [("{{node}} {{supervisor}}", f"sum by (node, supervisor) (rate(actorscope_supervisor_restarts_total{{{SEL}}}[{RI}]))")],
     "Children restarted per second. A supervisor that restarts more than intensity times in period seconds escalates."),
    ("Supervision", "Restarts in the last 5 minutes (top 10 supervisors)", "short", "bargauge",
     [("{{node}} {{supervisor}}", f"topk(10, sum by (node, supervisor) (increase(actorscope_supervisor_restarts_total{{{SEL}}}[5m])))")],
     "Where the restart budget is going."),
    ("Supervision", "Restart budget in use (top 10)", "percentunit", "bargauge",
     [("{{node}} {{supervisor}}", f"topk(10, max by (node, supervisor) (actorscope_supervisor_restart_budget_used_ratio{{{SEL}}}))")],
     "Restarts within the period divided by the intensity: at 100% the next crash in the period escalates."),
    ("Supervision", "Warnings in force by kind", "short", "timeseries",
     [("{{kind}}", f"sum by (kind) (actorscope_warnings{{{SEL}}})")],
     "The collector's warnings: mailbox_growing, mailbox_large, mailbox_wait, slow_handler, stuck_actor, restart_storm, agent_drops."),
    ("Mailboxes", "Deepest mailbox by type", "short", "timeseries",
     [("{{node}} {{actor_type}}", f"max by (node, actor_type) (actorscope_mailbox_max_messages{{{SELT}}})")],
     "The deepest single mailbox of each type."),
    ("Mailboxes", "Messages waiting by type", "short", "timeseries",
     [("{{actor_type}}", f"sum by (actor_type) (actorscope_mailbox_messages{{{SELT}}})")],
     "All messages queued in the mailboxes of each type."),
    ("Mailboxes", "Mailbox growth (messages per second)", "short", "timeseries",
     [("{{actor_type}}", f"sum by (actor_type) (deriv(actorscope_mailbox_messages{{{SELT}}}[5m]))")],
     "Positive and sustained: consumers are slower than producers."),
    ("Mailboxes", "Top 10 backlogs", "short", "bargauge",
     [("{{node}} {{actor_type}}", f"topk(10, max by (node, actor_type) (actorscope_mailbox_max_messages{{{SELT}}}))")],
     "The ten deepest mailbox types right now."),
    ("Processing", "Messages processed per second", "ops", "timeseries",
     [("{{actor_type}}", f"sum by (actor_type) (rate(actorscope_messages_processed_total{{{SELT}}}[{RI}]))"),
      ("enqueued {{actor_type}}", f"sum by (actor_type) (rate(actorscope_messages_enqueued_total{{{SELT}}}[{RI}]))")],
     "Handled (a processing scope ended) and enqueued messages per second."),
    ("Processing", "Processing time heatmap", "s", "heatmap",
     [("{{le}}", f"sum by (le) (rate(actorscope_processing_seconds_bucket{{{SELT}}}[{RI}]))")],
     "Time to handle one message, from the fixed histogram buckets (10 µs … 5 s)."),
    ("Processing", "Processing time percentiles", "s", "timeseries",
     [("p50", f"histogram_quantile(0.5, sum by (le) (rate(actorscope_processing_seconds_bucket{{{SELT}}}[{RI}])))"),
      ("p99", f"histogram_quantile(0.99, sum by (le) (rate(actorscope_processing_seconds_bucket{{{SELT}}}[{RI}])))")],
     "Estimated from the histogram buckets: exact only at bucket bounds."),
    ("Telemetry", "Telemetry events per second", "ops", "timeseries",
     [("{{event}}", f"sum by (event) (rate(actorscope_telemetry_events_total{{{SEL}}}[{RI}]))")],
     "Events emitted with actorscope_telemetry_execute / span, by event name."),
    ("Agents", "Nodes connected", "short", "stat",
     [("{{node}}", f"actorscope_node_connected{{{SEL}}}")],
     "1: the node's agent is connected; 0: gone (its last state is kept)."),
    ("Agents", "Agent drops per second", "ops", "timeseries",
     [("{{node}} {{kind}}", f"sum by (node, kind) (rate(actorscope_agent_dropped_total{{{SEL}}}[{RI}]))")],
     "Records an agent could not keep (bounded buffers full): what the viewers show is incomplete."),
    ("Collector", "Ingest rate (records per second)", "ops", "timeseries",
     [("records", f"sum(rate(actorscope_collector_events_ingested_total[{RI}]))")],
     "Records the collector applied to its model."),
    ("Collector", "Decode errors by reason", "ops", "timeseries",
     [("{{reason}}", f"sum by (reason) (rate(actorscope_collector_decode_errors_total[{RI}]))")],
     "Peers sending bad frames: each closes that one connection."),
    ("Collector", "Scrape time", "s", "timeseries",
     [("scrape", "max(actorscope_collector_scrape_duration_seconds)")],
     "Time the collector took to render /metrics."),
    ("Collector", "Connections", "short", "timeseries",
     [("{{role}}", "sum by (role) (actorscope_collector_connections)")],
     "Agents, viewers and connections still in their handshake."),
    ("Collector", "Peers dropped or refused per second", "ops", "timeseries",
     [("slow peers", f"sum(rate(actorscope_collector_slow_peers_dropped_total[{RI}]))"),
      ("refused connections", f"sum(rate(actorscope_collector_refused_connections_total[{RI}]))")],
     "Viewers that fell behind, connections over the limit."),
    ("Collector", "Model memory", "bytes", "timeseries",
     [("model", "sum(actorscope_collector_model_memory_bytes)")],
     "What the collector's model holds (its own accounting)."),
]


# The BEAM dashboard: PromEx's BEAM panels on what actorscope-beam reports for each node it
# attaches to (protocol/SPEC.md, "Node gauges"), plus what watching the node costs it.
BEAM_PANELS = [
    ("Processes and limits", "Processes and their limit", "short", "timeseries",
     [("{{node}} processes", f"max by (node) (actorscope_beam_processes{{{SEL}}})"),
      ("{{node}} limit", f"max by (node) (actorscope_beam_process_limit{{{SEL}}})")],
     "Processes alive and the node's process limit (+P): at the limit, spawn fails with system_limit."),
    ("Processes and limits", "Use of the VM's limits", "percentunit", "bargauge",
     [("{{node}} processes", f"max by (node) (actorscope_beam_processes{{{SEL}}}) / max by (node) (actorscope_beam_process_limit{{{SEL}}})"),
      ("{{node}} atoms", f"max by (node) (actorscope_beam_atoms{{{SEL}}}) / max by (node) (actorscope_beam_atom_limit{{{SEL}}})"),
      ("{{node}} ports", f"max by (node) (actorscope_beam_ports{{{SEL}}}) / max by (node) (actorscope_beam_port_limit{{{SEL}}})"),
      ("{{node}} ETS tables", f"max by (node) (actorscope_beam_ets_tables{{{SEL}}}) / max by (node) (actorscope_beam_ets_table_limit{{{SEL}}})")],
     "Each count divided by its limit. Atoms are never freed: at 100% of the atom limit the whole node stops."),
    ("Processes and limits", "Atoms and their limit", "short", "timeseries",
     [("{{node}} atoms", f"max by (node) (actorscope_beam_atoms{{{SEL}}})"),
      ("{{node}} limit", f"max by (node) (actorscope_beam_atom_limit{{{SEL}}})")],
     "Atoms in the atom table and its size (+t). An atom count that keeps growing is a leak (list_to_atom on input)."),
    ("Processes and limits", "Ports and their limit", "short", "timeseries",
     [("{{node}} ports", f"max by (node) (actorscope_beam_ports{{{SEL}}})"),
      ("{{node}} limit", f"max by (node) (actorscope_beam_port_limit{{{SEL}}})")],
     "Open ports (sockets, files, external programs) and the port limit (+Q)."),
    ("Processes and limits", "ETS tables and their limit", "short", "timeseries",
     [("{{node}} ETS tables", f"max by (node) (actorscope_beam_ets_tables{{{SEL}}})"),
      ("{{node}} limit", f"max by (node) (actorscope_beam_ets_table_limit{{{SEL}}})")],
     "ETS tables and the node's limit on them."),
    ("Schedulers", "Run queue length", "short", "timeseries",
     [("{{node}}", f"sum by (node) (actorscope_beam_run_queue_length{{{SEL}}})")],
     "Processes and ports ready to run and waiting for a scheduler, all run queues together. "
     "Sustained above the schedulers online: the node has more work than CPU."),
    ("Schedulers", "Scheduler utilisation", "percentunit", "timeseries",
     [("{{node}}", f"max by (node) (actorscope_beam_scheduler_utilization_ratio{{{SEL}}})")],
     "Busy share of the normal schedulers' wall time between two readings (scheduler_wall_time, "
     "turned on by the attach while it lasts)."),
    ("Schedulers", "Schedulers online", "short", "stat",
     [("{{node}}", f"max by (node) (actorscope_beam_schedulers_online{{{SEL}}})")],
     "Normal schedulers online: one per core by default."),
    ("Schedulers", "Reductions per second", "ops", "timeseries",
     [("{{node}}", f"sum by (node) (rate(actorscope_beam_reductions_total{{{SEL}}}[{RI}]))")],
     "The node's work: a reduction is about one function call."),
    ("Memory", "Memory by type", "bytes", "timeseries",
     [("{{node}} total", f"max by (node) (actorscope_beam_memory_allocated_bytes{{{SEL}}})")]
     + [(f"{{{{node}}}} {kind}", f"max by (node) (actorscope_beam_memory_{kind}_bytes{{{SEL}}})")
        for kind in ("processes", "system", "atom", "binary", "code", "ets")],
     "erlang:memory/1: total = processes + system; atom, binary, code and ETS are parts of system."),
    ("Memory", "Memory allocated", "bytes", "stat",
     [("{{node}}", f"max by (node) (actorscope_beam_memory_allocated_bytes{{{SEL}}})")],
     "erlang:memory(total): what the VM has allocated for its processes and itself."),
    ("Garbage collection", "Garbage collections per second", "ops", "timeseries",
     [("{{node}}", f"sum by (node) (rate(actorscope_beam_gc_runs_total{{{SEL}}}[{RI}]))")],
     "Garbage collections of process heaps, all processes together."),
    ("Garbage collection", "Memory reclaimed by GC", "Bps", "timeseries",
     [("{{node}}", f"sum by (node) (rate(actorscope_beam_gc_reclaimed_bytes_total{{{SEL}}}[{RI}]))")],
     "Bytes the garbage collections freed per second."),
    ("Cost of the attach", "Attached", "short", "stat",
     [("{{node}}", f"actorscope_node_connected{{{SEL}}}")],
     "1: actorscope-beam is attached and reporting; 0: gone (the actorscope_beam_* series stop while a node is not attached)."),
    ("Cost of the attach", "Reductions spent by the attach per second", "ops", "timeseries",
     [("{{node}}", f"sum by (node) (rate(actorscope_beam_attach_reductions_total{{{SEL}}}[{RI}]))")],
     "Reductions actorscope-beam's relay spent on the node (process scans, supervision walks, statistics): what watching it costs."),
    ("Cost of the attach", "The attach's share of the node's reductions", "percentunit", "timeseries",
     [("{{node}}", f"sum by (node) (rate(actorscope_beam_attach_reductions_total{{{SEL}}}[{RI}])) / "
                   f"sum by (node) (rate(actorscope_beam_reductions_total{{{SEL}}}[{RI}]))")],
     "The relay's reductions divided by all the node's reductions (the relay's included)."),
    ("Cost of the attach", "Relay memory", "bytes", "timeseries",
     [("{{node}}", f"max by (node) (actorscope_beam_attach_memory_bytes{{{SEL}}})")],
     "Memory of the relay process actorscope-beam runs on the node (removed when it leaves)."),
    ("Cost of the attach", "Last full process scan", "s", "timeseries",
     [("{{node}}", f"max by (node) (actorscope_beam_attach_scan_duration_seconds{{{SEL}}})")],
     "Wall time of the last full scan of the node's processes (batched, time-budgeted)."),
    ("Cost of the attach", "Processes seen by the last scan", "short", "timeseries",
     [("{{node}}", f"max by (node) (actorscope_beam_attach_scan_processes{{{SEL}}})")],
     "How many processes that scan read."),
]


def panel(pid, title, unit, kind, targets, description, x, y, w, h):
    p = {
        "id": pid, "title": title, "type": kind, "datasource": DS, "description": description,
        "gridPos": {"x": x, "y": y, "w": w, "h": h},
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "targets": [{"datasource": DS, "refId": chr(ord("A") + i), "expr": expr, "legendFormat": legend}
                    for i, (legend, expr) in enumerate(targets)],
    }
    if kind == "heatmap":
        p["targets"][0]["format"] = "heatmap"
        p["options"] = {"calculate": False, "yAxis": {"unit": unit}}
    return p


def layout(specs):
    panels, y, pid, row = [], 0, 1, None
    x = 0
    for r, title, unit, kind, targets, description in specs:
        if r != row:
            if x:
                y += 8
            panels.append({"id": pid, "type": "row", "title": r, "collapsed": False,
                           "gridPos": {"x": 0, "y": y, "w": 24, "h": 1}, "panels": []})
            pid += 1
            y += 1
            x, row = 0, r
        panels.append(panel(pid, title, unit, kind, targets, description, x, y, 12, 8))
        pid += 1
        x += 12
        if x >= 24:
            x, y = 0, y + 8
    return panels


def var(name, query, label):
    return {"name": name, "label": label, "type": "query", "datasource": DS,
            "query": {"query": query, "refId": "StandardVariableQuery"}, "definition": query,
            "includeAll": True, "multi": True, "allValue": ".*", "refresh": 2, "sort": 1,
            "current": {"selected": True, "text": ["All"], "value": ["$__all"]}}


def dashboard(title, uid, description, tags, variables, specs):
    return {
        "__inputs": [{"name": "DS_PROMETHEUS", "label": "Prometheus", "description": "The Prometheus that scrapes your actorscope collectors",
                      "type": "datasource", "pluginId": "prometheus", "pluginName": "Prometheus"}],
        "__requires": [{"type": "grafana", "id": "grafana", "name": "Grafana", "version": "9.0.0"},
                       {"type": "datasource", "id": "prometheus", "name": "Prometheus", "version": "1.0.0"}],
        "title": title, "uid": uid, "description": description,
        "tags": tags, "timezone": "", "editable": True, "schemaVersion": 37, "version": 1,
        "time": {"from": "now-1h", "to": "now"}, "refresh": "10s",
        "templating": {"list": variables},
        "annotations": {"list": []},
        "panels": layout(specs),
    }


def build():
    return dashboard("actorscope", "actorscope",
                     "Actors, supervisors, mailboxes and the collector itself, from actorscope collectors.",
                     ["actorscope", "actors"],
                     [var("node", "label_values(actorscope_node_connected, node)", "Node"),
                      var("actor_type", 'label_values(actorscope_actors{node=~"$node"}, actor_type)', "Actor type")],
                     PANELS)


def build_beam():
    # Only nodes that report VM figures: BEAM nodes actorscope-beam is attached to.
    return dashboard("actorscope BEAM", "actorscope-beam",
                     "The VM of the Erlang and Elixir nodes actorscope-beam attaches to, and what watching them costs.",
                     ["actorscope", "beam", "erlang", "elixir"],
                     [var("node", "label_values(actorscope_beam_processes, node)", "Node")],
                     BEAM_PANELS)


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    for name, d in (("actorscope.json", build()), ("actorscope-beam.json", build_beam())):
        out = os.path.join(here, name)
        with open(out, "w") as f:
            json.dump(d, f, indent=2, ensure_ascii=False)
            f.write("\n")
        print("wrote", out)
