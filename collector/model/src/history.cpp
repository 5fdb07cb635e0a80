// The flight recorder: segments of (keyframe, stream of inputs), evicted oldest first.
#include "actorscope/collector/history.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <cstring>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include <zstd.h>

#include "actorscope/protocol/codec.hpp"

namespace actorscope::collector {

namespace {

// One input in a segment's stream: a fixed header, then the payload.
enum class Input : uint8_t { Hello = 1, Batch = 2, Disconnect = 3, Tick = 4, Counts = 5 };
constexpr size_t kInputHeader = 1 + 8 + 4 + 8 + 4;  // kind, at, node, conn, payload length

template <class T>
void put(std::vector<uint8_t>& out, T v) {
  uint8_t b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));
  out.insert(out.end(), b, b + sizeof(T));
}
template <class T>
T get(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

}  // namespace

bool History::next_input(const std::vector<uint8_t>& raw, size_t& pos, HistoryInput& out) {
  if (pos + kInputHeader > raw.size()) return false;
  const uint8_t* h = raw.data() + pos;
  out.kind = static_cast<HistoryInputKind>(h[0]);
  out.at = get<uint64_t>(h + 1);
  out.node = get<uint32_t>(h + 9);
  out.conn = get<uint64_t>(h + 13);
  out.len = get<uint32_t>(h + 21);
  if (out.len > raw.size() - pos - kInputHeader) return false;  // cannot happen: our own bytes
  out.payload = h + kInputHeader;
  pos += kInputHeader + out.len;
  return true;
}

namespace {

// Applies the chunk's inputs stamped <= at, and after `after` when given (the model goes on
// from that instant); false once an input past `at` was met.
bool replay_chunk(Model& m, const std::vector<uint8_t>& chunk, uint64_t at, std::optional<uint64_t> after) {
  return History::for_each_input(chunk, [&](const HistoryInput& in) {
    if (in.at > at) return false;
    if (after && in.at <= *after) return true;  // the model it goes on from has it
    const uint64_t when = in.at;
    const uint8_t* payload = in.payload;
    const uint32_t len = in.len;
    const NodeKey node = in.node;
    const uint64_t conn = in.conn;
    switch (static_cast<Input>(in.kind)) {
      case Input::Hello: {
        proto::Reader r(payload, len);
        proto::Hello hello;
        std::string error;
        if (proto::decode(r, hello, error)) {
          m.set_now(when);
          m.on_hello(conn, hello);
          m.commit();
        }
        break;
      }
      case Input::Batch:
        m.set_now(when);
        m.apply_batch(node, payload, len);
        break;
      case Input::Disconnect:
        m.set_now(when);
        m.on_disconnect(node, conn);
        m.commit();
        break;
      case Input::Tick:
        m.tick(when);
        break;
      case Input::Counts: {
        NodeCounts counts;
        if (decode_counts(payload, len, counts)) {
          m.set_now(when);
          m.restore_counts(node, counts);
          m.commit();
        }
        break;
      }
    }
    return true;
  });
}

}  // namespace

struct History::Segment {
  std::shared_ptr<const Model> keyframe;
  uint64_t begins_at = 0;  // the keyframe's instant
  uint64_t keyframe_bytes = 0;      // as held
  uint64_t keyframe_raw_bytes = 0;  // unpacked
  bool packing = false;             // its keyframe is whole and being packed: kept from pack_due on
  uint64_t pack_due = 0;
  std::vector<std::shared_ptr<const HistoryChunk>> sealed;
  std::vector<uint8_t> open;
  uint64_t open_last_at = 0;   // the open part's last input's stamp
  uint32_t open_entries = 0;   // and its inputs
  uint64_t stream_bytes = 0;      // as held (sealed chunks compressed)
  uint64_t stream_pending = 0;    // of which not compressed yet (the open chunk, those in flight or queued)
  uint64_t stream_raw_bytes = 0;  // what a rebuild replays: the next keyframe is due by this
  uint64_t entries = 0;
};

