// Keys and signatures: `ltl key generate`, `ltl key entry`, `ltl key revoke`,
// `ltl sign`.
#include <string>
#include <vector>

#include "client/cli/cli.h"
#include "client/cli/compose.h"
#include "ledger/entry.h"
#include "ledger/note.h"

namespace ltl::cli {
namespace {

using client::VerifyOutcome;
using client::VerifyResult;

// ---- key generate -------------------------------------------------------------

CommandResult KeyGenerate(const Invocation& inv) {
  const std::string name = *inv.flags.Get("name");
  const std::string out = *inv.flags.Get("out");
  LTL_CLI_ASSIGN_OR_FAIL(ledger::SigningKey key, ledger::SigningKey::Generate(name),
                         VerifyOutcome::kUsage, "--name");
  LTL_CLI_TRY(Done written, WriteNewPrivateFile(out, key.PrivateKeyString() + "\n"));
  (void)written;
  const std::string vkey = key.verifier().ToString();
  if (inv.json) {
    JsonOut json;
    json.Bool("ok", true).String("key_file", out).String("verifier_key", vkey);
    json.Finish();
  } else {
    // The verifier key alone on stdout, so that `vkey=$(ltl key generate ...)` works.
    PrintOut(vkey + "\n");
    PrintNote("private key written to " + out + " (mode 0600); keep it secret");
  }
  return Done{};
}

// ---- key show -------------------------------------------------------------------

CommandResult KeyShow(const Invocation& inv) {
  LTL_CLI_TRY(ledger::SigningKey key, LoadSigningKey(*inv.flags.Get("key")));
  const std::string vkey = key.verifier().ToString();
  if (inv.json) {
    JsonOut json;
    json.Bool("ok", true).String("verifier_key", vkey).String("name", key.name());
    json.Finish();
  } else {
    PrintOut(vkey + "\n");
  }
  return Done{};
}

// ---- key entry ------------------------------------------------------------------

CommandResult KeyEntryCommand(const Invocation& inv) {
  LTL_CLI_TRY(ledger::SigningKey key, LoadSigningKey(*inv.flags.Get("key")));
  std::vector<ledger::SigningKey> signers = {key};

  ledger::KeyEntry e;
  e.key = key.verifier();
  if (const std::optional<std::string> previous = inv.flags.Get("previous-key")) {
    LTL_CLI_TRY(ledger::SigningKey old, LoadSigningKey(*previous));
    e.previous_key = old.verifier();
    signers.push_back(std::move(old));
  }
  for (const std::string& role : inv.flags.GetAll("role")) {
    const auto r = ledger::EnumFromName<ledger::Role>(role);
    if (!r) {
      return UsageError("--role: '" + role +
                        "' is not a role (licensor, agent, cmo, licensee, monitor, witness, log)");
    }
    e.roles.push_back(*r);
  }
  e.party_name = *inv.flags.Get("party");
  for (const std::string& id : inv.flags.GetAll("party-id")) {
    const size_t colon = id.find(':');
    const auto scheme = ledger::EnumFromName<ledger::PartyIdScheme>(id.substr(0, colon));
    if (colon == std::string::npos || !scheme) {
      return UsageError("--party-id: want isni:, ipi: or lei: followed by the identifier");
    }
    e.party_ids.push_back(ledger::PartyId{*scheme, id.substr(colon + 1)});
  }
  const ledger::Timestamp now = Now();
  LTL_CLI_TRY(e.issued, TimeFlagOr(inv, "issued", now));
  LTL_CLI_TRY(e.not_before, TimeFlagOr(inv, "not-before", e.issued));
  if (const std::optional<std::string> after = inv.flags.Get("not-after")) {
    LTL_CLI_TRY(e.not_after, ParseTimeFlag("not-after", *after));
  }
  return EmitEntry(inv, e, signers);
}

// ---- key revoke -------------------------------------------------------------------

CommandResult KeyRevokeCommand(const Invocation& inv) {
  LTL_CLI_TRY(ledger::SigningKey key, LoadSigningKey(*inv.flags.Get("key")));
  ledger::KeyRevoke e;
  e.key = key.verifier();
  if (const std::optional<std::string> target = inv.flags.Get("target")) {
    LTL_CLI_TRY(e.key, ParseVerifierKeyFlag("target", *target));
    // Revoking another key: the signer is named as revoked-by. Revoking the
    // signing key itself leaves revoked-by out, as the format requires.
    if (!(e.key == key.verifier())) e.revoked_by = key.verifier();
  }
  const std::string reason = *inv.flags.Get("reason");
  const auto r = ledger::EnumFromName<ledger::KeyRevokeReason>(reason);
  if (!r) return UsageError("--reason: want compromised, superseded or retired");
  e.reason = *r;
  if (const std::optional<std::string> since = inv.flags.Get("compromised-since")) {
    LTL_CLI_TRY(e.compromised_since, ParseTimeFlag("compromised-since", *since));
  }
  LTL_CLI_TRY(e.issued, TimeFlagOr(inv, "issued", Now()));
  const ledger::SigningKey signers[] = {key};
  return EmitEntry(inv, e, signers);
}

// ---- sign -------------------------------------------------------------------------------

CommandResult Sign(const Invocation& inv) {
  LTL_CLI_TRY(ledger::SigningKey key, LoadSigningKey(*inv.flags.Get("key")));
  const std::optional<std::string> path = FirstPositional(inv);
  LTL_CLI_TRY(std::string input, ReadInput(path));
  LTL_CLI_ASSIGN_OR_FAIL(std::string signed_note, ledger::SignNote(input, key),
                         VerifyOutcome::kInvalidEntry, path ? *path : "standard input");
  if (inv.json) {
    auto note = ledger::ParseNote(signed_note);
    if (!note.has_value()) {  // SignNote produced it: failing to parse it is a bug
      return client::Fail(
          VerifyOutcome::kInvalidEntry,
          Status::Internal("re-reading the signed note: " + note.error().message()));
    }
    std::vector<std::string> names;
    for (const ledger::NoteSignature& s : note->signatures) names.push_back(s.name);
    JsonOut json;
    json.Bool("ok", true).String("note", signed_note).Strings("signature_names", names);
    json.Finish();
  } else {
    PrintOut(signed_note);
  }
  return Done{};
}

constexpr std::string_view kKeyEntryDetails =
    "Prints a `key` entry registering KEYFILE's public key for the roles given, signed\n"
    "by that key (and by --previous-key on a rotation), ready for `ltl submit`.\n"
    "Times default to now; --not-before defaults to --issued.\n";

constexpr std::string_view kSignDetails =
    "Reads a note text (an entry printed by a compose command) or an already signed\n"
    "note from FILE, or standard input, adds KEYFILE's signature and prints the signed\n"
    "note. Co-signing is running it again with another key; signing twice with one\n"
    "key replaces that key's signature (the result is the same).\n"
    "Key files must have mode 0600 (no access for group or others).\n";

}  // namespace

std::vector<Command> KeyCommands() {
  std::vector<Command> out;
  out.push_back(
      Command{"key generate",
              "create a signing key in a new 0600 file and print its verifier key",
              "The key file is never overwritten. NAME is the key's public name, conventionally\n"
              "<your-domain>/ltl, and appears on every signature line.\n",
              PositionalSpec{},
              {FlagSpec{"name", "NAME", "the key name, e.g. alice.example/ltl", true},
               FlagSpec{"out", "KEYFILE", "the private key file to create", true}},
              KeyGenerate});
  out.push_back(Command{"key show",
                        "print the verifier key of a private key file",
                        "Prints only the public verifier key; the private key is never shown.\n",
                        PositionalSpec{},
                        {FlagSpec{"key", "KEYFILE", "the private key file", true}},
                        KeyShow});
  out.push_back(Command{
      "key entry", "print a self-signed `key` entry registering a key", kKeyEntryDetails,
      PositionalSpec{},
      Concat(EmitFlags("the private key to register; it signs the entry", true),
             std::vector<FlagSpec>{
                 FlagSpec{"role", "ROLE", "licensor, agent, cmo, licensee, monitor, witness or log",
                          true, true},
                 FlagSpec{"party", "NAME", "the party's name (party-name)", true},
                 FlagSpec{"party-id", "ID", "isni:..., ipi:... or lei:...", false, true},
                 FlagSpec{"previous-key", "KEYFILE", "the key this one replaces; it co-signs"},
                 FlagSpec{"not-before", "TIME", "start of validity (default: --issued)"},
                 FlagSpec{"not-after", "TIME", "end of validity (default: none)"},
             }),
      KeyEntryCommand});
  out.push_back(
      Command{"key revoke", "print a `key-revoke` entry withdrawing a key",
              "Without --target, KEYFILE revokes itself. With --target, KEYFILE (for example a\n"
              "registered successor) revokes the target key and is named as revoked-by.\n",
              PositionalSpec{},
              Concat(EmitFlags("the signing key (the key revoked, unless --target)", true),
                     std::vector<FlagSpec>{
                         FlagSpec{"target", "VKEY", "the key to revoke (default: KEYFILE's own)"},
                         FlagSpec{"reason", "REASON", "compromised, superseded or retired", true},
                         FlagSpec{"compromised-since", "TIME", "required with reason compromised"},
                     }),
              KeyRevokeCommand});
  out.push_back(Command{"sign",
                        "add a signature to a note or entry",
                        kSignDetails,
                        PositionalSpec{"[FILE]", 0, 1},
                        {FlagSpec{"key", "KEYFILE", "the private key to sign with", true}},
                        Sign});
  return out;
}

}  // namespace ltl::cli
