// The cold lifecycle hooks: spawn, exit, child restarted, link.
#include <atomic>
#include <cstring>

#include "actorscope/agent.h"
#include "cells.hpp"
#include "clock.hpp"
#include "ring_records.hpp"
#include "shared.hpp"
#include "strings.hpp"
#include "thread_state.hpp"

namespace actorscope::agent {
namespace {

std::atomic<uint64_t> g_next_id{1};

uint32_t event_ms() { return static_cast<uint32_t>(since_anchor_ns() / 1'000'000); }

uint32_t intern(const char* s) { return s ? strings().intern(s) : 0; }

// Writes one ring record (sized by a first pass); counts a drop of `kind` if it does not fit.
template <class Write>
void push_record(DropKind kind, Write&& write) {
  ThreadState* st = this_thread_state();
  SizeSink size;
  write(size);
  Ring::Record rec;
  if (!st || size.n > UINT32_MAX || !st->ring.begin(static_cast<uint32_t>(size.n), rec)) {
    count_drop(kind);
    return;
  }
  write(rec);
  rec.commit();
  if (st->ring.half_full()) request_wake();
}

}  // namespace

void push_telemetry_record(uint64_t actor, const char* event, const actorscope_measurement* m, size_t nm,
                           const actorscope_meta* md, size_t nd) {
  if (nm > 16) nm = 16;
  if (nd > 16) nd = 16;
  if (!m) nm = 0;
  if (!md) nd = 0;
  uint64_t t = since_anchor_ns();
  push_record(DropKind::Telemetry, [&](auto& s) {
    s.put_value(static_cast<uint8_t>(RingKind::Telemetry));
    s.put_value(t);
    s.put_value(actor);
    put_text(s, event, kMaxRingName);
    s.put_value(static_cast<uint8_t>(nm));
    for (size_t i = 0; i < nm; ++i) {
      put_text(s, m[i].key, kMaxRingName);
      s.put_value(m[i].value);
    }
    s.put_value(static_cast<uint8_t>(nd));
    for (size_t i = 0; i < nd; ++i) {
      put_text(s, md[i].key, kMaxRingName);
      put_text(s, md[i].value, kMaxRingText);
    }
  });
}

}  // namespace actorscope::agent

using namespace actorscope::agent;

extern "C" actorscope_actor* actorscope_spawn(const actorscope_spawn_info* info) {
  try {
    if (!shared().enabled.load(std::memory_order_relaxed) || !info) return nullptr;
    actorscope_actor* a = cells().allocate();
    if (!a) {
      count_drop(DropKind::Other);
      return nullptr;
    }
    a->id = info->id ? info->id : (uint64_t(1) << 62) | g_next_id.fetch_add(1, std::memory_order_relaxed);
    a->parent_id = info->parent_id;
    a->name = intern(info->name);
    a->child_id = intern(info->child_id);
    a->type = type_index(intern(info->type ? info->type : "actor"));
    unsigned kind = info->kind == ACTORSCOPE_SUPERVISOR ? 1 : 0;
    unsigned restart = unsigned(info->restart) <= 2 ? unsigned(info->restart) : 0;
    unsigned strategy = unsigned(info->strategy) <= 4 ? unsigned(info->strategy) : 0;
    a->flags = static_cast<uint8_t>(kind | restart << 1 | strategy << 3);
    a->intensity = static_cast<uint16_t>(info->intensity > UINT16_MAX ? UINT16_MAX : info->intensity);
    a->period_ms = info->period_ms;
    a->event_ms = event_ms();
    __atomic_store_n(&a->depth, UINT32_MAX, __ATOMIC_RELAXED);
    __atomic_store_n(&a->lifecycle, uint8_t(kSpawnPending), __ATOMIC_RELAXED);
    shared().live_actors.fetch_add(1, std::memory_order_relaxed);
    lifecycle_push(a);  // publishes the fields above (release)
    return a;
  } catch (...) {
    return nullptr;
  }
}

