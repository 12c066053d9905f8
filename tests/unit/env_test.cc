// The storage seam: PosixEnv does what the POSIX calls do; PowerLossEnv and
// its SQLite VFS leave, after simulate_power_loss, exactly what was synced.
// Tests that need Env::get() or a crash run in forked children: Env::get() is
// a process-wide static and a crash kills the process.
#include "common/env/env.h"

#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <semaphore>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "common/env/posix_env.h"
#include "common/env/power_loss.h"
#include "common/env/sqlite_vfs.h"
#include "common/env/undo_log.h"

namespace combfs::env {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "combfs-env-test.XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

template <class T>
T must(Result<T> r) {
  if (!r) {
    ADD_FAILURE() << r.error().to_string();
    std::abort();
  }
  return std::move(*r);
}
void must(Result<void> r) { ASSERT_TRUE(r.has_value()) << r.error().to_string(); }

// The file's contents, or nullopt when it does not exist.
std::optional<std::string> contents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string read_fd(int fd, size_t len) {
  std::string out(len, '\0');
  ssize_t n = ::pread(fd, out.data(), len, 0);
  out.resize(n < 0 ? 0 : static_cast<size_t>(n));
  return out;
}

// Runs `body` in a forked child; returns its wait status. The child must
// not use gtest assertions: it reports through its exit code.
int in_child(const std::function<int()>& body) {
  fflush(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) _exit(body());
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

bool killed(int status) { return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL; }

// ---------------------------------------------------------------- PosixEnv

TEST(PosixEnv, FileLifecycle) {
  TempDir dir;
  PosixEnv env;
  const std::string path = dir.path() + "/f";
  EXPECT_EQ(must(env.open(path, false)), nullptr);
  auto file = must(env.open(path, true));
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->path(), path);
  must(file->write_at(0, std::string_view("hello world")));
  must(file->write_at(6, std::string_view("WORLD!!")));
  EXPECT_EQ(read_fd(file->fd(), 100), "hello WORLD!!");
  must(file->truncate(5));
  EXPECT_EQ(read_fd(file->fd(), 100), "hello");
  must(file->truncate(7));
  EXPECT_EQ(read_fd(file->fd(), 100), std::string("hello\0\0", 7));
  must(file->sync());
  must(env.sync_path(path));
  must(env.sync_dir(dir.path()));
  // open without create finds the existing file.
  auto again = must(env.open(path, false));
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(read_fd(again->fd(), 100).size(), 7u);
  EXPECT_TRUE(must(env.remove(path)));
  EXPECT_FALSE(contents(path).has_value());
  EXPECT_FALSE(must(env.remove(path)));
}

TEST(PosixEnv, ErrorsNameThePath) {
  TempDir dir;
  PosixEnv env;
  const std::string missing_dir = dir.path() + "/no/such/file";
  auto opened = env.open(missing_dir, true);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code(), proto::IO_ERROR);
  EXPECT_NE(opened.error().message().find(missing_dir), std::string::npos) << opened.error().message();
  auto synced = env.sync_path(dir.path() + "/absent");
  ASSERT_FALSE(synced);
  EXPECT_NE(synced.error().message().find("absent"), std::string::npos);
  EXPECT_FALSE(env.sync_dir(dir.path() + "/absent"));
}

TEST(PosixEnv, FullDiskIsNoSpace) {
  PosixEnv env;
  auto file = env.open("/dev/full", false);
  if (!file || *file == nullptr) GTEST_SKIP() << "no writable /dev/full";
  auto written = (*file)->write_at(4096, std::string_view("x"));
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().code(), proto::NO_SPACE);
  EXPECT_NE(written.error().message().find("offset 4096"), std::string::npos) << written.error().message();
  EXPECT_NE(written.error().message().find("/dev/full"), std::string::npos);
}

TEST(PosixEnv, WriteFileDurably) {
  TempDir dir;
  PosixEnv env;
  const std::string path = dir.path() + "/state";
  must(env.write_file_durably(path, "first version"));
  EXPECT_EQ(contents(path), "first version");
  must(env.write_file_durably(path, "second"));
  EXPECT_EQ(contents(path), "second");
  EXPECT_FALSE(contents(path + ".tmp").has_value());
  auto failed = env.write_file_durably(dir.path() + "/no/dir/state", "x");
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().message().find("no/dir/state.tmp"), std::string::npos) << failed.error().message();
}

