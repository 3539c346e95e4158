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
    {"tile_cache_summaries", "49152", "Tiles whose checked upper levels are kept (~2 KiB each)."},
    {"tile_cache_full_tiles", "4096", "Checked full tile bodies kept for serving (8 KiB each)."},
    {"map_resident_budget_mib", "128",
     "Mapped log pages kept resident before they are unmapped (stay in page cache); 0: never."},
    {"role", "log",
     "Comma-separated roles: log, witness, mirror (log and mirror exclude each other)."},
    {"witness_log", "none", "Witness: VKEY of a log it witnesses (repeatable).", true},
    {"witness", "none", "Log: URL=VKEY of a witness to ask for cosignatures (repeatable).", true},
    {"quorum", "all", "Log: cosignatures needed before a checkpoint is published."},
    {"cosign_interval_ms", "1000", "Log: how often witnesses are asked to cosign."},
    {"witness_timeout_ms", "5000", "Log: time for one witness to answer."},
    {"wait_witnessed_timeout_ms", "30000", "Log: POST /add?wait=witnessed gives up after this."},
    {"upstream", "none", "Mirror: base URL of the log it follows."},
    {"upstream_key", "none", "Mirror: VKEY of the log it follows."},
    {"mirror_interval_ms", "1000", "Mirror: how often the upstream checkpoint is fetched."},
    {"peer", "none", "Gossip: base URL of a peer node (repeatable).", true},
    {"gossip_interval_ms", "5000", "Gossip: how often peers' views are compared."},
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

bool IsRepeatable(std::string_view name) {
  for (const OptionInfo& o : kOptions) {
    if (o.name == name) return o.repeatable;
  }
  return false;
}

Result<ledger::VerifierKey> ParseKeyOption(std::string_view name, std::string_view value) {
  Result<ledger::VerifierKey> key = ledger::VerifierKey::Parse(value);
  if (!key) return key.error().WithContext(name);
  return key;
}

// "http://" URLs only: the network roles talk plain HTTP on purpose (every
// byte is verified against signatures; docs/network.md#trust).
Status CheckHttpUrl(std::string_view name, std::string_view url) {
  if (!url.starts_with("http://") || url.size() == 7) {
    return Status::InvalidArgument(std::string(name) + ": want an http:// URL, got '" +
                                   std::string(url) + "'");
  }
  return Status::Ok();
}

