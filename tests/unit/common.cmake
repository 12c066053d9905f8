# Unit tests of common/ (env_test: the storage seam, common/env/) and striping/.
foreach(name striping_test frame_test rpc_test status_test group_commit_test env_test checksum_test)
  add_executable(${name} ${CMAKE_CURRENT_LIST_DIR}/${name}.cc)
  target_link_libraries(${name} combfs_common combfs_striping GTest::gtest_main)
  gtest_discover_tests(${name} PROPERTIES LABELS unit TIMEOUT 120)
endforeach()