TEST(PosixEnv, BootIdIsTheKernels) {
  PosixEnv env;
  std::string id = must(env.boot_id());
  EXPECT_EQ(id.size(), 36u) << id;
  EXPECT_EQ(contents("/proc/sys/kernel/random/boot_id"), id + "\n");
}

// ---------------------------------------------------------------- PowerLossEnv

class PowerLossTest : public ::testing::Test {
 protected:
  std::string model() const { return dir_.path() + "/model"; }
  std::string data(const std::string& name) const { return dir_.path() + "/" + name; }
  PowerLossReport power_loss() { return must(simulate_power_loss(model())); }

  TempDir dir_;
  PowerLossEnv env_{dir_.path() + "/model"};
};

TEST_F(PowerLossTest, UnsyncedWritesAndTruncatesAreUndone) {
  const std::string path = data("f");
  auto file = must(env_.open(path, true));
  must(file->write_at(0, std::string_view("0123456789")));
  must(file->sync());
  // Overlapping, growing and shrinking changes, none synced.
  must(file->write_at(8, std::string_view("AAAA")));  // grows to 12
  must(file->write_at(2, std::string_view("BB")));
  must(file->truncate(3));
  must(file->write_at(5, std::string_view("CC")));  // leaves a hole
  must(file->truncate(20));
  must(file->write_at(1, std::string_view("D")));
  EXPECT_EQ(read_fd(file->fd(), 100), std::string("0DB\0\0CC", 7) + std::string(13, '\0'));
  file.reset();

  PowerLossReport report = power_loss();
  EXPECT_EQ(contents(path), "0123456789");
  EXPECT_EQ(report.files_restored, 1u);
  EXPECT_EQ(report.files_removed, 0u);
  // Old bytes captured: "89" under AAAA, "23" under BB, "B4567AAAA" cut by
  // the truncate to 3, "1" under D; the hole and the growth hid none.
  EXPECT_EQ(report.bytes_restored, 2u + 2 + 9 + 1);
  EXPECT_TRUE(must(list_undo_logs(model())).empty());
  // Nothing is left to undo a second time.
  report = power_loss();
  EXPECT_EQ(report.files_restored, 0u);
  EXPECT_EQ(contents(path), "0123456789");
}

TEST_F(PowerLossTest, SecondSyncMovesTheRestorePoint) {
  const std::string path = data("f");
  auto file = must(env_.open(path, true));
  must(file->write_at(0, std::string_view("one")));
  must(file->sync());
  must(file->write_at(0, std::string_view("two-two")));
  must(env_.sync_path(path));
  must(file->write_at(4, std::string_view("three")));
  must(file->truncate(2));
  file.reset();
  power_loss();
  EXPECT_EQ(contents(path), "two-two");
}

TEST_F(PowerLossTest, NewFileNeverSyncedDisappears) {
  auto file = must(env_.open(data("new"), true));
  must(file->write_at(0, std::string_view("never synced")));
  file.reset();
  // Opening an existing file with create does not make it "created".
  auto synced = must(env_.open(data("synced"), true));
  must(synced->sync());
  auto reopened = must(env_.open(data("synced"), true));
  must(reopened->write_at(0, std::string_view("x")));
  reopened.reset();
  synced.reset();

  PowerLossReport report = power_loss();
  EXPECT_FALSE(contents(data("new")).has_value());
  EXPECT_EQ(contents(data("synced")), "");
  EXPECT_EQ(report.files_removed, 1u);
  EXPECT_EQ(report.files_restored, 1u);
}

TEST_F(PowerLossTest, SyncedFileStays) {
  auto file = must(env_.open(data("f"), true));
  must(file->write_at(0, std::string_view("durable")));
  must(file->sync());
  file.reset();
  PowerLossReport report = power_loss();
  EXPECT_EQ(contents(data("f")), "durable");
  EXPECT_EQ(report.files_restored + report.files_removed, 0u);
}

