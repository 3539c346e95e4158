// The Beast server on 127.0.0.1 with a real client: keep-alive, pipelining,
// limits, timeouts, the connection cap and graceful shutdown.
//
// No timing assertions: timeouts in the server are set short so that tests
// are quick, and every client read has a generous deadline of its own only so
// that a bug fails the test instead of hanging it.
#include "node/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "tests/node/fake_backend.h"

namespace ltl::node {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
using testing::FakeBackend;

constexpr auto kClientDeadline = 20s;

// A blocking HTTP/1.1 client over raw bytes, with a deadline on every read.
class Client {
 public:
  explicit Client(uint16_t port) : stream_(io_) {
    beast::error_code ec;
    stream_.socket().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
    EXPECT_FALSE(ec) << ec.message();
  }

  void Send(std::string_view bytes) {
    beast::error_code ec;
    asio::write(stream_.socket(), asio::buffer(bytes.data(), bytes.size()), ec);
    EXPECT_FALSE(ec) << ec.message();
  }

  // The next response, or the error that ended the read (EOF when closed).
  struct Answer {
    beast::error_code ec;
    http::response<http::string_body> res;
  };
  Answer Read(bool head = false) {
    Answer a;
    http::response_parser<http::string_body> parser;
    parser.body_limit(1 << 20);
    parser.skip(head);
    stream_.expires_after(kClientDeadline);
    http::async_read(stream_, buffer_, parser, [&](beast::error_code ec, size_t) { a.ec = ec; });
    io_.restart();
    io_.run();
    if (!a.ec) a.res = parser.release();
    return a;
  }

  // True when the server closed the connection (EOF or reset) before the
  // deadline, with no further response.
  bool ClosedByServer() {
    Answer a = Read();
    return a.ec == http::error::end_of_stream || a.ec == asio::error::eof ||
           a.ec == asio::error::connection_reset || a.ec == http::error::partial_message;
  }

 private:
  asio::io_context io_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

std::string GetRequest(std::string_view target, std::string_view extra = "") {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: test\r\n" + std::string(extra) + "\r\n";
}

std::string PostAdd(std::string_view body, std::string_view extra = "") {
  return "POST /add HTTP/1.1\r\nHost: test\r\nContent-Type: text/plain\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n" + std::string(extra) + "\r\n" + std::string(body);
}

class ServerTest : public ::testing::Test {
 protected:
  ServerTest() {
    backend_.AddEntry("entry zero\n");
    backend_.AddEntry("entry one\n");
    options_.port = 0;
    options_.threads = 2;
    options_.read_timeout = 300ms;
    options_.idle_timeout = 5s;
    options_.shutdown_grace = 10s;
    options_.log = [this](std::string_view line) {
      std::lock_guard<std::mutex> lock(log_mu_);
      log_.emplace_back(line);
    };
  }
  ~ServerTest() override {
    if (server_) {
      server_->Stop();
      EXPECT_TRUE(server_->Wait().ok());
    }
  }

  void StartServer() {
    Result<std::unique_ptr<Server>> s = Server::Start(options_, backend_);
    ASSERT_TRUE(s.has_value()) << s.error();
    server_ = std::move(*s);
    ASSERT_NE(server_->port(), 0);
  }

  std::vector<std::string> LogLines() {
    std::lock_guard<std::mutex> lock(log_mu_);
    return log_;
  }

