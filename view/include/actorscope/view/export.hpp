// Copying and exporting what the viewers show: an actor's path, one row as text, and CSV of
// the actors table and of the events. Shared, so that both viewers write the same files.
#pragma once

#include <string>
#include <string_view>

#include "actorscope/view/replica.hpp"

namespace actorscope::view {

// "node/root/.../actor" by display names, the node's name first; the actor's own name alone
// when its parents are not known.
std::string actor_path(const Replica& replica, ActorKey key);

// One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break.
std::string csv_field(std::string_view text);

// The actors table as CSV: raw numbers (not the screen's rounded ones), one actor a line.
std::string actors_csv_header();
std::string actors_csv_row(const Replica& replica, const Actor& a);

// The events as CSV: UTC clock time, wall time in ns, node, kind, actor, supervisor, text.
std::string events_csv_header();
std::string events_csv_row(const Replica& replica, const pv::Event& e);

// "actorscope-<what>-YYYYMMDD-HHMMSS.csv" for the UTC time `wall_ns`.
std::string export_file_name(std::string_view what, uint64_t wall_ns);

}  // namespace actorscope::view
