// Starts the view library's client on its background thread and stops it on the way out.
#include "client_feed.hpp"

namespace actorscope::gui {

ClientFeed::ClientFeed(view::ClientOptions options) : client_(std::make_unique<view::Client>(std::move(options))) {
  client_->start();
}

ClientFeed::~ClientFeed() { client_->stop(); }

}  // namespace actorscope::gui
