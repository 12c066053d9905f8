# Unit tests of common/ (env_test: the storage seam, common/env/), striping/ and buddy/.
foreach(name striping_test frame_test rpc_test status_test group_commit_test env_test checksum_test daemon_args_test)
  add_executable(${name} ${CMAKE_CURRENT_LIST_DIR}/${name}.cc)
  target_link_libraries(${name} combfs_common combfs_striping GTest::gtest_main)
  gtest_discover_tests(${name} PROPERTIES LABELS unit TIMEOUT 120)
endforeach()

# buddy/: the mirroring logic shared by the daemons.
add_executable(buddy_pairing_test ${CMAKE_CURRENT_LIST_DIR}/buddy_pairing_test.cc)
target_link_libraries(buddy_pairing_test combfs_buddy GTest::gtest_main)
gtest_discover_tests(buddy_pairing_test PROPERTIES LABELS unit TIMEOUT 60)
add_executable(buddy_route_test ${CMAKE_CURRENT_LIST_DIR}/buddy_route_test.cc)
target_link_libraries(buddy_route_test combfs_buddy GTest::gtest_main)
gtest_discover_tests(buddy_route_test PROPERTIES LABELS unit TIMEOUT 60)
