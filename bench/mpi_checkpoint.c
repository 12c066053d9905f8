/* combfs-mpi-checkpoint: N ranks write one shared checkpoint file, as an
 * application's checkpoint does.
 *
 *   mpirun -np 4 combfs-mpi-checkpoint --file PATH [--mib TOTAL] [--block-mib B]
 *                                       [--mode both|mpiio|posix]
 *
 * Each rank owns the contiguous share [rank*S, (rank+1)*S) of the file, with
 * S = TOTAL/ranks (default TOTAL 1024 MiB), and writes it in B MiB blocks
 * (default 4):
 *   mpiio: MPI_File_open on all ranks, MPI_File_write_at_all per block
 *          (collective), MPI_File_sync, MPI_File_close;
 *   posix: open + pwrite per block + fsync + close on every rank.
 * Time runs from a barrier before the open to a barrier after the close, so it
 * includes getting the data durable. The file is removed after each variant.
 * Rank 0 prints one JSON object with GiB/s per variant. Errors: stderr, exit 1
 * (MPI_Abort).
 */
#include <errno.h>
#include <fcntl.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void fail(const char *what, const char *detail) {
  fprintf(stderr, "combfs-mpi-checkpoint: %s: %s\n", what, detail);
  MPI_Abort(MPI_COMM_WORLD, 1);
  exit(1);
}

static void check_mpi(int rc, const char *what) {
  if (rc != MPI_SUCCESS) {
    char msg[MPI_MAX_ERROR_STRING];
    int len = 0;
    MPI_Error_string(rc, msg, &len);
    fail(what, msg);
  }
}

static void usage(int rank) {
  if (rank == 0)
    fprintf(stderr,
            "usage: mpirun -np N combfs-mpi-checkpoint --file PATH [--mib TOTAL] [--block-mib B] "
            "[--mode both|mpiio|posix]\n");
  MPI_Finalize();
  exit(2);
}

/* Returns seconds from the first barrier to the last. */
static double run_mpiio(const char *path, MPI_Offset share, MPI_Offset block, char *buf, int rank) {
  MPI_File fh;
  MPI_Barrier(MPI_COMM_WORLD);
  double t0 = MPI_Wtime();
  check_mpi(MPI_File_open(MPI_COMM_WORLD, path, MPI_MODE_CREATE | MPI_MODE_WRONLY, MPI_INFO_NULL, &fh),
            "MPI_File_open");
  for (MPI_Offset done = 0; done < share; done += block) {
    MPI_Status st;
    check_mpi(MPI_File_write_at_all(fh, rank * share + done, buf, (int)block, MPI_BYTE, &st),
              "MPI_File_write_at_all");
  }
  check_mpi(MPI_File_sync(fh), "MPI_File_sync");
  check_mpi(MPI_File_close(&fh), "MPI_File_close");
  MPI_Barrier(MPI_COMM_WORLD);
  return MPI_Wtime() - t0;
}

static double run_posix(const char *path, MPI_Offset share, MPI_Offset block, char *buf, int rank) {
  MPI_Barrier(MPI_COMM_WORLD);
  double t0 = MPI_Wtime();
  int fd = open(path, O_CREAT | O_WRONLY, 0644);
  if (fd < 0) fail(path, strerror(errno));
  for (MPI_Offset done = 0; done < share; done += block) {
    ssize_t w = pwrite(fd, buf, (size_t)block, (off_t)(rank * share + done));
    if (w != (ssize_t)block) fail("pwrite", w < 0 ? strerror(errno) : "short write");
  }
  if (fsync(fd) != 0) fail("fsync", strerror(errno));
  if (close(fd) != 0) fail("close", strerror(errno));
  MPI_Barrier(MPI_COMM_WORLD);
  return MPI_Wtime() - t0;
}

/* Checks the size the file system reports, so a variant that silently wrote
 * less cannot report a rate. */
static void check_size(const char *path, MPI_Offset expect, int rank) {
  if (rank != 0) return;
  int fd = open(path, O_RDONLY);
  if (fd < 0) fail(path, strerror(errno));
  off_t size = lseek(fd, 0, SEEK_END);
  close(fd);
  if (size != (off_t)expect) {
    char msg[128];
    snprintf(msg, sizeof msg, "file size %lld, expected %lld", (long long)size, (long long)expect);
    fail(path, msg);
  }
}

static void remove_file(const char *path, int rank) {
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank == 0 && unlink(path) != 0 && errno != ENOENT) fail(path, strerror(errno));
  MPI_Barrier(MPI_COMM_WORLD);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, ranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);

  const char *path = NULL, *mode = "both";
  long long total_mib = 1024, block_mib = 4;
  for (int i = 1; i < argc; ++i) {
    if (i + 1 >= argc) usage(rank);
    if (!strcmp(argv[i], "--file")) path = argv[++i];
    else if (!strcmp(argv[i], "--mib")) total_mib = atoll(argv[++i]);
    else if (!strcmp(argv[i], "--block-mib")) block_mib = atoll(argv[++i]);
    else if (!strcmp(argv[i], "--mode")) mode = argv[++i];
    else usage(rank);
  }
  int do_mpiio = !strcmp(mode, "both") || !strcmp(mode, "mpiio");
  int do_posix = !strcmp(mode, "both") || !strcmp(mode, "posix");
  if (!path || total_mib < 1 || block_mib < 1 || (!do_mpiio && !do_posix)) usage(rank);

  MPI_Offset block = (MPI_Offset)block_mib << 20;
  /* Whole blocks per rank, so every rank makes the same number of collective calls. */
  MPI_Offset blocks_per_rank = ((MPI_Offset)total_mib << 20) / block / ranks;
  if (blocks_per_rank < 1) blocks_per_rank = 1;
  MPI_Offset share = blocks_per_rank * block;
  MPI_Offset bytes = share * ranks;
  char *buf = malloc((size_t)block);
  if (!buf) fail("malloc", "out of memory");
  memset(buf, 'a' + rank % 26, (size_t)block);

  double gib = (double)bytes / (1024.0 * 1024 * 1024);
  double t_mpiio = 0, t_posix = 0;
  remove_file(path, rank);
  if (do_mpiio) {
    t_mpiio = run_mpiio(path, share, block, buf, rank);
    check_size(path, bytes, rank);
    remove_file(path, rank);
  }
  if (do_posix) {
    t_posix = run_posix(path, share, block, buf, rank);
    check_size(path, bytes, rank);
    remove_file(path, rank);
  }
  if (rank == 0) {
    printf("{\"ranks\": %d, \"bytes\": %lld, \"block\": %lld", ranks, (long long)bytes, (long long)block);
    if (do_mpiio) printf(", \"mpiio_gibps\": %.4f, \"mpiio_seconds\": %.3f", gib / t_mpiio, t_mpiio);
    if (do_posix) printf(", \"posix_gibps\": %.4f, \"posix_seconds\": %.3f", gib / t_posix, t_posix);
    printf("}\n");
  }
  free(buf);
  MPI_Finalize();
  return 0;
}
