// The view library's generated actor system as the GUI's feed: for trying the GUI without
// an app, and for measuring frame time at a million actors without a network in the way.
#pragma once

#include "feed.hpp"
#include "actorscope/view/synthetic.hpp"

namespace actorscope::gui {

class SyntheticFeed final : public Feed {
 public:
  explicit SyntheticFeed(view::SyntheticSettings settings) : system_(settings) {}
  void poll() override { system_.tick_if_due(); }
  const view::Replica& replica() const override { return system_.replica(); }
  std::string status() const override { return system_.status(); }
  bool connected() const override { return true; }
  uint64_t request_detail(view::ActorKey actor) override { return system_.request_detail(actor); }
  uint64_t request_series(pv::NodeId node, pv::Metric metric, uint32_t seconds) override {
    return system_.request_series(node, metric, seconds);
  }
  uint64_t request_kill(view::ActorKey actor, const std::string&) override { return system_.request_kill(actor); }
  // Advances one tick now, whatever the clock says (benchmarks).
  void tick() { system_.tick(); }

 private:
  view::SyntheticSystem system_;
};

}  // namespace actorscope::gui
