// libFuzzer target: the handshake (Hello, Welcome, Reject) and the token file parser must
// survive any input; what decodes must encode back to something that decodes the same.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "actorscope/protocol/codec.hpp"
#include "actorscope/protocol/token.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace actorscope::proto;
  actorscope::fuzz::ModedInput in;
  if (!actorscope::fuzz::split_mode(data, size, 4, in)) return 0;
  const unsigned mode = in.mode;
  const uint8_t* p = in.data;
  const size_t n = in.size;
  std::string error;
  switch (mode) {
    case 0: {
      Reader r(p, n);
      Hello h;
      if (decode(r, h, error)) {
        std::vector<uint8_t> again;
        Writer w(again);
        encode(w, h);
        Reader r2(again.data(), again.size());
        Hello h2;
        if (!decode(r2, h2, error) || h2.node != h.node || h2.token != h.token) std::abort();
      }
      break;
    }
    case 1: {
      Reader r(p, n);
      Welcome m;
      (void)decode(r, m, error);
      break;
    }
    case 2: {
      Reader r(p, n);
      Reject m;
      (void)decode(r, m, error);
      break;
    }
    case 3: {
      std::string token;
      if (parse_token(std::string_view(reinterpret_cast<const char*>(p), n), token, error)) {
        if (token.empty() || token.size() > kMaxTokenLen || token.find('\n') != std::string::npos) std::abort();
      }
      break;
    }
  }
  return 0;
}
