// The LMDB layer and the key schema: key encodings are big-endian (so LMDB's
// byte order is numeric order), stored records are decoded strictly, the map
// grows by doubling up to its cap, and LMDB errors map to specific codes.
#include "ledger/store/log_db.h"

#include <gtest/gtest.h>

#include "ledger/store/lmdb_env.h"
#include "tests/testing/testing.h"

namespace ltl::store::detail {
namespace {

TEST(StoreKeys, U64KeysAreBigEndianSoByteOrderIsNumericOrder) {
  const U64Key one = EncodeU64Key(1);
  EXPECT_EQ(one, (U64Key{0, 0, 0, 0, 0, 0, 0, 1}));
  EXPECT_EQ(EncodeU64Key(0x0102030405060708), (U64Key{1, 2, 3, 4, 5, 6, 7, 8}));
  const uint64_t values[] = {0, 1, 255, 256, 65535, 65536, uint64_t{1} << 40, ~uint64_t{0}};
  for (size_t i = 1; i < std::size(values); ++i) {
    EXPECT_LT(EncodeU64Key(values[i - 1]), EncodeU64Key(values[i])) << values[i];
    EXPECT_EQ(DecodeU64Key(EncodeU64Key(values[i])).value(), values[i]);
  }
  EXPECT_EQ(DecodeU64Key(ByteSpan(one.data(), 7)).error().code(), StatusCode::kDataLoss);
}

TEST(StoreKeys, IndexedHashesSortByIndexWhateverTheHash) {
  proofs::Hash high;
  high.fill(0xff);
  proofs::Hash low{};
  EXPECT_LT(EncodeIndexedHash(255, high), EncodeIndexedHash(256, low));
  const IndexedHash v = EncodeIndexedHash(0x0102030405060708, high);
  EXPECT_EQ(GetBigEndian64(v.data()), 0x0102030405060708u);
  EXPECT_EQ(v[8], 0xff);
}

TEST(StoreTreeState, RoundTripsAndRejectsARecordOfTheWrongLength) {
  proofs::CompactRange tree(0);
  for (int i = 0; i < 13; ++i) tree.Append(proofs::HashLeaf(std::to_string(i)));
  const Bytes encoded = EncodeTreeState(tree);
  EXPECT_EQ(encoded.size(), 8u + 3 * 32);  // 13 = 0b1101: three nodes
  auto decoded = DecodeTreeState(encoded);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, tree);
  for (size_t cut : {size_t{0}, size_t{7}, encoded.size() - 1}) {
    EXPECT_EQ(DecodeTreeState(ByteSpan(encoded.data(), cut)).error().code(), StatusCode::kDataLoss);
  }
  Bytes longer = encoded;
  longer.push_back(0);
  EXPECT_EQ(DecodeTreeState(longer).error().code(), StatusCode::kDataLoss);
  EXPECT_EQ(DecodeTreeState(EncodeTreeState(proofs::CompactRange(0))).value().end(), 0u);
}

TEST(StoreEnv, TheMapDoublesUpToItsCapThenReportsResourceExhausted) {
  ::ltl::testing::TempDir tmp;
  EnvOptions options;
  options.initial_map_size = 1 << 20;
  options.max_map_size = 3 << 20;
  auto env = Env::Open(tmp.path(), options).value();
  EXPECT_EQ(env->map_size(), size_t{1} << 20);
  ASSERT_TRUE(env->Grow().ok());
  EXPECT_EQ(env->map_size(), size_t{2} << 20);
  ASSERT_TRUE(env->Grow().ok());
  EXPECT_EQ(env->map_size(), size_t{3} << 20);
  EXPECT_EQ(env->Grow().code(), StatusCode::kResourceExhausted);
}

TEST(StoreEnv, OneEnvironmentPerFolderEvenWithinOneProcess) {
  ::ltl::testing::TempDir tmp;
  auto first = Env::Open(tmp.path(), EnvOptions{});
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(Env::Open(tmp.path(), EnvOptions{}).error().code(), StatusCode::kFailedPrecondition);
  first->reset();
  EXPECT_TRUE(Env::Open(tmp.path(), EnvOptions{}).has_value());
}

TEST(StoreEnv, LmdbErrorsMapToSpecificCodes) {
  EXPECT_EQ(LmdbStatus(MDB_NOTFOUND, "get").code(), StatusCode::kNotFound);
  EXPECT_EQ(LmdbStatus(MDB_KEYEXIST, "put").code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(LmdbStatus(MDB_MAP_FULL, "put").code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(LmdbStatus(ENOSPC, "commit").code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(LmdbStatus(MDB_CORRUPTED, "get").code(), StatusCode::kDataLoss);
  EXPECT_EQ(LmdbStatus(MDB_READERS_FULL, "begin").code(), StatusCode::kUnavailable);
  EXPECT_TRUE(LmdbStatus(MDB_SUCCESS, "x").ok());
}

TEST(StoreEnv, AppendOutOfOrderIsRefusedByLmdb) {
  ::ltl::testing::TempDir tmp;
  auto env = Env::Open(tmp.path(), EnvOptions{}).value();
  MDB_dbi dbi;
  Env::DbSpec spec{"entries", 0, &dbi};
  ASSERT_TRUE(env->OpenDbs(std::span(&spec, 1), true).ok());
  auto txn = WriteTxn::Begin(*env).value();
  const std::string v = "x";
  ASSERT_TRUE(txn->Put(dbi, EncodeU64Key(5), AsBytes(v), MDB_APPEND).ok());
  EXPECT_EQ(txn->Put(dbi, EncodeU64Key(4), AsBytes(v), MDB_APPEND).code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(txn->Put(dbi, EncodeU64Key(5), AsBytes(v), MDB_APPEND).code(),
            StatusCode::kAlreadyExists);
  EXPECT_TRUE(txn->Put(dbi, EncodeU64Key(6), AsBytes(v), MDB_APPEND).ok());
  EXPECT_TRUE(txn->Commit().ok());
}

}  // namespace
}  // namespace ltl::store::detail
