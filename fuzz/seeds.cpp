// ltl-fuzz-seeds OUTDIR: writes the seed corpus of every fuzz target to
// OUTDIR/<target>/<seed name>. Seeds that carry signatures (notes, entries,
// checkpoints, cosignatures, receipts) cannot be found by mutation, so they
// are made here with the fixed keys of fuzz/targets/fuzz_keys.h and the
// entry samples of the ledger tests. Deterministic: Ed25519 signing is.
//
//   cmake --build build --target ltl-fuzz-seeds && build/bin/ltl-fuzz-seeds fuzz/corpus
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "client/receipt.h"
#include "fuzz/targets/fuzz_keys.h"
#include "ledger/checkpoint.h"
#include "ledger/cosignature.h"
#include "ledger/entry.h"
#include "ledger/note.h"
#include "proofs/inclusion.h"
#include "proofs/tiles.h"
#include "tests/ledger/entry_samples.h"
#include "tests/proofs/reference.h"

namespace ltl::fuzz {
namespace {

class SeedWriter {
 public:
  explicit SeedWriter(std::filesystem::path root) : root_(std::move(root)) {}
  void Write(std::string_view target, std::string_view name, std::string_view bytes) {
    const std::filesystem::path dir = root_ / target;
    std::filesystem::create_directories(dir);
    std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) {
      std::fprintf(stderr, "ltl-fuzz-seeds: cannot write %s/%s\n", dir.c_str(),
                   std::string(name).c_str());
      failed_ = true;
    }
    ++count_;
  }
  bool failed() const { return failed_; }
  int count() const { return count_; }

