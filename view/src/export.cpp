// Paths and CSV for copy and export.
#include "actorscope/view/export.hpp"

#include <cstdio>
#include <ctime>
#include <vector>

#include "actorscope/view/display.hpp"
#include "actorscope/view/events.hpp"
#include "actorscope/view/format.hpp"

namespace actorscope::view {

std::string actor_path(const Replica& r, ActorKey key) {
  std::vector<std::string> parts;
  const Actor* a = r.actor(key);
  if (!a) return actor_name(r, key);
  // up the parent chain while the parents are live (bounded: a cycle cannot loop forever)
  for (size_t depth = 0; a && depth < 4096; ++depth) {
    parts.push_back(display_name(*a));
    a = a->parent_row == kNoRow ? nullptr : &r.actors()[a->parent_row];
  }
  std::string out;
  if (const pv::NodeRow* n = r.node(key.node)) out = n->name;
  for (size_t i = parts.size(); i-- > 0;) out += (out.empty() ? "" : "/") + parts[i];
  return out;
}

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string actors_csv_header() {
  return "node,actor_id,name,type,child_id,parent_id,kind,state,mailbox,rate_per_s,rate_unit,busy_ns,restarts,fill_per_s,"
         "growth_per_s\n";
}

std::string actors_csv_row(const Replica& r, const Actor& a) {
  const pv::NodeRow* n = r.node(a.row.node);
  char rate[32];
  std::snprintf(rate, sizeof rate, "%.2f", a.msgs_per_s());
  // The mailbox's fill rate and growth (messages/s); empty when not known.
  char fill[32] = "", growth[32] = "";
  if (auto g = growth_x100(a.stats)) {
    std::snprintf(fill, sizeof fill, "%.2f", static_cast<double>(a.stats.fill_per_s_x100 - 1) / 100.0);
    std::snprintf(growth, sizeof growth, "%.2f", static_cast<double>(*g) / 100.0);
  }
  return csv_field(n ? n->name : std::to_string(a.row.node)) + "," + std::to_string(a.row.actor) + "," +
         csv_field(display_name(a)) + "," + csv_field(a.row.type) + "," + csv_field(a.row.child_id) + "," +
         std::to_string(a.row.parent) + "," + std::string(proto::name(a.row.kind)) + "," +
         std::string(pv::name(a.stats.state)) + "," + std::to_string(a.stats.mailbox) + "," + rate + "," +
         (rates_in_reductions(r, a.row.node) ? "reductions" : "messages") + "," +
         std::to_string(a.stats.busy_ns) + "," + std::to_string(a.stats.restarts) + "," + fill + "," + growth + "\n";
}

std::string events_csv_header() { return "time_utc,wall_ns,node,kind,actor,supervisor,text\n"; }

std::string events_csv_row(const Replica& r, const pv::Event& e) {
  const pv::NodeRow* n = r.node(e.node);
  return format_clock(e.wall_ns) + "," + std::to_string(e.wall_ns) + "," +
         csv_field(n ? n->name : std::to_string(e.node)) + "," + std::string(pv::name(e.kind)) + "," +
         csv_field(event_name(e)) + "," + csv_field(e.supervisor ? known_name(r, {e.node, e.supervisor}) : "") + "," +
         csv_field(e.not_sent ? gap_text(e) : event_text(e, &r)) + "\n";
}

std::string export_file_name(std::string_view what, uint64_t wall_ns) {
  const std::time_t t = static_cast<std::time_t>(wall_ns / 1'000'000'000ull);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
  return "actorscope-" + std::string(what) + "-" + stamp + ".csv";
}

}  // namespace actorscope::view
