// The demo service's actors: a small ingest pipeline and client sessions.
#include "service.hpp"

#include <chrono>
#include <stdexcept>
#include <thread>

#include "actorscope/agent.h"
#include "actorscope/caf/spawn.hpp"
#include "messages.hpp"

namespace demo {

namespace {
actorscope_actor* cell_of(caf::event_based_actor* self) {
  return actorscope::caf::cell_of(self);
}
}  // namespace

caf::behavior ingest(caf::event_based_actor* self, uint32_t parsers, uint32_t batch_size) {
  publish(self, "ingest");
  struct state {
    std::vector<uint64_t> batch;
    uint32_t next_parser = 0;
  };
  auto st = std::make_shared<state>();
  auto flush = [self, st, parsers] {
    if (st->batch.empty()) return;
    std::string name = "parser" + std::to_string(st->next_parser++ % parsers + 1);
    actorscope_measurement m{"size", static_cast<double>(st->batch.size())};
    actorscope_meta meta{"parser", name.c_str()};
    actorscope_telemetry_execute("demo.batch", &m, 1, &meta, 1, cell_of(self));
    if (auto p = lookup(self->system(), name.c_str())) self->send(p, batch_atom::value, std::move(st->batch));
    st->batch.clear();
  };
  self->delayed_send(self, std::chrono::milliseconds(100), flush_atom::value);
  return {
      [st, flush, batch_size](request_atom, uint64_t id, bool malformed) {
        st->batch.push_back(malformed ? (id | kMalformed) : id);
        if (st->batch.size() >= batch_size) flush();
      },
      [self, flush](flush_atom) {
        flush();
        self->delayed_send(self, std::chrono::milliseconds(100), flush_atom::value);
      },
  };
}

caf::behavior parser(caf::event_based_actor* self, std::string name) {
  publish(self, name.c_str());
  return {
      [self](batch_atom, const std::vector<uint64_t>& records) {
        uint64_t checksum = 0;
        for (uint64_t r : records) {
          if (r & kMalformed) throw std::runtime_error("malformed record " + std::to_string(r & ~kMalformed));
          checksum = checksum * 31 + r;
        }
        // Handlers return nothing: CAF would send a result back to the sender.
        if (auto a = lookup(self->system(), "aggregator"))
          self->send(a, parsed_atom::value, static_cast<uint64_t>(records.size()), checksum);
      },
      [](crash_atom) { throw std::runtime_error("parser state corrupted"); },
  };
}

caf::behavior aggregator(caf::event_based_actor* self) {
  publish(self, "aggregator");
  auto total = std::make_shared<uint64_t>(0);
  return {
      [self, total](parsed_atom, uint64_t n, uint64_t) {
        *total += n;
        if (auto s = lookup(self->system(), "store")) self->send(s, store_atom::value, n);
      },
  };
}

caf::behavior store(caf::event_based_actor* self, uint32_t write_us) {
  publish(self, "store");
  return {
      // A blocking write: the store runs on its own thread (detached).
      [write_us](store_atom, uint64_t) { std::this_thread::sleep_for(std::chrono::microseconds(write_us)); },
  };
}

caf::behavior session(caf::event_based_actor* self, const caf::message& args) {
  uint32_t lifetime_ms = 1000;
  if (args.match_elements<uint32_t>()) lifetime_ms = args.get_as<uint32_t>(0);
  self->delayed_send(self, std::chrono::milliseconds(lifetime_ms), end_atom::value);
  return {
      [self](request_atom, uint64_t id, bool malformed) {
        actorscope_actor* cell = cell_of(self);
        std::string rid = std::to_string(id);
        actorscope_meta meta{"request", rid.c_str()};
        uint64_t span = actorscope_span_start("demo.request", &meta, 1, cell);
        if (auto i = lookup(self->system(), "ingest")) self->send(i, request_atom::value, id, malformed);
        actorscope_span_stop("demo.request", span, &meta, 1, cell);
      },
      [self](end_atom) { self->quit(); },
      [](crash_atom) { throw std::runtime_error("session lost its connection"); },
  };
}

}  // namespace demo
