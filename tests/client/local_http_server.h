// A tiny HTTP/1.1 server on 127.0.0.1 for the HttpFetcher tests: it answers
// each connection with the next canned raw response and records what it
// received. Plain POSIX sockets, one thread, one request per connection (the
// fetcher sends "Connection: close").
#ifndef LTL_TESTS_CLIENT_LOCAL_HTTP_SERVER_H_
#define LTL_TESTS_CLIENT_LOCAL_HTTP_SERVER_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ltl::client::testing {

// A listening socket on 127.0.0.1 with a kernel-chosen port. With
// `accept_connections` false nobody ever accepts or answers: connects
// complete (the kernel's backlog) and reads hang, as on a stuck server.
class LocalListener {
 public:
  LocalListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    ::listen(fd_, 16);
    socklen_t len = sizeof(addr);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~LocalListener() { Close(); }
  LocalListener(const LocalListener&) = delete;
  LocalListener& operator=(const LocalListener&) = delete;

  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int fd() const { return fd_; }
  uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

class LocalHttpServer {
 public:
  // Serves `responses` (raw HTTP responses, status line to body), one per
  // connection, then stops accepting.
  explicit LocalHttpServer(std::vector<std::string> responses)
      : responses_(responses.begin(), responses.end()) {
    thread_ = std::thread([this] { Run(); });
  }
  ~LocalHttpServer() {
    stop_ = true;
    thread_.join();
  }

  std::string url() const { return listener_.url(); }
  uint16_t port() const { return listener_.port(); }

  // The raw requests received (head and body), in order.
  std::vector<std::string> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

  static std::string Response(int status, const std::string& body,
                              const std::string& extra_headers = "") {
    return "HTTP/1.1 " + std::to_string(status) +
           " X\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + extra_headers +
           "Connection: close\r\n\r\n" + body;
  }

 private:
  void Run() {
    while (!stop_) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (responses_.empty()) return;
      }
      pollfd p{listener_.fd(), POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      const int conn = ::accept4(listener_.fd(), nullptr, nullptr, SOCK_CLOEXEC);
      if (conn < 0) continue;
      std::string request = ReadRequest(conn);
      std::string response;
      {
        std::lock_guard<std::mutex> lock(mu_);
        requests_.push_back(request);
        response = responses_.front();
        responses_.pop_front();
      }
      for (size_t sent = 0; sent < response.size();) {
        const ssize_t n =
            ::send(conn, response.data() + sent, response.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<size_t>(n);
      }
      ::shutdown(conn, SHUT_WR);
      ::close(conn);
    }
  }

  static std::string ReadRequest(int conn) {
    std::string data;
    char buffer[4096];
    size_t want = std::string::npos;
    while (want == std::string::npos || data.size() < want) {
      pollfd p{conn, POLLIN, 0};
      if (::poll(&p, 1, 2000) <= 0) break;
      const ssize_t n = ::recv(conn, buffer, sizeof(buffer), 0);
      if (n <= 0) break;
      data.append(buffer, static_cast<size_t>(n));
      const size_t head_end = data.find("\r\n\r\n");
      if (want == std::string::npos && head_end != std::string::npos) {
        size_t length = 0;
        const size_t at = data.find("Content-Length: ");
        if (at != std::string::npos && at < head_end) length = std::stoul(data.substr(at + 16));
        want = head_end + 4 + length;
      }
    }
    return data;
  }

  LocalListener listener_;
  std::mutex mu_;
  std::deque<std::string> responses_;
  std::vector<std::string> requests_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace ltl::client::testing

#endif  // LTL_TESTS_CLIENT_LOCAL_HTTP_SERVER_H_
