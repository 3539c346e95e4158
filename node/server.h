// The node's HTTP/1.1 server: a thin Boost.Beast loop around
// node/http_handlers.h (STYLE.md habit 10). Beast and Asio stay in
// server.cpp; this header is plain C++.
//
// Model: an Asio thread pool (one thread per core by default) runs one
// acceptor and, per connection, a reader and a writer coroutine on the
// connection's strand:
//
//   socket --> reader: parse request (limits, timeouts) --> HandleRequest
//                 |                                            |
//                 +-- queue of at most max_pipelined_requests <+ responses
//                                  |    (answered in request order)
//   socket <-- writer <------------+
//
// Limits (ServerOptions, defaults in docs/operations.md): connection cap (503
// + Retry-After beyond it), header size (431), body size (413), malformed
// requests (400, then close), idle and read timeouts (close), write timeout,
// pipelining depth (the reader stops reading while the queue is full).
//
// Shutdown: Stop() closes the acceptor, lets every request already read be
// answered (with "Connection: close"), closes idle connections, and lets a
// request whose bytes are arriving finish within read_timeout. Wait()
// returns once every connection is closed and the pool has exited, so that
// the caller can close the store. After shutdown_grace, remaining
// connections are cut and Wait() reports it.
//
// Thread-safety: Stop(), port() and metrics() may be called from any thread;
// Wait() from one thread at a time.
#ifndef LTL_NODE_SERVER_H_
#define LTL_NODE_SERVER_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/status.h"
#include "node/http_handlers.h"
#include "node/log_backend.h"
#include "node/metrics.h"

namespace ltl::node {

// Receives one log line (without newline): one per answered request, plus
// server events (accept failures, forced shutdown). Must be thread-safe.
// Lines never contain request bodies or key material.
using LogSink = std::function<void(std::string_view line)>;

// Writes `line` and a newline to stderr in one call (lines do not interleave).
void LogToStderr(std::string_view line);

struct ServerOptions {
  // IP address literal to listen on ("127.0.0.1", "::1", "0.0.0.0").
  std::string host = "127.0.0.1";
  // TCP port; 0 asks the kernel for a free one (see Server::port()).
  uint16_t port = 8080;
  // I/O threads; 0 means one per core (std::thread::hardware_concurrency()).
  unsigned threads = 0;
  // Open connections beyond which new ones get 503 and are closed.
  size_t max_connections = 1024;
  // Largest request header block (request line + fields) -> 431 beyond.
  size_t max_header_bytes = 8 * 1024;
  // Time to receive a whole request once its first byte arrived.
  std::chrono::milliseconds read_timeout{10'000};
  // Time a keep-alive connection may wait for its next request.
  std::chrono::milliseconds idle_timeout{60'000};
  // Time to send one response.
  std::chrono::milliseconds write_timeout{30'000};
  // Requests read ahead of their answers on one connection.
  size_t max_pipelined_requests = 16;
  // After Stop(): how long to wait for in-flight requests before cutting.
  std::chrono::milliseconds shutdown_grace{30'000};
  // Install SIGINT/SIGTERM handlers that call Stop() (for main, not tests).
  bool stop_on_signals = false;
  // The request body limit is handlers.max_entry_bytes (413 beyond).
  HandlerOptions handlers;
  // The network roles' routes (node/http_handlers.h); empty: none.
  NetworkRoutes network;
  LogSink log = LogToStderr;
  // One line per answered request goes to `log` when true. When false the
  // server does not even build those lines (a few string copies and
  // allocations per request, measurable under ingest load).
  bool log_requests = true;
};

class Server {
 public:
  // Binds host:port, starts the pool and accepts connections.
  // REQUIRES: `backend` outlives the Server (see Wait()).
  // Errors: InvalidArgument for a host that is not an IP literal or a zero
  // limit; Unavailable when the address cannot be bound (in use, no rights).
  static Result<std::unique_ptr<Server>> Start(const ServerOptions& options, LogBackend& backend);

  // Stops and waits (as Stop(); Wait()) if the caller did not.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The bound port (the kernel's choice when options.port was 0).
  uint16_t port() const;

  // Requests and connection counters; GET /metrics renders them.
  const HttpMetrics& metrics() const;

  // Begins a graceful shutdown; returns at once. Idempotent.
  void Stop();

  // Blocks until the server has shut down (after Stop() or a signal).
  // Returns OK when every connection finished; Unavailable when
  // shutdown_grace expired and connections were cut. In that case the backend
  // may still hold Submit() callbacks: close the backend (running or dropping
  // them) before destroying the Server.
  Status Wait();

  struct Impl;

 private:
  explicit Server(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
  bool waited_ = false;
};

}  // namespace ltl::node

#endif  // LTL_NODE_SERVER_H_
