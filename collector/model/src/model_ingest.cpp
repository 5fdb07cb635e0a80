// Batch ingest: stats samples are looked up a few records ahead, with prefetches, so that
// the cache misses of a random-order stream overlap instead of adding up.
#include <utility>

#include "model_impl.hpp"
#include "actorscope/collector/history.hpp"

namespace actorscope::collector {

namespace {

// Stats records wait in a short queue: when one enters, its index slot is prefetched;
// kResolveAfter records later its candidate row is read from the index (no row touched)
// and prefetched; kApplyAfter records after that it is confirmed and applied. Any other
// record first drains the queue, so records still apply in stream order (only stats are
// held, and stats never add or remove rows, so a row found early stays right).
class PipelinedIngest {
 public:
  static constexpr size_t kResolveAfter = 8;
  static constexpr size_t kApplyAfter = 8;
  static constexpr size_t kDepth = 32;  // a power of two above kResolveAfter + kApplyAfter
  static_assert(kResolveAfter + kApplyAfter < kDepth && (kDepth & (kDepth - 1)) == 0);
  static constexpr uint64_t kGuessRetry = 64;  // records between guesses once one failed

  PipelinedIngest(Model& model, Model::Impl& impl, NodeKey key, NodeData* node)
      : model_(model), m_(impl), key_(key), n_(node) {}

  template <class Record>
  void on(const Record& r) {
    drain();
    model_.apply(key_, r);
  }
  // Stats are decoded straight into the queue's next slot (free: at most
  // kResolveAfter + kApplyAfter are held), not into a record that is then copied in.
  proto::ActorStats& stats_slot() { return queue_[pushed_ % kDepth].stats; }
  // A run of stats records, decoded into the queue one after the other; returns where the
  // run ends (q itself when the first is not one the fast decoder takes).
  const uint8_t* on_stats_run(const uint8_t* q, const uint8_t* stop, proto::DecodeResult& res) {
    if (!n_) return q;
    while (const uint8_t* next = proto::decode_stats_at(q, stop, stats_slot())) {
      q = next;
      ++res.records;
      on_stats_slot();
    }
    return q;
  }
  [[gnu::always_inline]] void on_stats_slot() {
    Pending& p = queue_[pushed_ % kDepth];
    const proto::ActorStats& r = p.stats;
    if (!n_) {
      model_.apply(key_, r);
      return;
    }
    if (guessing_ && applied_ == pushed_) {
      // In-order stream and nothing queued: apply at once, no look-up.
      Row guess = n_->hint + 1;
      if (guess < n_->rows.size() && n_->rows[guess].id == r.actor) {
        n_->hint = guess;
        ++m_.records;
        m_.apply_stats(*n_, guess, r);
        return;
      }
    }
    // The hash is kept for the look-up, kResolveAfter records later.
    p.hashed = !guessing_;
    if (p.hashed) {
      p.hash = ActorIndex::hash_of(r.actor);
      n_->index.prefetch_by_hash(p.hash);
    }
    ++pushed_;
    if (pushed_ - resolved_ > kResolveAfter) resolve_next();
    if (pushed_ - applied_ > kResolveAfter + kApplyAfter) apply_next();
  }
  void drain() {
    while (applied_ < pushed_) apply_next();
  }

 private:
  struct Pending {
    proto::ActorStats stats;
    uint64_t hash = 0;  // of stats.actor, when hashed
    bool hashed = false;
    Row row = kNoRow;
    Actor* at = nullptr;  // &rows[row], once resolved to a row
  };
  // Both run once per stats record: inlined, the queue's counters stay in registers (as
  // calls they were about a tenth of a record's instructions, saves and reloads mostly).
  [[gnu::always_inline]] void resolve_next() {
    Pending& p = queue_[resolved_++ % kDepth];
    // Agents flush cells in table order, which is mostly spawn order, which is mostly row
    // order: while that holds, the row after the last one is the answer. Once it fails,
    // the guess (a likely cache miss in a random-order stream) is tried again only now
    // and then.
    Row guess = n_->hint + 1;
    if (guessing_ && guess < n_->rows.size() && n_->rows[guess].id == p.stats.actor) {
      p.row = guess;
    } else {
      p.row = n_->index.candidate_by_hash(p.hashed ? p.hash : ActorIndex::hash_of(p.stats.actor));
      if (guessing_) {
        guessing_ = false;
        guess_again_at_ = resolved_ + kGuessRetry;
      } else if (resolved_ >= guess_again_at_) {
        guessing_ = true;
      }
    }
    if (p.row != kNoRow) {
      n_->hint = p.row;
      p.at = &n_->rows[p.row];
      // The sample's part of the row: three cache lines for most rows, four for the rest.
      const char* a = reinterpret_cast<const char*>(p.at);
      for (size_t off = 0; off < kActorStatsBytes; off += 64) __builtin_prefetch(a + off, 1);
      __builtin_prefetch(a + kActorStatsBytes - 1, 1);
    }
  }
  [[gnu::always_inline]] void apply_next() {
    if (applied_ == resolved_) resolve_next();
    Pending& p = queue_[applied_++ % kDepth];
    ++m_.records;
    if (p.row != kNoRow && p.at->id == p.stats.actor) {
      m_.apply_stats(*n_, p.row, *p.at, p.stats);
      return;
    }
    p.row = n_->index.find(p.stats.actor, n_->rows);
    if (p.row == kNoRow) {
      m_.anomaly(Anomaly::UnknownActor);
      return;
    }
    m_.apply_stats(*n_, p.row, p.stats);
  }

  Model& model_;
  Model::Impl& m_;
  NodeKey key_;
  NodeData* n_;
  Pending queue_[kDepth];
  uint64_t pushed_ = 0, resolved_ = 0, applied_ = 0;
  bool guessing_ = true;
  uint64_t guess_again_at_ = 0;
};

}  // namespace

proto::DecodeResult Model::apply_batch(NodeKey key, const uint8_t* payload, size_t len) {
  // The const look-up: an unknown key is counted once per record by apply(), not here.
  NodeData* n = const_cast<NodeData*>(std::as_const(*impl_).node(key));
  PipelinedIngest ingest(*this, *impl_, key, n);
  proto::DecodeResult res = proto::decode_records(payload, len, ingest);
  ingest.drain();  // what was decoded before a malformed record stays applied
  commit();
  if (history_) history_->on_batch(*this, impl_->now, key, payload, len);
  return res;
}

proto::DecodeResult Model::apply_batch_part(NodeKey key, const uint8_t* payload, size_t len, size_t& offset,
                                           size_t max_records, size_t max_bytes) {
  if (offset >= len) return {};
  // Where the next max_records records end: only their tags and lengths are read here. A
  // malformed header ends the part there, and the decoder reports it.
  proto::Reader r(payload + offset, len - offset);
  size_t end = offset;
  for (size_t i = 0; i < max_records && !r.empty(); ++i) {
    r.u8();
    uint64_t n = r.varint();
    if (!r.ok() || n > r.remaining()) {
      end = len;
      break;
    }
    r.sub(static_cast<size_t>(n));
    end = static_cast<size_t>(r.pos() - payload);
    if (end - offset >= max_bytes) break;
  }
  proto::DecodeResult res = apply_batch(key, payload + offset, end - offset);
  offset = end;
  return res;
}

}  // namespace actorscope::collector
