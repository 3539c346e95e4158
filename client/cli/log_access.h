// Reaching a log from the `ltl` tool: the flags that name a log and the
// trust in it, the HTTP fetcher (with a progress line on a terminal), the
// state tracker, and submission with a saved receipt. Internal to
// client/cli/.
#ifndef LTL_CLIENT_CLI_LOG_ACCESS_H_
#define LTL_CLIENT_CLI_LOG_ACCESS_H_

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "client/cli/cli.h"
#include "client/fetcher.h"
#include "client/policy.h"
#include "client/receipt.h"
#include "client/state.h"

namespace ltl::cli {

inline constexpr FlagSpec kLogFlag{"log", "URL",
                                   "the log's base URL, e.g. http://127.0.0.1:8080 (http only)"};
inline constexpr FlagSpec kLogKeyFlag{"log-key", "VKEY", "the log's verifier key"};
inline constexpr FlagSpec kWitnessFlag{"witness", "VKEY",
                                       "a trusted witness's cosignature verifier key", false, true};
inline constexpr FlagSpec kQuorumFlag{
    "quorum", "K", "require cosignatures from at least K of the --witness keys (default 0)"};
inline constexpr FlagSpec kStateFlag{
    "state", "DIR", "state folder (default $XDG_STATE_HOME/ltl, else ~/.local/state/ltl)"};

// --log-key, --witness and --quorum as a checked policy. Outcomes: kUsage.
client::VerifyResult<client::VerificationPolicy> PolicyFromFlags(const Invocation& inv);

// Shows "<label>: N requests, X KiB" on stderr while an operation runs, once
// it has run for a second, and only when stderr is a terminal; the line is
// erased when the operation ends. Wraps another fetcher and forwards every
// call unchanged. Not thread-safe (the CLI is single-threaded).
class ProgressFetcher final : public client::Fetcher {
 public:
  ProgressFetcher(std::unique_ptr<client::Fetcher> inner, std::string label);
  ~ProgressFetcher() override;

  Result<client::HttpResponse> Get(std::string_view path) override;
  Result<client::HttpResponse> Post(std::string_view path, std::string_view content_type,
                                    std::string_view body) override;

 private:
  void Tick(const Result<client::HttpResponse>& response);

  std::unique_ptr<client::Fetcher> inner_;
  std::string label_;
  bool enabled_;
  bool drawn_ = false;
  uint64_t requests_ = 0;
  uint64_t bytes_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

// An HTTP fetcher for --log (required). Outcomes: kUsage for a missing or
// malformed URL (https is refused: see client/http_fetcher.h).
client::VerifyResult<std::unique_ptr<client::Fetcher>> FetcherFromFlags(const Invocation& inv);

// The state folder: --state DIR, else client::DefaultStateDir().
// Outcomes: kLocalState when no default can be derived.
client::VerifyResult<std::filesystem::path> StateDirFromFlags(const Invocation& inv);

// Writes evidence of an inconsistent log to a new file in the state folder
// and returns a copy of `failure` whose message ends with the file's path
// (or says why it could not be written). REQUIRES: failure.evidence is set.
client::VerifyFailure WithEvidenceFile(const Invocation& inv, client::VerifyFailure failure);

// The receipt file kept beside an entry file.
inline std::string ReceiptPathFor(const std::string& entry_path) {
  return entry_path + ".receipt.json";
}

// Submits `entry` (read from `entry_path`) to --log, verifies the receipt
// under --log-key (client::SubmitAndVerify) and writes it, entry included, to
// ReceiptPathFor(entry_path) (atomically, replacing an older receipt for the
// same file). Prints what was proved (or the receipt JSON under --json).
// Outcomes: those of SubmitAndVerify; kLocalState when the file cannot be written.
CommandResult SubmitAndSave(const Invocation& inv, std::string_view entry,
                            const std::string& entry_path);

}  // namespace ltl::cli

#endif  // LTL_CLIENT_CLI_LOG_ACCESS_H_
