// Peer-supplied text made safe to keep and to export: valid UTF-8, no control characters,
// length-capped on a character boundary.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace actorscope::collector {

// What clean_text() had to change (each a count, for the refusal counters).
struct TextRepairs {
  size_t invalid_bytes = 0;   // bytes of invalid UTF-8 (or control characters) replaced by U+FFFD
  size_t truncated = 0;       // 1 when the text was cut at max_bytes
};

// True when `s` is valid UTF-8 without control characters (C0 except none, DEL) and at
// most max_bytes long (0: no limit): clean_text() would return it unchanged.
bool text_is_clean(std::string_view s, size_t max_bytes);

// Returns `s` with each invalid UTF-8 sequence and each control character replaced by
// U+FFFD, cut to at most max_bytes (0: no limit) on a character boundary.
std::string clean_text(std::string_view s, size_t max_bytes, TextRepairs* repairs = nullptr);

}  // namespace actorscope::collector
