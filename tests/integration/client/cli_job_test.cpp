// The CLI's daemon commands end to end: the built `swarmcopy` as a child process against the
// real swarmcopyd and a real nginx, checked as a user or a script sees them: exit codes, the
// one error line, the --json objects, the files. Also daemon discovery: starting the user
// daemon on demand for `job`, never for `get --daemon`.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "daemon_test_env.h"
#include "process/child_process.h"
#include "swarmcopy/api/job_id.h"
#include "wait/wait_until.h"

namespace swarmcopy::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Env = std::vector<std::pair<std::string, std::string>>;

constexpr const char* kCli = SWARMCOPY_CLI_PATH;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find('\n', start);
    lines.push_back(text.substr(start, end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return lines;
}

std::string describe(const ChildResult& result) {
  return "exit " + std::to_string(result.exit_code) + (result.timed_out ? " (timed out)" : "") +
         "\n--- stdout:\n" + result.out + "\n--- stderr:\n" + result.err;
}

nlohmann::json json_of(const std::string& text) {
  return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

std::string regex_escape(const std::string& text) {
  return std::regex_replace(text, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)");
}

// The pid of the process listening at `socket` (SO_PEERCRED of a connection to it).
pid_t listener_pid(const fs::path& socket) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, socket.c_str(), sizeof address.sun_path - 1);
  pid_t pid = -1;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
    ucred credentials{};
    socklen_t size = sizeof credentials;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &size) == 0) pid = credentials.pid;
  }
  ::close(fd);
  return pid;
}

// A daemon the CLI started (so not our child but, as we are a subreaper, our orphan):
// killed and reaped when the guard dies.
class AdoptedDaemon {
 public:
  explicit AdoptedDaemon(pid_t pid) : pid_(pid) {}
  ~AdoptedDaemon() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    wait_until([this] { return ::waitpid(pid_, nullptr, WNOHANG) == pid_; }, 10s);
  }
  AdoptedDaemon(const AdoptedDaemon&) = delete;
  AdoptedDaemon& operator=(const AdoptedDaemon&) = delete;

 private:
  pid_t pid_;
};

class CliJobTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Daemons the CLI starts detach from it; as a subreaper we inherit and can reap them.
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  }

  // `swarmcopy ARGS` with the daemon found through $SWARMCOPY_SOCKET.
  ChildResult cli(std::vector<std::string> args, std::chrono::milliseconds timeout = 60s,
                  Env env = {}) {
    auto child = spawn(std::move(args), std::move(env));
    if (!child) return ChildResult{-1, false, "", "spawn failed"};
    return child->wait(timeout);
  }

  std::unique_ptr<ChildProcess> spawn(std::vector<std::string> args, Env env = {}) {
    args.insert(args.begin(), kCli);
    bool has_socket = false;
    for (const auto& [name, value] : env) has_socket |= name == "SWARMCOPY_SOCKET";
    if (!has_socket) env.emplace_back("SWARMCOPY_SOCKET", env_.socket().string());
    auto child = ChildProcess::spawn(args, {.cwd = env_.out(), .env = env});
    EXPECT_TRUE(child) << child.error();
    return child ? std::move(*child) : nullptr;
  }

  // `job create NAME` + `job add ID URL PATH`; returns the id.
  std::string new_job(const std::string& url, const fs::path& path, const std::string& name = "t") {
    const auto created = cli({"job", "create", name});
    EXPECT_EQ(created.exit_code, 0) << describe(created);
    const auto id = created.out.substr(0, created.out.find('\n'));
    const auto added = cli({"job", "add", id, url, path.string()});
    EXPECT_EQ(added.exit_code, 0) << describe(added);
    return id;
  }

  nlohmann::json show(const std::string& id) {
    const auto shown = cli({"job", "show", id, "--json"});
    EXPECT_EQ(shown.exit_code, 0) << describe(shown);
    return json_of(shown.out);
  }

  DaemonTestEnv env_;
};

class CliJobDaemonTest : public CliJobTest {
 protected:
  void SetUp() override {
    CliJobTest::SetUp();
    ASSERT_TRUE(env_.start_daemon());
  }
};

TEST_F(CliJobDaemonTest, CreateAddResumeWatchCompleteEndToEnd) {
  const auto sha = env_.serve("file.bin", (2 << 20) + 5);
  const auto path = env_.out() / "file.bin";

  const auto created = cli({"job", "create", "nightly"});
  ASSERT_EQ(created.exit_code, 0) << describe(created);
  ASSERT_EQ(lines_of(created.out).size(), 1u) << "the id alone on stdout";
  const auto id = lines_of(created.out)[0];
  ASSERT_TRUE(api::JobId::parse(id)) << id;

  const auto added =
      cli({"job", "add", id, env_.url("/file.bin"), path.string(), "--sha256", sha, "--json"});
  ASSERT_EQ(added.exit_code, 0) << describe(added);
  const auto job = json_of(added.out);
  EXPECT_EQ(job["id"], id);
  EXPECT_EQ(job["state"], "SUSPENDED");
  ASSERT_EQ(job["files"].size(), 1u);
  EXPECT_EQ(job["files"][0]["path"], path.string());
  EXPECT_EQ(job["files"][0]["sha256"], sha);

  const auto resumed = cli({"job", "resume", id, "--json"});
  ASSERT_EQ(resumed.exit_code, 0) << describe(resumed);
  EXPECT_NE(json_of(resumed.out)["state"], "SUSPENDED");

  const auto watched = cli({"job", "watch", id, "--json"});
  ASSERT_EQ(watched.exit_code, 0) << describe(watched);
  const auto lines = lines_of(watched.out);
  ASSERT_GE(lines.size(), 1u);
  for (const auto& line : lines) {
    const auto object = json_of(line);
    ASSERT_TRUE(object.is_object()) << "one object per line: " << line;
    EXPECT_EQ(object["id"], id);
  }
  EXPECT_EQ(json_of(lines.back())["state"], "TRANSFERRED");
  EXPECT_EQ(json_of(lines.back())["bytes_transferred"], (2 << 20) + 5);
  EXPECT_FALSE(fs::exists(path)) << "nothing at PATH before complete";

  const auto completed = cli({"job", "complete", id, "--json"});
  ASSERT_EQ(completed.exit_code, 0) << describe(completed);
  EXPECT_EQ(json_of(completed.out)["state"], "ACKNOWLEDGED");
  EXPECT_EQ(sha256_file(path).value_or(""), sha);

  const auto watched_again = cli({"job", "watch", id});
  EXPECT_EQ(watched_again.exit_code, 0) << "ACKNOWLEDGED is done too\n" << describe(watched_again);
}

