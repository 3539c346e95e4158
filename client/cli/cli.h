// Shared pieces of the `ltl` command-line tool: exit codes, the command
// table, how errors reach the user, and the helpers every subcommand family
// uses (input files, key files, times, JSON output). Internal to client/cli/.
//
// Error model. Subcommands return CommandResult: Done, or a VerifyFailure
// (client/outcome.h) whose outcome picks the exit code (ExitCodeFor). The
// client library already speaks VerifyFailure, so its reasons reach the exit
// code unchanged; CLI-side failures use the same reasons (a bad flag is
// kUsage, an unreadable key file is kUsage, a state folder that cannot be
// written is kLocalState). A Status of code kInternal is always exit 1,
// whatever the outcome: it means a bug, not a verdict. main.cpp prints the
// one-line message on stderr (and, under --json, an error object on stdout).
//
// Exit codes (docs/cli.md#exit-codes; `ltl --help` prints the same table):
//   0 ok              5 proof failure      9 log error
//   1 internal        6 log inconsistency  10 local state
//   2 usage           7 policy (quorum)
//   3 network         8 bad signature
//   4 invalid entry
#ifndef LTL_CLIENT_CLI_CLI_H_
#define LTL_CLIENT_CLI_CLI_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "client/cli/flags.h"
#include "client/outcome.h"
#include "ledger/keys.h"
#include "ledger/time.h"

