// A keyframe's event log, frozen (encoded and compressed) and thawed again when copied.
#include <algorithm>
#include <cstring>

#include <lz4.h>

#include "actorscope/protocol/wire.hpp"
#include "model_impl.hpp"

namespace actorscope::collector {

thread_local bool EventRing::freeze_copies_ = false;

namespace {

enum : uint8_t { kHasOther = 1, kHasNewActor = 2, kHasValue = 4, kHasDetail = 8, kHasChild = 16, kHasText = 32, kHasWall = 64 };

}  // namespace

// Events encoded one after another (the wire format's varints and zigzag deltas), cut into
// LZ4 blocks of whole events.
struct EventRing::Encoder {
  static constexpr size_t kBlockBytes = 64 * 1024;
  std::shared_ptr<Frozen> out = std::make_shared<Frozen>();
  std::vector<uint8_t> raw;
  uint64_t seq = 0, at = 0, wall = 0;

  size_t add(const Event& e) {
    const size_t before = raw.size();
    proto::Writer w(raw);
    uint64_t value_bits;
    std::memcpy(&value_bits, &e.value, 8);
    uint8_t flags = (e.other ? kHasOther : 0) | (e.new_actor ? kHasNewActor : 0) | (value_bits ? kHasValue : 0) |
                    (e.detail.empty() ? 0 : kHasDetail) | (e.child_id ? kHasChild : 0) | (e.text ? kHasText : 0) |
                    (e.wall_ns ? kHasWall : 0);
    w.u8(flags);
    w.u8(static_cast<uint8_t>(e.kind));
    w.u8(static_cast<uint8_t>(e.reason));
    w.varint(e.seq - seq);  // in seq order
    w.svarint(static_cast<int64_t>(e.at_ns - at));
    if (flags & kHasWall) w.svarint(static_cast<int64_t>(e.wall_ns - wall));
    w.varint(e.actor);
    w.varint(e.node);
    w.varint(e.name);
    w.varint(e.type);
    if (flags & kHasOther) w.varint(e.other);
    if (flags & kHasNewActor) w.varint(e.new_actor);
    if (flags & kHasChild) w.varint(e.child_id);
    if (flags & kHasText) w.varint(e.text);
    if (flags & kHasValue) w.f64(e.value);
    if (flags & kHasDetail) w.str(e.detail);
    seq = e.seq;
    at = e.at_ns;
    if (flags & kHasWall) wall = e.wall_ns;
    const size_t written = raw.size() - before;
    if (raw.size() >= kBlockBytes) seal();
    return written;
  }
  void seal() {
    if (raw.empty()) return;
    Frozen::Block& b = out->blocks.emplace_back();
    b.raw_size = raw.size();
    b.bytes.resize(static_cast<size_t>(LZ4_compressBound(static_cast<int>(raw.size()))));
    const int n = LZ4_compress_default(reinterpret_cast<const char*>(raw.data()), reinterpret_cast<char*>(b.bytes.data()),
                                       static_cast<int>(raw.size()), static_cast<int>(b.bytes.size()));
    if (n <= 0) {  // cannot happen with a bound-sized buffer: kept uncompressed then
      b.bytes = raw;
      b.raw_size = 0;
    } else {
      b.bytes.resize(static_cast<size_t>(n));
      b.bytes.shrink_to_fit();
    }
    raw.clear();
  }
};

// A freeze in steps: the ring's oldest `offset` events are encoded, and `left` more of those
// it held when the freeze began are still to be.
struct EventRing::Freezing {
  EventRing* into = nullptr;
  Encoder encoder;
  size_t offset = 0;
  size_t left = 0;
};

EventRing::EventRing(const EventRing& o) : capacity_(o.capacity_), count_(o.count_) {
  if (o.frozen_) {
    thaw(*o.frozen_);
  } else if (freeze_copies_ && o.count_ > 0) {
    if (defer_table_copies) return;  // frozen in steps: o.freeze_into(*this)
    Encoder enc;
    for (size_t i = 0; i < o.count_; ++i) enc.add(o.at(i));
    enc.seal();
    frozen_ = std::move(enc.out);
  } else {
    slots_ = o.slots_;
    head_ = o.head_;
  }
}

EventRing::EventRing() = default;
EventRing::EventRing(EventRing&& o) noexcept { *this = std::move(o); }

EventRing& EventRing::operator=(EventRing&& o) noexcept {
  if (this != &o) {
    finish_freeze();
    slots_ = std::move(o.slots_);
    capacity_ = o.capacity_;
    head_ = o.head_;
    count_ = o.count_;
    frozen_ = std::move(o.frozen_);
    freezing_ = std::move(o.freezing_);
  }
  return *this;
}

EventRing::~EventRing() { finish_freeze(); }  // before the events it reads go

void EventRing::abandon_freeze() { freezing_.reset(); }

size_t EventRing::frozen_bytes() const {
  if (!frozen_) return 0;
  size_t n = sizeof(Frozen) + frozen_->blocks.capacity() * sizeof(Frozen::Block);
  for (const auto& b : frozen_->blocks) n += b.bytes.capacity();
  return n;
}

void EventRing::freeze_into(EventRing& into) {
  finish_freeze();
  if (count_ == 0) return;  // an empty ring is copied as one
  freezing_ = std::make_unique<Freezing>();
  freezing_->into = &into;
  freezing_->left = count_;
}

size_t EventRing::freeze_some(size_t max_bytes) {
  if (!freezing_) return 0;
  Freezing& f = *freezing_;
  size_t bytes = 0;
  while (f.left > 0 && (bytes == 0 || bytes < max_bytes)) {
    bytes += f.encoder.add(at(f.offset++));
    --f.left;
  }
  if (f.left == 0) {
    f.encoder.seal();
    f.into->frozen_ = std::move(f.encoder.out);
    freezing_.reset();
  }
  return bytes;
}

// The oldest event goes: encoded first if the freeze has yet to reach it.
void EventRing::before_evict() {
  Freezing& f = *freezing_;
  if (f.offset > 0) {
    --f.offset;
  } else if (f.left > 0) {
    f.encoder.add(at(0));
    --f.left;
  }
  if (f.left == 0) finish_freeze();
}

void EventRing::thaw(const Frozen& f) {
  std::vector<uint8_t> raw;
  for (const Frozen::Block& b : f.blocks) {
    if (b.raw_size == 0) {
      raw.insert(raw.end(), b.bytes.begin(), b.bytes.end());
      continue;
    }
    const size_t at = raw.size();
    raw.resize(at + b.raw_size);
    const int n = LZ4_decompress_safe(reinterpret_cast<const char*>(b.bytes.data()), reinterpret_cast<char*>(raw.data() + at),
                                      static_cast<int>(b.bytes.size()), static_cast<int>(b.raw_size));
    if (n != static_cast<int>(b.raw_size)) std::fill(raw.begin() + static_cast<std::ptrdiff_t>(at), raw.end(), 0);  // cannot happen: our own bytes
  }
  proto::Reader in(raw.data(), raw.size());  // our own bytes: a failed read yields zeros
  slots_.clear();
  slots_.reserve(count_);
  head_ = 0;
  uint64_t seq = 0, at = 0, wall = 0;
  for (size_t i = 0; i < count_; ++i) {
    Event& e = slots_.emplace_back();
    const uint8_t flags = in.u8();
    e.kind = static_cast<EventKind>(in.u8());
    e.reason = static_cast<proto::ExitReason>(in.u8());
    e.seq = seq += in.varint();
    e.at_ns = at += static_cast<uint64_t>(in.svarint());
    if (flags & kHasWall) e.wall_ns = wall += static_cast<uint64_t>(in.svarint());
    e.actor = in.varint();
    e.node = static_cast<NodeKey>(in.varint());
    e.name = static_cast<Str>(in.varint());
    e.type = static_cast<Str>(in.varint());
    if (flags & kHasOther) e.other = in.varint();
    if (flags & kHasNewActor) e.new_actor = in.varint();
    if (flags & kHasChild) e.child_id = static_cast<Str>(in.varint());
    if (flags & kHasText) e.text = static_cast<Str>(in.varint());
    if (flags & kHasValue) e.value = in.f64();
    if (flags & kHasDetail) e.detail = std::string(in.str(SIZE_MAX));
  }
}

}  // namespace actorscope::collector
