// Record and replay: a file header, then framed entries (kind, connection, time, payload).
#include "actorscope/collector/record.hpp"

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

ReplayResult replay(const std::string& path, Model& model, const ReplayOptions& options) {
  ReplayResult res;
  auto fail = [&](std::string why) {
    res.ok = false;
    res.error = path + ": " + why;
    return res;
  };
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return fail(std::string("cannot open: ") + std::strerror(errno));
  struct Closer {
    std::FILE* f;
    ~Closer() { std::fclose(f); }
  } closer{f};
  // Big reads: the replay is also the ingest benchmark.
  std::vector<char> iobuf(1 << 20);
  std::setvbuf(f, iobuf.data(), _IOFBF, iobuf.size());

  uint8_t fh[kRecordFileHeaderSize];
  if (std::fread(fh, 1, sizeof fh, f) != sizeof fh || std::memcmp(fh, kRecordMagic, sizeof kRecordMagic) != 0)
    return fail("not an actorscope record file (bad magic)");
  proto::Reader hr(fh + 8, 8);
  uint16_t version = hr.u16();
  if (version != kRecordVersion) return fail("record file version " + std::to_string(version) + " is not supported");

  std::unordered_map<uint64_t, NodeKey> nodes;
  std::vector<uint8_t> payload;
  uint64_t first_at = 0;
  auto wall_start = std::chrono::steady_clock::now();
  for (uint64_t index = 0;; ++index) {
    if (options.stop && options.stop->load(std::memory_order_relaxed)) break;
    uint8_t eh[kRecordEntryHeaderSize];
    size_t got = std::fread(eh, 1, sizeof eh, f);
    if (got == 0) break;
    if (got != sizeof eh) return fail("truncated entry header at entry " + std::to_string(index));
    proto::Reader r(eh, sizeof eh);
    auto kind = static_cast<RecordEntry>(r.u8());
    uint64_t conn = r.u64();
    uint64_t at = r.u64();
    uint32_t len = r.u32();
    if (len > options.max_frame) return fail("entry " + std::to_string(index) + " claims " + std::to_string(len) + " bytes");
    payload.resize(len);
    if (len > 0 && std::fread(payload.data(), 1, len, f) != len) return fail("truncated entry " + std::to_string(index));

    if (options.speed > 0) {
      if (first_at == 0) first_at = at == 0 ? 1 : at;
      auto due = wall_start + std::chrono::nanoseconds(static_cast<int64_t>(static_cast<double>(at - first_at) / options.speed));
      std::this_thread::sleep_until(due);
    }
    std::unique_lock<std::mutex> lock;
    if (options.model_mutex) lock = std::unique_lock<std::mutex>(*options.model_mutex);
    model.set_now(at);
    switch (kind) {
      case RecordEntry::Hello: {
        proto::Hello h;
        std::string err;
        proto::Reader pr(payload.data(), payload.size());
        if (!proto::decode(pr, h, err)) return fail("entry " + std::to_string(index) + ": " + err);
        nodes[conn] = model.on_hello(conn, h);
        ++res.connections;
        break;
      }
      case RecordEntry::Batch: {
        auto it = nodes.find(conn);
        if (it == nodes.end()) return fail("entry " + std::to_string(index) + ": batch before its connection's hello");
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
        return fail("entry " + std::to_string(index) + " has unknown kind " + std::to_string(static_cast<unsigned>(kind)));
    }
    model.tick(at);
  }
  return res;
}

uint64_t replay_file(const std::string& path, Model& model) {
  ReplayResult r = replay(path, model);
  return r.ok ? r.records : 0;
}

}  // namespace actorscope::collector
