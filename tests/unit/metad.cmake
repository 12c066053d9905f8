# Unit tests of metad/: the SQLite namespace store, placement, and the service
# in-process (RPC handlers and the chunk removal worker, without mgmtd), and
# the client sessions (leases of open records).
foreach(name metad_store_test metad_placement_test metad_service_test metad_sessions_test)
  add_executable(${name} ${CMAKE_CURRENT_LIST_DIR}/${name}.cc)
  target_link_libraries(${name} combfs_metad GTest::gtest_main)
  gtest_discover_tests(${name} PROPERTIES LABELS unit TIMEOUT 120)
endforeach()
