/* MPI-IO checks on one directory, run by tests/integration/mpiio_test.cc as
 *   mpirun -np 4 combfs-mpiio-check SCENARIO DIR
 * Scenarios (what checkpointing MPI jobs do; each verifies every byte):
 *   checkpoint  collective MPI_File_write_at_all of one shared file, read back
 *               with MPI_File_read_at_all by other ranks, and the file size;
 *   atomic      MPI_File_set_atomicity(1): concurrent overlapping writes must
 *               not interleave, and a write is visible to other ranks at once;
 *   shared      MPI_File_write_shared: every record exactly once, none torn;
 *   views       non-contiguous (interleaved) file views: collective
 *               write_all, then concurrent independent writes (ROMIO does
 *               these by data sieving: read-modify-write under a lock), then
 *               read_all through the views.
 * Exit status 0 when every rank verified its part; a failure aborts the job
 * with a message that names the rank, scenario and offset. */
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int rank, nprocs;
static const char* scenario;

static void fail(const char* what, long long offset, int got, int want) {
  fprintf(stderr, "mpiio_check %s: rank %d: %s at offset %lld: got %d, want %d\n", scenario, rank, what, offset, got,
          want);
  MPI_Abort(MPI_COMM_WORLD, 1);
}

static void check(int rc, const char* what) {
  if (rc == MPI_SUCCESS) return;
  char msg[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, msg, &len);
  fprintf(stderr, "mpiio_check %s: rank %d: %s failed: %s\n", scenario, rank, what, msg);
  MPI_Abort(MPI_COMM_WORLD, 1);
}

/* Byte i of rank r's data in generation g: varies with all three. */
static unsigned char pattern(int r, int g, long long i) { return (unsigned char)((r * 61 + g * 17 + i * 7 + i / 4099) % 251 + 1); }

static void checkpoint(const char* dir) {
  const long long region = 8LL << 20, piece = 2LL << 20;
  char path[4096];
  snprintf(path, sizeof path, "%s/checkpoint.dat", dir);
  MPI_File fh;
  check(MPI_File_open(MPI_COMM_WORLD, path, MPI_MODE_CREATE | MPI_MODE_WRONLY, MPI_INFO_NULL, &fh), "open for write");
  unsigned char* buf = malloc(piece);
  for (long long done = 0; done < region; done += piece) {
    for (long long i = 0; i < piece; ++i) buf[i] = pattern(rank, 0, done + i);
    check(MPI_File_write_at_all(fh, rank * region + done, buf, (int)piece, MPI_BYTE, MPI_STATUS_IGNORE),
          "write_at_all");
  }
  check(MPI_File_close(&fh), "close after write");
  MPI_Barrier(MPI_COMM_WORLD);

  check(MPI_File_open(MPI_COMM_WORLD, path, MPI_MODE_RDONLY, MPI_INFO_NULL, &fh), "open for read");
  MPI_Offset size = 0;
  check(MPI_File_get_size(fh, &size), "get_size");
  if (size != nprocs * region) fail("file size", 0, (int)(size >> 20), (int)((nprocs * region) >> 20));
  int other = (rank + 1) % nprocs; /* read a neighbour's region: nothing cached */
  for (long long done = 0; done < region; done += piece) {
    check(MPI_File_read_at_all(fh, other * region + done, buf, (int)piece, MPI_BYTE, MPI_STATUS_IGNORE),
          "read_at_all");
    for (long long i = 0; i < piece; ++i)
      if (buf[i] != pattern(other, 0, done + i)) fail("checkpoint data", other * region + done + i, buf[i], pattern(other, 0, done + i));
  }
  check(MPI_File_close(&fh), "close after read");
  free(buf);
}

