// Admission: what the log node accepts, as one function the store calls on
// its worker threads before sequencing (ledger/store/admission.h).
//
// An entry is admitted when
//   1. it is a well-formed LTL entry (ledger/entry.h: strict signed note,
//      strict body, type rules, at most 65,535 bytes);
//   2. every key its type requires signed it (ValidateEntrySignatures);
//   3. the key registry agrees (DOMAIN.md choice 7, "the registry is the
//      log's spam gate"):
//        - a `key` entry registers its key. Its name must not already belong
//          to another registered key unless it rotates from it
//          (`previous-key`, which must be registered, unrevoked, and has
//          signed the entry); a revoked key cannot be registered again;
//        - a `key-revoke` targets a registered key; `revoked-by`, when
//          present, must be registered and unrevoked;
//        - every other entry needs each required signer registered by an
//          earlier `key` entry, not revoked, inside its validity window at
//          admission time.
// The registry is read from the log's own signer index: for `key` and
// `key-revoke` entries the store indexes, besides the signer's key name,
// the full verifier key string (it contains '+', which a key name cannot,
// so the two never collide). `GET /lookup?signer=<vkey>` therefore lists a
// key's registration and revocations.
//
// Registry checks read committed state: an entry signed by a key whose `key`
// entry is still in flight is refused (submit the key entry first and wait
// for its receipt). Two different keys registering one name in the same
// batch both pass; monitors flag that (DOMAIN.md check A, DUPLICATE_ID).
//
// Errors (returned to the submitter verbatim, with a reason code prefix):
//   InvalidArgument   malformed entry (ledger reason codes, docs/entries.md)
//   PermissionDenied  missing/invalid signature ("signature: ..."), or
//                     a registry refusal ("unregistered_key: ...",
//                     "revoked_key: ...", "key_not_valid: ...",
//                     "name_taken: ...")
//   ResourceExhausted the entry is larger than 65,535 bytes
// Thread-safety: the returned function is thread-safe.
#ifndef LTL_NODE_ADMISSION_H_
#define LTL_NODE_ADMISSION_H_

#include <cstdint>
#include <functional>

#include "ledger/entry.h"
#include "ledger/store/admission.h"
#include "ledger/store/log_reader.h"

namespace ltl::node {

// Current Unix time in seconds; injectable for tests.
using Clock = std::function<int64_t()>;
int64_t SystemUnixSeconds();

// The store's reader. It is a function because the store takes the
// admission function when it opens, before its reader exists; the store
// calls admission only for submissions, so by then the reader is there.
using ReaderFn = std::function<const store::LogReader&()>;

// The node's admission function over the log read through `reader`.
store::AdmissionFn MakeAdmission(ReaderFn reader, Clock clock = SystemUnixSeconds);

// The checks of step 3 alone, for an entry already parsed and signature-
// checked (exposed for tests).
Status CheckRegistry(const ledger::Entry& entry, const store::LogReader& reader,
                     int64_t now_unix_seconds);

// The secondary index keys of an entry (exposed for tests):
//   work   normalised work identifiers (EntryWorkIds);
//   signer the key names of the required signers, plus the full verifier key
//          string for `key` (its key) and `key-revoke` (its target key);
//   grant  hex references the entry cites (EntryLinks), plus its own for a
//          licence grant, so GET /lookup?grant=REF lists a grant and all
//          that refers to it.
store::AdmittedEntry IndexKeysFor(const ledger::Entry& entry, std::string_view leaf);

}  // namespace ltl::node

#endif  // LTL_NODE_ADMISSION_H_