// `job explain`: why the bytes came from where they came, kept with the job after it completes
// and through a restart of the daemon; an unknown job is an error like `show`'s.
TEST_F(CliJobDaemonTest, ExplainIsKeptAfterCompletionAndARestart) {
  constexpr std::uint64_t kBytes = (1 << 20) + 3;
  env_.serve("file.bin", kBytes);
  const auto path = env_.out() / "file.bin";
  const auto id = new_job(env_.url("/file.bin"), path);
  ASSERT_EQ(cli({"job", "resume", id}).exit_code, 0);
  ASSERT_EQ(cli({"job", "watch", id}).exit_code, 0);
  ASSERT_EQ(cli({"job", "complete", id}).exit_code, 0);
  const auto check = [&](const ChildResult& explained) {
    ASSERT_EQ(explained.exit_code, 0) << describe(explained);
    const auto json = json_of(explained.out);
    EXPECT_EQ(json["id"], id);
    ASSERT_EQ(json["files"].size(), 1u) << json.dump();
    const auto& file = json["files"][0];
    EXPECT_EQ(file["path"], path.string());
    EXPECT_EQ(file["from_origin"], kBytes);
    std::uint64_t asked = 0;
    for (const auto& request : file["origin_requests"]) {
      asked +=
          request["end_byte"].get<std::uint64_t>() - request["first_byte"].get<std::uint64_t>();
    }
    EXPECT_GE(asked, kBytes) << file.dump();
    EXPECT_NE(file["notes"].dump().find("no metadata at the origin"), std::string::npos)
        << file.dump();
  };
  check(cli({"job", "explain", id, "--json"}));
  env_.forget_daemon();
  ASSERT_TRUE(env_.start_daemon());
  check(cli({"job", "explain", id, "--json"}));
  const auto text = cli({"job", "explain", id});
  EXPECT_EQ(text.exit_code, 0) << describe(text);
  EXPECT_NE(text.out.find("decisions:"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("origin requests:"), std::string::npos) << text.out;
  const auto unknown = cli({"job", "explain", "ffffffff-ffff-4fff-8fff-ffffffffffff"});
  EXPECT_EQ(unknown.exit_code, 2) << describe(unknown);
}

TEST_F(CliJobDaemonTest, JobObjectCarriesTheContractFields) {
  env_.serve("file.bin", 1000);
  const auto id = new_job(env_.url("/file.bin"), env_.out() / "file.bin", "fields");

  const auto job = show(id);

  ASSERT_TRUE(job.is_object());
  EXPECT_EQ(job["id"], id);
  EXPECT_EQ(job["name"], "fields");
  EXPECT_EQ(job["state"], "SUSPENDED");
  EXPECT_EQ(job["priority"], "normal");
  EXPECT_TRUE(job["bytes_total"].is_null()) << "unknown until the origin told";
  EXPECT_EQ(job["bytes_transferred"], 0);
  EXPECT_TRUE(job["error"].is_null());
  ASSERT_TRUE(job["times"].is_object());
  EXPECT_TRUE(job["times"]["created"].is_string());
  EXPECT_TRUE(job["times"]["transferred"].is_null());
  ASSERT_EQ(job["files"].size(), 1u);
  for (const char* field : {"url", "path", "bytes_total", "bytes_transferred", "completed"}) {
    EXPECT_TRUE(job["files"][0].contains(field)) << field;
  }
  EXPECT_EQ(job["files"][0]["completed"], false);

  const auto text = cli({"job", "show", id});
  ASSERT_EQ(text.exit_code, 0) << describe(text);
  EXPECT_NE(text.out.find(id), std::string::npos);
  EXPECT_NE(text.out.find("SUSPENDED"), std::string::npos);
}

TEST_F(CliJobDaemonTest, ShowPrintsTheTypeBytesBySourceAndNoFilesForAnEmptyJob) {
  const auto created = cli({"job", "create", "empty"});
  ASSERT_EQ(created.exit_code, 0) << describe(created);
  const auto id = lines_of(created.out)[0];

  const auto empty = cli({"job", "show", id});
  ASSERT_EQ(empty.exit_code, 0) << describe(empty);
  EXPECT_NE(empty.out.find("no files"), std::string::npos) << empty.out;
  EXPECT_EQ(empty.out.find("100%"), std::string::npos) << "nothing is done\n" << empty.out;
  EXPECT_TRUE(std::regex_search(empty.out, std::regex("\n +type +DOWNLOAD\n"))) << empty.out;
  const auto listed = cli({"job", "list"});
  ASSERT_EQ(listed.exit_code, 0) << describe(listed);
  EXPECT_NE(listed.out.find("no files"), std::string::npos) << listed.out;

  env_.serve("file.bin", 1000);
  const auto added = cli({"job", "add", id, env_.url("/file.bin"), "file.bin"});
  ASSERT_EQ(added.exit_code, 0) << describe(added);
  ASSERT_EQ(cli({"job", "resume", id}).exit_code, 0);
  const auto watched = cli({"job", "watch", id});
  ASSERT_EQ(watched.exit_code, 0) << describe(watched);

  const auto done = cli({"job", "show", id});
  ASSERT_EQ(done.exit_code, 0) << describe(done);
  EXPECT_TRUE(std::regex_search(
      done.out, std::regex("\n +bytes by source +origin 1000 B, peers 0 B, cache 0 B\n")))
      << done.out;
  EXPECT_NE(done.out.find("1000 B / 1000 B (100%)"), std::string::npos) << done.out;
}

TEST_F(CliJobDaemonTest, SetChangesSettingsAndPrintsTheJob) {
  env_.serve("file.bin", 1000);
  const auto id = new_job(env_.url("/file.bin"), env_.out() / "file.bin");

  const auto set = cli({"job", "set", id, "--priority", "low", "--no-progress-timeout", "90",
                        "--notify", "transferred,modification", "--json"});

  ASSERT_EQ(set.exit_code, 0) << describe(set);
  const auto job = json_of(set.out);
  EXPECT_EQ(job["priority"], "low");
  EXPECT_EQ(job["no_progress_timeout"], 90);
  EXPECT_EQ(job["notify_flags"], 0x9);
  const auto hex = cli({"job", "set", id, "--notify", "0x13", "--json"});
  ASSERT_EQ(hex.exit_code, 0) << describe(hex);
  EXPECT_EQ(json_of(hex.out)["notify_flags"], 0x13);
}

// Every setting the daemon's PATCH takes, from `job set` in one commit, and from `job add`.
TEST_F(CliJobDaemonTest, SetAndAddChangeEverySettingOfTheJob) {
  env_.serve("file.bin", 1000);
  const auto id = new_job(env_.url("/file.bin"), env_.out() / "file.bin", "before");

  const auto set =
      cli({"job", "set", id, "--display-name", "after", "--description", "nightly mirror",
           "--min-retry-delay", "90s", "-H", "Authorization: Bearer s3cret", "--header",
           "X-Trace: 1", "--limit-rate", "1M", "--json"});
  ASSERT_EQ(set.exit_code, 0) << describe(set);
  auto job = json_of(set.out);
  EXPECT_EQ(job["name"], "after");
  EXPECT_EQ(job["description"], "nightly mirror");
  EXPECT_EQ(job["min_retry_delay_ms"], 90000);
  EXPECT_EQ(job["max_bytes_per_second"], 1 << 20);
  EXPECT_EQ(job["http_headers"], nlohmann::json({"Authorization: ***", "X-Trace: 1"}));
  EXPECT_EQ(set.out.find("s3cret"), std::string::npos);

  const auto shown = cli({"job", "show", id});
  ASSERT_EQ(shown.exit_code, 0) << describe(shown);
  EXPECT_TRUE(std::regex_search(shown.out, std::regex("\n +description +nightly mirror\n")))
      << shown.out;
  EXPECT_TRUE(std::regex_search(shown.out, std::regex("\n +min retry delay +90 s\n"))) << shown.out;
  EXPECT_TRUE(std::regex_search(shown.out, std::regex("\n +errors +0 transient\n"))) << shown.out;
  EXPECT_EQ(shown.out.find("s3cret"), std::string::npos);

  // One bad setting refuses them all.
  const auto refused = cli({"job", "set", id, "--description", "changed", "--display-name",
                            "bad\x1b]0;title\x07", "--json"});
  EXPECT_EQ(refused.exit_code, 2) << describe(refused);
  EXPECT_EQ(show(id)["description"], "nightly mirror");

  const auto cleared = cli({"job", "set", id, "--no-headers", "--limit-rate", "0", "--json"});
  ASSERT_EQ(cleared.exit_code, 0) << describe(cleared);
  EXPECT_EQ(json_of(cleared.out)["http_headers"], nlohmann::json::array());
  EXPECT_EQ(json_of(cleared.out)["max_bytes_per_second"], 0);

  env_.serve("second.bin", 10);
  const auto added =
      cli({"job", "add", id, env_.url("/second.bin"), "second.bin", "--description", "",
           "--priority", "high", "-H", "X-Added: yes", "--no-progress-timeout", "2h", "--json"});
  ASSERT_EQ(added.exit_code, 0) << describe(added);
  job = json_of(added.out);
  EXPECT_EQ(job["files_total"], 2);
  EXPECT_EQ(job["description"], "");
  EXPECT_EQ(job["priority"], "high");
  EXPECT_EQ(job["no_progress_timeout"], 7200);
  EXPECT_EQ(job["http_headers"], nlohmann::json({"X-Added: yes"}));

  const auto both = cli({"job", "set", id, "-H", "X: y", "--no-headers"});
  EXPECT_EQ(both.exit_code, 1) << describe(both);
}

// --proxy / --proxy-bypass (SetProxySettings) on set and add, masked in --json and `job show`.
TEST_F(CliJobDaemonTest, ProxyIsSetShownMaskedAndCheckedOnTheCommandLine) {
  env_.serve("file.bin", 1000);
  const auto id = new_job(env_.url("/file.bin"), env_.out() / "file.bin");
  EXPECT_EQ(show(id)["proxy"]["usage"], "system");

  const auto set = cli({"job", "set", id, "--proxy", "http://alice:s3cret@proxy.example:3128",
                        "--proxy-bypass", "localhost, .example.org,10.0.0.0/8", "--json"});
  ASSERT_EQ(set.exit_code, 0) << describe(set);
  EXPECT_EQ(set.out.find("s3cret"), std::string::npos) << set.out;
  auto job = json_of(set.out);
  EXPECT_EQ(job["proxy"]["usage"], "override");
  EXPECT_EQ(job["proxy"]["url"], "http://alice:***@proxy.example:3128");
  EXPECT_EQ(job["proxy"]["bypass"], nlohmann::json({"localhost", ".example.org", "10.0.0.0/8"}));

  const auto shown = cli({"job", "show", id});
  ASSERT_EQ(shown.exit_code, 0) << describe(shown);
  EXPECT_EQ(shown.out.find("s3cret"), std::string::npos) << shown.out;
  EXPECT_TRUE(std::regex_search(
      shown.out, std::regex("\n +proxy +http://alice:\\*\\*\\*@proxy\\.example:3128\n")))
      << shown.out;
  EXPECT_TRUE(std::regex_search(
      shown.out, std::regex("\n +proxy bypass +localhost, \\.example\\.org, 10\\.0\\.0\\.0/8\n")))
      << shown.out;

  // Usage errors: a list of proxies, an unknown scheme, a bypass list without --proxy.
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"job", "set", id, "--proxy", "http://a:1,http://b:2"},
        std::vector<std::string>{"job", "set", id, "--proxy", "ftp://proxy:21"},
        std::vector<std::string>{"job", "set", id, "--proxy-bypass", "localhost"},
        std::vector<std::string>{"job", "set", id, "--proxy", "http://p:1", "--proxy-bypass",
                                 "a b"}}) {
    const auto refused = cli(args);
    EXPECT_EQ(refused.exit_code, 1) << describe(refused);
  }
  // none takes no bypass list: the engine refuses it, and nothing changes.
  const auto none_bypass = cli({"job", "set", id, "--proxy", "none", "--proxy-bypass", "x"});
  EXPECT_EQ(none_bypass.exit_code, 2) << describe(none_bypass);
  EXPECT_EQ(show(id)["proxy"]["usage"], "override");

  env_.serve("second.bin", 10);
  const auto added =
      cli({"job", "add", id, env_.url("/second.bin"), "second.bin", "--proxy", "none", "--json"});
  ASSERT_EQ(added.exit_code, 0) << describe(added);
  EXPECT_EQ(json_of(added.out)["proxy"],
            nlohmann::json::parse(R"({"usage":"none","url":"","bypass":[]})"));
  EXPECT_TRUE(std::regex_search(cli({"job", "show", id}).out, std::regex("\n +proxy +none\n")));
}

