// The token file, read the same way by every program (collector, agent, viewers, beam).
#pragma once

#include <string>
#include <string_view>

namespace actorscope::proto {

// Turns a token file's contents into the token: one line; surrounding spaces, tabs and the
// line end (LF or CRLF) are not part of it. False, with a one-line reason, when nothing is
// left, when a second non-empty line follows, when the token holds a control character, or
// when it is longer than kMaxTokenLen. Pure: no I/O.
bool parse_token(std::string_view contents, std::string& token, std::string& error);

// Reads `path` and parses it with parse_token(). Errors name the file and say what to do
// (missing, unreadable, a directory, empty, more than one line, too long).
bool read_token_file(const std::string& path, std::string& token, std::string& error);

}  // namespace actorscope::proto
