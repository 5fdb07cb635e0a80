// Encoding and decoding of frames, handshake messages and records. No I/O, no allocation
// on the record-decoding path: decoded records are handed to a handler by reference.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "actorscope/protocol/messages.hpp"
#include "actorscope/protocol/wire.hpp"

namespace actorscope::proto {

// ---- frames ----------------------------------------------------------------------------
// Appends a frame header placeholder; finish_frame() fills in the length once the payload
// has been appended. Returns the header's offset.
size_t begin_frame(std::vector<uint8_t>& out, FrameType type, uint32_t seq);
void finish_frame(std::vector<uint8_t>& out, size_t header_offset);

// Parses the 9 header bytes at p. Does not check the length against a limit.
FrameHeader parse_frame_header(const uint8_t* p);

// Splits a byte stream into frames. Checks each header (known type, length within the
// limit, sequence number) before buffering its payload, so a hostile length prefix costs
// nothing. After an error the decoder stays failed.
class FrameDecoder {
 public:
  explicit FrameDecoder(uint32_t max_frame = kDefaultMaxFrame) : max_frame_(max_frame) {}

  // Appends received bytes.
  void feed(const uint8_t* p, size_t n);
  // Takes the next complete frame; false when more bytes are needed or on error.
  // payload stays valid until the next call to feed() or next().
  bool next(FrameHeader& header, const uint8_t*& payload);
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }
  size_t buffered() const { return buf_.size() - start_; }
  // Bytes of memory the buffer holds (at least buffered()).
  size_t held_bytes() const { return buf_.capacity(); }
  // Frees the buffer when it holds nothing: a peer that sent one large frame does not keep
  // its memory. Invalidates the last payload.
  void release_if_empty() {
    if (buffered() == 0 && buf_.capacity() > 0) {
      buf_ = std::vector<uint8_t>();  // (`buf_ = {}` would keep the capacity)
      start_ = 0;
    }
  }
  void set_max_frame(uint32_t m) { max_frame_ = m; }

 private:
  std::vector<uint8_t> buf_;
  size_t start_ = 0;
  uint32_t max_frame_;
  uint32_t expected_seq_ = 0;
  std::string error_;
};

// ---- bucket counts ----------------------------------------------------------------------
// A histogram's counts: a varint bitmask of the non-empty buckets, then one varint per set
// bit, in bucket order (ingest `hist`, viewer telemetry histograms).
template <size_t N>
void put_buckets(Writer& w, const std::array<uint64_t, N>& h) {
  static_assert(N <= 64, "the mask is one varint");
  uint64_t mask = 0;
  for (size_t i = 0; i < N; ++i)
    if (h[i]) mask |= uint64_t{1} << i;
  w.varint(mask);
  for (size_t i = 0; i < N; ++i)
    if (h[i]) w.varint(h[i]);
}
template <size_t N>
[[gnu::always_inline]] inline void get_buckets(Reader& r, std::array<uint64_t, N>& h) {
  static_assert(N <= 64, "the mask is one varint");
  uint64_t mask = r.varint();
  if constexpr (N < 64) {
    if (mask >> N) {
      r.fail("histogram mask names unknown buckets");
      return;
    }
  }
  // Only the buckets the mask names are read (in order); most samples name a few.
  h = {};
  for (uint64_t m = mask; m != 0; m &= m - 1) h[static_cast<size_t>(std::countr_zero(m))] = r.varint();
}

// ---- handshake -------------------------------------------------------------------------
void encode(Writer& w, const Hello& m);
void encode(Writer& w, const Welcome& m);
void encode(Writer& w, const Reject& m);
// Decoders return false and set `error` to a one-line reason on malformed input.
bool decode(Reader& r, Hello& m, std::string& error);
bool decode(Reader& r, Welcome& m, std::string& error);
bool decode(Reader& r, Reject& m, std::string& error);

// ---- commands (the payload of a Command / CommandResult frame) -------------------------
void encode(Writer& w, const Command& m);
void encode(Writer& w, const CommandResult& m);
bool decode(Reader& r, Command& m, std::string& error);
bool decode(Reader& r, CommandResult& m, std::string& error);