// --notify-cmd through the daemon: set as argv (no shell), run when the job is TRANSFERRED,
// its exit status in the job object and `job show`; --no-notify-cmd removes it.
TEST_F(CliJobDaemonTest, NotifyCmdRunsWhenTheJobIsTransferredAndShowsItsStatus) {
  env_.serve("file.bin", 1000);
  const auto id = new_job(env_.url("/file.bin"), env_.out() / "file.bin");
  const auto set =
      cli({"job", "set", id, "--notify-cmd", "/bin/sh", "--notify-arg=-c", "--notify-arg",
           "test \"$SWARMCOPY_JOB_STATE\" = TRANSFERRED && exit 4", "--json"});
  ASSERT_EQ(set.exit_code, 0) << describe(set);
  EXPECT_EQ(
      json_of(set.out)["notify_cmd"],
      nlohmann::json({"/bin/sh", "-c", "test \"$SWARMCOPY_JOB_STATE\" = TRANSFERRED && exit 4"}));
  EXPECT_TRUE(json_of(set.out)["notify_cmd_status"].is_null());
  ASSERT_EQ(cli({"job", "resume", id}).exit_code, 0);
  ASSERT_EQ(cli({"job", "watch", id, "--quiet"}).exit_code, 0);
  nlohmann::json job;
  EXPECT_TRUE(wait_until(
      [&] {
        job = show(id);
        return !job["notify_cmd_status"].is_null();
      },
      30s));
  EXPECT_EQ(job["notify_cmd_status"], 4) << job.dump();
  const auto shown = cli({"job", "show", id});
  EXPECT_TRUE(std::regex_search(shown.out, std::regex("\n +notify status +exit 4\n"))) << shown.out;

  const auto relative = cli({"job", "set", id, "--notify-cmd", "sh"});
  EXPECT_EQ(relative.exit_code, 2) << describe(relative);
  const auto removed = cli({"job", "set", id, "--no-notify-cmd", "--json"});
  // A TRANSFERRED job still takes settings (only final jobs refuse them).
  ASSERT_EQ(removed.exit_code, 0) << describe(removed);
  EXPECT_EQ(json_of(removed.out)["notify_cmd"], nlohmann::json::array());
}

