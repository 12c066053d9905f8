# Benchmark programs, built into build/bin with the rest. bench/run.sh uses them.
add_executable(combfs-mdbench ${CMAKE_CURRENT_LIST_DIR}/mdbench.cc)
add_executable(combfs-syslimits ${CMAKE_CURRENT_LIST_DIR}/syslimits.cc)
target_link_libraries(combfs-syslimits PRIVATE Threads::Threads)

# The MPI checkpoint benchmark needs an MPI (bench/run.sh installs libopenmpi-dev
# before configuring); without one it is simply not built.
find_package(MPI COMPONENTS C QUIET)
if(MPI_C_FOUND)
  add_executable(combfs-mpi-checkpoint ${CMAKE_CURRENT_LIST_DIR}/mpi_checkpoint.c)
  target_link_libraries(combfs-mpi-checkpoint PRIVATE MPI::MPI_C)
else()
  message(STATUS "bench: no MPI found; combfs-mpi-checkpoint is not built (apt-get install libopenmpi-dev)")
endif()

# libcombfs without FUSE: the C API's data path (the "libcombfs: ..." rows).
add_executable(combfs-libbench ${CMAKE_CURRENT_LIST_DIR}/libbench.cc)
target_link_libraries(combfs-libbench PRIVATE combfs_client Threads::Threads)