extern "C" uint64_t actorscope_actor_id(const actorscope_actor* a) { return a ? a->id : 0; }

extern "C" void actorscope_exit(actorscope_actor* a, actorscope_reason reason, const char* text) {
  if (!a) return;
  try {
    // Claim the exit first (a second exit is ignored), then write it, then publish.
    uint8_t s = load_state(a);
    uint8_t claimed;
    do {
      if (s == kSpawnPending) claimed = kExitingUnreported;
      else if (s == kLive) claimed = kExitingReported;
      else return;
    } while (!__atomic_compare_exchange_n(&a->lifecycle, &s, claimed, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
    a->exit_reason = static_cast<uint8_t>(unsigned(reason) <= 5 ? reason : ACTORSCOPE_EXIT_UNKNOWN);
    a->exit_text = text ? reason_texts().put(std::string_view(text, strnlen(text, kMaxRingText))) : 0;  // freed once reported
    // From here event_ms holds the exit: the low 32 bits of µs since the anchor, fine
    // enough to order the exit among other threads' records (see the flusher).
    // Atomic: the flusher may be reading the spawn time from it at this moment.
    __atomic_store_n(&a->event_ms, static_cast<uint32_t>(since_anchor_ns() / 1000), __ATOMIC_RELAXED);
    shared().live_actors.fetch_sub(1, std::memory_order_relaxed);
    if (claimed == kExitingUnreported) {
      __atomic_store_n(&a->lifecycle, kExitBeforeReport, __ATOMIC_RELEASE);  // still on the list
    } else {
      __atomic_store_n(&a->lifecycle, kExitPending, __ATOMIC_RELEASE);
      lifecycle_push(a);
    }
  } catch (...) {
  }
}

extern "C" void actorscope_supervisor_escalated(actorscope_actor* supervisor) {
  if (!supervisor || !shared().enabled.load(std::memory_order_relaxed)) return;
  try {
    uint64_t t = since_anchor_ns();
    uint64_t sup = supervisor->id;
    push_record(DropKind::Restart, [&](auto& s) {
      s.put_value(static_cast<uint8_t>(RingKind::Escalated));
      s.put_value(t);
      s.put_value(sup);
    });
  } catch (...) {
  }
}

extern "C" void actorscope_child_restarted(actorscope_actor* supervisor, const char* child_id, uint64_t old_id,
                                           uint64_t new_id, actorscope_reason reason, const char* text) {
  if (!shared().enabled.load(std::memory_order_relaxed)) return;
  try {
    uint64_t sup = supervisor ? supervisor->id : 0;
    if (supervisor) {
      __atomic_fetch_add(&supervisor->restarts, 1, __ATOMIC_RELAXED);
      actorscope__mark_dirty(supervisor, 0);
    }
    uint64_t t = since_anchor_ns();
    uint8_t r = static_cast<uint8_t>(unsigned(reason) <= 5 ? reason : ACTORSCOPE_EXIT_UNKNOWN);
    push_record(DropKind::Restart, [&](auto& s) {
      s.put_value(static_cast<uint8_t>(RingKind::ChildRestarted));
      s.put_value(t);
      s.put_value(sup);
      s.put_value(old_id);
      s.put_value(new_id);
      s.put_value(r);
      put_text(s, child_id, kMaxRingName);
      put_text(s, text, kMaxRingText);
    });
  } catch (...) {
  }
}

extern "C" void actorscope_link(uint64_t a, uint64_t b, actorscope_link_op op) {
  if (!shared().enabled.load(std::memory_order_relaxed)) return;
  try {
    uint64_t t = since_anchor_ns();
    uint8_t o = static_cast<uint8_t>(unsigned(op) <= 3 ? op : ACTORSCOPE_LINK);
    push_record(DropKind::Link, [&](auto& s) {
      s.put_value(static_cast<uint8_t>(RingKind::Link));
      s.put_value(t);
      s.put_value(a);
      s.put_value(b);
      s.put_value(o);
    });
  } catch (...) {
  }
}
