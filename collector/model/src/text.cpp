// UTF-8 repair and length caps for text that peers send.
#include "actorscope/collector/text.hpp"

#include <cstdint>

namespace actorscope::collector {

namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 when it is invalid (overlong forms,
// surrogates and code points past U+10FFFF included) or a control character.
size_t valid_at(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<uint8_t>(s[i + k]); };
  uint8_t c = b(0);
  if (c < 0x80) return (c < 0x20 || c == 0x7f) ? 0 : 1;
  size_t n = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k)
    if ((b(k) & 0xc0) != 0x80) return 0;
  uint32_t cp = n == 2 ? (c & 0x1fu) : n == 3 ? (c & 0x0fu) : (c & 0x07u);
  for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (b(k) & 0x3fu);
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000)) return 0;  // overlong
  if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  if (cp >= 0x80 && cp < 0xa0) return 0;  // C1 controls
  return n;
}

constexpr std::string_view kReplacement = "\xef\xbf\xbd";  // U+FFFD

}  // namespace

bool text_is_clean(std::string_view s, size_t max_bytes) {
  if (max_bytes != 0 && s.size() > max_bytes) return false;
  for (size_t i = 0; i < s.size();) {
    size_t n = valid_at(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string clean_text(std::string_view s, size_t max_bytes, TextRepairs* repairs) {
  if (text_is_clean(s, max_bytes)) return std::string(s);
  std::string out;
  out.reserve(s.size() < 256 ? s.size() + 8 : 256);
  size_t invalid = 0;
  bool cut = false;
  for (size_t i = 0; i < s.size();) {
    size_t n = valid_at(s, i);
    std::string_view piece = n ? s.substr(i, n) : kReplacement;
    if (max_bytes != 0 && out.size() + piece.size() > max_bytes) {
      cut = true;
      break;
    }
    out.append(piece);
    if (n == 0) {
      ++invalid;
      ++i;
    } else {
      i += n;
    }
  }
  if (repairs) {
    repairs->invalid_bytes += invalid;
    repairs->truncated += cut ? 1 : 0;
  }
  return out;
}

}  // namespace actorscope::collector
