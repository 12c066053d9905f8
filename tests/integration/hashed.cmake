# Hashed directories (docs/metadata.md, "Hashed directories"): 4 metads, the
# 20,000-entry acceptance test through the FUSE mount, sethash, renames.
include(${CMAKE_CURRENT_LIST_DIR}/harness.cmake)

combfs_integration_test(NAME integration_hashed_test SOURCES hashed_test.cc TIMEOUT 600
  LIBS combfs_client combfs_metad)