// `job add JOB URL PATH [URL PATH ...]` and --from: one set, all or none.
TEST_F(CliJobDaemonTest, AddTakesManyFilesAndAListAsOneSet) {
  env_.serve("a.bin", 10);
  env_.serve("b.bin", 20);
  env_.serve("c.bin", 30);
  const auto created = cli({"job", "create", "set"});
  ASSERT_EQ(created.exit_code, 0) << describe(created);
  const auto id = lines_of(created.out)[0];
  {
    std::ofstream list(env_.out() / "files.txt");
    list << "# the rest\n\n" << env_.url("/c.bin") << "  c dir/c.bin\n";
  }
  fs::create_directories(env_.out() / "c dir");
  const auto added = cli({"job", "add", id, env_.url("/a.bin"), "a.bin", env_.url("/b.bin"),
                          "b.bin", "--from", (env_.out() / "files.txt").string(), "--json"});
  ASSERT_EQ(added.exit_code, 0) << describe(added);
  const auto job = json_of(added.out);
  ASSERT_EQ(job["files"].size(), 3u);
  EXPECT_EQ(job["files"][0]["path"], (env_.out() / "a.bin").string());
  EXPECT_EQ(job["files"][2]["path"], (env_.out() / "c dir" / "c.bin").string());

  // A bad line or a set the engine refuses (a path twice) adds nothing.
  {
    std::ofstream list(env_.out() / "bad.txt");
    list << env_.url("/a.bin") << " x.bin\n" << env_.url("/b.bin") << "\n";
  }
  const auto bad_line = cli({"job", "add", id, "--from", (env_.out() / "bad.txt").string()});
  EXPECT_EQ(bad_line.exit_code, 1) << describe(bad_line);
  EXPECT_NE(bad_line.err.find("bad.txt:2: expected 'URL PATH'"), std::string::npos)
      << describe(bad_line);
  const auto twice =
      cli({"job", "add", id, env_.url("/a.bin"), "d.bin", env_.url("/b.bin"), "d.bin"});
  EXPECT_EQ(twice.exit_code, 2) << describe(twice);
  const auto odd = cli({"job", "add", id, env_.url("/a.bin"), "e.bin", env_.url("/b.bin")});
  EXPECT_EQ(odd.exit_code, 1) << describe(odd);
  const auto two_hashes = cli({"job", "add", id, env_.url("/a.bin"), "f.bin", env_.url("/b.bin"),
                               "g.bin", "--sha256", std::string(64, 'a')});
  EXPECT_EQ(two_hashes.exit_code, 1) << describe(two_hashes);
  EXPECT_EQ(show(id)["files"].size(), 3u) << "nothing of the refused sets was added";

  ASSERT_EQ(cli({"job", "resume", id}).exit_code, 0);
  const auto watched = cli({"job", "watch", id, "--quiet"});
  EXPECT_EQ(watched.exit_code, 0) << describe(watched);
}

// `job add --checksums URL`: one list, fetched once by the CLI, gives every file of the set
// its SHA-256.
TEST_F(CliJobDaemonTest, AddTakesEachFilesSha256FromAChecksumList) {
  const auto a = env_.serve("a.bin", 1000);
  const auto b = env_.serve("b.bin", 2000, 9);
  std::ofstream(env_.dir() / "docroot" / "SHA256SUMS") << a << "  a.bin\n" << b << "  b.bin\n";
  const auto created = cli({"job", "create", "sums"});
  ASSERT_EQ(created.exit_code, 0) << describe(created);
  const auto id = created.out.substr(0, created.out.find('\n'));

  const auto added = cli({"job", "add", id, env_.url("/a.bin"), "a.bin", env_.url("/b.bin"),
                          "b.bin", "--checksums", env_.url("/SHA256SUMS")});

  ASSERT_EQ(added.exit_code, 0) << describe(added);
  const auto job = show(id);
  ASSERT_EQ(job["files"].size(), 2u) << job.dump();
  EXPECT_EQ(job["files"][0]["sha256"], a);
  EXPECT_EQ(job["files"][1]["sha256"], b);
}

TEST_F(CliJobDaemonTest, NoProgressTimeoutTakesDurationUnits) {
  env_.serve("file.bin", 1000);
  const auto id = new_job(env_.url("/file.bin"), env_.out() / "file.bin");

  for (const auto& [text, seconds] : std::vector<std::pair<std::string, int>>{
           {"90s", 90}, {"10m", 600}, {"2h", 7200}, {"3d", 259200}, {"45", 45}}) {
    const auto set = cli({"job", "set", id, "--no-progress-timeout", text, "--json"});
    ASSERT_EQ(set.exit_code, 0) << text << "\n" << describe(set);
    EXPECT_EQ(json_of(set.out)["no_progress_timeout"], seconds) << text;
  }
  const auto bad = cli({"job", "set", id, "--no-progress-timeout", "1.5h"});
  EXPECT_EQ(bad.exit_code, 1) << describe(bad);
  EXPECT_NE(bad.err.find("invalid duration '1.5h'"), std::string::npos) << describe(bad);
  EXPECT_EQ(show(id)["no_progress_timeout"], 45) << "a refused value changes nothing";
}

