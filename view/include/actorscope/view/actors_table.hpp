// The Actors view-model: every live actor, filtered and sorted, read a window at a time.
#pragma once

#include <cstdint>
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
};
inline constexpr size_t kActorColumnCount = 8;
std::string_view name(ActorColumn c);
// The column's header text, e.g. "MAILBOX".
std::string_view title(ActorColumn c);

struct ActorsQuery {
  ActorColumn sort = ActorColumn::Mailbox;
  bool inverted = false;  // the natural order is descending for numbers, ascending for text
  std::string filter;     // substring of name, type or child id; empty: all
  NodeId node = 0;        // 0: every node
};

// Rebuilt when the replica's version or the query changes (O(actors)); window() then
// orders only what it returns (O(actors) selection + O(rows log rows)), so work per frame
// follows what is visible.
class ActorsTable {
 public:
  // Returns true when it rebuilt.
  bool update(const Replica& replica, const ActorsQuery& query);
  size_t size() const { return rows_.size(); }
  // Rows [offset, offset + count) of the sorted, filtered list. Pointers valid until the
  // replica changes.
  std::vector<const Actor*> window(size_t offset, size_t count);
  // Index of an actor in the sorted list, or size() when filtered out.
  size_t position_of(ActorKey k);
  const ActorsQuery& query() const { return query_; }

 private:
  bool less(uint32_t a, uint32_t b) const;
  const Replica* replica_ = nullptr;
  uint64_t version_ = ~0ull;
  ActorsQuery query_;
  bool built_ = false;
  std::vector<uint32_t> rows_;  // indices into replica.actors()
  size_t sorted_prefix_ = 0;    // rows_[0, sorted_prefix_) are in final order
};

}  // namespace actorscope::view
