#!/usr/bin/env python3
"""Writes deploy/grafana/actorscope.json, the Grafana dashboard for actorscope collectors.

The dashboard is portable: its datasource is the ${DS_PROMETHEUS} input chosen at import,
and every panel is filtered by the $node and $actor_type template variables. Edit the
panel list below and run this script; tests/e2e/dashboard_test.py checks the result and
runs every query against a real Prometheus scraping a collector."""
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
     "The collector's warnings: mailbox_growing, slow_handler, stuck_actor, restart_storm, agent_drops."),
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


def build():
    panels, y, pid, row = [], 0, 1, None
    x = 0
    for r, title, unit, kind, targets, description in PANELS:
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

    def var(name, query, label):
        return {"name": name, "label": label, "type": "query", "datasource": DS,
                "query": {"query": query, "refId": "StandardVariableQuery"}, "definition": query,
                "includeAll": True, "multi": True, "allValue": ".*", "refresh": 2, "sort": 1,
                "current": {"selected": True, "text": ["All"], "value": ["$__all"]}}

    return {
        "__inputs": [{"name": "DS_PROMETHEUS", "label": "Prometheus", "description": "The Prometheus that scrapes your actorscope collectors",
                      "type": "datasource", "pluginId": "prometheus", "pluginName": "Prometheus"}],
        "__requires": [{"type": "grafana", "id": "grafana", "name": "Grafana", "version": "9.0.0"},
                       {"type": "datasource", "id": "prometheus", "name": "Prometheus", "version": "1.0.0"}],
        "title": "actorscope", "uid": "actorscope", "description": "Actors, supervisors, mailboxes and the collector itself, from actorscope collectors.",
        "tags": ["actorscope", "actors"], "timezone": "", "editable": True, "schemaVersion": 37, "version": 1,
        "time": {"from": "now-1h", "to": "now"}, "refresh": "10s",
        "templating": {"list": [var("node", "label_values(actorscope_node_connected, node)", "Node"),
                                var("actor_type", 'label_values(actorscope_actors{node=~"$node"}, actor_type)', "Actor type")]},
        "annotations": {"list": []},
        "panels": panels,
    }


if __name__ == "__main__":
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "actorscope.json")
    with open(out, "w") as f:
        json.dump(build(), f, indent=2, ensure_ascii=False)
        f.write("\n")
    print("wrote", out)