TEST_F(CliJobDaemonTest, ResumingARunningJobAndSuspendingASuspendedOneAreNoOps) {
  env_.serve("big.bin", 8 << 20);
  const auto id = new_job(env_.url("/slow/big.bin"), env_.out() / "big.bin");

  for (int i = 0; i < 2; ++i) {
    const auto resumed = cli({"job", "resume", id});
    EXPECT_EQ(resumed.exit_code, 0) << describe(resumed);
    EXPECT_EQ(resumed.out, "") << "silent without --json";
  }
  for (int i = 0; i < 2; ++i) {
    const auto suspended = cli({"job", "suspend", id, "--json"});
    EXPECT_EQ(suspended.exit_code, 0) << describe(suspended);
    EXPECT_EQ(json_of(suspended.out)["state"], "SUSPENDED");
  }
}

TEST_F(CliJobDaemonTest, WatchEndsWithTheExitCodeOfTheState) {
  const auto missing_url = env_.url("/missing.bin");
  const auto failing = new_job(missing_url, env_.out() / "missing.bin");
  ASSERT_EQ(cli({"job", "resume", failing}).exit_code, 0);

  const auto failed = cli({"job", "watch", failing, "--json"});
  EXPECT_EQ(failed.exit_code, 2) << describe(failed);
  const std::regex error_line("swarmcopy: error: .+ \\(http 404\\): " + regex_escape(missing_url) +
                              "\n");
  EXPECT_TRUE(std::regex_match(failed.err, error_line)) << describe(failed);
  ASSERT_FALSE(lines_of(failed.out).empty()) << describe(failed);
  EXPECT_EQ(json_of(lines_of(failed.out).back())["state"], "ERROR");
  EXPECT_EQ(json_of(lines_of(failed.out).back())["error"]["code"], 404);

  env_.serve("file.bin", 1000);
  const auto suspended = new_job(env_.url("/file.bin"), env_.out() / "file.bin");
  const auto watched_suspended = cli({"job", "watch", suspended});
  EXPECT_EQ(watched_suspended.exit_code, 3) << describe(watched_suspended);

  ASSERT_EQ(cli({"job", "cancel", suspended}).exit_code, 0);
  const auto watched_cancelled = cli({"job", "watch", suspended});
  EXPECT_EQ(watched_cancelled.exit_code, 2) << describe(watched_cancelled);
  EXPECT_EQ(lines_of(watched_cancelled.err).size(), 1u) << describe(watched_cancelled);
  EXPECT_TRUE(watched_cancelled.err.starts_with("swarmcopy: error: "));
}

TEST_F(CliJobDaemonTest, WatchReturnsThreeWhenTheJobIsSuspendedMeanwhile) {
  env_.serve("big.bin", 8 << 20);
  const auto id = new_job(env_.url("/slow/big.bin"), env_.out() / "big.bin");
  ASSERT_EQ(cli({"job", "set", id, "--notify", "0x1f"}).exit_code, 0);
  ASSERT_EQ(cli({"job", "resume", id}).exit_code, 0);
  auto watch = spawn({"job", "watch", id, "--json"});
  ASSERT_NE(watch, nullptr);
  ASSERT_TRUE(watch->wait_for_output("\n", 20s)) << "watch never printed the job";

  ASSERT_EQ(cli({"job", "suspend", id}).exit_code, 0);
  const auto watched = watch->wait(30s);

  EXPECT_EQ(watched.exit_code, 3) << describe(watched);
  const auto lines = lines_of(watched.out);
  ASSERT_GE(lines.size(), 2u) << describe(watched);
  EXPECT_NE(json_of(lines.front())["state"], "SUSPENDED");
  EXPECT_EQ(json_of(lines.back())["state"], "SUSPENDED") << describe(watched);
}

TEST_F(CliJobDaemonTest, InterruptedWatchLeavesTheJobAlone) {
  env_.serve("big.bin", 8 << 20);
  const auto id = new_job(env_.url("/slow/big.bin"), env_.out() / "big.bin");
  ASSERT_EQ(cli({"job", "set", id, "--priority", "low"}).exit_code, 0);
  ASSERT_EQ(cli({"job", "resume", id}).exit_code, 0);
  auto watch = spawn({"job", "watch", id, "--json"});
  ASSERT_NE(watch, nullptr);
  // Its first object is printed from inside the watch loop: signals wait in its signalfd.
  ASSERT_TRUE(watch->wait_for_output("\n", 20s));
  watch->send_signal(SIGINT);
  const auto watched = watch->wait(30s);

  EXPECT_EQ(watched.exit_code, 130) << describe(watched);
  EXPECT_NE(show(id)["state"], "SUSPENDED") << "watching is passive";
}

TEST_F(CliJobDaemonTest, FailuresExitTwoWithOneErrorLine) {
  const auto unknown = "00000000-0000-4000-8000-000000000001";
  const auto shown = cli({"job", "show", unknown, "--json"});
  EXPECT_EQ(shown.exit_code, 2) << describe(shown);
  ASSERT_EQ(lines_of(shown.err).size(), 1u) << describe(shown);
  EXPECT_TRUE(shown.err.starts_with("swarmcopy: error: ")) << shown.err;
  EXPECT_EQ(json_of(shown.out)["error"]["kind"], "not_found") << describe(shown);

  env_.serve("file.bin", 1000);
  const auto id = new_job(env_.url("/file.bin"), env_.out() / "file.bin");
  const auto completed = cli({"job", "complete", id});
  EXPECT_EQ(completed.exit_code, 2) << describe(completed);
  ASSERT_EQ(lines_of(completed.err).size(), 1u) << describe(completed);
  EXPECT_TRUE(completed.err.ends_with(": " + id + "\n")) << "names the job: " << completed.err;
  // In words a person knows (issue 18), not the kind's machine name.
  EXPECT_NE(completed.err.find("not transferred yet"), std::string::npos) << completed.err;
  EXPECT_EQ(completed.err.find("invalid_state"), std::string::npos) << completed.err;

  ASSERT_EQ(cli({"job", "cancel", id}).exit_code, 0);
  const auto final_resume = cli({"job", "resume", id});
  EXPECT_EQ(final_resume.exit_code, 2) << describe(final_resume);
  EXPECT_NE(final_resume.err.find("job is final"), std::string::npos) << final_resume.err;
  EXPECT_EQ(final_resume.err.find("job_is_final"), std::string::npos) << final_resume.err;
}

