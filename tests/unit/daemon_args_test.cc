// parse_daemon_args: config file below the command line, and mistakes in the
// file reported with the file, the key and what is allowed.
#include "common/daemon_args.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace combfs {
namespace {

class DaemonArgsTest : public testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/daemon-args-test.XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    file_ = std::string(dir) + "/stored.toml";
    app_.set_config("--config", "", "config file");
    app_.add_option("--port", port_)->check(CLI::Range(0, 65535));
    app_.add_option("--mgmtd", mgmtd_);
    app_.add_option("--log-level", level_)->check(CLI::IsMember({"info", "debug"}));
  }
  void TearDown() override {
    std::remove(file_.c_str());
    rmdir(file_.substr(0, file_.rfind('/')).c_str());
  }

  void write_config(const std::string& text) { std::ofstream(file_) << text; }

  // Parses `args` after the program name; the exit code, or -1 to go on. `err`: what it printed.
  int parse(std::vector<std::string> args, std::string* err = nullptr) {
    args.insert(args.begin(), "combfs-stored");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    testing::internal::CaptureStderr();
    auto code = parse_daemon_args(app_, static_cast<int>(argv.size()), argv.data());
    std::string printed = testing::internal::GetCapturedStderr();
    if (err) *err = printed;
    return code ? *code : -1;
  }

  CLI::App app_{"test daemon"};
  std::string file_, mgmtd_, level_ = "info";
  int port_ = 8003;
};

TEST_F(DaemonArgsTest, TheCommandLineWinsOverTheFile) {
  write_config("port = 9000\nmgmtd = \"mgmt01:8008\"\n");
  ASSERT_EQ(parse({"--config", file_, "--port", "9100"}), -1);
  EXPECT_EQ(port_, 9100);
  EXPECT_EQ(mgmtd_, "mgmt01:8008");
}

TEST_F(DaemonArgsTest, AnUnknownKeyNamesTheFileAndTheKeys) {
  write_config("port = 9000\nmgmt = \"mgmt01\"\n");
  std::string err;
  EXPECT_NE(parse({"--config", file_}, &err), 0);
  EXPECT_NE(err.find(file_ + ": unknown key 'mgmt'"), std::string::npos) << err;
  EXPECT_NE(err.find("the keys are: port, mgmtd, log-level"), std::string::npos) << err;
}

TEST_F(DaemonArgsTest, ABadValueInTheFileNamesTheFileKeyAndWhatIsAllowed) {
  write_config("port = 70000\n");
  std::string err;
  EXPECT_NE(parse({"--config", file_}, &err), 0);
  EXPECT_NE(err.find(file_ + ": key 'port':"), std::string::npos) << err;
  EXPECT_NE(err.find("65535"), std::string::npos) << err;

  write_config("log-level = \"loud\"\n");
  EXPECT_NE(parse({"--config", file_}, &err), 0);
  EXPECT_NE(err.find(file_ + ": key 'log-level':"), std::string::npos) << err;
  EXPECT_NE(err.find("debug"), std::string::npos) << "the allowed values are not named: " << err;
}

TEST_F(DaemonArgsTest, ABadValueOnTheCommandLineIsNotBlamedOnTheFile) {
  write_config("mgmtd = \"mgmt01\"\n");
  std::string err;
  EXPECT_NE(parse({"--config", file_, "--port", "70000"}, &err), 0);
  EXPECT_EQ(err.find(file_), std::string::npos) << err;
  EXPECT_NE(err.find("--port"), std::string::npos) << err;
}

TEST_F(DaemonArgsTest, HelpExitsWithZero) {
  EXPECT_EQ(parse({"--help"}), 0);
}

}  // namespace
}  // namespace combfs
