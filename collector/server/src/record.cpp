// Record and replay: a file header, then framed entries (kind, connection, time, payload).
#include "actorscope/collector/record.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <thread>
#include <unordered_map>
#include <vector>

#include "actorscope/collector/history.hpp"
#include "actorscope/protocol/codec.hpp"

namespace actorscope::collector {

uint32_t crc32c(const uint8_t* data, size_t len, uint32_t crc) {
  static const auto table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  crc = ~crc;
  for (size_t i = 0; i < len; ++i) crc = table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
  return ~crc;
}

namespace {
// A block header, parsed; false when its magic is not there.
struct BlockHeader {
  uint32_t length = 0, entries = 0, crc = 0;
  uint64_t first_at = 0, last_at = 0;
};
bool parse_block_header(const uint8_t* h, BlockHeader& b) {
  if (std::memcmp(h, kRecordBlockMagic, sizeof kRecordBlockMagic) != 0) return false;
  proto::Reader r(h + 4, kRecordBlockHeaderSize - 4);
  b.length = r.u32();
  b.entries = r.u32();
  b.crc = r.u32();
  b.first_at = r.u64();
  b.last_at = r.u64();
  return true;
}
// The largest block a reader accepts: one entry of the largest frame, or many small ones.
constexpr uint64_t kMaxBlockBytes = uint64_t{proto::kHardMaxFrame} + kRecordBlockBytes + kRecordEntryHeaderSize;

std::string bytes_text(uint64_t n) { return std::to_string(n) + (n == 1 ? " byte" : " bytes"); }

// Reads block `n` (at byte `offset`) from the file's position: its header and entries,
// checksum checked. False at the end of the file (`bad` empty) or when the block cannot be
// read (`bad` says why, in one line).
bool read_block(std::FILE* f, size_t n, uint64_t offset, BlockHeader& b, std::vector<uint8_t>& payload, std::string& bad) {
  bad.clear();
  uint8_t bh[kRecordBlockHeaderSize];
  const size_t got = std::fread(bh, 1, sizeof bh, f);
  if (got == 0) return false;
  const std::string where = "block " + std::to_string(n) + " (at byte " + std::to_string(offset) + ")";
  if (got != sizeof bh) bad = where + " is cut short in its header";
  else if (!parse_block_header(bh, b)) bad = where + " has no block header";
  else if (b.length > kMaxBlockBytes) bad = where + " claims " + bytes_text(b.length);
  if (bad.empty()) {
    payload.resize(b.length);
    if (std::fread(payload.data(), 1, b.length, f) != b.length) bad = where + " is cut short";
    else if (crc32c(payload.data(), b.length) != b.crc) bad = where + " fails its checksum";
  }
  return bad.empty();
}
}  // namespace

Recorder::~Recorder() {
  if (file_) {
    write_block();
    std::fclose(file_);
  }
}

void append_record_file_header(std::vector<uint8_t>& out) {
  proto::Writer w(out);
  w.bytes(kRecordMagic, sizeof kRecordMagic);
  w.u16(kRecordVersion);
  w.u16(0);
  w.u32(0);
}

bool RecordBlockBuilder::add(RecordEntry kind, uint64_t conn, uint64_t at_ns, const uint8_t* payload, size_t len) {
  proto::Writer w(body_);
  w.u8(static_cast<uint8_t>(kind));
  w.u64(conn);
  w.u64(at_ns);
  w.u32(static_cast<uint32_t>(len));
  if (len > 0) w.bytes(payload, len);
  if (entries_ == 0) first_at_ = at_ns;
  last_at_ = at_ns;
  ++entries_;
  return body_.size() >= kRecordBlockBytes;
}

std::array<uint8_t, kRecordBlockHeaderSize> RecordBlockBuilder::header() const {
  std::vector<uint8_t> h;
  proto::Writer w(h);
  w.bytes(kRecordBlockMagic, sizeof kRecordBlockMagic);
  w.u32(static_cast<uint32_t>(body_.size()));
  w.u32(entries_);
  w.u32(crc32c(body_.data(), body_.size()));
  w.u64(first_at_);
  w.u64(last_at_);
  std::array<uint8_t, kRecordBlockHeaderSize> out{};
  std::copy(h.begin(), h.end(), out.begin());
  return out;
}

void RecordBlockBuilder::clear() {
  body_.clear();
  entries_ = 0;
}

void RecordBlockBuilder::take(std::vector<uint8_t>& out) {
  if (empty()) return;
  const auto h = header();
  out.insert(out.end(), h.begin(), h.end());
  out.insert(out.end(), body_.begin(), body_.end());
  clear();
}

bool Recorder::open(const std::string& path, std::string& error) {
  file_ = std::fopen(path.c_str(), "wb");
  if (!file_) {
    error = "cannot write record file " + path + ": " + std::strerror(errno);
    return false;
  }
  std::vector<uint8_t> h;
  append_record_file_header(h);
  if (std::fwrite(h.data(), 1, h.size(), file_) != h.size() || std::fflush(file_) != 0) {
    error = "cannot write record file " + path + ": " + std::strerror(errno);
    std::fclose(file_);
    file_ = nullptr;
    return false;
  }
  return true;
}

void Recorder::entry(RecordEntry kind, uint64_t conn, uint64_t at_ns, const uint8_t* payload, size_t len) {
  if (!file_) return;
  ++entries_;
  if (block_.add(kind, conn, at_ns, payload, len)) write_block();
}

// One block: its header (with the entries' checksum and time span), then the entries, in one
// write. A crash during it leaves a torn last block, which a reader sets aside.
void Recorder::write_block() {
  if (!file_ || block_.empty()) return;
  const auto h = block_.header();
  const std::vector<uint8_t>& body = block_.body();
  bool ok = std::fwrite(h.data(), 1, h.size(), file_) == h.size() && std::fwrite(body.data(), 1, body.size(), file_) == body.size();
  if (!ok) ++write_errors_;
  block_.clear();
}

void Recorder::hello(uint64_t conn, uint64_t at_ns, const proto::Hello& hello) {
  proto::Hello copy = hello;
  copy.token.clear();  // a secret does not belong in a post-mortem file
  std::vector<uint8_t> buf;
  proto::Writer w(buf);
  proto::encode(w, copy);
  entry(RecordEntry::Hello, conn, at_ns, buf.data(), buf.size());
}

void Recorder::batch(uint64_t conn, uint64_t at_ns, const uint8_t* payload, size_t len) {
  entry(RecordEntry::Batch, conn, at_ns, payload, len);
}

void Recorder::disconnect(uint64_t conn, uint64_t at_ns) { entry(RecordEntry::Disconnect, conn, at_ns, nullptr, 0); }

void Recorder::wall_clock(uint64_t at_ns, int64_t wall_minus_model) {
  std::vector<uint8_t> p;
  proto::Writer w(p);
  w.u64(static_cast<uint64_t>(wall_minus_model));
  entry(RecordEntry::WallClock, 0, at_ns, p.data(), p.size());
}

void Recorder::flush() {
  write_block();
  if (file_ && std::fflush(file_) != 0) ++write_errors_;
}

bool read_record_index(const std::string& path, RecordIndex& out, std::string& error) {
  out = RecordIndex{};
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) {
    error = path + ": cannot open: " + std::strerror(errno);
    return false;
  }
  std::fseek(f, 0, SEEK_END);
  out.file_bytes = static_cast<uint64_t>(std::max<long>(std::ftell(f), 0));
  std::fseek(f, 0, SEEK_SET);
  uint8_t fh[kRecordFileHeaderSize];
  if (std::fread(fh, 1, sizeof fh, f) != sizeof fh || std::memcmp(fh, kRecordMagic, sizeof kRecordMagic) != 0) {
    std::fclose(f);
    error = path + ": not an actorscope record file (bad magic)";
    return false;
  }
  proto::Reader hr(fh + 8, 8);
  out.version = hr.u16();
  if (!readable_record_version(out.version)) {
    std::fclose(f);
    error = path + ": record file version " + std::to_string(out.version) + " is not supported";
    return false;
  }
  uint64_t at = kRecordFileHeaderSize;
  std::vector<uint8_t> payload;
  if (out.version == 1) {  // no blocks: one pass over the entries
    uint8_t eh[kRecordEntryHeaderSize];
    for (;;) {
      size_t got = std::fread(eh, 1, sizeof eh, f);
      if (got == 0) break;
      proto::Reader r(eh, got);
      r.u8();
      r.u64();
      uint64_t t = r.u64();
      uint32_t len = r.u32();
      if (got != sizeof eh || std::fseek(f, len, SEEK_CUR) != 0 || at + sizeof eh + len > out.file_bytes) {
        out.lost = "the last entry is cut short";
        break;
      }
      if (out.entries++ == 0) out.first_at = t;
      out.last_at = t;
      at += sizeof eh + len;
    }
  } else {
    BlockHeader b;
    for (size_t n = 0; read_block(f, n, at, b, payload, out.lost); ++n) {
      out.blocks.push_back({at, b.length, b.entries, b.first_at, b.last_at});
      if (out.entries == 0) out.first_at = b.first_at;
      out.last_at = b.last_at;
      out.entries += b.entries;
      at += kRecordBlockHeaderSize + b.length;
    }
  }
  std::fclose(f);
  out.lost_bytes = out.file_bytes - std::min(at, out.file_bytes);
  return true;
}

