// Receipts: strict JSON, offline verification, the tlog-proof export.
#include "client/receipt.h"

#include <gtest/gtest.h>

#include "fake_log.h"

namespace ltl::client {
namespace {

using testing::FakeLog;
using testing::LogKey;
using testing::PolicyFor;

class ReceiptTest : public ::testing::Test {
 protected:
  ReceiptTest() {
    log_.AppendTestEntries(20);
    json_ = log_.ReceiptJsonFor(7, 20);
  }
  Receipt Parsed() const { return ParseReceiptJson(json_).value(); }

  FakeLog log_;
  std::string json_;
};

TEST_F(ReceiptTest, ParsesTheNodesReceipt) {
  auto receipt = ParseReceiptJson(json_);
  ASSERT_TRUE(receipt.has_value()) << receipt.error();
  EXPECT_EQ(receipt->index, 7u);
  EXPECT_EQ(receipt->leaf_hash, proofs::HashLeaf(log_.entries()[7]));
  EXPECT_EQ(receipt->checkpoint, log_.CheckpointAt(20));
  EXPECT_EQ(receipt->inclusion_proof, log_.InclusionProof(7, 20));
  EXPECT_FALSE(receipt->entry.has_value());
}

TEST_F(ReceiptTest, RoundTripsThroughJsonWithTheEntry) {
  Receipt receipt = Parsed();
  receipt.entry = log_.entries()[7];
  auto again = ParseReceiptJson(ReceiptToJson(receipt));
  ASSERT_TRUE(again.has_value()) << again.error();
  EXPECT_EQ(*again, receipt);
}

TEST_F(ReceiptTest, StrictParsingRejectsEachMalformation) {
  auto replace = [&](std::string_view from, std::string_view to) {
    std::string s = json_;
    const size_t at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    s.replace(at, from.size(), to);
    return s;
  };
  const std::string leaf_hex = proofs::HashToHex(proofs::HashLeaf(log_.entries()[7]));
  std::string upper_hex = leaf_hex;
  for (char& c : upper_hex) c = static_cast<char>(std::toupper(c));
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"missing index", replace("\"index\": 7, ", "")},
      {"index as string", replace("\"index\": 7", "\"index\": \"7\"")},
      {"index as float", replace("\"index\": 7", "\"index\": 7.0")},
      {"negative index", replace("\"index\": 7", "\"index\": -7")},
      {"unknown member", replace("{", "{\"extra\": 1, ")},
      {"duplicate member", replace("{", "{\"index\": 8, ")},
      {"upper-case hex", replace(leaf_hex, upper_hex)},
      {"short hash", replace(leaf_hex, leaf_hex.substr(2))},
      {"proof not an array",
       json_.substr(0, json_.find("\"inclusion_proof\"")) + "\"inclusion_proof\": \"AAAA\"}"},
      {"trailing garbage", json_ + "x"},
      {"not an object", "[1, 2]"},
      {"proof hash not base64", replace("\"inclusion_proof\": [\"", "\"inclusion_proof\": [\"!")},
      // Escapes that decode to no Unicode character: a lone low or high
      // surrogate (rapidjson turns them into bytes that are not UTF-8, and
      // ReceiptToJson could not write them back; found by fuzz/receipt_json).
      {"lone low surrogate in the checkpoint",
       replace("\"checkpoint\": \"", "\"checkpoint\": \"\\udcc3")},
      {"lone high surrogate in the entry", replace("{", "{\"entry\": \"a\\ud83d b\", ")},
      {"lone surrogate in a member name", replace("{", "{\"\\udc00\": 1, ")},
  };
  for (const auto& [name, json] : cases) {
    EXPECT_FALSE(ParseReceiptJson(json).has_value()) << name << ": " << json;
  }
}

TEST_F(ReceiptTest, SurrogatePairEscapesDecodeToUtf8AndRoundTrip) {
  std::string json = json_;
  json.replace(0, 1, "{\"entry\": \"smile \\ud83d\\ude00\", ");
  auto receipt = ParseReceiptJson(json);
  ASSERT_TRUE(receipt.has_value()) << receipt.error();
  EXPECT_EQ(receipt->entry, std::optional<std::string>("smile \xF0\x9F\x98\x80"));
  EXPECT_EQ(ParseReceiptJson(ReceiptToJson(*receipt)).value(), *receipt);
}

TEST_F(ReceiptTest, VerifiesOfflineWithTheEntry) {
  auto verified =
      VerifyReceiptOffline(Parsed(), PolicyFor(LogKey()), QuorumCheck::kEnforce, log_.entries()[7]);
  ASSERT_TRUE(verified.has_value()) << verified.error().ToString();
  EXPECT_TRUE(verified->entry_checked);
  EXPECT_EQ(verified->checkpoint.checkpoint.size, 20u);
}

