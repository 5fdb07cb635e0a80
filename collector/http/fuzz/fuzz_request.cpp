// libFuzzer target: /metrics request heads, whole and cut at every length, never crash the
// parser nor break its promises (consumed within the input and the cap).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "request.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace actorscope::http;
  std::string_view all(reinterpret_cast<const char*>(data), size);
  // The first byte picks a cap, so that small caps are reached too.
  size_t cap = size > 0 ? 16 + data[0] * 4u : 8192;
  for (size_t cut : {size, size / 2, size > 0 ? size - 1 : 0}) {
    RequestHead h;
    size_t used = 0;
    ParseResult r = parse_request_head(all.substr(0, cut), cap, h, used);
    if (r == ParseResult::Complete && (used == 0 || used > cut || used > cap)) std::abort();
    if (r != ParseResult::Complete && used != 0) std::abort();
    if (r == ParseResult::Incomplete && cut > cap) std::abort();
  }
  return 0;
}
