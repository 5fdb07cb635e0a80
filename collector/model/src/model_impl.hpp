// Internal state of the Model (shared by the model_*.cpp files; not a public header).
#pragma once

#include <algorithm>
#include <array>
#include <deque>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <new>
#include <optional>
#include <type_traits>
#if defined(__linux__)
#include <sys/mman.h>
#endif
#include <unordered_map>
#include <utility>
#include <vector>

#include "actorscope/collector/model.hpp"
#include "actorscope/collector/seeded_hash.hpp"
#include "block_array.hpp"
#include "receiver_flows.hpp"
#include "series_ring.hpp"
#include "shared_blocks.hpp"

namespace actorscope::collector {

inline constexpr Str kUndefinedString = 0xffffffffu;

// Runs `fn` when the scope ends, whichever return ends it (an input is given to the history
// once it was applied).
template <class Fn>
struct AfterInput {
  explicit AfterInput(Fn f) : fn(std::move(f)) {}
  ~AfterInput() { fn(); }
  AfterInput(const AfterInput&) = delete;
  AfterInput& operator=(const AfterInput&) = delete;
  Fn fn;
};


// Asks for transparent huge pages under a large table (actor rows, the id index): stats
// samples arrive in any order, and with 4 KiB pages most look-ups would also miss the TLB.
// Only advice: without THP (or off Linux) nothing changes.
inline void advise_huge_pages(const void* data, size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr uintptr_t kHuge = 2u << 20;
  uintptr_t begin = (reinterpret_cast<uintptr_t>(data) + kHuge - 1) & ~(kHuge - 1);
  uintptr_t end = (reinterpret_cast<uintptr_t>(data) + bytes) & ~(kHuge - 1);
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
  (void)data;
  (void)bytes;
#endif
}

// Brings the cache line at p in ahead of its use. GCC 12 silently dropped the
// __builtin_prefetch of the index slot once it was inlined into the decoder's loop (no
// prefetch instruction was left), so on x86 the instruction is written out; a prefetch never
// faults, so p may be any address.
inline void prefetch_line(const void* p) {
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
  asm volatile("prefetcht0 (%0)" : : "r"(p));
#else
  __builtin_prefetch(p);
#endif
}

// Row chunks (RowStore::kChunkBytes, aligned to their size) come from here and go back here:
// a few freed ones are kept, so that a keyframe's copy or a rebuilt past instant takes the
// chunks of one that went instead of fresh memory (on the ingest thread, a fresh chunk is a
// huge page the kernel faults in and zeroes). Once a chunk was taken, a thread of the pool
// keeps kRowChunksWarm of them faulted in ahead. Thread-safe: rebuilt models live on other threads.
void* take_row_chunk();
void give_row_chunk(void* chunk);
inline constexpr size_t kRowChunksKept = 16;  // 32 MiB at most, held for reuse
inline constexpr size_t kRowChunksWarm = 2;  // 4 MiB faulted in ahead, once a node outgrew its first chunk

// While one lives on this thread, the node's large tables (RowStore, ActorIndex) copied are
// made empty but sized, to be filled in steps by their original's copy_into / copy_some: a
// keyframe of the flight recorder (Model::begin_keyframe).
inline thread_local bool defer_table_copies = false;
struct DeferTableCopies {
  DeferTableCopies() { defer_table_copies = true; }
  ~DeferTableCopies() { defer_table_copies = false; }
  DeferTableCopies(const DeferTableCopies&) = delete;
  DeferTableCopies& operator=(const DeferTableCopies&) = delete;
};

// The actor rows of one node, in chunks of 2 MiB (one huge page each) past the first. Growing
// never moves more than the first chunk: a vector grown by a quarter moved 200 MB at 800 000
// actors, in the time of one record (170 ms of one loop turn). The first chunk grows by
// doubling, so that a node with a few actors holds a few rows, not 2 MiB, up to a quarter of
// a chunk; then it moves into a whole chunk.
class RowStore {
 public:
  RowStore() = default;
  RowStore(RowStore&& o) noexcept { *this = std::move(o); }
  RowStore& operator=(RowStore&& o) noexcept {
    if (this != &o) {
      finish_copy();
      first_ = std::move(o.first_);
      first_chunk_ = std::move(o.first_chunk_);
      chunks_ = std::move(o.chunks_);
      chunk_at_ = std::move(o.chunk_at_);
      size_ = std::exchange(o.size_, 0);
      copy_ = std::move(o.copy_);
      packed_ = std::move(o.packed_);
    }
    return *this;
  }
  // A copy has chunks of its own, written once each (a keyframe is taken on the ingest
  // thread). Within DeferTableCopies it is made empty, to be filled by copy_into.
  RowStore(const RowStore& o) {
    if (o.packed_) {  // (never within DeferTableCopies: a keyframe is begun from a live model)
      unpack_from(*o.packed_, o.size_);
      return;
    }
    if (defer_table_copies) {
      make_room(o.size_);
      return;
    }
    if (!o.chunk_at_.empty()) {
      first_.assign(o.chunk_at_[0], o.chunk_at_[0] + std::min(o.size_, kChunkRows));
      chunk_at_.push_back(first_.data());
    }
    for (size_t c = 0; c < o.chunks_.size(); ++c)
      add_chunk(o.chunks_[c].get(), std::min(kChunkRows, o.size_ - (c + 1) * kChunkRows));
    size_ = o.size_;
  }
  RowStore& operator=(const RowStore& o) {
    if (this != &o) *this = RowStore(o);
    return *this;
  }
  // A copy in progress is finished before the rows it reads go.
  ~RowStore() { finish_copy(); }
  static constexpr size_t kChunkBytes = ActorRows::kChunkBytes;
  static constexpr size_t kChunkRows = ActorRows::kChunkRows;
  // (None when packed: only a copy reads a packed store's rows.)
  ActorRows view() const { return ActorRows(chunk_at_.data(), packed_ ? 0 : size_); }
  // Every write to a row goes through here: a row that a copy in progress has yet to reach is
  // copied first, as it was.
  Actor& operator[](Row r) {
    if (copy_) [[unlikely]]
      before_write(r);
    return chunk_at_[r / kChunkRows][r % kChunkRows];
  }
  const Actor& operator[](Row r) const { return chunk_at_[r / kChunkRows][r % kChunkRows]; }
  size_t size() const { return size_; }
  size_t capacity() const { return first_.capacity() + (first_chunk_ ? kChunkRows : 0) + chunks_.size() * kChunkRows; }
  void push_back(const Actor& a) {
    if (size_ < kChunkRows && first_chunk_) {
      ::new (static_cast<void*>(&first_chunk_.get()[size_])) Actor(a);
    } else if (size_ < kChunkRows) {
      if (first_.size() == first_.capacity()) {
        const size_t grown = std::min(std::max<size_t>(2 * size_, 64), kChunkRows);
        if (grown > kChunkRows / 2) {  // its last doublings would move up to 2 MB into fresh memory
          move_first_to_chunk();
          ::new (static_cast<void*>(&first_chunk_.get()[size_++])) Actor(a);
          return;
        }
        first_.reserve(grown);
      }
      first_.push_back(a);
      if (chunk_at_.empty()) chunk_at_.push_back(nullptr);
      chunk_at_[0] = first_.data();  // it may have moved
    } else {
      if (size_ / kChunkRows >= chunk_at_.size()) add_chunk();
      ::new (static_cast<void*>(&chunk_at_.back()[size_ % kChunkRows])) Actor(a);
    }
    ++size_;
  }
  // Room for n rows' chunk pointers; the chunks themselves come as rows are used.
  void reserve(size_t n) { chunk_at_.reserve((n + kChunkRows - 1) / kChunkRows); }
  void clear() {
    finish_copy();
    std::vector<Actor>().swap(first_);  // (`first_ = {}` would keep its capacity)
    first_chunk_.reset();
    chunks_.clear();
    chunk_at_.clear();
    size_ = 0;
    packed_.reset();
  }