namespace ltl::cli {

enum class ExitCode : int {
  kOk = 0,
  kInternal = 1,
  kUsage = 2,
  kNetwork = 3,
  kInvalidEntry = 4,
  kProofFailure = 5,
  kInconsistent = 6,
  kPolicy = 7,
  kBadSignature = 8,
  kLogError = 9,
  kLocalState = 10,
};

// The exit code of a failure (see the file comment).
ExitCode ExitCodeFor(const client::VerifyFailure& failure);

// The exit-code table as printed by `ltl --help`.
std::string_view ExitCodeHelp();

struct Done {};
using CommandResult = client::VerifyResult<Done>;

// A failure of `outcome` with an InvalidArgument message (kUsage etc.).
client::VerifyFailure Failure(client::VerifyOutcome outcome, std::string_view message);
inline client::VerifyFailure UsageError(std::string_view message) {
  return Failure(client::VerifyOutcome::kUsage, message);
}
// `status` (not OK) as a failure of `outcome`, with an optional context.
client::VerifyFailure FailWith(client::VerifyOutcome outcome, const Status& status,
                               std::string_view context = {});

// Unwraps a Result<T> into `lhs`, or returns it as a failure of `outcome`
// with `context` prepended to the message.
#define LTL_CLI_ASSIGN_OR_FAIL(lhs, expr, outcome, context) \
  LTL_CLI_ASSIGN_OR_FAIL_IMPL_(LTL_CONCAT_(ltl_cli_, __LINE__), lhs, expr, outcome, context)
#define LTL_CLI_ASSIGN_OR_FAIL_IMPL_(tmp, lhs, expr, outcome, context)              \
  auto tmp = (expr);                                                                \
  if (!tmp.has_value()) return ::ltl::cli::FailWith(outcome, tmp.error(), context); \
  lhs = std::move(tmp).value()

// Unwraps a VerifyResult<T> into `lhs` or returns its failure.
#define LTL_CLI_TRY(lhs, expr) LTL_CLI_TRY_IMPL_(LTL_CONCAT_(ltl_cli_try_, __LINE__), lhs, expr)
#define LTL_CLI_TRY_IMPL_(tmp, lhs, expr)              \
  auto tmp = (expr);                                   \
  if (!tmp.has_value()) return std::move(tmp).error(); \
  lhs = std::move(tmp).value()

// ---- The command table --------------------------------------------------------

struct Invocation {
  std::string name;  // "key generate", "grant", ...
  ParsedFlags flags;
  bool json = false;  // --json was given (every command declares it)
};

struct Command {
  std::string_view name;  // one or two words: "sign", "key generate"
  std::string_view summary;
  std::string_view details;  // paragraphs after the flag list; may be empty
  PositionalSpec positional;
  std::vector<FlagSpec> flags;  // --json and --help are added by the table
  CommandResult (*run)(const Invocation&);
};

// The first positional argument, nullopt when there is none.
std::optional<std::string> FirstPositional(const Invocation& inv);

// The commands of each family (key_commands.cpp, compose_commands.cpp, ...).
std::vector<Command> KeyCommands();
std::vector<Command> EntryCommands();
std::vector<Command> ComposeCommands();
std::vector<Command> LogCommands();

// ---- Input --------------------------------------------------------------------

// Largest file the CLI reads as input: an entry is at most 64 KiB, a receipt
// at most 1 MiB (client::kMaxReceiptJsonBytes).
inline constexpr size_t kMaxInputBytes = size_t{1} << 20;

// The contents of `path`, or of standard input when `path` is nullopt or "-".
// Outcomes: kUsage when the file cannot be read (missing, a folder, too large).
client::VerifyResult<std::string> ReadInput(const std::optional<std::string>& path);

// The contents of `path`, nullopt when it does not exist. Outcomes: kUsage.
client::VerifyResult<std::optional<std::string>> ReadFileIfPresent(
    const std::filesystem::path& path);

// Reads a private key file written by `ltl key generate` (the PRIVATE+KEY
// line, optionally followed by one "\n"). Refuses a file that is not a
// regular file or whose mode grants anything to group or others (mode &
// 077), before reading a byte of it, and a witness cosignature key (the CLI
// signs notes and entries only). Messages never contain key material.
// Outcomes: kUsage.
client::VerifyResult<ledger::SigningKey> LoadSigningKey(const std::string& path);

// Creates `path` with `contents` and mode 0600, refusing to overwrite
// (O_CREAT | O_EXCL, so a file created meanwhile is not replaced either);
// the data is fsynced before returning. Outcomes: kUsage when the file
// exists, kLocalState when it cannot be written.
CommandResult WriteNewPrivateFile(const std::string& path, std::string_view contents);

// Creates `path` with `contents` (mode 0644), refusing to overwrite.
// Outcomes: as WriteNewPrivateFile.
CommandResult WriteNewFile(const std::string& path, std::string_view contents);

// ---- Values from flags -------------------------------------------------------------

// The current time, truncated to whole seconds.
ledger::Timestamp Now();

// A strict RFC 3339 UTC timestamp (ledger/time.h) for `--flag`.
// Outcomes: kUsage naming the flag.
client::VerifyResult<ledger::Timestamp> ParseTimeFlag(std::string_view flag,
                                                      std::string_view value);
// The flag's timestamp, or `fallback` when absent.
client::VerifyResult<ledger::Timestamp> TimeFlagOr(const Invocation& inv, std::string_view flag,
                                                   ledger::Timestamp fallback);
// A verifier key for `--flag`. Outcomes: kUsage.
client::VerifyResult<ledger::VerifierKey> ParseVerifierKeyFlag(std::string_view flag,
                                                               std::string_view value);

// The --json switch, shared by every command.
inline constexpr FlagSpec kJsonFlag{"json", "", "print machine-readable JSON on stdout"};

// ---- Output --------------------------------------------------------------------

// Writes `text` to stdout as is.
void PrintOut(std::string_view text);
// Writes one line (a "\n" is added) to stderr, prefixed "ltl: ".
void PrintNote(std::string_view text);

// A JSON object printed on stdout by Finish(); members in insertion order.
class JsonOut {
 public:
  JsonOut();
  ~JsonOut();
  JsonOut(const JsonOut&) = delete;
  JsonOut& operator=(const JsonOut&) = delete;

  JsonOut& String(std::string_view key, std::string_view value);
  JsonOut& Uint(std::string_view key, uint64_t value);
  JsonOut& Bool(std::string_view key, bool value);
  JsonOut& Strings(std::string_view key, std::span<const std::string> values);
  // Starts an array of objects under `key`; Begin/EndObject inside it.
  JsonOut& BeginArray(std::string_view key);
  JsonOut& EndArray();
  JsonOut& BeginObject();
  JsonOut& EndObject();
  // The document text (the outer object closed), ending in "\n".
  std::string Text();
  void Finish() { PrintOut(Text()); }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ltl::cli

#endif  // LTL_CLIENT_CLI_CLI_H_
