// A feed from a collector over the network, through the view library's client.
#pragma once

#include <memory>

#include "feed.hpp"
#include "actorscope/view/client.hpp"

namespace actorscope::gui {

class ClientFeed final : public Feed {
 public:
  // `instant_wall_ns` != 0: ask for that past instant before connecting (--at), so the first
  // picture shown is the past one.
  explicit ClientFeed(view::ClientOptions options, uint64_t instant_wall_ns = 0);
  ~ClientFeed() override;
  void poll() override {}
  std::unique_lock<std::mutex> hold() override { return client_->lock(); }
  const view::Replica& replica() const override { return client_->replica(); }
  std::string status() const override { return client_->status(); }
  bool connected() const override { return client_->state() == view::ClientState::Connected; }
  uint64_t request_detail(view::ActorKey actor) override { return client_->request_detail(actor.node, actor.actor); }
  uint64_t request_series(pv::NodeId node, pv::Metric metric, uint32_t seconds) override {
    return client_->request_series(node, metric, seconds);
  }
  bool commands_allowed() const override { return client_->commands_allowed(); }
  int update_fd() const override { return client_->update_fd(); }
  void consume_update_signal() override { client_->consume_update_signal(); }
  // An empty token: the one the client connected with (view::read_token).
  uint64_t request_kill(view::ActorKey actor, const std::string& token) override {
    return token.empty() ? client_->kill(actor.node, actor.actor) : client_->request_kill(actor.node, actor.actor, token);
  }
  uint64_t request_subtree_flow(view::ActorKey supervisor, uint32_t max_children) override {
    return client_->request_subtree_flow(supervisor.node, supervisor.actor, max_children);
  }
  uint64_t show_instant(uint64_t wall_ns) override { return client_->show_instant(wall_ns); }
  uint64_t shown_instant() const override { return client_->shown_instant(); }
  uint64_t request_timeline(uint64_t from_wall_ns, uint64_t to_wall_ns) override {
    return client_->request_timeline(from_wall_ns, to_wall_ns);
  }
  bool start_export(const std::string& path, std::string& error) override { return client_->start_export(path, error); }
  view::ExportStatus export_status() const override { return client_->export_status(); }

 private:
  std::unique_ptr<view::Client> client_;
};

}  // namespace actorscope::gui