  // ---- packed (a keyframe's rows, once whole) ---------------------------------------------------
  // The rows compressed (zstd, a chunk at a time) and their chunks freed: a keyframe of 100 000
  // actors holds 21 MB of rows, most of it zeros and repeated ids. A packed store is only ever
  // copied (the copy unpacks it, at about 1 GB/s); nothing else reads or writes its rows
  // (view() shows none). The flight recorder packs a keyframe on a thread of its own before
  // anyone else holds it.
  void pack();
  bool packed() const { return packed_ != nullptr; }
  // What the rows hold: packed, or the chunks' rows.
  uint64_t memory_bytes() const;

  // ---- a copy made in steps (a keyframe of the flight recorder) --------------------------------
  // `into` (made within DeferTableCopies from this store as it is now) is to receive these rows as
  // they are now: copy_some() copies them in order, and a row written before its turn is
  // copied first. `into` must outlive the copy (finish_copy or the last copy_some).
  void copy_into(RowStore& into) {
    finish_copy();
    if (size_ == 0) return;
    copy_ = std::make_unique<Copy>();
    copy_->into = &into;
    copy_->rows = size_;
    copy_->copied.assign((size_ + 63) / 64, 0);
    copy_->saved.resize((size_ + kChunkRows - 1) / kChunkRows);
  }
  // Copies up to max_rows more rows; the number it went past (0 when no copy is in progress).
  size_t copy_some(size_t max_rows) {
    if (!copy_) return 0;
    Copy& c = *copy_;
    c.make_credit = 1;
    const size_t from = c.next;
    while (max_rows > 0 && c.next < c.rows) {
      const size_t chunk = c.next / kChunkRows;
      // (c.next + max_rows would wrap for finish_copy's SIZE_MAX once a step was copied)
      const size_t end = std::min({c.rows, (chunk + 1) * kChunkRows, c.next + std::min(max_rows, c.rows - c.next)});
      const size_t base = chunk * kChunkRows;
      const Actor* src = chunk_at_[chunk];
      Actor* dst = c.into->chunk_for(chunk);
      // The rows not saved ahead (their bit clear), a run at a time: one memcpy per run.
      for (size_t r = c.next; r < end;) {
        size_t stop = r;
        while (stop < end) {
          const uint64_t word = c.copied[stop / 64] >> (stop % 64);
          if (word != 0) {
            stop += static_cast<size_t>(__builtin_ctzll(word));
            break;
          }
          stop = (stop / 64 + 1) * 64;
        }
        stop = std::min(stop, end);
        std::memcpy(static_cast<void*>(dst + (r - base)), src + (r - base), (stop - r) * sizeof(Actor));
        r = stop + 1;  // past the saved row that ended the run (or past end)
      }
      max_rows -= end - c.next;
      c.next = end;
      if (end == std::min(c.rows, (chunk + 1) * kChunkRows)) put_saved(c, chunk, dst);  // the chunk is done
    }
    const size_t went = c.next - from;
    if (c.next == c.rows) copy_.reset();
    return went;
  }
  bool copying() const { return copy_ != nullptr; }
  void finish_copy() { copy_some(SIZE_MAX); }
  // Stops a copy without finishing it (its `into` is going).
  void abandon_copy() { copy_.reset(); }

