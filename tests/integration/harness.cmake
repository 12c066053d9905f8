# The integration test harness (tests/harness/): TestCluster starts real
# combfs processes from ${CMAKE_BINARY_DIR}/bin, and combfs_integration_test()
# registers one gtest binary whose tests each start their own cluster.
include_guard(GLOBAL)

set(COMBFS_HARNESS_DIR ${CMAKE_CURRENT_LIST_DIR}/../harness)
add_library(combfs_test_harness STATIC
  ${COMBFS_HARNESS_DIR}/data.cc
  ${COMBFS_HARNESS_DIR}/fsctl_output.cc
  ${COMBFS_HARNESS_DIR}/power_loss.cc
  ${COMBFS_HARNESS_DIR}/process.cc
  ${COMBFS_HARNESS_DIR}/test_cluster.cc)
target_compile_definitions(combfs_test_harness PUBLIC COMBFS_BIN_DIR="${CMAKE_BINARY_DIR}/bin")
target_link_libraries(combfs_test_harness PUBLIC GTest::gtest Threads::Threads PRIVATE combfs_common)

# The programs every cluster runs; a test binary depends on them so that
# `ninja <test>` also builds what the test starts.
set(COMBFS_CLUSTER_PROGRAMS combfs-mgmtd combfs-metad combfs-stored combfs-client mount.combfs fsctl)

# combfs_label_tests(<target> <labels...>): gives every test discovered in
# <target> these labels. gtest_discover_tests of CMake 3.25 writes a list
# property unquoted, so a test given "a;b" gets only "a" (and a broken
# property); this sets the labels after discovery instead.
function(combfs_label_tests target)
  set(script ${CMAKE_CURRENT_BINARY_DIR}/${target}_labels.cmake)
  file(WRITE ${script} "foreach(test IN LISTS ${target}_TESTS)\n"
                       "  set_tests_properties(\"\${test}\" PROPERTIES LABELS \"${ARGN}\")\n"
                       "endforeach()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${script})
endfunction()

# combfs_integration_test(NAME <name> SOURCES <files...> TIMEOUT <seconds>
#                         [LIBS <libs...>] [LABELS <labels...>] [PREFIX <prefix>] [RUN_SERIAL])
# Builds <name> from <files> (relative to tests/integration/, or absolute), and
# registers each of its gtest cases as one ctest test "<prefix><Suite>.<Case>"
# (prefix "integration." unless given) with the label "integration", any extra
# LABELS and the given timeout. RUN_SERIAL: a long test whose time bound must
# not depend on what runs beside it.
function(combfs_integration_test)
  cmake_parse_arguments(ARG "RUN_SERIAL" "NAME;TIMEOUT;PREFIX" "SOURCES;LIBS;LABELS" ${ARGN})
  if(NOT ARG_PREFIX)
    set(ARG_PREFIX "integration.")
  endif()
  set(serial FALSE)
  if(ARG_RUN_SERIAL)
    set(serial TRUE)
  endif()
  list(TRANSFORM ARG_SOURCES PREPEND ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/ REGEX "^[^/]")
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  target_link_libraries(${ARG_NAME} PRIVATE combfs_test_harness GTest::gtest_main ${ARG_LIBS})
  foreach(program ${COMBFS_CLUSTER_PROGRAMS})
    if(TARGET ${program})
      add_dependencies(${ARG_NAME} ${program})
    endif()
  endforeach()
  gtest_discover_tests(${ARG_NAME}
    TEST_PREFIX "${ARG_PREFIX}"
    DISCOVERY_TIMEOUT 30
    PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS integration RUN_SERIAL ${serial})
  if(ARG_LABELS)
    combfs_label_tests(${ARG_NAME} integration ${ARG_LABELS})
  endif()
endfunction()