namespace {

// One step faster for the stream's next chunks, and one step back: the level set, 1, then zstd's
// negative levels -1, -3, ... (0 would be zstd's default, 3).
int faster_level(int level, int fastest) {
  return std::max(fastest, level > 1 ? 1 : level - 2);
}
int slower_level(int level, int set) {
  return level >= 1 ? set : level + 2 >= 0 ? 1 : level + 2;
}

// Into `scratch` (the compressor's, reused), then copied out at its size: no buffer of the
// bound's size, and no compression context, is made per chunk.
std::shared_ptr<const HistoryChunk> compress(ZSTD_CCtx* ctx, std::vector<uint8_t>& scratch, const HistoryChunk& raw,
                                             int level) {
  scratch.resize(ZSTD_compressBound(raw.bytes.size()));
  const size_t n = ZSTD_compressCCtx(ctx, scratch.data(), scratch.size(), raw.bytes.data(), raw.bytes.size(), level);
  if (ZSTD_isError(n)) return nullptr;  // cannot happen with a bound-sized buffer: the raw chunk stays
  auto chunk = std::make_shared<HistoryChunk>();
  chunk->raw_size = raw.raw_size;
  chunk->last_at = raw.last_at;
  chunk->entries = raw.entries;
  chunk->bytes.assign(scratch.begin(), scratch.begin() + static_cast<std::ptrdiff_t>(n));
  return chunk;
}

}  // namespace

// A thread of the recorder's own that works on one job at a time, given by the loop thread and
// taken back by it (waiting for it when it is not done). Job: a movable handle, empty when none.
template <class Job>
class OneJobThread {
 public:
  explicit OneJobThread(std::function<Job(Job)> work) : work_(std::move(work)), thread_([this] { run(); }) {}
  ~OneJobThread() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  OneJobThread(const OneJobThread&) = delete;
  OneJobThread& operator=(const OneJobThread&) = delete;
  void give(Job job) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      job_ = std::move(job);
    }
    cv_.notify_all();
  }
  Job take() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return done_ != nullptr; });
    return std::move(done_);
  }
  // Whether the job given is done (take() would not wait).
  bool done() {
    std::lock_guard<std::mutex> lock(mu_);
    return done_ != nullptr;
  }

 private:
  void run() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      cv_.wait(lock, [&] { return stop_ || job_; });
      if (stop_) return;
      Job job = std::move(job_);
      lock.unlock();
      Job done = work_(std::move(job));
      lock.lock();
      done_ = std::move(done);
      cv_.notify_all();
    }
  }
  std::function<Job(Job)> work_;
  std::mutex mu_;
  std::condition_variable cv_;
  Job job_, done_;
  bool stop_ = false;
  std::thread thread_;  // last: it starts once every member above is made
};

// The thread that compresses sealed chunks, off the ingest thread: one chunk at a time, the
// others queued on the loop thread (which waits for it only past the backlog).
struct History::Compressor {
  struct Job {
    Segment* segment = nullptr;           // where the chunk is held
    size_t index = 0;                     // in segment->sealed
    std::shared_ptr<HistoryChunk> chunk;  // writable: its buffer is reused once compressed
  };
  bool busy = false;       // `current` given and its result not yet taken (loop thread only)
  Job current;             // (loop thread only)
  std::deque<Job> queued;  // sealed, not given yet, oldest first (loop thread only)
  std::unique_ptr<ZSTD_CCtx, size_t (*)(ZSTD_CCtx*)> ctx{ZSTD_createCCtx(), ZSTD_freeCCtx};  // the worker's only
  std::vector<uint8_t> scratch;  // the worker's only
  int level = 1;  // the job's zstd level: set by the loop thread before give(), read by the worker
  // Last: its thread stops before the members above go. The result is the compressed chunk, or
  // the raw one when it did not compress.
  OneJobThread<std::shared_ptr<const HistoryChunk>> worker{[this](std::shared_ptr<const HistoryChunk> raw) {
    std::shared_ptr<const HistoryChunk> done = ctx ? compress(ctx.get(), scratch, *raw, level) : nullptr;
    if (!done) return raw;
    raw.reset();  // before the result is seen: the loop may take its buffer back
    return done;
  }};