// ---- records ---------------------------------------------------------------------------
void encode(Writer& w, const StringDef& m);
void encode(Writer& w, const ActorSpawned& m);
void encode(Writer& w, const ActorExited& m);
void encode(Writer& w, const ChildRestarted& m);
void encode(Writer& w, const Link& m);
void encode(Writer& w, const ActorStats& m);
void encode(Writer& w, const Telemetry& m);
void encode(Writer& w, const Dropped& m);
void encode(Writer& w, const SnapshotBegin& m);
void encode(Writer& w, const SnapshotEnd& m);
void encode(Writer& w, const Heartbeat& m);
void encode(Writer& w, const TypeTotals& m);
void encode(Writer& w, const SupervisorEscalated& m);
void encode(Writer& w, const SupervisorTotals& m);
void encode(Writer& w, const TelemetryTotals& m);
void encode(Writer& w, const NodeGauges& m);
void encode(Writer& w, const FlowEdges& m);
void encode(Writer& w, const Handling& m);

// Body decoders: r holds exactly one record body.
bool decode_body(Reader& r, StringDef& m);
bool decode_body(Reader& r, ActorSpawned& m);
bool decode_body(Reader& r, ActorExited& m);
bool decode_body(Reader& r, ChildRestarted& m);
bool decode_body(Reader& r, Link& m);
// Inline (below): the bulk of a stream, decoded where the record loop runs.
inline bool decode_body(Reader& r, ActorStats& m);
bool decode_body(Reader& r, Telemetry& m);
bool decode_body(Reader& r, Dropped& m);
bool decode_body(Reader& r, SnapshotBegin& m);
bool decode_body(Reader& r, SnapshotEnd& m);
bool decode_body(Reader& r, Heartbeat& m);
bool decode_body(Reader& r, TypeTotals& m);
bool decode_body(Reader& r, SupervisorEscalated& m);
bool decode_body(Reader& r, SupervisorTotals& m);
bool decode_body(Reader& r, TelemetryTotals& m);
bool decode_body(Reader& r, NodeGauges& m);
bool decode_body(Reader& r, FlowEdges& m);
bool decode_body(Reader& r, Handling& m);

struct DecodeResult {
  bool ok = true;
  const char* error = nullptr;  // static text, one line
  size_t records = 0;
};

// Decodes every record of a Batch payload, calling h.on(const X&) for each known record
// (X one of the record structs). Unknown tags are skipped. Stops at the first malformed
// record. A handler's on() may return void, or bool where false stops decoding with
// error "rejected by handler".
//
// A handler may take stats records (the bulk of a stream) in storage of its own: with
// `ActorStats& stats_slot()` and `void on_stats_slot()`, each is decoded into the slot (every
// field written, nothing zeroed first) and then announced, instead of being decoded into a
// fresh record and passed by reference. A handler may also take runs of stats records
// itself: `const uint8_t* on_stats_run(q, stop, res)` is offered each record start q (the
// batch ends at stop), reads what it takes with decode_stats_at() (counting each in
// res.records) and returns where it stopped; q itself leaves the record to the checked path.
template <class Handler>
DecodeResult decode_records(const uint8_t* p, size_t n, Handler& h);

// ---- the stats record, inline ------------------------------------------------------------
[[gnu::always_inline]] inline bool decode_body(Reader& r, ActorStats& m) {
  m.actor = r.varint();
  m.mailbox = r.varint();
  m.enqueued = r.varint();
  m.dequeued = r.varint();
  m.busy_ns = r.varint();
  m.restarts = r.varint();
  get_buckets(r, m.hist);
  return r.ok();
}

