// The Actors view-model: every live actor, filtered and sorted, read a window at a time.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "actorscope/view/replica.hpp"

namespace actorscope::view {

enum class ActorColumn : uint8_t {
  Mailbox = 0,
  MessagesPerSec,
  ProcessingTime,  // total busy time
  Restarts,
  Name,
  Type,
  Node,
  State,
  Growth,          // mailbox fill rate − drain rate (not known: last)
};
inline constexpr size_t kActorColumnCount = 9;
std::string_view name(ActorColumn c);
// The column's header text, e.g. "MAILBOX".
std::string_view title(ActorColumn c);

struct ActorsQuery {
  ActorColumn sort = ActorColumn::Mailbox;
  bool inverted = false;  // the natural order is descending for numbers, ascending for text
  std::string filter;     // substring of name, type or child id; empty: all
  NodeId node = 0;        // 0: every node
};

struct ActorsTableSettings {
  unsigned resort_interval_ms = 1000;  // after heavy churn, at most one full re-sort per this many ms
  double repair_fraction = 0.125;      // more changed actors than this share of rows: re-select, not repair
};

// Follows the replica's changes: each actor's sort key and filter match are kept in flat
// arrays and refreshed only for the actors that changed. While the order is complete, a tick
// repairs it (changed rows out, then back in at their place: O(rows) moves, O(changes log
// rows) comparisons); after a new query or heavy churn, window() selects exactly the rows
// shown from the flat keys, and a full sort (about 0.1 s at a million rows) comes back at
// most every resort_interval_ms, once the churn is light enough to repair.
class ActorsTable {
 public:
  explicit ActorsTable(ActorsTableSettings settings = {}) : settings_(settings) {}
  // Returns true when the rows may have changed.
  bool update(const Replica& replica, const ActorsQuery& query);
  size_t size() const { return rows_.size(); }
  // Rows [offset, offset + count) of the sorted, filtered list. Pointers valid until the
  // replica changes.
  std::vector<const Actor*> window(size_t offset, size_t count);
  // Index of an actor in the sorted list, or size() when filtered out.
  size_t position_of(ActorKey k);
  const ActorsQuery& query() const { return query_; }
  // Whether the whole list is in order now (else only what window() returned).
  bool fully_sorted() const { return sorted_all_; }

 private:
  // An actor's place in the order, without touching the actor: the column's value mapped so
  // that ascending is the shown order (text: its first 8 bytes), then the actor key.
  struct SortKey {
    uint64_t primary = 0;
    uint64_t actor = 0;
    NodeId node = 0;
  };
  SortKey sort_key(const Actor& a) const;
  bool passes(const Actor& a) const;
  bool less(uint32_t a, uint32_t b) const;
  void rebuild();
  bool follow(std::span<const ActorChange> changes);
  void collect_rows();
  void full_sort();
  void index_positions();

  ActorsTableSettings settings_;
  const Replica* replica_ = nullptr;
  uint64_t version_ = ~0ull;
  uint64_t change_seq_ = 0;
  ActorsQuery query_;
  bool built_ = false;
  std::vector<SortKey> keys_;   // by replica row
  std::vector<uint8_t> match_;  // by replica row: passes the query's filter and node
  std::vector<uint32_t> pos_;   // by replica row: index in rows_ (kNoRow: filtered out), when sorted_all_
  std::vector<uint32_t> rows_;  // indices into replica.actors()
  size_t sorted_prefix_ = 0;    // rows_[0, sorted_prefix_) are in final order
  bool sorted_all_ = false;
  bool churn_light_ = true;     // the last changes were few enough to repair
  int64_t last_full_sort_ms_ = 0;
};

}  // namespace actorscope::view
