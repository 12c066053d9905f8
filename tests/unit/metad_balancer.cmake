# Unit tests of the balancer's decision (metad/balancer.h): pure, no cluster.
add_executable(metad_balancer_test ${CMAKE_CURRENT_LIST_DIR}/metad_balancer_test.cc)
target_link_libraries(metad_balancer_test combfs_metad GTest::gtest_main)
gtest_discover_tests(metad_balancer_test PROPERTIES LABELS unit TIMEOUT 60)
