#include "tests/integration/meta_test_util.h"

#include <sqlite3.h>
#include <sys/xattr.h>

namespace combfs::test {

client::EntryInfoXattr entry_of(const std::string& path) {
  std::string value(4096, '\0');
  ssize_t n = lgetxattr(path.c_str(), client::kEntryInfoXattr, value.data(), value.size());
  if (n < 0) return {};
  value.resize(static_cast<size_t>(n));
  auto parsed = client::parse_entryinfo(value);
  return parsed ? *parsed : client::EntryInfoXattr{};
}

uint32_t node_id_of(const TestCluster& cluster, const std::string& name) {
  const std::string text = cluster.log_text(name);
  const std::string marker = " as node ";
  auto at = text.find(marker);
  return at == std::string::npos ? 0 : static_cast<uint32_t>(std::stoul(text.substr(at + marker.size())));
}

std::string metad_with_node(const TestCluster& cluster, int metads, uint32_t node) {
  for (int m = 0; m < metads; ++m)
    if (node_id_of(cluster, TestCluster::metad_name(m)) == node) return TestCluster::metad_name(m);
  return "";
}

std::string run_sql(const TestCluster& cluster, const std::string& name, const std::string& sql) {
  sqlite3* db = nullptr;
  const std::string path = cluster.dir() + "/" + name + "/meta.db";
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    std::string err = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return "cannot open " + path + ": " + err;
  }
  char* msg = nullptr;
  std::string err;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) err = msg ? msg : "unknown error";
  sqlite3_free(msg);
  sqlite3_close(db);
  return err;
}

}  // namespace combfs::test
