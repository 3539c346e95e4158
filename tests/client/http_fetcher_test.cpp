// HttpFetcher against real sockets on 127.0.0.1: retries, Retry-After, gzip,
// caps, timeouts, URL handling.
#include "client/http_fetcher.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

#include "local_http_server.h"

namespace ltl::client {
namespace {

using testing::LocalHttpServer;
using testing::LocalListener;

std::string Gzip(const std::string& data) {
  z_stream zs{};
  EXPECT_EQ(
      deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
      Z_OK);
  std::string out(deflateBound(&zs, data.size()), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

// Fast retries so that tests stay quick; no test asserts on timing.
HttpFetcherOptions QuickOptions() {
  HttpFetcherOptions o;
  o.connect_timeout = std::chrono::milliseconds(500);
  o.request_timeout = std::chrono::milliseconds(2000);
  o.max_attempts = 3;
  o.initial_backoff = std::chrono::milliseconds(1);
  o.max_backoff = std::chrono::milliseconds(5);
  return o;
}

std::unique_ptr<HttpFetcher> Connect(const std::string& url,
                                     HttpFetcherOptions options = QuickOptions()) {
  auto fetcher = HttpFetcher::Create(url, options);
  EXPECT_TRUE(fetcher.has_value()) << fetcher.error();
  return std::move(fetcher).value();
}

TEST(HttpFetcher, GetsABodyAndSendsTheExpectedHeaders) {
  LocalHttpServer server({LocalHttpServer::Response(200, "hello", "Content-Type: text/plain\r\n")});
  auto response = Connect(server.url())->Get("/checkpoint");
  ASSERT_TRUE(response.has_value()) << response.error();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "hello");
  EXPECT_EQ(response->content_type, "text/plain");
  const std::string request = server.requests().at(0);
  EXPECT_EQ(request.substr(0, 26), "GET /checkpoint HTTP/1.1\r\n");
  EXPECT_NE(request.find("Accept-Encoding: gzip\r\n"), std::string::npos);
  EXPECT_NE(request.find("Host: 127.0.0.1:" + std::to_string(server.port())), std::string::npos);
}

TEST(HttpFetcher, PrependsThePathPrefixOfTheBaseUrl) {
  LocalHttpServer server({LocalHttpServer::Response(200, "x")});
  auto fetcher = Connect(server.url() + "/logs/a/");
  EXPECT_EQ(fetcher->prefix(), "/logs/a");
  ASSERT_TRUE(fetcher->Get("/tile/0/000").has_value());
  EXPECT_EQ(server.requests().at(0).substr(0, 25), "GET /logs/a/tile/0/000 HT");
}

TEST(HttpFetcher, PostsTheBodyWithItsContentType) {
  LocalHttpServer server({LocalHttpServer::Response(200, "{}")});
  auto response = Connect(server.url())->Post("/add", "text/plain; charset=utf-8", "entry\n");
  ASSERT_TRUE(response.has_value()) << response.error();
  const std::string request = server.requests().at(0);
  EXPECT_EQ(request.substr(0, 10), "POST /add ");
  EXPECT_NE(request.find("Content-Type: text/plain; charset=utf-8\r\n"), std::string::npos);
  EXPECT_EQ(request.substr(request.size() - 6), "entry\n");
}

TEST(HttpFetcher, RetriesA503ThenSucceeds) {
  LocalHttpServer server({
      LocalHttpServer::Response(503, R"({"error":"busy","reason":"unavailable"})",
                                "Retry-After: 0\r\n"),
      LocalHttpServer::Response(503, "busy"),
      LocalHttpServer::Response(200, "done"),
  });
  auto response = Connect(server.url())->Get("/checkpoint");
  ASSERT_TRUE(response.has_value()) << response.error();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "done");
  EXPECT_EQ(server.requests().size(), 3u);
}

TEST(HttpFetcher, GivesUpAfterMaxAttemptsAndReturnsTheLast503) {
  LocalHttpServer server({
      LocalHttpServer::Response(503, "a", "Retry-After: 0\r\n"),
      LocalHttpServer::Response(503, "b", "Retry-After: 0\r\n"),
      LocalHttpServer::Response(200, "never fetched"),
  });
  HttpFetcherOptions options = QuickOptions();
  options.max_attempts = 2;
  auto response = Connect(server.url(), options)->Get("/checkpoint");
  ASSERT_TRUE(response.has_value()) << response.error();
  EXPECT_EQ(response->status, 503);
  EXPECT_EQ(response->body, "b");
  EXPECT_EQ(response->retry_after_seconds, 0u);
  EXPECT_EQ(HttpAnswerToStatus(*response, "GET /checkpoint").code(), StatusCode::kUnavailable);
}

TEST(HttpFetcher, DoesNotRetryOtherErrors) {
  LocalHttpServer server(
      {LocalHttpServer::Response(404, "no"), LocalHttpServer::Response(200, "")});
  auto response = Connect(server.url())->Get("/tile/0/000");
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 404);
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(HttpFetcher, DecodesGzipBodies) {
  const std::string bundle(20000, 'e');
  LocalHttpServer server(
      {LocalHttpServer::Response(200, Gzip(bundle), "Content-Encoding: gzip\r\n")});
  auto response = Connect(server.url())->Get("/tile/entries/000");
  ASSERT_TRUE(response.has_value()) << response.error();
  EXPECT_EQ(response->body, bundle);
}

TEST(HttpFetcher, CorruptGzipIsDataLoss) {
  std::string gz = Gzip("some entries");
  gz[gz.size() - 6] ^= 0x55;  // the CRC-32 trailer
  std::string truncated = Gzip("other entries");
  truncated.resize(truncated.size() / 2);
  LocalHttpServer server({
      LocalHttpServer::Response(200, gz, "Content-Encoding: gzip\r\n"),
      LocalHttpServer::Response(200, truncated, "Content-Encoding: gzip\r\n"),
      LocalHttpServer::Response(200, Gzip("x") + "trailing", "Content-Encoding: gzip\r\n"),
      LocalHttpServer::Response(200, "x", "Content-Encoding: br\r\n"),
  });
  auto fetcher = Connect(server.url());
  for (int i = 0; i < 4; ++i) {
    auto response = fetcher->Get("/tile/entries/000");
    ASSERT_FALSE(response.has_value()) << i;
    EXPECT_EQ(response.error().code(), StatusCode::kDataLoss) << i << " " << response.error();
  }
}

TEST(HttpFetcher, CapsBodiesOnTheWireAndAfterDecoding) {
  HttpFetcherOptions options = QuickOptions();
  options.max_body_bytes = 1000;
  LocalHttpServer server({
      LocalHttpServer::Response(200, std::string(1001, 'x')),
      LocalHttpServer::Response(200, Gzip(std::string(100000, '\0')), "Content-Encoding: gzip\r\n"),
  });
  auto fetcher = Connect(server.url(), options);
  EXPECT_EQ(fetcher->Get("/a").error().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(fetcher->Get("/b").error().code(), StatusCode::kResourceExhausted);
}

TEST(HttpFetcher, ServerThatNeverAnswersTimesOut) {
  LocalListener silent;  // accepts nothing, answers nothing
  HttpFetcherOptions options = QuickOptions();
  options.request_timeout = std::chrono::milliseconds(300);
  options.max_attempts = 2;
  auto response = Connect(silent.url(), options)->Get("/checkpoint");
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code(), StatusCode::kUnavailable);
  EXPECT_NE(response.error().message().find("timed out"), std::string::npos) << response.error();
}

TEST(HttpFetcher, RefusedConnectionIsUnavailable) {
  std::string url;
  {
    LocalListener closed;
    url = closed.url();
  }  // the port is free again: connecting is refused
  HttpFetcherOptions options = QuickOptions();
  options.max_attempts = 2;
  auto response = Connect(url, options)->Get("/checkpoint");
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code(), StatusCode::kUnavailable);
}

TEST(HttpFetcher, RefusesHttpsWithAClearMessage) {
  auto fetcher = HttpFetcher::Create("https://log.example/");
  ASSERT_FALSE(fetcher.has_value());
  EXPECT_EQ(fetcher.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(fetcher.error().message().find("https:// is not supported"), std::string::npos);
}

TEST(HttpFetcher, ParsesBaseUrls) {
  auto v6 = HttpFetcher::Create("http://[::1]:8080/p");
  ASSERT_TRUE(v6.has_value()) << v6.error();
  EXPECT_EQ((*v6)->host(), "::1");
  EXPECT_EQ((*v6)->port(), 8080);
  EXPECT_EQ((*v6)->prefix(), "/p");
  auto plain = HttpFetcher::Create("http://log.example");
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ((*plain)->port(), 80);
  EXPECT_EQ((*plain)->prefix(), "");
  for (const char* bad : {"ftp://x", "http://", "http://:80", "http://h:0", "http://h:65536",
                          "http://h:", "http://u@h", "http://h/?q", "http://h/#f", "http://h/a b",
                          "http://[::1", "log.example"}) {
    EXPECT_FALSE(HttpFetcher::Create(bad).has_value()) << bad;
  }
}

TEST(HttpFetcher, RejectsPathsThatCouldSmuggleARequest) {
  auto fetcher = Connect("http://127.0.0.1:1");
  EXPECT_EQ(fetcher->Get("checkpoint").error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(fetcher->Get("/a b").error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(fetcher->Get("/a\r\nX: y").error().code(), StatusCode::kInvalidArgument);
}

TEST(HttpAnswerToStatus, MapsStatusesAndQuotesTheLogsReason) {
  HttpResponse r;
  r.status = 400;
  r.body = R"({"error": "bad entry", "reason": "field_order"})";
  Status s = HttpAnswerToStatus(r, "POST /add");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "POST /add: HTTP 400: bad entry (field_order)");
  r.status = 404;
  r.body = "\x01plain";
  EXPECT_EQ(HttpAnswerToStatus(r, "GET /x").message(), "GET /x: HTTP 404: ?plain");
  r.status = 502;
  EXPECT_EQ(HttpAnswerToStatus(r, "GET /x").code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace ltl::client
