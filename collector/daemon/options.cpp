// Parsing of actorscope-collector's flags: every bound is a flag with its default shown.
#include "options.hpp"

#include "actorscope/protocol/token.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace actorscope::collector {

std::string usage() {
  DaemonOptions d;
  const ModelSettings& m = d.model;
  const ServerSettings& s = d.server;
  std::ostringstream o;
  o << "usage: actorscope-collector [options]\n"
       "\n"
       "Accepts actorscope agents and viewers, keeps the live model of every connected app,\n"
       "and exports Prometheus metrics.\n"
       "\n"
       "  --listen ADDR            tcp:HOST:PORT or unix:PATH; repeatable (default tcp:127.0.0.1:7411)\n"
       "  --metrics HOST:PORT      Prometheus endpoint, or 'none' (default 127.0.0.1:9464)\n"
       "  --allow-remote           allow non-loopback listen and metrics addresses\n"
       "  --token-file FILE        agents and viewers must present the token in FILE\n"
       "  --tls-cert FILE          TLS on the TCP listeners (agents and viewers), with this PEM\n"
       "                           certificate (chain); unix sockets stay plain\n"
       "  --tls-key FILE           ... and this PEM private key (both or neither)\n"
       "  --tls-client-ca FILE     mutual TLS: clients must present a certificate signed by a CA in FILE\n"
       "  --tls-min-version V      oldest TLS version accepted: 1.3 (default) or 1.2\n"
       "  --metrics-token-file FILE  /metrics requires 'Authorization: Bearer <token in FILE>'\n"
       "  --metrics-basic-auth-file FILE  /metrics requires HTTP basic auth of a user in FILE:\n"
       "                           'user:password' or 'user:sha256:HEX' lines (with a token: either)\n"
       "  --metrics-tls-cert FILE  serve /metrics over HTTPS only, with this PEM certificate (chain)\n"
       "  --metrics-tls-key FILE   ... and this PEM private key (both or neither)\n"
       "  --record FILE            append every ingest frame to FILE (for replay); the flight\n"
       "                           recorder below keeps the recent past in memory either way\n"
       "  --replay FILE            replay a recorded FILE into the model while serving\n"
       "  --replay-speed X         0: as fast as possible, recorded clock (default); 1: real time\n"
       "  --allow-commands         let viewers send commands (kill) to agents that allow them\n"
       "  --log-level LEVEL        error, warn, info (default) or debug\n"
       "  --help                   this text\n"
       "\n"
       "Bounds:\n"
       "  --max-frame BYTES          largest frame payload accepted ("
    << s.max_frame << ")\n"
    << "  --max-output-bytes BYTES   output queue per connection (" << s.max_output_bytes << ")\n"
    << "  --max-connections N        (" << s.max_connections << ")\n"
    << "  --handshake-timeout-ms MS  (" << s.handshake_timeout_ms << ")\n"
    << "  --max-pending-connections N  connections in their handshake; the oldest gives way (" << s.max_pending_connections << ")\n"
    << "  --max-connections-per-peer N connections from one address (" << s.max_connections_per_peer << ")\n"
    << "  --idle-timeout-ms MS       an agent silent this long is closed (" << s.idle_timeout_ms << ")\n"
    << "  --frame-timeout-ms MS      a frame begun must be complete within this (" << s.frame_timeout_ms << ")\n"
    << "  --max-input-bytes BYTES    incomplete frames held, all connections (" << s.max_input_bytes << ")\n"
    << "  --peer-slice-us US         work on one peer before serving others (" << s.peer_slice_us << ")\n"
    << "  --takeover-silence-ms MS   a node's connection is replaced only after this silence ("
    << s.takeover_silence_ms << ")\n"
    << "  --log-interval-ms MS       a refusal is logged once per peer per interval (" << s.log_interval_ms << ")\n"
    << "  --metrics-mailbox-top N    series of actorscope_mailbox_top_messages: the N deepest mailboxes,\n"
    << "                             labelled by actor name; 0: none (" << d.exporter.mailbox_top << ")\n"
    << "  --max-series N             label sets per metric family, shared fairly by nodes; past a node's\n"
    << "                             share its series fold into its own 'other' (" << d.exporter.max_series << ")\n"
    << "  --http-max-connections N   open /metrics connections; at the bound the oldest of the address\n"
    << "                             holding the most is closed to make room (" << d.exporter.http_max_connections << ")\n"
    << "  --http-max-connections-per-address N  /metrics connections from one client address; at the\n"
    << "                             bound its oldest is closed to make room, 0: no limit ("
    << d.exporter.http_max_connections_per_address << ")\n"
    << "  --http-max-header-bytes BYTES  /metrics request line and headers; more are refused with 431 ("
    << d.exporter.http_max_header_bytes << ")\n"
    << "  --http-timeout-ms MS       a /metrics request must be complete within this from its first byte ("
    << d.exporter.http_request_timeout_ms << ")\n"
    << "  --http-idle-timeout-ms MS  a kept-alive /metrics connection idle this long is closed ("
    << d.exporter.http_idle_timeout_ms << ")\n"
    << "  --http-threads N           ignored: /metrics runs on one event-driven thread (kept for old configs)\n"
    << "  --scrape-wait-ms MS        a scrape waits this long for a fresh snapshot, else gets the last ("
    << d.exporter.scrape_wait_ms << ")\n"
    << "  --event-log N              events kept (" << m.event_log_capacity << ")\n"
    << "  --event-log-lifecycle-share F  share of --event-log kept for lifecycle events, the rest for\n"
    << "                             telemetry; each pushes out only its own kind (" << m.event_log_lifecycle_share << ")\n"
    << "  --event-log-incident-share F  share of the lifecycle part kept for incidents (crashes,\n"
    << "                             escalations, node losses, warnings), apart from routine\n"
    << "                             exits and restarts (" << m.event_log_incident_share << ")\n"
    << "  --event-log-incidents-per-node N  each node's newest incidents kept past that share, so\n"
    << "                             a crash storm on one node cannot push another node's last\n"
    << "                             crashes out; 0: off (" << m.event_log_incidents_kept_per_node << ")\n"
    << "  --max-flow-pairs N         (sender type, receiver type) pairs of message flow kept per\n"
    << "                             node; more fold into (other, other), counted (" << m.max_flow_pairs_per_node << ")\n"
    << "  --max-flow-receivers N     actors per node whose top senders are kept; more count in\n"
    << "                             their type pair only (" << m.max_flow_receivers_per_node << ")\n"
    << "  --flow-senders-per-actor N top senders (and message types) kept per receiving actor ("
    << m.flow_senders_per_actor << ")\n"
    << "  --flow-rate-window-ms MS   flow rates are exponentially decayed over this ("
    << m.flow_rate_window_ns / 1'000'000 << ")\n"
    << "  --actor-rate-smoothing-ms MS  an actor's msg/s and fill/s are averaged over about\n"
    << "                             this; 0: each stats sample's own rate (" << m.actor_rate_smoothing_ns / 1'000'000 << ")\n"
    << "  --actor-rate-window-ms MS  an actor with no stats sample for this long reads 0 msg/s ("
    << m.actor_rate_window_ns / 1'000'000 << ")\n"
    << "  --reductions-rate-window-ms MS  the same for a BEAM node's processes, sampled by scans\n"
    << "                             seconds apart (" << m.reductions_rate_window_ns / 1'000'000 << ")\n"
    << "  --series-points N          time-series points per node, one per second (" << m.series_points << ")\n"
    << "  --journal N                change-journal entries for viewers (" << m.journal_capacity << ")\n"
    << "  --restart-history N        restart times kept per supervisor (" << m.restart_history << ")\n"
    << "  --gone-supervisors-per-node N  gone supervisors whose live successor is found by their id,\n"
    << "                             so a viewer follows a child whose supervisor was replaced;\n"
    << "                             oldest forgotten first; 0: off (" << m.gone_supervisors_per_node << ")\n"
    << "  --history-age S            the flight recorder keeps the last S seconds of every node, so\n"
    << "                             any instant in them can be shown again; 0: off ("
    << d.history.max_age_ns / kNsPerSecond << ")\n"
    << "  --history-bytes BYTES      ... in at most this many bytes (keyframes and stream); the oldest\n"
    << "                             go first, counted (" << d.history.max_bytes << ")\n"
    << "  --max-past-views N         viewers showing a past instant at once, each holding a copy of\n"
    << "                             the model of its instant; more are told busy (" << d.max_past_views << ")\n"
    << "  --max-exports N            exports of the flight recorder pulled by viewers at once, each\n"
    << "                             pinning the history it started with; more are told busy (" << d.max_exports << ")\n"
    << "  --max-gone-nodes N         disconnected nodes remembered (" << m.max_gone_nodes << ")\n"
    << "  --gone-node-ttl S          seconds a disconnected node is remembered ("
    << m.gone_node_ttl_ns / kNsPerSecond << ")\n"
    << "  --max-string-id N          largest agent string id accepted (" << m.max_string_id << ")\n"
    << "  --max-strings N            distinct names, types and reasons kept; new ones read 'other'; 0: no limit ("
    << m.max_strings << ")\n"
    << "  --max-string-bytes BYTES   ... and their bytes; 0: no limit (" << m.max_string_bytes << ")\n"
    << "  --max-links N              links and monitors kept per actor (" << m.max_links_per_actor << ")\n"
    << "  --max-text-bytes BYTES     names, types, reasons, node/host/program are cut to this (" << m.max_text_bytes << ")\n"
    << "  --max-strings-per-node N   string definitions kept per node (" << m.max_strings_per_node << ")\n"
    << "  --max-types N              actor types per node; more count as 'other' (" << m.max_types_per_node << ")\n"
    << "  --max-telemetry-events N   telemetry event names per node; more count as 'other' ("
    << m.max_telemetry_events_per_node << ")\n"
    << "  --max-children N           per-child restart counts per supervisor; more count as 'other' ("
    << m.max_children_per_supervisor << ")\n"
    << "Warnings:\n"
    << "  --warn-growth-samples N    mailbox grew in N samples in a row ... (" << m.mailbox_growth_samples << ")\n"
    << "  --warn-growth-min N        ... and by more than N messages (" << m.mailbox_growth_min << ")\n"
    << "  --warn-stuck-s S           mailbox non-empty, nothing processed for S seconds ("
    << m.stuck_after_ns / kNsPerSecond << ")\n"
    << "  --warn-storm-ratio R       restart budget used at or above R (" << m.restart_storm_ratio << ")\n"
    << "  --warn-mailbox N           a mailbox of N messages or more; 0: off (" << m.mailbox_large << ")\n"
    << "  --warn-wait-s S            a mailbox that takes S seconds or more to drain at its actor's\n"
    << "                             current rate; 0: off (" << m.mailbox_wait_ns / kNsPerSecond << ")\n"
    << "  --max-warnings N           warnings in force at once; more are refused and counted (" << m.max_warnings << ")\n"
    << "\n"
       "On start it prints 'actorscope-collector: listening on ADDR' for each listener and\n"
       "'actorscope-collector: metrics on http://HOST:PORT/metrics' (https:// with TLS; real ports\n"
       "when 0 was asked).\n";
  return o.str();
}

