// libFuzzer target: the viewer conversation's decoder (requests a viewer sends, and what
// the collector sends back) must survive any input without a crash.
#include <cstddef>
#include <cstdint>

#include "actorscope/protocol/viewer.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  actorscope::fuzz::CountingSink s;
  (void)actorscope::proto::viewer::decode_messages(data, size, s);
  return 0;
}
