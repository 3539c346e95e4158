// ltl-loadgen: drives an LTL node on 127.0.0.1 over keep-alive HTTP/1.1 and
// prints throughput and latency percentiles. It measures; it never asserts.
//
//   ltl-loadgen --port PORT --mode add|tile|inclusion|checkpoint
//               [--connections N] [--duration SECONDS]
//               [--entries FILE | --payload TEXT] [--rate REQUESTS_PER_SECOND]
//               [--pipeline DEPTH]
//
// --rate R paces the load: each connection sends at fixed intervals so that
// all of them together offer R requests/s (for a latency figure at a chosen
// fraction of the maximum rate). A request's latency is then counted from the
// time it was due, not from when it was sent, so a server that falls behind
// is charged for the queueing it causes. Without --rate every connection sends
// its next request as soon as the previous answer arrives (closed loop).
//
// --pipeline D (closed loop only): each connection sends D requests back to
// back (HTTP/1.1 pipelining) and then reads their D answers, so that C
// connections keep up to C x D requests in flight. A closed loop can never
// exceed (requests in flight) / latency: with a durable commit in every
// answer's latency, a maximum-rate measurement needs more requests in flight
// than a reasonable number of sockets gives. Each answer's latency counts
// from when its group was sent.
//
// Modes:
//   add         POST /add. Entries come from --entries FILE (pre-signed notes,
//               used round-robin; once each has been sent, repeats measure the
//               deduplication path), or --payload TEXT (the same bytes every
//               time), or, by default, unique generated lines (which a real log
//               refuses with 400: this measures the HTTP path and the entry
//               parser, not the sequencer).
//   tile        GET /tile/0/<N> over the level-0 tiles of the tree at start.
//   inclusion   GET /proof/inclusion?index=I&size=S, I random below S.
//   checkpoint  GET /checkpoint.
//
// Entries file format: entries separated by a line consisting of "%%" alone
// (signed notes contain blank lines, so a blank line cannot separate them):
//
//   <note 1 text>\n\n— signer sig\n%%\n<note 2 text>\n\n— signer sig\n
//
// Each entry is the bytes between separators, including its final "\n".
// Bounds: 1..1024 connections, 1..120 seconds, 127.0.0.1 only (so it cannot be
// pointed at someone else's server).
#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "base/encoding.h"
#include "proofs/tiles.h"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);
constexpr uint64_t kMaxConnections = 1024;
constexpr uint64_t kMaxDurationSeconds = 120;
// ltl-node reads at most 16 requests ahead of its answers by default.
constexpr uint64_t kMaxPipeline = 16;

enum class Mode { kAdd, kTile, kInclusion, kCheckpoint };

struct Config {
  uint16_t port = 0;
  Mode mode = Mode::kCheckpoint;
  uint64_t connections = 16;
  uint64_t duration_seconds = 10;
  std::vector<std::string> entries;  // add mode; empty means generated
  bool fixed_payload = false;
  uint64_t rate = 0;      // requests/s over all connections; 0 = closed loop
  uint64_t pipeline = 1;  // requests sent back to back per connection
};

void Usage() {
  std::fprintf(stderr,
               "usage: ltl-loadgen --port PORT --mode add|tile|inclusion|checkpoint\n"
               "                   [--connections 1..1024 (16)] [--duration 1..120 seconds (10)]\n"
               "                   [--entries FILE | --payload TEXT] [--host 127.0.0.1]\n"
               "                   [--rate 1..1000000 requests/s over all connections]\n"
               "                   [--pipeline 1..16 requests in flight per connection (1)]\n"
               "entries file: entries separated by a line \"%%%%\" alone\n");
}

ltl::Result<std::vector<std::string>> ReadEntriesFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return ltl::Status::NotFound("cannot open " + path);
  std::ostringstream text;
  text << in.rdbuf();
  std::string all = text.str();
  std::vector<std::string> entries;
  std::string current;
  size_t pos = 0;
  while (pos < all.size()) {
    size_t nl = all.find('\n', pos);
    std::string_view line =
        std::string_view(all).substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? all.size() : nl + 1;
    if (line == "%%") {
      if (current.empty()) return ltl::Status::InvalidArgument("empty entry before a %% line");
      entries.push_back(std::move(current));
      current.clear();
      continue;
    }
    current.append(line);
    if (nl != std::string::npos) current += '\n';
  }
  if (!current.empty()) entries.push_back(std::move(current));
  if (entries.empty()) return ltl::Status::InvalidArgument(path + " holds no entries");
  return entries;
}

