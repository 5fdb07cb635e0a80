// The model's time axis (the flight recorder): what the model was fed, in segments that
// each begin with a keyframe (a copy of the whole model), so that the state at any past
// instant is a keyframe plus a bounded replay. Bounded by bytes and by age; what falls off
// is counted, and where history begins is known. Pure: no I/O, no threads, no clock.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actorscope/collector/model.hpp"

namespace actorscope::collector {

struct HistorySettings {
  uint64_t max_age_ns = 3600ull * 1'000'000'000;  // history kept (older segments go); 0: no history at all
  uint64_t max_bytes = 256ull << 20;              // keyframes and stream together, at most (the newest
                                                  // segment is kept whatever its size)
  // A keyframe is taken once the stream held since the last one (compressed) is as large as
  // a keyframe times stream_per_keyframe — the last keyframe unpacked, or the model's tables
  // now when it grew since (Model::table_bytes) — so keyframes are at most about a quarter of
  // what is held (a replayed second costs far less than holding its keyframe), but not before
  // min_segment_bytes of it, and at the latest after the segment's span (HistoryStats::
  // segment_span_ns: max_age_ns / segments_per_age, less for a large model, see
  // keyframe_byte_seconds), which also bounds what a seek replays and lets history end near
  // its age, not a whole segment past it.
  uint64_t min_segment_bytes = 1ull << 20;
  // The stream is sealed in pieces of this many bytes, each compressed on the compressor's
  // thread. A hand-off wakes that thread, which costs the ingest thread about 50 us on the
  // development VM (a cross-core wake-up): 256 KiB pieces made it about 4 ms of a 1.17 M-record
  // ingest, 5 points of the recorder's cost. A rebuild decompresses whole pieces.
  uint64_t chunk_bytes = 1ull << 20;
  // zstd's level for the stream's pieces: 1 makes the demo's stream about 2.5 times smaller
  // (LZ4: 1.9), at 150-350 MB/s on the compressor's thread. While the compressor is behind
  // the stream (a piece sealed while another is still being compressed or waits for it), each
  // piece goes one step faster (1, then zstd's negative levels: -1, -3, ...) down to
  // stream_fastest_level (-7: about 1.8 times smaller, half again as fast), and one step back
  // after 8 pieces in a row that found it keeping up (HistoryStats::stream_level,
  // compressor_behind).
  int stream_level = 1;
  int stream_fastest_level = -7;
  // Sealed pieces that may wait for the compressor, raw: the ingest thread waits for it only
  // when more are waiting (HistoryStats::compressor_stalls).
  uint32_t compress_backlog_chunks = 8;
  double stream_per_keyframe = 3.0;  // stream bytes per keyframe byte before the next keyframe
  uint32_t segments_per_age = 8;
  // A large model's segments are shorter: a rebuild replays the model's one-second steps, whose
  // cost grows with the model (the actors they look at), so a segment lasts at most
  // keyframe_byte_seconds divided by its keyframe's size in MB (unpacked): 50 s for a keyframe
  // of 100 000 actors (24 MB), the age's share for the demo's. As many as the bytes allow (what
  // is left of max_bytes beside the stream expected over max_age, in packed keyframes), at most
  // max_segments_per_age, at least segments_per_age.
  double keyframe_byte_seconds = 1200.0;  // MB x s
  uint32_t max_segments_per_age = 64;
  // Each keyframe's actor rows are held packed (RowStore::pack), packed on a thread of the
  // recorder's own once the keyframe is whole; the packed keyframe serves from the first input
  // keyframe_pack_wait_ns after that (waited for if the packing is not done: what is held, and
  // so when keyframes are taken and segments go, does not depend on the threads' timing).
  // Until then the segment before serves its instants.
  bool pack_keyframes = true;
  uint64_t keyframe_pack_wait_ns = 1'000'000'000;
  // A keyframe's actor rows, id indexes and event logs are copied this many bytes at a time,
  // one part after each input (the rest of the model is copied at once): a copy of a large model does not hold the
  // collector's loop for long. Until it is whole, the segment before it serves its instants.
  // The copy goes to fresh memory, which the kernel faults in on the copying turn: up to
  // 2.8 ms per MiB on the development VM (BM_FreshMemory; 0.05 ms to write a MiB in place).
  // A larger input copies more, keyframe_copy_per_input_byte per byte of it, up to four times
  // the least: the copy keeps pace with the stream (the longer it takes in records, the more
  // rows are written before their turn and saved aside), and its share of a turn stays in
  // proportion to the records the turn applies (the collector applies a frame 16 KiB at a time).
  uint64_t keyframe_copy_bytes_per_input = 1ull << 20;
  uint64_t keyframe_copy_per_input_byte = 64;
  // Timeline markers: one bucket per marker_bucket_ns with the counts of what happened in it.
  uint64_t marker_bucket_ns = 1'000'000'000;
};

// What happened within one bucket of the timeline (counts across nodes).
struct TimelineBucket {
  uint64_t at = 0;  // model clock at the bucket's start
  uint32_t crashes = 0;
  uint32_t restarts = 0;
  uint32_t escalations = 0;
  uint32_t nodes_up = 0;    // hellos
  uint32_t nodes_down = 0;  // disconnects
  uint32_t warnings = 0;    // warnings raised
  friend bool operator==(const TimelineBucket&, const TimelineBucket&) = default;
};

struct HistoryStats {
  uint64_t begins_at = 0;      // model clock of the oldest instant that can be rebuilt (0: none)
  uint64_t ends_at = 0;        // of the newest input recorded
  uint64_t bytes = 0;          // held now: stream + keyframes (estimates of the models' memory)
  uint64_t stream_bytes = 0;   // as held: sealed chunks compressed
  uint64_t stream_raw_bytes = 0;  // the same inputs uncompressed
  int stream_level = 0;             // zstd's level for the pieces sealed now (below
                                    // HistorySettings::stream_level while the compressor is behind)
  uint64_t compressor_behind = 0;   // pieces sealed while the compressor was behind (busy, or pieces queued)
  uint64_t compressor_stalls = 0;   // times the ingest thread waited for it: its backlog was full
  uint64_t keyframe_bytes = 0;     // as held (actor rows packed)
  uint64_t keyframe_raw_bytes = 0; // the same keyframes unpacked
  uint64_t segments = 0;       // = keyframes held
  uint64_t entries = 0;        // inputs held
  uint64_t keyframes_taken = 0;
  bool keyframe_copying = false;  // the newest segment's keyframe is still being copied (or packed)
  uint64_t segment_span_ns = 0;   // the age after which the next keyframe is taken (at the latest)
  uint64_t evicted_segments = 0;  // fell off (age or bytes), with their entries and bytes:
  uint64_t evicted_entries = 0;
  uint64_t evicted_bytes = 0;
  uint64_t recorded_entries = 0;  // ever
  uint64_t recorded_bytes = 0;    // ever, stream only (bytes per input = this / recorded_entries)
  uint64_t buffer_bytes = 0;      // heap the write buffers hold beside `bytes` (the newest segment's
                                  // open chunk and one spare, about chunk_bytes each, at most)
};

// A sealed piece of a segment's stream (immutable, shared with rebuilds): zstd-compressed, or
// raw until its compression, on another thread, is done.
struct HistoryChunk {
  std::vector<uint8_t> bytes;  // compressed (or raw)
  uint32_t raw_size = 0;
  bool compressed = true;
  uint64_t last_at = 0;  // the stamp of its last input: a rebuild that goes on from a later
                         // instant passes it by without decompressing it
  uint32_t entries = 0;  // inputs in it
};

// The inputs to rebuild one past instant, taken from the history under the model's lock
// (cheap: shared, immutable pieces and a copy of the newest chunk's part), then run anywhere.
struct RebuildPlan {
  bool ok = false;                        // false: the instant is before history begins (or no history)
  uint64_t at = 0;                        // the instant: every input stamped <= at is applied
  std::shared_ptr<const Model> keyframe;  // the state at the segment's start
  uint64_t keyframe_at = 0;               // its instant
  // When set, the rebuild goes on from this model instead of the keyframe: the state right
  // after every input stamped <= base_at (keyframe_at <= base_at <= at), rebuilt from this
  // history (a viewer's shown instant, when it moves forward). Only the inputs after base_at
  // are applied, and the chunks before them are passed by.
  std::shared_ptr<const Model> base;
  uint64_t base_at = 0;
  std::vector<std::shared_ptr<const HistoryChunk>> chunks;  // the stream after it, in order
  std::vector<uint8_t> tail;              // the open chunk's part
  uint64_t entries = 0;                   // stream entries that the rebuild will look at
};

// One input of the stream, as recorded (payload points into the chunk it was read from).
enum class HistoryInputKind : uint8_t { Hello = 1, Batch = 2, Disconnect = 3, Tick = 4, Counts = 5 };
struct HistoryInput {
  HistoryInputKind kind = HistoryInputKind::Tick;
  uint64_t at = 0;
  NodeKey node = 0;    // Batch, Disconnect
  uint64_t conn = 0;   // Hello, Disconnect; Batch, Counts: the connection feeding the node then
  const uint8_t* payload = nullptr;  // Hello: the encoded Hello (no token); Batch: its payload;
                                     // Counts: encode_counts()
  uint32_t len = 0;
};

// Everything the history holds, pinned for an export (cheap: shared, immutable pieces and a
// copy of the newest chunk's open part): the oldest keyframe, then every input after it.
struct HistoryExportPlan {
  bool ok = false;                        // false: no history
  uint64_t begins_at = 0;                 // the keyframe's instant
  uint64_t ends_at = 0;                   // of the newest input
  std::shared_ptr<const Model> keyframe;
  std::vector<std::shared_ptr<const HistoryChunk>> chunks;  // every segment's, oldest first
  std::vector<uint8_t> tail;              // the open chunk's part
  uint64_t entries = 0;
  int64_t wall_offset = 0;                // wall clock minus model clock
};

class History {
 public:
  explicit History(HistorySettings settings = {});
  ~History();
  History(const History&) = delete;
  History& operator=(const History&) = delete;

