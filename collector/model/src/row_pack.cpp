// A keyframe's actor rows held compressed (RowStore::pack), and unpacked by its copy.
#include <zstd.h>

#include "model_impl.hpp"

namespace actorscope::collector {

namespace {

// zstd's fastest level: rows are mostly zeros, small counters and ids repeated from row to row.
constexpr int kRowsLevel = 1;

struct ZstdContexts {
  std::unique_ptr<ZSTD_CCtx, size_t (*)(ZSTD_CCtx*)> c{ZSTD_createCCtx(), ZSTD_freeCCtx};
  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> d{ZSTD_createDCtx(), ZSTD_freeDCtx};
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
  std::vector<uint8_t> scratch(ZSTD_compressBound(kChunkBytes));
  for (size_t c = 0; c < chunk_at_.size(); ++c) {
    const size_t rows = std::min(kChunkRows, size_ - c * kChunkRows);
    const size_t raw = rows * sizeof(Actor);
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

uint64_t RowStore::memory_bytes() const { return packed_ ? packed_->bytes : capacity() * sizeof(Actor); }

void Model::pack_rows() {
  for (auto& n : impl_->nodes)
    if (n) n->rows.pack();
}

bool Model::rows_packed() const {
  for (const auto& n : impl_->nodes)
    if (n && n->rows.packed()) return true;
  return false;
}

}  // namespace actorscope::collector
