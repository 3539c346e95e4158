// ltl-monitor: the independent monitor, also run as `ltl monitor ...`.
// Flags, output formats and exit codes: docs/monitor.md#command.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "base/encoding.h"
#include "client/http_fetcher.h"
#include "client/policy.h"
#include "ledger/keys.h"
#include "ledger/store/monitor_state.h"
#include "ledger/work_id.h"
#include "monitor/monitor.h"
#include "monitor/report.h"

namespace ltl::monitor {
namespace {

// Exit codes, aligned with `ltl` (docs/cli.md#exit-codes).
enum Exit : int {
  kExitOk = 0,
  kExitInternal = 1,
  kExitUsage = 2,
  kExitNetwork = 3,
  kExitTreeMismatch = 5,
  kExitInconsistent = 6,
  kExitQuorum = 7,
  kExitBadSignature = 8,
  kExitLogError = 9,
  kExitLocalState = 10,
};

constexpr std::string_view kUsage =
    "Usage: ltl monitor --log URL --log-key VKEY --state DIR [FLAGS]\n"
    "\n"
    "Audits a Licence Transparency Ledger log: verifies its checkpoints (signature,\n"
    "witness quorum, consistency), every entry bundle against the signed tree, and\n"
    "checks every entry (signers, licences, opt-outs, accounting, reports).\n"
    "\n"
    "Flags:\n"
    "  --log URL              the log or a mirror (http://host:port[/prefix])\n"
    "  --log-key VKEY         the log's verifier key (<name>+<id>+<base64>)\n"
    "  --witness VKEY         a trusted witness cosignature key (repeatable)\n"
    "  --quorum K             witness cosignatures required (default 0)\n"
    "  --state DIR            the monitor's LMDB state folder (created if absent)\n"
    "  --once                 audit up to the current checkpoint and exit\n"
    "  --poll-interval SECS   follow mode: seconds between checkpoints (default 30)\n"
    "  --max-polls N          follow mode: stop after N passes (default 0: until SIGINT)\n"
    "  --max-entries N        audit at most N entries per pass (resume later)\n"
    "  --json                 one JSON object per line per finding on stdout\n"
    "  --report FILE.html     write the HTML report (charts) after the run\n"
    "  --subscribe work=ID    print only findings and new entries about a work\n"
    "  --subscribe signer=NAME  ... or about a party (key name); repeatable\n"
    "  --report-grace-days N  days after a period's end a report is due (default 30)\n"
    "  --quiet                no per-finding lines in the human output\n"
    "  --help                 this text\n"
    "\n"
    "Exit codes: 0 audited (findings may exist), 2 usage, 3 log unreachable,\n"
    "5 tree mismatch, 6 inconsistent log (fork), 7 witness quorum missing,\n"
    "8 bad checkpoint signature, 9 malformed log answer, 10 local state, 1 internal.\n";

struct Flags {
  std::string log_url;
  std::string log_key;
  std::vector<std::string> witnesses;
  size_t quorum = 0;
  std::string state_dir;
  bool once = false;
  bool json = false;
  bool quiet = false;
  std::optional<std::string> report;
  std::vector<std::string> subscribe_works;    // normalised
  std::vector<std::string> subscribe_signers;  // key names
  uint64_t poll_seconds = 30;
  uint64_t max_polls = 0;
  uint64_t max_entries = 0;
  uint64_t grace_days = 30;
};

int Usage(const std::string& message) {
  std::fprintf(stderr, "ltl monitor: %s (see: ltl monitor --help)\n", message.c_str());
  return kExitUsage;
}

std::optional<std::string> ParseFlags(int argc, char** argv, Flags& flags, bool& help) {
  std::map<std::string, int> seen;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::optional<std::string> inline_value;
    if (arg.rfind("--", 0) == 0) {
      const size_t eq = arg.find('=');
      if (eq != std::string::npos) {
        inline_value = arg.substr(eq + 1);
        arg = arg.substr(0, eq);
      }
    }
    auto value = [&]() -> std::optional<std::string> {
      if (inline_value) return inline_value;
      if (i + 1 >= argc) return std::nullopt;
      return std::string(argv[++i]);
    };
    auto number = [&](uint64_t& out) -> std::optional<std::string> {
      std::optional<std::string> v = value();
      if (!v) return arg + " needs a value";
      Result<uint64_t> n = ParseDecimalU64(*v);
      if (!n) return arg + ": not a number: '" + *v + "'";
      out = *n;
      return std::nullopt;
    };
    const bool repeatable = arg == "--witness" || arg == "--subscribe";
    if (!repeatable && seen[arg]++ > 0) return arg + " given twice";
    if (arg == "--help" || arg == "-h") {
      help = true;
    } else if (arg == "--once" || arg == "--json" || arg == "--quiet") {
      if (inline_value) return arg + " takes no value";
      (arg == "--once" ? flags.once : arg == "--json" ? flags.json : flags.quiet) = true;
    } else if (arg == "--log" || arg == "--log-key" || arg == "--state" || arg == "--witness" ||
               arg == "--report" || arg == "--subscribe") {
      std::optional<std::string> v = value();
      if (!v || v->empty()) return arg + " needs a value";
      if (arg == "--log") flags.log_url = *v;
      if (arg == "--log-key") flags.log_key = *v;
      if (arg == "--state") flags.state_dir = *v;
      if (arg == "--witness") flags.witnesses.push_back(*v);
      if (arg == "--report") flags.report = *v;
      if (arg == "--subscribe") {
        if (v->rfind("work=", 0) == 0) {
          Result<ledger::WorkId> w = ledger::ParseWorkId(v->substr(5));
          if (!w) return "--subscribe work=: " + w.error().message();
          flags.subscribe_works.push_back(ledger::NormaliseWorkId(*w));
        } else if (v->rfind("signer=", 0) == 0 && v->size() > 7) {
          flags.subscribe_signers.push_back(v->substr(7));
        } else {
          return "--subscribe takes work=ID or signer=NAME";
        }
      }
    } else if (arg == "--quorum") {
      uint64_t q = 0;
      if (auto e = number(q)) return e;
      flags.quorum = q;
    } else if (arg == "--poll-interval") {
      if (auto e = number(flags.poll_seconds)) return e;
      if (flags.poll_seconds == 0) return "--poll-interval must be >= 1";
    } else if (arg == "--max-polls") {
      if (auto e = number(flags.max_polls)) return e;
    } else if (arg == "--max-entries") {
      if (auto e = number(flags.max_entries)) return e;
    } else if (arg == "--report-grace-days") {
      if (auto e = number(flags.grace_days)) return e;
      if (flags.grace_days > 3650) return "--report-grace-days at most 3650";
    } else {
      return "unknown flag '" + arg + "'";
    }
  }
  if (help) return std::nullopt;
  if (flags.log_url.empty()) return "--log is required";
  if (flags.log_key.empty()) return "--log-key is required";
  if (flags.state_dir.empty()) return "--state is required";
  return std::nullopt;
}

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop.store(true); }

