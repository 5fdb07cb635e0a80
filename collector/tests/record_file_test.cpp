// Record files (version 2): entries in checksummed blocks, an index read from the block
// headers, and a file cut short or damaged anywhere opens up to its last good block and says
// what was lost. The reference is a second model fed the same good blocks' entries directly.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "actorscope/collector/record.hpp"
#include "stream.hpp"

namespace actorscope::collector {
namespace {

using testing::Stream;
constexpr uint64_t kSec = 1'000'000'000;

struct Entry {
  RecordEntry kind;
  uint64_t at;
  std::vector<uint8_t> payload;
};

// A recording of one node: a hello, then 40 batches of 3 spawns each, a block written
// after every 2 batches (flush), then a disconnect. `blocks[i]` are block i's entries.
struct Recording {
  std::string path;
  std::vector<std::vector<Entry>> blocks;
  Recording() {
    path = (std::filesystem::temp_directory_path() / ("record-" + std::to_string(::getpid()) + ".rec")).string();
    Recorder rec;
    std::string err;
    EXPECT_TRUE(rec.open(path, err)) << err;
    std::vector<Entry> block;
    proto::Hello h = testing::hello("recorded");
    rec.hello(1, kSec, h);
    {
      std::vector<uint8_t> p;
      proto::Writer w(p);
      proto::encode(w, h);
      block.push_back({RecordEntry::Hello, kSec, p});
    }
    Stream s;
    uint64_t id = 1;
    for (int b = 0; b < 40; ++b) {
      for (int k = 0; k < 3; ++k, ++id) s.spawn(id, 0, "w" + std::to_string(b % 5));
      std::vector<uint8_t> batch = s.take();
      uint64_t at = kSec + static_cast<uint64_t>(b + 1) * 1000;
      rec.batch(1, at, batch.data(), batch.size());
      block.push_back({RecordEntry::Batch, at, batch});
      if (b % 2 == 1) {
        rec.flush();
        blocks.push_back(std::move(block));
        block.clear();
      }
    }
    rec.disconnect(1, kSec + 50'000);
    block.push_back({RecordEntry::Disconnect, kSec + 50'000, {}});
    rec.flush();
    blocks.push_back(std::move(block));
  }
  ~Recording() { std::filesystem::remove(path); }
};

// What a model holds after the first `n` blocks' entries, applied directly.
struct Reference {
  Model m;
  uint64_t records = 0;
  Reference(const Recording& r, size_t n) {
    NodeKey node = 0;
    for (size_t b = 0; b < n && b < r.blocks.size(); ++b)
      for (const Entry& e : r.blocks[b]) {
        m.set_now(e.at);
        if (e.kind == RecordEntry::Hello) {
          proto::Hello h;
          std::string err;
          proto::Reader rd(e.payload.data(), e.payload.size());
          EXPECT_TRUE(proto::decode(rd, h, err));
          node = m.on_hello(1, h);
        } else if (e.kind == RecordEntry::Batch) {
          records += m.apply_batch(node, e.payload.data(), e.payload.size()).records;
        } else {
          m.on_disconnect(node, 1);
        }
        m.commit();
        m.tick(e.at);
      }
  }
};

std::vector<uint8_t> file_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {});
}
void write_bytes(const std::string& path, const std::vector<uint8_t>& b, size_t n) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(n));
}

// The model after a replay equals the reference: every actor, the same counts.
void expect_same(const Model& got, const Model& want) {
  EXPECT_EQ(got.stats().live_actors, want.stats().live_actors);
  EXPECT_EQ(got.stats().records_applied, want.stats().records_applied);
  for (NodeKey k : want.node_keys()) {
    ASSERT_NE(got.node(k), nullptr);
    EXPECT_EQ(got.node(k)->state, want.node(k)->state);
    want.for_each_actor(k, [&](const Actor& a) {
      const Actor* b = got.actor(k, a.id);
      ASSERT_NE(b, nullptr) << "actor " << a.id;
      EXPECT_EQ(got.text(b->name), want.text(a.name));
    });
  }
}

TEST(RecordFile, AWholeFileIsIndexedByItsBlocksAndReplaysEverything) {
  Recording r;
  RecordIndex idx;
  std::string err;
  ASSERT_TRUE(read_record_index(r.path, idx, err)) << err;
  EXPECT_EQ(idx.version, kRecordVersion);
  ASSERT_EQ(idx.blocks.size(), r.blocks.size());
  EXPECT_EQ(idx.entries, 42u);
  EXPECT_EQ(idx.first_at, kSec);
  EXPECT_EQ(idx.last_at, kSec + 50'000);
  EXPECT_EQ(idx.blocks[1].first_at, kSec + 3000);
  EXPECT_EQ(idx.blocks[1].last_at, kSec + 4000);
  EXPECT_EQ(idx.lost_bytes, 0u);
  EXPECT_TRUE(idx.lost.empty());
  Model m;
  ReplayResult res = replay(r.path, m);
  ASSERT_TRUE(res.ok) << res.error;
  EXPECT_TRUE(res.lost.empty());
  Reference ref(r, r.blocks.size());
  EXPECT_EQ(res.records, ref.records);
  expect_same(m, ref.m);
}

// Cut anywhere (a crash while writing): the file opens, the replay applies every block before
// the cut and nothing of the torn one, and both the index and the replay say what was lost.
TEST(RecordFile, AFileCutAnywhereOpensUpToItsLastGoodBlockAndSaysWhatWasLost) {
  Recording r;
  const std::vector<uint8_t> whole = file_bytes(r.path);
  RecordIndex full;
  std::string err;
  ASSERT_TRUE(read_record_index(r.path, full, err)) << err;
  const std::string cut_path = r.path + ".cut";
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 40; ++trial) {
    const size_t cut = kRecordFileHeaderSize + rng() % (whole.size() - kRecordFileHeaderSize);
    write_bytes(cut_path, whole, cut);
    size_t good = 0;
    uint64_t good_end = kRecordFileHeaderSize;
    for (const RecordBlock& b : full.blocks)
      if (b.offset + kRecordBlockHeaderSize + b.length <= cut) ++good, good_end = b.offset + kRecordBlockHeaderSize + b.length;
    RecordIndex idx;
    ASSERT_TRUE(read_record_index(cut_path, idx, err)) << err;
    EXPECT_EQ(idx.blocks.size(), good) << "cut at " << cut;
    EXPECT_EQ(idx.lost_bytes, cut - good_end) << "cut at " << cut;
    EXPECT_EQ(idx.lost.empty(), cut == good_end) << idx.lost;
    Model m;
    ReplayResult res = replay(cut_path, m);
    ASSERT_TRUE(res.ok) << res.error << " (a cut file is read as far as it is good, not refused)";
    EXPECT_EQ(res.lost_bytes, cut - good_end);
    EXPECT_EQ(res.lost, idx.lost);
    Reference ref(r, good);
    EXPECT_EQ(res.records, ref.records) << "cut at " << cut;
    expect_same(m, ref.m);
  }
  std::filesystem::remove(cut_path);
}

// One flipped byte inside a block: its checksum fails, the replay stops before it.
TEST(RecordFile, ADamagedBlockStopsTheReplayBeforeIt) {
  Recording r;
  RecordIndex full;
  std::string err;
  ASSERT_TRUE(read_record_index(r.path, full, err)) << err;
  std::vector<uint8_t> bytes = file_bytes(r.path);
  const RecordBlock& b = full.blocks[7];
  bytes[b.offset + kRecordBlockHeaderSize + b.length / 2] ^= 0x40;
  write_bytes(r.path, bytes, bytes.size());
  RecordIndex idx;
  ASSERT_TRUE(read_record_index(r.path, idx, err)) << err;
  EXPECT_EQ(idx.blocks.size(), 7u);
  EXPECT_NE(idx.lost.find("block 7"), std::string::npos) << idx.lost;
  EXPECT_NE(idx.lost.find("checksum"), std::string::npos) << idx.lost;
  EXPECT_EQ(idx.lost_bytes, bytes.size() - b.offset);
  Model m;
  ReplayResult res = replay(r.path, m);
  ASSERT_TRUE(res.ok) << res.error;
  EXPECT_EQ(res.lost, idx.lost);
  Reference ref(r, 7);
  expect_same(m, ref.m);
}

// Not a record file, or a version to come: one line, nothing applied.
TEST(RecordFile, AFileThatIsNotARecordingIsRefusedInOneLine) {
  const std::string path = (std::filesystem::temp_directory_path() / ("not-" + std::to_string(::getpid()) + ".rec")).string();
  write_bytes(path, std::vector<uint8_t>(64, 'x'), 64);
  RecordIndex idx;
  std::string err;
  EXPECT_FALSE(read_record_index(path, idx, err));
  EXPECT_NE(err.find("not an actorscope record file"), std::string::npos) << err;
  EXPECT_EQ(err.find('\n'), std::string::npos);
  std::vector<uint8_t> future(kRecordFileHeaderSize, 0);
  std::memcpy(future.data(), kRecordMagic, sizeof kRecordMagic);
  future[8] = 9;  // version 9
  write_bytes(path, future, future.size());
  EXPECT_FALSE(read_record_index(path, idx, err));
  EXPECT_NE(err.find("version 9"), std::string::npos) << err;
  Model m;
  EXPECT_FALSE(replay(path, m).ok);
  EXPECT_EQ(m.stats().records_applied, 0u);
  std::filesystem::remove(path);
}

// A version 1 file (entries without blocks) still replays.
TEST(RecordFile, AVersionOneFileStillReplays) {
  const std::string path = (std::filesystem::temp_directory_path() / ("v1-" + std::to_string(::getpid()) + ".rec")).string();
  std::vector<uint8_t> f;
  proto::Writer w(f);
  w.bytes(kRecordMagic, sizeof kRecordMagic);
  w.u16(1);
  w.u16(0);
  w.u32(0);
  auto entry = [&](RecordEntry kind, uint64_t at, const std::vector<uint8_t>& p) {
    w.u8(static_cast<uint8_t>(kind));
    w.u64(3);
    w.u64(at);
    w.u32(static_cast<uint32_t>(p.size()));
    if (!p.empty()) w.bytes(p.data(), p.size());
  };
  std::vector<uint8_t> hello;
  proto::Writer hw(hello);
  proto::encode(hw, testing::hello("old-file"));
  entry(RecordEntry::Hello, kSec, hello);
  Stream s;
  s.spawn(1, 0, "w").spawn(2, 0, "w");
  entry(RecordEntry::Batch, kSec + 1, s.take());
  write_bytes(path, f, f.size());
  RecordIndex idx;
  std::string err;
  ASSERT_TRUE(read_record_index(path, idx, err)) << err;
  EXPECT_EQ(idx.version, 1u);
  EXPECT_EQ(idx.entries, 2u);
  Model m;
  ReplayResult res = replay(path, m);
  ASSERT_TRUE(res.ok) << res.error;
  EXPECT_EQ(m.stats().live_actors, 2u);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace actorscope::collector
