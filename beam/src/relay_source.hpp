// The relay's Erlang source (relay.exprs), embedded at build time.
#pragma once

namespace actorscope::beam {
const char* relay_source();
}
