// An edge's rate history: the viewer's own record of the flow rows it was sent, one point
// per edge per step, bounded per edge and in edges, kept a while for an edge that went away.
#include <gtest/gtest.h>

#include "actorscope/view/flow.hpp"

using namespace actorscope;
namespace pv = proto::viewer;

namespace {

constexpr uint64_t kSecond = 1'000'000'000;
constexpr uint64_t kT0 = 1'700'000'000 * kSecond;  // a wall clock, as the collector's ticks carry

pv::FlowRow row(pv::NodeId node, const std::string& from, const std::string& to, double rate) {
  pv::FlowRow f;
  f.node = node;
  f.from_type = from;
  f.to_type = to;
  f.rate_x100 = static_cast<uint64_t>(rate * 100);
  f.sample_every = 32;
  return f;
}

// Two nodes, as a collector's snapshot makes them.
view::Replica replica() {
  std::vector<uint8_t> buf;
  proto::Writer w(buf);
  pv::encode(w, pv::SnapshotBegin{1, 2, 0});
  for (pv::NodeId id : {1u, 2u}) {
    pv::NodeRow n;
    n.node = id;
    n.name = id == 1 ? "shop@demo" : "billing@db";
    n.connected = true;
    pv::encode(w, n);
  }
  pv::encode(w, pv::SnapshotEnd{1});
  view::Replica r;
  EXPECT_TRUE(r.apply(buf.data(), buf.size())) << r.error();
  return r;
}

// One delta: rows upserted, then the tick that closes it at `wall_ns`.
void tick(view::Replica& r, uint64_t seq, uint64_t wall_ns, const std::vector<pv::FlowRow>& rows) {
  std::vector<uint8_t> buf;
  proto::Writer w(buf);
  for (const auto& f : rows) pv::encode(w, f);
  pv::encode(w, pv::Tick{seq, wall_ns, 0});
  ASSERT_TRUE(r.apply(buf.data(), buf.size())) << r.error();
}

const view::Replica::FlowKey kIngestParser{1, "ingest", "parser"};

}  // namespace

TEST(FlowHistory, RowsFedAtKnownTimesComeBackAsPointsOldestFirst) {
  view::Replica r = replica();
  view::FlowHistory h;
  tick(r, 1, kT0, {row(1, "ingest", "parser", 990), row(1, "", "ingest", 1000)});
  EXPECT_TRUE(h.update(r));
  // A tick within the step adds nothing (ticks come at up to 10 Hz, rows once a second).
  tick(r, 2, kT0 + kSecond / 10, {row(1, "ingest", "parser", 5)});
  EXPECT_FALSE(h.update(r));
  tick(r, 3, kT0 + kSecond, {row(1, "ingest", "parser", 500)});
  EXPECT_TRUE(h.update(r));
  tick(r, 4, kT0 + 2 * kSecond, {});  // no new row: the rate stands, and is a point
  EXPECT_TRUE(h.update(r));
  const auto* p = h.points(kIngestParser);
  ASSERT_NE(p, nullptr);
  ASSERT_EQ(p->size(), 3u);
  EXPECT_EQ((*p)[0].wall_ns, kT0);
  EXPECT_DOUBLE_EQ((*p)[0].rate, 990);
  EXPECT_EQ((*p)[1].wall_ns, kT0 + kSecond);
  EXPECT_DOUBLE_EQ((*p)[1].rate, 500);
  EXPECT_DOUBLE_EQ((*p)[2].rate, 500);
  EXPECT_EQ(h.first_ns(), kT0);

  const view::FlowEdgeHistory e = view::flow_edge_history(h, r, kIngestParser);
  EXPECT_TRUE(e.known);
  EXPECT_FALSE(e.gone);
  EXPECT_EQ(e.rates, (std::vector<double>{990, 500, 500}));
  EXPECT_EQ(e.title, "ingest \xE2\x86\x92 parser on shop@demo: ~500/s now");
  EXPECT_NE(e.scope.find("since this viewer connected"), std::string::npos) << e.scope;
  EXPECT_NE(e.range.find("~500/s .. ~990/s"), std::string::npos) << e.range;
  // The sends from outside any actor are named as on the map.
  EXPECT_EQ(view::flow_edge_history(h, r, {1, "", "ingest"}).title.rfind("(outside) \xE2\x86\x92 ingest", 0), 0u);
  // Nothing is recorded before the first tick's time is known.
  view::FlowHistory none;
  EXPECT_FALSE(none.record(r, 0));
  EXPECT_FALSE(view::flow_edge_history(none, r, kIngestParser).known);
}