  // Behind: a chunk is being compressed (not done) or waits for its turn.
  bool behind() { return !queued.empty() || (busy && !worker.done()); }
};

// Seals the open chunk: shared with rebuilds from now on, raw, and compressed on the
// compressor's thread (the protocol's records, varints and repeated ids shrink about twice).
void History::seal(Segment& s) {
  if (s.open.empty()) return;
  if (!compressor_) compressor_ = std::make_unique<Compressor>();
  // A full-speed ingest (about 180 MB/s of stream) outruns zstd -1 on the other core (150-350
  // MB/s): see HistorySettings::stream_level.
  if (compressor_->behind()) {
    ++stats_.compressor_behind;
    kept_up_ = 0;
    stream_level_ = faster_level(stream_level_, settings_.stream_fastest_level);
  } else if (stream_level_ < settings_.stream_level && ++kept_up_ >= kSealsBeforeSlower) {
    kept_up_ = 0;
    stream_level_ = slower_level(stream_level_, settings_.stream_level);
  }
  stats_.stream_level = stream_level_;
  table_bytes_stale_ = true;
  auto chunk = std::make_shared<HistoryChunk>();
  chunk->raw_size = static_cast<uint32_t>(s.open.size());
  chunk->bytes = std::move(s.open);
  chunk->compressed = false;
  chunk->last_at = s.open_last_at;
  chunk->entries = s.open_entries;
  s.open_entries = 0;
  s.open = std::move(spare_);  // the buffer of a chunk compressed before, if it came back
  spare_ = {};
  s.open.clear();
  s.sealed.push_back(chunk);
  compressor_->queued.push_back({&s, s.sealed.size() - 1, std::move(chunk)});
  pump_compressor();
}

// The compressed chunk back into its place, when done; then the next queued chunk to the
// compressor. Only with more than compress_backlog_chunks queued does the ingest thread wait
// for it (counted): the raw chunks waiting are bounded, and every chunk is compressed.
void History::pump_compressor() {
  Compressor& c = *compressor_;
  for (;;) {
    if (c.busy) {
      const bool full = c.queued.size() > settings_.compress_backlog_chunks;
      if (!full && !c.worker.done()) return;
      if (full) ++stats_.compressor_stalls;
      take_compressed();
    }
    if (c.queued.empty()) return;
    c.current = std::move(c.queued.front());
    c.queued.pop_front();
    c.level = stream_level_;
    c.busy = true;
    c.worker.give(c.current.chunk);
  }
}

void History::take_compressed() {
  Compressor& c = *compressor_;
  std::shared_ptr<const HistoryChunk> done = c.worker.take();
  c.busy = false;
  Compressor::Job job = std::move(c.current);
  c.current = {};
  Segment& s = *job.segment;
  s.stream_pending -= std::min<uint64_t>(s.stream_pending, done->raw_size);
  if (!done->compressed) return;  // it did not compress: held raw
  compressed_in_ += done->raw_size;
  compressed_out_ += done->bytes.size();
  const uint64_t saved = s.sealed[job.index]->bytes.size() > done->bytes.size()
                             ? s.sealed[job.index]->bytes.size() - done->bytes.size()
                             : 0;
  s.sealed[job.index] = std::move(done);
  // Its raw buffer, when nothing else holds it (a rebuild's plan may), serves the next chunk.
  // One an input larger than a chunk made is let go: the spare is never more than a chunk.
  if (job.chunk.use_count() == 1 && job.chunk->bytes.capacity() <= settings_.chunk_bytes + kInputHeader)
    spare_ = std::move(job.chunk->bytes);
  s.stream_bytes -= saved;
  stats_.stream_bytes -= saved;
  stats_.bytes -= saved;
}

