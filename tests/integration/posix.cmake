# HPC semantics (issue 7): global locks across two mounts, the POSIX
# conformance suite (mount vs local directory), fsx and MPI-IO. Labels
# "integration;posix", so `ctest -L posix` runs just these.
include(${CMAKE_CURRENT_LIST_DIR}/harness.cmake)

# combfs_posix_test(NAME <name> SOURCES <files...> TIMEOUT <seconds> [LIBS <libs...>] [RUN_SERIAL])
function(combfs_posix_test)
  combfs_integration_test(${ARGN} LABELS posix)
endfunction()

combfs_posix_test(NAME integration_locks_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/locks_test.cc TIMEOUT 120)

# The POSIX conformance suite: every case on ext4 and on combfs, as root and as nobody.
set(COMBFS_POSIX_DIR ${CMAKE_CURRENT_LIST_DIR}/../posix)
combfs_posix_test(NAME integration_posix_suite TIMEOUT 170
  SOURCES ${COMBFS_POSIX_DIR}/posix_suite_test.cc ${COMBFS_POSIX_DIR}/suite.cc ${COMBFS_POSIX_DIR}/deviations.cc
          ${COMBFS_POSIX_DIR}/cases_files.cc ${COMBFS_POSIX_DIR}/cases_names.cc ${COMBFS_POSIX_DIR}/cases_attrs.cc
          ${COMBFS_POSIX_DIR}/cases_perms.cc ${COMBFS_POSIX_DIR}/cases_matrix.cc ${COMBFS_POSIX_DIR}/cases_acl.cc)

# fsx: random operations against an in-memory model (tests/tools/fsx.cc).
add_executable(combfs-fsx ${CMAKE_CURRENT_LIST_DIR}/../tools/fsx.cc)
combfs_posix_test(NAME integration_fsx_test TIMEOUT 180 RUN_SERIAL SOURCES ${CMAKE_CURRENT_LIST_DIR}/../tools/fsx_test.cc)
add_dependencies(integration_fsx_test combfs-fsx)

# MPI-IO with OpenMPI (scripts/install-deps.sh installs openmpi-bin and
# libopenmpi-dev). Without MPI the tests are not registered, and CMake says so.
find_package(MPI COMPONENTS C)
if(MPI_C_FOUND AND MPIEXEC_EXECUTABLE)
  add_executable(combfs-mpiio-check ${CMAKE_CURRENT_LIST_DIR}/mpiio_check.c)
  target_link_libraries(combfs-mpiio-check PRIVATE MPI::MPI_C)
  combfs_posix_test(NAME integration_mpiio_test TIMEOUT 170 SOURCES ${CMAKE_CURRENT_LIST_DIR}/mpiio_test.cc)
  target_compile_definitions(integration_mpiio_test PRIVATE MPIEXEC="${MPIEXEC_EXECUTABLE}")
  add_dependencies(integration_mpiio_test combfs-mpiio-check)
  # MPICH beside OpenMPI (Debian's mpich and libmpich-dev): the same check
  # compiled with MPICH's wrapper, since one CMake MPI target is one MPI.
  find_program(MPICH_CC mpicc.mpich)
  find_program(MPICH_EXEC mpiexec.mpich)
  if(MPICH_CC AND MPICH_EXEC)
    set(mpich_check ${CMAKE_BINARY_DIR}/bin/combfs-mpiio-check-mpich)
    add_custom_command(OUTPUT ${mpich_check}
      COMMAND ${MPICH_CC} -O2 -Wall -o ${mpich_check} ${CMAKE_CURRENT_LIST_DIR}/mpiio_check.c
      DEPENDS ${CMAKE_CURRENT_LIST_DIR}/mpiio_check.c
      COMMENT "Building combfs-mpiio-check-mpich with mpicc.mpich")
    add_custom_target(combfs-mpiio-check-mpich DEPENDS ${mpich_check})
    add_dependencies(integration_mpiio_test combfs-mpiio-check-mpich)
    target_compile_definitions(integration_mpiio_test PRIVATE MPICH_EXEC="${MPICH_EXEC}")
  else()
    message(WARNING "MPICH not found: the MPI-IO tests run with OpenMPI only; run scripts/install-deps.sh")
  endif()
else()
  message(WARNING "MPI (OpenMPI) not found: the MPI-IO tests are not built; run scripts/install-deps.sh")
endif()

# Consistency between two mounts: close-to-open, stat, O_DIRECT, appends under locks.
combfs_posix_test(NAME integration_consistency_test TIMEOUT 120 SOURCES ${COMBFS_POSIX_DIR}/consistency_test.cc)