  const HistorySettings& settings() const { return settings_; }

  // ---- recording: called by the model (Model::set_history), after it applied the input ----
  // The history starts here: its first keyframe is the model as it is now.
  void on_attach(Model& m);
  void on_hello(Model& m, uint64_t at, uint64_t conn, const proto::Hello& hello);
  void on_batch(Model& m, uint64_t at, NodeKey node, const uint8_t* payload, size_t len);
  void on_disconnect(Model& m, uint64_t at, NodeKey node, uint64_t conn);
  void on_tick(Model& m, uint64_t at);
  void on_counts(Model& m, uint64_t at, NodeKey node, const uint8_t* payload, size_t len);  // restore_counts

  // ---- wall clock ---------------------------------------------------------------------------
  // Wall clock (Unix ns) minus model clock, set by whoever knows both (the live collector at
  // each tick). Unset, it is taken from the first Hello's anchor (a replayed recording).
  void set_wall_offset(int64_t wall_minus_model);
  bool has_wall_offset() const { return wall_offset_set_; }
  int64_t wall_offset() const { return wall_offset_; }
  uint64_t to_wall(uint64_t model_ns) const { return static_cast<uint64_t>(static_cast<int64_t>(model_ns) + wall_offset_); }
  uint64_t to_model(uint64_t wall_ns) const;