// Before a segment goes: its chunk being compressed is waited for, its queued ones dropped.
void History::forget_compression(const Segment* s) {
  if (!compressor_) return;
  Compressor& c = *compressor_;
  if (c.busy && c.current.segment == s) take_compressed();
  while (!c.queued.empty() && c.queued.front().segment == s) c.queued.pop_front();
}

// The thread that packs keyframes (Model::pack_tables), off the ingest thread: one at a time.
// The keyframe it is given is held by no one else until it is taken back.
struct History::Packer {
  OneJobThread<std::unique_ptr<Model>> worker{[](std::unique_ptr<Model> m) {
    m->pack_tables();
    return m;
  }};
};

History::History(HistorySettings settings) : settings_(settings), stream_level_(settings.stream_level) {
  stats_.stream_level = stream_level_;
}
History::~History() = default;  // the compressor's thread stops before the segments go

void History::set_wall_offset(int64_t wall_minus_model) {
  wall_offset_ = wall_minus_model;
  wall_offset_set_ = true;
}

uint64_t History::to_model(uint64_t wall_ns) const {
  int64_t m = static_cast<int64_t>(wall_ns) - wall_offset_;
  return m < 0 ? 0 : static_cast<uint64_t>(m);
}

void History::on_attach(Model& m) {
  if (settings_.max_age_ns == 0) return;
  // A model whose clock was never set (a collector starting) has no instant yet: its first
  // keyframe, the empty model, stands at the first input's instant.
  clock_unset_ = m.now() == 0;
  totals_known_ = false;
  count_markers(m, m.now());
  take_keyframe(m, m.now());
  keep_keyframe(m.continue_keyframe(SIZE_MAX));  // history begins whole
}

void History::append(uint8_t kind, uint64_t at, uint32_t node, uint64_t conn, const uint8_t* payload, size_t len) {
  if (segments_.empty()) return;  // not attached (or history off)
  if (clock_unset_) {
    clock_unset_ = false;
    segments_.front()->begins_at = at;
    stats_.begins_at = at;
  }
  Segment& s = *segments_.back();
  std::vector<uint8_t>& out = s.open;
  // A chunk never outgrows its buffer: an input that would not fit seals the chunk first (a
  // vector grown at the input that crosses chunk_bytes held twice that until it was compressed,
  // and then again as the spare). Only an input larger than a chunk gets a buffer of its size.
  if (!out.empty() && out.size() + kInputHeader + len > out.capacity()) seal(s);
  if (out.capacity() < kInputHeader + len)
    out.reserve(std::max<size_t>(settings_.chunk_bytes + kInputHeader, kInputHeader + len));
  out.push_back(kind);
  put<uint64_t>(out, at);
  put<uint32_t>(out, node);
  put<uint64_t>(out, conn);
  put<uint32_t>(out, static_cast<uint32_t>(len));
  if (len) out.insert(out.end(), payload, payload + len);
  last_input_bytes_ = len;
  s.open_last_at = at;
  ++s.open_entries;
  const uint64_t bytes = kInputHeader + len;
  s.stream_bytes += bytes;
  s.stream_pending += bytes;
  s.stream_raw_bytes += bytes;
  ++s.entries;
  stats_.stream_bytes += bytes;
  stats_.stream_raw_bytes += bytes;
  stats_.bytes += bytes;
  ++stats_.entries;
  ++stats_.recorded_entries;
  stats_.recorded_bytes += bytes;
  if (out.size() >= settings_.chunk_bytes) seal(s);
}

void History::on_hello(Model& m, uint64_t at, uint64_t conn, const proto::Hello& hello) {
  if (!wall_offset_set_ && !wall_offset_derived_ && hello.anchor_wall_ns != 0) {
    wall_offset_ = static_cast<int64_t>(hello.anchor_wall_ns) - static_cast<int64_t>(at);
    wall_offset_derived_ = true;
  }
  proto::Hello copy = hello;
  copy.token.clear();  // a secret is not kept
  std::vector<uint8_t> buf;
  proto::Writer w(buf);
  proto::encode(w, copy);
  append(static_cast<uint8_t>(Input::Hello), at, 0, conn, buf.data(), buf.size());
  after_input(m, at);
}

