// `swarmcopy publish` as a user runs it on an origin: FILE.torrent appears beside FILE, says
// what the file is, and bad input gets a clear answer.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "nginx/test_files.h"
#include "process/child_process.h"
#include "swarmcopy/peer/metainfo.h"
#include "test_dir/test_dir.h"

namespace swarmcopy::test {
namespace {

TEST(CliPublishTest, WritesMetainfoBesideEachFile) {
  TestDir dir;
  ASSERT_TRUE(write_test_file(dir.path() / "a.bin", 3 << 20, 1));
  ASSERT_TRUE(write_test_file(dir.path() / "b.bin", 1000, 2));
  const auto result = run_child({SWARMCOPY_CLI_PATH, "publish", dir / "a.bin", dir / "b.bin",
                                 "--piece-size", "1M", "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::istringstream lines(result.out);
  std::string line;
  std::vector<nlohmann::json> printed;
  while (std::getline(lines, line)) printed.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(printed.size(), 2u);
  EXPECT_EQ(printed[0]["size"], 3u << 20);
  EXPECT_EQ(printed[0]["pieces"], 3);
  EXPECT_EQ(printed[0]["piece_size"], 1 << 20);
  EXPECT_EQ(printed[0]["metainfo"], (dir / "a.bin.torrent").string());
  // What was written is what libtorrent reads back, with the printed identity.
  std::ifstream in(dir.path() / "a.bin.torrent", std::ios::binary);
  const std::vector<char> bytes(std::istreambuf_iterator<char>(in), {});
  auto meta = peer::parse_metainfo(bytes, "a.bin.torrent");
  ASSERT_TRUE(meta) << meta.error().describe();
  EXPECT_EQ(meta->info_hash_v2, printed[0]["info_hash_v2"]);
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "b.bin.torrent"));
}

TEST(CliPublishTest, ABadPieceSizeIsAUsageError) {
  TestDir dir;
  ASSERT_TRUE(write_test_file(dir.path() / "a.bin", 1000, 1));
  const auto result =
      run_child({SWARMCOPY_CLI_PATH, "publish", dir / "a.bin", "--piece-size", "3000"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("power of two"), std::string::npos) << result.err;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "a.bin.torrent"));
  const auto missing = run_child({SWARMCOPY_CLI_PATH, "publish", dir / "nope.bin"});
  EXPECT_EQ(missing.exit_code, 1) << missing.err;
}

}  // namespace
}  // namespace swarmcopy::test
