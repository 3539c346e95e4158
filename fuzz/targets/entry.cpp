// entry: ledger::ParseEntry (signed note + entry text) and ParseEntryText.
// Properties:
//   - an accepted entry text is canonical: FormatEntryText(body) == text,
//     ValidateEntryBody(body) is OK, and the text of a parsed signed entry is
//     the note's text;
//   - the derived views (required signers, index keys, links, signature
//     check) never fail on an accepted entry.
#include "ledger/entry.h"
#include "fuzz/targets.h"
#include "fuzz/targets/fuzz_keys.h"

namespace ltl::fuzz {
namespace {

constexpr std::string_view kName = "entry";

void CheckBody(const ledger::EntryBody& body, std::string_view text) {
  if (ledger::FormatEntryText(body) != text) Violation(kName, "FormatEntryText(parse(x)) != x");
  if (!ledger::ValidateEntryBody(body).ok()) Violation(kName, "parsed body does not validate");
  if (ledger::RequiredSigners(body).empty()) Violation(kName, "an entry without required signers");
  const auto names = ledger::EntrySignerNames(body);
  if (names.size() != ledger::RequiredSigners(body).size()) {
    Violation(kName, "signer names and required signers differ in number");
  }
  for (const std::string& work : ledger::EntryWorkIds(body)) {
    if (work.empty()) Violation(kName, "an empty work identifier");
  }
  (void)ledger::EntryLinks(body);
}

}  // namespace

int FuzzEntry(const uint8_t* data, size_t size) {
  const std::string_view input = AsText(data, size);
  // The bytes as an entry text (most inputs; the parser behind ParseEntry).
  if (Result<ledger::EntryBody> body = ledger::ParseEntryText(input)) {
    CheckBody(*body, input);
    if (ledger::TypeOf(*body) != ledger::TypeOf(ledger::ParseEntryText(input).value())) {
      Violation(kName, "parsing is not deterministic");
    }
  }
  // The bytes as a signed entry, as POST /add receives them.
  if (Result<ledger::Entry> entry = ledger::ParseEntry(input)) {
    CheckBody(entry->body, entry->note.text);
    if (entry->ref != ledger::ComputeEntryRef(entry->note.text)) {
      Violation(kName, "entry ref is not SHA-256 of the text");
    }
    (void)ledger::ValidateEntrySignatures(*entry);
  }
  return 0;
}

}  // namespace ltl::fuzz
