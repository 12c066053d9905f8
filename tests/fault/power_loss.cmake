# Fault tests of durability (issue 16): daemons on the power-loss model disk
# (common/env/power_loss.h), crashed at chosen storage calls, then the power
# cut. Labels "integration;fault": `ctest -L fault` runs just these.
include(${CMAKE_CURRENT_LIST_DIR}/../integration/harness.cmake)

add_executable(combfs-durability-workload ${CMAKE_CURRENT_LIST_DIR}/../tools/durability_workload.cc)
target_link_libraries(combfs-durability-workload PRIVATE combfs_test_harness)

add_library(combfs_durability_log STATIC ${CMAKE_CURRENT_LIST_DIR}/durability_log.cc)
target_link_libraries(combfs_durability_log PUBLIC combfs_test_harness combfs_common)

add_executable(durability_log_test ${CMAKE_CURRENT_LIST_DIR}/durability_log_test.cc)
target_link_libraries(durability_log_test PRIVATE combfs_durability_log GTest::gtest_main)
gtest_discover_tests(durability_log_test DISCOVERY_TIMEOUT 30 PROPERTIES LABELS unit TIMEOUT 60)

combfs_integration_test(NAME fault_power_loss_test PREFIX "fault." LABELS fault TIMEOUT 420
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/power_loss_test.cc LIBS combfs_durability_log)
add_dependencies(fault_power_loss_test combfs-durability-workload)
combfs_integration_test(NAME fault_stored_power_loss_test PREFIX "fault." LABELS fault TIMEOUT 300
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/stored_power_loss_test.cc)
