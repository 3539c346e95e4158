// Throughput of the proofs/ library. Prints figures; asserts nothing.
//
//   build/bin/proofs_bench                      # everything (10M root takes ~10 s)
//   build/bin/proofs_bench --benchmark_filter=Verify
//
// Leaf hashes are computed once, outside the timed loops, so the root figures
// are the cost of the interior hashing CompactRange does (n - 1 HashChildren
// for n leaves) plus its bookkeeping.
#include <benchmark/benchmark.h>
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <sodium.h>

#include <string>
#include <vector>

#include "proofs/compact_range.h"
#include "proofs/consistency.h"
#include "proofs/inclusion.h"
#include "proofs/tiles.h"

namespace ltl::proofs {
namespace {

const std::vector<Hash>& LeafHashes(size_t count) {
  static std::vector<Hash> leaves;
  while (leaves.size() < count) leaves.push_back(HashLeaf("leaf " + std::to_string(leaves.size())));
  return leaves;
}

// The SHA-256 implementations proofs/hash.h could use, on an interior node
// (65 bytes: one compression block plus padding) and on a ~500-byte entry,
// so that the choice in proofs/hash.cpp stays a measured one. The label says
// which one this build of proofs/ uses.
enum Sha256Way { kSodium, kOpenSslLowLevel, kOpenSslOneShot, kOpenSslEvpReused, kProofsHash };

void BM_Sha256Backends(benchmark::State& state) {
  const auto way = static_cast<Sha256Way>(state.range(0));
  std::vector<uint8_t> input(static_cast<size_t>(state.range(1)), 0x5a);
  uint8_t out[32] = {};
  if (sodium_init() < 0) state.SkipWithError("sodium_init failed");
  EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  for (auto _ : state) {
    switch (way) {
      case kSodium:
        crypto_hash_sha256(out, input.data(), input.size());
        break;
      case kOpenSslLowLevel: {
        SHA256_CTX c;
        SHA256_Init(&c);
        SHA256_Update(&c, input.data(), input.size());
        SHA256_Final(out, &c);
        break;
      }
      case kOpenSslOneShot:
        SHA256(input.data(), input.size(), out);
        break;
      case kOpenSslEvpReused: {
        unsigned int len = 0;
        EVP_DigestInit_ex(ctx, md, nullptr);
        EVP_DigestUpdate(ctx, input.data(), input.size());
        EVP_DigestFinal_ex(ctx, out, &len);
        break;
      }
      case kProofsHash: {
        const Hash h = Sha256(ByteSpan(input.data(), input.size()));
        out[0] = h[0];
        break;
      }
    }
    input[0] = out[0];  // a dependency chain, so no call can be skipped
    benchmark::DoNotOptimize(out);
  }
  EVP_MD_CTX_free(ctx);
  EVP_MD_free(md);
  static const char* const kNames[] = {
      "libsodium crypto_hash_sha256", "OpenSSL SHA256_Init/Update/Final",
      "OpenSSL one-shot SHA256()", "OpenSSL EVP, reused ctx", "proofs::Sha256"};
  std::string label = kNames[way];
  if (way == kProofsHash) label += std::string(" = ") + Sha256Implementation();
  state.SetLabel(label);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Sha256Backends)
    ->ArgsProduct({{kSodium, kOpenSslLowLevel, kOpenSslOneShot, kOpenSslEvpReused, kProofsHash},
                   {65, 500}});

// The root of a tree of state.range(0) leaves, appended one by one.
void BM_CompactRangeRoot(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  const std::vector<Hash>& leaves = LeafHashes(n);
  for (auto _ : state) {
    CompactRange range;
    range.AppendRange(std::span(leaves).first(n));
    benchmark::DoNotOptimize(range.GetRootHash());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_CompactRangeRoot)->Arg(1 << 20)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CompactRangeRoot)->Arg(10'000'000)->Unit(benchmark::kMillisecond)->Iterations(1);

// The same with a visitor, as a store persisting every perfect node would.
void BM_CompactRangeRootWithVisitor(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  const std::vector<Hash>& leaves = LeafHashes(n);
  uint64_t visited = 0;
  for (auto _ : state) {
    CompactRange range;
    range.AppendRange(std::span(leaves).first(n), [&](NodeId, const Hash&) { ++visited; });
    benchmark::DoNotOptimize(range.GetRootHash());
  }
  benchmark::DoNotOptimize(visited);
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_CompactRangeRootWithVisitor)->Arg(1 << 20)->Unit(benchmark::kMillisecond);

// A tree of 1M leaves whose perfect node hashes are kept, so proofs can be
// built and verified against real roots.
struct Tree {
  static constexpr uint64_t kSize = 1'000'000;
  std::vector<std::vector<Hash>> levels;  // levels[l][i] = hash of node [l i]
  Hash root;
  Hash half_root;  // root at kSize / 2 + 1 (not a power of two)

