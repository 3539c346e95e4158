# ltl-loadgen: an HTTP load generator for a node on 127.0.0.1 (bench/loadgen.cpp).
# Not a Google Benchmark binary: it drives a live server and prints
# throughput and latency percentiles.
add_executable(ltl-loadgen ${CMAKE_CURRENT_SOURCE_DIR}/loadgen.cpp)
target_link_libraries(ltl-loadgen PRIVATE ltl_proofs Boost::headers Threads::Threads)