  // ---- reading -------------------------------------------------------------------------------
  HistoryStats stats() const;
  // What is needed to rebuild the state right after every input stamped <= at.
  RebuildPlan plan(uint64_t at) const;
  // The same, going on from `from` (an instant rebuilt from this history, at from_at) when
  // that replays less: from_at <= at, and no keyframe lies between them.
  RebuildPlan plan(uint64_t at, std::shared_ptr<const Model> from, uint64_t from_at) const;
  // Runs a plan: a new model in the state of the instant (nullptr when !plan.ok).
  static std::unique_ptr<Model> rebuild(const RebuildPlan& plan);
  // plan() and rebuild() in one.
  std::unique_ptr<Model> at(uint64_t at) const { return rebuild(plan(at)); }
  // Everything held, for writing it out as a recording.
  HistoryExportPlan export_plan() const;
  // A sealed chunk's inputs, uncompressed into `raw`; false when it does not decompress.
  static bool decompress(const HistoryChunk& chunk, std::vector<uint8_t>& raw);
  // Calls fn(const HistoryInput&) for each input of an uncompressed chunk (or tail), in order,
  // until it returns false. False when it was stopped.
  template <class Fn>
  static bool for_each_input(const std::vector<uint8_t>& raw, Fn&& fn) {
    size_t pos = 0;
    HistoryInput in;
    while (next_input(raw, pos, in))
      if (!fn(in)) return false;
    return true;
  }
  // Timeline buckets overlapping [from, to], oldest first (within what history holds).
  std::vector<TimelineBucket> timeline(uint64_t from, uint64_t to) const;

