# Integration tests: real daemons and a FUSE mount on loopback, one cluster per
# test case (see tests/harness/test_cluster.h), so they run in parallel.
include(${CMAKE_CURRENT_LIST_DIR}/harness.cmake)

combfs_integration_test(NAME integration_data_test SOURCES data_test.cc TIMEOUT 900)
combfs_integration_test(NAME integration_striping_test SOURCES striping_test.cc TIMEOUT 300)
combfs_integration_test(NAME integration_shared_write_test SOURCES shared_write_test.cc TIMEOUT 600)
combfs_integration_test(NAME integration_metadata_test SOURCES metadata_test.cc TIMEOUT 600)
combfs_integration_test(NAME integration_size_test SOURCES size_test.cc TIMEOUT 300)
combfs_integration_test(NAME integration_auth_test SOURCES auth_test.cc TIMEOUT 300)
combfs_integration_test(NAME integration_garbage_test SOURCES garbage_test.cc TIMEOUT 300
  LIBS combfs_common)
combfs_integration_test(NAME integration_mount_test SOURCES mount_test.cc TIMEOUT 300)
combfs_integration_test(NAME integration_restart_test SOURCES restart_test.cc TIMEOUT 300)

# libcombfs: the C API from C++ and from a program compiled as C (it links the
# C++ library, so the C++ linker links it).
add_executable(combfs-libcombfs-check ${CMAKE_CURRENT_LIST_DIR}/libcombfs_check.c)
target_link_libraries(combfs-libcombfs-check PRIVATE combfs_client)
set_target_properties(combfs-libcombfs-check PROPERTIES LINKER_LANGUAGE CXX C_STANDARD 11 C_STANDARD_REQUIRED ON)
combfs_integration_test(NAME integration_libcombfs_test SOURCES libcombfs_test.cc TIMEOUT 300 LIBS combfs_client)
add_dependencies(integration_libcombfs_test combfs-libcombfs-check)
combfs_integration_test(NAME integration_write_behind_test SOURCES write_behind_test.cc TIMEOUT 300)
# Dead clients: open files of a killed mount are closed when its lease runs out.
combfs_integration_test(NAME integration_sessions_test SOURCES sessions_test.cc TIMEOUT 300)
# Mirror groups: fsctl addmirrorgroup / listmirrorgroups (docs/mirroring.md).
combfs_integration_test(NAME integration_mirror_groups_test SOURCES mirror_groups_test.cc TIMEOUT 120)
# End-to-end checksums and the missing-chunk rule (docs/mirroring.md).
combfs_integration_test(NAME integration_checksum_test SOURCES checksum_test.cc TIMEOUT 300)
# Mirrored writes, truncates and removals of buddymirror files (docs/mirroring.md).
combfs_integration_test(NAME integration_mirror_data_test SOURCES mirror_data_test.cc TIMEOUT 300)
