// Helpers for the `ltl` command-line tests: run the built binary as a
// subprocess, write files with a given mode, and serve an in-memory log
// (tests/client/fake_log.h) over HTTP on 127.0.0.1 so the online commands
// talk to it exactly as they would to a node.
#ifndef LTL_TESTS_CLI_CLI_TESTING_H_
#define LTL_TESTS_CLI_CLI_TESTING_H_

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "base/encoding.h"
#include "client/fetcher.h"
#include "tests/testing/testing.h"

namespace ltl::cli::testing {

struct RunResult {
  int exit_code = -1;  // the process's exit status; 128+N when killed by signal N
  std::string out;
  std::string err;
};

inline std::filesystem::path LtlBinary() { return ltl::testing::BinaryDir() / "bin" / "ltl"; }

// Runs `binary` with `args`, feeding `input` on stdin, and waits for it.
// `env` entries are set in the child (XDG_STATE_HOME, PATH, ...); `cwd` is the
// child's working folder when not empty.
inline RunResult RunBinary(const std::string& binary, const std::vector<std::string>& args,
                           const std::string& input = "",
                           const std::map<std::string, std::string>& env = {},
                           const std::filesystem::path& cwd = {}) {
  // A child that exits before reading all of `input` must not kill the test
  // with SIGPIPE: the write below then fails with EPIPE and stops feeding.
  ::signal(SIGPIPE, SIG_IGN);
  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (::pipe(in_pipe) != 0 || ::pipe(out_pipe) != 0 || ::pipe(err_pipe) != 0) std::abort();
  std::vector<std::string> argv_storage = {binary};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);

  const pid_t pid = ::fork();
  if (pid < 0) std::abort();
  if (pid == 0) {
    ::signal(SIGPIPE, SIG_DFL);  // ignored dispositions survive exec
    ::dup2(in_pipe[0], STDIN_FILENO);
    ::dup2(out_pipe[1], STDOUT_FILENO);
    ::dup2(err_pipe[1], STDERR_FILENO);
    for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) {
      ::close(fd);
    }
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) ::_exit(126);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);

  RunResult r;
  size_t written = 0;
  int in_fd = in_pipe[1];
  if (input.empty()) {
    ::close(in_fd);
    in_fd = -1;
  }
  bool out_open = true, err_open = true;
  while (out_open || err_open) {
    pollfd fds[3];
    int n = 0;
    int out_i = -1, err_i = -1, in_i = -1;
    if (out_open) fds[out_i = n++] = pollfd{out_pipe[0], POLLIN, 0};
    if (err_open) fds[err_i = n++] = pollfd{err_pipe[0], POLLIN, 0};
    if (in_fd >= 0) fds[in_i = n++] = pollfd{in_fd, POLLOUT, 0};
    if (::poll(fds, static_cast<nfds_t>(n), -1) < 0) {
      if (errno == EINTR) continue;
      std::abort();
    }
    char buffer[8192];
    const auto drain = [&](int index, int fd, std::string& sink, bool& open) {
      if (index < 0 || fds[index].revents == 0) return;
      const ssize_t got = ::read(fd, buffer, sizeof buffer);
      if (got <= 0) {
        open = false;
      } else {
        sink.append(buffer, static_cast<size_t>(got));
      }
    };
    drain(out_i, out_pipe[0], r.out, out_open);
    drain(err_i, err_pipe[0], r.err, err_open);
    if (in_i >= 0 && fds[in_i].revents != 0) {
      const ssize_t put = ::write(in_fd, input.data() + written, input.size() - written);
      if (put > 0) written += static_cast<size_t>(put);
      if (put <= 0 || written == input.size()) {
        ::close(in_fd);
        in_fd = -1;
      }
    }
  }
  if (in_fd >= 0) ::close(in_fd);
  ::close(out_pipe[0]);
  ::close(err_pipe[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

// Runs build/bin/ltl (see RunBinary).
inline RunResult RunLtl(const std::vector<std::string>& args, const std::string& input = "",
                        const std::map<std::string, std::string>& env = {},
                        const std::filesystem::path& cwd = {}) {
  return RunBinary(LtlBinary().string(), args, input, env, cwd);
}

// A readable dump of a run for assertion messages.
inline std::string Describe(const RunResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\n--- stdout ---\n" + r.out + "--- stderr ---\n" +
         r.err;
}

inline void WriteFile(const std::filesystem::path& path, std::string_view contents,
                      mode_t mode = 0644) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << contents;
  }
  ::chmod(path.c_str(), mode);
}