TEST_F(PowerLossTest, RemoveIsDurable) {
  const std::string path = data("f");
  auto file = must(env_.open(path, true));
  must(file->write_at(0, std::string_view("synced")));
  must(file->sync());
  must(file->write_at(0, std::string_view("unsynced, then removed")));
  file.reset();
  EXPECT_TRUE(must(env_.remove(path)));
  EXPECT_FALSE(must(env_.remove(path)));
  // A new, unsynced file of the same name goes too, and does not bring the
  // removed one back.
  auto again = must(env_.open(path, true));
  must(again->write_at(0, std::string_view("new")));
  again.reset();
  PowerLossReport report = power_loss();
  EXPECT_FALSE(contents(path).has_value());
  EXPECT_EQ(report.files_restored, 0u);
  EXPECT_EQ(report.files_removed, 1u);
}

TEST_F(PowerLossTest, WriteFileDurablyKeepsTheNewContents) {
  const std::string path = data("state");
  must(env_.write_file_durably(path, "first"));
  must(env_.write_file_durably(path, "second"));
  EXPECT_FALSE(contents(path + ".tmp").has_value());
  // Unsynced changes after it are lost; the durably written contents stay.
  auto file = must(env_.open(path, false));
  ASSERT_NE(file, nullptr);
  must(file->write_at(0, std::string_view("garbage!!")));
  file.reset();
  power_loss();
  EXPECT_EQ(contents(path), "second");
}

TEST_F(PowerLossTest, BootIdChangesAcrossPowerLoss) {
  std::string before = must(env_.boot_id());
  EXPECT_FALSE(before.empty());
  EXPECT_EQ(must(env_.boot_id()), before);
  EXPECT_EQ(must(PowerLossEnv(model()).boot_id()), before);
  power_loss();
  std::string after = must(env_.boot_id());
  EXPECT_FALSE(after.empty());
  EXPECT_NE(after, before);
}

// Replays a seeded random sequence against a reference that keeps, per file,
// what it holds now and what it held at its last sync.
TEST_F(PowerLossTest, RandomChangesMatchAReference) {
  struct Model {
    std::optional<std::string> now, durable;
    std::unique_ptr<File> file;
  };
  std::map<std::string, Model> files;
  for (int i = 0; i < 3; ++i) files[data("r" + std::to_string(i))];
  std::mt19937_64 rng(20261207);
  auto pick = [&](uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng); };

  for (int round = 0; round < 3; ++round) {
    for (int step = 0; step < 600; ++step) {
      auto it = files.begin();
      std::advance(it, pick(files.size()));
      const std::string& path = it->first;
      Model& m = it->second;
      if (!m.file) {
        m.file = must(env_.open(path, true));
        if (!m.now) m.now = "";
      }
      std::string& now = *m.now;
      switch (pick(10)) {
        case 0: case 1: case 2: case 3: {
          uint64_t offset = pick(20000), len = 1 + pick(3000);
          std::string bytes(len, '\0');
          for (char& c : bytes) c = static_cast<char>('a' + pick(26));
          must(m.file->write_at(offset, bytes));
          if (now.size() < offset + len) now.resize(offset + len, '\0');
          now.replace(offset, len, bytes);
          break;
        }
        case 4: case 5: {
          uint64_t size = pick(24000);
          must(m.file->truncate(size));
          now.resize(size, '\0');
          break;
        }
        case 6:
          must(m.file->sync());
          m.durable = m.now;
          break;
        case 7:
          must(env_.sync_path(path));
          m.durable = m.now;
          break;
        case 8:
          m.file.reset();  // reopened by the next step on it
          break;
        case 9:
          if (pick(3) == 0) {
            m.file.reset();
            EXPECT_TRUE(must(env_.remove(path)));
            m.now.reset();
            m.durable.reset();
          }
          break;
      }
      ASSERT_EQ(contents(path), m.now) << "round " << round << " step " << step;
    }
    for (auto& [path, m] : files) m.file.reset();
    power_loss();
    for (auto& [path, m] : files) {
      EXPECT_EQ(contents(path), m.durable) << path << " after round " << round;
      m.now = m.durable;
    }
  }
}

