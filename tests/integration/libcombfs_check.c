/* libcombfs's C API used from a program compiled as C (not C++):
 *   combfs-libcombfs-check MGMTD SECRET_FILE DIR
 * creates DIR (a path inside combfs), writes a file with combfs_write,
 * reads it back with a batch of reads and with combfs_read, checks stat,
 * unlinks it and removes DIR. Prints "ok" and exits 0, or names the failed
 * step and exits 1. */
#include <combfs/combfs.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define BLOCK 70000 /* not a multiple of any chunk size: pieces cross chunks */
#define BLOCKS 12

static int fail(const char* step, long rc) {
  fprintf(stderr, "%s failed: %ld (%s): %s\n", step, rc, rc < 0 ? strerror((int)-rc) : "unexpected value",
          combfs_last_error());
  return 1;
}

static unsigned char expected(size_t i) { return (unsigned char)((i * 131u + 7u) >> 3); }

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s MGMTD SECRET_FILE DIR\n", argv[0]);
    return 2;
  }
  char path[4096];
  snprintf(path, sizeof path, "%s/c-file", argv[3]);
  combfs_client_t* c = NULL;
  long rc = combfs_connect(argv[1], argv[2], &c);
  if (rc < 0) return fail("combfs_connect", rc);
  if ((rc = combfs_mkdir(c, argv[3], 0755)) < 0) return fail("combfs_mkdir", rc);

  static unsigned char data[BLOCK * BLOCKS];
  for (size_t i = 0; i < sizeof data; ++i) data[i] = expected(i);
  combfs_file_t* f = NULL;
  if ((rc = combfs_open(c, path, O_CREAT | O_EXCL | O_WRONLY, 0640, &f)) < 0) return fail("combfs_open O_CREAT", rc);
  for (int b = 0; b < BLOCKS; ++b)
    if ((rc = combfs_write(f, data + (size_t)b * BLOCK, BLOCK)) != BLOCK) return fail("combfs_write", rc);
  if ((rc = combfs_fsync(f)) < 0) return fail("combfs_fsync", rc);
  if ((rc = combfs_close(f)) < 0) return fail("combfs_close", rc);

  struct combfs_stat st;
  if ((rc = combfs_stat(c, path, &st)) < 0) return fail("combfs_stat", rc);
  if (st.size != sizeof data || !S_ISREG(st.mode) || (st.mode & 0777) != 0640) return fail("stat size/mode", (long)st.size);

  /* A batch: every block in reverse order plus one read past the end. */
  static unsigned char back[BLOCK * BLOCKS];
  unsigned char tail[100];
  struct combfs_io ios[BLOCKS + 1];
  if ((rc = combfs_open(c, path, O_RDONLY, 0, &f)) < 0) return fail("combfs_open O_RDONLY", rc);
  for (int b = 0; b < BLOCKS; ++b) {
    int k = BLOCKS - 1 - b;
    ios[b] = (struct combfs_io){.file = f, .op = COMBFS_IO_READ, .offset = (uint64_t)k * BLOCK, .length = BLOCK,
                                .buf = back + (size_t)k * BLOCK, .result = 0};
  }
  ios[BLOCKS] = (struct combfs_io){.file = f, .op = COMBFS_IO_READ, .offset = sizeof data - 40, .length = sizeof tail,
                                   .buf = tail, .result = 0};
  if ((rc = combfs_submit(c, ios, BLOCKS + 1)) != 0) return fail("combfs_submit", rc);
  for (int b = 0; b < BLOCKS; ++b)
    if (ios[b].result != BLOCK) return fail("batch read result", ios[b].result);
  if (ios[BLOCKS].result != 40) return fail("batch read at the end", ios[BLOCKS].result);
  if (memcmp(back, data, sizeof data) != 0) return fail("batch read data", 0);
  if (memcmp(tail, data + sizeof data - 40, 40) != 0) return fail("batch read tail data", 0);

  /* Sequential reads at the file position. */
  memset(back, 0, sizeof back);
  size_t got = 0;
  while (got < sizeof back) {
    rc = combfs_read(f, back + got, 50000);
    if (rc < 0) return fail("combfs_read", rc);
    if (rc == 0) break;
    got += (size_t)rc;
  }
  if (got != sizeof data || memcmp(back, data, sizeof data) != 0) return fail("combfs_read data", (long)got);
  /* A write through a read-only file fails alone, with its own result. */
  struct combfs_io w = {.file = f, .op = COMBFS_IO_WRITE, .offset = 0, .length = 10, .buf = data, .result = 0};
  if ((rc = combfs_submit(c, &w, 1)) != 1 || w.result >= 0) return fail("batch write to a read-only file", w.result);
  if ((rc = combfs_close(f)) < 0) return fail("combfs_close (reader)", rc);

  if ((rc = combfs_unlink(c, path)) < 0) return fail("combfs_unlink", rc);
  rc = combfs_stat(c, path, &st);
  if (rc != -ENOENT) return fail("combfs_stat after unlink (expected -ENOENT)", rc);
  if (strstr(combfs_last_error(), "c-file") == NULL) return fail("error message names the path", rc);
  if ((rc = combfs_rmdir(c, argv[3])) < 0) return fail("combfs_rmdir", rc);
  combfs_disconnect(c);
  printf("ok\n");
  return 0;
}
