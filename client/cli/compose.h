// Composing entries from flags, shared by `ltl key entry`, `ltl key revoke`
// and the entry commands (`ltl grant`, `usage`, `revoke`, `reserve`, `pay`,
// `receipt`). Internal to client/cli/.
//
// Every composing command builds a typed ledger::EntryBody from its flags and
// hands it to EmitEntry, which
//   1. checks it with ledger::ValidateEntryBody (every rule the log applies;
//      a violation is exit 4, invalid entry, with the ledger's reason code),
//   2. formats it with ledger::FormatEntryText,
//   3. signs it with the given keys, in order (none: the bare entry text is
//      printed, ready for `ltl sign`),
//   4. prints it, or writes it to --out FILE (never overwriting), and
//   5. with --submit, submits it and saves FILE.receipt.json.
// Flag values use the syntax of the entry field they fill (docs/entries.md),
// so `--payment "training 1.5 EUR per-1m-tokens"` writes the line
// `payment training 1.5 EUR per-1m-tokens`.
#ifndef LTL_CLIENT_CLI_COMPOSE_H_
#define LTL_CLIENT_CLI_COMPOSE_H_

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "client/cli/cli.h"
#include "ledger/entry.h"
#include "ledger/keys.h"

namespace ltl::cli {

// --key, --out, --submit, --log, --log-key, --issued. `key_help` describes
// what --key stands for in this command; `key_required` makes it required.
std::vector<FlagSpec> EmitFlags(std::string_view key_help, bool key_required);

// Appends `extra` to `base`.
std::vector<FlagSpec> Concat(std::vector<FlagSpec> base, std::span<const FlagSpec> extra);

// The --key signing key when given. Outcomes: kUsage (see LoadSigningKey).
client::VerifyResult<std::optional<ledger::SigningKey>> SigningKeyFlag(const Invocation& inv);

// The key for a party field: --`flag` VKEY when given, else the --key's
// verifier key. Outcomes: kUsage when neither is given or the key is malformed.
client::VerifyResult<ledger::VerifierKey> PartyKeyFlag(
    const Invocation& inv, std::string_view flag, const std::optional<ledger::SigningKey>& key);

// Steps 1-5 above. `signers` sign in order.
CommandResult EmitEntry(const Invocation& inv, const ledger::EntryBody& body,
                        std::span<const ledger::SigningKey> signers);

}  // namespace ltl::cli

#endif  // LTL_CLIENT_CLI_COMPOSE_H_