// ---- the stats record without a bounds check per field -------------------------------------
namespace detail {
// The most bytes a stats body's fields can span: six counters, the mask and ten bucket
// counts, ten bytes each at most.
inline constexpr size_t kStatsFieldsMaxBytes = (6 + 1 + kHistogramBuckets) * 10;

// Decodes the stats body [p, end) with kStatsFieldsMaxBytes readable from p: the fields are
// read unchecked and the end checked once (fields only go forward, so each ended inside the
// body exactly when the last did). It accepts exactly what decode_body(Reader&, ActorStats&)
// accepts; false means "not well-formed", for that decoder to say why.
[[gnu::always_inline]] inline bool decode_stats_unchecked(const uint8_t* p, const uint8_t* end, ActorStats& m) {
  uint64_t mask = 0;
  if (!(varint_unchecked(p, m.actor) && varint_unchecked(p, m.mailbox) && varint_unchecked(p, m.enqueued) &&
        varint_unchecked(p, m.dequeued) && varint_unchecked(p, m.busy_ns) && varint_unchecked(p, m.restarts) &&
        varint_unchecked(p, mask)))
    return false;
  if (mask >> kHistogramBuckets) return false;
  m.hist = {};
  for (uint64_t b = mask; b != 0; b &= b - 1)
    if (!varint_unchecked(p, m.hist[static_cast<size_t>(std::countr_zero(b))])) return false;
  return p <= end;
}
}  // namespace detail

// Decodes the stats record at q (batch ends at stop) into m and returns where the next
// record starts; nullptr when q is not a stats record with a length of one or two bytes
// (encoders write two) and the longest fields' bytes behind it, or is not well-formed: the
// checked decoder takes those, and says what is wrong.
[[gnu::always_inline]] inline const uint8_t* decode_stats_at(const uint8_t* q, const uint8_t* stop, ActorStats& m) {
  if (static_cast<size_t>(stop - q) < 3 + detail::kStatsFieldsMaxBytes ||
      q[0] != static_cast<uint8_t>(RecordType::ActorStats) || (q[1] >= 0x80 && q[2] >= 0x80))
    return nullptr;
  const uint8_t* body = q[1] < 0x80 ? q + 2 : q + 3;
  const size_t len = q[1] < 0x80 ? q[1] : (q[1] & 0x7fu) | (size_t{q[2]} << 7);
  if (len > detail::kStatsFieldsMaxBytes) return nullptr;
  const uint8_t* end = body + len;
  return detail::decode_stats_unchecked(body, end, m) ? end : nullptr;
}

// ---- implementation of decode_records --------------------------------------------------
namespace detail {
// Decodes one record's body into m; a malformed one stops the stream with its reason.
template <class Msg>
bool decoded(Reader& body, Msg& m, DecodeResult& res) {
  if (decode_body(body, m)) return true;
  res.ok = false;
  res.error = body.error() ? body.error() : "malformed message";
  return false;
}
template <class Handler, class Msg>
bool dispatch(Reader& body, Handler& h, DecodeResult& res) {
  Msg m{};
  if (!decoded(body, m, res)) return false;
  if constexpr (std::is_same_v<decltype(h.on(m)), bool>) {
    if (!h.on(m)) {
      res.ok = false;
      res.error = "rejected by handler";
      return false;
    }
  } else {
    h.on(m);
  }
  ++res.records;
  return true;
}
template <class Handler>
bool dispatch_stats_in_slot(Reader& body, Handler& h, DecodeResult& res) {
  if (!decoded(body, h.stats_slot(), res)) return false;
  h.on_stats_slot();
  ++res.records;
  return true;
}
}  // namespace detail

namespace detail {
// The loop both conversations share: u8 tag, varint length, body. `on_body(tag, body, res)`
// decodes one body (or skips an unknown tag) and returns false to stop.
// `fast(q, stop, res)` may take the record at q itself and return where the next one starts,
// or nullptr to leave it to on_body.
template <class Fast, class OnBody>
DecodeResult decode_tagged(const uint8_t* p, size_t n, Fast&& fast, OnBody&& on_body) {
  DecodeResult res;
  const uint8_t* q = p;
  const uint8_t* const stop = p + n;
  while (q < stop) {
    if (const uint8_t* next = fast(q, stop, res)) {
      q = next;
      continue;
    }
    Reader r(q, static_cast<size_t>(stop - q));
    uint8_t tag = r.u8();
    uint64_t len = r.varint();
    if (!r.ok() || len > r.remaining()) {
      res.ok = false;
      res.error = r.ok() ? "message length past the end of the frame" : r.error();
      return res;
    }
    Reader body = r.sub(static_cast<size_t>(len));
    if (!on_body(tag, body, res)) return res;
    q = r.pos();
  }
  return res;
}
template <class OnBody>
DecodeResult decode_tagged(const uint8_t* p, size_t n, OnBody&& on_body) {
  return decode_tagged(
      p, n, [](const uint8_t*, const uint8_t*, DecodeResult&) -> const uint8_t* { return nullptr; },
      std::forward<OnBody>(on_body));
}
}  // namespace detail

