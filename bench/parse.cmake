# Strict parsing of signed entries (ledger::ParseEntry and its two halves,
# ParseNote and ParseEntryText) on realistic single-signature entries.
ltl_benchmark(parse_bench ${CMAKE_CURRENT_SOURCE_DIR}/parse_bench.cpp ltl_ledger)