void History::on_batch(Model& m, uint64_t at, NodeKey node, const uint8_t* payload, size_t len) {
  // With the connection that fed it: an export writes batches by connection, as a recording does.
  append(static_cast<uint8_t>(Input::Batch), at, node, m.connection_of(node), payload, len);
  after_input(m, at);
}

void History::on_disconnect(Model& m, uint64_t at, NodeKey node, uint64_t conn) {
  append(static_cast<uint8_t>(Input::Disconnect), at, node, conn, nullptr, 0);
  after_input(m, at);
}

void History::on_counts(Model& m, uint64_t at, NodeKey node, const uint8_t* payload, size_t len) {
  append(static_cast<uint8_t>(Input::Counts), at, node, m.connection_of(node), payload, len);
  after_input(m, at);
}

void History::on_tick(Model& m, uint64_t at) {
  append(static_cast<uint8_t>(Input::Tick), at, 0, 0, nullptr, 0);
  after_input(m, at);
}

void History::after_input(Model& m, uint64_t at) {
  if (segments_.empty()) return;
  if (compressor_ && (compressor_->busy || !compressor_->queued.empty())) pump_compressor();
  stats_.ends_at = std::max(stats_.ends_at, at);
  count_markers(m, at);
  const Segment& s = *segments_.back();
  if (s.packing) {  // no new keyframe is begun meanwhile
    if (at >= s.pack_due) adopt_packed();
    evict(at);
    return;
  }
  if (!s.keyframe) {  // its copy goes on: no new one is begun meanwhile
    const uint64_t least = settings_.keyframe_copy_bytes_per_input;
    const uint64_t paced = settings_.keyframe_copy_per_input_byte * last_input_bytes_;
    keep_keyframe(m.continue_keyframe(std::max(least, std::min(paced, 4 * least))), at);
    evict(at);
    return;
  }
  const uint64_t span = stats_.segment_span_ns;  // (set with the first keyframe, at on_attach)
  // By the keyframe's size unpacked: the copy's work, on the ingest thread, is in proportion to
  // it. And by the next keyframe's, the model's tables as they are now (looked at once per
  // sealed chunk), when the model grew since the last: a collector's first keyframe is of the
  // empty model, and a megabyte of stream would otherwise bring a copy of the whole model while
  // it is still being filled (a keyframe of 100 000 actors within the first 1.2 M records).
  if (table_bytes_stale_) {
    model_table_bytes_ = m.table_bytes();
    table_bytes_stale_ = false;
  }
  const uint64_t copy_bytes = std::max(s.keyframe_raw_bytes, model_table_bytes_);
  const auto keyframe_worth = static_cast<uint64_t>(static_cast<double>(copy_bytes) * settings_.stream_per_keyframe);
  // The stream as it will be held: what is not compressed yet (up to two chunks) at the ratio
  // the chunks before it got. (Counted raw, a slow stream's open chunk alone brought the next
  // keyframe: the demo took one every 50 s instead of every 2 min.)
  const double ratio = compressed_in_ > 0 ? static_cast<double>(compressed_out_) / static_cast<double>(compressed_in_) : 1.0;
  const auto stream = static_cast<uint64_t>(static_cast<double>(s.stream_bytes - s.stream_pending) +
                                            static_cast<double>(s.stream_pending) * ratio);
  const bool by_bytes = stream >= std::max(settings_.min_segment_bytes, keyframe_worth);
  const bool by_age = s.stream_bytes > 0 && at >= s.begins_at + span;
  if (by_bytes || by_age) take_keyframe(m, at);
  evict(at);
}

