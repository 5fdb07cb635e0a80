// Slabs of 4096 cells (512 KiB, 64-byte aligned) that live as long as the process.
#include "cells.hpp"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>

namespace actorscope::agent {

CellStore& cells() {
  static CellStore* c = new CellStore();
  return *c;
}

actorscope_actor* CellStore::allocate() {
  std::lock_guard<std::mutex> lock(mu_);
  actorscope_actor* a = nullptr;
  if (free_) {
    a = free_;
    free_ = a->next;
  } else {
    if (used_in_last_ == kCellsPerSlab) {
      void* slab = std::aligned_alloc(64, kCellsPerSlab * sizeof(actorscope_actor));
      if (!slab) return nullptr;
      try {
        slabs_.push_back(static_cast<actorscope_actor*>(slab));
      } catch (...) {
        std::free(slab);
        return nullptr;
      }
      used_in_last_ = 0;
    }
    a = slabs_.back() + used_in_last_++;
  }
  reset(a);
  return a;
}

// Zeroes a cell. Fields that walks and late hooks touch concurrently are written
// atomically; the identity fields are only read after the spawn is published.
void CellStore::reset(actorscope_actor* a) {
  __atomic_store_n(&a->enqueued, uint64_t(0), __ATOMIC_RELAXED);
  __atomic_store_n(&a->send_dirty, uint8_t(0), __ATOMIC_RELAXED);
  __atomic_store_n(&a->lifecycle, uint8_t(kFree), __ATOMIC_RELAXED);
  a->flags = 0;
  a->exit_reason = 0;
  a->exit_text = 0;
  a->id = a->parent_id = 0;
  a->name = a->child_id = 0;
  a->type = a->intensity = 0;
  a->period_ms = 0;
  __atomic_store_n(&a->restarts, uint32_t(0), __ATOMIC_RELAXED);
  a->event_ms = 0;
  a->next = nullptr;
  __atomic_store_n(&a->dequeued, uint64_t(0), __ATOMIC_RELAXED);
  __atomic_store_n(&a->depth, uint32_t(0), __ATOMIC_RELAXED);
  __atomic_store_n(&a->recv_dirty, uint8_t(0), __ATOMIC_RELAXED);
  std::memset(a->reserved, 0, sizeof a->reserved);
  __atomic_store_n(&a->busy_ticks, uint64_t(0), __ATOMIC_RELAXED);
  for (uint32_t& h : a->hist) __atomic_store_n(&h, uint32_t(0), __ATOMIC_RELAXED);
}

void CellStore::quarantine(actorscope_actor* a, uint64_t flush) {
  try {
    quarantine_.push_back({a, flush});
  } catch (...) {
    // Out of memory: the cell is simply never reused.
  }
}

void CellStore::release_quarantined(uint64_t current_flush) {
  size_t keep = 0;
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& q : quarantine_) {
    if (current_flush >= q.flush + 2) {
      __atomic_store_n(&q.cell->lifecycle, kFree, __ATOMIC_RELEASE);
      q.cell->next = free_;
      free_ = q.cell;
    } else {
      quarantine_[keep++] = q;
    }
  }
  quarantine_.resize(keep);
}

void CellStore::for_each(const std::function<void(actorscope_actor*)>& f) {
  std::vector<actorscope_actor*> slabs;
  size_t used_in_last;
  {
    std::lock_guard<std::mutex> lock(mu_);
    slabs = slabs_;
    used_in_last = used_in_last_;
  }
  for (size_t s = 0; s < slabs.size(); ++s) {
    size_t n = s + 1 == slabs.size() ? used_in_last : kCellsPerSlab;
    for (size_t i = 0; i < n; ++i) f(slabs[s] + i);
  }
}

uint64_t CellStore::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return slabs_.size() * kCellsPerSlab * sizeof(actorscope_actor);
}

namespace {
std::atomic<actorscope_actor*> g_lifecycle_head{nullptr};
}

void lifecycle_push(actorscope_actor* a) {
  actorscope_actor* head = g_lifecycle_head.load(std::memory_order_relaxed);
  do {
    a->next = head;
  } while (!g_lifecycle_head.compare_exchange_weak(head, a, std::memory_order_release, std::memory_order_relaxed));
}

actorscope_actor* lifecycle_take_all() {
  actorscope_actor* list = g_lifecycle_head.exchange(nullptr, std::memory_order_acquire);
  actorscope_actor* reversed = nullptr;
  while (list) {
    actorscope_actor* next = list->next;
    list->next = reversed;
    reversed = list;
    list = next;
  }
  return reversed;
}

}  // namespace actorscope::agent