namespace {

bool to_u64(const std::string& flag, const char* text, uint64_t max, uint64_t& out, std::string& error) {
  errno = 0;
  char* end = nullptr;
  unsigned long long v = std::strtoull(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || text[0] == '-' || v > max) {
    error = flag + ": expected a whole number up to " + std::to_string(max) + ", got '" + text + "'";
    return false;
  }
  out = v;
  return true;
}

bool to_double(const std::string& flag, const char* text, double lo, double hi, double& out, std::string& error) {
  char* end = nullptr;
  double v = std::strtod(text, &end);
  if (end == text || *end != '\0' || !(v >= lo && v <= hi)) {
    error = flag + ": expected a number in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got '" + text + "'";
    return false;
  }
  out = v;
  return true;
}

}  // namespace

ParseOutcome parse_options(int argc, char** argv, DaemonOptions& o, std::string& error) {
  bool listen_given = false;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    std::string inline_value;
    bool has_inline = false;
    if (flag.rfind("--", 0) == 0) {
      size_t eq = flag.find('=');
      if (eq != std::string::npos) {
        inline_value = flag.substr(eq + 1);
        flag = flag.substr(0, eq);
        has_inline = true;
      }
      // The warnings' flags were first spelled --lint-*: keep accepting that spelling.
      if (flag.rfind("--lint-", 0) == 0) flag = "--warn-" + flag.substr(7);
    }
    auto value = [&](const char*& v) {
      if (has_inline) {
        v = argv[i] + (std::strlen(argv[i]) - inline_value.size());
        return true;
      }
      if (i + 1 >= argc) {
        error = flag + " needs a value";
        return false;
      }
      v = argv[++i];
      return true;
    };
    const char* v = nullptr;
    uint64_t n = 0;
    double d = 0;
    if (flag == "--help" || flag == "-h") return ParseOutcome::Help;
    if (flag == "--allow-remote") {
      o.server.allow_remote = true;
    } else if (flag == "--allow-commands") {
      o.allow_commands = true;
    } else if (flag == "--listen") {
      if (!value(v)) return ParseOutcome::Error;
      if (!listen_given) o.server.listen.clear();
      listen_given = true;
      o.server.listen.push_back(v);
    } else if (flag == "--metrics") {
      if (!value(v)) return ParseOutcome::Error;
      o.metrics = v;
    } else if (flag == "--token-file") {
      if (!value(v)) return ParseOutcome::Error;
      o.token_file = v;
    } else if (flag == "--record") {
      if (!value(v)) return ParseOutcome::Error;
      o.server.record_path = v;
    } else if (flag == "--replay") {
      if (!value(v)) return ParseOutcome::Error;
      o.replay = v;
    } else if (flag == "--replay-speed") {
      if (!value(v) || !to_double(flag, v, 0, 1e6, o.replay_speed, error)) return ParseOutcome::Error;
    } else if (flag == "--log-level") {
      if (!value(v)) return ParseOutcome::Error;
      if (!parse_log_level(v, o.log_level)) {
        error = "--log-level: expected error, warn, info or debug, got '" + std::string(v) + "'";
        return ParseOutcome::Error;
      }
    } else if (flag == "--max-frame") {
      if (!value(v) || !to_u64(flag, v, proto::kHardMaxFrame, n, error)) return ParseOutcome::Error;
      if (n < 4096) {
        error = "--max-frame: at least 4096 bytes";
        return ParseOutcome::Error;
      }
      o.server.max_frame = static_cast<uint32_t>(n);
    } else if (flag == "--max-output-bytes") {
      if (!value(v) || !to_u64(flag, v, 1ull << 34, n, error)) return ParseOutcome::Error;
      o.server.max_output_bytes = n;
    } else if (flag == "--max-connections") {
      if (!value(v) || !to_u64(flag, v, 1u << 20, n, error)) return ParseOutcome::Error;
      o.server.max_connections = n;
    } else if (flag == "--handshake-timeout-ms") {
      if (!value(v) || !to_u64(flag, v, 3'600'000, n, error)) return ParseOutcome::Error;
      o.server.handshake_timeout_ms = static_cast<uint32_t>(n);
    } else if (flag == "--max-pending-connections") {
      if (!value(v) || !to_u64(flag, v, 1u << 20, n, error)) return ParseOutcome::Error;
      o.server.max_pending_connections = n;
    } else if (flag == "--max-connections-per-peer") {
      if (!value(v) || !to_u64(flag, v, 1u << 20, n, error)) return ParseOutcome::Error;
      o.server.max_connections_per_peer = n;
    } else if (flag == "--idle-timeout-ms") {
      if (!value(v) || !to_u64(flag, v, 86'400'000, n, error)) return ParseOutcome::Error;
      o.server.idle_timeout_ms = static_cast<uint32_t>(n);
    } else if (flag == "--frame-timeout-ms") {
      if (!value(v) || !to_u64(flag, v, 86'400'000, n, error)) return ParseOutcome::Error;
      o.server.frame_timeout_ms = static_cast<uint32_t>(n);
    } else if (flag == "--max-input-bytes") {
      if (!value(v) || !to_u64(flag, v, 1ull << 40, n, error)) return ParseOutcome::Error;
      o.server.max_input_bytes = n;
    } else if (flag == "--peer-slice-us") {
      if (!value(v) || !to_u64(flag, v, 10'000'000, n, error)) return ParseOutcome::Error;
      o.server.peer_slice_us = static_cast<uint32_t>(n ? n : 1);
    } else if (flag == "--takeover-silence-ms") {
      if (!value(v) || !to_u64(flag, v, 86'400'000, n, error)) return ParseOutcome::Error;
      o.server.takeover_silence_ms = static_cast<uint32_t>(n);
    } else if (flag == "--log-interval-ms") {
      if (!value(v) || !to_u64(flag, v, 86'400'000, n, error)) return ParseOutcome::Error;
      o.server.log_interval_ms = static_cast<uint32_t>(n);
    } else if (flag == "--http-threads") {
      // Accepted and ignored: /metrics no longer has worker threads (one epoll thread serves
      // every connection), and a config written for the old server still starts.
      if (!value(v) || !to_u64(flag, v, 1024, n, error)) return ParseOutcome::Error;
    } else if (flag == "--http-max-connections") {
      if (!value(v) || !to_u64(flag, v, 1u << 20, n, error)) return ParseOutcome::Error;
      o.exporter.http_max_connections = n ? n : 1;
    } else if (flag == "--http-max-connections-per-address") {
      if (!value(v) || !to_u64(flag, v, 1u << 20, n, error)) return ParseOutcome::Error;
      o.exporter.http_max_connections_per_address = n;
    } else if (flag == "--http-max-header-bytes") {
      if (!value(v) || !to_u64(flag, v, 1u << 20, n, error)) return ParseOutcome::Error;
      if (n < 256) {
        error = "--http-max-header-bytes: at least 256 bytes";
        return ParseOutcome::Error;
      }
      o.exporter.http_max_header_bytes = n;
    } else if (flag == "--http-idle-timeout-ms") {
      if (!value(v) || !to_u64(flag, v, 3'600'000, n, error)) return ParseOutcome::Error;
      o.exporter.http_idle_timeout_ms = static_cast<uint32_t>(n);
    } else if (flag == "--tls-cert") {
      if (!value(v)) return ParseOutcome::Error;
      o.server.tls_cert_file = v;
    } else if (flag == "--tls-key") {
      if (!value(v)) return ParseOutcome::Error;
      o.server.tls_key_file = v;
    } else if (flag == "--tls-client-ca") {
      if (!value(v)) return ParseOutcome::Error;
      o.server.tls_client_ca_file = v;
    } else if (flag == "--tls-min-version") {
      if (!value(v)) return ParseOutcome::Error;
      if (std::string(v) != "1.2" && std::string(v) != "1.3") {
        error = "--tls-min-version: expected 1.2 or 1.3, got '" + std::string(v) + "'";
        return ParseOutcome::Error;
      }
      o.server.tls_min_version = v;
    } else if (flag == "--metrics-token-file") {
      if (!value(v)) return ParseOutcome::Error;
      o.metrics_token_file = v;
    } else if (flag == "--metrics-basic-auth-file") {
      if (!value(v)) return ParseOutcome::Error;
      o.exporter.metrics_basic_auth_file = v;
    } else if (flag == "--metrics-tls-cert") {
      if (!value(v)) return ParseOutcome::Error;
      o.exporter.tls_cert_file = v;
    } else if (flag == "--metrics-tls-key") {
      if (!value(v)) return ParseOutcome::Error;
      o.exporter.tls_key_file = v;
    } else if (flag == "--http-timeout-ms") {
      if (!value(v) || !to_u64(flag, v, 3'600'000, n, error)) return ParseOutcome::Error;
      o.exporter.http_request_timeout_ms = static_cast<uint32_t>(n);
    } else if (flag == "--scrape-wait-ms") {
      if (!value(v) || !to_u64(flag, v, 60'000, n, error)) return ParseOutcome::Error;
      o.exporter.scrape_wait_ms = static_cast<uint32_t>(n);
    } else if (flag == "--max-text-bytes") {
      if (!value(v) || !to_u64(flag, v, proto::kMaxStringLen, n, error)) return ParseOutcome::Error;
      o.model.max_text_bytes = n < 16 ? 16 : n;
    } else if (flag == "--max-strings-per-node") {
      if (!value(v) || !to_u64(flag, v, 1ull << 32, n, error)) return ParseOutcome::Error;
      o.model.max_strings_per_node = n;
    } else if (flag == "--max-types") {
      if (!value(v) || !to_u64(flag, v, 1'000'000, n, error)) return ParseOutcome::Error;
      o.model.max_types_per_node = n;
    } else if (flag == "--max-telemetry-events") {
      if (!value(v) || !to_u64(flag, v, 1'000'000, n, error)) return ParseOutcome::Error;
      o.model.max_telemetry_events_per_node = n;
    } else if (flag == "--max-children") {
      if (!value(v) || !to_u64(flag, v, 1'000'000, n, error)) return ParseOutcome::Error;
      o.model.max_children_per_supervisor = n;
    } else if (flag == "--metrics-mailbox-top") {
      if (!value(v) || !to_u64(flag, v, 1000, n, error)) return ParseOutcome::Error;
      o.exporter.mailbox_top = n;
    } else if (flag == "--max-series") {
      if (!value(v) || !to_u64(flag, v, 100'000'000, n, error)) return ParseOutcome::Error;
      o.exporter.max_series = n;
    } else if (flag == "--event-log") {
      if (!value(v) || !to_u64(flag, v, 100'000'000, n, error)) return ParseOutcome::Error;
      o.model.event_log_capacity = n ? n : 1;
    } else if (flag == "--event-log-lifecycle-share") {
      if (!value(v) || !to_double(flag, v, 0, 1, d, error)) return ParseOutcome::Error;
      o.model.event_log_lifecycle_share = d;
    } else if (flag == "--event-log-incident-share") {
      if (!value(v) || !to_double(flag, v, 0, 1, d, error)) return ParseOutcome::Error;
      o.model.event_log_incident_share = d;
    } else if (flag == "--event-log-incidents-per-node") {
      if (!value(v) || !to_u64(flag, v, 1'000'000, n, error)) return ParseOutcome::Error;
      o.model.event_log_incidents_kept_per_node = n;
    } else if (flag == "--max-flow-pairs") {
      if (!value(v) || !to_u64(flag, v, 10'000'000, n, error)) return ParseOutcome::Error;
      o.model.max_flow_pairs_per_node = n ? n : 1;
    } else if (flag == "--max-flow-receivers") {
      if (!value(v) || !to_u64(flag, v, 100'000'000, n, error)) return ParseOutcome::Error;
      o.model.max_flow_receivers_per_node = n;
    } else if (flag == "--flow-senders-per-actor") {
      if (!value(v) || !to_u64(flag, v, 64, n, error)) return ParseOutcome::Error;
      o.model.flow_senders_per_actor = n ? n : 1;
    } else if (flag == "--flow-rate-window-ms") {
      if (!value(v) || !to_u64(flag, v, 86'400'000, n, error)) return ParseOutcome::Error;
      o.model.flow_rate_window_ns = (n ? n : 1) * 1'000'000;
    } else if (flag == "--history-age") {
      if (!value(v) || !to_u64(flag, v, 30ull * 86'400, n, error)) return ParseOutcome::Error;
      o.history.max_age_ns = n * kNsPerSecond;
    } else if (flag == "--max-past-views") {
      if (!value(v) || !to_u64(flag, v, 10'000, n, error)) return ParseOutcome::Error;
      o.max_past_views = n;
    } else if (flag == "--max-exports") {
      if (!value(v) || !to_u64(flag, v, 1'000, n, error)) return ParseOutcome::Error;
      o.max_exports = n;
    } else if (flag == "--history-bytes") {
      if (!value(v) || !to_u64(flag, v, 1ull << 40, n, error)) return ParseOutcome::Error;
      o.history.max_bytes = n;
    } else if (flag == "--gone-supervisors-per-node") {
      if (!value(v) || !to_u64(flag, v, 10'000'000, n, error)) return ParseOutcome::Error;
      o.model.gone_supervisors_per_node = n;
    } else if (flag == "--actor-rate-smoothing-ms") {
      if (!value(v) || !to_u64(flag, v, 3'600'000, n, error)) return ParseOutcome::Error;
      o.model.actor_rate_smoothing_ns = n * 1'000'000;
    } else if (flag == "--actor-rate-window-ms") {
      if (!value(v) || !to_u64(flag, v, 86'400'000, n, error)) return ParseOutcome::Error;
      o.model.actor_rate_window_ns = (n ? n : 1) * 1'000'000;
    } else if (flag == "--reductions-rate-window-ms") {
      if (!value(v) || !to_u64(flag, v, 86'400'000, n, error)) return ParseOutcome::Error;
      o.model.reductions_rate_window_ns = (n ? n : 1) * 1'000'000;
    } else if (flag == "--series-points") {
      if (!value(v) || !to_u64(flag, v, 10'000'000, n, error)) return ParseOutcome::Error;
      o.model.series_points = n ? n : 1;
    } else if (flag == "--journal") {
      if (!value(v) || !to_u64(flag, v, 1'000'000'000, n, error)) return ParseOutcome::Error;
      o.model.journal_capacity = n ? n : 1;
    } else if (flag == "--restart-history") {
      if (!value(v) || !to_u64(flag, v, 1'000'000, n, error)) return ParseOutcome::Error;
      o.model.restart_history = n;
    } else if (flag == "--max-gone-nodes") {
      if (!value(v) || !to_u64(flag, v, 1'000'000, n, error)) return ParseOutcome::Error;
      o.model.max_gone_nodes = n;
    } else if (flag == "--gone-node-ttl") {
      if (!value(v) || !to_u64(flag, v, 365ull * 86400, n, error)) return ParseOutcome::Error;
      o.model.gone_node_ttl_ns = n * kNsPerSecond;
    } else if (flag == "--max-string-id") {
      if (!value(v) || !to_u64(flag, v, 1u << 30, n, error)) return ParseOutcome::Error;
      o.model.max_string_id = static_cast<uint32_t>(n);
    } else if (flag == "--max-strings") {
      if (!value(v) || !to_u64(flag, v, 1ull << 32, n, error)) return ParseOutcome::Error;
      o.model.max_strings = n;
    } else if (flag == "--max-string-bytes") {
      if (!value(v) || !to_u64(flag, v, 1ull << 40, n, error)) return ParseOutcome::Error;
      o.model.max_string_bytes = n;
    } else if (flag == "--max-warnings") {
      if (!value(v) || !to_u64(flag, v, 10'000'000, n, error)) return ParseOutcome::Error;
      o.model.max_warnings = n;
    } else if (flag == "--max-links") {
      if (!value(v) || !to_u64(flag, v, 1'000'000, n, error)) return ParseOutcome::Error;
      o.model.max_links_per_actor = n;
    } else if (flag == "--warn-growth-samples") {
      if (!value(v) || !to_u64(flag, v, 255, n, error)) return ParseOutcome::Error;
      o.model.mailbox_growth_samples = static_cast<unsigned>(n);
    } else if (flag == "--warn-growth-min") {
      if (!value(v) || !to_u64(flag, v, UINT64_MAX, n, error)) return ParseOutcome::Error;
      o.model.mailbox_growth_min = n;
    } else if (flag == "--warn-stuck-s") {
      if (!value(v) || !to_u64(flag, v, 86400, n, error)) return ParseOutcome::Error;
      o.model.stuck_after_ns = n * kNsPerSecond;
    } else if (flag == "--warn-mailbox") {
      if (!value(v) || !to_u64(flag, v, UINT64_MAX, n, error)) return ParseOutcome::Error;
      o.model.mailbox_large = n;
    } else if (flag == "--warn-wait-s") {
      if (!value(v) || !to_u64(flag, v, 86400, n, error)) return ParseOutcome::Error;
      o.model.mailbox_wait_ns = n * kNsPerSecond;
    } else if (flag == "--warn-storm-ratio") {
      if (!value(v) || !to_double(flag, v, 0, 100, d, error)) return ParseOutcome::Error;
      o.model.restart_storm_ratio = d;
    } else {
      error = "unknown option '" + std::string(argv[i]) + "'";
      return ParseOutcome::Error;
    }
  }
  return ParseOutcome::Run;
}

bool read_token_file(const std::string& path, std::string& token, std::string& error) {
  // The one token-file reader every program shares: the same file means the same token.
  return proto::read_token_file(path, token, error);
}

}  // namespace actorscope::collector
