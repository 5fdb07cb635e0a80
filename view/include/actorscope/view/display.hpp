// Display rules both viewers share: what an actor is called, and how serious a number is.
// Renderers map a Severity to their own colours or styles; the thresholds live here, once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "actorscope/view/replica.hpp"

namespace actorscope::view {

// ---- names ----

// An actor as people know it: its name, else its child id, else "<id>".
std::string display_name(std::string_view name, std::string_view child_id, uint64_t actor);
std::string display_name(const pv::ActorRow& row);
inline std::string display_name(const Actor& a) { return display_name(a.row); }
// An actor that may have gone: its display name while it lives, else "<id>".
std::string actor_name(const Replica& replica, ActorKey key);
// An actor that may have gone, as events name it: its display name while it lives, the name
// it had when it left the replica (a supervisor restarted or gone), else "<id>".
std::string known_name(const Replica& replica, ActorKey key);
// What an event is about: the actor's (or the telemetry event's) name, else "<id>".
std::string event_name(const pv::Event& e);
// Who a warning is about: the actor's display name, "<id> (gone)", or "(node)" for the node.
std::string warning_subject(const Replica& replica, const pv::Warning& warning);

// ---- rates (the protocol's fixed-point hundredths stay below this line) ----
inline double msgs_per_s(const pv::NodeRow& n) { return static_cast<double>(n.msgs_per_s_x100) / 100.0; }
inline double msgs_per_s(const pv::ActorStats& s) { return static_cast<double>(s.msgs_per_s_x100) / 100.0; }
inline double per_s(const pv::TelemetryRow& t) { return static_cast<double>(t.per_s_x100) / 100.0; }

// What an actor's rate counts depends on its node: messages processed, or on a BEAM node
// reductions (its processes' work; no messages-processed figure exists there).
bool rates_in_reductions(const Replica& replica, NodeId node);
// "msg/s" or "red/s": the unit of an actor's rate on `node`.
std::string_view rate_unit(const Replica& replica, NodeId node);
// The rate column over the nodes shown (`node` 0: all of them): one unit, or both mixed.
enum class RateColumn : uint8_t { messages, reductions, mixed };
RateColumn rate_column(const Replica& replica, NodeId node);
std::string_view rate_title(RateColumn c);  // "MSG/S", "RED/S", "RATE/S"
// A rate cell: the number; in a mixed column followed by its unit's letter (" m" messages/s,
// " r" reductions/s) so that no number is read in the other unit.
std::string rate_cell(const Replica& replica, const Actor& a, RateColumn c);
// An actor's total busy time, "-" on a BEAM node: its processes' work is reductions, and no
// busy time exists there (a "0ns" would read as an idle actor).
std::string busy_cell(const Replica& replica, const Actor& a);

// ---- mailbox pressure ----
// Its growth in messages/s ×100: fill rate − drain rate (messages processed per second),
// each averaged by the collector over about a second; negative while it shrinks. nullopt when the fill
// rate is not known (an older collector, or a BEAM node, whose mailboxes are sampled).
std::optional<int64_t> growth_x100(const pv::ActorStats& s);
// The Actors table's GROWTH cell: "+12", "-3.5", "0", or "-" when not known.
std::string growth_cell(const pv::ActorStats& s);
// The detail's line, e.g. "mailbox 993: fill 200/s, drain 190/s, growing 10/s; empties in
// 5.2s at its drain rate" ("" when the fill rate is not known).
std::string mailbox_pressure_text(const pv::ActorStats& s);

// ---- severity ----

// How much a value asks for attention. Each renderer picks its own colour or style per level.
enum class Severity : uint8_t { normal, warn, critical };

// Where values start to ask for attention, in both viewers. Every limit is "at or above"
// unless its comment says otherwise.
struct DisplayThresholds {
  uint64_t mailbox_warn = 1000;         // messages waiting in one mailbox: warn; default 1000
  uint64_t mailbox_critical = 10'000;   // messages waiting in one mailbox: critical; default 10 000
  uint64_t mailbox_total_warn = 1000;   // messages waiting in all mailboxes shown: warn; default 1000
  uint32_t restart_budget_warn = 1;     // restarts a supervisor made in its period: warn; default 1
  double restart_budget_hot = 1.0;      // share of its intensity a supervisor used in its period: critical; default 1.0 (all of it)
  double restarts_per_min_warn = 0.0;   // restarts per minute ABOVE this: warn; default 0 (any restart)
  uint64_t drops_warn = 1;              // records dropped on the way (agents, collector): warn; default 1
  uint64_t warnings_warn = 1;           // the collector's warnings in force: warn; default 1
};

// warn while a mailbox grows, else normal (also when its growth is not known).
Severity growth_severity(const pv::ActorStats& s);
Severity mailbox_severity(uint64_t depth, const DisplayThresholds& t);
Severity mailbox_total_severity(uint64_t total, const DisplayThresholds& t);
// A supervisor's restart budget: restarts used in its period against its intensity.
Severity restart_budget_severity(uint32_t used, uint32_t intensity, const DisplayThresholds& t);
// normal for workers.
Severity restart_budget_severity(const Actor& a, const DisplayThresholds& t);
Severity restart_rate_severity(double restarts_per_min, const DisplayThresholds& t);
Severity drops_severity(uint64_t drops, const DisplayThresholds& t);
Severity warnings_severity(uint64_t warnings, const DisplayThresholds& t);
// The collector's own grading of a warning: critical, warning -> warn, info -> normal.
Severity warning_severity(const pv::Warning& warning);
// Crashes are critical, restarts warn, everything else is normal.
Severity event_severity(const pv::Event& e);

// The mailbox depth where a severity starts (normal: 1, the first message waiting); for
// legends and colour scales anchored on the thresholds.
uint64_t mailbox_depth_at(Severity s, const DisplayThresholds& t);

}  // namespace actorscope::view