Status SetNetworkOption(std::string_view name, std::string_view value, NetworkOptions& n) {
  auto set_ms = [&](std::chrono::milliseconds& field) -> Status {
    LTL_ASSIGN_OR_RETURN(uint64_t ms, ParseBounded(name, value, 1, kMaxTimeoutMs));
    field = std::chrono::milliseconds(ms);
    return Status::Ok();
  };
  if (name == "role") {
    NetworkOptions roles;
    roles.log = false;
    std::string_view rest = value;
    while (true) {
      size_t comma = rest.find(',');
      std::string_view role = rest.substr(0, comma);
      bool* flag = role == "log"       ? &roles.log
                   : role == "witness" ? &roles.witness
                   : role == "mirror"  ? &roles.mirror
                                       : nullptr;
      if (flag == nullptr || *flag) {
        return Status::InvalidArgument(
            "role: want a comma-separated set of log, witness, mirror; "
            "got '" +
            std::string(value) + "'");
      }
      *flag = true;
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
    if (roles.log && roles.mirror) {
      return Status::InvalidArgument(
          "role: a node serves one tree: log and mirror exclude each other");
    }
    n.log = roles.log;
    n.witness = roles.witness;
    n.mirror = roles.mirror;
    return Status::Ok();
  }
  if (name == "witness_log") {
    if (value == "none") {
      n.witness_logs.clear();
      return Status::Ok();
    }
    LTL_ASSIGN_OR_RETURN(ledger::VerifierKey key, ParseKeyOption(name, value));
    if (key.type() != ledger::KeyType::kEd25519) {
      return Status::InvalidArgument("witness_log: want a log's Ed25519 (type 0x01) key");
    }
    n.witness_logs.push_back(std::move(key));
    return Status::Ok();
  }
  if (name == "witness") {
    if (value == "none") {
      n.witnesses.clear();
      return Status::Ok();
    }
    // URL=VKEY: split on the first '=' (a verifier key's base64 may end in '=').
    size_t eq = value.find('=');
    if (eq == std::string_view::npos) {
      return Status::InvalidArgument("witness: want URL=VKEY, got '" + std::string(value) + "'");
    }
    std::string_view url = value.substr(0, eq);
    LTL_RETURN_IF_ERROR(CheckHttpUrl(name, url));
    LTL_ASSIGN_OR_RETURN(ledger::VerifierKey key, ParseKeyOption(name, value.substr(eq + 1)));
    if (key.type() != ledger::KeyType::kCosignatureV1) {
      return Status::InvalidArgument("witness: want a cosignature/v1 (type 0x04) key");
    }
    n.witnesses.push_back({std::string(url), std::move(key)});
    return Status::Ok();
  }
  if (name == "quorum") {
    if (value == "all") {
      n.quorum.reset();
      return Status::Ok();
    }
    LTL_ASSIGN_OR_RETURN(uint64_t k, ParseBounded(name, value, 0, 1000));
    n.quorum = static_cast<size_t>(k);
    return Status::Ok();
  }
  if (name == "cosign_interval_ms") return set_ms(n.cosign_interval);
  if (name == "witness_timeout_ms") return set_ms(n.witness_timeout);
  if (name == "wait_witnessed_timeout_ms") return set_ms(n.wait_witnessed_timeout);
  if (name == "upstream") {
    if (value == "none") {
      n.upstream.clear();
      return Status::Ok();
    }
    LTL_RETURN_IF_ERROR(CheckHttpUrl(name, value));
    n.upstream = std::string(value);
    return Status::Ok();
  }
  if (name == "upstream_key") {
    if (value == "none") {
      n.upstream_key.reset();
      return Status::Ok();
    }
    LTL_ASSIGN_OR_RETURN(ledger::VerifierKey key, ParseKeyOption(name, value));
    if (key.type() != ledger::KeyType::kEd25519) {
      return Status::InvalidArgument("upstream_key: want a log's Ed25519 (type 0x01) key");
    }
    n.upstream_key = std::move(key);
    return Status::Ok();
  }
  if (name == "mirror_interval_ms") return set_ms(n.mirror_interval);
  if (name == "peer") {
    if (value == "none") {
      n.peers.clear();
      return Status::Ok();
    }
    LTL_RETURN_IF_ERROR(CheckHttpUrl(name, value));
    n.peers.emplace_back(value);
    return Status::Ok();
  }
  if (name == "gossip_interval_ms") return set_ms(n.gossip_interval);
  return Status::InvalidArgument("unknown option '" + std::string(name) + "'");
}

// The option name of a flag name: '-' written as '_'.
std::string OptionName(std::string_view flag_name) {
  std::string name(flag_name);
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

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
  if (name == "tile_cache_summaries") {
    return set_u64(options.log.tile_cache.summaries, 0, 100'000'000);
  }
  if (name == "tile_cache_full_tiles") {
    return set_u64(options.log.tile_cache.full_tiles, 0, 10'000'000);
  }
  if (name == "map_resident_budget_mib") {
    uint64_t mib = 0;
    LTL_RETURN_IF_ERROR(set_u64(mib, 0, uint64_t{1} << 24));
    options.map_resident_budget_bytes = mib << 20;
    return Status::Ok();
  }
  if (name == "access_log") {
    if (value == "stderr") {
      s.log = LogToStderr;
      s.log_requests = true;
    } else if (value == "off") {
      s.log = [](std::string_view) {};
      s.log_requests = false;
    } else {
      return Status::InvalidArgument("access_log: want 'stderr' or 'off', got '" +
                                     std::string(value) + "'");
    }
    return Status::Ok();
  }
  return SetNetworkOption(name, value, options.network);
}

Status CheckNetworkOptions(const NetworkOptions& n) {
  if (n.witness && n.witness_logs.empty()) {
    return Status::InvalidArgument(
        "role witness: give the logs it witnesses with --witness-log VKEY");
  }
  if (!n.witness && !n.witness_logs.empty()) {
    return Status::InvalidArgument("--witness-log needs --role witness");
  }
  if (n.mirror && (n.upstream.empty() || !n.upstream_key)) {
    return Status::InvalidArgument("role mirror: give --upstream URL and --upstream-key VKEY");
  }
  if (!n.mirror && (!n.upstream.empty() || n.upstream_key)) {
    return Status::InvalidArgument("--upstream and --upstream-key need --role mirror");
  }
  if (!n.log && !n.witnesses.empty()) {
    return Status::InvalidArgument("--witness URL=VKEY is for the log role");
  }
  if (n.quorum && *n.quorum > n.witnesses.size()) {
    return Status::InvalidArgument("quorum " + std::to_string(*n.quorum) + " is more than the " +
                                   std::to_string(n.witnesses.size()) + " witnesses configured");
  }
  if (n.quorum && *n.quorum == 0 && !n.witnesses.empty()) {
    return Status::InvalidArgument("quorum 0 with witnesses would publish uncosigned checkpoints");
  }
  for (size_t i = 0; i < n.witnesses.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (n.witnesses[i].key.name() == n.witnesses[j].key.name() ||
          n.witnesses[i].key.public_key() == n.witnesses[j].key.public_key()) {
        return Status::InvalidArgument("witness " + n.witnesses[i].key.name() +
                                       " is configured twice");
      }
    }
  }
  return Status::Ok();
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
    if (!seen.insert(std::string(key)).second && !IsRepeatable(key)) {
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
    if (!seen.insert(std::string(flag)).second &&
        !(flag.size() > 2 && IsRepeatable(OptionName(flag.substr(2))))) {
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
  LTL_RETURN_IF_ERROR(CheckNetworkOptions(options.network));
  return options;
}

}  // namespace ltl::node
