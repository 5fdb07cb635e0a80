// libFuzzer target: every decoder of the protocol must survive any input without a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "actorscope/protocol/codec.hpp"
#include "fuzz_support.hpp"

using Sink = actorscope::fuzz::CountingSink;

// Takes runs of stats records through the fast decoder (as the collector's model does).
struct RunSink : Sink {
  actorscope::proto::ActorStats slot;
  uint64_t sum = 0;
  const uint8_t* on_stats_run(const uint8_t* q, const uint8_t* stop, actorscope::proto::DecodeResult& res) {
    while (const uint8_t* next = actorscope::proto::decode_stats_at(q, stop, slot)) {
      ++n;
      sum += slot.actor + slot.busy_ns + slot.hist[9];
      ++res.records;
      q = next;
    }
    return q;
  }
};

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace actorscope::proto;
  // The first byte picks which decoder sees the rest, so one corpus covers all of them.
  actorscope::fuzz::ModedInput in;
  if (!actorscope::fuzz::split_mode(data, size, 4, in)) return 0;
  const uint8_t mode = static_cast<uint8_t>(in.mode);
  const uint8_t* p = in.data;
  const size_t n = in.size;
  std::string error;
  switch (mode) {
    case 0: {
      Reader r(p, n);
      Hello h;
      (void)decode(r, h, error);
      break;
    }
    case 1: {
      // Both ways of taking stats records must agree on what the batch holds.
      Sink s;
      RunSink runs;
      const DecodeResult a = decode_records(p, n, s);
      const DecodeResult b = decode_records(p, n, runs);
      if (a.ok != b.ok || a.records != b.records || s.n != runs.n) __builtin_trap();
      break;
    }
    case 2: {
      // A byte stream cut into frames, fed in uneven pieces.
      FrameDecoder d(4096);
      size_t at = 0, step = 1;
      while (at < n && !d.failed()) {
        size_t k = std::min(step, n - at);
        d.feed(p + at, k);
        at += k;
        step = step * 3 + 1;
        FrameHeader fh;
        const uint8_t* payload = nullptr;
        while (d.next(fh, payload)) {
          if (fh.type == FrameType::Batch) {
            Sink s;
            (void)decode_records(payload, fh.length, s);
          } else if (fh.type == FrameType::Command) {
            Reader r(payload, fh.length);
            Command c;
            (void)decode(r, c, error);
          } else if (fh.type == FrameType::CommandResult) {
            Reader r(payload, fh.length);
            CommandResult c;
            (void)decode(r, c, error);
          }
        }
      }
      break;
    }
    default: {
      Reader r(p, n);
      Welcome w;
      Reader r2(p, n);
      Reject j;
      (void)decode(r, w, error);
      (void)decode(r2, j, error);
      break;
    }
  }
  return 0;
}
