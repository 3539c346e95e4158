// Talking to a log: `ltl submit`, `ltl verify`, `ltl checkpoint`, `ltl get`,
// `ltl lookup`.
//
// Every answer from the log is verified before it is printed (client/verify.h):
// checkpoints under the policy (--log-key, --witness, --quorum) and against
// the state saved in --state (a newer checkpoint must be proved consistent
// with the saved one; on a fork the evidence is written beside the state and
// the exit code is 6), entries by inclusion proofs built from tiles.
// The one exception is `ltl get` without --log-key, which says so.
#include <string>
#include <vector>

#include "base/encoding.h"
#include "client/cli/cli.h"
#include "client/cli/log_access.h"
#include "client/file_detail.h"
#include "client/receipt.h"
#include "client/state.h"
#include "client/tile_reader.h"
#include "client/verify.h"
#include "ledger/entry.h"
#include "ledger/work_id.h"
#include "proofs/hash.h"

namespace ltl::cli {
namespace {

using client::CheckpointUpdate;
using client::VerifyOutcome;
using client::VerifyResult;

// Attaches the evidence file to an inconsistency (exit 6).
template <typename T>
VerifyResult<T> Evidenced(const Invocation& inv, VerifyResult<T> result) {
  if (!result.has_value() && result.error().evidence) {
    return WithEvidenceFile(inv, std::move(result).error());
  }
  return result;
}

// What a state update means, in words and as a JSON token.
std::string_view UpdateName(CheckpointUpdate::Kind kind) {
  switch (kind) {
    case CheckpointUpdate::Kind::kFirstUse:
      return "first_use";
    case CheckpointUpdate::Kind::kUnchanged:
      return "unchanged";
    case CheckpointUpdate::Kind::kAdvanced:
      return "advanced";
    case CheckpointUpdate::Kind::kOlder:
      return "older";
  }
  return "unknown";
}

std::string DescribeUpdate(const CheckpointUpdate& u, const client::LogStateTracker& tracker) {
  const uint64_t size = u.current.checkpoint.size;
  switch (u.kind) {
    case CheckpointUpdate::Kind::kFirstUse:
      return "first use of this log: checkpoint of size " + std::to_string(size) +
             " trusted and saved to " + tracker.state_file().string();
    case CheckpointUpdate::Kind::kUnchanged:
      return "unchanged since the saved checkpoint (size " + std::to_string(size) + ")";
    case CheckpointUpdate::Kind::kAdvanced:
      return "advanced to size " + std::to_string(size) +
             ", proved consistent with the saved checkpoint (" + std::to_string(u.proof.size()) +
             "-hash consistency proof)";
    case CheckpointUpdate::Kind::kOlder:
      return "the log served an older checkpoint (size " +
             std::to_string(u.offered.checkpoint.size) +
             "), proved consistent; the saved one (size " + std::to_string(size) + ") is kept";
  }
  return "";
}

std::vector<std::string> WitnessNames(const ledger::SignedCheckpoint& cp) {
  std::vector<std::string> out;
  for (const ledger::VerifierKey& k : cp.verified_by) out.push_back(k.name());
  return out;
}

std::string DescribeWitnesses(const ledger::SignedCheckpoint& cp,
                              const client::VerificationPolicy& policy) {
  if (policy.witnesses.empty()) {
    return "witnesses: none configured (only this client's saved state protects against a fork)";
  }
  std::string names;
  for (const std::string& n : WitnessNames(cp)) names += (names.empty() ? "" : ", ") + n;
  return "witnesses: " + std::to_string(cp.verified_by.size()) + " of " +
         std::to_string(policy.witnesses.size()) + " cosigned (quorum " +
         std::to_string(policy.quorum) + ")" + (names.empty() ? "" : ": " + names);
}

// The fetcher, tile reader and state tracker of an online command.
struct Session {
  client::VerificationPolicy policy;
  std::unique_ptr<client::Fetcher> fetcher;
  std::unique_ptr<client::TileReader> reader;
  std::optional<client::LogStateTracker> tracker;
};

VerifyResult<Session> OpenSession(const Invocation& inv) {
  Session s;
  LTL_CLI_TRY(s.policy, PolicyFromFlags(inv));
  LTL_CLI_TRY(s.fetcher, FetcherFromFlags(inv));
  s.reader = std::make_unique<client::TileReader>(*s.fetcher);
  LTL_CLI_TRY(std::filesystem::path dir, StateDirFromFlags(inv));
  LTL_CLI_TRY(client::LogStateTracker tracker, client::LogStateTracker::Open(s.policy, dir));
  s.tracker.emplace(std::move(tracker));
  return s;
}

// ---- submit --------------------------------------------------------------------------

CommandResult Submit(const Invocation& inv) {
  const std::string path = inv.flags.positionals()[0];
  if (path == "-") return UsageError("submit needs a FILE (its receipt is saved beside it)");
  LTL_CLI_TRY(std::string entry, ReadInput(path));
  return SubmitAndSave(inv, entry, path);
}

// ---- verify ----------------------------------------------------------------------------

struct VerifyInput {
  std::optional<client::Receipt> receipt;
  std::optional<std::string> entry;  // the entry bytes, when known
  std::string receipt_source;        // where the receipt came from
};

VerifyResult<VerifyInput> ReadVerifyInput(const std::string& path) {
  LTL_CLI_TRY(std::string input, ReadInput(path));
  VerifyInput in;
  const size_t first = input.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && input[first] == '{') {
    LTL_CLI_ASSIGN_OR_FAIL(in.receipt, client::ParseReceiptJson(input), VerifyOutcome::kUsage,
                           path + " is not a receipt");
    in.receipt_source = path;
    return in;
  }
  in.entry = std::move(input);
  const std::string receipt_path = ReceiptPathFor(path);
  LTL_CLI_TRY(std::optional<std::string> receipt_json, ReadFileIfPresent(receipt_path));
  if (receipt_json) {
    LTL_CLI_ASSIGN_OR_FAIL(in.receipt, client::ParseReceiptJson(*receipt_json),
                           VerifyOutcome::kUsage, receipt_path + " is not a receipt");
    in.receipt_source = receipt_path;
  }
  return in;
}

CommandResult PrintVerifiedReceipt(const Invocation& inv, const client::VerifiedReceipt& v,
                                   const ledger::SignedCheckpoint& at, bool offline,
                                   const std::optional<CheckpointUpdate>& update,
                                   const Session* session,
                                   const client::VerificationPolicy& policy) {
  const ledger::Checkpoint& cp = at.checkpoint;
  const std::string ref = proofs::HashToHex(v.receipt.entry_ref);
  if (inv.json) {
    JsonOut json;
    json.Bool("ok", true)
        .Uint("index", v.receipt.index)
        .String("entry_ref", ref)
        .String("origin", cp.origin)
        .Uint("tree_size", cp.size)
        .Bool("entry_checked", v.entry_checked)
        .Bool("offline", offline)
        .Strings("witnesses", WitnessNames(at));
    if (update) json.String("state", UpdateName(update->kind));
    json.Finish();
    return Done{};
  }
  std::string text = "verified: entry " + std::to_string(v.receipt.index) + " of " + cp.origin +
                     " is included in the tree of size " + std::to_string(cp.size) +
                     (offline ? " (the receipt's checkpoint, signed by the log key)"
                              : " (the log's newest checkpoint)") +
                     "\nentry ref: " + ref + "\n";
  text += v.entry_checked
              ? "entry bytes: checked against the receipt's leaf hash and entry ref\n"
              : "entry bytes: not available; only the receipt's leaf hash is proved included\n";
  if (update && session) text += "checkpoint: " + DescribeUpdate(*update, *session->tracker) + "\n";
  text += DescribeWitnesses(at, policy) + "\n";
  if (offline) {
    text +=
        "not checked offline: that the log still shows this tree to everyone (run without "
        "--offline)\n";
  }
  PrintOut(text);
  return Done{};
}

// An entry without a receipt: find it through the log's signer index and
// prove its inclusion at the newest checkpoint.
CommandResult VerifyEntryByLookup(const Invocation& inv, Session& s, const std::string& input) {
  LTL_CLI_ASSIGN_OR_FAIL(ledger::Entry entry, ledger::ParseEntry(input),
                         VerifyOutcome::kInvalidEntry, "");
  LTL_CLI_TRY(CheckpointUpdate update, Evidenced(inv, s.tracker->Refresh(*s.fetcher, *s.reader)));
  const ledger::SignedCheckpoint& at = update.current;
  std::optional<client::VerifiedEntry> found;
  size_t searched = 0;
  bool unverified_later = false;
  for (const std::string& signer : ledger::EntrySignerNames(entry.body)) {
    LTL_CLI_TRY(client::LookupResult hits,
                client::Lookup(*s.fetcher, *s.reader, at, client::LookupKey::kSigner, signer));
    searched += hits.entries.size();
    unverified_later = unverified_later || !hits.beyond_checkpoint.empty() || hits.truncated;
    for (client::VerifiedEntry& e : hits.entries) {
      if (e.entry_ref == entry.ref) {
        found = std::move(e);
        break;
      }
    }
    if (found) break;
  }
  if (!found) {
    return Failure(
        VerifyOutcome::kInvalidEntry,
        "not_logged: no entry with ref " + proofs::HashToHex(entry.ref) + " among the " +
            std::to_string(searched) + " entries the log lists for its signers at tree size " +
            std::to_string(at.checkpoint.size) +
            (unverified_later ? " (later or further entries were not searched; retry)" : ""));
  }
  if (inv.json) {
    JsonOut json;
    json.Bool("ok", true)
        .Uint("index", found->index)
        .String("entry_ref", proofs::HashToHex(found->entry_ref))
        .String("origin", at.checkpoint.origin)
        .Uint("tree_size", at.checkpoint.size)
        .Bool("same_bytes", found->entry == input)
        .Bool("offline", false)
        .String("state", UpdateName(update.kind))
        .Strings("witnesses", WitnessNames(at));
    json.Finish();
    return Done{};
  }
  std::string text = "verified: entry " + std::to_string(found->index) + " of " +
                     at.checkpoint.origin + " is included in the tree of size " +
                     std::to_string(at.checkpoint.size) + " (the log's newest checkpoint)\n" +
                     "entry ref: " + proofs::HashToHex(found->entry_ref) + "\n";
  text += found->entry == input
              ? "entry bytes: identical to the file\n"
              : "entry bytes: same entry text, other signature lines than the file\n";
  text += "checkpoint: " + DescribeUpdate(update, *s.tracker) + "\n";
  text += DescribeWitnesses(at, s.policy) + "\n";
  PrintOut(text);
  return Done{};
}

CommandResult Verify(const Invocation& inv) {
  const std::string path = inv.flags.positionals()[0];
  const bool offline = inv.flags.Has("offline");
  if (offline && inv.flags.Has("log")) return UsageError("--offline and --log exclude each other");
  if (offline && inv.flags.Has("refresh"))
    return UsageError("--refresh needs the log, not --offline");
  LTL_CLI_TRY(VerifyInput in, ReadVerifyInput(path));

  if (offline) {
    LTL_CLI_TRY(client::VerificationPolicy policy, PolicyFromFlags(inv));
    if (!in.receipt) {
      return UsageError("no receipt for " + path + " (looked for " + ReceiptPathFor(path) +
                        "); without --offline the log is searched instead");
    }
    std::optional<std::string_view> entry;
    if (in.entry) entry = *in.entry;
    LTL_CLI_TRY(
        client::VerifiedReceipt v,
        client::VerifyReceiptOffline(*in.receipt, policy, client::QuorumCheck::kEnforce, entry));
    return PrintVerifiedReceipt(inv, v, v.checkpoint, true, std::nullopt, nullptr, policy);
  }

  LTL_CLI_TRY(Session s, OpenSession(inv));
  if (!in.receipt) return VerifyEntryByLookup(inv, s, *in.entry);
  std::optional<std::string_view> entry;
  if (in.entry) entry = *in.entry;
  LTL_CLI_TRY(client::OnlineReceipt online,
              Evidenced(inv, client::VerifyReceiptOnline(*s.fetcher, *s.reader, *s.tracker,
                                                         *in.receipt, entry)));
  if (inv.flags.Has("refresh")) {
    // The refreshed receipt proves the same entry at the trusted checkpoint,
    // which met the quorum: saved, it verifies offline under the same policy.
    client::Receipt refreshed = online.refreshed;
    if (!refreshed.entry) refreshed.entry = in.receipt->entry ? in.receipt->entry : in.entry;
    if (Status saved = client::detail::WriteFileAtomically(in.receipt_source,
                                                           client::ReceiptToJson(refreshed));
        !saved.ok()) {
      return FailWith(VerifyOutcome::kLocalState, saved, "--refresh");
    }
    if (!inv.json) PrintNote("receipt refreshed: " + in.receipt_source);
  }
  return PrintVerifiedReceipt(inv, online.original, online.update.current, false, online.update, &s,
                              s.policy);
}

// ---- checkpoint --------------------------------------------------------------------------

CommandResult CheckpointCommand(const Invocation& inv) {
  LTL_CLI_TRY(Session s, OpenSession(inv));
  LTL_CLI_TRY(CheckpointUpdate update, Evidenced(inv, s.tracker->Refresh(*s.fetcher, *s.reader)));
  const ledger::SignedCheckpoint& at = update.current;
  const std::string root = Base64Encode(at.checkpoint.root);
  if (inv.json) {
    JsonOut json;
    json.Bool("ok", true)
        .String("origin", at.checkpoint.origin)
        .Uint("tree_size", at.checkpoint.size)
        .String("root", root)
        .String("state", UpdateName(update.kind))
        .String("state_file", s.tracker->state_file().string())
        .Strings("witnesses", WitnessNames(at))
        .String("checkpoint", at.wire);
    json.Finish();
    return Done{};
  }
  PrintOut("origin: " + at.checkpoint.origin +
           "\ntree size: " + std::to_string(at.checkpoint.size) + "\nroot: " + root + "\nstate: " +
           DescribeUpdate(update, *s.tracker) + "\n" + DescribeWitnesses(at, s.policy) + "\n");
  return Done{};
}

// ---- get -------------------------------------------------------------------------------------

CommandResult Get(const Invocation& inv) {
  auto index = ParseDecimalU64(inv.flags.positionals()[0]);
  if (!index.has_value()) return UsageError("INDEX: want a whole number without leading zeros");

  if (!inv.flags.Has("log-key")) {
    if (inv.flags.Has("witness") || inv.flags.Has("quorum")) {
      return UsageError("--witness and --quorum need --log-key");
    }
    LTL_CLI_TRY(std::unique_ptr<client::Fetcher> fetcher, FetcherFromFlags(inv));
    auto body = client::GetBody(*fetcher, "/entry/" + std::to_string(*index));
    if (!body.has_value()) {
      if (body.error().code() == StatusCode::kNotFound) {
        return FailWith(VerifyOutcome::kUsage, body.error(),
                        "the log has no entry " + std::to_string(*index));
      }
      return client::FailFetch(body.error());
    }
    if (inv.json) {
      JsonOut json;
      json.Bool("ok", true).Uint("index", *index).Bool("verified", false).String("entry", *body);
      json.Finish();
    } else {
      PrintOut(*body);
      PrintNote(
          "NOT verified: shown as the log served it; give --log-key to prove it is in the log");
    }
    return Done{};
  }

  LTL_CLI_TRY(Session s, OpenSession(inv));
  LTL_CLI_TRY(CheckpointUpdate update, Evidenced(inv, s.tracker->Refresh(*s.fetcher, *s.reader)));
  LTL_CLI_TRY(client::VerifiedEntry e, client::VerifyEntryAt(*s.reader, update.current, *index));
  if (inv.json) {
    JsonOut json;
    json.Bool("ok", true)
        .Uint("index", e.index)
        .Bool("verified", true)
        .String("entry_ref", proofs::HashToHex(e.entry_ref))
        .Uint("tree_size", update.current.checkpoint.size)
        .String("entry", e.entry);
    json.Finish();
  } else {
    PrintOut(e.entry);
    PrintNote("verified: entry " + std::to_string(e.index) + " is included in the tree of size " +
              std::to_string(update.current.checkpoint.size) + " (" +
              DescribeUpdate(update, *s.tracker) + ")");
  }
  return Done{};
}

// ---- lookup ------------------------------------------------------------------------------------

std::string Summarise(const std::string& entry_bytes, std::string& type) {
  auto entry = ledger::ParseEntry(entry_bytes);
  if (!entry.has_value()) {
    type = "unknown";
    return "(not an LTL entry: " + std::string(ledger::ReasonCode(entry.error())) + ")";
  }
  type = std::string(ledger::EntryTypeName(ledger::TypeOf(entry->body)));
  std::string signers;
  for (const std::string& n : ledger::EntrySignerNames(entry->body)) {
    signers += (signers.empty() ? "" : ", ") + n;
  }
  return "signers: " + signers;
}

CommandResult LookupCommand(const Invocation& inv) {
  std::optional<std::pair<client::LookupKey, std::string>> key;
  int given = 0;
  if (const std::optional<std::string> work = inv.flags.Get("work")) {
    ++given;
    auto id = ledger::ParseWorkId(*work);
    if (!id.has_value()) return FailWith(VerifyOutcome::kUsage, id.error(), "--work");
    key.emplace(client::LookupKey::kWork, ledger::NormaliseWorkId(*id));
  }
  if (const std::optional<std::string> signer = inv.flags.Get("signer")) {
    ++given;
    if (Status s = ledger::ValidateKeyName(*signer); !s.ok()) {
      return FailWith(VerifyOutcome::kUsage, s, "--signer");
    }
    key.emplace(client::LookupKey::kSigner, *signer);
  }
  if (const std::optional<std::string> grant = inv.flags.Get("grant")) {
    ++given;
    if (grant->size() != 64 || !proofs::HashFromHex(*grant).has_value()) {
      return UsageError("--grant: want an entry ref, 64 lower-case hex digits");
    }
    key.emplace(client::LookupKey::kGrant, *grant);
  }
  if (given != 1) return UsageError("give exactly one of --work, --signer and --grant");
  client::LookupOptions options;
  if (const std::optional<std::string> pages = inv.flags.Get("max-pages")) {
    auto n = ParseDecimalU64(*pages);
    if (!n.has_value() || *n == 0) return UsageError("--max-pages: want a positive whole number");
    options.max_pages = static_cast<size_t>(*n);
  }

  LTL_CLI_TRY(Session s, OpenSession(inv));
  LTL_CLI_TRY(CheckpointUpdate update, Evidenced(inv, s.tracker->Refresh(*s.fetcher, *s.reader)));
  const ledger::SignedCheckpoint& at = update.current;
  LTL_CLI_TRY(client::LookupResult result,
              client::Lookup(*s.fetcher, *s.reader, at, key->first, key->second, options));

  if (inv.json) {
    JsonOut json;
    json.Bool("ok", true)
        .String("query", key->second)
        .Uint("tree_size", at.checkpoint.size)
        .Bool("complete_proven", false)
        .Bool("truncated", result.truncated);
    json.BeginArray("entries");
    for (const client::VerifiedEntry& e : result.entries) {
      std::string type;
      Summarise(e.entry, type);
      json.BeginObject()
          .Uint("index", e.index)
          .String("entry_ref", proofs::HashToHex(e.entry_ref))
          .String("type", type)
          .String("entry", e.entry)
          .EndObject();
    }
    json.EndArray();
    std::vector<std::string> later;
    for (uint64_t i : result.beyond_checkpoint) later.push_back(std::to_string(i));
    json.Strings("unverified_later_indexes", later);
    json.Finish();
    return Done{};
  }
  std::string text;
  for (const client::VerifiedEntry& e : result.entries) {
    std::string type;
    const std::string summary = Summarise(e.entry, type);
    text += "entry " + std::to_string(e.index) + "  " + type + "  ref " +
            proofs::HashToHex(e.entry_ref) + "  " + summary + "\n";
  }
  text += std::to_string(result.entries.size()) + " entr" +
          (result.entries.size() == 1 ? "y" : "ies") + " for " + key->second +
          ", each proved included in the tree of size " + std::to_string(at.checkpoint.size) + "\n";
  if (!result.beyond_checkpoint.empty()) {
    text += std::to_string(result.beyond_checkpoint.size()) +
            " more logged after that checkpoint were not verified (run again to verify them)\n";
  }
  if (result.truncated) {
    text += "stopped after --max-pages " + std::to_string(options.max_pages) +
            " pages: there are more results\n";
  }
  text +=
      "NOT proven: that this list is complete. The log's index could leave entries out; only "
      "a monitor replaying the whole log can check that.\n";
  PrintOut(text);
  return Done{};
}

std::vector<FlagSpec> OnlineFlags(bool log_key_required) {
  FlagSpec log = kLogFlag;
  log.required = true;
  FlagSpec log_key = kLogKeyFlag;
  log_key.required = log_key_required;
  return {log, log_key, kWitnessFlag, kQuorumFlag, kStateFlag};
}

}  // namespace

