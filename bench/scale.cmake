# ltl-scale-bench: builds a 10M-entry log through the store API and compares
# inclusion-proof latency with the 10k-entry log, and bytes on disk with the
# raw entry bytes (issue 9, target 4; bench/scale_bench.cpp).
add_executable(ltl-scale-bench ${CMAKE_CURRENT_SOURCE_DIR}/scale_bench.cpp)
target_link_libraries(ltl-scale-bench PRIVATE ltl_store PkgConfig::LMDB)