// Whether a finding or entry concerns a subscription (always, without any).
bool Concerns(const Flags& flags, const std::vector<std::string>& works,
              const std::vector<std::string>& parties) {
  if (flags.subscribe_works.empty() && flags.subscribe_signers.empty()) return true;
  for (const auto& w : flags.subscribe_works) {
    if (std::find(works.begin(), works.end(), w) != works.end()) return true;
  }
  for (const auto& s : flags.subscribe_signers) {
    if (std::find(parties.begin(), parties.end(), s) != parties.end()) return true;
  }
  return false;
}

bool Subscribed(const Flags& flags) {
  return !flags.subscribe_works.empty() || !flags.subscribe_signers.empty();
}

// One line, no control characters (text from the log must not move the cursor).
std::string OneLine(std::string_view text) {
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(u < 0x20 || u == 0x7f ? ' ' : c);
  }
  return out;
}

class Progress {
 public:
  explicit Progress(bool enabled) : enabled_(enabled) {}
  void Update(uint64_t done, uint64_t total) {
    if (!enabled_ || total == 0) return;
    const int width = 40;
    const int filled =
        static_cast<int>(static_cast<double>(done) / static_cast<double>(total) * width);
    std::string bar(static_cast<size_t>(filled), '#');
    bar.append(static_cast<size_t>(width - filled), '.');
    std::fprintf(stderr, "\r[%s] %llu/%llu entries", bar.c_str(),
                 static_cast<unsigned long long>(done), static_cast<unsigned long long>(total));
    std::fflush(stderr);
    shown_ = true;
  }
  void Clear() {
    if (shown_) std::fprintf(stderr, "\r\033[K");
    shown_ = false;
  }