 private:
  static bool next_input(const std::vector<uint8_t>& raw, size_t& pos, HistoryInput& out);
  struct Segment;
  void append(uint8_t kind, uint64_t at, uint32_t node, uint64_t conn, const uint8_t* payload, size_t len);
  void after_input(Model& m, uint64_t at);
  void take_keyframe(Model& m, uint64_t at);
  // The newest segment's, once whole: packed first when `at` is given (an input's instant).
  void keep_keyframe(std::unique_ptr<Model> copy, std::optional<uint64_t> at = std::nullopt);
  void adopt_packed();  // the newest segment's keyframe, once packed
  void hold_keyframe(std::unique_ptr<Model> key);  // the newest segment's keyframe, held from now on
  uint64_t segment_span() const;
  struct Packer;
  std::unique_ptr<Packer> packer_;
  void seal(Segment& s);
  // Sealed chunks go to the compressor's thread in order, one at a time; each compressed one
  // takes its raw one's place once the loop sees it done (or waits for it: past the backlog,
  // or before its segment goes). So what is held between seals, and so exactly when a keyframe
  // is due by bytes, depends on how far the compressor got; the bytes not compressed yet count
  // at the ratio so far, which keeps it close.
  void pump_compressor();
  void take_compressed();
  void forget_compression(const Segment* s);
  struct Compressor;
  std::unique_ptr<Compressor> compressor_;
  std::vector<uint8_t> spare_;  // a compressed chunk's raw buffer, for the next open chunk
  uint64_t compressed_in_ = 0, compressed_out_ = 0;  // raw bytes compressed so far, and what they became
  void evict(uint64_t now);
  void count_markers(const Model& m, uint64_t at);
  TimelineBucket& bucket(uint64_t at);

  HistorySettings settings_;
  std::deque<std::unique_ptr<Segment>> segments_;
  std::deque<TimelineBucket> buckets_;
  HistoryStats stats_;
  int64_t wall_offset_ = 0;
  bool wall_offset_set_ = false;
  bool wall_offset_derived_ = false;
  bool clock_unset_ = false;  // attached to a model whose clock was never set
  uint64_t last_input_bytes_ = 0;  // the payload of the input just recorded
  int stream_level_ = 1;           // zstd's level for the next chunk (see HistorySettings::stream_level)
  uint32_t kept_up_ = 0;           // chunks sealed in a row with the compressor not behind
  static constexpr uint32_t kSealsBeforeSlower = 8;
  bool table_bytes_stale_ = true;  // a chunk was sealed since model_table_bytes_ was read
  uint64_t model_table_bytes_ = 0; // Model::table_bytes() then
  // The model's event totals at the last input, for the timeline's counts.
  struct Totals {
    uint64_t crashes = 0, restarts = 0, escalations = 0, up = 0, down = 0, warnings = 0;
  };
  Totals last_;
  bool totals_known_ = false;
};

}  // namespace actorscope::collector