ltl::Result<Config> ParseArgs(int argc, char** argv) {
  Config c;
  bool have_port = false, have_mode = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view flag = argv[i];
    if (flag == "--help" || flag == "-h") return ltl::Status::InvalidArgument("help");
    if (i + 1 >= argc) return ltl::Status::InvalidArgument(std::string(flag) + " needs a value");
    std::string_view value = argv[++i];
    auto number = [&](uint64_t min, uint64_t max) -> ltl::Result<uint64_t> {
      ltl::Result<uint64_t> n = ltl::ParseDecimalU64(value);
      if (!n || *n < min || *n > max) {
        return ltl::Status::InvalidArgument(std::string(flag) + ": want " + std::to_string(min) +
                                            ".." + std::to_string(max));
      }
      return n;
    };
    if (flag == "--host") {
      if (value != "127.0.0.1") {
        return ltl::Status::PermissionDenied("ltl-loadgen only targets 127.0.0.1");
      }
    } else if (flag == "--port") {
      LTL_ASSIGN_OR_RETURN(uint64_t p, number(1, 65535));
      c.port = static_cast<uint16_t>(p);
      have_port = true;
    } else if (flag == "--mode") {
      have_mode = true;
      if (value == "add") {
        c.mode = Mode::kAdd;
      } else if (value == "tile") {
        c.mode = Mode::kTile;
      } else if (value == "inclusion") {
        c.mode = Mode::kInclusion;
      } else if (value == "checkpoint") {
        c.mode = Mode::kCheckpoint;
      } else {
        return ltl::Status::InvalidArgument("--mode: add, tile, inclusion or checkpoint");
      }
    } else if (flag == "--connections") {
      LTL_ASSIGN_OR_RETURN(c.connections, number(1, kMaxConnections));
    } else if (flag == "--duration") {
      LTL_ASSIGN_OR_RETURN(c.duration_seconds, number(1, kMaxDurationSeconds));
    } else if (flag == "--pipeline") {
      LTL_ASSIGN_OR_RETURN(c.pipeline, number(1, kMaxPipeline));
    } else if (flag == "--rate") {
      LTL_ASSIGN_OR_RETURN(c.rate, number(1, 1'000'000));
    } else if (flag == "--entries") {
      if (!c.entries.empty()) return ltl::Status::InvalidArgument("--entries or --payload, once");
      LTL_ASSIGN_OR_RETURN(c.entries, ReadEntriesFile(std::string(value)));
    } else if (flag == "--payload") {
      if (!c.entries.empty()) return ltl::Status::InvalidArgument("--entries or --payload, once");
      if (value.empty()) return ltl::Status::InvalidArgument("--payload: empty");
      c.entries = {std::string(value)};
      c.fixed_payload = true;
    } else {
      return ltl::Status::InvalidArgument("unknown flag " + std::string(flag));
    }
  }
  if (!have_port || !have_mode)
    return ltl::Status::InvalidArgument("--port and --mode are required");
  if (c.pipeline > 1 && c.rate != 0) {
    return ltl::Status::InvalidArgument("--pipeline is for the closed loop, not with --rate");
  }
  return c;
}

// What every connection records.
struct Stats {
  std::vector<uint32_t> latencies_us;
  std::map<int, uint64_t> statuses;
  uint64_t connection_errors = 0;
};

struct Shared {
  Config config;
  tcp::endpoint endpoint;
  Clock::time_point deadline;
  uint64_t tree_size = 0;
  std::atomic<uint64_t> next_entry{0};
};

// The next entry of the file, round-robin over all connections.
std::string_view NextEntry(Shared& shared) {
  const uint64_t i = shared.next_entry.fetch_add(1, std::memory_order_relaxed);
  return shared.config.entries[i % shared.config.entries.size()];
}

// The head of a POST /add request with a body of `body_size` bytes, the same
// fields NextRequest sets, into `out` (reusing its capacity).
void FormatAddHead(size_t body_size, std::string& out) {
  out.assign(
      "POST /add HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Content-Type: text/plain; charset=utf-8\r\nContent-Length: ");
  char digits[24];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, body_size);
  out.append(digits, end);
  out.append("\r\n\r\n");
}