 private:
  struct Free {
    void operator()(Actor* p) const { give_row_chunk(p); }
  };
  static_assert(std::is_trivially_destructible_v<Actor>, "chunks are freed without running destructors");
  static_assert(std::is_trivially_copyable_v<Actor>, "a chunk is copied as bytes");
  struct Copy {
    RowStore* into = nullptr;
    size_t rows = 0;               // the rows to copy: [0, rows)
    size_t next = 0;               // rows before it are copied
    std::vector<uint64_t> copied;  // one bit per row: saved ahead of its turn (it was written)
    // Per chunk, its rows saved as they were before a write, until the copy reaches the chunk's
    // end or the chunk is made: a write does not make the copy's chunk (2 MiB of fresh memory,
    // which the development VM faults in at up to 2.8 ms per MiB: BM_FreshMemory) before its turn,
    // only a row's worth. A chunk written often is made once a 32nd of its rows were saved,
    // at most make_credit of them per step of the copy (per input), and written in place.
    std::vector<std::vector<std::pair<uint32_t, Actor>>> saved;
    size_t make_credit = 1;
  };
  static constexpr size_t kSavedBeforeMade = kChunkRows / 32;
  [[gnu::noinline]] void before_write(Row r) {
    Copy& c = *copy_;
    if (r < c.next || r >= c.rows || (c.copied[r / 64] >> (r % 64) & 1)) return;
    const size_t chunk = r / kChunkRows;
    const Actor& was = chunk_at_[chunk][r % kChunkRows];
    c.copied[r / 64] |= uint64_t{1} << (r % 64);
    const bool made = c.into->chunk_at_[chunk] != nullptr;
    if (!made && (c.saved[chunk].size() < kSavedBeforeMade || c.make_credit == 0)) {
      c.saved[chunk].emplace_back(static_cast<uint32_t>(r % kChunkRows), was);
      return;
    }
    if (!made) --c.make_credit;
    Actor* dst = c.into->chunk_for(chunk);
    put_saved(c, chunk, dst);
    dst[r % kChunkRows] = was;
  }
  // The rows of `chunk` saved aside, into the copy's chunk `dst`.
  static void put_saved(Copy& c, size_t chunk, Actor* dst) {
    for (const auto& [at, row] : c.saved[chunk]) dst[at] = row;
    c.saved[chunk] = std::vector<std::pair<uint32_t, Actor>>();
  }
  // An empty copy's room for n rows: chunk pointers now, chunks as they are written.
  void make_room(size_t n) {
    size_ = n;
    if (n == 0) return;
    const size_t chunks = (n + kChunkRows - 1) / kChunkRows;
    chunk_at_.assign(chunks, nullptr);
    chunks_.resize(chunks - 1);
  }
  // Chunk c of an empty copy, made when first written (its rows are then copied or written).
  Actor* chunk_for(size_t c) {
    if (c == 0) {
      if (!chunk_at_[0] && size_ < kChunkRows / 8) {
        first_.resize(size_);
        chunk_at_[0] = first_.data();
      } else if (!chunk_at_[0]) {  // a whole first chunk, made as it is copied (see add_chunk)
        first_chunk_.reset(static_cast<Actor*>(take_row_chunk()));
        chunk_at_[0] = first_chunk_.get();
      }
      return chunk_at_[0];
    }
    if (!chunk_at_[c]) {
      std::unique_ptr<Actor, Free> chunk(static_cast<Actor*>(take_row_chunk()));
      chunk_at_[c] = chunk.get();
      chunks_[c - 1] = std::move(chunk);
    }
    return chunk_at_[c];
  }
  // The first chunk's rows, from the vector into a whole chunk (a warm one, see take_row_chunk).
  void move_first_to_chunk() {
    first_chunk_.reset(static_cast<Actor*>(take_row_chunk()));
    std::memcpy(static_cast<void*>(first_chunk_.get()), first_.data(), first_.size() * sizeof(Actor));
    chunk_at_[0] = first_chunk_.get();
    std::vector<Actor>().swap(first_);  // (`first_ = {}` would keep its capacity)
  }
  // A new chunk, or a copy of `from`'s first `rows` rows. Rows are made as they are added:
  // a chunk made whole at once is 2 MiB of fresh memory written in one step of the loop
  // (up to 6 ms on the development VM, BM_FreshMemory), where row by row it is a page per
  // 19 rows, within the steps that add them.
  void add_chunk(const Actor* from = nullptr, size_t rows = 0) {
    std::unique_ptr<Actor, Free> chunk(static_cast<Actor*>(take_row_chunk()));
    if (from) std::memcpy(static_cast<void*>(chunk.get()), from, rows * sizeof(Actor));
    chunk_at_.push_back(chunk.get());
    chunks_.push_back(std::move(chunk));
  }
  std::vector<Actor> first_;                          // rows [0, kChunkRows)
  std::unique_ptr<Actor, Free> first_chunk_;          // instead of first_, in a large copy made in steps
  std::vector<std::unique_ptr<Actor, Free>> chunks_;  // the chunks after it
  std::vector<Actor*> chunk_at_;                      // row / kChunkRows -> its chunk
  size_t size_ = 0;
  std::unique_ptr<Copy> copy_;                        // a copy of these rows in progress
  struct Packed {
    std::vector<std::vector<uint8_t>> chunks;  // per chunk of rows, zstd-compressed
    uint64_t bytes = 0;
  };
  std::unique_ptr<const Packed> packed_;              // when packed (then no chunk is held)
  void unpack_from(const Packed& p, size_t rows);
};

// Open-addressing index actor id -> row (linear probing, backward-shift deletion, no
// tombstones). A slot holds the row and the high half of the id's hash: a probe compares
// hashes in the index and reads a row only when they match, and erase and grow never read
// rows. The slot's home is the top bits of the hash (Fibonacci hashing spreads sequential
// ids evenly).
class ActorIndexShard {
 public:
  // h: the id's seeded hash (see ActorIndex); its high half is the tag.
  Row find(uint64_t id, uint64_t h, const RowStore& rows) const {
    if (slots_.empty()) return kNoRow;
    uint32_t tag = tag_of(h);
    for (size_t i = home(tag);; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.row == kNoRow) return kNoRow;
      if (s.tag == tag && rows[s.row].id == id) return s.row;
    }
  }
  // The row of the first slot whose hash matches id's, without reading any row: a
  // candidate to prefetch, which the caller must confirm (rows[r].id == id; else find()).
  Row candidate(uint64_t h) const {
    if (slots_.empty()) return kNoRow;
    uint32_t tag = tag_of(h);
    for (size_t i = home(tag);; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.row == kNoRow || s.tag == tag) return s.row;
    }
  }
  // Brings the slot where the search for `id` starts into the cache (an empty index has
  // shift 32, so this is a prefetch of its null data, which is harmless).
  void prefetch(uint64_t h) const { prefetch_line(slots_.data() + home(tag_of(h))); }
  void insert(uint64_t h, Row row) {
    if ((size_ + 1) * 2 > slots_.size()) grow();
    place(Slot{row, tag_of(h)});
    ++size_;
  }
  // The row that was id's (kNoRow: none).
  Row erase(uint64_t id, uint64_t h, const RowStore& rows) {
    if (slots_.empty()) return kNoRow;
    uint32_t tag = tag_of(h);
    size_t i = home(tag);
    for (;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.row == kNoRow) return kNoRow;
      if (s.tag == tag && rows[s.row].id == id) break;
    }
    const Row row = slots_[i].row;
    remove_at(i);
    return row;
  }
  // Removes the entry of hash h and row `row` (reading no row), if there is one.
  void erase_exact(uint64_t h, Row row) {
    if (slots_.empty()) return;
    uint32_t tag = tag_of(h);
    for (size_t i = home(tag);; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.row == kNoRow) return;
      if (s.tag == tag && s.row == row) return remove_at(i);
    }
  }
  void clear() {
    slots_.clear();
    mask_ = 0;
    shift_ = 32;
    size_ = 0;
  }
  size_t memory_bytes() const { return slots_.capacity() * sizeof(Slot); }
  // Its slots as bytes (rows, then tags: each half compresses on its own), and back.
  size_t slot_count() const { return slots_.size(); }
  size_t entries() const { return size_; }
  void save(uint8_t* out) const {
    for (size_t i = 0; i < slots_.size(); ++i) std::memcpy(out + 4 * i, &slots_[i].row, 4);
    for (size_t i = 0; i < slots_.size(); ++i) std::memcpy(out + 4 * (slots_.size() + i), &slots_[i].tag, 4);
  }
  void load(const uint8_t* in, size_t slots, size_t entries) {
    slots_.assign(slots, Slot{});
    for (size_t i = 0; i < slots; ++i) std::memcpy(&slots_[i].row, in + 4 * i, 4);
    for (size_t i = 0; i < slots; ++i) std::memcpy(&slots_[i].tag, in + 4 * (slots + i), 4);
    mask_ = slots ? slots - 1 : 0;
    shift_ = slots ? 32 - static_cast<unsigned>(__builtin_ctzll(slots)) : 32;
    size_ = entries;
  }

 private:
  void remove_at(size_t i) {
    // Backward shift: pull later members of the probe run into the hole.
    size_t hole = i;
    for (size_t j = (i + 1) & mask_; slots_[j].row != kNoRow; j = (j + 1) & mask_) {
      size_t at = home(slots_[j].tag);
      bool movable = hole <= j ? (at <= hole || at > j) : (at <= hole && at > j);
      if (movable) {
        slots_[hole] = slots_[j];
        hole = j;
      }
    }
    slots_[hole] = Slot{};
    --size_;
  }
  struct Slot {
    Row row = kNoRow;
    uint32_t tag = 0;
  };
  static uint32_t tag_of(uint64_t h) { return static_cast<uint32_t>(h >> 32); }
  size_t home(uint32_t tag) const { return static_cast<size_t>(static_cast<uint64_t>(tag) >> shift_); }
  void place(Slot s) {
    size_t i = home(s.tag);
    while (slots_[i].row != kNoRow) i = (i + 1) & mask_;
    slots_[i] = s;
  }
  void grow() {
    std::vector<Slot> old = std::move(slots_);
    size_t size = old.empty() ? 16 : old.size() * 2;
    slots_.reserve(size);
    advise_huge_pages(slots_.data(), size * sizeof(Slot));
    slots_.assign(size, Slot{});
    mask_ = size - 1;
    shift_ = 32 - static_cast<unsigned>(__builtin_ctzll(size));
    for (const Slot& s : old)
      if (s.row != kNoRow) place(s);
  }
  std::vector<Slot> slots_;
  size_t mask_ = 0;
  unsigned shift_ = 32;  // 32 - log2(slots); 32 when empty, so that every home is 0
  size_t size_ = 0;
};

// The index of a node: 256 shards chosen by the low bits of the id's seeded hash (the tag is
// the high half). Growing rehashes one shard, a 256th of the actors: one table of 800 000
// actors doubling took 29 ms of one loop turn. Seeded: a peer that picks its actor ids cannot
// aim them at one shard or one home slot.
class ActorIndex {
 public:
  ActorIndex() = default;
  // Within DeferTableCopies a copy is made empty, to be filled by copy_into (as RowStore's).
  ActorIndex(const ActorIndex& o) {
    if (o.packed_)  // (never within DeferTableCopies: a keyframe is begun from a live model)
      unpack_from(*o.packed_);
    else if (!defer_table_copies)
      shards_ = o.shards_;
  }
  ActorIndex& operator=(const ActorIndex& o) {
    if (this != &o) *this = ActorIndex(o);
    return *this;
  }
  ActorIndex(ActorIndex&& o) noexcept { *this = std::move(o); }
  ActorIndex& operator=(ActorIndex&& o) noexcept {
    if (this != &o) {
      finish_copy();
      shards_ = std::move(o.shards_);
      copy_ = std::move(o.copy_);
      packed_ = std::move(o.packed_);
    }
    return *this;
  }
  ~ActorIndex() { finish_copy(); }
  Row find(uint64_t id, const RowStore& rows) const {
    uint64_t h = hash(id);
    return shard(h).find(id, h, rows);
  }
  Row candidate(uint64_t id) const {
    uint64_t h = hash(id);
    return shard(h).candidate(h);
  }
  void prefetch(uint64_t id) const {
    uint64_t h = hash(id);
    shard(h).prefetch(h);
  }
  // The same two by the id's hash (hash_of), for a caller that needs both.
  static uint64_t hash_of(uint64_t id) { return hash(id); }
  Row candidate_by_hash(uint64_t h) const { return shard(h).candidate(h); }
  void prefetch_by_hash(uint64_t h) const { shard(h).prefetch(h); }
  void insert(uint64_t id, Row row) {
    uint64_t h = hash(id);
    shards_[h & (kShards - 1)].insert(h, row);
    if (copy_) [[unlikely]]
      note_write(h, row, true);
  }
  void erase(uint64_t id, const RowStore& rows) {
    uint64_t h = hash(id);
    Row row = shards_[h & (kShards - 1)].erase(id, h, rows);
    if (copy_ && row != kNoRow) [[unlikely]]
      note_write(h, row, false);
  }
  void clear() {
    finish_copy();
    for (auto& s : shards_) s.clear();
    packed_.reset();
  }
  // Packed (a keyframe's, as RowStore::pack): its slots compressed and its shards emptied; only
  // a copy reads it then (the copy unpacks it). No look-up may be made in a packed index.
  void pack();
  bool packed() const { return packed_ != nullptr; }