inline mode_t FileMode(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

// Serves a client::Fetcher (the in-memory log) over HTTP/1.1 on 127.0.0.1,
// one request per connection (the client sends "Connection: close"), on a
// background thread. GET /entry/<i> is answered from `entries` when set, as
// the node does. The fetcher is only called from the server thread, and the
// tests only touch it between runs of the CLI (RunLtl blocks), so the
// in-memory log needs no lock.
class HttpFakeServer {
 public:
  explicit HttpFakeServer(client::Fetcher& log,
                          std::function<const std::vector<std::string>&()> entries = {})
      : log_(log), entries_(std::move(entries)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener_ < 0) std::abort();
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) std::abort();
    if (::listen(listener_, 16) != 0) std::abort();
    socklen_t len = sizeof addr;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Loop(); });
  }
  ~HttpFakeServer() {
    stopping_ = true;
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    thread_.join();
  }
  HttpFakeServer(const HttpFakeServer&) = delete;
  HttpFakeServer& operator=(const HttpFakeServer&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  uint16_t port() const { return port_; }

 private:
  void Loop() {
    while (!stopping_) {
      const int conn = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (conn < 0) {
        if (stopping_) return;
        continue;
      }
      Handle(conn);
      ::close(conn);
    }
  }

  void Handle(int conn) {
    std::string request;
    char buffer[8192];
    size_t header_end = std::string::npos;
    size_t content_length = 0;
    while (true) {
      if (header_end == std::string::npos) {
        header_end = request.find("\r\n\r\n");
        if (header_end != std::string::npos) {
          const std::string headers = request.substr(0, header_end);
          for (const char* name : {"Content-Length: ", "content-length: "}) {
            if (size_t at = headers.find(name); at != std::string::npos) {
              content_length = std::strtoull(headers.c_str() + at + std::strlen(name), nullptr, 10);
            }
          }
        }
      }
      if (header_end != std::string::npos && request.size() >= header_end + 4 + content_length) {
        break;
      }
      const ssize_t n = ::recv(conn, buffer, sizeof buffer, 0);
      if (n <= 0) return;
      request.append(buffer, static_cast<size_t>(n));
    }
    const size_t line_end = request.find("\r\n");
    const std::string line = request.substr(0, line_end);
    const size_t sp1 = line.find(' ');
    const size_t sp2 = line.find(' ', sp1 + 1);
    const std::string method = line.substr(0, sp1);
    const std::string target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    const std::string body = request.substr(header_end + 4, content_length);

    client::HttpResponse response;
    if (method == "POST") {
      auto r = log_.Post(target, "text/plain; charset=utf-8", body);
      response = r.has_value() ? *r : client::HttpResponse{500, "", std::nullopt, "fault"};
    } else if (target.rfind("/entry/", 0) == 0 && entries_) {
      auto index = ParseDecimalU64(std::string_view(target).substr(7));
      const auto& entries = entries_();
      if (index.has_value() && *index < entries.size()) {
        response =
            client::HttpResponse{200, "text/plain; charset=utf-8", std::nullopt, entries[*index]};
      } else {
        response = client::HttpResponse{404, "application/json", std::nullopt,
                                        R"({"error": "no such entry", "reason": "not_found"})"};
      }
    } else {
      auto r = log_.Get(target);
      response = r.has_value() ? *r : client::HttpResponse{500, "", std::nullopt, "fault"};
    }
    std::string answer = "HTTP/1.1 " + std::to_string(response.status) +
                         " X\r\nContent-Length: " + std::to_string(response.body.size()) +
                         "\r\nConnection: close\r\n";
    if (!response.content_type.empty()) answer += "Content-Type: " + response.content_type + "\r\n";
    answer += "\r\n" + response.body;
    size_t sent = 0;
    while (sent < answer.size()) {
      const ssize_t n = ::send(conn, answer.data() + sent, answer.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<size_t>(n);
    }
  }

  client::Fetcher& log_;
  std::function<const std::vector<std::string>&()> entries_;
  int listener_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace ltl::cli::testing

#endif  // LTL_TESTS_CLI_CLI_TESTING_H_
