// The flow map view-model: edges by rate, types layered from the sources, receivers coloured
// by their backlog. Rows are built here as the collector sends them.
#include <gtest/gtest.h>

#include <map>
#include <optional>

#include "actorscope/view/detail.hpp"
#include "actorscope/view/flow.hpp"
#include "actorscope/view/synthetic.hpp"

using namespace actorscope;
namespace pv = proto::viewer;

namespace {

void feed(view::Replica& r, const std::vector<pv::FlowRow>& rows) {
  std::vector<uint8_t> buf;
  proto::Writer w(buf);
  pv::encode(w, pv::SnapshotBegin{1, 1, 0});
  pv::NodeRow n;
  n.node = 1;
  n.name = "shop@demo";
  n.connected = true;
  pv::encode(w, n);
  for (const auto& row : rows) pv::encode(w, row);
  pv::encode(w, pv::SnapshotEnd{1});
  pv::encode(w, pv::Tick{1, 0, 0});
  ASSERT_TRUE(r.apply(buf.data(), buf.size())) << r.error();
}

pv::FlowRow row(const std::string& from, const std::string& to, uint64_t rate, uint64_t to_max = 0) {
  pv::FlowRow f;
  f.node = 1;
  f.from_type = from;
  f.to_type = to;
  f.rate_x100 = rate * 100;
  f.messages = rate * 60;
  f.sample_every = 32;
  f.to_mailbox_max = to_max;
  return f;
}

}  // namespace

