// Admission: how the store learns whether submitted bytes may be logged,
// without knowing anything about entry types.
//
// The store never parses entries. The node injects an AdmissionFn built on
// the entry types (parse + full signature check + key registry); tests inject
// simple ones (for example OpenNote() with a fixed key set). The store calls
// it on its pool of admission workers, never on the single writer thread, and
// sequences only what it admits: a refused entry leaves no trace.
//
// Thread-safety: an AdmissionFn is called concurrently from several worker
// threads and must be thread-safe. It must be deterministic for given bytes
// while the entry is in flight (the same bytes give the same leaf).
#ifndef LTL_LEDGER_STORE_ADMISSION_H_
#define LTL_LEDGER_STORE_ADMISSION_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "proofs/hash.h"

namespace ltl::store {

// What admission returns for an entry the log accepts.
struct AdmittedEntry {
  // The exact bytes to log (usually the submitted bytes). Its RFC 6962 leaf
  // hash identifies the entry for deduplication. At most 65,535 bytes (the
  // tlog-tiles bundle limit).
  std::string leaf;
  // The entry reference (DOMAIN.md choice 3: SHA-256 of the note text).
  // REQUIRES: a function of `leaf` (equal leaves, equal references): the
  // store finds an already logged leaf among the entries sharing its
  // reference, so deduplication relies on it.
  proofs::Hash entry_ref{};
  // Secondary index keys, already normalised by admission. Each non-empty
  // and at most 255 bytes; duplicates within one list are indexed once.
  std::vector<std::string> work_keys;    // normalised work identifiers
  std::vector<std::string> signer_keys;  // key names that signed the entry
  std::vector<std::string> grant_keys;   // grant references the entry cites
};

// Parses and fully validates `submitted`. Errors are returned to the
// submitter as they are (InvalidArgument for a malformed entry,
// PermissionDenied for a missing or unregistered signature...).
using AdmissionFn = std::function<Result<AdmittedEntry>(std::string_view submitted)>;

}  // namespace ltl::store

#endif  // LTL_LEDGER_STORE_ADMISSION_H_
