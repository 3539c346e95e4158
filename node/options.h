// Configuration of `ltl-node serve`: a strict `key = value` config file, then
// command-line flags that override it. Every option, its default and its
// meaning are listed in docs/operations.md#options (a test keeps the two in
// step).
//
// Config file grammar (UTF-8 text, "\n" line ends):
//   line    = blank | comment | setting
//   blank   = *( " " / "\t" )
//   comment = *( " " / "\t" ) "#" *anything
//   setting = *WS key *WS "=" *WS value *WS      ; value non-empty
// Keys are the option names below. Rejected, with the line number: unknown
// keys, a key set twice, a missing '=' or value, "\r", NUL, and values that do
// not parse (numbers are canonical decimals: no sign, no leading zeros).
//
// Flags: `--<name> VALUE` with '_' in the name written as '-'
// (`--max-connections 64`), plus `--config FILE`. A flag given twice, an
// unknown flag or a flag without a value is an error, except for the
// repeatable list options (`witness`, `witness_log`, `peer`), which may be
// given any number of times, as flags or as config lines, and add up.
// Thread-safety: pure functions over values.
#ifndef LTL_NODE_OPTIONS_H_
#define LTL_NODE_OPTIONS_H_

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "ledger/keys.h"
#include "ledger/store/log.h"
#include "node/server.h"

namespace ltl::node {

// A witness the log asks for cosignatures (option `witness`, "URL=VKEY").
struct WitnessEndpoint {
  std::string url;          // http://host:port[/prefix] of its add-checkpoint API
  ledger::VerifierKey key;  // its cosignature/v1 (type 0x04) verifier key
};

// The network roles (docs/network.md). Defaults in docs/operations.md.
struct NetworkOptions {
  // Option `role`: a comma-separated set of log, witness, mirror. A node
  // serves one tree, so log and mirror exclude each other.
  bool log = true;
  bool witness = false;
  bool mirror = false;

  // Witness: the logs it witnesses (`witness_log VKEY`, repeatable).
  std::vector<ledger::VerifierKey> witness_logs;

  // Log: its witnesses (`witness URL=VKEY`, repeatable) and how many of them
  // must cosign a checkpoint before it is published (`quorum`; nullopt =
  // all of them).
  std::vector<WitnessEndpoint> witnesses;
  std::optional<size_t> quorum;
  // How often the log asks its witnesses to cosign its newest checkpoint.
  std::chrono::milliseconds cosign_interval{1000};
  // One add-checkpoint request, all attempts included.
  std::chrono::milliseconds witness_timeout{5000};
  // POST /add?wait=witnessed gives up after this (503 + Retry-After).
  std::chrono::milliseconds wait_witnessed_timeout{30000};

  // Mirror: the log it follows (`upstream URL`, `upstream_key VKEY`).
  std::string upstream;
  std::optional<ledger::VerifierKey> upstream_key;
  std::chrono::milliseconds mirror_interval{1000};

  // Gossip, any role: peers whose views of each log are compared with ours.
  std::vector<std::string> peers;
  std::chrono::milliseconds gossip_interval{5000};
};

struct ServeOptions {
  // The store directory (option `data`); required.
  std::filesystem::path data_dir;
  // HTTP server and handler settings (`listen`, limits, timeouts).
  ServerOptions server;
  // The store's sequencer: batching, queue bound, admission workers.
  store::LogOptions log;
  // Roles: witness, cosigned publication, mirror, gossip.
  NetworkOptions network;
  // Every 50 ms the node reads its resident pages of mapped files; above
  // this many bytes it unmaps the log's pages (they stay in the page cache:
  // docs/storage.md, "Mapped pages and resident memory"). 0: never
  // (option `map_resident_budget_mib`).
  uint64_t map_resident_budget_bytes = uint64_t{128} << 20;
};

// One documented option.
struct OptionInfo {
  std::string_view name;           // config key; the flag is --name with '-' for '_'
  std::string_view default_value;  // as written in docs/operations.md
  std::string_view help;
  // May be given several times (flags and config lines add up).
  bool repeatable = false;
};

// Every option accepted in a config file or as a flag, in documentation order.
std::span<const OptionInfo> ServeOptionTable();

// Sets one option from its text value. Errors: InvalidArgument for an unknown
// name or a value that does not parse or is out of range.
Status SetServeOption(std::string_view name, std::string_view value, ServeOptions& options);

// The rules between network options: each role has what it needs (witness:
// witness_log; mirror: upstream and upstream_key), options of a role the node
// does not have are refused, quorum <= number of witnesses, no witness twice.
// ParseServeArgs applies it. Errors: InvalidArgument.
Status CheckNetworkOptions(const NetworkOptions& network);

// Applies a config file's text (grammar above) on top of `options`.
// Errors: InvalidArgument naming the line.
Status ApplyConfigText(std::string_view text, ServeOptions& options);

// Parses the arguments after `ltl-node serve`: reads --config FILE first (if
// given), then applies the other flags over it. Requires `data` from either.
// Errors: InvalidArgument (usage), NotFound / Unavailable when the config
// file cannot be read.
Result<ServeOptions> ParseServeArgs(std::span<const std::string_view> args);

// "HOST:PORT" with HOST an IPv4 literal, a bracketed IPv6 literal ("[::1]")
// or "localhost" (taken as 127.0.0.1); PORT 0..65535, canonical decimal.
// Errors: InvalidArgument.
Status ParseListenAddress(std::string_view text, std::string& host, uint16_t& port);

}  // namespace ltl::node

#endif  // LTL_NODE_OPTIONS_H_
