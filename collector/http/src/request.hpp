// An HTTP/1.x request head, parsed from the bytes received so far (pure: no I/O).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace actorscope::http {

struct RequestHead {
  std::string method;
  std::string path;           // the target without its query
  bool keep_alive = true;     // HTTP/1.1 unless "Connection: close"; HTTP/1.0 only with "keep-alive"
  bool accepts_gzip = false;  // Accept-Encoding names gzip (or *) with a non-zero q
  bool has_body = false;      // Content-Length > 0 or Transfer-Encoding: this endpoint takes none
  std::string authorization;  // the Authorization header's value, as sent
};

enum class ParseResult { Incomplete, Complete, Bad, TooLarge };

// Parses the head at the start of `buf`. Complete: `consumed` is its length (what follows
// belongs to the next request). Incomplete: more bytes are needed (and buf holds no more than
// max_head_bytes). TooLarge: the head is, or will be, over max_head_bytes. Bad: not HTTP/1.x.
ParseResult parse_request_head(std::string_view buf, size_t max_head_bytes, RequestHead& out, size_t& consumed);

}  // namespace actorscope::http