TEST_F(PowerLossTest, SyncPathFromAnotherThreadInASequence) {
  const std::string path = data("wal");
  auto file = must(env_.open(path, true));
  std::binary_semaphore go(0), done(0);
  std::atomic<bool> stop = false;
  std::thread syncer([&] {
    for (;;) {
      go.acquire();
      if (stop) return;
      must(env_.sync_path(path));
      done.release();
    }
  });
  std::string expected;
  for (int i = 0; i < 30; ++i) {
    std::string record = fmt::format("{:03d},", i);
    must(file->write_at(static_cast<uint64_t>(i) * 4, record));
    if (i % 7 == 3) {
      go.release();  // the group-commit thread syncs while the writer waits
      done.acquire();
      expected = *contents(path);
    }
  }
  stop = true;
  go.release();
  syncer.join();
  file.reset();
  ASSERT_EQ(expected.size(), 4u * 25);  // last sync after i = 24
  power_loss();
  EXPECT_EQ(contents(path), expected);
}

// "Record + write" and "fsync + forget" of one path must not interleave: a
// write between the fsync and the forget would lose its undo. Both hold the
// path's lock, which the VFS shares; while a test holds it, neither finishes.
TEST_F(PowerLossTest, SyncAndWriteWaitForThePathLock) {
  const std::string path = data("locked");
  auto file = must(env_.open(path, true));
  for (int op = 0; op < 3; ++op) {
    SCOPED_TRACE(op);
    std::atomic<bool> finished = false;
    auto lock = UndoRecorder::lock(path);
    std::thread other([&] {
      if (op == 0) must(env_.sync_path(path));
      if (op == 1) must(file->sync());
      if (op == 2) must(file->write_at(0, std::string_view("x")));
      finished = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_FALSE(finished);
    lock.unlock();
    other.join();
    EXPECT_TRUE(finished);
  }
}

// Writer and syncer race; each write appends a record and bumps a header.
// The restored file must be the file as it was at some instant during the
// last sync: nothing synced undone, nothing unsynced kept. (A check of the
// whole across threads; the narrow window the path lock closes is covered by
// SyncAndWriteWaitForThePathLock.)
TEST_F(PowerLossTest, SyncPathRacingWritesKeepsExactlyTheSyncedState) {
  const std::string path = data("log");
  auto file = must(env_.open(path, true));
  auto put = [&](uint64_t offset, uint64_t value) {
    must(file->write_at(offset, std::span<const char>(reinterpret_cast<const char*>(&value), 8)));
  };
  put(0, 0);
  must(file->sync());
  std::atomic<uint64_t> published = 0;
  std::atomic<bool> stop = false;
  uint64_t before = 0, after = 0;
  std::thread syncer([&] {
    while (!stop) {
      uint64_t b = published;
      must(env_.sync_path(path));
      before = b;
      after = published;
    }
  });
  const uint64_t kWrites = 3000;
  for (uint64_t v = 1; v <= kWrites; ++v) {
    put(8 * v, v);
    put(0, v);
    published = v;
  }
  stop = true;
  syncer.join();
  for (uint64_t v = kWrites + 1; v <= kWrites + 10; ++v) put(8 * v, v);  // surely unsynced
  file.reset();

  power_loss();
  std::string bytes = *contents(path);
  ASSERT_EQ(bytes.size() % 8, 0u);
  uint64_t last = bytes.size() / 8 - 1;
  EXPECT_GE(last, before);
  EXPECT_LE(last, after + 1);
  std::vector<uint64_t> values(bytes.size() / 8);
  std::memcpy(values.data(), bytes.data(), bytes.size());
  // A sync between a step's two writes leaves the header one behind.
  EXPECT_TRUE(values[0] == last || values[0] + 1 == last) << values[0] << " vs " << last;
  for (uint64_t i = 1; i <= last; ++i) ASSERT_EQ(values[i], i);
}

// A process killed while appending an undo record leaves it torn; the change
// it preceded was never made. Torn bytes at the end are ignored; torn bytes
// followed by records of a later process are skipped.
TEST_F(PowerLossTest, TornUndoRecordsAreIgnored) {
  for (size_t cut : {5, 39, 41, 200}) {
    SCOPED_TRACE(cut);
    const std::string path = data("f" + std::to_string(cut));
    auto file = must(env_.open(path, true));
    must(file->write_at(0, std::string_view("AAAA")));
    must(file->sync());
    must(file->write_at(0, std::string_view("BBBB")));
    auto logs = must(list_undo_logs(model()));
    ASSERT_EQ(logs.size(), 1u);
    const std::string log = logs[0];
    std::string whole = *contents(log);
    // The torn record: a prefix of the last record (header 40 bytes + the 4 old bytes).
    std::string last = whole.substr(whole.size() - 44);
    last.resize(std::min<size_t>(cut, 43));
    {
      std::ofstream out(log, std::ios::binary | std::ios::app);
      out << last;
    }
    if (cut >= 41) {
      // A later process goes on changing the file after the torn record.
      must(file->write_at(2, std::string_view("CCCCCC")));
    }
    file.reset();
    UndoLog parsed = must(read_undo_log(log));
    EXPECT_EQ(parsed.path, path);
    EXPECT_EQ(parsed.changes.size(), cut >= 41 ? 2u : 1u);
    EXPECT_GT(parsed.torn_bytes, 0u);
    power_loss();
    EXPECT_EQ(contents(path), "AAAA");
  }
}

// ---------------------------------------------------------------- crash points

TEST_F(PowerLossTest, CrashAfterKillsBeforeTheNthChange) {
  // Calls counted in this process before the fork do not count in the child.
  ::setenv("COMBFS_CRASH_AFTER", "1000000", 1);
  auto scratch = must(env_.open(data("scratch"), true));
  for (int i = 0; i < 5; ++i) must(scratch->write_at(0, std::string_view("s")));
  ::unsetenv("COMBFS_CRASH_AFTER");
  for (int n : {2, 4}) {
    SCOPED_TRACE(n);
    const std::string path = data("c" + std::to_string(n));
    const std::string err = data("stderr" + std::to_string(n));
    int status = in_child([&] {
      int fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, 2);
      ::setenv("COMBFS_CRASH_AFTER", std::to_string(n).c_str(), 1);
      PowerLossEnv env(model());
      auto file = env.open(path, true);                               // 1
      if (!file) return 10;
      if (!(*file)->write_at(0, std::string_view("A"))) return 11;   // 2
      if (!(*file)->sync()) return 12;                                // 3
      if (!(*file)->write_at(0, std::string_view("B"))) return 13;   // 4
      return 0;
    });
    ASSERT_TRUE(killed(status)) << "child exited with " << WEXITSTATUS(status);
    std::string line = contents(err).value_or("");
    EXPECT_NE(line.find(fmt::format("COMBFS_CRASH_AFTER={} reached at write {}", n, path)), std::string::npos)
        << line;
    // The N-th call was not made.
    EXPECT_EQ(contents(path), n == 2 ? "" : "A");
    power_loss();
    EXPECT_EQ(contents(path), n == 2 ? std::nullopt : std::optional<std::string>("A"));
  }
}

TEST(EnvGet, ChoosesTheModelByVariable) {
  TempDir dir;
  const std::string model = dir.path() + "/model/sub";
  int status = in_child([&] {
    ::setenv("COMBFS_POWERLOSS_DIR", model.c_str(), 1);
    auto* env = dynamic_cast<PowerLossEnv*>(&Env::get());
    if (env == nullptr) return 10;
    if (env->dir() != model) return 11;
    if (&Env::get() != env) return 12;
    return fs::is_directory(model) ? 0 : 13;
  });
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  status = in_child([&] {
    ::unsetenv("COMBFS_POWERLOSS_DIR");
    if (dynamic_cast<PosixEnv*>(&Env::get()) == nullptr) return 10;
    // The plain Env leaves SQLite alone.
    if (!install_sqlite_vfs()) return 11;
    return std::string(sqlite3_vfs_find(nullptr)->zName) == "unix" ? 0 : 12;
  });
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

// ---------------------------------------------------------------- SQLite VFS

bool exec(sqlite3* db, const std::string& sql) {
  return sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK;
}

std::string query(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) return "<error>";
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    if (!out.empty()) out += ",";
    const unsigned char* text = sqlite3_column_text(stmt, 0);
    out += text ? reinterpret_cast<const char*>(text) : "NULL";
  }
  sqlite3_finalize(stmt);
  return out;
}

