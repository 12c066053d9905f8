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