TEST_F(CliJobDaemonTest, UsageErrorsExitOne) {
  env_.serve("file.bin", 1000);
  const auto id = new_job(env_.url("/file.bin"), env_.out() / "file.bin");
  const std::vector<std::vector<std::string>> bad = {
      {"job"},
      {"job", "frobnicate"},
      {"job", "create"},
      {"job", "add", id, env_.url("/file.bin")},
      {"job", "set", id},
      {"job", "set", id, "--priority", "urgent"},
      {"job", "set", id, "--notify", "everything"},
      {"job", "set", id, "--no-progress-timeout", "-5"},
      {"job", "add", id, env_.url("/file.bin"), "x", "--sha256", "abc"},
  };
  for (const auto& args : bad) {
    const auto result = cli(args);
    EXPECT_EQ(result.exit_code, 1) << describe(result);
    EXPECT_NE(result.err.find("Usage:"), std::string::npos) << describe(result);
    EXPECT_EQ(result.out, "");
  }
}

TEST_F(CliJobDaemonTest, ANonHttpUrlIsAUsageErrorAndAddsNothing) {
  const auto created = cli({"job", "create", "urls"});
  ASSERT_EQ(created.exit_code, 0) << describe(created);
  const auto id = lines_of(created.out)[0];

  for (const auto& args : std::vector<std::vector<std::string>>{
           {"job", "add", id, "ftp://127.0.0.1/x", (env_.out() / "x").string(), "--json"},
           {"job", "add", id, "/etc/hostname", (env_.out() / "x").string()},
           {"job", "add", id, env_.url("/x"), (env_.out() / "x").string(), "--metadata",
            "file:///x.torrent"}}) {
    const auto result = cli(args);
    EXPECT_EQ(result.exit_code, 1) << describe(result);
    EXPECT_NE(result.err.find("not an http:// or https:// URL: "), std::string::npos)
        << describe(result);
    EXPECT_NE(result.err.find("Usage:"), std::string::npos) << describe(result);
    EXPECT_EQ(result.out, "");
  }
  EXPECT_EQ(show(id)["files"].size(), 0u);
}

TEST_F(CliJobDaemonTest, JobsAreFoundByAUniquePrefixAndListedOldestFirst) {
  env_.serve("file.bin", 1000);
  const auto first = new_job(env_.url("/file.bin"), env_.out() / "a.bin", "first");
  const auto second = new_job(env_.url("/file.bin"), env_.out() / "b.bin", "second");

  const auto listed = cli({"job", "list", "--json"});
  ASSERT_EQ(listed.exit_code, 0) << describe(listed);
  const auto jobs = json_of(listed.out);
  ASSERT_TRUE(jobs.is_array()) << listed.out;
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0]["id"], first);
  EXPECT_EQ(jobs[1]["id"], second);
  const auto table = cli({"job", "list"});
  ASSERT_EQ(table.exit_code, 0) << describe(table);
  EXPECT_EQ(lines_of(table.out).size(), 3u) << table.out;

  // The shortest prefix that tells them apart, and that the CLI takes (4 characters).
  std::size_t length = 4;
  while (first.substr(0, length) == second.substr(0, length)) ++length;
  const auto by_prefix = cli({"job", "show", first.substr(0, length), "--json"});
  ASSERT_EQ(by_prefix.exit_code, 0) << describe(by_prefix);
  EXPECT_EQ(json_of(by_prefix.out)["id"], first);
  const auto nothing = cli({"job", "show", "fffffffff"});
  if (!first.starts_with("fffffffff") && !second.starts_with("fffffffff")) {
    EXPECT_EQ(nothing.exit_code, 2) << describe(nothing);
  }
  const auto garbage = cli({"job", "show", "not-a-job"});
  EXPECT_EQ(garbage.exit_code, 2) << describe(garbage);
}

TEST_F(CliJobDaemonTest, APrefixShorterThanFourCharactersIsRefused) {
  env_.serve("file.bin", 1000);
  const auto id = new_job(env_.url("/file.bin"), env_.out() / "file.bin");

  // Even the job's own first characters: a short prefix would pick a job by chance.
  for (const auto& prefix : {std::string("0"), id.substr(0, 1), id.substr(0, 3)}) {
    const auto cancelled = cli({"job", "cancel", prefix, "--json"});
    EXPECT_EQ(cancelled.exit_code, 1) << prefix << "\n" << describe(cancelled);
    EXPECT_NE(cancelled.err.find("at least 4 characters"), std::string::npos)
        << describe(cancelled);
    EXPECT_EQ(cancelled.out, "");
  }
  EXPECT_EQ(show(id)["state"], "SUSPENDED") << "no job was cancelled";
  const auto by_four = cli({"job", "show", id.substr(0, 4), "--json"});
  ASSERT_EQ(by_four.exit_code, 0) << describe(by_four);
  EXPECT_EQ(json_of(by_four.out)["id"], id);
}

TEST_F(CliJobDaemonTest, GetDaemonDownloadsThroughTheDaemon) {
  const auto sha = env_.serve("file.bin", (1 << 20) + 3);
  const auto path = env_.out() / "file.bin";

  const auto got = cli({"get", env_.url("/file.bin"), "-o", path.string(), "--daemon", "--sha256",
                        sha, "--json", "-q"});

  ASSERT_EQ(got.exit_code, 0) << describe(got);
  EXPECT_EQ(sha256_file(path).value_or(""), sha);
  const auto outcome = json_of(got.out);
  EXPECT_EQ(outcome["state"], "ACKNOWLEDGED");
  EXPECT_EQ(outcome["bytes"], (1 << 20) + 3);
  // The job lived in the daemon.
  const auto job = show(outcome["job"].get<std::string>());
  EXPECT_EQ(job["state"], "ACKNOWLEDGED");
}

TEST_F(CliJobDaemonTest, GetTakesTheJobsProxySetting) {
  const auto sha = env_.serve("file.bin", 1000);
  const auto path = env_.out() / "file.bin";
  const auto got = cli({"get", env_.url("/file.bin"), "-o", path.string(), "--daemon", "--proxy",
                        "none", "--json", "-q"});
  ASSERT_EQ(got.exit_code, 0) << describe(got);
  EXPECT_EQ(sha256_file(path).value_or(""), sha);
  EXPECT_EQ(show(json_of(got.out)["job"].get<std::string>())["proxy"]["usage"], "none");
  const auto refused =
      cli({"get", env_.url("/file.bin"), "-o", path.string(), "--proxy", "socks4://p:1080", "-q"});
  EXPECT_EQ(refused.exit_code, 1) << describe(refused);
  EXPECT_NE(refused.err.find("socks5h"), std::string::npos) << describe(refused);
}

