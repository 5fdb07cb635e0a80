// Byte-level primitives of the actorscope wire format: little-endian integers, varints, strings.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace actorscope::proto {

// Appends encoded values to a growable byte buffer. Never fails.
class Writer {
 public:
  explicit Writer(std::vector<uint8_t>& out) : out_(out) {}

  void u8(uint8_t v) { out_.push_back(v); }
  void u16(uint16_t v) { raw_le(v, 2); }
  void u32(uint32_t v) { raw_le(v, 4); }
  void u64(uint64_t v) { raw_le(v, 8); }
  void varint(uint64_t v) {
    uint8_t buf[10];
    size_t n = 0;
    while (v >= 0x80) {
      buf[n++] = static_cast<uint8_t>(v) | 0x80;
      v >>= 7;
    }
    buf[n++] = static_cast<uint8_t>(v);
    out_.insert(out_.end(), buf, buf + n);
  }
  // Signed values, zigzag-encoded.
  void svarint(int64_t v) { varint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63)); }
  void f64(double v) {
    uint64_t bits;
    std::memcpy(&bits, &v, 8);
    u64(bits);
  }
  void bytes(const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    out_.insert(out_.end(), b, b + n);
  }
  // A string: varint length, then the bytes (UTF-8 expected, not checked).
  void str(std::string_view s) {
    varint(s.size());
    bytes(s.data(), s.size());
  }
  size_t size() const { return out_.size(); }
  std::vector<uint8_t>& buffer() { return out_; }

 private:
  void raw_le(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  std::vector<uint8_t>& out_;
};

// A varint read with no bounds check: ten bytes must lie behind p. False for a varint longer
// than ten bytes or over 64 bits (a checked read then says which).
[[gnu::always_inline]] inline bool varint_unchecked(const uint8_t*& p, uint64_t& out) {
  uint64_t b = p[0];
  if (b < 0x80) {
    out = b;
    ++p;
    return true;
  }
  uint64_t v = b & 0x7f;
#pragma GCC unroll 9
  for (int i = 1; i < 10; ++i) {
    b = p[i];
    v |= (b & 0x7f) << (7 * i);
    if (b < 0x80) {
      if (i == 9 && b > 1) return false;
      out = v;
      p += i + 1;
      return true;
    }
  }
  return false;
}

// Reads values from a byte range with bounds checks. The first failure is sticky:
// every later read returns zero, and ok() stays false.
class Reader {
 public:
  Reader() = default;
  Reader(const uint8_t* p, size_t n) : p_(p), end_(p + n), readable_(p + n) {}

  bool ok() const { return ok_; }
  bool empty() const { return p_ >= end_; }
  size_t remaining() const { return ok_ ? static_cast<size_t>(end_ - p_) : 0; }
  const uint8_t* pos() const { return p_; }
  const char* error() const { return error_; }
  void fail(const char* why) {
    if (ok_) error_ = why;
    ok_ = false;
    p_ = end_;
  }

  uint8_t u8() {
    if (!need(1)) return 0;
    return *p_++;
  }
  uint16_t u16() { return static_cast<uint16_t>(le(2)); }
  uint32_t u32() { return static_cast<uint32_t>(le(4)); }
  uint64_t u64() { return le(8); }
  // Inlined where called (GCC stopped inlining it once it grew, and a call per field costs
  // more than the field).
  [[gnu::always_inline]] uint64_t varint() {
    // One byte is the usual case (small counts, masks, zeros): no loop for it.
    if (p_ < end_ && *p_ < 0x80) return *p_++;
    return varint_long();
  }
  [[gnu::always_inline]] uint64_t varint_long() {
    if (readable_ - p_ >= 10) {
      // Room for the longest varint in the buffer (a record's reader may look past its own
      // end into the rest of the batch): no bounds check per byte (the 2-4 byte ids, counts
      // and durations of a stats record cost a third of the loop's work). A varint that is
      // malformed or runs past this reader's end is read again below, which says why.
      const uint8_t* p = p_;
      uint64_t v = 0;
      if (varint_unchecked(p, v) && p <= end_) {
        p_ = p;
        return v;
      }
    }
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ >= end_) {
        fail("truncated varint");
        return 0;
      }
      uint8_t b = *p_++;
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) {
        if (shift == 63 && b > 1) {
          fail("varint overflows 64 bits");
          return 0;
        }
        return v;
      }
    }
    fail("varint longer than 10 bytes");
    return 0;
  }
  [[gnu::always_inline]] uint32_t varint32() {
    uint64_t v = varint();
    if (v > UINT32_MAX) {
      fail("value does not fit 32 bits");
      return 0;
    }
    return static_cast<uint32_t>(v);
  }
  int64_t svarint() {
    uint64_t v = varint();
    return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1));
  }
  double f64() {
    uint64_t bits = u64();
    double d;
    std::memcpy(&d, &bits, 8);
    return d;
  }
  // A string view into the underlying buffer; valid as long as the buffer is.
  std::string_view str(size_t max_len) {
    uint64_t n = varint();
    if (!ok_) return {};
    if (n > max_len) {
      fail("string longer than its limit");
      return {};
    }
    if (!need(n)) return {};
    std::string_view s(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    return s;
  }
  void skip(size_t n) {
    if (need(n)) p_ += n;
  }
  // A reader of the next n bytes. It reads no further than they go, though its varints may
  // look ahead into this reader's bytes (see varint_long).
  Reader sub(size_t n) {
    if (!need(n)) return Reader();
    Reader r(p_, n);
    r.readable_ = readable_;
    p_ += n;
    return r;
  }

 private:
  bool need(uint64_t n) {
    if (!ok_) return false;
    if (static_cast<uint64_t>(end_ - p_) < n) {
      fail("truncated field");
      return false;
    }
    return true;
  }
  uint64_t le(unsigned n) {
    if (!need(n)) return 0;
    uint64_t v = 0;
    for (unsigned i = 0; i < n; ++i) v |= static_cast<uint64_t>(p_[i]) << (8 * i);
    p_ += n;
    return v;
  }
  const uint8_t* p_ = nullptr;
  const uint8_t* end_ = nullptr;
  const uint8_t* readable_ = nullptr;  // end of the memory behind this reader (>= end_)
  bool ok_ = true;
  const char* error_ = nullptr;
};

}  // namespace actorscope::proto
