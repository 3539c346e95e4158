// ltl-gen-entries: writes pre-signed, valid LTL entries for ltl-loadgen
// (bench/loadgen.cpp), so that POST /add can be measured through the whole
// write path of a real node: parse, signature checks, key registry, batching,
// durable commit and receipts.
//
//   ltl-gen-entries --keys K --entries N --keys-out FILE --entries-out FILE [--first F]
//
// Writes two files in loadgen's entries format (entries separated by a line
// "%%" alone):
//   --keys-out     K `key` entries, each registering one signer (valid from
//                  2000-01-01, no end), signed by that key;
//   --entries-out  N `licence-grant` offers (about 500 bytes, one signature:
//                  the licensor's), round-robin over the K signers, each
//                  unique (its grant-id carries its number, F..F+N-1; give
//                  each measurement run its own range with --first, or a
//                  rerun measures deduplication instead of appends).
// Submit the key file first (its entries must be committed before the others
// are admitted), then measure with the entries file. Keys are derived from
// fixed seeds (SHA-256 of the key name), so runs are reproducible.
//
// A measurement (a fixed port: with --access-log off the node does not log
// the port it picked):
//   ltl-gen-entries --keys 64 --entries 60000 --keys-out keys --entries-out run1
//   ltl-node init --data D --origin bench.localhost/log
//   ltl-node serve --data D --listen 127.0.0.1:18931 --access-log off &
//   ltl-loadgen --port 18931 --mode add --entries keys --connections 2 --duration 1
//   ltl-loadgen --port 18931 --mode add --entries run1 --connections 256 --duration 10
//   ltl-loadgen --port 18931 --mode tile --connections 16 --duration 5
// Bounds: 1..4096 keys, 1..1,000,000 entries, --first below 10^12.
#include <cstdio>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "base/encoding.h"
#include "ledger/entry.h"
#include "ledger/keys.h"
#include "ledger/note.h"
#include "ledger/time.h"
#include "ledger/work_id.h"
#include "proofs/hash.h"