TEST_F(CliJobDaemonTest, GetDaemonInterruptSuspendsTheJobInTheDaemon) {
  const auto sha = env_.serve("big.bin", 4 << 20);
  const auto path = env_.out() / "big.bin";
  const std::vector<std::string> command = {
      "get",      env_.url("/slow/big.bin"), "-o",     path.string(),
      "--socket", env_.socket().string(),    "--json", "--limit-rate",
      "2M"};
  auto first = spawn(command);
  ASSERT_NE(first, nullptr);
  // Under way once the daemon shows progress.
  const bool started = wait_until(
      [&] {
        const auto listed = json_of(cli({"job", "list", "--json"}).out);
        return listed.is_array() && !listed.empty() && listed[0]["bytes_transferred"] > 0;
      },
      20s, 50ms);
  ASSERT_TRUE(started) << "the download never started";

  first->send_signal(SIGINT);
  const auto interrupted = first->wait(30s);

  ASSERT_EQ(interrupted.exit_code, 130) << describe(interrupted);
  const auto outcome = json_of(interrupted.out);
  const auto id = outcome["job"].get<std::string>();
  EXPECT_EQ(show(id)["state"], "SUSPENDED") << "suspended in the daemon too";
  EXPECT_FALSE(fs::exists(path));

  const auto again = cli(command, 90s);
  ASSERT_EQ(again.exit_code, 0) << describe(again);
  EXPECT_EQ(json_of(again.out)["job"], id) << "the same job, resumed";
  EXPECT_EQ(json_of(again.out)["resumed"], true);
  EXPECT_EQ(sha256_file(path).value_or(""), sha);
}

TEST_F(CliJobDaemonTest, GetDaemonDownloadSurvivesTheCli) {
  const auto sha = env_.serve("big.bin", 4 << 20);
  const auto path = env_.out() / "big.bin";
  const std::vector<std::string> command = {
      "get", env_.url("/slow/big.bin"), "-o", path.string(), "--daemon", "--json", "--limit-rate",
      "4M"};
  auto first = spawn(command);
  ASSERT_NE(first, nullptr);
  std::string id;
  wait_until(
      [&] {
        const auto listed = json_of(cli({"job", "list", "--json"}).out);
        if (listed.is_array() && !listed.empty() && listed[0]["state"] != "SUSPENDED") {
          id = listed[0]["id"];
        }
        return !id.empty();
      },
      20s, 50ms);
  ASSERT_FALSE(id.empty()) << "the job never started";

  first->send_signal(SIGKILL);  // no chance to suspend anything
  (void)first->wait(10s);

  const auto watched = cli({"job", "watch", id}, 90s);
  EXPECT_EQ(watched.exit_code, 0) << "the daemon finished it alone\n" << describe(watched);
  const auto again = cli(command, 60s);
  ASSERT_EQ(again.exit_code, 0) << describe(again);
  EXPECT_EQ(json_of(again.out)["job"], id);
  EXPECT_EQ(sha256_file(path).value_or(""), sha);
}

// A get whose home a daemon holds (swarmcopyd --user keeps its jobs where get does) runs its
// job in that daemon instead of failing on the lock, and names the daemon; the embedded
// engine's peer options cannot apply there, which is said, not ignored.
TEST_F(CliJobDaemonTest, GetWhoseHomeADaemonHoldsRunsThroughIt) {
  const auto sha = env_.serve("file.bin", (1 << 20) + 7);
  const auto path = env_.out() / "file.bin";
  // No --daemon, no socket: only the home says where the daemon is.
  const Env no_socket = {{"SWARMCOPY_SOCKET", ""}};

  const auto got = cli({"get", env_.url("/file.bin"), "-o", path.string(), "--home",
                        env_.state_dir().string(), "--sha256", sha, "--json"},
                       60s, no_socket);

  ASSERT_EQ(got.exit_code, 0) << describe(got);
  EXPECT_EQ(sha256_file(path).value_or(""), sha);
  EXPECT_NE(got.err.find("swarmcopyd (pid " + std::to_string(env_.daemon()->pid()) + ") at " +
                         env_.socket().string() + " holds " + env_.state_dir().string() +
                         ": the download runs there"),
            std::string::npos)
      << got.err;
  const auto outcome = json_of(got.out);
  EXPECT_EQ(outcome["state"], "ACKNOWLEDGED");
  EXPECT_EQ(show(outcome["job"].get<std::string>())["state"], "ACKNOWLEDGED")
      << "the job lived in the daemon";

  const auto with_peer = cli({"get", env_.url("/file.bin"), "-o", path.string(), "--home",
                              env_.state_dir().string(), "--peer", "127.0.0.1:1"},
                             60s, no_socket);
  EXPECT_EQ(with_peer.exit_code, 2) << describe(with_peer);
  EXPECT_NE(with_peer.err.find("runs its own peer session: --peer"), std::string::npos)
      << with_peer.err;
}

// `job take-ownership` reaches the daemon's TakeOwnership: on one's own job it changes nothing
// (root taking another user's job over is daemon_isolation_test's).
TEST_F(CliJobDaemonTest, TakeOwnershipOfOnesOwnJobChangesNothing) {
  env_.serve("file.bin", 1000);
  const auto id = new_job(env_.url("/file.bin"), env_.out() / "file.bin", "mine");
  const auto before = show(id);
  const auto taken = cli({"job", "take-ownership", id, "--json"});
  ASSERT_EQ(taken.exit_code, 0) << describe(taken);
  const auto after = json_of(taken.out);
  EXPECT_EQ(after["owner_uid"], before["owner_uid"]);
  EXPECT_EQ(after["state"], "SUSPENDED");
  const auto unknown = cli({"job", "take-ownership", "6f9619ff-8b86-4011-b42d-00c04fc964ff"});
  EXPECT_EQ(unknown.exit_code, 2) << describe(unknown);
}

