// Record and replay of the ingest stream (file format in collector/README.md).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "actorscope/collector/model.hpp"

namespace actorscope::collector {

inline constexpr char kRecordMagic[8] = {'A', 'S', 'C', 'O', 'P', 'E', 'R', 'C'};
inline constexpr uint16_t kRecordVersion = 3;         // 3: WallClock, Counts and Tick entries; 2: entries in
                                                      // checksummed blocks; 2 and 1 are still read
// Whether this version of the format can be read.
inline bool readable_record_version(uint16_t v) { return v >= 1 && v <= kRecordVersion; }
inline constexpr size_t kRecordFileHeaderSize = 16;   // magic, u16 version, u16 + u32 reserved
inline constexpr size_t kRecordEntryHeaderSize = 21;  // u8 kind, u64 connection, u64 at_ns, u32 length
inline constexpr char kRecordBlockMagic[4] = {'A', 'S', 'B', 'K'};
inline constexpr size_t kRecordBlockHeaderSize = 32;  // magic, u32 length, u32 entries, u32 crc32c, u64 first_at, u64 last_at
inline constexpr size_t kRecordBlockBytes = 256 * 1024;  // a block is written once its entries reach this
                                                          // (or at flush(), once a second): a crash loses at most that

// CRC-32C (Castagnoli) of a block's entries.
uint32_t crc32c(const uint8_t* data, size_t len, uint32_t crc = 0);

// What a record file holds, read from its block headers (the index a seek or a timeline
// uses), and what could not be read: a file cut short by a crash or a bad block opens up
// to its last good block and says what was lost after it.
struct RecordBlock {
  uint64_t offset = 0;    // of its header in the file
  uint32_t length = 0;    // payload bytes
  uint32_t entries = 0;
  uint64_t first_at = 0, last_at = 0;
};
struct RecordIndex {
  uint16_t version = 0;
  std::vector<RecordBlock> blocks;  // the good ones, in file order (version 2)
  uint64_t entries = 0;
  uint64_t first_at = 0, last_at = 0;
  uint64_t file_bytes = 0;
  uint64_t lost_bytes = 0;          // after the last good block
  std::string lost;                 // why, one line ("" when nothing was lost)
};
// Reads a record file's header and block headers (checking every block's checksum).
// False with a one-line error when the file is not a record file at all.
bool read_record_index(const std::string& path, RecordIndex& out, std::string& error);

enum class RecordEntry : uint8_t {
  Hello = 1,       // payload: the encoded Hello, token removed
  Batch = 2,       // payload: a Batch frame's payload
  Disconnect = 3,  // no payload
  WallClock = 4,   // payload: i64, wall clock (Unix ns) minus the entries' clock, then an optional u8
                   // of flags (1: the file carries the collector's ticks). A recording writes one
                   // at its first tick and when the wall clock is stepped; an export starts with one
                   // (flag 1). Without any, the offset is taken from the first Hello.
  Tick = 6,        // no payload: the collector ticked its model (an export of the flight recorder: a
                   // file that starts with WallClock is ticked by these only, as the collector was)
  Counts = 5,      // payload: the collector's own counts of the connection's node (an export of the
                   // flight recorder, after the node's snapshot): encode_counts() (model.hpp)
};


// The file header (magic, version), appended to `out`.
void append_record_file_header(std::vector<uint8_t>& out);

// Builds the blocks of a record file: entries are added to the open block, which is taken
// (its header, with the checksum and time span of its entries, then the entries) once full.
class RecordBlockBuilder {
 public:
  // Adds an entry; true once the block holds kRecordBlockBytes or more (time to take it).
  bool add(RecordEntry kind, uint64_t conn, uint64_t at_ns, const uint8_t* payload, size_t len);
  bool empty() const { return entries_ == 0; }
  size_t size() const { return body_.size(); }
  // The open block's header and entries; clear() starts the next one.
  std::array<uint8_t, kRecordBlockHeaderSize> header() const;
  const std::vector<uint8_t>& body() const { return body_; }
  void clear();
  // header(), body(), clear() in one: the block appended to `out` (nothing when empty).
  void take(std::vector<uint8_t>& out);

 private:
  std::vector<uint8_t> body_;
  uint32_t entries_ = 0;
  uint64_t first_at_ = 0, last_at_ = 0;
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
  // The collector's wall clock minus the entries' clock, from `at_ns` on.
  void wall_clock(uint64_t at_ns, int64_t wall_minus_model);
  void flush();
  uint64_t write_errors() const { return write_errors_; }
  uint64_t entries() const { return entries_; }

 private:
  void entry(RecordEntry kind, uint64_t conn, uint64_t at_ns, const uint8_t* payload, size_t len);
  void write_block();
  std::FILE* file_ = nullptr;
  RecordBlockBuilder block_;  // entries not yet written
  uint64_t write_errors_ = 0;
  uint64_t entries_ = 0;
};

struct ReplayOptions {
  double speed = 0;                          // 0: as fast as possible; 1: real time; 2: twice as fast
  std::mutex* model_mutex = nullptr;         // held while applying each entry, when set
  const std::atomic<bool>* stop = nullptr;   // checked between entries, when set
  uint32_t max_frame = proto::kHardMaxFrame; // larger entries are refused as corrupt
  // false: the model's clock follows the recorded arrival times, and the replay ticks the
  // model. true: entries are stamped with the clock passed to Replayer::step() (as if
  // they arrived now) and the caller ticks the model, as a live collector does.
  bool live_clock = false;
};

struct ReplayResult {
  bool ok = true;
  std::string error;         // one line, when !ok
  uint64_t records = 0;      // records applied to the model
  uint64_t batches = 0;
  uint64_t connections = 0;  // Hello entries
  uint64_t bad_batches = 0;  // malformed batches (their connection ends there, as it did live)
  uint64_t lost_bytes = 0;   // a file cut short or a bad block: what could not be read ...
  std::string lost;          // ... and why, one line (the replay goes as far as it can)
};

// Replays a recorded file a few entries at a time, so that a caller's event loop can
// keep serving viewers and /metrics while it runs. Not thread-safe.
class Replayer {
 public:
  enum class State : uint8_t {
    Ready = 0,    // more entries are due: call step() again soon
    Waiting = 1,  // the next entry is due in `wait_ns` (speed > 0)
    Done = 2,     // the end of the file (or options.stop)
    Failed = 3,   // result().error says why; what came before stays applied
  };
  Replayer(Model& model, ReplayOptions options = {});
  ~Replayer();
  Replayer(const Replayer&) = delete;
  Replayer& operator=(const Replayer&) = delete;

  // Opens the file and checks its header. False with a one-line error.
  bool open(const std::string& path, std::string& error);
  // Applies at most max_entries entries due at `now_ns` (any monotonic clock; the first
  // call is the replay's time origin). wait_ns receives the time to the next due entry.
  State step(uint64_t now_ns, size_t max_entries, uint64_t& wait_ns);
  const ReplayResult& result() const;
  const std::string& path() const;
  const ReplayOptions& options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Reads a recorded file into the model (on the calling thread, sleeping at speed > 0).
ReplayResult replay(const std::string& path, Model& model, const ReplayOptions& options = {});
// Shorthand: replays at full speed and returns the number of records applied (0 on error).
uint64_t replay_file(const std::string& path, Model& model);

}  // namespace actorscope::collector