std::vector<Command> LogCommands() {
  std::vector<Command> out;
  FlagSpec log = kLogFlag;
  log.required = true;
  FlagSpec log_key = kLogKeyFlag;
  log_key.required = true;
  out.push_back(
      Command{"submit",
              "submit a signed entry, verify the receipt and save FILE.receipt.json",
              "Checks the entry locally first (form, type rules, required signatures), posts it,\n"
              "and verifies the receipt the log returns (checkpoint signed by --log-key,\n"
              "inclusion proof, entry hashes) before saving it beside FILE. The receipt's\n"
              "checkpoint is fresh, so no witness quorum applies yet: `ltl verify` checks it.\n"
              "With --witnessed the log answers once a witnessed checkpoint covers the entry\n"
              "(docs/network.md), and that checkpoint must meet --quorum of the --witness keys.\n",
              PositionalSpec{"FILE", 1, 1},
              {log, log_key, kWitnessFlag, kQuorumFlag,
               FlagSpec{"witnessed", "", "wait for a receipt at a witness-cosigned checkpoint"}},
              Submit});
  std::vector<FlagSpec> verify_flags = OnlineFlags(true);
  verify_flags[0].required = false;
  verify_flags.push_back(FlagSpec{"offline", "", "check the receipt alone, without the network"});
  verify_flags.push_back(FlagSpec{
      "refresh", "", "rewrite the receipt file with a proof at the newest (witnessed) checkpoint"});
  out.push_back(Command{
      "verify", "verify that a receipt's (or entry's) entry is in the log, consistently",
      "RECEIPT is a receipt file; ENTRY is an entry file, verified with ENTRY.receipt.json\n"
      "when present. Online (--log), the log's newest checkpoint is checked under the\n"
      "policy and proved consistent with the saved state and with the receipt's\n"
      "checkpoint, and the entry's inclusion is proved at the newest checkpoint. An\n"
      "entry without a receipt is searched in the log's index of its signers.\n"
      "--offline checks the receipt alone: its checkpoint (and --quorum) and its proof.\n",
      PositionalSpec{"RECEIPT|ENTRY", 1, 1}, verify_flags, Verify});
  out.push_back(Command{"checkpoint", "show, verify and record the log's latest checkpoint",
                        "The first checkpoint seen is trusted on first use; later ones must be\n"
                        "proved consistent with the saved one (else exit 6, with evidence).\n",
                        PositionalSpec{}, OnlineFlags(true), CheckpointCommand});
  out.push_back(Command{"get", "print a logged entry (verified by inclusion with --log-key)",
                        "With --log-key the entry is read from the log's tiles and proved\n"
                        "included in the newest checkpoint; without it the entry is printed as\n"
                        "the log served it, and a note on stderr says it is not verified.\n",
                        PositionalSpec{"INDEX", 1, 1}, OnlineFlags(false), Get});
  std::vector<FlagSpec> lookup_flags = OnlineFlags(true);
  lookup_flags.push_back(FlagSpec{"work", "WORK-ID", "entries naming this work"});
  lookup_flags.push_back(FlagSpec{"signer", "KEY-NAME", "entries signed by this key name"});
  lookup_flags.push_back(FlagSpec{"grant", "REF", "entries referring to this grant"});
  lookup_flags.push_back(FlagSpec{"max-pages", "N", "follow at most N result pages (default 100)"});
  out.push_back(
      Command{"lookup", "list the entries about a work, each proved included",
              "Every result is read from the log's tiles and proved included in the newest\n"
              "checkpoint. What cannot be proved yet is that the list is complete: the log's\n"
              "index could leave entries out. The output says so.\n",
              PositionalSpec{}, lookup_flags, LookupCommand});
  return out;
}

}  // namespace ltl::cli
