// The flow map view-model: edges from the replica's flow rows, types layered by the longest
// path from a source (a back edge of a cycle does not push a type further).
#include "actorscope/view/flow.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "actorscope/view/format.hpp"

namespace actorscope::view {

namespace {
using TypeKey = std::pair<NodeId, std::string>;
void lay_out(FlowMap& out, std::map<TypeKey, FlowTypeView>& types, const std::map<TypeKey, std::vector<TypeKey>>& next);
}  // namespace

std::string flow_type_name(const std::string& type) { return type.empty() ? std::string("(outside)") : type; }

std::string flow_summary(const FlowMap& m) {
  std::string out = "estimated from sampled sends (1 in " + std::to_string(m.sample_every) + ")";
  // One node's order (the first shown): its types layer by layer.
  if (m.types.empty()) return out;
  NodeId node = m.types.front().node;
  out += " \xC2\xB7 ";
  int layer = -1;
  for (const FlowTypeView& t : m.types) {
    if (t.node != node) break;
    if (t.layer != layer) out += layer < 0 ? "" : " \xE2\x86\x92 ";
    else out += " | ";
    layer = t.layer;
    out += t.name;
  }
  return out;
}

std::string flow_type_caption(const FlowTypeView& t) {
  if (t.in_rate <= 0 && t.mailbox_max == 0) return "sends only";
  return "deepest mailbox " + format_count(t.mailbox_max);
}

std::string flow_rate_label(double rate) { return "~" + format_rate(rate); }

bool FlowHistory::record(const Replica& replica, uint64_t wall_ns) {
  if (wall_ns == 0) return false;
  if (last_ns_ != 0 && wall_ns < last_ns_ + settings_.step_ns) return false;
  last_ns_ = wall_ns;
  if (first_ns_ == 0) first_ns_ = wall_ns;
  for (auto& [key, e] : edges_) e.present = false;
  for (const auto& [key, row] : replica.flow()) {
    auto it = edges_.find(key);
    if (it == edges_.end()) {
      if (edges_.size() >= settings_.max_edges) {
        ++not_followed_;
        continue;
      }
      it = edges_.emplace(key, Edge{}).first;
    }
    it->second.present = true;
    it->second.points.push_back({wall_ns, static_cast<double>(row.rate_x100) / 100.0});
    while (it->second.points.size() > std::max<size_t>(settings_.points, 1)) it->second.points.pop_front();
  }
  // An edge gone from the replica is kept while its points are in the window.
  const uint64_t window = settings_.step_ns * std::max<size_t>(settings_.points, 1);
  std::erase_if(edges_, [&](const auto& kv) {
    const Edge& e = kv.second;
    return !e.present && (e.points.empty() || e.points.back().wall_ns + window <= wall_ns);
  });
  return true;
}

const std::deque<FlowPoint>* FlowHistory::points(const Replica::FlowKey& edge) const {
  auto it = edges_.find(edge);
  return it == edges_.end() ? nullptr : &it->second.points;
}

bool FlowHistory::present(const Replica::FlowKey& edge) const {
  auto it = edges_.find(edge);
  return it != edges_.end() && it->second.present;
}

std::vector<Replica::FlowKey> FlowHistory::edges(NodeId node) const {
  std::vector<Replica::FlowKey> out;
  for (const auto& [key, e] : edges_)
    if (node == 0 || std::get<0>(key) == node) out.push_back(key);
  return out;
}

FlowEdgeHistory flow_edge_history(const FlowHistory& history, const Replica& replica, const Replica::FlowKey& edge) {
  FlowEdgeHistory out;
  const auto& [node, from, to] = edge;
  out.title = flow_type_name(from) + " \xE2\x86\x92 " + flow_type_name(to);
  if (const pv::NodeRow* n = replica.node(node)) out.title += " on " + n->name;
  const FlowHistorySettings& s = history.settings();
  out.step_s = static_cast<float>(static_cast<double>(s.step_ns) / 1e9);
  out.scope = "since this viewer connected (its own record): 1 point / " + format_duration_ns(s.step_ns) + ", last " +
              std::to_string(s.points) + " kept";
  const std::deque<FlowPoint>* points = history.points(edge);
  if (!points || points->empty()) {
    out.range = "no point yet";
    return out;
  }
  out.known = true;
  out.gone = !history.present(edge);
  double lo = points->front().rate, hi = lo;
  for (const FlowPoint& p : *points) {
    out.rates.push_back(p.rate);
    out.wall_ns.push_back(p.wall_ns);
    lo = std::min(lo, p.rate);
    hi = std::max(hi, p.rate);
  }
  out.title += out.gone ? ": no longer sent (last " + flow_rate_label(points->back().rate) + ")"
                        : ": " + flow_rate_label(points->back().rate) + " now";
  out.range = flow_rate_label(lo) + " .. " + flow_rate_label(hi) + " over " +
              std::to_string(points->size()) + (points->size() == 1 ? " point" : " points") + " (" +
              format_duration_ns(points->back().wall_ns - points->front().wall_ns) + ")";
  return out;
}

FlowMap flow_map(const Replica& replica, NodeId node, const DisplayThresholds& thresholds) {
  FlowMap out;
  std::map<TypeKey, FlowTypeView> types;
  std::map<TypeKey, std::vector<TypeKey>> next;
  for (const auto& [key, row] : replica.flow()) {
    if (node != 0 && row.node != node) continue;
    FlowEdgeView e;
    e.key = key;
    e.node = row.node;
    e.from = flow_type_name(row.from_type);
    e.to = flow_type_name(row.to_type);
    e.rate = static_cast<double>(row.rate_x100) / 100.0;
    e.messages = row.messages;
    e.to_mailbox_max = row.to_mailbox_max;
    e.pressure = mailbox_severity(row.to_mailbox_max, thresholds);
    out.sample_every = std::max(out.sample_every, row.sample_every);
    FlowTypeView& from = types[{row.node, e.from}];
    from.node = row.node;
    from.name = e.from;
    from.out_rate += e.rate;
    FlowTypeView& to = types[{row.node, e.to}];
    to.node = row.node;
    to.name = e.to;
    to.in_rate += e.rate;
    to.mailbox_max = std::max(to.mailbox_max, row.to_mailbox_max);
    to.pressure = mailbox_severity(to.mailbox_max, thresholds);
    if (e.from != e.to) next[{row.node, e.from}].push_back({row.node, e.to});
    out.edges.push_back(std::move(e));
  }
  lay_out(out, types, next);
  return out;
}

namespace {

// Sorts the edges (busiest first) and places the map's nodes in layers.
void lay_out(FlowMap& out, std::map<TypeKey, FlowTypeView>& types, const std::map<TypeKey, std::vector<TypeKey>>& next) {
  std::stable_sort(out.edges.begin(), out.edges.end(), [](const FlowEdgeView& a, const FlowEdgeView& b) {
    if (a.rate != b.rate) return a.rate > b.rate;
    if (a.node != b.node) return a.node < b.node;
    return a.from != b.from ? a.from < b.from : a.to < b.to;
  });
  // Layers: the longest path from a source, over the edges left once one depth-first walk
  // (sources first) has set aside the edges that close a cycle. Linear in types and edges,
  // whatever names a peer sends.
  std::set<TypeKey> has_in;
  for (const auto& [from, tos] : next)
    for (const TypeKey& to : tos) has_in.insert(to);
  std::map<TypeKey, int> state;  // 1: on the walk's path, 2: done
  std::set<std::pair<TypeKey, TypeKey>> back;
  std::function<void(const TypeKey&)> visit = [&](const TypeKey& t) {
    state[t] = 1;
    if (auto n = next.find(t); n != next.end())
      for (const TypeKey& to : n->second) {
        int st = state[to];
        if (st == 1) back.insert({t, to});
        else if (st == 0) visit(to);
      }
    state[t] = 2;
  };
  for (const auto& [key, t] : types)
    if (!has_in.count(key) && state[key] == 0) visit(key);
  for (const auto& [key, t] : types)
    if (state[key] == 0) visit(key);
  std::map<TypeKey, int> indegree, layer;
  for (const auto& [from, tos] : next)
    for (const TypeKey& to : tos)
      if (!back.count({from, to})) ++indegree[to];
  std::vector<TypeKey> ready;
  for (const auto& [key, t] : types)
    if (indegree[key] == 0) ready.push_back(key);
  while (!ready.empty()) {
    TypeKey t = ready.back();
    ready.pop_back();
    if (auto n = next.find(t); n != next.end())
      for (const TypeKey& to : n->second) {
        if (back.count({t, to})) continue;
        layer[to] = std::max(layer[to], layer[t] + 1);
        if (--indegree[to] == 0) ready.push_back(to);
      }
  }
  for (auto& [key, t] : types) {
    t.layer = layer[key];
    out.layers = std::max(out.layers, t.layer + 1);
    out.types.push_back(t);
  }
  std::stable_sort(out.types.begin(), out.types.end(), [](const FlowTypeView& a, const FlowTypeView& b) {
    if (a.node != b.node) return a.node < b.node;
    return a.layer != b.layer ? a.layer < b.layer : a.name < b.name;
  });
}

}  // namespace

uint64_t subtree_flow_root(const Replica& replica, NodeId node, uint64_t actor) {
  const Actor* a = replica.actor({node, actor});
  if (!a) return 0;
  return a->is_supervisor() ? actor : a->row.parent;
}

std::string flow_group_caption(const FlowTypeView& t) {
  std::string out;
  if (t.internal_rate > 0) out = "within " + flow_rate_label(t.internal_rate);
  if (t.mailbox_max > 0 || t.in_rate > 0) out += (out.empty() ? "" : " \xC2\xB7 ") + ("deepest mailbox " + format_count(t.mailbox_max));
  return out.empty() ? "sends only" : out;
}

SubtreeFlowView subtree_flow_view(const Replica& replica, NodeId node, uint64_t supervisor, const DisplayThresholds& thresholds) {
  SubtreeFlowView out;
  out.node = node;
  out.supervisor = supervisor;
  const Actor* sup = replica.actor({node, supervisor});
  const std::string sup_name = sup ? (sup->row.name.empty() ? sup->row.child_id.empty() ? sup->row.type : sup->row.child_id : sup->row.name)
                                   : "actor " + std::to_string(supervisor);
  if (sup) out.parent = sup->row.parent;
  const pv::NodeRow* n = replica.node(node);
  out.title = "flow within " + sup_name + (n ? " on " + n->name : std::string());
  const auto& reply = replica.subtree_flow();
  if (!reply || reply->node != node || reply->supervisor != supervisor) {
    out.notes.push_back("asking the collector (a collector older than this viewer does not answer)");
    return out;
  }
  if (!reply->found) {
    out.state = SubtreeFlowView::State::NotFound;
    out.notes.push_back(sup_name + " is not a live actor of this node");
    return out;
  }
  if (reply->sample_every == 0) {
    out.state = SubtreeFlowView::State::NoFlow;
    out.notes.push_back(kNoFlow[0]);
    out.notes.push_back(kNoFlow[1]);
    return out;
  }
  out.state = SubtreeFlowView::State::Shown;
  FlowMap& m = out.map;
  m.sample_every = reply->sample_every;
  // Each group's name on the map: unique, and saying what the group is.
  std::vector<std::string> names;
  std::map<std::string, int> seen;
  size_t with_flow = 0;
  bool unplaced = false;
  for (const pv::FlowGroupRow& g : reply->groups) {
    std::string name;
    switch (g.role) {
      case pv::FlowGroupRole::Child: name = g.name.empty() ? g.type : g.name; ++with_flow; break;
      case pv::FlowGroupRole::Supervisor: name = sup_name + " (itself)"; break;
      case pv::FlowGroupRole::Outside: name = "(outside " + sup_name + ")"; break;
      case pv::FlowGroupRole::Unplaced: name = "(unknown senders)"; unplaced = true; break;
      case pv::FlowGroupRole::OtherChildren:
        name = "(" + std::to_string(g.children) + " quieter " + (g.children == 1 ? "child" : "children") + ")";
        with_flow += g.children;
        break;
    }
    if (seen[name]++ > 0) name += " #" + std::to_string(g.actor);
    names.push_back(name);
  }
  std::map<TypeKey, FlowTypeView> types;
  std::map<TypeKey, std::vector<TypeKey>> next;
  for (size_t i = 0; i < reply->groups.size(); ++i) {
    const pv::FlowGroupRow& g = reply->groups[i];
    FlowTypeView& t = types[{node, names[i]}];
    t.node = node;
    t.name = names[i];
    t.actor = g.actor;
    t.internal_rate = static_cast<double>(g.internal_x100) / 100.0;
    t.mailbox_max = g.mailbox_max;
    t.pressure = mailbox_severity(g.mailbox_max, thresholds);
    if (g.role == pv::FlowGroupRole::Supervisor) t.supervisor = true;
    if (const Actor* a = g.role == pv::FlowGroupRole::Child ? replica.actor({node, g.actor}) : nullptr) t.supervisor = a->is_supervisor();
  }
  double error = 0;
  for (const pv::FlowGroupEdgeRow& r : reply->edges) {
    FlowEdgeView e;
    e.node = node;
    e.from = names[r.from];
    e.to = names[r.to];
    e.key = {node, e.from, e.to};
    e.rate = static_cast<double>(r.rate_x100) / 100.0;
    e.error = static_cast<double>(r.error_x100) / 100.0;
    error += e.error;
    FlowTypeView& to = types[{node, e.to}];
    e.to_mailbox_max = to.mailbox_max;
    e.pressure = to.pressure;
    to.in_rate += e.rate;
    types[{node, e.from}].out_rate += e.rate;
    next[{node, e.from}].push_back({node, e.to});
    m.edges.push_back(std::move(e));
  }
  lay_out(m, types, next);
  out.title += ": " + std::to_string(with_flow) + " of " + std::to_string(reply->children) +
               (reply->children == 1 ? " child" : " children") + " sent or received";
  out.notes.push_back("estimated from sampled sends (1 in " + std::to_string(reply->sample_every) +
                      "), by the senders the collector keeps per receiver; each child stands for its whole subtree");
  if (unplaced)
    out.notes.push_back("(unknown senders): not in the tree when their sends were counted, or under supervisors gone since");
  if (error > 0)
    out.notes.push_back("up to " + flow_rate_label(error) + " of the edges' rates may be other senders' (past the kept ones)");
  if (reply->receivers_over_cap > 0)
    out.notes.push_back(format_count(reply->receivers_over_cap) +
                        " sampled sends to receivers past the collector's cap are not here (they are in the map by type)");
  return out;
}

}  // namespace actorscope::view