struct Replayer::Impl {
  Model& model;
  ReplayOptions options;
  std::string path;
  std::FILE* file = nullptr;
  std::vector<char> iobuf;
  ReplayResult res;
  std::unordered_map<uint64_t, NodeKey> nodes;  // recorded connection -> node
  uint64_t index = 0;        // entries read
  bool have_entry = false;   // an entry is read and waits until it is due
  RecordEntry kind = RecordEntry::Hello;
  uint64_t conn = 0;
  uint64_t at = 0;
  std::vector<uint8_t> payload;
  bool ticked_by_file = false;  // the file carries the collector's ticks (an export): no others
  uint64_t first_at = 0;     // recorded time of the first entry
  uint64_t origin_ns = 0;    // caller's clock at the first step
  bool started = false;
  bool finished = false;
  uint16_t version = kRecordVersion;
  std::vector<uint8_t> block;  // version 2: the block being read ...
  size_t block_pos = 0;        // ... and where in it
  size_t block_no = 0;
  uint64_t offset = kRecordFileHeaderSize;  // of the next block
  uint64_t file_bytes = 0;

  Impl(Model& m, ReplayOptions o) : model(m), options(std::move(o)) {}
  ~Impl() {
    if (file) std::fclose(file);
  }
  Replayer::State fail(std::string why) {
    res.ok = false;
    res.error = path + ": " + why;
    return finish(Replayer::State::Failed);
  }
  Replayer::State finish(Replayer::State s) {
    finished = true;
    if (file) std::fclose(file);
    file = nullptr;
    return s;
  }
  // Reads the next entry; false at the end of the file (or on error, with res set).
  bool read_entry(bool& failed) {
    failed = false;
    return version == 1 ? read_v1_entry(failed) : read_block_entry();
  }
  // Version 2: entries come out of checksummed blocks. A block that is cut short, damaged or
  // not there ends the replay where the good ones end, saying what was lost.
  bool read_block_entry() {
    while (block_pos >= block.size()) {  // the next block with entries (a file may hold empty ones)
      BlockHeader b;
      std::string bad;
      if (!read_block(file, block_no, offset, b, block, bad)) return bad.empty() ? false : lose(bad);
      offset += kRecordBlockHeaderSize + b.length;
      block_pos = 0;
      ++block_no;
    }
    if (block.size() - block_pos < kRecordEntryHeaderSize) return lose("block " + std::to_string(block_no - 1) + " ends inside an entry");
    proto::Reader r(block.data() + block_pos, kRecordEntryHeaderSize);
    kind = static_cast<RecordEntry>(r.u8());
    conn = r.u64();
    at = r.u64();
    uint32_t len = r.u32();
    block_pos += kRecordEntryHeaderSize;
    if (len > options.max_frame || len > block.size() - block_pos)
      return lose("entry " + std::to_string(index) + " claims " + bytes_text(len));
    payload.assign(block.begin() + static_cast<std::ptrdiff_t>(block_pos), block.begin() + static_cast<std::ptrdiff_t>(block_pos + len));
    block_pos += len;
    if (first_at == 0) first_at = at == 0 ? 1 : at;
    ++index;
    return true;
  }
  // The rest of the file cannot be read: the replay ends here (what came before stays), and
  // says what was lost.
  bool lose(const std::string& why) {
    res.lost = why;
    res.lost_bytes = file_bytes > offset ? file_bytes - offset : 0;
    block.clear();
    block_pos = 0;
    return false;
  }
  bool read_v1_entry(bool& failed) {
    uint8_t eh[kRecordEntryHeaderSize];
    size_t got = std::fread(eh, 1, sizeof eh, file);
    if (got == 0) return false;
    std::string where = "entry " + std::to_string(index);
    if (got != sizeof eh) {
      fail("truncated entry header at " + where);
      failed = true;
      return false;
    }
    proto::Reader r(eh, sizeof eh);
    kind = static_cast<RecordEntry>(r.u8());
    conn = r.u64();
    at = r.u64();
    uint32_t len = r.u32();
    if (len > options.max_frame) {
      fail(where + " claims " + std::to_string(len) + " bytes");
      failed = true;
      return false;
    }
    payload.resize(len);
    if (len > 0 && std::fread(payload.data(), 1, len, file) != len) {
      fail("truncated " + where);
      failed = true;
      return false;
    }
    if (first_at == 0) first_at = at == 0 ? 1 : at;
    ++index;
    return true;
  }
  // Applies the entry that was read; false when it makes the replay fail.
  bool apply(uint64_t now_ns) {
    std::string where = "entry " + std::to_string(index - 1);
    std::unique_lock<std::mutex> lock;
    if (options.model_mutex) lock = std::unique_lock<std::mutex>(*options.model_mutex);
    uint64_t stamp = options.live_clock ? now_ns : at;
    model.set_now(stamp);
    switch (kind) {
      case RecordEntry::Hello: {
        proto::Hello h;
        std::string err;
        proto::Reader pr(payload.data(), payload.size());
        if (!proto::decode(pr, h, err)) {
          fail(where + ": " + err);
          return false;
        }
        nodes[conn] = model.on_hello(conn, h);
        model.commit();
        ++res.connections;
        break;
      }
      case RecordEntry::Batch: {
        auto it = nodes.find(conn);
        if (it == nodes.end()) {
          fail(where + ": batch before its connection's hello");
          return false;
        }
        proto::DecodeResult d = model.apply_batch(it->second, payload.data(), payload.size());
        res.records += d.records;
        ++res.batches;
        if (!d.ok) {
          // The live collector closed that connection at this point; so does the replay.
          ++res.bad_batches;
          model.on_disconnect(it->second, conn);
          model.commit();
          nodes.erase(it);
        }
        break;
      }
      case RecordEntry::Disconnect: {
        auto it = nodes.find(conn);
        if (it != nodes.end()) {
          model.on_disconnect(it->second, conn);
          model.commit();
          nodes.erase(it);
        }
        break;
      }
      case RecordEntry::Counts: {
        auto it = nodes.find(conn);
        NodeCounts counts;
        if (!decode_counts(payload.data(), payload.size(), counts)) {
          fail(where + ": a malformed counts entry");
          return false;
        }
        if (it != nodes.end()) {
          model.restore_counts(it->second, counts);
          model.commit();
        }
        break;
      }
      case RecordEntry::WallClock: {
        proto::Reader pr(payload.data(), payload.size());
        const auto wall_offset = static_cast<int64_t>(pr.u64());
        if (!pr.ok()) {
          fail(where + ": a wall clock entry needs 8 bytes");
          return false;
        }
        if (History* h = model.history()) h->set_wall_offset(wall_offset);
        if (payload.size() > 8 && (payload[8] & 1)) ticked_by_file = true;
        break;
      }
      case RecordEntry::Tick:
        if (!options.live_clock) model.tick(stamp);  // else the caller ticks, as the collector does
        break;
      default:
        fail(where + " has unknown kind " + std::to_string(static_cast<unsigned>(kind)));
        return false;
    }
    if (!options.live_clock && !ticked_by_file) model.tick(stamp);
    return true;
  }
};

