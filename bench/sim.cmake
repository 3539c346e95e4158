# Monitor audit throughput over ltl-sim scenarios (checks + LMDB state, no network).
if(TARGET ltl_sim)
  ltl_benchmark(monitor_bench ${CMAKE_CURRENT_SOURCE_DIR}/sim_monitor_bench.cpp ltl_sim)
endif()
