// Starts the view library's client on its background thread and stops it on the way out.
#include "client_feed.hpp"

namespace actorscope::gui {

ClientFeed::ClientFeed(view::ClientOptions options, uint64_t instant_wall_ns)
    : client_(std::make_unique<view::Client>(std::move(options))) {
  if (instant_wall_ns) client_->show_instant(instant_wall_ns);  // sent with the subscription
  client_->start();
}

ClientFeed::~ClientFeed() { client_->stop(); }

}  // namespace actorscope::gui