// The segment begins now; its keyframe, copied in parts after the inputs that follow, is kept
// once whole (keep_keyframe). Until then its instants are rebuilt from the segment before.
void History::take_keyframe(Model& m, uint64_t at) {
  auto seg = std::make_unique<Segment>();
  m.begin_keyframe();
  seg->begins_at = at;
  if (!segments_.empty()) {  // the open chunk of the segment it ends is sealed: nothing is added to it
    Segment& ended = *segments_.back();
    seal(ended);
    // Its buffer for the next chunk (the spare seal gave it, or one left empty) serves the new
    // segment, whose empty one it takes: kept by the segment that ended, it was a whole
    // chunk_bytes of heap held, not counted, for as long as that segment lived.
    seg->open.swap(ended.open);
  }
  segments_.push_back(std::move(seg));
  stats_.keyframe_copying = true;
  if (stats_.begins_at == 0 || segments_.size() == 1) stats_.begins_at = segments_.front()->begins_at;
}

void History::keep_keyframe(std::unique_ptr<Model> copy, std::optional<uint64_t> at) {
  if (!copy) return;
  Segment& seg = *segments_.back();
  seg.keyframe_raw_bytes = copy->stats().memory_bytes;
  if (at && settings_.pack_keyframes) {
    if (!packer_) packer_ = std::make_unique<Packer>();
    seg.packing = true;
    seg.pack_due = *at + settings_.keyframe_pack_wait_ns;
    packer_->worker.give(std::move(copy));
    return;
  }
  hold_keyframe(std::move(copy));
}

void History::adopt_packed() {
  segments_.back()->packing = false;
  hold_keyframe(packer_->worker.take());
}

void History::hold_keyframe(std::unique_ptr<Model> key) {
  Segment& seg = *segments_.back();
  seg.keyframe_bytes = key->tables_packed() ? key->stats().memory_bytes : seg.keyframe_raw_bytes;
  seg.keyframe = std::shared_ptr<const Model>(std::move(key));
  stats_.keyframe_bytes += seg.keyframe_bytes;
  stats_.keyframe_raw_bytes += seg.keyframe_raw_bytes;
  stats_.bytes += seg.keyframe_bytes;
  stats_.keyframe_copying = false;
  ++stats_.segments;
  ++stats_.keyframes_taken;
  stats_.segment_span_ns = segment_span();
}

// How long the newest segment may last (see HistorySettings::keyframe_byte_seconds).
uint64_t History::segment_span() const {
  const Segment& s = *segments_.back();
  const double age_s = static_cast<double>(settings_.max_age_ns) / 1e9;
  const double least_n = std::max<uint32_t>(settings_.segments_per_age, 1);
  const double most_n = std::max<double>(settings_.max_segments_per_age, least_n);
  const double mb = static_cast<double>(s.keyframe_raw_bytes) / 1e6;
  double n = mb > 0 ? age_s * mb / std::max(settings_.keyframe_byte_seconds, 1e-9) : least_n;
  if (n > least_n) {
    // What the bytes allow: the stream expected over the age at the rate held so far, and the
    // rest in keyframes of this one's size (held): n segments span the age, and the newest,
    // partly past it, holds one more.
    const uint64_t held_for = stats_.ends_at > stats_.begins_at ? stats_.ends_at - stats_.begins_at : 0;
    const double stream = held_for > 0 ? static_cast<double>(stats_.stream_bytes) * static_cast<double>(settings_.max_age_ns) /
                                             static_cast<double>(held_for)
                                       : 0.0;
    const double room = static_cast<double>(settings_.max_bytes) - stream;
    const double afford = s.keyframe_bytes > 0 ? room / static_cast<double>(s.keyframe_bytes) - 1 : least_n;
    n = std::min(n, afford);
  }
  n = std::clamp(n, least_n, most_n);
  return static_cast<uint64_t>(static_cast<double>(settings_.max_age_ns) / n);
}