namespace {

struct Config {
  uint64_t keys = 0;
  uint64_t entries = 0;
  uint64_t first = 0;
  std::string keys_out;
  std::string entries_out;
};

void Usage() {
  std::fprintf(stderr,
               "usage: ltl-gen-entries --keys 1..4096 --entries 1..1000000 --keys-out FILE "
               "--entries-out FILE [--first 0..999999999999]\n");
}

ltl::Result<Config> ParseArgs(int argc, char** argv) {
  Config c;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) return ltl::Status::InvalidArgument(std::string(flag) + " needs a value");
    const std::string_view value = argv[++i];
    auto number = [&](uint64_t max, uint64_t min = 1) -> ltl::Result<uint64_t> {
      ltl::Result<uint64_t> n = ltl::ParseDecimalU64(value);
      if (!n || *n < min || *n > max) {
        return ltl::Status::InvalidArgument(std::string(flag) + ": want " + std::to_string(min) +
                                            ".." + std::to_string(max));
      }
      return n;
    };
    if (flag == "--keys") {
      LTL_ASSIGN_OR_RETURN(c.keys, number(4096));
    } else if (flag == "--entries") {
      LTL_ASSIGN_OR_RETURN(c.entries, number(1'000'000));
    } else if (flag == "--first") {
      LTL_ASSIGN_OR_RETURN(c.first, number(999'999'999'999, 0));
    } else if (flag == "--keys-out") {
      c.keys_out = value;
    } else if (flag == "--entries-out") {
      c.entries_out = value;
    } else {
      return ltl::Status::InvalidArgument("unknown flag " + std::string(flag));
    }
  }
  if (c.keys == 0 || c.entries == 0 || c.keys_out.empty() || c.entries_out.empty()) {
    return ltl::Status::InvalidArgument("all four flags are required");
  }
  return c;
}

ltl::Result<ltl::ledger::SigningKey> BenchKey(uint64_t i) {
  const std::string name = "bench-signer-" + std::to_string(i) + ".example/ltl";
  const ltl::proofs::Hash seed = ltl::proofs::Sha256(name);
  return ltl::ledger::SigningKey::FromSeed(name, seed);
}

ltl::Result<std::string> KeyEntry(const ltl::ledger::SigningKey& key) {
  ltl::ledger::KeyEntry e;
  e.key = key.verifier();
  e.roles = {ltl::ledger::Role::kLicensor};
  LTL_ASSIGN_OR_RETURN(e.not_before, ltl::ledger::ParseTimestamp("2000-01-01T00:00:00Z"));
  e.issued = e.not_before;
  return ltl::ledger::SignNote(ltl::ledger::FormatEntryText(e), key);
}

// A public licence offer (`licence-grant`, kind offer), signed by its
// licensor alone: one signature, about 500 bytes with realistic fields (two
// works, a permitted use, a territory, a term and a price).
// Unique per n: its grant-id carries n.
ltl::Result<std::string> LicenceOffer(const ltl::ledger::SigningKey& key, uint64_t n) {
  using namespace ltl::ledger;
  const std::string number = std::to_string(n);
  LicenceGrant g;
  g.grant_id = "bench-offer-" + number;
  g.kind = GrantKind::kOffer;
  g.licensor = key.verifier();
  LTL_ASSIGN_OR_RETURN(WorkId recording, ParseWorkId("isrc:GB-AYE-69-00531"));
  LTL_ASSIGN_OR_RETURN(WorkId composition, ParseWorkId("iswc:T-034.524.680-1"));
  g.works = {recording, composition};
  g.permit_uses = {Use::kTrainGenai};
  g.territories = {"EU"};
  LTL_ASSIGN_OR_RETURN(g.not_before, ParseTimestamp("2026-02-01T00:00:00Z"));
  LTL_ASSIGN_OR_RETURN(Timestamp not_after, ParseTimestamp("2027-02-01T00:00:00Z"));
  g.not_after = not_after;
  LTL_ASSIGN_OR_RETURN(Decimal price, Decimal::Parse("0.25"));
  PaymentTerm per_work;
  per_work.model = PaymentModel::kTraining;
  per_work.price = Money{price, "EUR"};
  per_work.unit = PaymentUnit::kPerWork;
  g.payments = {per_work};
  LTL_ASSIGN_OR_RETURN(g.issued, ParseTimestamp("2026-01-15T12:00:00Z"));
  return SignNote(FormatEntryText(g), key);
}

// Writes entries separated by "%%" lines (each entry ends with "\n").
ltl::Status WriteEntries(const std::string& path, const std::vector<std::string>& entries) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return ltl::Status::Unavailable("cannot write " + path);
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i > 0) out << "%%\n";
    out << entries[i];
  }
  out.close();
  if (!out) return ltl::Status::Unavailable("write failed: " + path);
  return ltl::Status::Ok();
}

ltl::Status Run(const Config& c) {
  LTL_RETURN_IF_ERROR(ltl::ledger::InitCrypto());
  std::vector<ltl::ledger::SigningKey> keys;
  std::vector<std::string> key_entries;
  for (uint64_t i = 0; i < c.keys; ++i) {
    LTL_ASSIGN_OR_RETURN(ltl::ledger::SigningKey key, BenchKey(i));
    LTL_ASSIGN_OR_RETURN(std::string entry, KeyEntry(key));
    key_entries.push_back(std::move(entry));
    keys.push_back(std::move(key));
  }
  std::vector<std::string> entries;
  entries.reserve(c.entries);
  for (uint64_t n = c.first; n < c.first + c.entries; ++n) {
    LTL_ASSIGN_OR_RETURN(std::string entry, LicenceOffer(keys[n % keys.size()], n));
    entries.push_back(std::move(entry));
  }
  LTL_RETURN_IF_ERROR(WriteEntries(c.keys_out, key_entries));
  LTL_RETURN_IF_ERROR(WriteEntries(c.entries_out, entries));
  std::printf("wrote %zu key entries to %s and %zu entries to %s\n", key_entries.size(),
              c.keys_out.c_str(), entries.size(), c.entries_out.c_str());
  return ltl::Status::Ok();
}

}  // namespace

int main(int argc, char** argv) {
  ltl::Result<Config> config = ParseArgs(argc, argv);
  if (!config) {
    std::fprintf(stderr, "ltl-gen-entries: %s\n", config.error().ToString().c_str());
    Usage();
    return 2;
  }
  if (ltl::Status s = Run(*config); !s.ok()) {
    std::fprintf(stderr, "ltl-gen-entries: %s\n", s.ToString().c_str());
    return 1;
  }
  return 0;
}
