# Unit tests of metad's cross-owner operations (metad/cross/): three metads in
# one process, talking over RPC on loopback, with crash points; and directory
# placement.
foreach(name metad_cross_test metad_dir_placement_test)
  add_executable(${name} ${CMAKE_CURRENT_LIST_DIR}/${name}.cc)
  target_link_libraries(${name} combfs_metad GTest::gtest_main)
  gtest_discover_tests(${name} PROPERTIES LABELS unit TIMEOUT 300)
endforeach()