Replayer::Replayer(Model& model, ReplayOptions options) : impl_(std::make_unique<Impl>(model, std::move(options))) {}
Replayer::~Replayer() = default;
const ReplayResult& Replayer::result() const { return impl_->res; }
const std::string& Replayer::path() const { return impl_->path; }
const ReplayOptions& Replayer::options() const { return impl_->options; }

bool Replayer::open(const std::string& path, std::string& error) {
  Impl& m = *impl_;
  m.path = path;
  m.file = std::fopen(path.c_str(), "rb");
  if (!m.file) {
    error = path + ": cannot open: " + std::strerror(errno);
    m.res.ok = false;
    m.res.error = error;
    return false;
  }
  // Big reads: the replay is also the ingest benchmark.
  m.iobuf.resize(1 << 20);
  std::setvbuf(m.file, m.iobuf.data(), _IOFBF, m.iobuf.size());
  uint8_t fh[kRecordFileHeaderSize];
  if (std::fread(fh, 1, sizeof fh, m.file) != sizeof fh || std::memcmp(fh, kRecordMagic, sizeof kRecordMagic) != 0) {
    m.fail("not an actorscope record file (bad magic)");
    error = m.res.error;
    return false;
  }
  proto::Reader hr(fh + 8, 8);
  m.version = hr.u16();
  if (!readable_record_version(m.version)) {
    m.fail("record file version " + std::to_string(m.version) + " is not supported");
    error = m.res.error;
    return false;
  }
  struct stat st{};
  if (::fstat(::fileno(m.file), &st) == 0) m.file_bytes = static_cast<uint64_t>(st.st_size);
  return true;
}

