# HPC semantics (issue 7): global locks across two mounts, the POSIX
# conformance suite (mount vs local directory), fsx and MPI-IO. Labels
# "integration;posix", so `ctest -L posix` runs just these.
include(${CMAKE_CURRENT_LIST_DIR}/harness.cmake)

# combfs_posix_test(NAME <name> SOURCES <files...> TIMEOUT <seconds> [LIBS <libs...>])
function(combfs_posix_test)
  cmake_parse_arguments(ARG "" "NAME;TIMEOUT" "SOURCES;LIBS" ${ARGN})
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
    PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS "integration;posix")
endfunction()

combfs_posix_test(NAME integration_locks_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/locks_test.cc TIMEOUT 120)
