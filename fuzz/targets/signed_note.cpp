// signed_note: ledger::ParseNote and OpenNote on arbitrary bytes.
// Properties:
//   - a parsed note formats back to exactly the input (one encoding per note:
//     a strict parser never normalises);
//   - OpenNote accepts only what ParseNote accepts, and what it reports as
//     verified is one of the known keys;
//   - a note re-signed by the log key opens under that key.
#include <algorithm>

#include "fuzz/targets.h"
#include "fuzz/targets/fuzz_keys.h"
#include "ledger/note.h"

namespace ltl::fuzz {

int FuzzSignedNote(const uint8_t* data, size_t size) {
  constexpr std::string_view kName = "signed_note";
  const std::string_view wire = AsText(data, size);
  const ledger::VerifierKey known[] = {FuzzLogKey().verifier(), FuzzWitnessKey().verifier()};

  Result<ledger::Note> note = ledger::ParseNote(wire);
  Result<ledger::VerifiedNote> opened = ledger::OpenNote(wire, known);
  if (!note) {
    if (opened) Violation(kName, "OpenNote accepted a note ParseNote refuses");
    return 0;
  }
  if (ledger::FormatNote(*note) != wire) Violation(kName, "FormatNote(ParseNote(x)) != x");
  if (opened) {
    if (opened->note != *note) Violation(kName, "OpenNote parsed differently from ParseNote");
    for (const ledger::VerifierKey& k : opened->verified_by) {
      if (std::find(std::begin(known), std::end(known), k) == std::end(known)) {
        Violation(kName, "verified_by lists an unknown key");
      }
    }
  }
  // Co-signing what parsed must give a note that opens under the signer.
  Result<std::string> resigned = ledger::SignNote(wire, FuzzLogKey());
  if (resigned) {
    const ledger::VerifierKey log[] = {FuzzLogKey().verifier()};
    Result<ledger::VerifiedNote> reopened = ledger::OpenNote(*resigned, log);
    // SignNote replaces an earlier line with the log key's name and ID, so
    // even an input that carried a bad one must open now.
    if (!reopened) Violation(kName, "a note signed by the log key does not open under it");
  }
  return 0;
}

}  // namespace ltl::fuzz
