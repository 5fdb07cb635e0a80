// A keyframe's actor rows and id index held compressed (RowStore::pack, ActorIndex::pack), and
// unpacked by its copy.
#include <zstd.h>

#include "model_impl.hpp"

namespace actorscope::collector {

namespace {

// zstd's fastest level: rows are mostly zeros, small counters and ids repeated from row to row;
// an index is at least half empty slots.
constexpr int kRowsLevel = 1;

struct ZstdContexts {
  std::unique_ptr<ZSTD_CCtx, size_t (*)(ZSTD_CCtx*)> c{ZSTD_createCCtx(), ZSTD_freeCCtx};
  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> d{ZSTD_createDCtx(), ZSTD_freeDCtx};
  std::vector<uint8_t> scratch;  // compressed output before it is copied out at its size; reused
};
// One per thread, made once: the recorder packs on its own thread, rebuilds unpack on theirs.
ZstdContexts& contexts() {
  thread_local ZstdContexts ctx;
  return ctx;
}

// `n` bytes at `src`, compressed into `out` (through this thread's scratch, copied out at its
// size); false, `out` untouched, when zstd fails (it cannot with a bound-sized buffer).
bool squeeze(const void* src, size_t n, std::vector<uint8_t>& out) {
  ZstdContexts& ctx = contexts();
  std::vector<uint8_t>& scratch = ctx.scratch;
  if (scratch.size() < ZSTD_compressBound(n)) scratch.resize(ZSTD_compressBound(n));
  const size_t got = ctx.c ? ZSTD_compressCCtx(ctx.c.get(), scratch.data(), scratch.size(), src, n, kRowsLevel)
                           : ZSTD_compress(scratch.data(), scratch.size(), src, n, kRowsLevel);
  if (ZSTD_isError(got)) return false;
  out.assign(scratch.begin(), scratch.begin() + static_cast<std::ptrdiff_t>(got));
  return true;
}

// What squeeze() made of exactly `n` bytes, back into `dst`: our own bytes, so anything else
// cannot happen.
void unsqueeze(const std::vector<uint8_t>& src, void* dst, size_t n) {
  ZstdContexts& ctx = contexts();
  const size_t got = ctx.d ? ZSTD_decompressDCtx(ctx.d.get(), dst, n, src.data(), src.size())
                           : ZSTD_decompress(dst, n, src.data(), src.size());
  if (ZSTD_isError(got) || got != n) std::abort();
}

}  // namespace

void RowStore::pack() {
  finish_copy();
  if (packed_ || size_ == 0) return;
  auto p = std::make_unique<Packed>();
  for (size_t c = 0; c < chunk_at_.size(); ++c) {
    const size_t rows = std::min(kChunkRows, size_ - c * kChunkRows);
    std::vector<uint8_t> chunk;
    if (!squeeze(chunk_at_[c], rows * sizeof(Actor), chunk)) return;  // the rows stay as they are
    p->bytes += chunk.size();
    p->chunks.push_back(std::move(chunk));
  }
  p->bytes += p->chunks.capacity() * sizeof(p->chunks[0]);
  const size_t rows = size_;
  clear();
  size_ = rows;
  packed_ = std::move(p);
}

void RowStore::unpack_from(const Packed& p, size_t rows) {
  for (size_t c = 0; c < p.chunks.size(); ++c) {
    const size_t n = std::min(kChunkRows, rows - c * kChunkRows);
    Actor* dst;
    if (c == 0) {
      first_.resize(n);
      chunk_at_.push_back(first_.data());
      dst = first_.data();
    } else {
      add_chunk();
      dst = chunk_at_.back();
    }
    unsqueeze(p.chunks[c], dst, n * sizeof(Actor));
  }
  size_ = rows;
}

void ActorIndex::pack() {
  finish_copy();
  if (packed_) return;
  auto p = std::make_unique<Packed>();
  for (size_t i = 0; i < kShards; ++i) {
    p->slots[i] = static_cast<uint32_t>(shards_[i].slot_count());
    p->entries[i] = static_cast<uint32_t>(shards_[i].entries());
    p->raw += 8 * shards_[i].slot_count();
  }
  if (p->raw == 0) return;
  std::vector<uint8_t> raw(p->raw);
  size_t at = 0;
  for (const ActorIndexShard& s : shards_) {
    s.save(raw.data() + at);
    at += 8 * s.slot_count();
  }
  if (!squeeze(raw.data(), raw.size(), p->bytes)) return;  // the index stays as it is
  for (auto& s : shards_) s = ActorIndexShard();
  packed_ = std::move(p);
}

void ActorIndex::unpack_from(const Packed& p) {
  std::vector<uint8_t> raw(p.raw);
  unsqueeze(p.bytes, raw.data(), raw.size());
  size_t at = 0;
  for (size_t i = 0; i < kShards; ++i) {
    shards_[i].load(raw.data() + at, p.slots[i], p.entries[i]);
    at += 8 * static_cast<size_t>(p.slots[i]);
  }
}

uint64_t RowStore::memory_bytes() const { return packed_ ? packed_->bytes : capacity() * sizeof(Actor); }

void Model::pack_tables() {
  for (auto& n : impl_->nodes)
    if (n) {
      n->rows.pack();
      n->index.pack();
    }
}

bool Model::tables_packed() const {
  for (const auto& n : impl_->nodes)
    if (n && (n->rows.packed() || n->index.packed())) return true;
  return false;
}

}  // namespace actorscope::collector
