// parse_bench: the CPU that strict parsing of a signed entry costs outside its
// Ed25519 verification (issue 9: node admission parses every submitted entry,
// ltl-monitor --once every logged one).
//
// Entries are single-signature signed notes of each kind a log mostly holds:
// a licence offer as ltl-gen-entries writes it (about 500 bytes), a licence
// agreement, a usage report with two line groups and a reservation (the
// samples of tests/ledger/entry_samples.h). Each benchmark prints entries/s
// and ns/entry; ParseNote and ParseEntryText show where a ParseEntry goes.
// BM_ParseEntryManySigners cycles through offers by many signers (the
// parser's cache of verifier keys hits or misses).
//
//   build/bin/parse_bench [--benchmark_filter=ParseEntry]
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "ledger/entry.h"
#include "ledger/keys.h"
#include "ledger/note.h"
#include "proofs/hash.h"
#include "tests/ledger/entry_samples.h"

namespace {

using namespace ltl::ledger;

struct Sample {
  const char* name;
  std::string wire;  // the signed note
};

// The licence offer ltl-gen-entries submits (bench/gen_entries.cpp).
LicenceGrant GeneratorOffer(const SigningKey& key) {
  using samples::T;
  LicenceGrant g;
  g.grant_id = "bench-offer-1234567";
  g.kind = GrantKind::kOffer;
  g.licensor = key.verifier();
  g.works = {samples::W("isrc:GB-AYE-69-00531"), samples::W("iswc:T-034.524.680-1")};
  g.permit_uses = {Use::kTrainGenai};
  g.territories = {"EU"};
  g.not_before = T("2026-02-01T00:00:00Z");
  g.not_after = T("2027-02-01T00:00:00Z");
  g.payments = {
      samples::Priced(PaymentModel::kTraining, samples::M("0.25", "EUR"), PaymentUnit::kPerWork)};
  g.issued = T("2026-01-15T12:00:00Z");
  return g;
}

// Signed by one key, as most submitted entries are (an agreement needs its
// licensee's signature too, but parsing does not check signatures).
std::string SignedBy(const EntryBody& body, const SigningKey& key) {
  auto wire = SignNote(FormatEntryText(body), key);
  if (!wire.has_value() || !ParseEntry(*wire).has_value()) {
    std::fprintf(stderr, "parse_bench: a sample entry does not parse\n");
    std::abort();
  }
  return *wire;
}

const std::vector<Sample>& Samples() {
  static const std::vector<Sample> all = [] {
    const SigningKey bench_key = samples::KeyFromSeedByte("bench-signer-7.example/ltl", 0x42);
    return std::vector<Sample>{
        {"offer", SignedBy(GeneratorOffer(bench_key), bench_key)},
        {"agreement", SignedBy(samples::Agreement(), samples::Alice())},
        {"usage", SignedBy(samples::Usage(), samples::Bob())},
        {"reservation", SignedBy(samples::SocietyReservation(), samples::Society())},
    };
  }();
  return all;
}

void SetCounters(benchmark::State& state, size_t bytes) {
  const double n = static_cast<double>(state.iterations());
  state.counters["entries/s"] = benchmark::Counter(n, benchmark::Counter::kIsRate);
  // iterations / 1e9 as a rate, inverted: ns per entry.
  state.counters["ns/entry"] =
      benchmark::Counter(n / 1e9, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["bytes"] = static_cast<double>(bytes);
}

void BM_ParseEntry(benchmark::State& state) {
  const Sample& s = Samples()[static_cast<size_t>(state.range(0))];
  state.SetLabel(s.name);
  for (auto _ : state) {
    auto entry = ParseEntry(s.wire);
    benchmark::DoNotOptimize(entry);
  }
  SetCounters(state, s.wire.size());
}

void BM_ParseNote(benchmark::State& state) {
  const Sample& s = Samples()[static_cast<size_t>(state.range(0))];
  state.SetLabel(s.name);
  for (auto _ : state) {
    auto note = ParseNote(s.wire);
    benchmark::DoNotOptimize(note);
  }
  SetCounters(state, s.wire.size());
}

void BM_ParseEntryText(benchmark::State& state) {
  const Sample& s = Samples()[static_cast<size_t>(state.range(0))];
  state.SetLabel(s.name);
  const std::string text = ParseNote(s.wire).value().text;
  for (auto _ : state) {
    auto body = ParseEntryText(text);
    benchmark::DoNotOptimize(body);
  }
  SetCounters(state, text.size());
}

// Licence offers by `range(0)` distinct signers in turn, as ltl-gen-entries
// writes them: the parser remembers a thread's recent verifier keys (64
// slots), so this shows the cost when signers repeat often (64) and when
// they almost never do (4096).
void BM_ParseEntryManySigners(benchmark::State& state) {
  const auto signers = static_cast<size_t>(state.range(0));
  std::vector<std::string> wires;
  for (size_t i = 0; i < signers; ++i) {
    const SigningKey key =
        SigningKey::FromSeed("bench-signer-" + std::to_string(i) + ".example/ltl",
                             ltl::proofs::Sha256(std::to_string(i)))
            .value();
    wires.push_back(SignedBy(GeneratorOffer(key), key));
  }
  size_t next = 0;
  size_t bytes = 0;
  for (auto _ : state) {
    auto entry = ParseEntry(wires[next]);
    benchmark::DoNotOptimize(entry);
    bytes += wires[next].size();
    next = next + 1 == wires.size() ? 0 : next + 1;
  }
  state.SetLabel("offer, " + std::to_string(signers) + " signers in turn");
  SetCounters(state, bytes / std::max<size_t>(1, static_cast<size_t>(state.iterations())));
}

BENCHMARK(BM_ParseEntry)->DenseRange(0, 3);
BENCHMARK(BM_ParseEntryManySigners)->Arg(64)->Arg(4096);
BENCHMARK(BM_ParseNote)->DenseRange(0, 3);
BENCHMARK(BM_ParseEntryText)->DenseRange(0, 3);

}  // namespace

BENCHMARK_MAIN();
