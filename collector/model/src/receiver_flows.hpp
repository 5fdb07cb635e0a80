// Per receiving actor, its top senders and message types, by actor id: kept so that a copy
// of the model (a keyframe of the flight recorder) shares them, and a write afterwards copies
// only the receiver it changes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "actorscope/collector/model_types.hpp"
#include "actorscope/collector/seeded_hash.hpp"
#include "shared_blocks.hpp"

namespace actorscope::collector {

// Each receiver's flow is its own object, reached from a slot; slots and the index (actor id
// -> slot, open addressing with linear probing, seeded: ids are the peer's choice) live in
// shared blocks. Copying the table copies the lists of blocks and the free list: a few
// hundred bytes at the default caps, where a map of 16 k receivers with their lists was
// 12 MB of allocations in one go. After a copy, the first write to a receiver copies its
// slot block (256 pointers) at most once and its flow (2 x flow_senders_per_actor senders)
// once: the cost follows the writes, which the collector applies in budgeted steps.
class ReceiverFlows {
 public:
  struct Flow {
    uint64_t receiver = 0;
    Row row = kNoRow;                 // the receiver's row when last counted: a hint, checked by id
    std::vector<FlowSender> senders;  // Space-Saving: at most flow_senders_per_actor
    std::vector<FlowSender> types;
  };

  size_t size() const { return count_; }

  const Flow* find(uint64_t receiver) const {
    const uint32_t at = locate(receiver);
    return at == kNone ? nullptr : slots_[index_[at].slot].get();
  }

  // The receiver's flow to write (a new empty one when it has none): copied first if a copy
  // of the table shares it. nullptr when it has none and `may_add` is false.
  Flow* for_write(uint64_t receiver, bool may_add) {
    uint32_t at = locate(receiver);
    if (at == kNone) return may_add ? add(receiver) : nullptr;
    std::shared_ptr<Flow>& f = slots_.at_for_write(index_[at].slot);
    if (f.use_count() > 1) f = std::make_shared<Flow>(*f);  // another table holds it: it stays as it was
    return f.get();
  }

  // Calls fn(const Flow&) for each receiver, in slot order.
  template <class Fn>
  void for_each(Fn&& fn) const {
    for (size_t i = 0; i < slots_.size(); ++i)
      if (const Flow* f = slots_[i].get()) fn(*f);
  }

  // Forgets each receiver for which gone(const Flow&) is true. Reads only the others.
  template <class Pred>
  void erase_if(Pred&& gone) {
    for (size_t i = 0; i < slots_.size(); ++i)
      if (const Flow* f = slots_[i].get(); f && gone(*f)) erase(static_cast<uint32_t>(i), f->receiver);
  }

  size_t memory_bytes(size_t senders_per_actor) const {
    return slots_.memory_bytes() + index_.memory_bytes() + free_.capacity() * sizeof(uint32_t) +
           count_ * (sizeof(Flow) + 16 + 2 * senders_per_actor * sizeof(FlowSender));
  }

 private:
  static constexpr uint32_t kNone = UINT32_MAX;
  struct Entry {
    uint64_t key = 0;
    uint32_t slot = kNone;  // kNone: empty
  };

  size_t mask() const { return index_.size() - 1; }
  size_t home(uint64_t key) const { return static_cast<size_t>(mix64(key ^ hash_seed())) & mask(); }

  // The index entry of `key`, or kNone.
  uint32_t locate(uint64_t key) const {
    if (index_.size() == 0) return kNone;
    for (size_t i = home(key);; i = (i + 1) & mask()) {
      const Entry& e = index_[i];
      if (e.slot == kNone) return kNone;
      if (e.key == key) return static_cast<uint32_t>(i);
    }
  }

  void place(uint64_t key, uint32_t slot) {
    size_t i = home(key);
    while (index_[i].slot != kNone) i = (i + 1) & mask();
    index_.at_for_write(i) = Entry{key, slot};
  }

  // At most 3/4 full: doubled, and every entry placed again, when it would be fuller.
  void reserve_for(size_t n) {
    if (index_.size() != 0 && n * 4 <= index_.size() * 3) return;
    size_t cap = index_.size() ? index_.size() * 2 : 64;
    while (n * 4 > cap * 3) cap *= 2;
    SharedBlocks<Entry, kIndexBlock> old = std::move(index_);
    index_ = {};
    index_.grow(cap, Entry{});
    for (size_t i = 0; i < old.size(); ++i)
      if (old[i].slot != kNone) place(old[i].key, old[i].slot);
  }

  Flow* add(uint64_t receiver) {
    reserve_for(count_ + 1);
    uint32_t slot;
    if (!free_.empty()) {
      slot = free_.back();
      free_.pop_back();
    } else {
      slot = static_cast<uint32_t>(slots_.size());
      slots_.grow(slot + 1, nullptr);
    }
    auto f = std::make_shared<Flow>();
    f->receiver = receiver;
    Flow* p = f.get();
    slots_.at_for_write(slot) = std::move(f);
    place(receiver, slot);
    ++count_;
    return p;
  }

  // Linear probing's deletion: the entries after the hole that would not be found past it
  // move back into it, so that no tombstones build up.
  void erase(uint32_t slot, uint64_t receiver) {
    size_t hole = locate(receiver);
    if (hole == kNone) return;  // not indexed: cannot be, as every slot in use is
    slots_.at_for_write(slot) = nullptr;
    free_.push_back(slot);
    --count_;
    for (size_t i = (hole + 1) & mask();; i = (i + 1) & mask()) {
      const Entry e = index_[i];
      if (e.slot == kNone) break;
      const size_t h = home(e.key);
      // e may fill the hole when its home is not in (hole, i] (cyclically).
      const bool stays = hole <= i ? (h > hole && h <= i) : (h > hole || h <= i);
      if (stays) continue;
      index_.at_for_write(hole) = e;
      hole = i;
    }
    index_.at_for_write(hole) = Entry{};
  }

  static constexpr size_t kSlotBlock = 256;
  static constexpr size_t kIndexBlock = 1024;
  SharedBlocks<std::shared_ptr<Flow>, kSlotBlock> slots_;  // nullptr: free (in free_)
  SharedBlocks<Entry, kIndexBlock> index_;                 // size: a power of two, or 0
  std::vector<uint32_t> free_;
  size_t count_ = 0;
};

}  // namespace actorscope::collector
