# Subtree migration between metads and the namespace checker (docs/metadata.md
# "Migration" and "Checking"): fsctl migrate, listmigrations, fsck --metadata.
include(${CMAKE_CURRENT_LIST_DIR}/harness.cmake)

combfs_integration_test(NAME integration_migrate_test SOURCES migrate_test.cc migrate_links_test.cc fsck_test.cc meta_test_util.cc
  TIMEOUT 600 LIBS combfs_client SQLite::SQLite3)
