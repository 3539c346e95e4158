// Helpers for end-to-end tests that run the real `ltl-node` binary on
// 127.0.0.1: one-shot commands (init, fsck), a served node whose port is read
// from its "listening on" log line and which can be stopped with SIGTERM or
// SIGKILL, and a raw TCP client for requests no HTTP library would send
// (garbage request lines, lying Content-Length, stalled headers).
//
// Every wait is bounded: a hung node fails the test instead of hanging it.
// Between fork() and exec() the child only calls async-signal-safe functions
// (open, dup2, execv, _exit): the test process has threads.
#ifndef LTL_TESTS_E2E_NODE_PROCESS_H_
#define LTL_TESTS_E2E_NODE_PROCESS_H_

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "tests/testing/testing.h"

namespace ltl::e2e {

using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

inline std::string NodeBinary() {
  return (ltl::testing::BinaryDir() / "bin" / "ltl-node").string();
}

// Forks and execs `ltl-node args...` with stdout and stderr sent to
// `out_file` and `err_file` (truncated). Returns the child's pid.
inline pid_t SpawnNode(const std::vector<std::string>& args, const std::filesystem::path& out_file,
                       const std::filesystem::path& err_file) {
  std::vector<std::string> storage = {NodeBinary()};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string out_path = out_file.string();
  const std::string err_path = err_file.string();
  const pid_t pid = ::fork();
  if (pid < 0) std::abort();
  if (pid == 0) {
    const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0 || err < 0) ::_exit(126);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(err, STDERR_FILENO);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

// Waits for `pid` up to `limit`. Returns its exit code (128+N when killed by
// signal N), or nullopt when it is still running.
inline std::optional<int> WaitForExit(pid_t pid, milliseconds limit) {
  const auto deadline = SteadyClock::now() + limit;
  while (true) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
      return -1;
    }
    if (r < 0 && errno != EINTR) return -1;
    if (SteadyClock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(milliseconds(10));
  }
}

struct CommandResult {
  int exit_code = -1;  // -1 when it had to be killed after the time limit
  std::string out;
  std::string err;
};

// Runs `ltl-node args...` to completion (at most `limit`), output captured
// through files in `scratch`.
inline CommandResult RunNodeCommand(const std::vector<std::string>& args,
                                    const std::filesystem::path& scratch,
                                    milliseconds limit = milliseconds(60'000)) {
  const std::filesystem::path out = scratch / "command.out";
  const std::filesystem::path err = scratch / "command.err";
  const pid_t pid = SpawnNode(args, out, err);
  CommandResult r;
  if (std::optional<int> code = WaitForExit(pid, limit)) {
    r.exit_code = *code;
  } else {
    ::kill(pid, SIGKILL);
    WaitForExit(pid, milliseconds(10'000));
  }
  r.out = ltl::testing::ReadFileOrDie(out);
  r.err = ltl::testing::ReadFileOrDie(err);
  return r;
}

inline std::string Describe(const CommandResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\n--- stdout ---\n" + r.out + "--- stderr ---\n" +
         r.err;
}

// `ltl-node serve --data DATA --listen 127.0.0.1:0 EXTRA...`. Stdout and
// stderr (the access log) go to `log_file`. The destructor SIGKILLs a node
// that is still running, so a failed test never leaves one behind.
class NodeProcess {
 public:
  NodeProcess(const std::filesystem::path& data, std::filesystem::path log_file,
              const std::vector<std::string>& extra_args = {})
      : log_file_(std::move(log_file)) {
    std::vector<std::string> args = {"serve", "--data", data.string(), "--listen", "127.0.0.1:0"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    pid_ = SpawnNode(args, log_file_.string() + ".stdout", log_file_);
    const std::regex listening("listening on 127\\.0\\.0\\.1:([0-9]+)");
    const auto deadline = SteadyClock::now() + std::chrono::seconds(20);
    while (SteadyClock::now() < deadline) {
      std::smatch m;
      const std::string log = Log();
      if (std::regex_search(log, m, listening)) {
        port_ = static_cast<uint16_t>(std::stoi(m[1]));
        return;
      }
      if (std::optional<int> code = WaitForExit(pid_, milliseconds(0))) {
        ADD_FAILURE() << "ltl-node exited (" << *code << ") before listening:\n" << log;
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(milliseconds(10));
    }
    ADD_FAILURE() << "ltl-node did not report its port within 20 s:\n" << Log();
  }
  ~NodeProcess() {
    if (pid_ > 0) Kill();
  }
  NodeProcess(const NodeProcess&) = delete;
  NodeProcess& operator=(const NodeProcess&) = delete;

  bool listening() const { return pid_ > 0 && port_ != 0; }
  uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // Still running (not exited or reaped).
  bool alive() {
    if (pid_ <= 0) return false;
    if (std::optional<int> code = WaitForExit(pid_, milliseconds(0))) {
      exit_code_ = *code;
      pid_ = -1;
      return false;
    }
    return true;
  }
  // What the node wrote to stderr so far (the access log).
  std::string Log() const {
    std::error_code ec;
    if (!std::filesystem::exists(log_file_, ec)) return {};
    return ltl::testing::ReadFileOrDie(log_file_);
  }

  // SIGTERM, then waits up to `limit` for the exit. Returns the exit code, or
  // nullopt if the node did not exit in time (it is then SIGKILLed).
  std::optional<int> Terminate(milliseconds limit) {
    if (pid_ <= 0) return exit_code_;
    ::kill(pid_, SIGTERM);
    std::optional<int> code = WaitForExit(pid_, limit);
    if (!code) {
      Kill();
      return std::nullopt;
    }
    pid_ = -1;
    exit_code_ = code;
    return code;
  }
  // SIGKILL and reap: a crash with no chance to clean up.
  void Kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    exit_code_ = WaitForExit(pid_, milliseconds(10'000));
    pid_ = -1;
  }

 private:
  std::filesystem::path log_file_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::optional<int> exit_code_;
};

// A raw TCP connection to 127.0.0.1:port, for bytes an HTTP library will not
// send. Every read waits at most the given time.
class RawConnection {
 public:
  explicit RawConnection(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ >= 0 && ::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return fd_ >= 0; }

  // Sends all of `bytes`; false if the peer closed or reset the connection.
  bool Send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  void ShutdownWrite() { ::shutdown(fd_, SHUT_WR); }

  // Reads until `done(received)` holds, the peer closes, or `limit` passes.
  // Returns what was received; closed() tells whether the peer closed.
  std::string ReadUntil(const std::function<bool(const std::string&)>& done, milliseconds limit) {
    const auto deadline = SteadyClock::now() + limit;
    while (!done(received_) && !closed_) {
      const auto left =
          std::chrono::duration_cast<milliseconds>(deadline - SteadyClock::now()).count();
      if (left <= 0) break;
      pollfd p{fd_, POLLIN, 0};
      const int ready = ::poll(&p, 1, static_cast<int>(left));
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) break;
      char buf[8192];
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        closed_ = true;  // orderly close (0) or reset (< 0)
        break;
      }
      received_.append(buf, static_cast<size_t>(n));
    }
    return received_;
  }

  // One whole HTTP response (headers and a Content-Length body).
  std::string ReadResponse(milliseconds limit) {
    return ReadUntil(
        [](const std::string& r) {
          const size_t end = r.find("\r\n\r\n");
          if (end == std::string::npos) return false;
          static const std::regex length("\r\n[Cc]ontent-[Ll]ength: *([0-9]+)\r\n");
          std::smatch m;
          const std::string head = r.substr(0, end + 2);
          const size_t body = std::regex_search(head, m, length) ? std::stoul(m[1]) : 0;
          return r.size() >= end + 4 + body;
        },
        limit);
  }
  // Waits for the peer to close (up to `limit`); true if it did.
  bool WaitForClose(milliseconds limit) {
    ReadUntil([](const std::string&) { return false; }, limit);
    return closed_;
  }
  bool closed() const { return closed_; }

 private:
  int fd_ = -1;
  std::string received_;
  bool closed_ = false;
};

// The status code of an HTTP/1.1 response's status line, or 0.
inline int StatusOf(std::string_view response) {
  if (!response.starts_with("HTTP/1.1 ") || response.size() < 12) return 0;
  const std::string_view code = response.substr(9, 3);
  int out = 0;
  for (char c : code) {
    if (c < '0' || c > '9') return 0;
    out = out * 10 + (c - '0');
  }
  return out;
}

// The body of a complete HTTP response (after the blank line), or "".
inline std::string BodyOf(const std::string& response) {
  const size_t end = response.find("\r\n\r\n");
  return end == std::string::npos ? std::string() : response.substr(end + 4);
}

}  // namespace ltl::e2e

#endif  // LTL_TESTS_E2E_NODE_PROCESS_H_
