# Unit tests of metad/locks/: the lock table, leases and the lock handlers.
add_executable(metad_locks_test ${CMAKE_CURRENT_LIST_DIR}/metad_locks_test.cc)
target_link_libraries(metad_locks_test combfs_metad GTest::gtest_main)
gtest_discover_tests(metad_locks_test PROPERTIES LABELS unit TIMEOUT 120)
