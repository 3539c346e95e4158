// Reaching a log: policy and fetcher from flags, progress, evidence files,
// submission (log_access.h).
#include "client/cli/log_access.h"

#include <unistd.h>

#include <cstdio>
#include <ctime>

#include "base/encoding.h"
#include "client/evidence.h"
#include "client/file_detail.h"
#include "client/http_fetcher.h"
#include "client/verify.h"
#include "ledger/entry.h"
#include "proofs/hash.h"

namespace ltl::cli {

using client::VerifyOutcome;
using client::VerifyResult;

VerifyResult<client::VerificationPolicy> PolicyFromFlags(const Invocation& inv) {
  const std::optional<std::string> log_key_text = inv.flags.Get("log-key");
  if (!log_key_text) return UsageError("missing required flag --log-key VKEY");
  LTL_CLI_TRY(ledger::VerifierKey log_key, ParseVerifierKeyFlag("log-key", *log_key_text));
  std::vector<ledger::VerifierKey> witnesses;
  size_t quorum = 0;
  // Commands without witness flags (the composing commands' --submit: no
  // witness can have cosigned a checkpoint the log has just made) do not
  // declare them; `ltl submit` does, for --witnessed.
  const bool witnesses_declared = inv.flags.Declares("witness");
  const std::vector<std::string> none;
  for (const std::string& w : witnesses_declared ? inv.flags.GetAll("witness") : none) {
    LTL_CLI_TRY(ledger::VerifierKey key, ParseVerifierKeyFlag("witness", w));
    witnesses.push_back(std::move(key));
  }
  if (const std::optional<std::string> k =
          witnesses_declared ? inv.flags.Get("quorum") : std::nullopt) {
    auto n = ParseDecimalU64(*k);
    if (!n.has_value()) return UsageError("--quorum: want a whole number");
    quorum = static_cast<size_t>(*n);
  }
  auto policy =
      client::VerificationPolicy::Create(std::move(log_key), std::move(witnesses), quorum);
  if (!policy.has_value()) return FailWith(VerifyOutcome::kUsage, policy.error());
  return std::move(policy).value();
}

// ---- Progress -----------------------------------------------------------------------

namespace {
constexpr auto kProgressDelay = std::chrono::seconds(1);
constexpr auto kProgressInterval = std::chrono::milliseconds(100);
}  // namespace

ProgressFetcher::ProgressFetcher(std::unique_ptr<client::Fetcher> inner, std::string label)
    : inner_(std::move(inner)),
      label_(std::move(label)),
      enabled_(::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

ProgressFetcher::~ProgressFetcher() {
  if (drawn_) std::fputs("\r\033[K", stderr);  // erase the progress line
}

Result<client::HttpResponse> ProgressFetcher::Get(std::string_view path) {
  Result<client::HttpResponse> r = inner_->Get(path);
  Tick(r);
  return r;
}

Result<client::HttpResponse> ProgressFetcher::Post(std::string_view path,
                                                   std::string_view content_type,
                                                   std::string_view body) {
  Result<client::HttpResponse> r = inner_->Post(path, content_type, body);
  Tick(r);
  return r;
}

void ProgressFetcher::Tick(const Result<client::HttpResponse>& response) {
  ++requests_;
  if (response.has_value()) bytes_ += response->body.size();
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - start_ < kProgressDelay || now - last_draw_ < kProgressInterval) return;
  last_draw_ = now;
  drawn_ = true;
  const double seconds = std::chrono::duration<double>(now - start_).count();
  std::fprintf(stderr, "\r\033[K%s: %llu requests, %llu KiB, %.1f s", label_.c_str(),
               static_cast<unsigned long long>(requests_),
               static_cast<unsigned long long>(bytes_ / 1024), seconds);
  std::fflush(stderr);
}

VerifyResult<std::unique_ptr<client::Fetcher>> FetcherFromFlags(const Invocation& inv) {
  const std::optional<std::string> url = inv.flags.Get("log");
  if (!url) return UsageError("missing required flag --log URL");
  auto http = client::HttpFetcher::Create(*url);
  if (!http.has_value()) return FailWith(VerifyOutcome::kUsage, http.error(), "--log");
  std::unique_ptr<client::Fetcher> fetcher =
      std::make_unique<ProgressFetcher>(std::move(http).value(), "ltl " + inv.name);
  return fetcher;
}

VerifyResult<std::filesystem::path> StateDirFromFlags(const Invocation& inv) {
  if (const std::optional<std::string> dir = inv.flags.Get("state")) {
    if (dir->empty()) return UsageError("--state: empty folder name");
    return std::filesystem::path(*dir);
  }
  auto dir = client::DefaultStateDir();
  if (!dir.has_value()) {
    return FailWith(VerifyOutcome::kLocalState, dir.error(), "no state folder (give --state DIR)");
  }
  return std::move(dir).value();
}

client::VerifyFailure WithEvidenceFile(const Invocation& inv, client::VerifyFailure failure) {
  const client::Evidence& evidence = *failure.evidence;
  auto dir = StateDirFromFlags(inv);
  std::string where;
  if (dir.has_value()) {
    char stamp[32];
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    ::gmtime_r(&now, &utc);
    std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &utc);
    // Named after the log's state file so evidence sits beside the state it
    // contradicts; the time and sizes keep several pieces apart.
    const std::filesystem::path path =
        *dir / ("evidence-" + std::string(stamp) + "-" + std::to_string(evidence.old_size) + "-" +
                std::to_string(evidence.new_size) + ".json");
    Status created = client::detail::CreateDirectories(*dir);
    Status written = created.ok() ? client::WriteEvidenceFile(evidence, path) : created;
    where = written.ok() ? "; evidence written to " + path.string()
                         : "; evidence could not be written (" + written.message() + ")";
  } else {
    where = "; evidence could not be written (" + dir.error().status.message() + ")";
  }
  failure.status = Status(failure.status.code(), failure.status.message() + where);
  return failure;
}