  FakeBackend backend_;
  ServerOptions options_;
  std::unique_ptr<Server> server_;
  std::mutex log_mu_;
  std::vector<std::string> log_;
};

TEST_F(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  StartServer();
  Client c(server_->port());
  for (int i = 0; i < 3; ++i) {
    c.Send(GetRequest("/entry/1"));
    Client::Answer a = c.Read();
    ASSERT_FALSE(a.ec) << a.ec.message();
    EXPECT_EQ(a.res.result_int(), 200);
    EXPECT_EQ(a.res.body(), "entry one\n");
    EXPECT_TRUE(a.res.keep_alive());
    EXPECT_EQ(a.res[http::field::content_type], "text/plain; charset=utf-8");
  }
  EXPECT_EQ(server_->metrics().RequestCount("entry", 200), 3u);
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  StartServer();
  Client c(server_->port());
  c.Send(GetRequest("/entry/1") + GetRequest("/entry/0") + GetRequest("/nope") +
         GetRequest("/entry/1"));
  std::vector<std::pair<int, std::string>> want = {
      {200, "entry one\n"}, {200, "entry zero\n"}, {404, ""}, {200, "entry one\n"}};
  for (const auto& [status, body] : want) {
    Client::Answer a = c.Read();
    ASSERT_FALSE(a.ec) << a.ec.message();
    EXPECT_EQ(a.res.result_int(), status);
    if (status == 200) {
      EXPECT_EQ(a.res.body(), body);
    }
  }
}

TEST_F(ServerTest, PipelinedAddsKeepRequestOrderWhateverOrderTheyCommit) {
  backend_.submit_mode = FakeBackend::SubmitMode::kDeferred;
  StartServer();
  Client c(server_->port());
  c.Send(PostAdd("first\n") + PostAdd("second\n") + GetRequest("/entry/0"));
  backend_.WaitForPending(2);
  backend_.ReleaseOne(/*newest=*/true);  // "second" commits first
  backend_.ReleaseOne();
  Client::Answer first = c.Read();
  Client::Answer second = c.Read();
  Client::Answer third = c.Read();
  ASSERT_FALSE(first.ec || second.ec || third.ec);
  EXPECT_NE(first.res.body().find("\"index\":2"), std::string::npos) << first.res.body();
  EXPECT_NE(second.res.body().find("\"index\":3"), std::string::npos) << second.res.body();
  EXPECT_EQ(third.res.body(), "entry zero\n");
}

TEST_F(ServerTest, PipeliningDepthIsBoundedButEverythingIsAnswered) {
  options_.max_pipelined_requests = 2;
  backend_.submit_mode = FakeBackend::SubmitMode::kDeferred;
  StartServer();
  Client c(server_->port());
  std::string burst;
  for (int i = 0; i < 6; ++i) burst += PostAdd("entry " + std::to_string(i) + "\n");
  c.Send(burst);
  backend_.WaitForPending(2);
  // The reader stops at the limit: no third submission until one is answered.
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(backend_.submit_calls(), 2u);
  for (int i = 0; i < 6; ++i) {
    backend_.WaitForPending(1);
    backend_.ReleaseOne();
    Client::Answer a = c.Read();
    ASSERT_FALSE(a.ec) << a.ec.message();
    EXPECT_EQ(a.res.result_int(), 200);
  }
  EXPECT_EQ(backend_.submit_calls(), 6u);
}

TEST_F(ServerTest, OversizedBodyIs413AndClosesTheConnection) {
  options_.handlers.max_entry_bytes = 1000;
  StartServer();
  Client c(server_->port());
  c.Send(PostAdd(std::string(5000, 'a')));
  Client::Answer a = c.Read();
  ASSERT_FALSE(a.ec) << a.ec.message();
  EXPECT_EQ(a.res.result_int(), 413);
  EXPECT_NE(a.res.body().find("\"reason\":\"body_too_large\""), std::string::npos);
  EXPECT_FALSE(a.res.keep_alive());
  EXPECT_TRUE(c.ClosedByServer());
  EXPECT_EQ(backend_.submit_calls(), 0u);
}

TEST_F(ServerTest, OversizedChunkedBodyIs413) {
  options_.handlers.max_entry_bytes = 100;
  StartServer();
  Client c(server_->port());
  std::string chunk(80, 'b');
  c.Send(
      "POST /add HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\n"
      "Transfer-Encoding: chunked\r\n\r\n50\r\n" +
      chunk + "\r\n50\r\n" + chunk + "\r\n0\r\n\r\n");
  Client::Answer a = c.Read();
  ASSERT_FALSE(a.ec) << a.ec.message();
  EXPECT_EQ(a.res.result_int(), 413);
}

TEST_F(ServerTest, OversizedHeaderIs431) {
  options_.max_header_bytes = 1024;
  StartServer();
  Client c(server_->port());
  c.Send(GetRequest("/checkpoint", "X-Padding: " + std::string(4000, 'p') + "\r\n"));
  Client::Answer a = c.Read();
  ASSERT_FALSE(a.ec) << a.ec.message();
  EXPECT_EQ(a.res.result_int(), 431);
  EXPECT_TRUE(c.ClosedByServer());
}

TEST_F(ServerTest, GarbageRequestLineIs400AndCloses) {
  StartServer();
  Client c(server_->port());
  c.Send("HELLO THERE\r\n\r\n");
  Client::Answer a = c.Read();
  ASSERT_FALSE(a.ec) << a.ec.message();
  EXPECT_EQ(a.res.result_int(), 400);
  EXPECT_NE(a.res.body().find("\"reason\":\"bad_request\""), std::string::npos);
  EXPECT_TRUE(c.ClosedByServer());
}

TEST_F(ServerTest, SlowClientIsDisconnectedAfterTheReadTimeout) {
  StartServer();
  Client c(server_->port());
  c.Send("GET /checkpoint HTTP/1.1\r\nHost: te");  // and then nothing
  EXPECT_TRUE(c.ClosedByServer());
  // The node stays up for everyone else.
  Client other(server_->port());
  other.Send(GetRequest("/healthz"));
  EXPECT_EQ(other.Read().res.result_int(), 200);
}

TEST_F(ServerTest, IdleKeepAliveConnectionIsClosedAfterTheIdleTimeout) {
  options_.idle_timeout = 200ms;
  StartServer();
  Client c(server_->port());
  c.Send(GetRequest("/healthz"));
  EXPECT_EQ(c.Read().res.result_int(), 200);
  EXPECT_TRUE(c.ClosedByServer());
}

TEST_F(ServerTest, ConnectionsBeyondTheCapGet503WithRetryAfter) {
  options_.max_connections = 2;
  options_.handlers.retry_after_seconds = 4;
  StartServer();
  Client a(server_->port());
  Client b(server_->port());
  // A request on each proves both were accepted as sessions.
  a.Send(GetRequest("/healthz"));
  b.Send(GetRequest("/healthz"));
  ASSERT_EQ(a.Read().res.result_int(), 200);
  ASSERT_EQ(b.Read().res.result_int(), 200);

  Client c(server_->port());
  c.Send(GetRequest("/healthz"));
  Client::Answer refused = c.Read();
  ASSERT_FALSE(refused.ec) << refused.ec.message();
  EXPECT_EQ(refused.res.result_int(), 503);
  EXPECT_EQ(refused.res[http::field::retry_after], "4");
  EXPECT_NE(refused.res.body().find("\"reason\":\"overloaded\""), std::string::npos);
  EXPECT_EQ(server_->metrics().rejected_connections(), 1u);

  // The existing connections still work.
  a.Send(GetRequest("/healthz"));
  EXPECT_EQ(a.Read().res.result_int(), 200);
}

TEST_F(ServerTest, StopAnswersTheInFlightRequestThenReturns) {
  backend_.submit_mode = FakeBackend::SubmitMode::kDeferred;
  StartServer();
  uint16_t port = server_->port();
  Client c(port);
  c.Send(PostAdd("in flight\n"));
  backend_.WaitForPending(1);

  server_->Stop();
  std::thread release([this] { backend_.ReleaseOne(); });
  Client::Answer a = c.Read();
  release.join();
  ASSERT_FALSE(a.ec) << a.ec.message();
  EXPECT_EQ(a.res.result_int(), 200);
  EXPECT_NE(a.res.body().find("\"index\":2"), std::string::npos);
  EXPECT_TRUE(c.ClosedByServer());
  EXPECT_TRUE(server_->Wait().ok());
  server_.reset();

  // Nobody listens any more.
  asio::io_context io;
  tcp::socket s(io);
  beast::error_code ec;
  s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  EXPECT_TRUE(ec);
}

TEST_F(ServerTest, StopClosesIdleConnectionsWithoutWaitingForTheGrace) {
  options_.shutdown_grace = std::chrono::minutes(10);  // a hang would time the test out
  StartServer();
  Client c(server_->port());
  c.Send(GetRequest("/healthz"));
  ASSERT_EQ(c.Read().res.result_int(), 200);
  server_->Stop();
  EXPECT_TRUE(server_->Wait().ok());
  EXPECT_TRUE(c.ClosedByServer());
  server_.reset();
}

TEST_F(ServerTest, GraceExpiryCutsConnectionsAndLateAnswersAreHarmless) {
  options_.shutdown_grace = 100ms;
  backend_.submit_mode = FakeBackend::SubmitMode::kDeferred;
  StartServer();
  Client c(server_->port());
  c.Send(PostAdd("never committed in time\n"));
  backend_.WaitForPending(1);
  server_->Stop();
  Status waited = server_->Wait();
  EXPECT_EQ(waited.code(), StatusCode::kUnavailable);
  server_.reset();
  backend_.ReleaseOne();  // the store answers after the server is gone
  EXPECT_TRUE(c.ClosedByServer());
}

TEST_F(ServerTest, WrongMethodIs405AndUnknownPathIs404OverTheWire) {
  StartServer();
  Client c(server_->port());
  c.Send("DELETE /checkpoint HTTP/1.1\r\nHost: t\r\n\r\n");
  Client::Answer a = c.Read();
  ASSERT_FALSE(a.ec);
  EXPECT_EQ(a.res.result_int(), 405);
  EXPECT_EQ(a.res[http::field::allow], "GET, HEAD");
  c.Send(GetRequest("/admin"));
  Client::Answer b = c.Read();
  ASSERT_FALSE(b.ec);
  EXPECT_EQ(b.res.result_int(), 404);
  EXPECT_EQ(b.res[http::field::content_type], "application/json");
  EXPECT_TRUE(b.res.keep_alive());  // errors do not cost the connection
}

TEST_F(ServerTest, HeadHasTheHeadersOfGetAndNoBody) {
  StartServer();
  Client c(server_->port());
  c.Send("HEAD /entry/0 HTTP/1.1\r\nHost: t\r\n\r\n");
  Client::Answer a = c.Read(/*head=*/true);
  ASSERT_FALSE(a.ec) << a.ec.message();
  EXPECT_EQ(a.res.result_int(), 200);
  EXPECT_EQ(a.res[http::field::content_length], "11");
  EXPECT_TRUE(a.res.body().empty());
  // The connection is still in step: the next response parses.
  c.Send(GetRequest("/entry/0"));
  EXPECT_EQ(c.Read().res.body(), "entry zero\n");
}

TEST_F(ServerTest, ExpectContinueGets100BeforeTheBody) {
  StartServer();
  Client c(server_->port());
  c.Send(
      "POST /add HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n"
      "Expect: 100-continue\r\n\r\n");
  Client::Answer interim = c.Read();
  ASSERT_FALSE(interim.ec) << interim.ec.message();
  EXPECT_EQ(interim.res.result_int(), 100);
  c.Send("later\n");
  Client::Answer final_answer = c.Read();
  ASSERT_FALSE(final_answer.ec);
  EXPECT_EQ(final_answer.res.result_int(), 200);
}

TEST_F(ServerTest, LogHasOneLinePerRequestAndNeverTheBody) {
  StartServer();
  Client c(server_->port());
  c.Send(PostAdd("secret-entry-text\n"));
  ASSERT_EQ(c.Read().res.result_int(), 200);
  c.Send(GetRequest("/entry/0?x=%0a%22"));
  ASSERT_EQ(c.Read().res.result_int(), 400);
  std::vector<std::string> lines = LogLines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find("\"POST /add\" 200 "), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find(" add"), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find("\"GET /entry/0?x=%0a%22\" 400 "), std::string::npos) << lines[1];
  for (const std::string& line : lines) {
    EXPECT_EQ(line.find("secret-entry-text"), std::string::npos);
    EXPECT_EQ(line.find('\n'), std::string::npos);
  }
}

TEST_F(ServerTest, WithoutRequestLoggingNoLineIsWrittenButMetricsCount) {
  options_.log_requests = false;
  StartServer();
  Client c(server_->port());
  c.Send(PostAdd("an entry\n"));
  ASSERT_EQ(c.Read().res.result_int(), 200);
  c.Send(GetRequest("/entry/1"));
  ASSERT_EQ(c.Read().res.result_int(), 200);
  EXPECT_TRUE(LogLines().empty());
  EXPECT_EQ(server_->metrics().RequestCount("add", 200), 1u);
  EXPECT_EQ(server_->metrics().RequestCount("entry", 200), 1u);
}

TEST_F(ServerTest, PortZeroPicksAFreePort) {
  StartServer();
  EXPECT_GT(server_->port(), 0);
}

TEST(ServerStartTest, RejectsAHostThatIsNotAnIpLiteral) {
  FakeBackend backend;
  ServerOptions options;
  options.host = "example.org";
  options.port = 0;
  Result<std::unique_ptr<Server>> s = Server::Start(options, backend);
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code(), StatusCode::kInvalidArgument);
}

TEST(ServerStartTest, PortInUseIsUnavailable) {
  FakeBackend backend;
  ServerOptions options;
  options.port = 0;
  options.threads = 1;
  Result<std::unique_ptr<Server>> first = Server::Start(options, backend);
  ASSERT_TRUE(first.has_value()) << first.error();
  options.port = (*first)->port();
  Result<std::unique_ptr<Server>> second = Server::Start(options, backend);
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace ltl::node