static void atomic(const char* dir) {
  const long long len = 1LL << 20; /* spans 16 chunks of 64 KiB on 4 targets */
  const int rounds = 12;
  char path[4096];
  snprintf(path, sizeof path, "%s/atomic.dat", dir);
  MPI_File fh;
  check(MPI_File_open(MPI_COMM_WORLD, path, MPI_MODE_CREATE | MPI_MODE_RDWR, MPI_INFO_NULL, &fh), "open");
  check(MPI_File_set_atomicity(fh, 1), "set_atomicity");
  int flag = 0;
  check(MPI_File_get_atomicity(fh, &flag), "get_atomicity");
  if (!flag) fail("atomicity flag", 0, flag, 1);
  unsigned char* buf = malloc(len);
  for (int g = 0; g < rounds; ++g) {
    /* Everyone overwrites the same megabyte at once: the result must be one
     * rank's write, whole. */
    memset(buf, (rank + 1 + g * nprocs) % 255 + 1, len);
    MPI_Barrier(MPI_COMM_WORLD);
    check(MPI_File_write_at(fh, 0, buf, (int)len, MPI_BYTE, MPI_STATUS_IGNORE), "write_at (overlapping)");
    MPI_Barrier(MPI_COMM_WORLD);
    check(MPI_File_read_at(fh, 0, buf, (int)len, MPI_BYTE, MPI_STATUS_IGNORE), "read_at");
    for (long long i = 1; i < len; ++i)
      if (buf[i] != buf[0]) fail("writes interleaved (atomic mode)", i, buf[i], buf[0]);
    int writer = -1;
    for (int r = 0; r < nprocs; ++r)
      if (buf[0] == (r + 1 + g * nprocs) % 255 + 1) writer = r;
    if (writer < 0) fail("data from no rank", 0, buf[0], -1);
    /* All ranks must agree on which write came last. */
    int lo = writer, hi = writer;
    MPI_Allreduce(MPI_IN_PLACE, &lo, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    MPI_Allreduce(MPI_IN_PLACE, &hi, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (lo != hi) fail("ranks see different data", 0, lo, hi);
  }
  /* Visibility without sync: a rank writes its slot, the next rank reads it
   * right after a barrier. */
  const int slot = 4096;
  for (long long i = 0; i < slot; ++i) buf[i] = pattern(rank, 5, i);
  check(MPI_File_write_at(fh, len + rank * slot, buf, slot, MPI_BYTE, MPI_STATUS_IGNORE), "write slot");
  MPI_Barrier(MPI_COMM_WORLD);
  int prev = (rank + nprocs - 1) % nprocs;
  check(MPI_File_read_at(fh, len + prev * slot, buf, slot, MPI_BYTE, MPI_STATUS_IGNORE), "read slot");
  for (long long i = 0; i < slot; ++i)
    if (buf[i] != pattern(prev, 5, i)) fail("atomic-mode write not visible", len + prev * slot + i, buf[i], pattern(prev, 5, i));
  check(MPI_File_close(&fh), "close");
  free(buf);
}

#define RECORD 32
static void shared(const char* dir) {
  const int records = 40;
  char path[4096];
  snprintf(path, sizeof path, "%s/shared.log", dir);
  MPI_File fh;
  check(MPI_File_open(MPI_COMM_WORLD, path, MPI_MODE_CREATE | MPI_MODE_WRONLY, MPI_INFO_NULL, &fh), "open");
  for (int i = 0; i < records; ++i) {
    char rec[RECORD + 1];
    snprintf(rec, sizeof rec, "rank %03d record %04d ..........", rank, i);
    rec[RECORD - 1] = '\n';
    check(MPI_File_write_shared(fh, rec, RECORD, MPI_BYTE, MPI_STATUS_IGNORE), "write_shared");
  }
  check(MPI_File_close(&fh), "close");
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank != 0) return;
  FILE* f = fopen(path, "rb");
  if (!f) fail("fopen for verify", 0, 0, 0);
  long long total = (long long)nprocs * records;
  char* seen = calloc((size_t)total, 1);
  char rec[RECORD];
  long long n = 0;
  while (fread(rec, 1, RECORD, f) == RECORD) {
    int r = -1, i = -1;
    if (sscanf(rec, "rank %d record %d", &r, &i) != 2 || r < 0 || r >= nprocs || i < 0 || i >= records ||
        rec[RECORD - 1] != '\n')
      fail("torn or foreign record", n * RECORD, r, i);
    if (seen[r * records + i]++) fail("record written twice", n * RECORD, r, i);
    ++n;
  }
  fclose(f);
  if (n != total) fail("number of records", n * RECORD, (int)n, (int)total);
  free(seen);
}

static void views(const char* dir) {
  const int block = 4096 + 512; /* not a divisor of the 64 KiB chunk */
  const int blocks = 192;       /* per rank */
  char path[4096];
  snprintf(path, sizeof path, "%s/views.dat", dir);
  MPI_Datatype contig, filetype;
  MPI_Type_contiguous(block, MPI_BYTE, &contig);
  MPI_Type_create_resized(contig, 0, (MPI_Aint)block * nprocs, &filetype);
  MPI_Type_commit(&filetype);
  MPI_Info info;
  MPI_Info_create(&info);
  MPI_Info_set(info, "romio_ds_write", "enable");
  MPI_Info_set(info, "romio_ds_read", "enable");
  MPI_File fh;
  check(MPI_File_open(MPI_COMM_WORLD, path, MPI_MODE_CREATE | MPI_MODE_RDWR, info, &fh), "open");
  check(MPI_File_set_view(fh, (MPI_Offset)rank * block, MPI_BYTE, filetype, "native", info), "set_view");
  const long long mine = (long long)block * blocks;
  unsigned char* buf = malloc(mine);

  for (int g = 1; g <= 2; ++g) {
    for (long long i = 0; i < mine; ++i) buf[i] = pattern(rank, g, i);
    if (g == 1)
      check(MPI_File_write_at_all(fh, 0, buf, (int)mine, MPI_BYTE, MPI_STATUS_IGNORE), "write_at_all (view)");
    else /* independent: each rank alone, all at once (data sieving) */
      check(MPI_File_write_at(fh, 0, buf, (int)mine, MPI_BYTE, MPI_STATUS_IGNORE), "write_at (view)");
    check(MPI_File_sync(fh), "sync");
    MPI_Barrier(MPI_COMM_WORLD);
    check(MPI_File_sync(fh), "sync");
    /* Everyone's blocks, read through a contiguous view by rank 0. */
    if (rank == 0) {
      long long total = mine * nprocs;
      unsigned char* all = malloc(total);
      MPI_File plain;
      check(MPI_File_open(MPI_COMM_SELF, path, MPI_MODE_RDONLY, MPI_INFO_NULL, &plain), "open plain");
      check(MPI_File_read_at(plain, 0, all, (int)total, MPI_BYTE, MPI_STATUS_IGNORE), "read plain");
      check(MPI_File_close(&plain), "close plain");
      for (long long off = 0; off < total; ++off) {
        long long b = off / block;
        int owner = (int)(b % nprocs);
        long long i = (b / nprocs) * block + off % block; /* index in the owner's buffer */
        if (all[off] != pattern(owner, g, i)) fail(g == 1 ? "collective view write" : "independent view write", off, all[off], pattern(owner, g, i));
      }
      free(all);
    }
    MPI_Barrier(MPI_COMM_WORLD);
  }
  /* Read back through the view, collectively. */
  memset(buf, 0, mine);
  check(MPI_File_read_at_all(fh, 0, buf, (int)mine, MPI_BYTE, MPI_STATUS_IGNORE), "read_at_all (view)");
  for (long long i = 0; i < mine; ++i)
    if (buf[i] != pattern(rank, 2, i)) fail("read through view", i, buf[i], pattern(rank, 2, i));
  check(MPI_File_close(&fh), "close");
  MPI_Info_free(&info);
  MPI_Type_free(&filetype);
  MPI_Type_free(&contig);
  free(buf);
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &nprocs);
  if (argc != 3) {
    if (rank == 0) fprintf(stderr, "usage: mpiio_check checkpoint|atomic|shared|views DIR\n");
    MPI_Finalize();
    return 2;
  }
  scenario = argv[1];
  MPI_File_set_errhandler(MPI_FILE_NULL, MPI_ERRORS_RETURN);
  if (strcmp(scenario, "checkpoint") == 0)
    checkpoint(argv[2]);
  else if (strcmp(scenario, "atomic") == 0)
    atomic(argv[2]);
  else if (strcmp(scenario, "shared") == 0)
    shared(argv[2]);
  else if (strcmp(scenario, "views") == 0)
    views(argv[2]);
  else {
    if (rank == 0) fprintf(stderr, "unknown scenario '%s'\n", scenario);
    MPI_Finalize();
    return 2;
  }
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank == 0) printf("mpiio_check %s: ok on %d ranks\n", scenario, nprocs);
  MPI_Finalize();
  return 0;
}