TEST_F(CliJobDaemonTest, OptionsMayComeBeforeOrAfterTheVerb) {
  env_.serve("file.bin", 1000);
  const auto id = new_job(env_.url("/file.bin"), env_.out() / "file.bin");
  const auto socket = env_.socket().string();

  const auto before = cli({"job", "--json", "list"});
  const auto after = cli({"job", "list", "--json"});
  ASSERT_EQ(before.exit_code, 0) << describe(before);
  ASSERT_EQ(after.exit_code, 0) << describe(after);
  ASSERT_TRUE(json_of(before.out).is_array()) << describe(before);
  EXPECT_EQ(json_of(before.out)[0]["id"], id);
  EXPECT_EQ(before.out, after.out);

  // --socket before the verb, with no $SWARMCOPY_SOCKET to fall back on.
  const auto shown = cli({"job", "--socket", socket, "-v", "show", id, "--json"}, 60s,
                         {{"SWARMCOPY_SOCKET", "/nonexistent/swarmcopyd.sock"}});
  ASSERT_EQ(shown.exit_code, 0) << describe(shown);
  EXPECT_EQ(json_of(shown.out)["id"], id);
}

TEST_F(CliJobTest, VerbHelpListsTheSharedOptions) {
  for (const char* verb : {"create", "add", "show", "list", "watch", "set"}) {
    const auto help = cli({"job", verb, "--help"});
    EXPECT_EQ(help.exit_code, 0) << describe(help);
    for (const char* option : {"--json", "--socket", "--verbose"}) {
      EXPECT_NE(help.out.find(option), std::string::npos) << verb << " " << option << "\n"
                                                          << help.out;
    }
  }
}

TEST_F(CliJobTest, UnknownVerbsAndOptionsSuggestTheClosestName) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> typos = {
      {{"job", "lst"}, "lst: did you mean list?"},
      {{"job", "cancle", "abcd"}, "cancle: did you mean cancel?"},
      {{"job", "list", "--jsn"}, "--jsn: did you mean --json?"},
      {{"job", "--jsn", "list"}, "--jsn: did you mean --json?"},
      {{"job", "list", "--al"}, "--al: did you mean --all?"},
      {{"job", "set", "abcd", "--priorty", "low"}, "--priorty: did you mean --priority?"},
  };
  for (const auto& [args, suggestion] : typos) {
    const auto result = cli(args);
    EXPECT_EQ(result.exit_code, 1) << describe(result);
    EXPECT_NE(result.err.find(suggestion), std::string::npos) << describe(result);
    EXPECT_EQ(result.out, "");
  }
  const auto far = cli({"job", "frobnicate"});
  EXPECT_EQ(far.exit_code, 1) << describe(far);
  EXPECT_EQ(far.err.find("did you mean"), std::string::npos) << describe(far);
}

TEST_F(CliJobTest, AnExplicitSocketWithoutADaemonIsAFailureNamingIt) {
  const auto socket = env_.dir() / "nobody.sock";

  const auto listed = cli({"job", "list", "--socket", socket.string()});
  const auto got = cli({"get", env_.url("/x.bin"), "--socket", socket.string()});

  for (const auto& result : {listed, got}) {
    EXPECT_EQ(result.exit_code, 2) << describe(result);
    ASSERT_EQ(lines_of(result.err).size(), 1u) << describe(result);
    EXPECT_TRUE(result.err.starts_with("swarmcopy: error: ")) << result.err;
    EXPECT_NE(result.err.find(socket.string()), std::string::npos) << result.err;
  }
  EXPECT_FALSE(fs::exists(socket));
}

// The environment of a user without a system daemon and with nothing set for us.
Env user_env(const DaemonTestEnv& env) {
  return {{"SWARMCOPY_SOCKET", ""},
          {"XDG_RUNTIME_DIR", (env.dir() / "run").string()},
          {"HOME", (env.dir() / "home").string()},
          {"XDG_CONFIG_HOME", (env.dir() / "home" / "config").string()},
          {"XDG_STATE_HOME", (env.dir() / "home" / "state").string()},
          {"SWARMCOPY_HOME", (env.dir() / "user-state").string()}};
}

TEST_F(CliJobTest, JobCommandsStartTheUserDaemonOnDemand) {
  if (fs::exists("/run/swarmcopy/swarmcopyd.sock")) GTEST_SKIP() << "a system daemon runs here";
  fs::create_directories(env_.dir() / "run");
  const auto socket = env_.dir() / "run" / "swarmcopy" / "swarmcopyd.sock";

  const auto created = cli({"job", "create", "on demand"}, 60s, user_env(env_));
  const pid_t pid = listener_pid(socket);
  AdoptedDaemon guard(pid);

  ASSERT_EQ(created.exit_code, 0) << describe(created);
  ASSERT_GT(pid, 0) << "a daemon answers at " << socket;
  EXPECT_TRUE(fs::exists(env_.dir() / "user-state")) << "its state is the user's";
  const auto listed = cli({"job", "list", "--json"}, 60s, user_env(env_));
  ASSERT_EQ(listed.exit_code, 0) << describe(listed);
  ASSERT_EQ(json_of(listed.out).size(), 1u) << listed.out;
  EXPECT_EQ(listener_pid(socket), pid) << "the same daemon, not a second one";

  // The user daemon keeps its jobs where an embedded `get` would: that get goes through it.
  env_.serve("file.bin", 1000);
  const auto embedded = cli({"get", env_.url("/file.bin")}, 60s, user_env(env_));
  EXPECT_EQ(embedded.exit_code, 0) << describe(embedded);
  EXPECT_NE(embedded.err.find("swarmcopyd (pid " + std::to_string(pid) + ") at " + socket.string() +
                              " holds"),
            std::string::npos)
      << embedded.err;
  EXPECT_NE(embedded.err.find("the download runs there"), std::string::npos) << embedded.err;
  const auto through_daemon = cli({"get", env_.url("/file.bin"), "--daemon"}, 60s, user_env(env_));
  EXPECT_EQ(through_daemon.exit_code, 0) << describe(through_daemon);
}

TEST_F(CliJobTest, GetDaemonNeverStartsADaemon) {
  if (fs::exists("/run/swarmcopy/swarmcopyd.sock")) GTEST_SKIP() << "a system daemon runs here";
  fs::create_directories(env_.dir() / "run");
  env_.serve("file.bin", 1000);

  const auto got = cli({"get", env_.url("/file.bin"), "--daemon"}, 60s, user_env(env_));

  EXPECT_EQ(got.exit_code, 2) << describe(got);
  ASSERT_EQ(lines_of(got.err).size(), 1u) << describe(got);
  EXPECT_NE(got.err.find("swarmcopyd.sock"), std::string::npos) << got.err;
  EXPECT_FALSE(fs::exists(env_.dir() / "run" / "swarmcopy" / "swarmcopyd.sock"));
  EXPECT_FALSE(fs::exists(env_.out() / "file.bin"));
}

}  // namespace
}  // namespace swarmcopy::test
