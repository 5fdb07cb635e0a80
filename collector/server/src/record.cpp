// Record and replay: a file header, then framed entries (kind, connection, time, payload).
#include "actorscope/collector/record.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <thread>
#include <unordered_map>
#include <vector>

#include "actorscope/protocol/codec.hpp"

namespace actorscope::collector {

Recorder::~Recorder() {
  if (file_) std::fclose(file_);
}

bool Recorder::open(const std::string& path, std::string& error) {
  file_ = std::fopen(path.c_str(), "wb");
  if (!file_) {
    error = "cannot write record file " + path + ": " + std::strerror(errno);
    return false;
  }
  std::vector<uint8_t> h;
  proto::Writer w(h);
  w.bytes(kRecordMagic, sizeof kRecordMagic);
  w.u16(kRecordVersion);
  w.u16(0);
  w.u32(0);
  if (std::fwrite(h.data(), 1, h.size(), file_) != h.size()) {
    error = "cannot write record file " + path + ": " + std::strerror(errno);
    std::fclose(file_);
    file_ = nullptr;
    return false;
  }
  return true;
}

void Recorder::entry(RecordEntry kind, uint64_t conn, uint64_t at_ns, const uint8_t* payload, size_t len) {
  if (!file_) return;
  uint8_t h[kRecordEntryHeaderSize];
  std::vector<uint8_t> buf;
  proto::Writer w(buf);
  w.u8(static_cast<uint8_t>(kind));
  w.u64(conn);
  w.u64(at_ns);
  w.u32(static_cast<uint32_t>(len));
  std::memcpy(h, buf.data(), sizeof h);
  bool ok = std::fwrite(h, 1, sizeof h, file_) == sizeof h;
  if (ok && len > 0) ok = std::fwrite(payload, 1, len, file_) == len;
  if (!ok) ++write_errors_;
  ++entries_;
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

void Recorder::flush() {
  if (file_ && std::fflush(file_) != 0) ++write_errors_;
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
  uint64_t first_at = 0;     // recorded time of the first entry
  uint64_t origin_ns = 0;    // caller's clock at the first step
  bool started = false;
  bool finished = false;

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
      default:
        fail(where + " has unknown kind " + std::to_string(static_cast<unsigned>(kind)));
        return false;
    }
    if (!options.live_clock) model.tick(stamp);
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
  uint16_t version = hr.u16();
  if (version != kRecordVersion) {
    m.fail("record file version " + std::to_string(version) + " is not supported");
    error = m.res.error;
    return false;
  }
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
