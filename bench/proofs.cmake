# Merkle math: CompactRange roots, proof generation and verification.
ltl_benchmark(proofs_bench ${CMAKE_CURRENT_SOURCE_DIR}/proofs_bench.cpp ltl_proofs)