void History::evict(uint64_t now) {
  auto too_old = [&] {
    // The oldest segment covers [its start, the next one's start): all of it is past the age.
    return settings_.max_age_ns != 0 && now >= settings_.max_age_ns && segments_[1]->begins_at <= now - settings_.max_age_ns;
  };
  // The oldest segment goes only when the next one's keyframe is whole.
  while (segments_.size() > 1 && segments_[1]->keyframe && (stats_.bytes + buckets_.size() * sizeof(TimelineBucket) > settings_.max_bytes || too_old())) {
    forget_compression(segments_.front().get());
    const Segment& s = *segments_.front();
    stats_.bytes -= s.keyframe_bytes + s.stream_bytes;
    stats_.keyframe_bytes -= s.keyframe_bytes;
    stats_.keyframe_raw_bytes -= s.keyframe_raw_bytes;
    stats_.stream_bytes -= s.stream_bytes;
    stats_.stream_raw_bytes -= s.stream_raw_bytes;
    stats_.entries -= s.entries;
    --stats_.segments;
    ++stats_.evicted_segments;
    stats_.evicted_entries += s.entries;
    stats_.evicted_bytes += s.keyframe_bytes + s.stream_bytes;
    segments_.pop_front();
  }
  stats_.begins_at = segments_.empty() ? 0 : segments_.front()->begins_at;
  const uint64_t first_bucket = stats_.begins_at - stats_.begins_at % std::max<uint64_t>(settings_.marker_bucket_ns, 1);
  while (!buckets_.empty() && buckets_.front().at < first_bucket) buckets_.pop_front();
}

TimelineBucket& History::bucket(uint64_t at) {
  const uint64_t width = std::max<uint64_t>(settings_.marker_bucket_ns, 1);
  const uint64_t start = at - at % width;
  if (buckets_.empty() || buckets_.back().at < start) {
    TimelineBucket b;
    b.at = start;
    buckets_.push_back(b);
  }
  return buckets_.back();
}

void History::count_markers(const Model& m, uint64_t at) {
  const uint64_t crashes = m.events_logged(EventKind::Crash);
  const uint64_t restarts = m.events_logged(EventKind::Restart);
  const uint64_t escalations = m.events_logged(EventKind::Escalation);
  const uint64_t up = m.events_logged(EventKind::NodeConnected) + m.events_logged(EventKind::NodeReconnected) +
                      m.events_logged(EventKind::NodeRestarted);
  const uint64_t down = m.events_logged(EventKind::NodeDisconnected);
  const uint64_t warnings = m.events_logged(EventKind::WarningRaised);
  if (totals_known_) {
    auto delta = [](uint64_t now, uint64_t before) { return static_cast<uint32_t>(std::min<uint64_t>(now - before, UINT32_MAX)); };
    if (crashes != last_.crashes || restarts != last_.restarts || escalations != last_.escalations || up != last_.up ||
        down != last_.down || warnings != last_.warnings) {
      TimelineBucket& b = bucket(at);
      b.crashes += delta(crashes, last_.crashes);
      b.restarts += delta(restarts, last_.restarts);
      b.escalations += delta(escalations, last_.escalations);
      b.nodes_up += delta(up, last_.up);
      b.nodes_down += delta(down, last_.down);
      b.warnings += delta(warnings, last_.warnings);
    }
  }
  last_ = {crashes, restarts, escalations, up, down, warnings};
  totals_known_ = true;
}

HistoryStats History::stats() const {
  HistoryStats st = stats_;
  st.buffer_bytes = spare_.capacity();
  for (const auto& s : segments_) st.buffer_bytes += s->open.capacity();
  return st;
}

