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
// unknown flag or a flag without a value is an error.
// Thread-safety: pure functions over values.
#ifndef LTL_NODE_OPTIONS_H_
#define LTL_NODE_OPTIONS_H_

#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "ledger/store/log.h"
#include "node/server.h"

namespace ltl::node {

struct ServeOptions {
  // The store directory (option `data`); required.
  std::filesystem::path data_dir;
  // HTTP server and handler settings (`listen`, limits, timeouts).
  ServerOptions server;
  // The store's sequencer: batching, queue bound, admission workers.
  store::LogOptions log;
};

// One documented option.
struct OptionInfo {
  std::string_view name;           // config key; the flag is --name with '-' for '_'
  std::string_view default_value;  // as written in docs/operations.md
  std::string_view help;
};

// Every option accepted in a config file or as a flag, in documentation order.
std::span<const OptionInfo> ServeOptionTable();

// Sets one option from its text value. Errors: InvalidArgument for an unknown
// name or a value that does not parse or is out of range.
Status SetServeOption(std::string_view name, std::string_view value, ServeOptions& options);

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
