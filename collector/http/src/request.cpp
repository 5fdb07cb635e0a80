// HTTP/1.x request heads: strict about the request line, tolerant of bare LF line ends.
#include "request.hpp"

#include <cctype>

namespace actorscope::http {

namespace {

bool is_tchar(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-': case '.':
    case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return false;
  }
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_tchar(c)) return false;
  return true;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Calls f on each comma-separated element of a header value, trimmed.
template <typename F>
void each_element(std::string_view v, F f) {
  while (!v.empty()) {
    size_t comma = v.find(',');
    f(trim(v.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    v.remove_prefix(comma + 1);
  }
}

bool gzip_accepted(std::string_view value) {
  bool yes = false;
  each_element(value, [&](std::string_view e) {
    size_t semi = e.find(';');
    std::string coding = lower(trim(e.substr(0, semi)));
    if (coding != "gzip" && coding != "*") return;
    bool zero = false;
    if (semi != std::string_view::npos) {
      std::string params = lower(e.substr(semi + 1));
      size_t q = params.find("q=");
      if (q != std::string::npos) {
        std::string_view num = trim(std::string_view(params).substr(q + 2));
        zero = !num.empty() && num[0] == '0' && num.find_first_not_of("0.", 0) == std::string_view::npos;
      }
    }
    if (!zero) yes = true;
  });
  return yes;
}

}  // namespace

ParseResult parse_request_head(std::string_view buf, size_t max_head_bytes, RequestHead& out, size_t& consumed) {
  out = RequestHead{};
  consumed = 0;
  size_t pos = 0;
  // Empty lines before a request line are ignored (RFC 9112 2.2); they still count toward the cap.
  while (pos < buf.size() && (buf[pos] == '\r' || buf[pos] == '\n')) ++pos;
  bool first = true;
  bool http10 = false;
  bool connection_close = false, connection_keep = false;
  while (true) {
    size_t nl = buf.find('\n', pos);
    if (nl == std::string_view::npos) {
      // Garbage is told at once, without waiting for a line end: the method must be a token.
      if (first) {
        std::string_view start = buf.substr(pos, buf.find(' ', pos) - pos);
        for (char c : start)
          if (!is_tchar(c) && c != '\r') return ParseResult::Bad;
      }
      return buf.size() > max_head_bytes ? ParseResult::TooLarge : ParseResult::Incomplete;
    }
    if (nl + 1 > max_head_bytes) return ParseResult::TooLarge;
    std::string_view line = buf.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = nl + 1;
    if (first) {
      first = false;
      size_t sp1 = line.find(' ');
      size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
      if (sp2 == std::string_view::npos) return ParseResult::Bad;
      std::string_view method = line.substr(0, sp1), target = line.substr(sp1 + 1, sp2 - sp1 - 1),
                       version = line.substr(sp2 + 1);
      if (!is_token(method) || target.empty()) return ParseResult::Bad;
      for (char c : target)
        if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) return ParseResult::Bad;
      if (version == "HTTP/1.1") http10 = false;
      else if (version == "HTTP/1.0") http10 = true;
      else return ParseResult::Bad;
      out.method = std::string(method);
      out.path = std::string(target.substr(0, target.find('?')));
      continue;
    }
    if (line.empty()) break;
    if (line.front() == ' ' || line.front() == '\t') return ParseResult::Bad;  // obsolete line folding
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || !is_token(line.substr(0, colon))) return ParseResult::Bad;
    std::string name = lower(line.substr(0, colon));
    std::string_view value = trim(line.substr(colon + 1));
    for (char c : value)
      if ((static_cast<unsigned char>(c) < ' ' && c != '\t') || c == 0x7f) return ParseResult::Bad;
    if (name == "connection") {
      each_element(value, [&](std::string_view e) {
        std::string t = lower(e);
        if (t == "close") connection_close = true;
        if (t == "keep-alive") connection_keep = true;
      });
    } else if (name == "authorization") {
      out.authorization = std::string(value);
    } else if (name == "accept-encoding") {
      out.accepts_gzip = out.accepts_gzip || gzip_accepted(value);
    } else if (name == "transfer-encoding") {
      out.has_body = true;
    } else if (name == "content-length") {
      if (value.empty() || value.find_first_not_of("0123456789") != std::string_view::npos) return ParseResult::Bad;
      if (value.find_first_not_of('0') != std::string_view::npos) out.has_body = true;
    }
  }
  out.keep_alive = http10 ? (connection_keep && !connection_close) : !connection_close;
  consumed = pos;
  return ParseResult::Complete;
}

}  // namespace actorscope::http
