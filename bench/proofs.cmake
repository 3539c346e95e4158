# Merkle math: CompactRange roots, proof generation and verification, and the
# SHA-256 implementations proofs/hash.cpp could use.
ltl_benchmark(proofs_bench ${CMAKE_CURRENT_SOURCE_DIR}/proofs_bench.cpp ltl_proofs
              PkgConfig::SODIUM PkgConfig::CRYPTO)
