// The demo service's actors (behaviours) and its supervision tree.
#pragma once

#include <string>

#include <caf/all.hpp>

#include "actorscope/caf/supervisor.hpp"
#include "options.hpp"

namespace demo {

// ingest: batches requests and hands each batch to the next parser.
caf::behavior ingest(caf::event_based_actor* self, uint32_t parsers, uint32_t batch_size);
// parser: parses a batch; a malformed record crashes it.
caf::behavior parser(caf::event_based_actor* self, std::string name);
// aggregator: sums what the parsers produced and forwards it to the store.
caf::behavior aggregator(caf::event_based_actor* self);
// store: the slow consumer; each write takes a while, so bursts pile up in its mailbox.
caf::behavior store(caf::event_based_actor* self, uint32_t write_us);
// session: a client connection; forwards its requests to ingest, ends after a while.
caf::behavior session(caf::event_based_actor* self, const caf::message& args);
// traffic: the outside world: requests, sessions coming and going, crashes, storms.
caf::behavior traffic(caf::event_based_actor* self, options opt);

// app_sup (one_for_one) -> ingest_sup (rest_for_one: ingest, parser_pool (one_for_all),
// aggregator, store), sessions (simple_one_for_one), traffic.
caf::actor start_app(caf::actor_system& sys, const options& opt);

}  // namespace demo
