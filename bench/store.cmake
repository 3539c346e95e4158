# Store benchmarks: ingest through the Log API (OpenNote admission), Ed25519
# verify rate, proof generation on a 1M-entry log, bytes on disk per entry.
ltl_benchmark(store_bench ${CMAKE_CURRENT_SOURCE_DIR}/store_bench.cpp ltl_store PkgConfig::LMDB)
