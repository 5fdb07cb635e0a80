// A keyframe's event log, frozen (encoded and compressed) and thawed again when copied.
#include <cstring>

#include <lz4.h>

#include "model_impl.hpp"

namespace actorscope::collector {

thread_local bool EventRing::freeze_copies_ = false;

namespace {

void put_varint(std::vector<uint8_t>& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<uint8_t>(v));
}
uint64_t zigzag(uint64_t now, uint64_t before) {
  const auto d = static_cast<int64_t>(now - before);
  return (static_cast<uint64_t>(d) << 1) ^ static_cast<uint64_t>(d >> 63);
}
uint64_t unzigzag(uint64_t z, uint64_t before) {
  const auto d = static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
  return before + static_cast<uint64_t>(d);
}

// Our own bytes: a read past the end cannot happen, and yields zeros if it did.
struct In {
  const uint8_t* p;
  const uint8_t* end;
  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; p < end && shift < 64; shift += 7) {
      const uint8_t b = *p++;
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) break;
    }
    return v;
  }
  uint8_t byte() { return p < end ? *p++ : 0; }
};

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
  uint64_t seq = 0, at = 0, wall = 0;
  for (size_t i = 0; i < ring.count_; ++i) {
    const Event& e = ring.at(i);
    uint64_t value_bits;
    std::memcpy(&value_bits, &e.value, 8);
    uint8_t flags = (e.other ? kHasOther : 0) | (e.new_actor ? kHasNewActor : 0) | (value_bits ? kHasValue : 0) |
                    (e.detail.empty() ? 0 : kHasDetail) | (e.child_id ? kHasChild : 0) | (e.text ? kHasText : 0) |
                    (e.wall_ns ? kHasWall : 0);
    raw.push_back(flags);
    raw.push_back(static_cast<uint8_t>(e.kind));
    raw.push_back(static_cast<uint8_t>(e.reason));
    put_varint(raw, e.seq - seq);  // in seq order
    put_varint(raw, zigzag(e.at_ns, at));
    if (flags & kHasWall) put_varint(raw, zigzag(e.wall_ns, wall));
    put_varint(raw, e.actor);
    put_varint(raw, e.node);
    put_varint(raw, e.name);
    put_varint(raw, e.type);
    if (flags & kHasOther) put_varint(raw, e.other);
    if (flags & kHasNewActor) put_varint(raw, e.new_actor);
    if (flags & kHasChild) put_varint(raw, e.child_id);
    if (flags & kHasText) put_varint(raw, e.text);
    if (flags & kHasValue) {
      uint8_t b[8];
      std::memcpy(b, &e.value, 8);
      raw.insert(raw.end(), b, b + 8);
    }
    if (flags & kHasDetail) {
      put_varint(raw, e.detail.size());
      raw.insert(raw.end(), e.detail.begin(), e.detail.end());
    }
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
  In in{bytes->data(), bytes->data() + bytes->size()};
  slots_.clear();
  slots_.reserve(count_);
  head_ = 0;
  uint64_t seq = 0, at = 0, wall = 0;
  for (size_t i = 0; i < count_; ++i) {
    Event& e = slots_.emplace_back();
    const uint8_t flags = in.byte();
    e.kind = static_cast<EventKind>(in.byte());
    e.reason = static_cast<proto::ExitReason>(in.byte());
    e.seq = seq += in.varint();
    e.at_ns = at = unzigzag(in.varint(), at);
    if (flags & kHasWall) e.wall_ns = wall = unzigzag(in.varint(), wall);
    e.actor = in.varint();
    e.node = static_cast<NodeKey>(in.varint());
    e.name = static_cast<Str>(in.varint());
    e.type = static_cast<Str>(in.varint());
    if (flags & kHasOther) e.other = in.varint();
    if (flags & kHasNewActor) e.new_actor = in.varint();
    if (flags & kHasChild) e.child_id = static_cast<Str>(in.varint());
    if (flags & kHasText) e.text = static_cast<Str>(in.varint());
    if (flags & kHasValue) {
      uint8_t b[8] = {};
      for (auto& x : b) x = in.byte();
      std::memcpy(&e.value, b, 8);
    }
    if (flags & kHasDetail) {
      const uint64_t len = in.varint();
      const size_t take = static_cast<size_t>(std::min<uint64_t>(len, static_cast<uint64_t>(in.end - in.p)));
      e.detail.assign(reinterpret_cast<const char*>(in.p), take);
      in.p += take;
    }
  }
}

}  // namespace actorscope::collector