  // ---- a copy made in steps, a shard at a time (see RowStore's) --------------------------------
  void copy_into(ActorIndex& into) {
    finish_copy();
    copy_ = std::make_unique<Copy>();
    copy_->into = &into;
  }
  // Copies shards until about max_bytes of slots are copied (at least one); the bytes copied.
  // A shard written since the copy began is copied as it is now, and its writes undone in the
  // copy, newest first.
  size_t copy_some(size_t max_bytes) {
    if (!copy_) return 0;
    size_t bytes = 0;
    while (copy_->next < kShards && (bytes == 0 || bytes < max_bytes)) {
      const size_t i = copy_->next++;
      ActorIndexShard& to = copy_->into->shards_[i];
      to = shards_[i];
      std::vector<Write>& writes = copy_->writes[i];
      for (auto w = writes.rbegin(); w != writes.rend(); ++w) {
        if (w->inserted)
          to.erase_exact(w->h, w->row);
        else
          to.insert(w->h, w->row);
      }
      bytes += shards_[i].memory_bytes() + writes.size() * sizeof(Write) + 1;
      writes = std::vector<Write>();
    }
    if (copy_->next == kShards) copy_.reset();
    return bytes;
  }
  bool copying() const { return copy_ != nullptr; }
  void finish_copy() { copy_some(SIZE_MAX); }
  void abandon_copy() { copy_.reset(); }
  size_t memory_bytes() const {
    size_t n = sizeof(shards_);
    for (const auto& s : shards_) n += s.memory_bytes();
    if (packed_) n += packed_->bytes.capacity() + sizeof(Packed);
    return n;
  }

 private:
  static constexpr size_t kShards = 256;
  static uint64_t hash(uint64_t id) { return mix64(id ^ hash_seed()); }
  const ActorIndexShard& shard(uint64_t h) const { return shards_[h & (kShards - 1)]; }
  struct Write {
    uint64_t h;
    Row row;
    bool inserted;  // else erased
  };
  struct Copy {
    ActorIndex* into = nullptr;
    size_t next = 0;  // shards before it are copied
    // Per shard the copy has yet to reach, what changed in it since the copy began: undone in
    // the copy when it gets there. Not a copy of the shard made at the write, which put fresh
    // memory (faulted in at up to 2.8 ms per MiB here) on the writing turn for every shard a
    // burst of spawns touched.
    std::array<std::vector<Write>, kShards> writes;
  };
  [[gnu::noinline]] void note_write(uint64_t h, Row row, bool inserted) {
    const size_t i = h & (kShards - 1);
    if (i >= copy_->next) copy_->writes[i].push_back(Write{h, row, inserted});
  }
  std::array<ActorIndexShard, kShards> shards_;
  std::unique_ptr<Copy> copy_;
  struct Packed {
    std::vector<uint8_t> bytes;  // every shard's save(), in order, zstd-compressed
    std::array<uint32_t, kShards> slots{}, entries{};
    size_t raw = 0;              // the bytes uncompressed
  };
  std::unique_ptr<const Packed> packed_;
  void unpack_from(const Packed& p);
};

// The links and monitors of one actor that has any (most have none: kept out of the row).
struct LinkSet {
  std::vector<ActorLink> ends;
  uint64_t over_cap = 0;               // ends not kept because this set was full
};

// A node's agent string ids -> interned strings. Dense ids (the usual: agents number them
// from 1) live in a vector; the vector never grows past a small multiple of the definitions
// made, so one large id costs a hash-map entry, not a table sized by the largest id. The
// hash of the sparse map is seeded: ids are chosen by the peer.
class StringTable {
 public:
  static constexpr size_t kDenseSlack = 4096;  // ids below 2 * defined + this are dense
  // False when the table already holds `cap` definitions (the id stays undefined).
  bool define(uint32_t id, Str s, size_t cap) {
    if (id < dense_.size() && dense_[id] != kUndefinedString) {
      dense_.at_for_write(id) = s;
      return true;
    }
    if (auto it = sparse_.find(id); it != sparse_.end()) {
      it->second = s;
      return true;
    }
    if (cap != 0 && defined_ >= cap) return false;
    ++defined_;
    size_t dense_limit = 2 * defined_ + kDenseSlack;
    if (id < dense_limit) {
      if (id >= dense_.size()) dense_.grow(id + 1, kUndefinedString);  // blocks as ids need them: nothing moves
      dense_.at_for_write(id) = s;
    } else {
      sparse_.emplace(id, s);
    }
    return true;
  }
  // kUndefinedString when the id was never defined.
  Str find(uint32_t id) const {
    if (id < dense_.size()) return dense_[id];
    auto it = sparse_.find(id);
    return it == sparse_.end() ? kUndefinedString : it->second;
  }
  void clear() {
    dense_.clear();
    sparse_ = {};
    defined_ = 0;
  }
  template <class Fn>  // fn(uint32_t id, Str s), ids in order
  void for_each(Fn&& fn) const {
    for (size_t id = 0; id < dense_.size(); ++id)
      if (dense_[id] != kUndefinedString) fn(static_cast<uint32_t>(id), dense_[id]);
    std::vector<std::pair<uint32_t, Str>> rest(sparse_.begin(), sparse_.end());
    std::sort(rest.begin(), rest.end());
    for (const auto& [id, s] : rest) fn(id, s);
  }
  size_t memory_bytes() const { return dense_.memory_bytes() + sparse_.size() * 32 + sparse_.bucket_count() * 8; }

 private:
  // In blocks of 1024 ids: growing never copies the ids held into fresh memory (600 000 child
  // ids doubled a 2.4 MB vector into a fresh 4.8 MB one, 13 ms of one loop turn here), and a
  // keyframe shares them.
  SharedBlocks<Str, 1024> dense_;
  std::unordered_map<uint32_t, Str, SeededHash> sparse_;
  size_t defined_ = 0;
};

// The counts of a supervisor child between two of its incarnations.
struct SupervisorCarry {
  uint64_t restarts = 0;
  uint64_t escalations = 0;
  std::vector<ChildRecord> per_child;
};
inline constexpr size_t kMaxCarriedSupervisors = 65536;  // per node; past it a new incarnation starts from 0
inline constexpr int kMaxSuccessorHops = 16;                // tree levels a successor is looked up through
inline constexpr size_t kMaxSuccessorScan = 4096;            // children looked at per lookup, all levels together:
                                                             // an exit costs a peer's record no more than this