 private:
  bool enabled_;
  bool shown_ = false;
};

int ExitFor(FindingCode code) {
  switch (code) {
    case FindingCode::kBadCheckpointSignature:
      return kExitBadSignature;
    case FindingCode::kQuorumMissing:
      return kExitQuorum;
    case FindingCode::kLogInconsistent:
    case FindingCode::kSplitView:
      return kExitInconsistent;
    default:
      return kExitTreeMismatch;
  }
}

int ExitForStatus(const Status& s) {
  switch (s.code()) {
    case StatusCode::kUnavailable:
      return kExitNetwork;
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kOutOfRange:
      return kExitLogError;
    case StatusCode::kFailedPrecondition:
    case StatusCode::kPermissionDenied:
    case StatusCode::kDataLoss:
    case StatusCode::kResourceExhausted:
      return kExitLocalState;
    default:
      return kExitInternal;
  }
}

Status WriteReport(const store::MonitorState& state, const Flags& flags) {
  ReportOptions options;
  options.log_url = flags.log_url;
  options.generated_at = SystemClockSeconds();
  LTL_ASSIGN_OR_RETURN(std::string html, RenderReport(state, options));
  const std::string tmp = *flags.report + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << html;
    if (!out.flush()) return Status::PermissionDenied("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), flags.report->c_str()) != 0) {
    return Status::PermissionDenied("cannot write " + *flags.report);
  }
  return Status::Ok();
}