TEST_F(ReceiptTest, WithoutTheEntryOnlyTheLeafHashIsProved) {
  auto verified = VerifyReceiptOffline(Parsed(), PolicyFor(LogKey()));
  ASSERT_TRUE(verified.has_value()) << verified.error().ToString();
  EXPECT_FALSE(verified->entry_checked);
}

TEST_F(ReceiptTest, AnotherEntryIsAnInvalidEntry) {
  EXPECT_EQ(
      VerifyReceiptOffline(Parsed(), PolicyFor(LogKey()), QuorumCheck::kEnforce, log_.entries()[8])
          .outcome(),
      VerifyOutcome::kInvalidEntry);
}

TEST_F(ReceiptTest, WrongEntryRefIsAnInvalidEntry) {
  Receipt receipt = Parsed();
  receipt.entry_ref[0] ^= 0x01;
  receipt.entry = log_.entries()[7];
  EXPECT_EQ(VerifyReceiptOffline(receipt, PolicyFor(LogKey())).outcome(),
            VerifyOutcome::kInvalidEntry);
}

TEST_F(ReceiptTest, ProofMutationsAreProofFailures) {
  const auto policy = PolicyFor(LogKey());
  struct Mutation {
    std::string name;
    std::function<void(Receipt&)> apply;
  };
  const std::vector<Mutation> mutations = {
      {"index + 1", [](Receipt& r) { ++r.index; }},
      {"index - 1", [](Receipt& r) { --r.index; }},
      {"index beyond the tree", [](Receipt& r) { r.index = 20; }},
      {"bit flip in a proof hash", [](Receipt& r) { r.inclusion_proof[1][31] ^= 0x01; }},
      {"truncated proof", [](Receipt& r) { r.inclusion_proof.pop_back(); }},
      {"extra proof hash", [](Receipt& r) { r.inclusion_proof.push_back(r.inclusion_proof[0]); }},
      {"swapped proof hashes",
       [](Receipt& r) { std::swap(r.inclusion_proof[0], r.inclusion_proof[1]); }},
      {"wrong leaf hash", [](Receipt& r) { r.leaf_hash[0] ^= 0x01; }},
  };
  for (const Mutation& m : mutations) {
    Receipt receipt = Parsed();
    m.apply(receipt);
    EXPECT_EQ(VerifyReceiptOffline(receipt, policy).outcome(), VerifyOutcome::kProofFailure)
        << m.name;
  }
}

TEST_F(ReceiptTest, CheckpointOfAnotherKeyIsBadSignature) {
  FakeLog impostor(testing::KeyFromSeed(testing::kOrigin, 0x66));
  impostor.AppendTestEntries(20);
  Receipt receipt = ParseReceiptJson(impostor.ReceiptJsonFor(7, 20)).value();
  EXPECT_EQ(VerifyReceiptOffline(receipt, PolicyFor(LogKey())).outcome(),
            VerifyOutcome::kBadSignature);
}

TEST_F(ReceiptTest, TlogProofExportRoundTripsAndVerifies) {
  const Receipt receipt = Parsed();
  const std::string text = FormatTlogProof(receipt);
  EXPECT_EQ(text.substr(0, 31), "c2sp.org/tlog-proof@v1\nindex 7\n");
  auto parsed = ParseTlogProof(text);
  ASSERT_TRUE(parsed.has_value()) << parsed.error();
  EXPECT_EQ(parsed->index, 7u);
  EXPECT_EQ(parsed->inclusion_proof, receipt.inclusion_proof);
  EXPECT_EQ(parsed->checkpoint, receipt.checkpoint);
  auto verified = VerifyTlogProof(*parsed, log_.entries()[7], PolicyFor(LogKey()));
  ASSERT_TRUE(verified.has_value()) << verified.error().ToString();
  EXPECT_EQ(verified->receipt.entry_ref, receipt.entry_ref);
  EXPECT_EQ(VerifyTlogProof(*parsed, log_.entries()[6], PolicyFor(LogKey())).outcome(),
            VerifyOutcome::kProofFailure);
}

TEST_F(ReceiptTest, TlogProofParserIsStrict) {
  const std::string text = FormatTlogProof(Parsed());
  EXPECT_TRUE(ParseTlogProof("c2sp.org/tlog-proof@v1\nextra aGk=\nindex 0\n\nx\n").has_value());
  for (const std::string& bad : {
           std::string("c2sp.org/tlog-proof@v2\n") + text.substr(23),
           text.substr(0, 23) + "index 07\n" + text.substr(31),
           text.substr(0, 23) + "extra \n" + text.substr(23),
           text.substr(0, text.find("\n\n") + 2),                        // no checkpoint
           std::string("c2sp.org/tlog-proof@v1\nindex 0\nAAAA\n\nx\n"),  // short hash
       }) {
    EXPECT_FALSE(ParseTlogProof(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace ltl::client
