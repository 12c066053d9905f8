# Unit tests of POSIX ACLs and inherited permissions: metad/acl/ as pure values
# (xattr form, validity, mode equivalence, chmod, inheritance) and the store
# applying them (setgid directories, default ACLs, umask, chmod).
foreach(name metad_acl_test metad_store_perms_test)
  add_executable(${name} ${CMAKE_CURRENT_LIST_DIR}/${name}.cc)
  target_link_libraries(${name} combfs_metad GTest::gtest_main)
  gtest_discover_tests(${name} PROPERTIES LABELS unit TIMEOUT 60)
endforeach()