http::request<http::string_body> NextRequest(Shared& shared, uint64_t connection, uint64_t sequence,
                                             std::mt19937_64& rng) {
  http::request<http::string_body> req;
  req.version(11);
  req.set(http::field::host, "127.0.0.1");
  req.keep_alive(true);
  switch (shared.config.mode) {
    case Mode::kAdd: {
      req.method(http::verb::post);
      req.target("/add");
      req.set(http::field::content_type, "text/plain; charset=utf-8");
      if (shared.config.entries.empty()) {
        req.body() =
            "ltl-loadgen " + std::to_string(connection) + " " + std::to_string(sequence) + "\n";
      } else {
        req.body() = NextEntry(shared);
      }
      req.prepare_payload();
      break;
    }
    case Mode::kTile: {
      req.method(http::verb::get);
      uint64_t full = ltl::proofs::FullTileCount(shared.tree_size, 0);
      ltl::proofs::TileId tile;
      if (full > 0) {
        tile.index = rng() % full;
      } else {
        tile.width = ltl::proofs::PartialTileWidth(shared.tree_size, 0);
      }
      req.target("/" + ltl::proofs::FormatTilePath(tile));
      break;
    }
    case Mode::kInclusion: {
      req.method(http::verb::get);
      uint64_t index = rng() % shared.tree_size;
      req.target("/proof/inclusion?index=" + std::to_string(index) +
                 "&size=" + std::to_string(shared.tree_size));
      break;
    }
    case Mode::kCheckpoint:
      req.method(http::verb::get);
      req.target("/checkpoint");
      break;
  }
  return req;
}

asio::awaitable<void> RunConnection(Shared& shared, uint64_t connection, Stats& stats) {
  std::mt19937_64 rng(connection * 7919 + 1);
  uint64_t sequence = 0;
  // Paced mode: this connection's share of --rate, first sends staggered.
  const auto interval =
      shared.config.rate == 0
          ? Clock::duration::zero()
          : std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                static_cast<double>(shared.config.connections) / shared.config.rate));
  Clock::time_point due =
      Clock::now() + interval * static_cast<int64_t>(connection) /
                         static_cast<int64_t>(std::max<uint64_t>(shared.config.connections, 1));
  while (Clock::now() < shared.deadline) {
    beast::tcp_stream stream(co_await asio::this_coro::executor);
    stream.expires_after(std::chrono::seconds(10));
    auto [cec] = co_await stream.async_connect(shared.endpoint, kAsTuple);
    if (cec) {
      // Refused or timed out: pause so that a dead server is not hammered.
      ++stats.connection_errors;
      asio::steady_timer pause(co_await asio::this_coro::executor, std::chrono::milliseconds(100));
      co_await pause.async_wait(kAsTuple);
      continue;
    }
    beast::flat_buffer buffer;
    // Add mode with an entries file: the request head is formatted into this
    // buffer and the body is sent from the entries in place (one writev, no
    // copy, no header allocations): the generator shares the cores with the
    // node, so its cost per request is kept small.
    const bool raw_add = shared.config.mode == Mode::kAdd && !shared.config.entries.empty();
    const size_t depth = shared.config.pipeline;
    std::vector<std::string> heads(depth);
    std::vector<asio::const_buffer> raw_requests;
    std::vector<http::request<http::string_body>> requests(depth);
    bool open = true;
    while (open && Clock::now() < shared.deadline) {
      // `depth` requests are sent back to back (HTTP/1.1 pipelining), then
      // their `depth` answers are read, in order.
      raw_requests.clear();
      for (size_t k = 0; k < depth; ++k) {
        if (raw_add) {
          const std::string_view body = NextEntry(shared);
          FormatAddHead(body.size(), heads[k]);
          raw_requests.push_back(asio::buffer(heads[k]));
          raw_requests.push_back(asio::buffer(body));
        } else {
          requests[k] = NextRequest(shared, connection, sequence++, rng);
        }
      }
      Clock::time_point start = Clock::now();
      if (shared.config.rate != 0) {  // depth is 1 when paced
        if (due > start) {
          asio::steady_timer wait(co_await asio::this_coro::executor, due);
          co_await wait.async_wait(kAsTuple);
          if (Clock::now() >= shared.deadline) break;
        }
        start = due;  // latency counts from when the request was due
        due += interval;
      }
      stream.expires_after(std::chrono::seconds(30));
      if (raw_add) {
        auto [wec, wn] = co_await asio::async_write(stream, raw_requests, kAsTuple);
        if (wec) break;
      } else {
        bool written = true;
        for (size_t k = 0; k < depth && written; ++k) {
          auto [wec, wn] = co_await http::async_write(stream, requests[k], kAsTuple);
          written = !wec;
        }
        if (!written) break;
      }
      for (size_t k = 0; k < depth; ++k) {
        http::response<http::string_body> res;
        auto [rec, rn] = co_await http::async_read(stream, buffer, res, kAsTuple);
        if (rec) {
          open = false;
          break;
        }
        auto us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
        stats.latencies_us.push_back(
            static_cast<uint32_t>(std::min<int64_t>(us.count(), UINT32_MAX)));
        ++stats.statuses[res.result_int()];
        if (!res.keep_alive()) {
          open = false;
          break;
        }
      }
    }
    if (Clock::now() < shared.deadline) ++stats.connection_errors;
  }
}