TEST(FlowHistory, EachEdgeKeepsAtMostItsPointsAndEdgesBeyondTheCapAreCounted) {
  view::Replica r = replica();
  view::FlowHistory h(view::FlowHistorySettings{5, kSecond, 2});
  for (uint64_t i = 0; i < 12; ++i) {
    tick(r, i + 1, kT0 + i * kSecond,
         {row(1, "ingest", "parser", 100.0 + static_cast<double>(i)), row(1, "parser", "store", 10), row(1, "store", "audit", 1)});
    ASSERT_TRUE(h.update(r));
  }
  const auto* p = h.points(kIngestParser);
  ASSERT_NE(p, nullptr);
  ASSERT_EQ(p->size(), 5u);  // the newest five
  EXPECT_DOUBLE_EQ(p->front().rate, 107);
  EXPECT_DOUBLE_EQ(p->back().rate, 111);
  EXPECT_EQ(p->back().wall_ns, kT0 + 11 * kSecond);
  // Two edges followed; the third (by key order: "store" after "parser") never was, and is counted at each record.
  EXPECT_EQ(h.edges(0).size(), 2u);
  EXPECT_EQ(h.points({1, "store", "audit"}), nullptr);
  EXPECT_EQ(h.not_followed(), 12u);
}

TEST(FlowHistory, ANodeFilterKeepsThatNodesEdges) {
  view::Replica r = replica();
  view::FlowHistory h;
  tick(r, 1, kT0, {row(1, "ingest", "parser", 990), row(2, "ledger", "db", 40), row(2, "", "ledger", 41)});
  ASSERT_TRUE(h.update(r));
  EXPECT_EQ(h.edges(0).size(), 3u);
  const auto billing = h.edges(2);
  ASSERT_EQ(billing.size(), 2u);
  for (const auto& k : billing) EXPECT_EQ(std::get<0>(k), 2u);
  ASSERT_EQ(h.edges(1).size(), 1u);
  EXPECT_EQ(h.edges(1).front(), kIngestParser);
  EXPECT_NE(view::flow_edge_history(h, r, {2, "ledger", "db"}).title.find("on billing@db"), std::string::npos);
}

TEST(FlowHistory, AnEdgeWhoseNodeWentAwayKeepsItsPointsThenIsForgotten) {
  view::Replica r = replica();
  view::FlowHistory h(view::FlowHistorySettings{10, kSecond, 100});
  tick(r, 1, kT0, {row(1, "ingest", "parser", 990), row(2, "ledger", "db", 40)});
  ASSERT_TRUE(h.update(r));
  {
    std::vector<uint8_t> buf;
    proto::Writer w(buf);
    pv::encode(w, pv::NodeRemoved{2});
    pv::encode(w, pv::Tick{2, kT0 + kSecond, 0});
    ASSERT_TRUE(r.apply(buf.data(), buf.size())) << r.error();
  }
  ASSERT_TRUE(h.update(r));
  const view::Replica::FlowKey ledger{2, "ledger", "db"};
  ASSERT_NE(h.points(ledger), nullptr);
  EXPECT_EQ(h.points(ledger)->size(), 1u);  // no point while it is gone
  EXPECT_FALSE(h.present(ledger));
  EXPECT_TRUE(h.present(kIngestParser));
  const view::FlowEdgeHistory e = view::flow_edge_history(h, r, ledger);
  EXPECT_TRUE(e.gone);
  EXPECT_NE(e.title.find("no longer sent"), std::string::npos) << e.title;
  // Once its newest point is older than the window (10 points a second apart), it goes.
  tick(r, 3, kT0 + 9 * kSecond, {});
  ASSERT_TRUE(h.update(r));
  EXPECT_NE(h.points(ledger), nullptr);
  tick(r, 4, kT0 + 10 * kSecond, {});
  ASSERT_TRUE(h.update(r));
  EXPECT_EQ(h.points(ledger), nullptr);
  EXPECT_EQ(h.edges(0).size(), 1u);
  EXPECT_EQ(h.points(kIngestParser)->size(), 4u);
}