// Opens `path` the way the daemons do: WAL, exclusive locking (no -shm), FULL.
sqlite3* open_db(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    return nullptr;
  }
  if (query(db, "PRAGMA locking_mode=EXCLUSIVE") != "exclusive" || !exec(db, "PRAGMA synchronous=FULL") ||
      query(db, "PRAGMA journal_mode=WAL") != "wal" ||
      !exec(db, "CREATE TABLE IF NOT EXISTS t(id INTEGER PRIMARY KEY, v TEXT)")) {
    return nullptr;
  }
  return db;
}

// The rows' ids as "1,2,3", read with the plain VFS after the power loss.
std::string ids_after(const std::string& path, std::string* integrity) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return "<cannot open>";
  }
  if (integrity) *integrity = query(db, "PRAGMA integrity_check");
  // No table: its creation was never synced; as good as an empty table.
  bool has_table = query(db, "SELECT count(*) FROM sqlite_master WHERE name = 't'") == "1";
  std::string ids = has_table ? query(db, "SELECT id FROM t ORDER BY id") : "";
  sqlite3_close(db);
  return ids;
}

std::string range(int first, int last) {
  std::string out;
  for (int i = first; i <= last; ++i) out += (out.empty() ? "" : ",") + std::to_string(i);
  return out;
}