// One share of the event log: events in seq order, the oldest pushed out when it is full.
//
// A keyframe of the flight recorder holds its events frozen: encoded (deltas, varints) and
// LZ4-compressed in blocks, several times smaller than the events themselves (a demo's log of
// 100 000 events was most of each keyframe). Copying a frozen ring (rebuilding a past instant) thaws
// it; a frozen ring is never read or pushed to otherwise (nothing reads a keyframe's events).
class EventRing {
 public:
  EventRing();
  EventRing(const EventRing& o);
  EventRing& operator=(const EventRing& o) {
    if (this != &o) *this = EventRing(o);
    return *this;
  }
  EventRing(EventRing&& o) noexcept;
  EventRing& operator=(EventRing&& o) noexcept;
  ~EventRing();
  // While one lives on this thread, rings copied are frozen (Model::clone_keyframe).
  struct FreezeCopies {
    FreezeCopies() { freeze_copies_ = true; }
    ~FreezeCopies() { freeze_copies_ = false; }
    FreezeCopies(const FreezeCopies&) = delete;
    FreezeCopies& operator=(const FreezeCopies&) = delete;
  };
  bool frozen() const { return frozen_ != nullptr; }
  size_t frozen_bytes() const;
  // ---- a freeze made in steps (Model::begin_keyframe) -----------------------------------------
  // `into` (copied within FreezeCopies and DeferTableCopies from this ring as it is now) is to
  // hold these events frozen: freeze_some() encodes them oldest first, and one that this ring
  // pushes out before its turn is encoded first. `into` must outlive the freeze.
  void freeze_into(EventRing& into);
  // Encodes events until about max_bytes are written (at least one); the bytes written.
  size_t freeze_some(size_t max_bytes);
  bool freezing() const { return freezing_ != nullptr; }
  void finish_freeze() { freeze_some(SIZE_MAX); }
  void abandon_freeze();
  // Slots are made as events come, up to the capacity: a model's copy (a keyframe) holds the
  // events it has, not the capacity's worth of empty slots.
  void set_capacity(size_t n) {
    finish_freeze();
    capacity_ = n ? n : 1;
    slots_.clear();
    head_ = count_ = 0;
  }
  bool allocated() const { return capacity_ != 0; }
  size_t size() const { return count_; }
  size_t capacity() const { return capacity_; }
  static constexpr size_t kBlockEvents = 1024;
  const BlockArray<Event, kBlockEvents>& slots() const { return slots_; }
  // The i-th oldest event held.
  const Event& at(size_t i) const { return slots_[(head_ + i) % slots_.size()]; }
  // How many held events have seq < s (they are sorted by seq).
  size_t count_before(uint64_t s) const {
    size_t lo = 0, hi = count_;
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (at(mid).seq < s)
        lo = mid + 1;
      else
        hi = mid;
    }
    return lo;
  }
  // A slot for a new newest event; when full, the oldest goes and `evicted` gets its kind
  // (and `moved_out`, when given, the event itself).
  Event& push(std::optional<EventKind>& evicted, Event* moved_out = nullptr) {
    if (slots_.size() < capacity_) {  // never full yet: head_ is 0 and every slot is held
      ++count_;
      return slots_.emplace_back(capacity_);
    }
    if (count_ == slots_.size()) {
      if (freezing_) [[unlikely]]
        before_evict();
      evicted = slots_[head_].kind;
      if (moved_out) *moved_out = std::move(slots_[head_]);
      head_ = (head_ + 1) % slots_.size();
      --count_;
    }
    Event& e = slots_[(head_ + count_) % slots_.size()];
    ++count_;
    return e;
  }

 private:
  // The encoded events, oldest first, in LZ4 blocks of whole events (a block's raw_size 0:
  // held uncompressed).
  struct Frozen {
    struct Block {
      std::vector<uint8_t> bytes;
      size_t raw_size = 0;
    };
    std::vector<Block> blocks;
  };
  struct Encoder;
  struct Freezing;
  void before_evict();
  void thaw(const Frozen& f);
  static thread_local bool freeze_copies_;
  // Grown in blocks up to the capacity, never moved: a telemetry burst into a large log doubled a
  // vector of events, 2.5 MB moved into 5 MB of fresh memory in one step (siege row 5: 26 ms).
  BlockArray<Event, kBlockEvents> slots_;
  size_t capacity_ = 0;
  size_t head_ = 0;  // the oldest
  size_t count_ = 0;  // == slots_.size() unless frozen
  std::shared_ptr<const Frozen> frozen_;
  std::unique_ptr<Freezing> freezing_;  // a freeze of these events in progress
};

// The change journal's slots. A copy of the model (a keyframe, a past instant) starts with a
// journal of its own, empty: the journal serves the live model's viewers only.
struct JournalSlots : std::vector<Change> {
  JournalSlots() = default;
  JournalSlots(const JournalSlots&) : std::vector<Change>(1) {}
  JournalSlots& operator=(const JournalSlots&) {
    assign(1, Change{});
    return *this;
  }
  JournalSlots(JournalSlots&&) = default;
  JournalSlots& operator=(JournalSlots&&) = default;
};

struct NodeData {
  Node info;
  StringTable strings;                 // agent StringId -> Str
  RowStore rows;
  std::vector<Row> free_rows;
  ActorIndex index;
  Row root_first = kNoRow;             // roots list; prev_sibling of the first is the last
  // Children waiting for a parent not known yet, by the parent id they wait for, in their
  // arrival order. A child that stops waiting (it exits, or is moved) is not searched for:
  // its entry is skipped when the parent comes, and the list is compacted once most of it
  // has left, so leaving costs one look-up and the list at most twice the children waiting.
  struct Waiting {
    std::vector<std::pair<Row, uint64_t>> kids;  // (row, actor id) as it began to wait
    size_t left = 0;                             // entries whose child has stopped waiting since
  };
  std::unordered_map<uint64_t, Waiting, SeededHash> orphans;
  std::vector<Row> watched;            // rows whose mailbox was > 0 at their last sample
  std::vector<Row> rated;              // rows whose messages_per_s or fill_per_s was > 0 at their last sample
  // The step's mailbox warnings follow changes, not every watched actor at every step: an
  // actor whose row did not change since it was last looked at keeps its warnings as they
  // are (stuck_actor's time in its text is the step's, written when the list is read).
  std::vector<Row> recheck;            // rows to look at, at the next step (kStepRecheck)
  std::vector<Row> capped;             // rows whose warning was refused past max_warnings (kStepCapped)
  size_t capped_head = 0;              // capped's entries before it were looked at again
  struct StuckDue {                    // when an actor with messages waiting becomes stuck, if nothing changes
    uint64_t at = 0;
    uint64_t actor = 0;
    Row row = kNoRow;
    bool operator>(const StuckDue& o) const { return at > o.at; }
  };
  // A timing wheel of StuckDue by `at` (one slot per wheel_width_ns): an entry is due within a
  // stuck_after of now, so the wheel spans that; at most one entry per actor (kStepStuckQueued).
  std::vector<std::vector<StuckDue>> stuck_wheel;
  uint64_t stuck_wheel_next = 0;       // the first slot (at / width) not yet wholly looked at
  size_t stuck_queued = 0;             // entries in the wheel
  std::vector<std::pair<uint64_t, uint8_t>> warned_gone;  // actors that left with mailbox warnings: their flags
  size_t row_warnings = 0;             // mailbox warnings held for this node
  size_t watched_kept = 0;             // watched's length when it was last compacted
  bool mailbox_max_stale = false;      // a type's deepest mailbox may have shrunk or left since the step
  bool rows_reset = false;             // every actor was replaced (a new incarnation): their warnings go
  bool live_at_step = false;           // connected at the last step
  // Supervisors with restarts inside their period: their budget changes with time alone, when
  // a restart leaves the period (or a restart recorded ahead of the clock enters it). Each is
  // looked at by the tick when its entry is due, not at every tick: a peer's many supervisors
  // with restarts inside long periods cost the tick a compare each, not a look-up each.
  struct BudgetWatch {
    uint64_t id = 0;
    uint64_t due_ns = 0;  // stale unless it is the supervisor's budget_due_ns
    bool storming = false;  // at or past the storm ratio when the tick last looked
  };
  std::vector<BudgetWatch> budget_watch;
  std::unordered_map<uint64_t, LinkSet, SeededHash> links;  // by live actor id; only actors with links
  size_t link_ends = 0;                // sum of links[*].ends.size()
  std::vector<TypeAggregate> types;
  std::unordered_map<Str, uint32_t> type_slots;
  std::vector<TelemetryStats> telemetry;
  std::unordered_map<Str, uint32_t> telemetry_slots;
  size_t telemetry_fine_buckets = 0;   // fine buckets held by all of telemetry's measurements
  std::unordered_map<uint64_t, Supervisor, SeededHash> supervisors;
  std::vector<std::pair<Str, uint64_t>> restarts_by_label;
  std::unordered_map<Str, uint32_t> restart_label_slots;
  std::vector<std::pair<Str, uint64_t>> escalations_by_label;
  std::unordered_map<Str, uint32_t> escalation_label_slots;
  // What an exited supervisor counted, by its path, until its next incarnation takes it over.
  std::unordered_map<uint64_t, SupervisorCarry, SeededHash> carried;
  // Where each gone supervisor stood (the newest gone_supervisors_per_node, in the order they
  // went): its successor is the child with its child id under its parent's live incarnation.
  struct GoneSupervisor {
    uint64_t parent = 0;
    Str child_id = 0;
  };
  std::unordered_map<uint64_t, GoneSupervisor, SeededHash> gone_supervisor;
  std::deque<uint64_t> gone_supervisors;
  std::array<uint64_t, proto::kDropKindCount> drops_base{};
  std::array<uint64_t, proto::kDropKindCount> drops_last{};
  uint16_t epoch = 0;
  uint64_t snapshot_id = 0;
  Row hint = kNoRow;                   // row of the last actor looked up by a stats record
  uint64_t parent_walk_credit = 0;     // levels the cycle checks may still walk (settings.parent_walk_*)
  uint64_t successor_scan_credit = 0;  // rows successor look-ups may still visit (settings.successor_scan_*)
  // Message flow (model_flow.cpp).
  std::vector<FlowPair> flow_pairs;
  std::unordered_map<uint64_t, uint32_t> flow_pair_slots;  // (from_type << 32 | to_type) -> index
  ReceiverFlows flow_receivers;        // by receiving actor id
  FlowStats flow;
  std::unordered_map<uint64_t, HandlingNow, SeededHash> handling;  // by actor, from the last Handling
  // This node's newest incidents pushed out of the shared incident ring (by a storm anywhere):
  // kept here up to event_log_incidents_kept_per_node, allocated at the first one.
  EventRing kept_incidents;

