// The model's node gauges: the last reading of each figure of a whole node, and the rate of
// the counters between two readings of the same connection.
#include <cmath>

#include "model_impl.hpp"

namespace actorscope::collector {

void Model::apply(NodeKey key, const proto::NodeGauges& r) {
  Impl& m = *impl_;
  ++m.records;
  NodeData* n = m.node(key);
  if (!n) return;
  bool changed = false;
  size_t count = std::min<size_t>(r.n, proto::kMaxNodeGauges);
  for (size_t i = 0; i < count; ++i) {
    const proto::NodeGaugeInfo* info = proto::node_gauge_info(r.values[i].gauge);
    double v = r.values[i].value;
    // An id from a newer peer, or a value no gauge can take: ignored.
    if (!info || !std::isfinite(v) || v < 0) continue;
    GaugeReading& g = n->info.gauges[r.values[i].gauge];
    if (info->kind == proto::GaugeKind::Counter) {
      bool same_source = g.set && g.connection == n->info.connection && r.t_ns > g.t_ns;
      // A counter that went back restarted at its source (the agent's relay, say): no rate
      // across the reset, and no negative one.
      g.per_s = same_source && v >= g.value ? (v - g.value) / (static_cast<double>(r.t_ns - g.t_ns) / 1e9) : 0;
    }
    changed |= !g.set || g.value != v || g.connection != n->info.connection;
    g.set = true;
    g.value = v;
    g.t_ns = r.t_ns;
    g.connection = n->info.connection;
  }
  if (changed) m.note_change(key, ChangeKind::NodeChanged, 0);
}

}  // namespace actorscope::collector
