# ltl-gen-entries: pre-signed valid entries (and the key entries that register
# their signers) for ltl-loadgen's --entries (bench/gen_entries.cpp).
add_executable(ltl-gen-entries ${CMAKE_CURRENT_SOURCE_DIR}/gen_entries.cpp)
target_link_libraries(ltl-gen-entries PRIVATE ltl_ledger)
