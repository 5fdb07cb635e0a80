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

}  // namespace

void RowStore::pack() {
  finish_copy();
  if (packed_ || size_ == 0) return;
  auto p = std::make_unique<Packed>();
  ZstdContexts& ctx = contexts();
  std::vector<uint8_t>& scratch = ctx.scratch;
  for (size_t c = 0; c < chunk_at_.size(); ++c) {
    const size_t rows = std::min(kChunkRows, size_ - c * kChunkRows);
    const size_t raw = rows * sizeof(Actor);
    if (scratch.size() < ZSTD_compressBound(raw)) scratch.resize(ZSTD_compressBound(raw));
    const size_t n = ctx.c ? ZSTD_compressCCtx(ctx.c.get(), scratch.data(), scratch.size(), chunk_at_[c], raw, kRowsLevel)
                           : ZSTD_compress(scratch.data(), scratch.size(), chunk_at_[c], raw, kRowsLevel);
    if (ZSTD_isError(n)) return;  // cannot happen with a bound-sized buffer: the rows stay as they are
    p->chunks.emplace_back(scratch.begin(), scratch.begin() + static_cast<std::ptrdiff_t>(n));
    p->bytes += n;
  }
  p->bytes += p->chunks.capacity() * sizeof(p->chunks[0]);
  const size_t rows = size_;
  clear();
  size_ = rows;
  packed_ = std::move(p);
}

void RowStore::unpack_from(const Packed& p, size_t rows) {
  ZstdContexts& ctx = contexts();
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
    const std::vector<uint8_t>& src = p.chunks[c];
    const size_t got = ctx.d ? ZSTD_decompressDCtx(ctx.d.get(), dst, n * sizeof(Actor), src.data(), src.size())
                             : ZSTD_decompress(dst, n * sizeof(Actor), src.data(), src.size());
    if (ZSTD_isError(got) || got != n * sizeof(Actor)) std::abort();  // our own bytes: cannot happen
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
  ZstdContexts& ctx = contexts();
  std::vector<uint8_t>& scratch = ctx.scratch;
  if (scratch.size() < ZSTD_compressBound(raw.size())) scratch.resize(ZSTD_compressBound(raw.size()));
  const size_t n = ctx.c ? ZSTD_compressCCtx(ctx.c.get(), scratch.data(), scratch.size(), raw.data(), raw.size(), kRowsLevel)
                         : ZSTD_compress(scratch.data(), scratch.size(), raw.data(), raw.size(), kRowsLevel);
  if (ZSTD_isError(n)) return;  // cannot happen with a bound-sized buffer: the index stays as it is
  p->bytes.assign(scratch.begin(), scratch.begin() + static_cast<std::ptrdiff_t>(n));
  for (auto& s : shards_) s = ActorIndexShard();
  packed_ = std::move(p);
}

void ActorIndex::unpack_from(const Packed& p) {
  std::vector<uint8_t> raw(p.raw);
  ZstdContexts& ctx = contexts();
  const size_t got = ctx.d ? ZSTD_decompressDCtx(ctx.d.get(), raw.data(), raw.size(), p.bytes.data(), p.bytes.size())
                           : ZSTD_decompress(raw.data(), raw.size(), p.bytes.data(), p.bytes.size());
  if (ZSTD_isError(got) || got != p.raw) std::abort();  // our own bytes: cannot happen
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
