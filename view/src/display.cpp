// Actor names and severity levels: the display rules both viewers apply the same way.
#include "actorscope/view/display.hpp"

#include <algorithm>

#include "actorscope/view/format.hpp"

namespace actorscope::view {

namespace {
std::string numbered(uint64_t actor) { return "<" + std::to_string(actor) + ">"; }
Severity at_least(uint64_t v, uint64_t warn) { return warn && v >= warn ? Severity::warn : Severity::normal; }
}  // namespace

std::string display_name(std::string_view name, std::string_view child_id, uint64_t actor) {
  if (!name.empty()) return std::string(name);
  if (!child_id.empty()) return std::string(child_id);
  return numbered(actor);
}

std::string display_name(const pv::ActorRow& row) { return display_name(row.name, row.child_id, row.actor); }

std::string actor_name(const Replica& replica, ActorKey key) {
  const Actor* a = replica.actor(key);
  return a ? display_name(*a) : numbered(key.actor);
}

std::string known_name(const Replica& replica, ActorKey key) {
  if (const Actor* a = replica.actor(key)) return display_name(*a);
  if (std::string former = replica.former_name(key); !former.empty()) return former;
  return numbered(key.actor);
}

std::string event_name(const pv::Event& e) { return e.name.empty() ? numbered(e.actor) : e.name; }

std::string warning_subject(const Replica& replica, const pv::Warning& warning) {
  if (!warning.actor) return "(node)";
  const Actor* a = replica.actor(ActorKey{warning.node, warning.actor});
  return a ? display_name(*a) : numbered(warning.actor) + " (gone)";
}

bool rates_in_reductions(const Replica& replica, NodeId node) {
  const pv::NodeRow* n = replica.node(node);
  return n && n->rate_unit == pv::RateUnit::Reductions;
}

std::string_view rate_unit(const Replica& replica, NodeId node) {
  return rates_in_reductions(replica, node) ? "red/s" : "msg/s";
}

RateColumn rate_column(const Replica& replica, NodeId node) {
  if (node != 0) return rates_in_reductions(replica, node) ? RateColumn::reductions : RateColumn::messages;
  bool messages = false, reductions = false;
  for (const auto& [id, n] : replica.nodes()) (n.rate_unit == pv::RateUnit::Reductions ? reductions : messages) = true;
  if (reductions && messages) return RateColumn::mixed;
  return reductions ? RateColumn::reductions : RateColumn::messages;
}

std::string_view rate_title(RateColumn c) {
  switch (c) {
    case RateColumn::messages: return "MSG/S";
    case RateColumn::reductions: return "RED/S";
    case RateColumn::mixed: return "RATE/S";
  }
  return "MSG/S";
}

std::string rate_cell(const Replica& replica, const Actor& a, RateColumn c) {
  std::string v = format_rate(a.msgs_per_s(), "");
  if (c == RateColumn::mixed) v += rates_in_reductions(replica, a.row.node) ? " r" : " m";
  return v;
}

std::string busy_cell(const Replica& replica, const Actor& a) {
  return rates_in_reductions(replica, a.row.node) ? "-" : format_duration_ns(a.stats.busy_ns);
}

std::optional<int64_t> growth_x100(const pv::ActorStats& s) {
  if (s.fill_per_s_x100 == 0) return std::nullopt;
  // Both are at most 9e18 (the collector's clamp): the difference fits.
  return static_cast<int64_t>(s.fill_per_s_x100 - 1) - static_cast<int64_t>(s.msgs_per_s_x100);
}

std::string growth_cell(const pv::ActorStats& s) {
  const auto g = growth_x100(s);
  if (!g) return "-";
  if (*g == 0) return "0";
  const double v = static_cast<double>(*g < 0 ? -*g : *g) / 100.0;
  return (*g < 0 ? "-" : "+") + format_rate(v, "");
}

Severity growth_severity(const pv::ActorStats& s) {
  const auto g = growth_x100(s);
  return g && *g > 0 ? Severity::warn : Severity::normal;
}

std::string mailbox_pressure_text(const pv::ActorStats& s) {
  const auto g = growth_x100(s);
  if (!g) return "";
  const double fill = static_cast<double>(s.fill_per_s_x100 - 1) / 100.0, drain = static_cast<double>(s.msgs_per_s_x100) / 100.0;
  auto per_s = [](double v) { return v > 0 ? format_rate(v) : std::string("0/s"); };
  std::string out = "mailbox " + format_count(s.mailbox) + ": fill " + per_s(fill) + ", drain " + per_s(drain);
  if (*g > 0) out += ", growing " + format_rate(static_cast<double>(*g) / 100.0);
  else if (*g < 0) out += ", shrinking " + format_rate(static_cast<double>(-*g) / 100.0);
  if (s.mailbox == 0) return out;
  const double ns = drain > 0 ? std::min(static_cast<double>(s.mailbox) / drain * 1e9, 1e18) : 0;
  if (drain > 0) out += "; empties in " + format_duration_ns(static_cast<uint64_t>(ns)) + " at its drain rate";
  else out += "; not draining";
  return out;
}

Severity mailbox_severity(uint64_t depth, const DisplayThresholds& t) {
  if (t.mailbox_critical && depth >= t.mailbox_critical) return Severity::critical;
  return at_least(depth, t.mailbox_warn);
}

Severity mailbox_total_severity(uint64_t total, const DisplayThresholds& t) { return at_least(total, t.mailbox_total_warn); }

Severity restart_budget_severity(uint32_t used, uint32_t intensity, const DisplayThresholds& t) {
  if (intensity && static_cast<double>(used) >= t.restart_budget_hot * intensity) return Severity::critical;
  return at_least(used, t.restart_budget_warn);
}

Severity restart_budget_severity(const Actor& a, const DisplayThresholds& t) {
  if (!a.is_supervisor()) return Severity::normal;
  return restart_budget_severity(a.stats.restarts_in_period, a.row.intensity, t);
}

Severity restart_rate_severity(double restarts_per_min, const DisplayThresholds& t) {
  return restarts_per_min > t.restarts_per_min_warn ? Severity::warn : Severity::normal;
}

Severity drops_severity(uint64_t drops, const DisplayThresholds& t) { return at_least(drops, t.drops_warn); }

Severity warnings_severity(uint64_t warnings, const DisplayThresholds& t) { return at_least(warnings, t.warnings_warn); }

Severity warning_severity(const pv::Warning& warning) {
  switch (warning.severity) {
    case pv::Severity::Critical: return Severity::critical;
    case pv::Severity::Warning: return Severity::warn;
    default: return Severity::normal;
  }
}

Severity event_severity(const pv::Event& e) {
  switch (e.kind) {
    case pv::EventKind::Crashed: return Severity::critical;
    case pv::EventKind::Restarted: return Severity::warn;
    default: return Severity::normal;
  }
}

uint64_t mailbox_depth_at(Severity s, const DisplayThresholds& t) {
  switch (s) {
    case Severity::critical: return t.mailbox_critical;
    case Severity::warn: return t.mailbox_warn;
    default: return 1;
  }
}

}  // namespace actorscope::view
