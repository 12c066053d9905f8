# Integration tests with several metads (distributed metadata, docs/metadata.md).
include(${CMAKE_CURRENT_LIST_DIR}/harness.cmake)

combfs_integration_test(NAME integration_multimeta_test SOURCES multimeta_test.cc TIMEOUT 900
  LIBS combfs_client combfs_metad)
