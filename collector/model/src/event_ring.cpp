// A keyframe's event log, frozen (encoded and compressed) and thawed again when copied.
#include <cstring>

#include <lz4.h>

#include "actorscope/protocol/wire.hpp"
#include "model_impl.hpp"

namespace actorscope::collector {

thread_local bool EventRing::freeze_copies_ = false;

namespace {

enum : uint8_t { kHasOther = 1, kHasNewActor = 2, kHasValue = 4, kHasDetail = 8, kHasChild = 16, kHasText = 32, kHasWall = 64 };

}  // namespace

EventRing::EventRing(const EventRing& o) : capacity_(o.capacity_), count_(o.count_) {
  if (o.frozen_) {
    thaw(*o.frozen_);
  } else if (freeze_copies_ && o.count_ > 0) {
    frozen_ = freeze(o);
  } else {
    slots_ = o.slots_;
    head_ = o.head_;
  }
}

std::shared_ptr<const EventRing::Frozen> EventRing::freeze(const EventRing& ring) {
  std::vector<uint8_t> raw;
  raw.reserve(ring.count_ * 24);
  proto::Writer w(raw);  // the wire format's varints and zigzag deltas
  uint64_t seq = 0, at = 0, wall = 0;
  for (size_t i = 0; i < ring.count_; ++i) {
    const Event& e = ring.at(i);
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
  }
  auto f = std::make_shared<Frozen>();
  f->raw_size = raw.size();
  f->bytes.resize(static_cast<size_t>(LZ4_compressBound(static_cast<int>(raw.size()))));
  const int n = LZ4_compress_default(reinterpret_cast<const char*>(raw.data()), reinterpret_cast<char*>(f->bytes.data()),
                                     static_cast<int>(raw.size()), static_cast<int>(f->bytes.size()));
  if (n <= 0) {  // cannot happen with a bound-sized buffer: kept uncompressed then
    f->bytes = std::move(raw);
    f->raw_size = 0;
  } else {
    f->bytes.resize(static_cast<size_t>(n));
    f->bytes.shrink_to_fit();
  }
  return f;
}

void EventRing::thaw(const Frozen& f) {
  std::vector<uint8_t> raw;
  const std::vector<uint8_t>* bytes = &f.bytes;
  if (f.raw_size != 0) {
    raw.resize(f.raw_size);
    const int n = LZ4_decompress_safe(reinterpret_cast<const char*>(f.bytes.data()), reinterpret_cast<char*>(raw.data()),
                                      static_cast<int>(f.bytes.size()), static_cast<int>(raw.size()));
    if (n != static_cast<int>(f.raw_size)) raw.assign(f.raw_size, 0);  // cannot happen: our own bytes
    bytes = &raw;
  }
  proto::Reader in(bytes->data(), bytes->size());  // our own bytes: a failed read yields zeros
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