// GET /checkpoint once, synchronously, for the tree size.
ltl::Result<uint64_t> FetchTreeSize(const tcp::endpoint& endpoint) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  beast::error_code ec;
  stream.socket().connect(endpoint, ec);
  if (ec) return ltl::Status::Unavailable("connect: " + ec.message());
  http::request<http::empty_body> req{http::verb::get, "/checkpoint", 11};
  req.set(http::field::host, "127.0.0.1");
  http::write(stream, req, ec);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  if (!ec) http::read(stream, buffer, res, ec);
  if (ec) return ltl::Status::Unavailable("GET /checkpoint: " + ec.message());
  if (res.result_int() != 200) {
    return ltl::Status::Unavailable("GET /checkpoint: HTTP " + std::to_string(res.result_int()));
  }
  // The tree size is the checkpoint's second line.
  std::string_view body = res.body();
  size_t first = body.find('\n');
  size_t second = first == std::string_view::npos ? first : body.find('\n', first + 1);
  if (second == std::string_view::npos) return ltl::Status::DataLoss("checkpoint: too short");
  return ltl::ParseDecimalU64(body.substr(first + 1, second - first - 1));
}

uint32_t Percentile(const std::vector<uint32_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t rank = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(rank, sorted.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  ltl::Result<Config> config = ParseArgs(argc, argv);
  if (!config) {
    if (config.error().message() != "help") {
      std::fprintf(stderr, "ltl-loadgen: %s\n", config.error().ToString().c_str());
    }
    Usage();
    return 2;
  }
  Shared shared;
  shared.config = std::move(*config);
  shared.endpoint = tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), shared.config.port);
  if (shared.config.mode == Mode::kTile || shared.config.mode == Mode::kInclusion) {
    ltl::Result<uint64_t> size = FetchTreeSize(shared.endpoint);
    if (!size) {
      std::fprintf(stderr, "ltl-loadgen: %s\n", size.error().ToString().c_str());
      return 1;
    }
    if (*size == 0) {
      std::fprintf(stderr, "ltl-loadgen: the log is empty; add entries first\n");
      return 1;
    }
    shared.tree_size = *size;
  }

  // One I/O thread: the generator should not compete with the node for cores
  // more than it must; its work per request is small next to the server's.
  asio::io_context io(1);
  std::vector<Stats> stats(shared.config.connections);
  Clock::time_point start = Clock::now();
  shared.deadline = start + std::chrono::seconds(shared.config.duration_seconds);
  for (uint64_t i = 0; i < shared.config.connections; ++i) {
    asio::co_spawn(io, RunConnection(shared, i, stats[i]), asio::detached);
  }
  io.run();
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();

  std::vector<uint32_t> all;
  std::map<int, uint64_t> statuses;
  uint64_t connection_errors = 0;
  for (const Stats& s : stats) {
    all.insert(all.end(), s.latencies_us.begin(), s.latencies_us.end());
    for (const auto& [code, n] : s.statuses) statuses[code] += n;
    connection_errors += s.connection_errors;
  }
  std::sort(all.begin(), all.end());
  static constexpr const char* kModeNames[] = {"add", "tile", "inclusion", "checkpoint"};
  std::printf("mode %s, %llu connections, %.1f s", kModeNames[static_cast<int>(shared.config.mode)],
              static_cast<unsigned long long>(shared.config.connections), elapsed);
  if (shared.config.rate != 0) {
    std::printf(", paced at %llu requests/s", static_cast<unsigned long long>(shared.config.rate));
  }
  if (shared.config.pipeline > 1) {
    std::printf(", %llu pipelined per connection",
                static_cast<unsigned long long>(shared.config.pipeline));
  }
  std::printf("\n");
  std::printf("requests: %zu, %.0f requests/s\n", all.size(),
              static_cast<double>(all.size()) / elapsed);
  if (shared.config.mode == Mode::kAdd) {
    uint64_t accepted = statuses.count(200) ? statuses[200] : 0;
    std::printf("entries acknowledged (200): %llu, %.0f entries/s%s\n",
                static_cast<unsigned long long>(accepted), static_cast<double>(accepted) / elapsed,
                !shared.config.fixed_payload && !shared.config.entries.empty() &&
                        shared.next_entry.load() > shared.config.entries.size()
                    ? " (entries file reused: later answers are deduplicated)"
                    : "");
  }
  std::printf("latency us: p50 %u  p90 %u  p99 %u  max %u\n", Percentile(all, 0.50),
              Percentile(all, 0.90), Percentile(all, 0.99), all.empty() ? 0 : all.back());
  std::printf("statuses:");
  for (const auto& [code, n] : statuses)
    std::printf(" %d:%llu", code, static_cast<unsigned long long>(n));
  std::printf("\nconnection errors: %llu\n", static_cast<unsigned long long>(connection_errors));
  return 0;
}
