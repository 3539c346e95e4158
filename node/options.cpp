#include "node/options.h"

#include <algorithm>
#include <fstream>
#include <functional>
#include <limits>
#include <set>
#include <sstream>

#include "base/encoding.h"

namespace ltl::node {
namespace {

// Keep in step with docs/operations.md#options and with the defaults in
// node/server.h and node/http_handlers.h (options_test.cpp checks both).
constexpr OptionInfo kOptions[] = {
    {"data", "(required)", "Directory of the log's store."},
    {"listen", "127.0.0.1:8080", "HOST:PORT to listen on; port 0 picks a free port."},
    {"threads", "0", "I/O threads; 0 means one per core."},
    {"max_connections", "1024", "Open connections beyond which new ones get 503."},
    {"max_header_bytes", "8192", "Largest request header block; 431 beyond."},
    {"max_entry_bytes", "65535", "Largest request body (POST /add entry); 413 beyond."},
    {"max_pipelined_requests", "16", "Requests read ahead of their answers per connection."},
    {"read_timeout_ms", "10000", "Time to receive a request once its first byte arrived."},
    {"idle_timeout_ms", "60000", "Time a keep-alive connection may wait for a request."},
    {"write_timeout_ms", "30000", "Time to send one response."},
    {"shutdown_grace_ms", "30000", "After SIGTERM: time for in-flight requests to finish."},
    {"retry_after_seconds", "1", "Retry-After on 503 answers."},
    {"checkpoint_max_age_seconds", "2", "Cache-Control max-age of GET /checkpoint."},
    {"lookup_default_limit", "100", "GET /lookup page size without limit=."},
    {"lookup_max_limit", "1000", "Largest accepted GET /lookup limit=."},
    {"access_log", "stderr", "Where request log lines go: stderr or off."},
    {"batch_max_entries", "1024",
     "A sequencer batch is committed when it holds this many entries."},
    {"batch_max_delay_ms", "20", "...or when its oldest entry has waited this long."},
    {"max_queued_entries", "16384", "Submissions in flight beyond which POST /add gets 503."},
    {"admission_workers", "0", "Signature-checking threads; 0 means one per core."},
};

Result<uint64_t> ParseBounded(std::string_view name, std::string_view value, uint64_t min,
                              uint64_t max) {
  Result<uint64_t> n = ParseDecimalU64(value);
  if (!n || *n < min || *n > max) {
    return Status::InvalidArgument(std::string(name) + ": want a decimal integer in [" +
                                   FormatDecimalU64(min) + ", " + FormatDecimalU64(max) +
                                   "], got '" + std::string(value) + "'");
  }
  return n;
}

constexpr uint64_t kMaxU32 = std::numeric_limits<uint32_t>::max();
// One day: longer timeouts are surely a typo (milliseconds for seconds).
constexpr uint64_t kMaxTimeoutMs = 86'400'000;

std::string FlagName(std::string_view option) {
  std::string flag = "--" + std::string(option);
  std::replace(flag.begin(), flag.end(), '_', '-');
  return flag;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

Result<std::string> ReadWholeFile(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return Status::NotFound("config file " + path.string() + " does not exist");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Unavailable("cannot open config file " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::Unavailable("cannot read config file " + path.string());
  return text.str();
}

}  // namespace

std::span<const OptionInfo> ServeOptionTable() { return kOptions; }

Status ParseListenAddress(std::string_view text, std::string& host, uint16_t& port) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return Status::InvalidArgument("listen: want HOST:PORT, got '" + std::string(text) + "'");
  }
  std::string_view h = text.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') {
    h = h.substr(1, h.size() - 2);
    if (h.find(':') == std::string_view::npos) {
      return Status::InvalidArgument("listen: brackets are for IPv6 addresses only");
    }
  } else if (h.find(':') != std::string_view::npos) {
    return Status::InvalidArgument("listen: write an IPv6 host in brackets, e.g. [::1]:8080");
  }
  if (h.empty()) return Status::InvalidArgument("listen: empty host");
  LTL_ASSIGN_OR_RETURN(uint64_t p, ParseBounded("listen port", text.substr(colon + 1), 0, 65535));
  host = h == "localhost" ? "127.0.0.1" : std::string(h);
  port = static_cast<uint16_t>(p);
  return Status::Ok();
}

