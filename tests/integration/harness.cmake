# The integration test harness (tests/harness/): TestCluster starts real
# combfs processes from ${CMAKE_BINARY_DIR}/bin, and combfs_integration_test()
# registers one gtest binary whose tests each start their own cluster.
include_guard(GLOBAL)

set(COMBFS_HARNESS_DIR ${CMAKE_CURRENT_LIST_DIR}/../harness)
add_library(combfs_test_harness STATIC
  ${COMBFS_HARNESS_DIR}/data.cc
  ${COMBFS_HARNESS_DIR}/fsctl_output.cc
  ${COMBFS_HARNESS_DIR}/process.cc
  ${COMBFS_HARNESS_DIR}/test_cluster.cc)
target_compile_definitions(combfs_test_harness PUBLIC COMBFS_BIN_DIR="${CMAKE_BINARY_DIR}/bin")
target_link_libraries(combfs_test_harness PUBLIC GTest::gtest Threads::Threads)

# The programs every cluster runs; a test binary depends on them so that
# `ninja <test>` also builds what the test starts.
set(COMBFS_CLUSTER_PROGRAMS combfs-mgmtd combfs-metad combfs-stored combfs-client mount.combfs fsctl)

# combfs_integration_test(NAME <name> SOURCES <files...> TIMEOUT <seconds> [LIBS <libs...>])
# Builds <name> from tests/integration/<files>, and registers each of its gtest
# cases as one ctest test with the label "integration" and the given timeout.
function(combfs_integration_test)
  cmake_parse_arguments(ARG "" "NAME;TIMEOUT" "SOURCES;LIBS" ${ARGN})
  list(TRANSFORM ARG_SOURCES PREPEND ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/)
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  target_link_libraries(${ARG_NAME} PRIVATE combfs_test_harness GTest::gtest_main ${ARG_LIBS})
  foreach(program ${COMBFS_CLUSTER_PROGRAMS})
    if(TARGET ${program})
      add_dependencies(${ARG_NAME} ${program})
    endif()
  endforeach()
  gtest_discover_tests(${ARG_NAME}
    TEST_PREFIX "integration."
    DISCOVERY_TIMEOUT 30
    PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS integration)
endfunction()