class SqliteVfsTest : public PowerLossTest {
 protected:
  // In the child: the power-loss Env and its VFS, as a daemon gets them.
  int install() {
    ::setenv("COMBFS_POWERLOSS_DIR", model().c_str(), 1);
    if (!install_sqlite_vfs()) return 20;
    if (std::string(sqlite3_vfs_find(nullptr)->zName) != "combfs-powerloss") return 21;
    return 0;
  }
  std::string db_path() const { return data("meta.db"); }
};

TEST_F(SqliteVfsTest, FullCommitsSurviveAndOffCommitsDoNot) {
  const int kFull = 20;
  int status = in_child([&] {
    if (int rc = install()) return rc;
    sqlite3* db = open_db(db_path());
    if (db == nullptr) return 22;
    for (int i = 1; i <= kFull; ++i)
      if (!exec(db, fmt::format("INSERT INTO t VALUES({}, 'full')", i))) return 23;
    if (!exec(db, "PRAGMA synchronous=OFF")) return 24;
    for (int i = kFull + 1; i <= 2 * kFull; ++i)
      if (!exec(db, fmt::format("INSERT INTO t VALUES({}, '{}')", i, std::string(3000, 'x')))) return 25;
    ::raise(SIGKILL);  // no close, no checkpoint
    return 26;
  });
  ASSERT_TRUE(killed(status)) << "child exited with " << WEXITSTATUS(status);

  // Control: a mere kill of the process keeps the OFF commits (page cache).
  const std::string copy = data("copy.db");
  fs::copy_file(db_path(), copy);
  fs::copy_file(db_path() + "-wal", copy + "-wal");
  EXPECT_FALSE(fs::exists(db_path() + "-shm"));
  EXPECT_EQ(ids_after(copy, nullptr), range(1, 2 * kFull));

  PowerLossReport report = power_loss();
  EXPECT_GE(report.files_restored, 1u);  // the WAL
  EXPECT_EQ(report.files_removed, 0u);   // the db and the WAL were synced
  std::string integrity;
  EXPECT_EQ(ids_after(db_path(), &integrity), range(1, kFull));
  EXPECT_EQ(integrity, "ok");
}

