// swarmcopy-lab's live progress, from a small real lab (2 peers, 4 MiB) with stderr a pipe,
// as in a log file or CI: plain progress lines on stderr (at least the one each round ends
// with, however fast it went), never a carriage return or an escape sequence, the numbers of
// a complete round at the end; and with -q none at all. Asserts the lines' content, not when
// they came. Needs root and nginx (skips without them); every run is bounded and checked to
// leave nothing behind.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "lab_leftovers.h"
#include "swarmcopy/harness/privileges.h"
#include "swarmcopy/harness/run_command.h"

namespace swarmcopy::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kLab = SWARMCOPY_LAB_PATH;
constexpr const char* kCli = SWARMCOPY_CLI_PATH;

// The lines of `text` that are progress lines ("swarmcopy-lab: round 1/1 ..."; the note
// "swarmcopy-lab: round 1: 2 peers ..." is not one).
std::vector<std::string> progress_lines(const std::string& text) {
  static const std::regex kProgress(R"(^swarmcopy-lab: round \d+/\d+ )");
  std::vector<std::string> found;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (std::regex_search(line, kProgress)) found.push_back(line);
  }
  return found;
}

class LabProgressTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) {
      GTEST_SKIP() << "needs root: swarmcopy-lab builds network namespaces, veths and a bridge";
    }
    if (auto allowed = harness::check_privileges(); !allowed) {
      GTEST_SKIP() << allowed.error().message;
    }
    if (auto nginx = harness::find_program("nginx"); !nginx) {
      GTEST_SKIP() << "nginx is not installed: " << nginx.error().message;
    }
  }

  // `swarmcopy-lab run --peers 2 --size 4M --json ARGS...` with its stderr a pipe: its stderr,
  // after checking that it exited 0 and left nothing of its lab behind.
  std::string run_lab(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {kLab,     "run",       "--peers", "2",
                                     "--size", "4M",        "--json",  "--swarmcopy",
                                     kCli,     "--timeout", "60"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto ran = harness::run_command(argv, 180s);
    EXPECT_TRUE(ran.has_value()) << ran.error().message;
    if (!ran) return {};
    EXPECT_EQ(ran->exit_code, 0) << ran->err;
    auto report = json::parse(ran->out, nullptr, false);
    EXPECT_TRUE(report.is_object()) << ran->out << "\n" << ran->err;
    if (!report.is_object()) return ran->err;
    const std::string prefix = report.value("prefix", "");
    const std::string work_dir = report.value("work_dir", "");
    EXPECT_TRUE(prefix.starts_with("scl-")) << report.dump();
    if (prefix.starts_with("scl-")) {
      EXPECT_EQ(names_with(prefix), std::vector<std::string>{});
    }
    if (!work_dir.empty()) {
      EXPECT_EQ(processes_mentioning(work_dir), std::vector<std::string>{});
      EXPECT_FALSE(fs::exists(work_dir)) << work_dir;
    }
    return ran->err;
  }
};

TEST_F(LabProgressTest, PlainProgressLinesOnStderrWhenItIsNotATerminal) {
  const std::string err = run_lab({"--mode", "lan", "--origin-rate", "100mbit"});
  ASSERT_FALSE(HasFailure());
  EXPECT_EQ(err.find('\r'), std::string::npos) << "not a terminal: nothing redrawn\n" << err;
  EXPECT_EQ(err.find('\x1b'), std::string::npos) << "not a terminal: no escapes\n" << err;
  const auto lines = progress_lines(err);
  ASSERT_FALSE(lines.empty()) << err;
  const std::regex form(R"(swarmcopy-lab: round 1/1 lan: [0-2]/2 peers done, \d+\.\d% verified, )"
                        R"(origin \d+\.\d MB/s, \d+\.\d s \(ideal 0\.3 s\))");
  for (const auto& line : lines) EXPECT_TRUE(std::regex_match(line, form)) << line;
  // The round's last line: both peers have the whole file.
  EXPECT_TRUE(lines.back().starts_with(
      "swarmcopy-lab: round 1/1 lan: 2/2 peers done, 100.0% verified, origin "))
      << lines.back();
}

TEST_F(LabProgressTest, QuietPrintsNoProgress) {
  const std::string err = run_lab({"--mode", "lan", "-q"});
  ASSERT_FALSE(HasFailure());
  EXPECT_EQ(progress_lines(err), std::vector<std::string>{}) << err;
  EXPECT_EQ(err.find("peers done"), std::string::npos) << err;
}

// A sweep runs its cells through the same round loop: each cell's round ends with its line.
// (Shaped: the sweep's plot of last finish / ideal needs an ideal time.)
TEST_F(LabProgressTest, SweepShowsEachCellsProgress) {
  const fs::path report_dir =
      fs::temp_directory_path() / ("lab-progress-sweep-" + std::to_string(::getpid()));
  fs::remove_all(report_dir);
  auto ran = harness::run_command(
      {kLab, "sweep", "--peers", "1,2", "--modes", "curl", "--size", "4M", "--origin-rate",
       "100mbit", "--timeout", "60", "--report", report_dir.string()},
      180s);
  fs::remove_all(report_dir);
  ASSERT_TRUE(ran.has_value()) << ran.error().message;
  EXPECT_EQ(ran->exit_code, 0) << ran->err;
  const auto lines = progress_lines(ran->err);
  EXPECT_EQ(std::count_if(lines.begin(), lines.end(),
                          [](const std::string& line) {
                            return line.starts_with(
                                "swarmcopy-lab: round 1/1 curl: 1/1 peers done, 100.0% verified");
                          }),
            1)
      << ran->err;
  EXPECT_EQ(std::count_if(lines.begin(), lines.end(),
                          [](const std::string& line) {
                            return line.starts_with(
                                "swarmcopy-lab: round 1/1 curl: 2/2 peers done, 100.0% verified");
                          }),
            1)
      << ran->err;
}

}  // namespace
}  // namespace swarmcopy::test