CommandResult SubmitAndSave(const Invocation& inv, std::string_view entry,
                            const std::string& entry_path) {
  LTL_CLI_TRY(client::VerificationPolicy policy, PolicyFromFlags(inv));
  LTL_CLI_TRY(std::unique_ptr<client::Fetcher> fetcher, FetcherFromFlags(inv));
  // Only `ltl submit` declares --witnessed (the compose commands' --submit
  // takes the immediate receipt).
  const client::SubmitOptions submit{.witnessed = inv.flags.Declares("witnessed") &&
                                                  inv.flags.Has("witnessed")};
  LTL_CLI_TRY(client::VerifiedReceipt verified,
              client::SubmitAndVerify(*fetcher, policy, entry, submit));
  const client::Receipt& receipt = verified.receipt;
  const std::string receipt_path = ReceiptPathFor(entry_path);
  const std::string json = client::ReceiptToJson(receipt);
  if (Status saved = client::detail::WriteFileAtomically(receipt_path, json); !saved.ok()) {
    return FailWith(VerifyOutcome::kLocalState, saved,
                    "the entry is logged at index " + std::to_string(receipt.index) +
                        " but its receipt could not be saved");
  }
  if (inv.json) {
    PrintOut(json.back() == '\n' ? json : json + "\n");
    return Done{};
  }
  const ledger::Checkpoint& cp = verified.checkpoint.checkpoint;
  PrintOut("logged: entry " + std::to_string(receipt.index) + " of " + cp.origin +
           "\nentry ref: " + proofs::HashToHex(receipt.entry_ref) +
           "\nverified: checkpoint signed by the log key; inclusion proof at tree size " +
           std::to_string(cp.size) + "\nreceipt saved to " + receipt_path + "\n");
  return Done{};
}

}  // namespace ltl::cli
