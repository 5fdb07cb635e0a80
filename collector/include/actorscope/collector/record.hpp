// Record and replay of the ingest stream (file format in collector/README.md).
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>

#include "actorscope/collector/model.hpp"

namespace actorscope::collector {

inline constexpr char kRecordMagic[8] = {'A', 'S', 'C', 'O', 'P', 'E', 'R', 'C'};
inline constexpr uint16_t kRecordVersion = 1;
inline constexpr size_t kRecordFileHeaderSize = 16;   // magic, u16 version, u16 + u32 reserved
inline constexpr size_t kRecordEntryHeaderSize = 21;  // u8 kind, u64 connection, u64 at_ns, u32 length

enum class RecordEntry : uint8_t {
  Hello = 1,       // payload: the encoded Hello, token removed
  Batch = 2,       // payload: a Batch frame's payload
  Disconnect = 3,  // no payload
};

// Appends ingest frames to a file. Not thread-safe (the loop thread owns it).
class Recorder {
 public:
  Recorder() = default;
  ~Recorder();
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // Creates or truncates the file and writes its header.
  bool open(const std::string& path, std::string& error);
  bool is_open() const { return file_ != nullptr; }
  void hello(uint64_t conn, uint64_t at_ns, const proto::Hello& hello);
  void batch(uint64_t conn, uint64_t at_ns, const uint8_t* payload, size_t len);
  void disconnect(uint64_t conn, uint64_t at_ns);
  void flush();
  uint64_t write_errors() const { return write_errors_; }
  uint64_t entries() const { return entries_; }

 private:
  void entry(RecordEntry kind, uint64_t conn, uint64_t at_ns, const uint8_t* payload, size_t len);
  std::FILE* file_ = nullptr;
  uint64_t write_errors_ = 0;
  uint64_t entries_ = 0;
};

struct ReplayOptions {
  double speed = 0;                          // 0: as fast as possible; 1: real time; 2: twice as fast
  std::mutex* model_mutex = nullptr;         // held while applying each entry, when set
  const std::atomic<bool>* stop = nullptr;   // checked between entries, when set
  uint32_t max_frame = proto::kHardMaxFrame; // larger entries are refused as corrupt
};

struct ReplayResult {
  bool ok = true;
  std::string error;         // one line, when !ok
  uint64_t records = 0;      // records applied to the model
  uint64_t batches = 0;
  uint64_t connections = 0;  // Hello entries
  uint64_t bad_batches = 0;  // malformed batches (their connection ends there, as it did live)
};

// Reads a recorded file into the model.
ReplayResult replay(const std::string& path, Model& model, const ReplayOptions& options = {});
// Shorthand: replays at full speed and returns the number of records applied (0 on error).
uint64_t replay_file(const std::string& path, Model& model);

}  // namespace actorscope::collector
