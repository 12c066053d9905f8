# CPack settings for the packages packaging/CMakeLists.txt fills; included by
# the top-level CMakeLists.txt (CPack wants to be set up there).
set(CPACK_PACKAGE_NAME combfs)
set(CPACK_PACKAGE_VENDOR "combfs developers")
set(CPACK_PACKAGE_CONTACT "combfs developers <combfs@example.org>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "parallel file system for HPC clusters")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_COMPONENTS_ALL mgmtd metad stored client utils)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_RPM_COMPONENT_INSTALL ON)

# Extended descriptions, wrapped by hand (Debian shows them as they are).
set(combfs_about_mgmtd "This package keeps the cluster's lists of nodes, storage targets,\nmirror groups and pools and their health; one per cluster.")
set(combfs_about_metad "This package holds directories and file metadata (layouts,\nattributes) in SQLite; one or more per cluster.")
set(combfs_about_stored "This package holds files' data as chunk files on local targets, one\nper disk, with CRC32C checksums and buddy mirroring; one per storage\nserver.")
set(combfs_about_client "This package holds the FUSE client and mount.combfs, so that\nmount -t combfs and /etc/fstab lines mount a combfs file system.")
set(combfs_about_utils "This package holds fsctl: striping patterns, entry information, nodes,\ntargets, mirror groups, migration and fsck of a combfs cluster.")
set(combfs_summary_mgmtd "combfs parallel file system - management daemon")
set(combfs_summary_metad "combfs parallel file system - metadata daemon")
set(combfs_summary_stored "combfs parallel file system - storage daemon")
set(combfs_summary_client "combfs parallel file system - FUSE client")
set(combfs_summary_utils "combfs parallel file system - administration tool")

# --- Debian ---
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://example.org/combfs")
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)
foreach(c mgmtd metad stored client utils)
  string(TOUPPER ${c} C)
  set(CPACK_DEBIAN_${C}_PACKAGE_NAME combfs-${c})
  set(CPACK_COMPONENT_${C}_DESCRIPTION "${combfs_summary_${c}}\ncombfs stripes files in chunks over storage targets and moves data\nstraight between clients and storage servers.\n${combfs_about_${c}}")
  set(CPACK_RPM_${C}_PACKAGE_NAME combfs-${c})
  set(CPACK_RPM_${C}_PACKAGE_SUMMARY "${combfs_summary_${c}}")
  set(CPACK_RPM_${C}_PACKAGE_DESCRIPTION "combfs stripes files in chunks over storage targets and moves data straight between clients and storage servers. ${combfs_about_${c}}")
endforeach()
foreach(role mgmtd metad stored)
  string(TOUPPER ${role} R)
  set(dir ${CMAKE_BINARY_DIR}/packaging/deb/${role})
  set(CPACK_DEBIAN_${R}_PACKAGE_CONTROL_EXTRA "${dir}/postinst;${dir}/prerm;${dir}/postrm;${dir}/conffiles")
  set(CPACK_DEBIAN_${R}_PACKAGE_DEPENDS "adduser")
  set(CPACK_RPM_${R}_POST_INSTALL_SCRIPT_FILE ${CMAKE_BINARY_DIR}/packaging/rpm/${role}/post.sh)
  set(CPACK_RPM_${R}_PRE_UNINSTALL_SCRIPT_FILE ${CMAKE_BINARY_DIR}/packaging/rpm/${role}/preun.sh)
  set(CPACK_RPM_${R}_USER_FILELIST "%config(noreplace) /etc/combfs/${role}.toml"
                                     "%config(noreplace) /etc/logrotate.d/combfs-${role}")
endforeach()
set(CPACK_DEBIAN_CLIENT_PACKAGE_DEPENDS "fuse3")

# --- RPM ---
set(CPACK_RPM_FILE_NAME RPM-DEFAULT)
set(CPACK_RPM_PACKAGE_LICENSE "GPL-2.0-only")
set(CPACK_RPM_PACKAGE_GROUP "System Environment/Daemons")
set(CPACK_RPM_PACKAGE_AUTOREQ ON)
set(CPACK_RPM_CLIENT_PACKAGE_REQUIRES "fuse3")
# Directories the system owns: never claim them.
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION /etc /etc/logrotate.d /usr/sbin /usr/share/doc /lib /lib/systemd /lib/systemd/system /usr/lib/systemd
    /usr/lib/systemd/system /usr/share/man /usr/share/man/man1 /usr/share/man/man8)

include(CPack)
