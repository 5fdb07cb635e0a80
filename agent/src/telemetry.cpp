// :telemetry.execute and :telemetry.span, recorded into the calling thread's ring.
#include <cstring>
#include <string>

#include "actorscope/agent.h"
#include "clock.hpp"
#include "shared.hpp"

namespace actorscope::agent {
void push_telemetry_record(uint64_t actor, const char* event, const actorscope_measurement* m, size_t nm,
                           const actorscope_meta* md, size_t nd);
}

using namespace actorscope::agent;

namespace {

// "<prefix>.<suffix>" in a stack buffer (event names are short; longer ones are cut).
struct EventName {
  char text[288];
  EventName(const char* prefix, const char* suffix) {
    size_t n = prefix ? strnlen(prefix, 255) : 0;
    if (n) std::memcpy(text, prefix, n);
    text[n++] = '.';
    size_t k = std::strlen(suffix);
    std::memcpy(text + n, suffix, k + 1);
  }
};

// Metadata of the call (at most 14 pairs) plus kind and reason.
struct MetaList {
  actorscope_meta items[16];
  size_t n = 0;
  MetaList(const actorscope_meta* md, size_t nd) {
    if (!md) nd = 0;
    for (size_t i = 0; i < nd && i < 14; ++i) items[n++] = md[i];  // room for kind and reason
  }
  void add(const char* key, const char* value) { items[n++] = {key, value ? value : ""}; }
};

}  // namespace

extern "C" void actorscope_telemetry_execute(const char* event, const actorscope_measurement* measurements,
                                             size_t n_measurements, const actorscope_meta* metadata, size_t n_metadata,
                                             actorscope_actor* actor) {
  if (!shared().enabled.load(std::memory_order_relaxed) || !event || !*event) return;
  try {
    push_telemetry_record(actorscope_actor_id(actor), event, measurements, n_measurements, metadata, n_metadata);
  } catch (...) {
  }
}

extern "C" uint64_t actorscope_span_start(const char* prefix, const actorscope_meta* metadata, size_t n_metadata,
                                          actorscope_actor* actor) {
  uint64_t start = mono_ns();
  if (!shared().enabled.load(std::memory_order_relaxed) || !prefix) return start;
  try {
    EventName ev(prefix, "start");
    actorscope_measurement m[2] = {{"system_time", double(wall_ns())}, {"monotonic_time", double(start)}};
    push_telemetry_record(actorscope_actor_id(actor), ev.text, m, 2, metadata, n_metadata);
  } catch (...) {
  }
  return start;
}

extern "C" void actorscope_span_stop(const char* prefix, uint64_t token, const actorscope_meta* metadata,
                                     size_t n_metadata, actorscope_actor* actor) {
  if (!shared().enabled.load(std::memory_order_relaxed) || !prefix) return;
  try {
    uint64_t now = mono_ns();
    EventName ev(prefix, "stop");
    actorscope_measurement m[2] = {{"duration", double(now > token ? now - token : 0)}, {"monotonic_time", double(now)}};
    push_telemetry_record(actorscope_actor_id(actor), ev.text, m, 2, metadata, n_metadata);
  } catch (...) {
  }
}

extern "C" void actorscope_span_exception(const char* prefix, uint64_t token, const char* kind, const char* reason,
                                          const actorscope_meta* metadata, size_t n_metadata, actorscope_actor* actor) {
  if (!shared().enabled.load(std::memory_order_relaxed) || !prefix) return;
  try {
    uint64_t now = mono_ns();
    EventName ev(prefix, "exception");
    actorscope_measurement m[2] = {{"duration", double(now > token ? now - token : 0)}, {"monotonic_time", double(now)}};
    MetaList meta(metadata, n_metadata);
    meta.add("kind", kind ? kind : "error");
    meta.add("reason", reason);
    push_telemetry_record(actorscope_actor_id(actor), ev.text, m, 2, meta.items, meta.n);
  } catch (...) {
  }
}
