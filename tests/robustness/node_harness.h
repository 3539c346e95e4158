// Helpers for the robustness tests: the real `ltl-node` as a child process,
// a raw HTTP/1.1 client over POSIX sockets (the abuse tests need byte-level
// control and a client that never retries), and entries a node admits.
#ifndef LTL_TESTS_ROBUSTNESS_NODE_HARNESS_H_
#define LTL_TESTS_ROBUSTNESS_NODE_HARNESS_H_

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "ledger/entry.h"
#include "ledger/keys.h"
#include "ledger/note.h"
#include "tests/testing/testing.h"

namespace ltl::robustness {

inline std::filesystem::path NodeBinary() { return ltl::testing::BinaryDir() / "bin" / "ltl-node"; }
inline std::filesystem::path LtlBinary() { return ltl::testing::BinaryDir() / "bin" / "ltl"; }
inline std::filesystem::path FaultShim() {
  return ltl::testing::BinaryDir() / "lib" / "libltl_fault_shim.so";
}

namespace detail {

// execv with `env` added to (or replacing in) the current environment.
[[noreturn]] inline void Exec(const std::filesystem::path& binary,
                              const std::vector<std::string>& args,
                              const std::map<std::string, std::string>& env) {
  for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
  std::vector<std::string> storage = {binary.string()};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  ::execv(binary.c_str(), argv.data());
  ::_exit(127);
}

inline std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace detail

struct RunResult {
  int exit_code = -1;
  std::string out;  // stdout and stderr, interleaved
};

// Runs `binary args...` to completion with `env` added to the environment.
inline RunResult RunProgram(const std::filesystem::path& binary,
                            const std::vector<std::string>& args,
                            const std::map<std::string, std::string>& env = {}) {
  int fds[2];
  if (::pipe(fds) != 0) std::abort();
  const pid_t pid = ::fork();
  if (pid < 0) std::abort();
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::dup2(fds[1], STDERR_FILENO);
    ::close(fds[0]);
    ::close(fds[1]);
    detail::Exec(binary, args, env);
  }
  ::close(fds[1]);
  RunResult r;
  char buf[4096];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    r.out.append(buf, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

// `ltl-node init --data DIR --origin ORIGIN`; returns the verifier key it
// prints (its last line). Fails the test on error.
inline std::string InitNode(const std::filesystem::path& dir, std::string_view origin) {
  RunResult r =
      RunProgram(NodeBinary(), {"init", "--data", dir.string(), "--origin", std::string(origin)});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  std::string out = r.out;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out.substr(out.rfind('\n') + 1);
}

// `ltl-node serve --data DIR --listen 127.0.0.1:0 <extra_args>` with `env`
// added; its output goes to `log_file`. Start() returns once the node logged
// its port (false if it died or did not within 30 s). The destructor kills
// (SIGKILL) and reaps a node still running.
class NodeProcess {
 public:
  NodeProcess(std::filesystem::path data, std::filesystem::path log_file,
              std::vector<std::string> extra_args = {}, std::map<std::string, std::string> env = {})
      : data_(std::move(data)),
        log_file_(std::move(log_file)),
        extra_args_(std::move(extra_args)),
        env_(std::move(env)) {}
  ~NodeProcess() {
    if (running()) Stop(SIGKILL);
  }
  NodeProcess(const NodeProcess&) = delete;
  NodeProcess& operator=(const NodeProcess&) = delete;

  bool Start() {
    port_ = 0;
    const int log_fd = ::open(log_file_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log_fd < 0) return false;
    log_offset_ = static_cast<size_t>(::lseek(log_fd, 0, SEEK_END));
    pid_ = ::fork();
    if (pid_ < 0) std::abort();
    if (pid_ == 0) {
      ::dup2(log_fd, STDOUT_FILENO);
      ::dup2(log_fd, STDERR_FILENO);
      std::vector<std::string> args = {"serve", "--data", data_.string(), "--listen",
                                       "127.0.0.1:0"};
      args.insert(args.end(), extra_args_.begin(), extra_args_.end());
      detail::Exec(NodeBinary(), args, env_);
    }
    ::close(log_fd);
    const std::regex listening("listening on 127\\.0\\.0\\.1:([0-9]+)");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      const std::string log = Log();
      std::smatch m;
      if (std::regex_search(log, m, listening)) {
        port_ = static_cast<uint16_t>(std::stoi(m[1]));
        return true;
      }
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  // Sends `signal`, reaps the process and returns its wait status.
  int Stop(int signal) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, signal);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }
  bool running() const { return pid_ > 0; }
  uint16_t port() const { return port_; }
  // What the node wrote since the last Start().
  std::string Log() const { return detail::ReadAll(log_file_).substr(log_offset_); }

 private:
  std::filesystem::path data_, log_file_;
  std::vector<std::string> extra_args_;
  std::map<std::string, std::string> env_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  size_t log_offset_ = 0;
};

struct HttpAnswer {
  int status = 0;    // 0: no complete answer (refused, reset, timed out)
  std::string head;  // status line and header fields
  std::string body;
  // The value of the first header `name` (case-insensitive), or nullopt.
  std::optional<std::string> Header(std::string_view name) const {
    std::string lower_head = head;
    std::transform(lower_head.begin(), lower_head.end(), lower_head.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string needle = "\r\n" + std::string(name) + ":";
    std::transform(needle.begin(), needle.end(), needle.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const size_t at = lower_head.find(needle);
    if (at == std::string::npos) return std::nullopt;
    size_t begin = at + needle.size();
    const size_t end = head.find("\r\n", begin);
    while (begin < end && head[begin] == ' ') ++begin;
    return head.substr(begin, end - begin);
  }
};

// A connected TCP socket to 127.0.0.1:port, or -1.
inline int ConnectLocal(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

inline bool SendAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Reads one HTTP/1.1 answer (Content-Length framed) from `fd` within `timeout`.
inline HttpAnswer ReadAnswer(int fd, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string data;
  HttpAnswer answer;
  size_t head_end = std::string::npos;
  size_t want = std::string::npos;
  while (true) {
    if (head_end == std::string::npos && (head_end = data.find("\r\n\r\n")) != std::string::npos) {
      answer.head = data.substr(0, head_end + 2);
      const std::optional<std::string> length = answer.Header("Content-Length");
      want = head_end + 4 + (length ? std::stoull(*length) : 0);
    }
    if (want != std::string::npos && data.size() >= want) {
      answer.body = data.substr(head_end + 4, want - head_end - 4);
      if (answer.head.size() >= 12 && answer.head.starts_with("HTTP/1.1 ")) {
        answer.status = std::stoi(answer.head.substr(9, 3));
      }
      return answer;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return HttpAnswer{};
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return HttpAnswer{};
    char buf[16384];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return HttpAnswer{};
    data.append(buf, static_cast<size_t>(n));
  }
}

inline std::string RequestBytes(std::string_view method, std::string_view target,
                                std::string_view body, bool close = true) {
  std::string req =
      std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  if (close) req += "Connection: close\r\n";
  if (method == "POST") {
    req += "Content-Type: text/plain; charset=utf-8\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n";
  req += body;
  return req;
}

// One request on a fresh connection ("Connection: close").
inline HttpAnswer Http(uint16_t port, std::string_view method, std::string_view target,
                       std::string_view body = {},
                       std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const int fd = ConnectLocal(port);
  if (fd < 0) return HttpAnswer{};
  HttpAnswer answer;
  if (SendAll(fd, RequestBytes(method, target, body))) answer = ReadAnswer(fd, timeout);
  ::close(fd);
  return answer;
}

// Entries a node with an empty key registry admits: Registration() is the
// `key` entry of a fixed licensor key; once it is logged, Grant(n) is a
// licence offer signed by that key, distinct for every n.
class EntryMaker {
 public:
  explicit EntryMaker(std::string_view key_name = "torture.ltl.example/ltl")
      : key_(ledger::SigningKey::FromSeed(key_name, Bytes(32, 0x5a)).value()) {}

  std::string Registration() const {
    ledger::KeyEntry e;
    e.key = key_.verifier();
    e.roles = {ledger::Role::kLicensor};
    e.party_name = "Torture Test Ltd";
    e.not_before = ledger::ParseTimestamp("2020-01-01T00:00:00Z").value();
    e.issued = ledger::ParseTimestamp("2020-01-01T00:00:00Z").value();
    return Sign(e);
  }

  std::string Grant(uint64_t n) const {
    ledger::LicenceGrant g;
    g.grant_id = "torture-" + std::to_string(n);
    g.kind = ledger::GrantKind::kOffer;
    g.licensor = key_.verifier();
    g.works = {ledger::ParseWorkId("isrc:GB-AYE-69-00531").value()};
    g.permit_uses = {ledger::Use::kAiAll};
    g.territories = {"WORLD"};
    g.not_before = ledger::ParseTimestamp("2026-02-01T00:00:00Z").value();
    g.issued = ledger::ParseTimestamp("2026-01-15T12:00:00Z").value();
    return Sign(g);
  }

  const ledger::SigningKey& key() const { return key_; }

 private:
  std::string Sign(const ledger::EntryBody& body) const {
    return ledger::SignNote(ledger::FormatEntryText(body), key_).value();
  }
  ledger::SigningKey key_;
};

}  // namespace ltl::robustness

#endif  // LTL_TESTS_ROBUSTNESS_NODE_HARNESS_H_
