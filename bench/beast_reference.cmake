# ltl-beast-reference: a bare Beast keep-alive server answering every GET with
# a fixed 1 KiB body, the raw-Beast reference for tile serving in bench/run
# (bench/beast_reference.cpp).
add_executable(ltl-beast-reference ${CMAKE_CURRENT_SOURCE_DIR}/beast_reference.cpp)
target_link_libraries(ltl-beast-reference PRIVATE ltl_base Boost::headers Threads::Threads)
