// docs/formats.md carries worked examples generated from fixed seeds. This
// test regenerates every example with the real encoders and fails on any
// difference, so the document cannot drift from the code.
//
// Marker scheme: a line "<!-- vector:NAME -->" directly followed by a fenced
// block (``` ... ```); the block's lines, each with its "\n", are the vector.
#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>

#include "ledger/checkpoint.h"
#include "ledger/cosignature.h"
#include "ledger/keys.h"
#include "ledger/note.h"
#include "proofs/hash.h"
#include "tests/testing/testing.h"

namespace ltl::ledger {
namespace {

constexpr std::string_view kLogName = "example.com/behind-the-sofa";
constexpr std::string_view kWitnessName = "witness.example.com/w1";
constexpr uint64_t kTimestamp = 1679315147;

std::string Hex32(uint32_t v) {
  uint8_t be[4];
  PutBigEndian32(be, v);
  return HexEncode(be);
}

// Every vector the document must show, by name.
std::map<std::string, std::string> GenerateVectors() {
  std::map<std::string, std::string> v;
  const Bytes log_seed(32, 0x01);
  const Bytes witness_seed(32, 0x02);
  const SigningKey log = SigningKey::FromSeed(kLogName, log_seed).value();
  const SigningKey witness =
      SigningKey::FromSeed(kWitnessName, witness_seed, KeyType::kCosignatureV1).value();

  // Key ID derivation, step by step.
  const std::string id_input = std::string(kLogName) + '\n' + static_cast<char>(KeyType::kEd25519) +
                               std::string(AsChars(log.verifier().public_key()));
  v["log-key-derivation"] = "seed        " + HexEncode(log_seed) + "\n" + "public key  " +
                            HexEncode(log.verifier().public_key()) + "\n" + "hash input  " +
                            HexEncode(AsBytes(id_input)) + "\n" + "SHA-256     " +
                            proofs::HashToHex(proofs::Sha256(id_input)) + "\n" + "key ID      " +
                            Hex32(log.key_id()) + "\n";
  v["log-verifier-key"] = log.verifier().ToString() + "\n";
  v["log-private-key"] = log.PrivateKeyString() + "\n";
  v["witness-verifier-key"] = witness.verifier().ToString() + "\n";
  v["witness-private-key"] = witness.PrivateKeyString() + "\n";

  // A plain signed note (Go's sumdb/note example, reproduced from its key).
  const SigningKey peter =
      SigningKey::ParsePrivateKey(
          "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz")
          .value();
  v["note-signed"] = SignNote(
                         "If you think cryptography is the answer to your problem,\n"
                         "then you don't know what your problem is.\n",
                         peter)
                         .value();

  // Checkpoint.
  const Checkpoint checkpoint =
      ParseCheckpointText(
          "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n")
          .value();
  const std::string text = FormatCheckpointText(checkpoint);
  v["checkpoint-text"] = text;
  v["checkpoint-root-hex"] = proofs::HashToHex(checkpoint.root) + "\n";
  const std::string log_signed = SignCheckpoint(checkpoint, log).value();
  v["checkpoint-signed"] = log_signed;
  const NoteSignature log_sig = ParseNote(log_signed).value().signatures.at(0);
  v["checkpoint-signature-bytes"] = "key ID     " + Hex32(log_sig.key_id) + "\n" + "signature  " +
                                    HexEncode(log_sig.signature) + "\n";

  // Cosignature.
  v["cosignature-message"] = CosignatureMessage(text, kTimestamp);
  const NoteSignature cosig = Cosign(text, witness, kTimestamp).value();
  v["cosignature-bytes"] = "key ID     " + Hex32(cosig.key_id) + "\n" + "timestamp  " +
                           HexEncode(ByteSpan(cosig.signature).first(8)) + "\n" + "signature  " +
                           HexEncode(ByteSpan(cosig.signature).subspan(8)) + "\n";
  Note cosigned = ParseNote(log_signed).value();
  cosigned.signatures.push_back(cosig);
  v["checkpoint-cosigned"] = FormatNote(cosigned);
  return v;
}

// Extracts "<!-- vector:NAME -->" + fenced block pairs from the document.
std::map<std::string, std::string> ExtractVectors(const std::string& doc) {
  std::map<std::string, std::string> out;
  std::istringstream in(doc);
  std::string line;
  constexpr std::string_view kOpen = "<!-- vector:";
  constexpr std::string_view kClose = " -->";
  while (std::getline(in, line)) {
    if (!line.starts_with(kOpen) || !line.ends_with(kClose)) continue;
    const std::string name = line.substr(kOpen.size(), line.size() - kOpen.size() - kClose.size());
    std::string fence;
    std::getline(in, fence);
    EXPECT_TRUE(fence.starts_with("```")) << "vector " << name << ": no fenced block follows";
    std::string body;
    bool closed = false;
    while (std::getline(in, line)) {
      if (line == "```") {
        closed = true;
        break;
      }
      body += line + "\n";
    }
    EXPECT_TRUE(closed) << "vector " << name << ": unterminated block";
    EXPECT_FALSE(out.contains(name)) << "vector " << name << " appears twice";
    out[name] = body;
  }
  return out;
}

TEST(FormatsDocTest, EveryWorkedExampleMatchesTheEncoders) {
  const std::string doc = testing::ReadFileOrDie(testing::SourceDir() / "docs" / "formats.md");
  ASSERT_FALSE(doc.empty());
  const auto in_doc = ExtractVectors(doc);
  const auto generated = GenerateVectors();
  for (const auto& [name, want] : generated) {
    auto it = in_doc.find(name);
    if (it == in_doc.end()) {
      ADD_FAILURE() << "docs/formats.md lacks vector " << name << "; expected block:\n"
                    << "<!-- vector:" << name << " -->\n```\n"
                    << want << "```";
      continue;
    }
    EXPECT_EQ(it->second, want) << "vector " << name << " differs from the encoders";
  }
  for (const auto& [name, body] : in_doc) {
    EXPECT_TRUE(generated.contains(name)) << "docs/formats.md has unknown vector " << name;
  }
}

TEST(FormatsDocTest, ExtractorReadsMarkedBlocksOnly) {
  const auto got = ExtractVectors(
      "text\n```\nnot marked\n```\n<!-- vector:a -->\n```\nline 1\n\nline 3\n```\n"
      "<!-- vector:b -->\n```text\nx\n```\n");
  EXPECT_EQ(got, (std::map<std::string, std::string>{{"a", "line 1\n\nline 3\n"}, {"b", "x\n"}}));
}

}  // namespace
}  // namespace ltl::ledger
