// The request-head parser: what is complete, what is garbage, what is too large.
#include <gtest/gtest.h>

#include "request.hpp"

using namespace actorscope::http;

namespace {
ParseResult parse(const std::string& text, RequestHead& h, size_t cap = 8192) {
  size_t used = 0;
  return parse_request_head(text, cap, h, used);
}
}  // namespace

TEST(HttpRequestHead, CompleteGetWithQueryAndHeaders) {
  RequestHead h;
  std::string text = "GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer abc\r\n"
                     "Accept-Encoding: gzip, deflate\r\n\r\nGET /next";
  size_t used = 0;
  ASSERT_EQ(parse_request_head(text, 8192, h, used), ParseResult::Complete);
  EXPECT_EQ(h.method, "GET");
  EXPECT_EQ(h.path, "/metrics");
  EXPECT_EQ(h.authorization, "Bearer abc");
  EXPECT_TRUE(h.accepts_gzip);
  EXPECT_TRUE(h.keep_alive);
  EXPECT_EQ(text.substr(used), "GET /next");
}

TEST(HttpRequestHead, IncompleteUntilTheBlankLine) {
  RequestHead h;
  EXPECT_EQ(parse("GET /metr", h), ParseResult::Incomplete);
  EXPECT_EQ(parse("GET /metrics HTTP/1.1\r\nHost: a\r\n", h), ParseResult::Incomplete);
  EXPECT_EQ(parse("GET /metrics HTTP/1.0\n\n", h), ParseResult::Complete);
  EXPECT_FALSE(h.keep_alive);
}

TEST(HttpRequestHead, GarbageIsBad) {
  RequestHead h;
  EXPECT_EQ(parse(std::string("\x16\x03\x01\x02\x00 hello\r\n\r\n", 15), h), ParseResult::Bad);
  EXPECT_EQ(parse(std::string("\x16\x03\x01\x02\x00", 5), h), ParseResult::Bad);  // no line end needed
  EXPECT_EQ(parse("GET /metrics HTTP/2.0\r\n\r\n", h), ParseResult::Bad);
  EXPECT_EQ(parse("GET /metrics\r\n\r\n", h), ParseResult::Bad);
  EXPECT_EQ(parse("GET /metrics HTTP/1.1\r\nno colon here\r\n\r\n", h), ParseResult::Bad);
  EXPECT_EQ(parse("GET /metrics HTTP/1.1\r\nContent-Length: x\r\n\r\n", h), ParseResult::Bad);
}

TEST(HttpRequestHead, OverTheCapIsTooLargeEvenIncomplete) {
  RequestHead h;
  EXPECT_EQ(parse("GET /metrics HTTP/1.1\r\nX: " + std::string(300, 'a'), h, 256), ParseResult::TooLarge);
  EXPECT_EQ(parse("GET /metrics HTTP/1.1\r\nX: " + std::string(300, 'a') + "\r\n\r\n", h, 256), ParseResult::TooLarge);
  EXPECT_EQ(parse("GET /metrics HTTP/1.1\r\nX: " + std::string(100, 'a') + "\r\n\r\n", h, 256), ParseResult::Complete);
}

TEST(HttpRequestHead, GzipRefusedByZeroQuality) {
  RequestHead h;
  ASSERT_EQ(parse("GET / HTTP/1.1\r\nAccept-Encoding: gzip;q=0, identity\r\n\r\n", h), ParseResult::Complete);
  EXPECT_FALSE(h.accepts_gzip);
  ASSERT_EQ(parse("GET / HTTP/1.1\r\nAccept-Encoding: gzip;q=0.5\r\nConnection: close\r\n\r\n", h),
            ParseResult::Complete);
  EXPECT_TRUE(h.accepts_gzip);
  EXPECT_FALSE(h.keep_alive);
}

TEST(HttpRequestHead, BodyIsNoted) {
  RequestHead h;
  ASSERT_EQ(parse("POST /metrics HTTP/1.1\r\nContent-Length: 5\r\n\r\n", h), ParseResult::Complete);
  EXPECT_TRUE(h.has_body);
  ASSERT_EQ(parse("GET /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n", h), ParseResult::Complete);
  EXPECT_FALSE(h.has_body);
}
