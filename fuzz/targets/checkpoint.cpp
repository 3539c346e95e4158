// checkpoint: ParseCheckpointText and OpenCheckpoint (log key and one witness).
// Properties:
//   - an accepted checkpoint text formats back to exactly the input;
//   - an opened checkpoint's text is the note's text, its origin is the log
//     key's name, and it lists only the known witness;
//   - when the input is a checkpoint text, signing it and opening the result
//     round-trips the checkpoint.
#include "ledger/checkpoint.h"
#include "fuzz/targets.h"
#include "fuzz/targets/fuzz_keys.h"
#include "ledger/note.h"

namespace ltl::fuzz {

int FuzzCheckpoint(const uint8_t* data, size_t size) {
  constexpr std::string_view kName = "checkpoint";
  const std::string_view input = AsText(data, size);
  const ledger::VerifierKey witnesses[] = {FuzzWitnessKey().verifier()};

  if (Result<ledger::Checkpoint> cp = ledger::ParseCheckpointText(input)) {
    if (ledger::FormatCheckpointText(*cp) != input) {
      Violation(kName, "FormatCheckpointText(parse(x)) != x");
    }
    if (!ledger::ValidateCheckpoint(*cp).ok()) Violation(kName, "parsed checkpoint is invalid");
    if (cp->origin == FuzzLogKey().name()) {
      Result<std::string> signed_note = ledger::SignCheckpoint(*cp, FuzzLogKey());
      if (!signed_note) Violation(kName, "cannot sign a parsed checkpoint");
      Result<ledger::SignedCheckpoint> opened =
          ledger::OpenCheckpoint(*signed_note, FuzzLogKey().verifier(), witnesses);
      if (!opened || opened->checkpoint != *cp) {
        Violation(kName, "a signed checkpoint does not open to itself");
      }
    }
  }
  if (Result<ledger::SignedCheckpoint> opened =
          ledger::OpenCheckpoint(input, FuzzLogKey().verifier(), witnesses)) {
    if (opened->wire != input) Violation(kName, "opened wire differs from the input");
    if (opened->checkpoint.origin != FuzzLogKey().name()) {
      Violation(kName, "opened a checkpoint of another origin");
    }
    if (ledger::FormatCheckpointText(opened->checkpoint) != opened->note.text) {
      Violation(kName, "checkpoint text is not the note text");
    }
    for (const ledger::VerifierKey& k : opened->verified_by) {
      if (!(k == witnesses[0])) Violation(kName, "verified_by lists an unknown witness");
    }
  }
  return 0;
}

}  // namespace ltl::fuzz