  Tree() {
    const std::vector<Hash>& leaves = LeafHashes(kSize);
    CompactRange range;
    for (uint64_t i = 0; i < kSize; ++i) {
      range.Append(leaves[i], [this](NodeId id, const Hash& h) {
        if (levels.size() <= id.level) levels.resize(id.level + 1);
        levels[id.level].push_back(h);
      });
      if (range.end() == kSize / 2 + 1) half_root = range.GetRootHash().value();
    }
    root = range.GetRootHash().value();
  }
  const Hash& Node(NodeId id) const { return levels[id.level][id.index]; }
  std::vector<Hash> Fetch(const ProofNodes& nodes) const {
    std::vector<Hash> out;
    for (const NodeId& id : nodes.ids) out.push_back(Node(id));
    return out;
  }
};
const Tree& TheTree() {
  static const Tree tree;
  return tree;
}

// Index sequence spread over the tree (a fixed odd stride).
uint64_t IndexAt(uint64_t i) { return (i * 7919 + 12345) % Tree::kSize; }

void BM_VerifyInclusion(benchmark::State& state) {
  const Tree& tree = TheTree();
  constexpr int kProofs = 1024;
  std::vector<std::vector<Hash>> proofs;
  for (int i = 0; i < kProofs; ++i) {
    const ProofNodes nodes = InclusionNodes(IndexAt(i), Tree::kSize).value();
    proofs.push_back(Rehash(tree.Fetch(nodes), nodes).value());
  }
  int64_t i = 0;
  for (auto _ : state) {
    const uint64_t index = IndexAt(i % kProofs);
    Status s =
        VerifyInclusion(index, Tree::kSize, tree.Node({0, index}), proofs[i % kProofs], tree.root);
    if (!s.ok()) state.SkipWithError(s.ToString().c_str());
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel("tree size 1M, proofs of 20 hashes");
}
BENCHMARK(BM_VerifyInclusion);

void BM_VerifyConsistency(benchmark::State& state) {
  const Tree& tree = TheTree();
  const uint64_t size1 = Tree::kSize / 2 + 1;
  const ProofNodes nodes = ConsistencyNodes(size1, Tree::kSize).value();
  const std::vector<Hash> proof = Rehash(tree.Fetch(nodes), nodes).value();
  for (auto _ : state) {
    Status s = VerifyConsistency(size1, Tree::kSize, proof, tree.half_root, tree.root);
    if (!s.ok()) state.SkipWithError(s.ToString().c_str());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel("500001 -> 1M, " + std::to_string(proof.size()) + " hashes");
}
BENCHMARK(BM_VerifyConsistency);

// Generation without hashing: which nodes, then Rehash of fetched hashes.
void BM_InclusionNodesAndRehash(benchmark::State& state) {
  const Tree& tree = TheTree();
  int64_t i = 0;
  for (auto _ : state) {
    const ProofNodes nodes = InclusionNodes(IndexAt(i++), Tree::kSize).value();
    benchmark::DoNotOptimize(Rehash(tree.Fetch(nodes), nodes));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_InclusionNodesAndRehash);

// A node read from a full level-0 tile: stored as is (k = 0) or rebuilt from
// 2^k of its hashes (k = 7, 128 hashes, is the worst case).
void BM_HashFromTile(benchmark::State& state) {
  const int k = static_cast<int>(state.range(0));  // node level within the tile, 0..7
  const std::span<const Hash> tile = std::span(LeafHashes(kTileWidth)).first(kTileWidth);
  const NodeId node{static_cast<uint8_t>(k), 1};
  for (auto _ : state) {
    Result<Hash> h = HashFromTile(node, TileId{0, 0, static_cast<uint16_t>(kTileWidth)}, tile);
    if (!h.has_value()) state.SkipWithError(h.error().ToString().c_str());
    benchmark::DoNotOptimize(h);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HashFromTile)->Arg(0)->Arg(4)->Arg(7);

}  // namespace
}  // namespace ltl::proofs

BENCHMARK_MAIN();