  // Agents flush their cells in table order, which is spawn order, which is mostly row
  // order: try the row after the last one before hashing.
  Row find_next_in_order(uint64_t id) {
    Row guess = hint + 1;
    if (guess < rows.size() && rows[guess].id == id) return hint = guess;
    Row r = index.find(id, rows);
    if (r != kNoRow) hint = r;
    return r;
  }
  // Time series ring and the counters its rates are taken from.
  SeriesRing series;
  uint64_t prev_step_ns = 0;
  uint64_t prev_messages = 0, prev_restarts = 0, prev_crashes = 0, prev_drops = 0, prev_telemetry = 0;
  uint64_t drops_at_last_warning = 0;
};

struct WarningKey {
  WarningKind kind;
  NodeKey node;
  uint64_t actor;
  bool operator<(const WarningKey& o) const {
    if (kind != o.kind) return kind < o.kind;
    if (node != o.node) return node < o.node;
    return actor < o.actor;
  }
};

struct WarningKeyHash {
  size_t operator()(const WarningKey& k) const noexcept {
    return static_cast<size_t>(mix64(mix64(k.actor ^ hash_seed()) ^ (static_cast<uint64_t>(k.node) << 8 | static_cast<uint64_t>(k.kind))));
  }
};
struct WarningKeyEq {
  bool operator()(const WarningKey& a, const WarningKey& b) const noexcept {
    return a.kind == b.kind && a.node == b.node && a.actor == b.actor;
  }
};

// A mailbox warning as the model keeps it: a stuck actor's text is made from what it was
// found with and the step's time, when read.
struct RowWarning {
  Warning w;
  uint64_t stuck_mailbox = 0;
  uint64_t stuck_progress_ns = 0;
  bool stuck_numbers = false;  // false: a restored warning, whose text stands until it is looked at
};

// The warning list as read: made when first read after a change. A copy of the model (a
// keyframe, shared between threads) starts without one and never makes it, being const.
struct WarningListCache {
  std::vector<Warning> list;
  bool valid = false;
  WarningListCache() = default;
  WarningListCache(const WarningListCache&) {}
  WarningListCache& operator=(const WarningListCache&) {
    list.clear();
    valid = false;
    return *this;
  }
};

// An owning pointer whose copy is a deep copy (a model's keyframe copies every node).
template <class T>
struct DeepPtr : std::unique_ptr<T> {
  DeepPtr() = default;
  DeepPtr(std::unique_ptr<T>&& p) : std::unique_ptr<T>(std::move(p)) {}
  DeepPtr(const DeepPtr& o) : std::unique_ptr<T>(o ? std::make_unique<T>(*o) : nullptr) {}
  DeepPtr& operator=(const DeepPtr& o) {
    if (this != &o) std::unique_ptr<T>::operator=(o ? std::make_unique<T>(*o) : nullptr);
    return *this;
  }
  DeepPtr(DeepPtr&&) = default;
  DeepPtr& operator=(DeepPtr&&) = default;
};

// The last node looked up; a copy of the model starts without one (it would point into the original).
struct NodeCache {
  NodeKey key = 0;
  NodeData* data = nullptr;
  NodeCache() = default;
  NodeCache(const NodeCache&) {}
  NodeCache& operator=(const NodeCache&) {
    key = 0;
    data = nullptr;
    return *this;
  }
};

struct Model::Impl {
  explicit Impl(ModelSettings s) : settings(std::move(s)) {
    pool.set_limits(settings.max_strings, settings.max_string_bytes, settings.max_text_bytes);
    // Lifecycle events (crashes, exits, restarts, escalations, node and warning events) and
    // telemetry share the log's capacity but not its slots: a telemetry burst pushes out
    // only older telemetry, never a crash. Within lifecycle, incidents are kept apart from
    // routine events the same way: a restart storm pushes out only routine events.
    size_t cap = std::max<size_t>(settings.event_log_capacity, 3);
    double share = std::clamp(settings.event_log_lifecycle_share, 0.0, 1.0);
    size_t lifecycle = std::clamp<size_t>(static_cast<size_t>(static_cast<double>(cap) * share), 2, cap - 1);
    double incident_share = std::clamp(settings.event_log_incident_share, 0.0, 1.0);
    size_t incidents = std::clamp<size_t>(static_cast<size_t>(static_cast<double>(lifecycle) * incident_share), 1, lifecycle - 1);
    incident_log.set_capacity(incidents);
    lifecycle_log.set_capacity(lifecycle - incidents);
    telemetry_log.set_capacity(cap - lifecycle);
    journal.resize(settings.journal_capacity ? settings.journal_capacity : 1);
  }

  ModelSettings settings;
  StringPool pool;
  uint64_t now = 0;
  uint64_t next_step_ns = 0;
  std::vector<DeepPtr<NodeData>> nodes;  // index = key - 1; null when forgotten
  std::unordered_map<std::string, NodeKey> by_name;
  // Disconnects since the gone nodes were last counted against max_gone_nodes: nodes that
  // connect and leave thousands of times a second are forgotten then, not at the next step.
  size_t disconnects_since_sweep = 0;
  NodeCache cached;

  // The event log: three rings, one seq across them.
  EventRing incident_log;   // kIncidentEvents
  EventRing lifecycle_log;  // kRoutineEvents
  EventRing telemetry_log;  // kTelemetryEvents
  EventRing& ring_of(EventKind kind) {
    uint32_t bit = event_bit(kind);
    return (bit & kTelemetryEvents) ? telemetry_log : (bit & kIncidentEvents) ? incident_log : lifecycle_log;
  }
  uint64_t next_seq = 1;
  uint64_t events_dropped = 0;
  std::array<uint64_t, kEventKindCount> events_dropped_by_kind{};
  std::array<uint64_t, kEventKindCount> events_by_kind{};  // every event logged, by kind