Status SetServeOption(std::string_view name, std::string_view value, ServeOptions& options) {
  ServerOptions& s = options.server;
  auto set_ms = [&](std::chrono::milliseconds& field, uint64_t min) -> Status {
    LTL_ASSIGN_OR_RETURN(uint64_t ms, ParseBounded(name, value, min, kMaxTimeoutMs));
    field = std::chrono::milliseconds(ms);
    return Status::Ok();
  };
  auto set_u64 = [&](auto& field, uint64_t min, uint64_t max) -> Status {
    LTL_ASSIGN_OR_RETURN(uint64_t n, ParseBounded(name, value, min, max));
    field = static_cast<std::remove_reference_t<decltype(field)>>(n);
    return Status::Ok();
  };
  if (name == "data") {
    if (value.empty()) return Status::InvalidArgument("data: empty path");
    options.data_dir = std::filesystem::path(std::string(value));
    return Status::Ok();
  }
  if (name == "listen") return ParseListenAddress(value, s.host, s.port);
  if (name == "threads") return set_u64(s.threads, 0, 1024);
  if (name == "max_connections") return set_u64(s.max_connections, 1, 1'000'000);
  if (name == "max_header_bytes") return set_u64(s.max_header_bytes, 512, 1 << 20);
  // 65535: the tlog-tiles entry bundle length prefix is a uint16.
  if (name == "max_entry_bytes") return set_u64(s.handlers.max_entry_bytes, 1, 65535);
  if (name == "max_pipelined_requests") return set_u64(s.max_pipelined_requests, 1, 1024);
  if (name == "read_timeout_ms") return set_ms(s.read_timeout, 1);
  if (name == "idle_timeout_ms") return set_ms(s.idle_timeout, 1);
  if (name == "write_timeout_ms") return set_ms(s.write_timeout, 1);
  if (name == "shutdown_grace_ms") return set_ms(s.shutdown_grace, 0);
  if (name == "retry_after_seconds") return set_u64(s.handlers.retry_after_seconds, 0, 86'400);
  if (name == "checkpoint_max_age_seconds") {
    return set_u64(s.handlers.checkpoint_max_age_seconds, 0, 3600);
  }
  if (name == "lookup_default_limit") return set_u64(s.handlers.lookup_default_limit, 1, kMaxU32);
  if (name == "lookup_max_limit") return set_u64(s.handlers.lookup_max_limit, 1, kMaxU32);
  if (name == "batch_max_entries") return set_u64(options.log.max_batch_entries, 1, 65536);
  if (name == "batch_max_delay_ms") return set_ms(options.log.max_batch_delay, 0);
  if (name == "max_queued_entries") return set_u64(options.log.max_queued_entries, 1, 10'000'000);
  if (name == "admission_workers") return set_u64(options.log.worker_threads, 0, 256);
  if (name == "access_log") {
    if (value == "stderr") {
      s.log = LogToStderr;
    } else if (value == "off") {
      s.log = [](std::string_view) {};
    } else {
      return Status::InvalidArgument("access_log: want 'stderr' or 'off', got '" +
                                     std::string(value) + "'");
    }
    return Status::Ok();
  }
  return Status::InvalidArgument("unknown option '" + std::string(name) + "'");
}

Status ApplyConfigText(std::string_view text, ServeOptions& options) {
  std::set<std::string, std::less<>> seen;
  size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    auto fail = [line_number](std::string_view why) {
      return Status::InvalidArgument("config line " + std::to_string(line_number) + ": " +
                                     std::string(why));
    };
    if (line.find('\r') != std::string_view::npos) return fail("carriage return");
    if (line.find('\0') != std::string_view::npos) return fail("NUL byte");
    std::string_view trimmed = Trim(line);
    if (trimmed.empty() || trimmed.front() == '#') continue;
    size_t eq = trimmed.find('=');
    if (eq == std::string_view::npos) return fail("want 'key = value'");
    std::string_view key = Trim(trimmed.substr(0, eq));
    std::string_view value = Trim(trimmed.substr(eq + 1));
    if (key.empty()) return fail("missing key");
    if (value.empty()) return fail("missing value for '" + std::string(key) + "'");
    if (!seen.insert(std::string(key)).second) {
      return fail("'" + std::string(key) + "' set twice");
    }
    Status s = SetServeOption(key, value, options);
    if (!s.ok()) return fail(s.message());
  }
  return Status::Ok();
}

Result<ServeOptions> ParseServeArgs(std::span<const std::string_view> args) {
  // Pair up flags and values first, so that --config can be applied before
  // the flags that override it wherever it appears.
  std::vector<std::pair<std::string, std::string_view>> flags;  // option name, value
  std::optional<std::string_view> config_path;
  std::set<std::string, std::less<>> seen;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view flag = args[i];
    if (!flag.starts_with("--") || flag.size() == 2) {
      return Status::InvalidArgument("unexpected argument '" + std::string(flag) + "'");
    }
    if (i + 1 >= args.size()) {
      return Status::InvalidArgument("flag " + std::string(flag) + " needs a value");
    }
    std::string_view value = args[++i];
    if (!seen.insert(std::string(flag)).second) {
      return Status::InvalidArgument("flag " + std::string(flag) + " given twice");
    }
    if (flag == "--config") {
      config_path = value;
      continue;
    }
    std::string name(flag.substr(2));
    if (name.find('_') != std::string::npos) {
      return Status::InvalidArgument("unknown flag " + std::string(flag) +
                                     " (flags use '-', config keys '_')");
    }
    std::replace(name.begin(), name.end(), '-', '_');
    flags.emplace_back(std::move(name), value);
  }
  ServeOptions options;
  if (config_path) {
    LTL_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(std::string(*config_path)));
    Status s = ApplyConfigText(text, options);
    if (!s.ok()) return s.WithContext(std::string(*config_path));
  }
  for (const auto& [name, value] : flags) {
    Status s = SetServeOption(name, value, options);
    if (!s.ok()) return s.WithContext(FlagName(name));
  }
  if (options.data_dir.empty()) {
    return Status::InvalidArgument("no store directory: give --data DIR or 'data = DIR'");
  }
  return options;
}

}  // namespace ltl::node