template <class Handler>
DecodeResult decode_records(const uint8_t* p, size_t n, Handler& h) {
  // Stats records (the bulk of a stream) go to a handler that takes runs of them
  // (`const uint8_t* on_stats_run(q, stop, res)`, reading them with decode_stats_at()) before
  // the checked path below sees them; what it leaves, it leaves to that path.
  auto fast = [&h](const uint8_t* q, const uint8_t* stop, DecodeResult& res) -> const uint8_t* {
    if constexpr (requires { h.on_stats_run(q, stop, res); }) {
      const uint8_t* next = h.on_stats_run(q, stop, res);
      return next != q ? next : nullptr;
    }
    (void)h, (void)q, (void)stop, (void)res;
    return nullptr;
  };
  return detail::decode_tagged(p, n, fast, [&h](uint8_t tag, Reader& body, DecodeResult& res) {
    bool go = true;
    switch (static_cast<RecordType>(tag)) {
      case RecordType::StringDef: go = detail::dispatch<Handler, StringDef>(body, h, res); break;
      case RecordType::ActorSpawned: go = detail::dispatch<Handler, ActorSpawned>(body, h, res); break;
      case RecordType::ActorExited: go = detail::dispatch<Handler, ActorExited>(body, h, res); break;
      case RecordType::ChildRestarted: go = detail::dispatch<Handler, ChildRestarted>(body, h, res); break;
      case RecordType::Link: go = detail::dispatch<Handler, Link>(body, h, res); break;
      case RecordType::ActorStats:
        if constexpr (requires { h.stats_slot(); h.on_stats_slot(); })
          go = detail::dispatch_stats_in_slot(body, h, res);
        else
          go = detail::dispatch<Handler, ActorStats>(body, h, res);
        break;
      case RecordType::Telemetry: go = detail::dispatch<Handler, Telemetry>(body, h, res); break;
      case RecordType::Dropped: go = detail::dispatch<Handler, Dropped>(body, h, res); break;
      case RecordType::SnapshotBegin: go = detail::dispatch<Handler, SnapshotBegin>(body, h, res); break;
      case RecordType::SnapshotEnd: go = detail::dispatch<Handler, SnapshotEnd>(body, h, res); break;
      case RecordType::Heartbeat: go = detail::dispatch<Handler, Heartbeat>(body, h, res); break;
      case RecordType::TypeTotals: go = detail::dispatch<Handler, TypeTotals>(body, h, res); break;
      case RecordType::SupervisorEscalated:
        // Records added after 1.0 reach only handlers that take them; others skip them, as
        // a 1.0 decoder does.
        if constexpr (requires(const SupervisorEscalated& m) { h.on(m); })
          go = detail::dispatch<Handler, SupervisorEscalated>(body, h, res);
        break;
      case RecordType::SupervisorTotals:
        if constexpr (requires(const SupervisorTotals& m) { h.on(m); })
          go = detail::dispatch<Handler, SupervisorTotals>(body, h, res);
        break;
      case RecordType::TelemetryTotals:
        if constexpr (requires(const TelemetryTotals& m) { h.on(m); })
          go = detail::dispatch<Handler, TelemetryTotals>(body, h, res);
        break;
      case RecordType::NodeGauges:
        if constexpr (requires(const NodeGauges& m) { h.on(m); })
          go = detail::dispatch<Handler, NodeGauges>(body, h, res);
        break;
      case RecordType::FlowEdges:
        if constexpr (requires(const FlowEdges& m) { h.on(m); })
          go = detail::dispatch<Handler, FlowEdges>(body, h, res);
        break;
      case RecordType::Handling:
        if constexpr (requires(const Handling& m) { h.on(m); })
          go = detail::dispatch<Handler, Handling>(body, h, res);
        break;
      default: break;  // unknown: skipped, its length told us how far
    }
    return go;
  });
}

}  // namespace actorscope::proto