  // Change journal ring.
  JournalSlots journal;
  size_t journal_head = 0;   // oldest
  size_t journal_count = 0;
  uint64_t journal_lost_version = 0;  // highest version pushed out
  uint64_t journal_dropped = 0;
  uint64_t version = 0;
  bool dirty = false;

  // Mailbox warnings (growing, large, wait, stuck), kept per actor and looked at when the
  // actor changes; the others (restart storms, slow handlers, agent drops), confirmed or
  // cleared at every step.
  std::unordered_map<WarningKey, RowWarning, WarningKeyHash, WarningKeyEq> row_warnings;
  std::map<WarningKey, Warning> other_warnings;
  struct Clearing {
    WarningKey key;
    Row row = kNoRow;  // its actor's row, when known (its flag is cleared there)
    bool operator<(const Clearing& o) const { return key < o.key; }
  };
  std::vector<Clearing> clearing;  // scratch: what this step clears, cleared in key order at its end
  // The stuck wheel's slot width and slot count for these settings.
  uint64_t stuck_wheel_width() const {
    return std::max<uint64_t>({settings.series_step_ns, settings.stuck_after_ns / 4000, 1});
  }
  size_t stuck_wheel_slots() const { return static_cast<size_t>(settings.stuck_after_ns / stuck_wheel_width()) + 2; }
  void queue_stuck(NodeData& n, Row r, Actor& a);
  mutable WarningListCache warning_list;
  uint64_t last_step_ns = 0;         // the instant of the last one-second step
  uint64_t warnings_over_cap = 0;
  size_t warnings_active() const { return row_warnings.size() + other_warnings.size(); }
  static bool is_row_kind(WarningKind k) { return warned_flag(k) != 0; }
  // A warning's text and last confirmation as a reader sees them.
  Warning warning_as_read(const RowWarning& rw) const;
  const std::vector<Warning>& warning_list_as_read() const;
  // Every warning in (kind, node, actor) order.
  template <class Fn>
  void for_each_warning(Fn&& fn) const {
    std::vector<std::pair<WarningKey, const RowWarning*>> rows;
    rows.reserve(row_warnings.size());
    for (const auto& [k, rw] : row_warnings) rows.emplace_back(k, &rw);
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    auto r = rows.begin();
    auto o = other_warnings.begin();
    while (r != rows.end() || o != other_warnings.end()) {
      if (o == other_warnings.end() || (r != rows.end() && r->first < o->first)) {
        fn(warning_as_read(*r->second));
        ++r;
      } else {
        fn(o->second);
        ++o;
      }
    }
  }
  // Removes a warning now (no event; the caller logs one if it should).
  void erase_warning(const WarningKey& key);
  void note_warnings_changed() { warning_list.valid = false; }

  uint64_t records = 0;
  uint64_t links_dropped = 0;
  uint64_t text_invalid_bytes = 0;     // outside the pool (node, host, program)
  uint64_t texts_truncated = 0;
  std::array<uint64_t, kAnomalyCount> anomalies{};

  // ---- helpers ----
  NodeData* node(NodeKey key) {
    if (key == cached.key && cached.data) return cached.data;
    if (key == 0 || key > nodes.size() || !nodes[key - 1]) {
      anomaly(Anomaly::UnknownNode);
      return nullptr;
    }
    cached.key = key;
    cached.data = nodes[key - 1].get();
    return cached.data;
  }
  const NodeData* node(NodeKey key) const {
    if (key == 0 || key > nodes.size()) return nullptr;
    return nodes[key - 1].get();
  }
  void anomaly(Anomaly a) { ++anomalies[static_cast<size_t>(a)]; }
  Str resolve(NodeData& n, proto::StringId id) {
    if (id == 0) return 0;
    Str s = n.strings.find(id);
    if (s != kUndefinedString) return s;
    anomaly(Anomaly::UnknownString);
    return 0;
  }
  // As resolve(), but an undefined id reads "unknown" (the reserved string), not "": an
  // actor type the agent never named is not the same as one it named "".
  Str resolve_label(NodeData& n, proto::StringId id) {
    if (id == 0) return 0;
    Str s = n.strings.find(id);
    if (s != kUndefinedString) return s;
    anomaly(Anomaly::UnknownString);
    return StringPool::kUnknown;
  }
  // Peer text that is kept as is (node, host, program, details): cleaned and capped.
  std::string clean(std::string_view text) {
    TextRepairs r;
    std::string out = clean_text(text, settings.max_text_bytes, &r);
    text_invalid_bytes += r.invalid_bytes;
    texts_truncated += r.truncated;
    return out;
  }
  // An exit's or a restart's reason text. Sent inline (the usual), it lives in the event
  // only, so it goes with the event; only an older agent's interned text is in the pool.
  void set_reason_text(NodeData& n, Event& e, proto::StringId sid, std::string_view inline_text) {
    if (!inline_text.empty())
      e.detail = clean(inline_text);
    else
      e.text = resolve(n, sid);
  }
  uint64_t wall(const NodeData& n, uint64_t t_ns) const { return n.info.anchor_wall_ns + t_ns; }

  // The record of a supervisor's child, made on first need. A bounded list (searched per
  // restart or crash): past max_children_per_supervisor, further children share "other".
  ChildRecord& child_record(Supervisor& s, Str child) {
    auto find = [&](Str id) {
      return std::find_if(s.per_child.begin(), s.per_child.end(), [&](const ChildRecord& c) { return c.child_id == id; });
    };
    auto pc = find(child);
    if (pc == s.per_child.end() && settings.max_children_per_supervisor != 0 &&
        s.per_child.size() >= settings.max_children_per_supervisor) {
      child = StringPool::kOverflow;
      pc = find(child);
    }
    if (pc == s.per_child.end()) pc = s.per_child.insert(s.per_child.end(), ChildRecord{child});
    return *pc;
  }
  // A child's abnormal exit, from its exit event or (when no exit came) its restart event.
  static void note_crash(ChildRecord& c, uint64_t actor, const Event& e) {
    c.last_crash_actor = actor;
    c.last_crash_wall_ns = e.wall_ns;
    c.last_crash_seq = e.seq;
    c.last_reason = e.reason;
  }

  Event& push_event(EventKind kind, NodeKey node);
  void keep_incident(Event&& e);
  void step_flow(NodeData& n, uint64_t now_ns);
  void count_dropped_event(EventKind kind);
  Event evicted_incident;  // scratch: the incident the shared ring pushed out last
  // Inline: it runs for every record that changes an actor.
  void note_change(NodeKey node, ChangeKind kind, uint64_t actor) {
    const size_t cap = journal.size();
    if (journal_count == cap) {
      journal_lost_version = std::max(journal_lost_version, journal[journal_head].version);
      if (++journal_head == cap) journal_head = 0;
      --journal_count;
      ++journal_dropped;
    }
    // Wrapped by a compare, not a division.
    size_t at = journal_head + journal_count;
    if (at >= cap) at -= cap;
    journal[at] = Change{version + 1, node, kind, actor};
    ++journal_count;
    dirty = true;
  }
  void note_actor(NodeData& n, Actor& a) {
    uint32_t pending = static_cast<uint32_t>(version + 1);
    if (a.journaled == pending && dirty) return;
    a.journaled = pending;
    note_change(n.info.key, ChangeKind::ActorChanged, a.id);
  }