TEST(FlowMap, ThePipelineReadsFromItsSourceToItsSinkAndTheBacklogIsColoured) {
  view::Replica r;
  // The demo's pipeline, fed from outside any actor, with the store answering the parser (a
  // cycle must not push the parser past the store).
  feed(r, {row("", "ingest", 100), row("ingest", "parser", 990), row("parser", "aggregator", 980),
           row("aggregator", "store", 50, 18'000), row("store", "parser", 5)});
  view::FlowMap m = view::flow_map(r, 0, view::DisplayThresholds{});
  ASSERT_EQ(m.edges.size(), 5u);
  EXPECT_EQ(m.edges[0].from, "ingest");
  EXPECT_EQ(m.edges[0].to, "parser");
  EXPECT_DOUBLE_EQ(m.edges[0].rate, 990);
  EXPECT_EQ(m.edges[4].from, "store");
  EXPECT_EQ(m.sample_every, 32u);
  std::map<std::string, int> layer;
  for (const auto& t : m.types) layer[t.name] = t.layer;
  EXPECT_EQ(layer.at("(outside)"), 0);
  EXPECT_EQ(layer.at("ingest"), 1);
  EXPECT_EQ(layer.at("parser"), 2);
  EXPECT_EQ(layer.at("aggregator"), 3);
  EXPECT_EQ(layer.at("store"), 4);
  EXPECT_EQ(m.layers, 5);
  // 18 000 waiting at the store: critical by the mailbox thresholds, on its edge and its type.
  const view::FlowEdgeView* into_store = nullptr;
  for (const auto& e : m.edges)
    if (e.to == "store") into_store = &e;
  ASSERT_NE(into_store, nullptr);
  EXPECT_EQ(into_store->pressure, view::Severity::critical);
  for (const auto& t : m.types) {
    if (t.name == "store") {
      EXPECT_EQ(t.pressure, view::Severity::critical);
    } else {
      EXPECT_EQ(t.pressure, view::Severity::normal) << t.name;
    }
  }
}

TEST(FlowMap, ACycleWithNoWayInStillGetsLayers) {
  view::Replica r;
  feed(r, {row("a", "b", 10), row("b", "c", 10), row("c", "a", 10)});
  view::FlowMap m = view::flow_map(r, 0, view::DisplayThresholds{});
  ASSERT_EQ(m.types.size(), 3u);
  EXPECT_EQ(m.types[0].name, "a");
  EXPECT_EQ(m.types[0].layer, 0);
  EXPECT_EQ(m.types[1].layer, 1);
  EXPECT_EQ(m.types[2].layer, 2);
}

// The generated system (viewers' --synthetic) shows a believable pipeline: each stage passes
// on less than it gets, and the audit writer that cannot keep up is the critical receiver.
TEST(FlowMap, TheSyntheticShopsPipelineFallsFromTheListenerToTheAuditLog) {
  view::SyntheticSystem sys(view::SyntheticSettings{200, 1, 4096, 100, 7});
  for (int i = 0; i < 30; ++i) sys.tick();
  view::FlowMap m = view::flow_map(sys.replica(), 0, view::DisplayThresholds{});
  ASSERT_FALSE(m.edges.empty());
  std::map<std::pair<std::string, std::string>, const view::FlowEdgeView*> by;
  for (const auto& e : m.edges) by[{e.from, e.to}] = &e;
  const std::vector<std::pair<std::string, std::string>> chain = {
      {"(outside)", "tcp_listener"}, {"tcp_listener", "http_session"}, {"http_session", "job_queue"},
      {"job_queue", "job_scheduler"}, {"job_scheduler", "job_runner"}, {"job_runner", "audit_writer"}};
  for (size_t i = 0; i < chain.size(); ++i) {
    ASSERT_TRUE(by.count(chain[i])) << chain[i].first << " -> " << chain[i].second;
    if (i) {
      EXPECT_LT(by[chain[i]]->rate, by[chain[i - 1]]->rate) << chain[i].first << " -> " << chain[i].second;
    }
  }
  EXPECT_EQ(by[chain.back()]->pressure, view::Severity::critical);
  EXPECT_EQ(m.edges.front().to, "tcp_listener");  // what comes in is the busiest edge
  EXPECT_EQ(m.sample_every, 32u);
}

namespace {
struct SubtreeSink {
  std::optional<pv::SubtreeFlowReply> reply;
  std::optional<pv::SubtreeFlowRequest> request;
  void on(const pv::SubtreeFlowReply& m) { reply = m; }
  void on(const pv::SubtreeFlowRequest& m) { request = m; }
  template <class T>
  void on(const T&) {}
};

pv::SubtreeFlowReply sample_subtree_reply() {
  pv::SubtreeFlowReply r;
  r.request = 7;
  r.found = true;
  r.node = 1;
  r.supervisor = 10;
  r.sample_every = 32;
  r.children = 3;
  r.receivers_over_cap = 5;
  r.groups = {{pv::FlowGroupRole::Child, 11, "parsers", "parser_sup", 1200, 4, 0},
              {pv::FlowGroupRole::Child, 12, "store", "store", 0, 900, 0},
              {pv::FlowGroupRole::Outside, 0, "", "", 0, 0, 0},
              {pv::FlowGroupRole::OtherChildren, 0, "", "", 0, 0, 1}};
  r.edges = {{0, 1, 99000, 100}, {2, 0, 9900, 0}};
  return r;
}
}  // namespace

TEST(ViewerCodec, SubtreeFlowRoundTripsAndEdgesOutsideTheGroupsAreRefused) {
  const pv::SubtreeFlowReply in = sample_subtree_reply();
  std::vector<uint8_t> buf;
  proto::Writer w(buf);
  pv::encode(w, in);
  pv::encode(w, pv::SubtreeFlowRequest{8, 1, 10, 12});
  SubtreeSink sink;
  ASSERT_TRUE(pv::decode_messages(buf.data(), buf.size(), sink).ok);
  ASSERT_TRUE(sink.reply && sink.request);
  EXPECT_EQ(sink.reply->groups, in.groups);
  EXPECT_EQ(sink.reply->edges, in.edges);
  EXPECT_EQ(sink.reply->receivers_over_cap, 5u);
  EXPECT_EQ(sink.request->max_children, 12u);
  EXPECT_EQ(sink.request->supervisor, 10u);
  // An edge naming a group the reply does not hold: a malformed message, not a crash later.
  pv::SubtreeFlowReply bad = in;
  bad.groups.resize(2);
  bad.edges = {{0, 1, 1, 0}};
  std::vector<uint8_t> ok_buf;
  proto::Writer ok_w(ok_buf);
  pv::encode(ok_w, bad);
  const size_t at = ok_buf.size() - 4;  // the last edge's `to`
  ok_buf[at] = 5;
  SubtreeSink s2;
  EXPECT_FALSE(pv::decode_messages(ok_buf.data(), ok_buf.size(), s2).ok);
  EXPECT_FALSE(s2.reply.has_value());
}

TEST(FlowMap, BySubtreeTheGroupsAreNamedForWhatTheyAreAndTheNotesSayWhatIsMissing) {
  view::Replica r;
  feed(r, {});
  std::vector<uint8_t> buf;
  proto::Writer w(buf);
  pv::ActorRow sup;
  sup.node = 1;
  sup.actor = 10;
  sup.name = "pipeline";
  sup.type = "pipeline_sup";
  sup.kind = proto::ActorKind::Supervisor;
  pv::encode(w, sup);
  pv::ActorRow child = sup;
  child.actor = 11;
  child.parent = 10;
  child.name = "parsers";
  pv::encode(w, child);
  pv::encode(w, sample_subtree_reply());
  ASSERT_TRUE(r.apply(buf.data(), buf.size())) << r.error();
  const view::SubtreeFlowView v = view::subtree_flow_view(r, 1, 10, view::DisplayThresholds{});
  ASSERT_EQ(v.state, view::SubtreeFlowView::State::Shown);
  EXPECT_EQ(v.title, "flow within pipeline on shop@demo: 3 of 3 children sent or received");
  ASSERT_EQ(v.map.edges.size(), 2u);
  EXPECT_EQ(v.map.edges[0].from, "parsers");
  EXPECT_EQ(v.map.edges[0].to, "store");
  EXPECT_DOUBLE_EQ(v.map.edges[0].rate, 990);
  EXPECT_DOUBLE_EQ(v.map.edges[0].error, 1);
  EXPECT_EQ(v.map.edges[1].from, "(outside pipeline)");
  std::map<std::string, view::FlowTypeView> types;
  for (const auto& t : v.map.types) types[t.name] = t;
  ASSERT_TRUE(types.count("(1 quieter child)"));
  EXPECT_TRUE(types.at("parsers").supervisor);
  EXPECT_EQ(types.at("parsers").layer, 1) << "after the outside that sends to it";
  EXPECT_EQ(types.at("store").layer, 2);
  EXPECT_EQ(view::flow_group_caption(types.at("parsers")), "within ~12/s \xC2\xB7 deepest mailbox 4");
  ASSERT_EQ(v.notes.size(), 3u);
  EXPECT_EQ(v.notes[1], "up to " + view::flow_rate_label(1) + " of the edges' rates may be other senders' (past the kept ones)");
  EXPECT_NE(v.notes[2].find("5 sampled sends"), std::string::npos) << v.notes[2];

  // Senders the collector could not place (not in the tree when counted): a group named for
  // that, and a note saying what it holds.
  pv::SubtreeFlowReply gone = sample_subtree_reply();
  gone.groups.push_back({pv::FlowGroupRole::Unplaced, 0, "", "", 0, 0, 0});
  gone.edges.push_back({4, 1, 5000, 0});
  buf.clear();
  pv::encode(w, gone);
  ASSERT_TRUE(r.apply(buf.data(), buf.size())) << r.error();
  const view::SubtreeFlowView g = view::subtree_flow_view(r, 1, 10, view::DisplayThresholds{});
  ASSERT_EQ(g.map.edges.size(), 3u);
  EXPECT_EQ(g.map.edges[2].from, "(unknown senders)");
  EXPECT_EQ(g.map.edges[2].to, "store");
  bool said = false;
  for (const std::string& n : g.notes) said = said || n.rfind("(unknown senders): not in the tree when their sends were counted", 0) == 0;
  EXPECT_TRUE(said);
}

namespace {
struct DetailSink {
  std::optional<pv::DetailReply> reply;
  void on(const pv::DetailReply& m) { reply = m; }
  template <class T>
  void on(const T&) {}
};
}  // namespace

TEST(DetailFlow, TheSendersSayOverWhatWindowTheirRatesAreWhenTheCollectorSaysIt) {
  pv::DetailReply in;
  in.request = 3;
  in.found = true;
  in.node = 1;
  in.actor = 42;
  in.has_flow = true;
  in.sample_every = 32;
  in.senders = {{7, "ingest-1", "ingest", 99000, 0}};
  in.message_types = {{"request", 99000}};
  in.flow_window_ns = 10'000'000'000ull;
  std::vector<uint8_t> buf;
  proto::Writer w(buf);
  pv::encode(w, in);
  DetailSink sink;
  ASSERT_TRUE(pv::decode_messages(buf.data(), buf.size(), sink).ok);
  ASSERT_TRUE(sink.reply);
  EXPECT_EQ(sink.reply->flow_window_ns, 10'000'000'000ull);
  std::string handling, senders, types;
  view::flow_texts(*sink.reply, handling, senders, types);
  EXPECT_EQ(senders, "senders (sampled 1 in 32, rates over 10s): ingest-1 (ingest) ~990/s");

  // An older collector's reply ends after the flow block: it decodes, and names no window.
  ASSERT_GE(buf.size(), 3u);
  ASSERT_LT(buf[1], 0x80) << "a one-byte length, for this test to rewrite";
  std::vector<uint8_t> old(buf.begin(), buf.end() - 5);  // 10 s in ns is a 5-byte varint
  old[1] = static_cast<uint8_t>(old.size() - 2);
  DetailSink old_sink;
  ASSERT_TRUE(pv::decode_messages(old.data(), old.size(), old_sink).ok);
  ASSERT_TRUE(old_sink.reply);
  EXPECT_EQ(old_sink.reply->flow_window_ns, 0u);
  EXPECT_EQ(old_sink.reply->senders, in.senders);
  view::flow_texts(*old_sink.reply, handling, senders, types);
  EXPECT_EQ(senders, "senders (sampled 1 in 32): ingest-1 (ingest) ~990/s");
}
