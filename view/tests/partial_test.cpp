// Partial data: the NodeRow's syncing addition through the viewer codec, and the note that
// says what the screen cannot show yet.
#include <gtest/gtest.h>

#include "actorscope/view/partial.hpp"
#include "actorscope/view/replica.hpp"

using namespace actorscope;
namespace pv = proto::viewer;

namespace {

struct Nodes {
  std::vector<pv::NodeRow> rows;
  template <class M>
  void on(const M&) {}
  void on(const pv::NodeRow& m) { rows.push_back(m); }
};

pv::NodeRow node(pv::NodeId id, std::string name) {
  pv::NodeRow n;
  n.node = id;
  n.name = std::move(name);
  n.connected = true;
  n.actors = 10;
  return n;
}

pv::NodeRow round_trip(const pv::NodeRow& in) {
  std::vector<uint8_t> buf;
  proto::Writer w(buf);
  pv::encode(w, in);
  Nodes got;
  auto res = pv::decode_messages(buf.data(), buf.size(), got);
  EXPECT_TRUE(res.ok) << res.error;
  return got.rows.empty() ? pv::NodeRow{} : got.rows[0];
}

void feed(view::Replica& r, const std::vector<pv::NodeRow>& nodes) {
  std::vector<uint8_t> buf;
  proto::Writer w(buf);
  pv::encode(w, pv::SnapshotBegin{1, 0, 0});
  for (const auto& n : nodes) pv::encode(w, n);
  pv::encode(w, pv::SnapshotEnd{1});
  pv::encode(w, pv::Tick{1, 1, 0});
  ASSERT_TRUE(r.apply(buf.data(), buf.size())) << r.error();
}

}  // namespace

TEST(ViewerCodec, SyncingTravelsWithAndWithoutGauges) {
  pv::NodeRow plain = node(1, "a");
  pv::NodeRow syncing = node(2, "b");
  syncing.syncing = true;
  syncing.sync_actors = 1'000'000;
  syncing.sync_described = 340'000;
  pv::NodeRow both = syncing;
  both.gauges.push_back({3, 12.5, 0});
  for (const auto* n : {&plain, &syncing, &both}) {
    pv::NodeRow back = round_trip(*n);
    EXPECT_EQ(back.syncing, n->syncing) << n->name;
    EXPECT_EQ(back.sync_actors, n->sync_actors) << n->name;
    EXPECT_EQ(back.sync_described, n->sync_described) << n->name;
    EXPECT_EQ(back.gauges, n->gauges) << n->name;
  }
  // A row that is not syncing and has no gauges is byte for byte what older collectors sent.
  std::vector<uint8_t> a, b;
  proto::Writer wa(a), wb(b);
  pv::encode(wa, plain);
  pv::encode(wb, syncing);
  EXPECT_LT(a.size(), b.size());
}

TEST(PartialNote, NamesTheFirstSyncingNodeAndCountsTheOthers) {
  view::Replica r;
  pv::NodeRow a = node(1, "a@h"), b = node(2, "b@h"), c = node(3, "c@h");
  feed(r, {a, b, c});
  EXPECT_EQ(view::partial_note(r), "");
  b.syncing = c.syncing = true;
  b.sync_actors = 1'000'000;
  b.sync_described = 340'000;
  c.sync_actors = 7;
  feed(r, {a, b, c});
  EXPECT_EQ(view::partial_note(r), "node b@h is syncing: 340k of 1.0M actors at the collector (and 1 more node), what is shown is partial");
  // A gone node's syncing flag says nothing: it is not sending anything.
  c.connected = false;
  b.syncing = false;
  feed(r, {a, b, c});
  EXPECT_EQ(view::partial_note(r), "");
}