int Main(int argc, char** argv) {
  Flags flags;
  bool help = false;
  if (std::optional<std::string> error = ParseFlags(argc, argv, flags, help)) return Usage(*error);
  if (help) {
    std::fputs(std::string(kUsage).c_str(), stdout);
    return kExitOk;
  }
  if (Status s = ledger::InitCrypto(); !s.ok()) {
    std::fprintf(stderr, "ltl monitor: %s\n", s.message().c_str());
    return kExitInternal;
  }
  Result<ledger::VerifierKey> log_key = ledger::VerifierKey::Parse(flags.log_key);
  if (!log_key) return Usage("--log-key: " + log_key.error().message());
  std::vector<ledger::VerifierKey> witnesses;
  for (const std::string& w : flags.witnesses) {
    Result<ledger::VerifierKey> k = ledger::VerifierKey::Parse(w);
    if (!k) return Usage("--witness: " + k.error().message());
    witnesses.push_back(*k);
  }
  Result<client::VerificationPolicy> policy =
      client::VerificationPolicy::Create(*log_key, witnesses, flags.quorum);
  if (!policy) return Usage(policy.error().message());
  Result<std::unique_ptr<client::HttpFetcher>> fetcher = client::HttpFetcher::Create(flags.log_url);
  if (!fetcher) return Usage("--log: " + fetcher.error().message());
  Result<std::unique_ptr<store::MonitorState>> state = store::MonitorState::Open(flags.state_dir);
  if (!state) {
    std::fprintf(stderr, "ltl monitor: state %s: %s\n", flags.state_dir.c_str(),
                 state.error().message().c_str());
    return kExitLocalState;
  }

  Progress progress(!flags.json && ::isatty(STDERR_FILENO) != 0);
  std::map<std::string, size_t> counts;  // code -> findings this run
  size_t severity_counts[3] = {0, 0, 0};
  MonitorOptions options;
  options.policy = *policy;
  options.max_entries = flags.max_entries;
  options.audit.report_grace_seconds = static_cast<int64_t>(flags.grace_days) * 86400;
  options.on_progress = [&](uint64_t done, uint64_t total) { progress.Update(done, total); };
  options.on_finding = [&](const Finding& f) {
    counts[std::string(FindingCodeName(f.code))] += 1;
    severity_counts[static_cast<size_t>(f.severity)] += 1;
    if (!Concerns(flags, f.works, f.parties) && !StopsAudit(f.code)) return;
    progress.Clear();
    if (flags.json) {
      std::fprintf(stdout, "%s\n", FindingToJson(f).c_str());
    } else if (!flags.quiet || StopsAudit(f.code)) {
      std::string where;
      for (const EntryPointer& e : f.entries) {
        where += (where.empty() ? "entry " : ", ") + std::to_string(e.index);
      }
      std::fprintf(stdout, "%-9s %-24s %s%s%s\n", std::string(SeverityName(f.severity)).c_str(),
                   std::string(FindingCodeName(f.code)).c_str(), where.c_str(),
                   where.empty() ? "" : ": ", OneLine(f.message).c_str());
    }
    std::fflush(stdout);
  };
  if (Subscribed(flags)) {
    options.on_entry = [&](const AuditedEntry& e) {
      if (!Concerns(flags, e.works, e.parties)) return;
      progress.Clear();
      if (flags.json) {
        std::string works, parties;
        for (const auto& w : e.works) works += (works.empty() ? "\"" : ",\"") + OneLine(w) + "\"";
        for (const auto& p : e.parties) {
          parties += (parties.empty() ? "\"" : ",\"") + OneLine(p) + "\"";
        }
        std::fprintf(stdout,
                     "{\"event\":\"entry\",\"index\":%llu,\"type\":\"%s\",\"ref\":\"%s\","
                     "\"log_time\":\"%s\",\"works\":[%s],\"parties\":[%s]}\n",
                     static_cast<unsigned long long>(e.index), e.type.c_str(),
                     proofs::HashToHex(e.ref).c_str(), FormatTime(e.log_time).c_str(),
                     works.c_str(), parties.c_str());
      } else {
        std::fprintf(stdout, "entry     %-24s %llu %s\n", e.type.c_str(),
                     static_cast<unsigned long long>(e.index), proofs::HashToHex(e.ref).c_str());
      }
      std::fflush(stdout);
    };
  }
  Result<std::unique_ptr<Monitor>> monitor = Monitor::Create(options, **fetcher, **state);
  if (!monitor) {
    std::fprintf(stderr, "ltl monitor: %s\n", monitor.error().message().c_str());
    return kExitLocalState;
  }

  ::signal(SIGINT, OnSignal);
  ::signal(SIGTERM, OnSignal);
  int exit_code = kExitOk;
  RunSummary last;
  uint64_t passes = 0;
  while (true) {
    Result<RunSummary> summary = (*monitor)->RunOnce();
    progress.Clear();
    ++passes;
    if (!summary) {
      std::fprintf(stderr, "ltl monitor: %s\n", OneLine(summary.error().message()).c_str());
      exit_code = ExitForStatus(summary.error());
      // A follower keeps going through a log outage; --once reports it.
      if (flags.once || exit_code != kExitNetwork) break;
    } else {
      last = *summary;
      if (summary->integrity_failure) {
        exit_code = ExitFor(*summary->integrity_failure);
        break;
      }
    }
    if (flags.once || g_stop.load() || (flags.max_polls != 0 && passes >= flags.max_polls)) break;
    for (uint64_t waited = 0; waited < flags.poll_seconds * 10 && !g_stop.load(); ++waited) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (g_stop.load()) break;
  }

  if (flags.report) {
    if (Status s = WriteReport(**state, flags); !s.ok()) {
      std::fprintf(stderr, "ltl monitor: report: %s\n", s.message().c_str());
      if (exit_code == kExitOk) exit_code = kExitLocalState;
    }
  }
  if (!flags.json) {
    size_t total = 0;
    for (size_t n : severity_counts) total += n;
    std::fprintf(stdout,
                 "audited %llu of %llu entries (last pass: %llu); findings this run: %zu "
                 "(%zu violation, %zu review, %zu info)\n",
                 static_cast<unsigned long long>(last.audited_to),
                 static_cast<unsigned long long>(last.checkpoint_size),
                 static_cast<unsigned long long>(last.audited_to - last.audited_from), total,
                 severity_counts[2], severity_counts[1], severity_counts[0]);
    for (const auto& [code, n] : counts) std::fprintf(stdout, "  %-24s %zu\n", code.c_str(), n);
    if (flags.report && exit_code != kExitLocalState) {
      std::fprintf(stdout, "report: %s\n", flags.report->c_str());
    }
  }
  return exit_code;
}

}  // namespace
}  // namespace ltl::monitor

int main(int argc, char** argv) { return ltl::monitor::Main(argc, argv); }
