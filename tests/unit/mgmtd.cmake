# Unit tests of mgmtd/.
add_executable(mgmtd_store_test ${CMAKE_CURRENT_LIST_DIR}/mgmtd_store_test.cc)
target_link_libraries(mgmtd_store_test combfs_mgmtd GTest::gtest_main)
gtest_discover_tests(mgmtd_store_test PROPERTIES LABELS unit TIMEOUT 120)