 private:
  std::filesystem::path root_;
  bool failed_ = false;
  int count_ = 0;
};

std::string Be(uint64_t v, int bytes) {
  std::string out;
  for (int i = bytes - 1; i >= 0; --i) out += static_cast<char>((v >> (8 * i)) & 0xff);
  return out;
}

// A tree of `size` leaves "leaf-<i>" and its checkpoint signed by the fuzz log
// key and cosigned by the fuzz witness.
struct SignedTree {
  proofs::testing::ReferenceTree tree;
  std::string checkpoint_text;
  std::string signed_checkpoint;
  std::string cosigned_checkpoint;
};

SignedTree MakeTree(uint64_t size) {
  SignedTree t{proofs::testing::ReferenceTree(proofs::testing::MakeLeafHashes(size)), "", "", ""};
  ledger::Checkpoint cp{std::string(kFuzzLogOrigin), size, t.tree.Root(size), {}};
  t.checkpoint_text = ledger::FormatCheckpointText(cp);
  t.signed_checkpoint = ledger::SignCheckpoint(cp, FuzzLogKey()).value();
  ledger::Note note = ledger::ParseNote(t.signed_checkpoint).value();
  note.signatures.push_back(
      ledger::Cosign(t.checkpoint_text, FuzzWitnessKey(), 1767225600).value());
  t.cosigned_checkpoint = ledger::FormatNote(note);
  return t;
}

void Ledger(SeedWriter& w) {
  using ledger::samples::AllSamples;
  for (const auto& sample : AllSamples()) {
    const std::string text = ledger::FormatEntryText(sample.body);
    w.Write("entry", sample.name + ".txt", text);
    const std::string signed_entry = ledger::samples::SignAll(text, sample.signers);
    w.Write("entry", sample.name + ".signed", signed_entry);
    w.Write("signed_note", sample.name, signed_entry);
  }
  SignedTree t = MakeTree(7);
  w.Write("signed_note", "checkpoint-cosigned", t.cosigned_checkpoint);
  w.Write("checkpoint", "text", t.checkpoint_text);
  w.Write("checkpoint", "signed", t.signed_checkpoint);
  w.Write("checkpoint", "cosigned", t.cosigned_checkpoint);
  ledger::Checkpoint ext{std::string(kFuzzLogOrigin), 7, t.tree.Root(7), {"extension line"}};
  w.Write("checkpoint", "extension", ledger::SignCheckpoint(ext, FuzzLogKey()).value());
  w.Write("cosignature", "cosigned", "\x00" + t.cosigned_checkpoint);
  w.Write("cosignature", "verifier-log", "\x01" + FuzzLogKey().verifier().ToString());
  w.Write("cosignature", "verifier-witness", "\x01" + FuzzWitnessKey().verifier().ToString());
  // The fuzz keys are public test keys, derived from fixed seeds.
  w.Write("cosignature", "private-witness", "\x01" + FuzzWitnessKey().PrivateKeyString());
}

void Proofs(SeedWriter& w) {
  for (const char* path : {"tile/0/000", "tile/1/x001/234.p/7", "tile/entries/x123/456",
                           "tile/entries/000.p/255", "tile/63/x999/999/999", "005"}) {
    std::string name = path;
    for (char& c : name) c = c == '/' ? '_' : c;
    w.Write("tile_path", name, path);
  }
  const std::string_view entries[] = {"first entry\n", "", std::string_view("\x00\xff", 2)};
  w.Write("tile_path", "bundle", std::string(AsChars(proofs::EncodeEntryBundle(entries).value())));
  // Reference mode: size, a, b, flip position, mask.
  w.Write("proof", "reference-inclusion",
          std::string("\x00", 1) + Be(300, 2) + Be(77, 2) + Be(0, 2) + Be(5, 2) + "\x01");
  w.Write("proof", "reference-consistency",
          std::string("\x01", 1) + Be(300, 2) + Be(0, 2) + Be(129, 2) + Be(40, 2) + "\x80");
  // Arbitrary mode: a real proof of leaf 3 in a tree of 7, and a huge size.
  SignedTree t = MakeTree(7);
  std::string inclusion = std::string("\x02", 1) + Be(3, 8) + Be(7, 8);
  inclusion += std::string(AsChars(t.tree.leaf(3))) + std::string(AsChars(t.tree.Root(7)));
  for (const proofs::Hash& h : t.tree.InclusionProof(3, 7)) inclusion += std::string(AsChars(h));
  w.Write("proof", "arbitrary-inclusion", inclusion);
  std::string huge = std::string("\x03", 1) + Be(UINT64_MAX - 1, 8) + Be(UINT64_MAX, 8);
  huge += std::string(64, 'h');
  w.Write("proof", "arbitrary-consistency-huge", huge);
}

void Receipts(SeedWriter& w) {
  // Leaf 3 of a tree of 7 whose leaf 3 is a signed entry.
  const auto samples = ledger::samples::AllSamples();
  const std::string entry =
      ledger::samples::SignAll(ledger::FormatEntryText(samples[1].body), samples[1].signers);
  std::vector<proofs::Hash> leaves = proofs::testing::MakeLeafHashes(7);
  leaves[3] = proofs::HashLeaf(entry);
  proofs::testing::ReferenceTree tree(leaves);
  ledger::Checkpoint cp{std::string(kFuzzLogOrigin), 7, tree.Root(7), {}};
  client::Receipt receipt;
  receipt.index = 3;
  receipt.entry_ref = ledger::ComputeEntryRef(ledger::ParseNote(entry).value().text);
  receipt.leaf_hash = leaves[3];
  receipt.checkpoint = ledger::SignCheckpoint(cp, FuzzLogKey()).value();
  receipt.inclusion_proof = tree.InclusionProof(3, 7);
  w.Write("receipt_json", "answer", client::ReceiptToJson(receipt));
  w.Write("receipt_json", "tlog-proof", client::FormatTlogProof(receipt));
  receipt.entry = entry;
  w.Write("receipt_json", "file-with-entry", client::ReceiptToJson(receipt));
}

void Http(SeedWriter& w) {
  // byte 0: method (0 GET, 1 HEAD, 2 POST, 3 other) | submit mode << 2.
  struct Seed {
    const char* name;
    char mode;
    std::string target, content_type, body;
  };
  const auto samples = ledger::samples::AllSamples();
  const std::string entry =
      ledger::samples::SignAll(ledger::FormatEntryText(samples[1].body), samples[1].signers);
  const Seed seeds[] = {
      {"checkpoint", 0, "/checkpoint", "", ""},
      {"tile", 0, "/tile/0/000.p/2", "", ""},
      {"tile-entries", 0, "/tile/entries/000", "", ""},
      {"add", 2, "/add", "text/plain; charset=utf-8", entry},
      {"add-full", 2 | 4, "/add", "text/plain", entry},
      {"add-internal", 2 | 8, "/add", "text/plain", entry},
      {"inclusion", 0, "/proof/inclusion?index=1&size=2", "", ""},
      {"inclusion-ref", 12, "/proof/inclusion?entry_ref=" + std::string(64, 'a') + "&size=2", "",
       ""},
      {"consistency", 0, "/proof/consistency?from=1&to=2", "", ""},
      {"entry", 0, "/entry/1", "", ""},
      {"lookup", 0, "/lookup?work=isrc%3AGB-AYE-69-00531&cursor=0&limit=10", "", ""},
      {"healthz", 12, "/healthz", "", ""},
      {"metrics", 1, "/metrics", "", ""},
      {"method", 3, "/add", "", ""},
  };
  for (const Seed& s : seeds) {
    w.Write("http_request", s.name,
            std::string(1, s.mode) + s.target + "\n" + s.content_type + "\n" + s.body);
  }
}

}  // namespace
}  // namespace ltl::fuzz

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: ltl-fuzz-seeds OUTDIR\n");
    return 2;
  }
  if (!ltl::ledger::InitCrypto().ok()) return 1;
  ltl::fuzz::SeedWriter w(argv[1]);
  ltl::fuzz::Ledger(w);
  ltl::fuzz::Proofs(w);
  ltl::fuzz::Receipts(w);
  ltl::fuzz::Http(w);
  std::fprintf(stderr, "ltl-fuzz-seeds: wrote %d seeds under %s\n", w.count(), argv[1]);
  return w.failed() ? 1 : 0;
}