RebuildPlan History::plan(uint64_t at) const {
  RebuildPlan p;
  p.at = at;
  if (segments_.empty() || at < segments_.front()->begins_at) return p;
  // The newest segment that begins at or before `at` and has its keyframe (only the newest
  // segment's may still be copied: then the one before it, and its stream, serve).
  auto it = std::upper_bound(segments_.begin(), segments_.end(), at,
                             [](uint64_t t, const std::unique_ptr<Segment>& s) { return t < s->begins_at; });
  auto first = std::prev(it);
  while (!(*first)->keyframe) {
    if (first == segments_.begin()) return p;  // cannot happen: history begins whole
    --first;
  }
  p.ok = true;
  p.keyframe = (*first)->keyframe;
  p.keyframe_at = (*first)->begins_at;
  for (auto s = first; s != it; ++s) {
    p.chunks.insert(p.chunks.end(), (*s)->sealed.begin(), (*s)->sealed.end());
    p.entries += (*s)->entries;
  }
  p.tail = (*std::prev(it))->open;  // only the newest segment has an open part
  return p;
}

RebuildPlan History::plan(uint64_t at, std::shared_ptr<const Model> from, uint64_t from_at) const {
  RebuildPlan p = plan(at);
  if (!p.ok || !from || from_at > at || from_at < p.keyframe_at) return p;
  // Inputs are recorded in stamp order: the chunks up to the first one with an input after
  // from_at are all in `from` already.
  size_t skip = 0;
  while (skip < p.chunks.size() && p.chunks[skip]->last_at <= from_at) p.entries -= p.chunks[skip++]->entries;
  p.chunks.erase(p.chunks.begin(), p.chunks.begin() + static_cast<std::ptrdiff_t>(skip));
  p.base = std::move(from);
  p.base_at = from_at;
  return p;
}

HistoryExportPlan History::export_plan() const {
  HistoryExportPlan p;
  if (segments_.empty()) return p;
  p.ok = true;
  p.begins_at = segments_.front()->begins_at;
  p.ends_at = stats_.ends_at;
  p.keyframe = segments_.front()->keyframe;
  for (const auto& s : segments_) {
    p.chunks.insert(p.chunks.end(), s->sealed.begin(), s->sealed.end());
    p.entries += s->entries;
  }
  p.tail = segments_.back()->open;  // only the newest segment has an open part
  p.wall_offset = wall_offset_;
  return p;
}

bool History::decompress(const HistoryChunk& chunk, std::vector<uint8_t>& raw) {
  if (!chunk.compressed) {  // its compression not done yet
    raw = chunk.bytes;
    return raw.size() == chunk.raw_size;
  }
  raw.resize(chunk.raw_size);
  // A context per thread (rebuilds run on threads of their own), made once.
  thread_local std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> ctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
  const size_t n = ctx ? ZSTD_decompressDCtx(ctx.get(), raw.data(), raw.size(), chunk.bytes.data(), chunk.bytes.size())
                       : ZSTD_decompress(raw.data(), raw.size(), chunk.bytes.data(), chunk.bytes.size());
  return !ZSTD_isError(n) && n == chunk.raw_size;
}

std::unique_ptr<Model> History::rebuild(const RebuildPlan& plan) {
  if (!plan.ok || !plan.keyframe) return nullptr;
  std::unique_ptr<Model> m = plan.base ? plan.base->clone() : plan.keyframe->clone();
  const std::optional<uint64_t> after = plan.base ? std::optional<uint64_t>(plan.base_at) : std::nullopt;
  bool more = true;
  std::vector<uint8_t> raw;
  for (const auto& chunk : plan.chunks) {
    if (!more) break;
    if (!decompress(*chunk, raw)) break;  // cannot happen: our own bytes
    more = replay_chunk(*m, raw, plan.at, after);
  }
  if (more) replay_chunk(*m, plan.tail, plan.at, after);
  return m;
}

std::vector<TimelineBucket> History::timeline(uint64_t from, uint64_t to) const {
  std::vector<TimelineBucket> out;
  const uint64_t width = std::max<uint64_t>(settings_.marker_bucket_ns, 1);
  auto it = std::lower_bound(buckets_.begin(), buckets_.end(), from,
                             [&](const TimelineBucket& b, uint64_t t) { return b.at + width <= t; });
  for (; it != buckets_.end() && it->at <= to; ++it) out.push_back(*it);
  return out;
}

}  // namespace actorscope::collector
