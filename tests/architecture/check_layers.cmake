# Fails when a layer reaches for what the architecture forbids (docs/architecture.md):
#   proofs/        no LMDB, Boost or cereal headers (pure math);
#   base/          no third-party headers at all;
#   ledger/*.{h,cpp} (not store/) no LMDB or Boost;
#   client/        no LMDB header, and the `ltl` executable does not link liblmdb;
#   monitor/       no LMDB or Boost header: its state goes through
#                  ledger/store/monitor_state.h, HTTP through the client.
# Run as: cmake -DSOURCE_DIR=... -DBINARY_DIR=... -P check_layers.cmake
set(failures "")

function(scan dir glob_recurse pattern why)
  if(glob_recurse)
    file(GLOB_RECURSE files ${SOURCE_DIR}/${dir}/*.h ${SOURCE_DIR}/${dir}/*.cpp)
  else()
    file(GLOB files ${SOURCE_DIR}/${dir}/*.h ${SOURCE_DIR}/${dir}/*.cpp)
  endif()
  foreach(f IN LISTS files)
    file(STRINGS ${f} hits REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"](${pattern})")
    if(hits)
      list(JOIN hits " | " joined)
      set(failures "${failures}\n  ${f}: ${why}: ${joined}" PARENT_SCOPE)
    endif()
  endforeach()
endfunction()

scan(proofs TRUE "lmdb\\.h|boost/|cereal/" "proofs/ must stay pure math")
scan(base TRUE "lmdb\\.h|boost/|cereal/|sodium" "base/ must not depend on third parties")
scan(ledger FALSE "lmdb\\.h|boost/" "ledger/ core must not use LMDB or Boost")
scan(client TRUE "lmdb\\.h" "client/ must never use LMDB")
scan(monitor TRUE "lmdb\\.h|boost/" "monitor/ reaches LMDB only through ledger/store, HTTP only through client/")

set(ltl_bin ${BINARY_DIR}/bin/ltl)
if(EXISTS ${ltl_bin})
  execute_process(COMMAND ldd ${ltl_bin} OUTPUT_VARIABLE libs RESULT_VARIABLE rc)
  if(rc EQUAL 0 AND libs MATCHES "liblmdb")
    set(failures "${failures}\n  ${ltl_bin} links liblmdb: the client must not")
  endif()
  file(STRINGS ${ltl_bin} lmdb_symbols REGEX "mdb_env_open|mdb_txn_begin")
  if(lmdb_symbols)
    set(failures "${failures}\n  ${ltl_bin} contains LMDB code (static): the client must not")
  endif()
endif()

if(failures)
  message(FATAL_ERROR "architecture violations:${failures}")
endif()
message(STATUS "architecture: layers respect their dependency rules")
