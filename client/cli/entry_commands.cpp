// `ltl entry verify`: offline check of a signed entry.
//
// Semantics (docs/cli.md#entry-verify). An entry is valid when
//   1. it parses as a signed note carrying an entry text, and the text obeys
//      its type's rules (ledger::ParseEntry);
//   2. every signer the entry itself requires (ledger::RequiredSigners: the
//      licensor, both parties of an agreement, the attester, ...) signed the
//      text with a valid signature (ledger::ValidateEntrySignatures);
//   3. every --key given signed it too, and no signature line claiming to be
//      a --key fails (signed-note semantics, ledger::OpenNote).
// Without --key the check says the entry is well-formed and signed by the
// keys it names: anyone can make such an entry with fresh keys. --key ties it
// to keys you trust (from a registry, a key entry in the log, the party
// itself). Every failure is exit 4 (invalid entry), with the ledger's reason
// code (missing_signature, bad_signature, field_order, ...) in the message.
#include <string>
#include <vector>

#include "client/cli/cli.h"
#include "ledger/entry.h"
#include "ledger/note.h"
#include "proofs/hash.h"

namespace ltl::cli {
namespace {

using client::VerifyOutcome;

CommandResult EntryVerify(const Invocation& inv) {
  std::vector<ledger::VerifierKey> trusted;
  for (const std::string& value : inv.flags.GetAll("key")) {
    LTL_CLI_TRY(ledger::VerifierKey key, ParseVerifierKeyFlag("key", value));
    if (key.type() != ledger::KeyType::kEd25519) {
      return UsageError("--key " + key.name() + ": entries are signed with Ed25519 note keys");
    }
    trusted.push_back(std::move(key));
  }
  const std::optional<std::string> path = FirstPositional(inv);
  LTL_CLI_TRY(std::string input, ReadInput(path));

  auto entry = ledger::ParseEntry(input);
  if (!entry.has_value()) {
    if (!ledger::ParseNote(input).has_value() && ledger::ParseEntryText(input).has_value()) {
      return Failure(VerifyOutcome::kInvalidEntry,
                     "missing_signature: the entry is not signed (sign it with: ltl sign --key "
                     "KEYFILE)");
    }
    return FailWith(VerifyOutcome::kInvalidEntry, entry.error());
  }
  if (Status signed_ok = ledger::ValidateEntrySignatures(*entry); !signed_ok.ok()) {
    return FailWith(VerifyOutcome::kInvalidEntry, signed_ok);
  }
  std::vector<std::string> trusted_names;
  if (!trusted.empty()) {
    auto opened = ledger::OpenNote(input, trusted);
    if (!opened.has_value() && opened.error().code() != StatusCode::kPermissionDenied) {
      return FailWith(VerifyOutcome::kUsage, opened.error(), "--key");
    }
    const std::vector<ledger::VerifierKey> none;
    const std::vector<ledger::VerifierKey>& verified = opened ? opened->verified_by : none;
    for (const ledger::VerifierKey& key : trusted) {
      bool found = false;
      for (const ledger::VerifierKey& v : verified) found = found || v == key;
      if (!found) {
        // Either no signature by this key, or one that does not verify
        // (OpenNote refuses the whole note then): say which.
        const bool claimed = [&] {
          for (const ledger::NoteSignature& s : entry->note.signatures) {
            if (s.name == key.name() && s.key_id == key.key_id()) return true;
          }
          return false;
        }();
        return Failure(
            VerifyOutcome::kInvalidEntry,
            std::string(claimed ? "bad_signature" : "missing_signature") + ": --key " + key.name() +
                (claimed ? ": its signature does not verify" : " did not sign the entry"));
      }
      trusted_names.push_back(key.name());
    }
  }

  std::vector<std::string> required;
  for (const ledger::VerifierKey& k : ledger::RequiredSigners(entry->body)) {
    required.push_back(k.ToString());
  }
  const std::string type(ledger::EntryTypeName(ledger::TypeOf(entry->body)));
  const std::string ref = proofs::HashToHex(entry->ref);
  if (inv.json) {
    JsonOut json;
    json.Bool("ok", true)
        .String("type", type)
        .String("entry_ref", ref)
        .Strings("required_signers", required)
        .Strings("trusted_signers", trusted_names);
    json.Finish();
    return Done{};
  }
  std::string text = "valid " + type + " entry\nentry ref: " + ref + "\n";
  for (const std::string& k : required) text += "signed by (required): " + k + "\n";
  for (const std::string& n : trusted_names) text += "signed by trusted --key: " + n + "\n";
  if (trusted.empty()) {
    text +=
        "note: no --key given; this shows the entry is signed by the keys it names, not who "
        "holds them\n";
  }
  PrintOut(text);
  return Done{};
}

}  // namespace

std::vector<Command> EntryCommands() {
  std::vector<Command> out;
  out.push_back(Command{
      "entry verify",
      "check an entry's form, type rules and signatures offline (exit 0 valid, 4 invalid)",
      "Valid when the entry parses, obeys its type's rules, every signer it requires\n"
      "(licensor; both parties of an agreement; attester; revoker; declarant; payer;\n"
      "payee; the key itself) signed it, and every --key also signed it. Without --key\n"
      "the entry is only shown to be signed by the keys it names.\n",
      PositionalSpec{"[FILE]", 0, 1},
      {FlagSpec{"key", "VKEY", "a trusted verifier key that must have signed", false, true}},
      EntryVerify});
  return out;
}

}  // namespace ltl::cli
