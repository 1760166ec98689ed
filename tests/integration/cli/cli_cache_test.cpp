// `swarmcopy cache` on a real state directory: what `get --sha256` keeps, a repeat download
// under another URL served from it (zero origin bytes), clear, and a directory in use.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "nginx/nginx_server.h"
#include "nginx/test_files.h"
#include "process/child_process.h"
#include "swarmcopy/engine/local_manager.h"
#include "test_dir/test_dir.h"

namespace swarmcopy::test {
namespace {

namespace fs = std::filesystem;

class CliCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sha = write_test_file(docroot_.path() / "a.bin", 2 << 20, 3);
    ASSERT_TRUE(sha);
    sha_ = *sha;
    fs::create_directory(docroot_.path() / "mirror");
    fs::copy_file(docroot_.path() / "a.bin", docroot_.path() / "mirror" / "same.bin");
    NginxOptions options;
    options.docroot = docroot_.path();
    auto server = NginxServer::start(options);
    ASSERT_TRUE(server) << server.error();
    nginx_ = std::move(*server);
  }

  ChildResult cli(std::vector<std::string> args) {
    args.insert(args.begin(), SWARMCOPY_CLI_PATH);
    args.push_back("--home");
    args.push_back(home_.path().string());
    return run_child(args);
  }

  nlohmann::json json_of(const ChildResult& result) {
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return nlohmann::json::parse(result.out, nullptr, false);
  }

  TestDir docroot_, home_, out_;
  std::string sha_;
  std::unique_ptr<NginxServer> nginx_;
};

TEST_F(CliCacheTest, WhatGetVerifiedIsListedServedAgainAndCleared) {
  auto first = json_of(
      cli({"get", nginx_->url("a.bin"), "-o", out_ / "a.bin", "--sha256", sha_, "--json", "-q"}));
  EXPECT_EQ(first["from_origin"], 2 << 20);

  auto list = json_of(cli({"cache", "list", "--json"}));
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["key"], "sha256-" + sha_);
  EXPECT_EQ(list[0]["bytes"], 2 << 20);
  EXPECT_EQ(json_of(cli({"cache", "stats", "--json"}))["items"], 1);

  // The same bytes under another URL: from the cache, the origin not asked.
  auto second = json_of(cli({"get", nginx_->url("mirror/same.bin"), "-o", out_ / "b.bin",
                             "--sha256", sha_, "--json", "-q"}));
  EXPECT_EQ(second["from_cache"], 2 << 20);
  EXPECT_EQ(second["from_origin"], 0);
  EXPECT_EQ(nginx_->body_bytes_sent("/mirror/same.bin"), 0u);
  EXPECT_EQ(sha256_file(out_ / "b.bin").value_or(""), sha_);

  auto cleared = json_of(cli({"cache", "clear", "--json"}));
  EXPECT_EQ(cleared["freed_bytes"], 2 << 20);
  EXPECT_EQ(cleared["items"], 0);
  EXPECT_TRUE(json_of(cli({"cache", "list", "--json"})).empty());
}

TEST_F(CliCacheTest, ADirectoryAnEngineHoldsIsAClearError) {
  auto engine = engine::open_local(home_.path());
  ASSERT_TRUE(engine);
  const auto result = cli({"cache", "stats"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("in use"), std::string::npos) << result.err;
  EXPECT_EQ(result.err.find('\n'), result.err.size() - 1);  // one line
}

TEST_F(CliCacheTest, VerbHelpListsTheOptionsItTakes) {
  for (const char* verb : {"list", "stats", "prune", "clear"}) {
    const auto help = run_child({SWARMCOPY_CLI_PATH, "cache", verb, "--help"});
    EXPECT_EQ(help.exit_code, 0) << help.err;
    for (const char* option : {"--json", "--home", "--daemon", "--socket", "-v"}) {
      EXPECT_NE(help.out.find(option), std::string::npos) << verb << " " << option << "\n"
                                                          << help.out;
    }
  }
}

TEST_F(CliCacheTest, OptionsMayComeBeforeOrAfterTheVerb) {
  const auto before = cli({"cache", "--json", "stats"});
  const auto after = cli({"cache", "stats", "--json"});
  ASSERT_EQ(before.exit_code, 0) << before.err;
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(json_of(before)["items"], 0);
  EXPECT_EQ(before.out, after.out);
}

}  // namespace
}  // namespace swarmcopy::test