  // Actor table (model_actors.cpp).
  // Applies a stats sample to the live actor at `row` (the caller found it).
  void apply_stats(NodeData& n, Row row, const proto::ActorStats& r) { apply_stats(n, row, n.rows[row], r); }
  // The same with the row's address already worked out (a row number is a division by the
  // rows per chunk, not a power of two).
  void apply_stats(NodeData& n, Row row, Actor& a, const proto::ActorStats& r);
  Row add_row(NodeData& n, const Actor& a);
  void remove_row(NodeData& n, Row r);
  // Lists the row under its parent (or as a root, an orphan while the parent is unknown). A
  // row whose parent chain leads back to itself is refused (listed as a root), found by a walk
  // up the chain; a `fresh` row (just added: the children that came before it are orphans,
  // attached after with their own walk) has no descendants, so no chain can lead back to it
  // and there is no walk: a spawn costs the same at any depth.
  void link_under(NodeData& n, Row r, bool fresh = false);
  void unlink(NodeData& n, Row r);
  uint32_t type_slot(NodeData& n, Str type);
  // A child id's part of a supervisor's path: of its text (FNV-1a), not of its id in this
  // model's pool, so that a path means the same child in any model (an opened export).
  static uint64_t path_hash(std::string_view text) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (unsigned char c : text) h = (h ^ c) * 0x100000001b3ull;
    return h;
  }
  void add_live(NodeData& n, Actor& a);
  void retire(NodeData& n, Actor& a);
  void remove_all_actors(NodeData& n);
  Supervisor& supervisor_of(NodeData& n, const Actor& a);
  void update_supervisor_restarts(NodeData& n, Supervisor& s);
  void count_restart_label(NodeData& n, Str label, uint64_t delta);
  // A supervisor leaves (exit, or its process went away): its counts wait for its next incarnation.
  void carry_supervisor(NodeData& n, const Supervisor& s);
  // A supervisor leaves the live model: its id is remembered with its parent and child id, and
  // what it counted goes to its next incarnation (merged now if that one lives, else carried).
  void forget_supervisor(NodeData& n, const Actor& a, const Supervisor& s);
  // What a supervisor counted, added to its next incarnation, already live.
  void merge_into_successor(Supervisor& next, const Supervisor& s);
  // The newest live incarnation of `actor` (a supervisor: the newest with its child id under
  // its parent's newest incarnation, up the tree as far as supervisors were replaced; any other
  // actor: itself while live). `gone` is leaving and is not one. 0: none.
  uint64_t live_incarnation(const NodeData& n, uint64_t actor, uint64_t gone = 0) const;
  // The same, for a record: the rows it visits are paid from the node's successor_scan_credit,
  // and a look-up that runs it out is counted (successor_scan_cut).
  uint64_t live_incarnation_for_record(NodeData& n, uint64_t actor, uint64_t gone = 0);
  // The tick looks at the supervisor's restart budget at its next turn (a restart came, or its
  // intensity or period changed).
  void watch_budget(NodeData& n, Supervisor& s);

  // The same, within a budget of children looked at (kMaxSuccessorScan for one lookup).
  uint64_t newest_incarnation(const NodeData& n, uint64_t actor, uint64_t gone, int depth, size_t& budget) const;
  // An actor left the table without an exit record (see Node::unseen_exits). process_gone:
  // it died with its process (a new incarnation replaced it), so no agent will ever count it.
  void count_unseen_exit(NodeData& n, const Actor& a, bool process_gone);
  // Adds what the agent's exits per reason say beyond what was counted (crashes included).
  void sync_exit_reasons(NodeData& n, TypeAggregate& t);
  // The node's stats of one telemetry event name (past its budget of names: "other").
  TelemetryStats* telemetry_slot(NodeData& n, NodeKey key, Str event);

  // Links and monitors (model_links.cpp).
  void add_link_end(NodeData& n, Row r, uint64_t other, LinkKind kind);
  void remove_link_end(NodeData& n, uint64_t id, uint64_t other, LinkKind kind, bool all);
  void remove_links_of(NodeData& n, Actor& a);

  // Warnings (model_tick.cpp).
  // Raises a warning not kept per actor (restart storm, slow handler, agent drops; mailbox
  // warnings are check_mailbox's), or confirms it for this step; null past max_warnings.
  Warning* raise_warning(WarningKind kind, NodeKey node, uint64_t actor, std::string_view text);
  // A mailbox warning of this actor raised (fresh) or confirmed now; null when refused for room.
  RowWarning* row_warning_now(NodeData& n, Actor& a, WarningKind kind, bool& fresh);
  void log_raised(const Warning& w);  // its WarningRaised event
  // The actor's flag for a warning kind that has one (0 for the others).
  static uint8_t warned_flag(WarningKind kind) {
    switch (kind) {
      case WarningKind::MailboxGrowing: return kActorWarnedGrowing;
      case WarningKind::MailboxLarge: return kActorWarnedLarge;
      case WarningKind::MailboxWait: return kActorWarnedWait;
      case WarningKind::StuckActor: return kActorWarnedStuck;
      default: return 0;
    }
  }
  // Sets or clears that flag on the live actor's row.
  void mark_warned(WarningKind kind, NodeKey node, uint64_t actor, bool raised);
  Warning* active_warning(WarningKind kind, NodeKey node, uint64_t actor) {
    const WarningKey key{kind, node, actor};
    if (is_row_kind(kind)) {
      auto it = row_warnings.find(key);
      return it == row_warnings.end() ? nullptr : &it->second.w;
    }
    auto it = other_warnings.find(key);
    return it == other_warnings.end() ? nullptr : &it->second;
  }
  // The same for an actor's mailbox warnings, looked up only when its flag says it is raised.
  Warning* active_warning(WarningKind kind, NodeKey node, const Actor& a) {
    return (a.flags & warned_flag(kind)) ? active_warning(kind, node, a.id) : nullptr;
  }
  // The actor is looked at again at the next step (its mailbox or rates changed).
  static void recheck(NodeData& n, Row r, Actor& a) {
    if ((a.step_marks & kStepRecheck) || (a.mailbox == 0 && !(a.flags & kActorWarnedMailbox))) return;
    a.step_marks |= kStepRecheck;
    n.recheck.push_back(r);
  }
  // Whether an actor of this id left with mailbox warnings since the last step (a new row of
  // it may confirm them).
  // True (so: asked of the table) past a few of them: a peer that makes many leave cannot make
  // every refusal a walk of the list.
  static bool left_since_step(const NodeData& n, uint64_t id) {
    if (n.warned_gone.size() > 16) return true;
    for (const auto& [gone, flags] : n.warned_gone)
      if (gone == id) return true;
    return false;
  }
  // An actor leaves the table: its mailbox warnings clear at the next step.
  static void note_row_gone(NodeData& n, const Actor& a) {
    if (a.flags & kActorWarnedMailbox) n.warned_gone.emplace_back(a.id, static_cast<uint8_t>(a.flags & kActorWarnedMailbox));
  }
  // The mailbox warnings of one actor that changed (or whose stuck deadline came), at a step.
  void check_mailbox(NodeData& n, Row r, Actor& a, uint64_t now_ns);
  // A mailbox warning of this actor clears at the end of this step (with its event).
  void clear_at_step(NodeData& n, WarningKind kind, Row r, Actor& a);
  // The mailbox warnings of a node not confirmed at this step (it went away, or was replaced).
  void clear_unconfirmed_row_warnings(NodeKey key, uint64_t now_ns);
  void collect_rechecks(NodeData& n, bool live, uint64_t now_ns);
  void step(uint64_t now_ns);
  void forget_node(NodeKey key);
  // Forgets the oldest gone nodes past max_gone_nodes.
  void forget_gone_past_count();
};

// A node's credit for work a record may cause beyond its own (walks, scans): `steps` more,
// held up to `cap`. The work spends it; what it cannot pay for is refused and counted.
inline void earn(uint64_t& credit, uint64_t steps, uint64_t cap) { credit = std::min(cap, credit + steps); }
double restart_budget(const Supervisor& s, uint64_t now_ns);
// When restart_budget() next changes with time alone after now_ns (a restart leaves the
// period, or one recorded ahead of now_ns enters it); 0: never.
uint64_t next_budget_change(const Supervisor& s, uint64_t now_ns);

}  // namespace actorscope::collector