Replayer::State Replayer::step(uint64_t now_ns, size_t max_entries, uint64_t& wait_ns) {
  Impl& m = *impl_;
  wait_ns = 0;
  if (m.finished || !m.file) return m.res.ok ? State::Done : State::Failed;
  if (!m.started) {
    m.started = true;
    m.origin_ns = now_ns;
  }
  for (size_t n = 0; n < max_entries; ++n) {
    if (m.options.stop && m.options.stop->load(std::memory_order_relaxed)) return m.finish(State::Done);
    if (!m.have_entry) {
      bool failed = false;
      if (!m.read_entry(failed)) return failed ? State::Failed : m.finish(State::Done);
      m.have_entry = true;
    }
    if (m.options.speed > 0) {
      auto offset = static_cast<uint64_t>(static_cast<double>(m.at > m.first_at ? m.at - m.first_at : 0) / m.options.speed);
      uint64_t due = m.origin_ns + offset;
      if (now_ns < due) {
        wait_ns = due - now_ns;
        return State::Waiting;
      }
    }
    m.have_entry = false;
    if (!m.apply(now_ns)) return State::Failed;
  }
  return State::Ready;
}

static uint64_t steady_ns() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
}

ReplayResult replay(const std::string& path, Model& model, const ReplayOptions& options) {
  Replayer r(model, options);
  std::string error;
  if (!r.open(path, error)) return r.result();
  for (;;) {
    uint64_t wait = 0;
    Replayer::State s = r.step(steady_ns(), SIZE_MAX, wait);
    if (s == Replayer::State::Done || s == Replayer::State::Failed) break;
    if (s == Replayer::State::Waiting) {
      // Sleep in short slices so that options.stop is seen.
      std::this_thread::sleep_for(std::chrono::nanoseconds(std::min<uint64_t>(wait, 100'000'000)));
    }
  }
  return r.result();
}

uint64_t replay_file(const std::string& path, Model& model) {
  ReplayResult r = replay(path, model);
  return r.ok ? r.records : 0;
}

}  // namespace actorscope::collector