TEST_F(SqliteVfsTest, NeverSyncedDatabaseDisappears) {
  int status = in_child([&] {
    if (int rc = install()) return rc;
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(db_path().c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK)
      return 22;
    if (!exec(db, "PRAGMA synchronous=OFF") || query(db, "PRAGMA locking_mode=EXCLUSIVE") != "exclusive" ||
        query(db, "PRAGMA journal_mode=WAL") != "wal" || !exec(db, "CREATE TABLE t(id INTEGER PRIMARY KEY)") ||
        !exec(db, "INSERT INTO t VALUES(1)"))
      return 23;
    ::raise(SIGKILL);
    return 24;
  });
  ASSERT_TRUE(killed(status)) << "child exited with " << WEXITSTATUS(status);
  ASSERT_TRUE(fs::exists(db_path()));
  ASSERT_TRUE(fs::exists(db_path() + "-wal"));
  PowerLossReport report = power_loss();
  EXPECT_FALSE(fs::exists(db_path()));
  EXPECT_FALSE(fs::exists(db_path() + "-wal"));
  EXPECT_EQ(report.files_removed, 2u);
}

TEST_F(SqliteVfsTest, CleanCloseLeavesNothingToUndo) {
  int status = in_child([&] {
    if (int rc = install()) return rc;
    sqlite3* db = open_db(db_path());
    if (db == nullptr) return 22;
    for (int i = 1; i <= 5; ++i)
      if (!exec(db, fmt::format("INSERT INTO t VALUES({}, 'v')", i))) return 23;
    // Closing checkpoints the WAL into the db, syncs it and deletes the WAL.
    return sqlite3_close(db) == SQLITE_OK ? 0 : 24;
  });
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_FALSE(fs::exists(db_path() + "-wal"));
  EXPECT_TRUE(must(list_undo_logs(model())).empty());
  PowerLossReport report = power_loss();
  EXPECT_EQ(report.files_restored + report.files_removed, 0u);
  EXPECT_EQ(ids_after(db_path(), nullptr), range(1, 5));
}

// Kills the child at the N-th VFS call for several N; each time the database
// must open intact with every acknowledged commit and nothing after the next.
TEST_F(SqliteVfsTest, CrashAtEveryFewCallsKeepsAcknowledgedCommits) {
  for (int n : {1, 3, 8, 17, 40, 97, 150}) {
    SCOPED_TRACE(n);
    fs::remove_all(model());
    for (const char* suffix : {"", "-wal", "-journal"}) fs::remove(db_path() + suffix);
    int pipe_fds[2];
    ASSERT_EQ(::pipe(pipe_fds), 0);
    int status = in_child([&] {
      ::close(pipe_fds[0]);
      int devnull = ::open("/dev/null", O_WRONLY);
      ::dup2(devnull, 2);
      if (int rc = install()) return rc;
      ::setenv("COMBFS_CRASH_AFTER", std::to_string(n).c_str(), 1);
      sqlite3* db = open_db(db_path());
      if (db == nullptr) return 22;
      for (int i = 1; i <= 200; ++i) {
        if (!exec(db, fmt::format("INSERT INTO t VALUES({}, '{}')", i, std::string(i * 37 % 5000, 'y')))) return 23;
        if (::write(pipe_fds[1], &i, sizeof(i)) != sizeof(i)) return 24;
      }
      return 25;
    });
    ::close(pipe_fds[1]);
    int acked = 0, i = 0;
    while (::read(pipe_fds[0], &i, sizeof(i)) == sizeof(i)) acked = i;
    ::close(pipe_fds[0]);
    ASSERT_TRUE(killed(status)) << "child exited with " << WEXITSTATUS(status);

    power_loss();
    if (!fs::exists(db_path())) {
      EXPECT_EQ(acked, 0);  // killed before the database was first synced
      continue;
    }
    std::string integrity;
    std::string ids = ids_after(db_path(), &integrity);
    EXPECT_EQ(integrity, "ok");
    // The commit in flight may have reached its sync before the kill.
    EXPECT_TRUE(ids == range(1, acked) || ids == range(1, acked + 1)) << "acked " << acked << ": " << ids;
  }
}

}  // namespace
}  // namespace combfs::env
