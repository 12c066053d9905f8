# Unit tests of stored/ (and an in-process mgmtd + stored smoke test).
add_executable(stored_chunk_store_test ${CMAKE_CURRENT_LIST_DIR}/stored_chunk_store_test.cc)
target_link_libraries(stored_chunk_store_test combfs_stored GTest::gtest_main)
gtest_discover_tests(stored_chunk_store_test PROPERTIES LABELS unit TIMEOUT 120)

add_executable(stored_service_test ${CMAKE_CURRENT_LIST_DIR}/stored_service_test.cc)
target_link_libraries(stored_service_test combfs_stored combfs_mgmtd GTest::gtest_main)
gtest_discover_tests(stored_service_test PROPERTIES LABELS unit TIMEOUT 120)
