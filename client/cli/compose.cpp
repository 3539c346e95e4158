// EmitEntry: validate, format, sign, print or write, submit (compose.h).
#include "client/cli/compose.h"

#include "client/cli/log_access.h"
#include "ledger/note.h"
#include "proofs/hash.h"

namespace ltl::cli {

using client::VerifyOutcome;
using client::VerifyResult;

std::vector<FlagSpec> EmitFlags(std::string_view key_help, bool key_required) {
  return {
      FlagSpec{"key", "KEYFILE", key_help, key_required},
      FlagSpec{"issued", "TIME", "the entry's issue time, YYYY-MM-DDTHH:MM:SSZ (default: now)"},
      FlagSpec{"out", "FILE", "write the entry to FILE (never overwrites) instead of stdout"},
      FlagSpec{"submit", "",
               "submit the signed entry and save FILE.receipt.json (needs --key, --out, --log, "
               "--log-key)"},
      kLogFlag,
      kLogKeyFlag,
  };
}

std::vector<FlagSpec> Concat(std::vector<FlagSpec> base, std::span<const FlagSpec> extra) {
  base.insert(base.end(), extra.begin(), extra.end());
  return base;
}

VerifyResult<std::optional<ledger::SigningKey>> SigningKeyFlag(const Invocation& inv) {
  const std::optional<std::string> path = inv.flags.Get("key");
  if (!path) return std::optional<ledger::SigningKey>();
  LTL_CLI_TRY(ledger::SigningKey key, LoadSigningKey(*path));
  return std::optional<ledger::SigningKey>(std::move(key));
}

VerifyResult<ledger::VerifierKey> PartyKeyFlag(const Invocation& inv, std::string_view flag,
                                               const std::optional<ledger::SigningKey>& key) {
  if (const std::optional<std::string> value = inv.flags.Get(flag)) {
    return ParseVerifierKeyFlag(flag, *value);
  }
  if (key) return key->verifier();
  return UsageError("missing --" + std::string(flag) +
                    " VKEY (or give --key KEYFILE to sign as that party)");
}

CommandResult EmitEntry(const Invocation& inv, const ledger::EntryBody& body,
                        std::span<const ledger::SigningKey> signers) {
  const bool submit = inv.flags.Has("submit");
  const std::optional<std::string> out = inv.flags.Get("out");
  if (submit) {
    if (signers.empty())
      return UsageError("--submit needs --key KEYFILE: only signed entries are logged");
    if (!out) {
      return UsageError(
          "--submit needs --out FILE: the signed entry and its receipt "
          "(FILE.receipt.json) are kept there");
    }
    if (!inv.flags.Has("log") || !inv.flags.Has("log-key")) {
      return UsageError("--submit needs --log URL and --log-key VKEY");
    }
  } else if (inv.flags.Has("log") || inv.flags.Has("log-key")) {
    return UsageError("--log and --log-key are only used with --submit");
  }

  if (Status valid = ledger::ValidateEntryBody(body); !valid.ok()) {
    return FailWith(VerifyOutcome::kInvalidEntry, valid, "the composed entry is invalid");
  }
  const std::string text = ledger::FormatEntryText(body);
  std::string output = text;
  for (const ledger::SigningKey& key : signers) {
    LTL_CLI_ASSIGN_OR_FAIL(output, ledger::SignNote(output, key), VerifyOutcome::kUsage,
                           "signing with " + key.name());
  }
  const std::string ref = proofs::HashToHex(ledger::ComputeEntryRef(text));

  if (out) {
    LTL_CLI_TRY(Done written, WriteNewFile(*out, output));
    (void)written;
    if (submit) return SubmitAndSave(inv, output, *out);
  }
  if (inv.json) {
    JsonOut json;
    json.Bool("ok", true)
        .String("type", ledger::EntryTypeName(ledger::TypeOf(body)))
        .String("entry_ref", ref)
        .Bool("signed", !signers.empty());
    if (out) {
      json.String("file", *out);
    } else {
      json.String("entry", output);
    }
    json.Finish();
  } else if (out) {
    PrintOut("wrote " + std::string(signers.empty() ? "unsigned " : "signed ") +
             std::string(ledger::EntryTypeName(ledger::TypeOf(body))) + " entry to " + *out +
             "\nentry ref: " + ref + "\n");
  } else {
    PrintOut(output);
  }
  return Done{};
}

}  // namespace ltl::cli
