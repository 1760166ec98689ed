// `swarmcopy get` end to end: the real binary as a child process against a real nginx on
// loopback, checked as a user or a script would see it: exit code, the file and its SHA-256,
// stderr, the --json object, and what is left in the destination directory.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "nginx/nginx_server.h"
#include "nginx/test_files.h"
#include "process/child_process.h"
#include "test_dir/test_dir.h"
#include "wait/wait_until.h"

namespace swarmcopy::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kCli = SWARMCOPY_CLI_PATH;

// /slow/ is throttled per connection so that a download lasts long enough to be interrupted,
// whatever the engine's own rate limiting does. /norange/ is too, and ignores Range requests
// (max_ranges 0: every answer is 200 with the whole file). /private/ wants a header.
constexpr const char* kServerConfig = R"(
    location /slow/ { limit_rate 4m; }
    location /norange/ { limit_rate 4m; max_ranges 0; }
    location /private/ {
      if ($http_x_swarmcopy_test != "open-sesame") { return 403; }
    }
)";

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

std::vector<std::string> entries_of(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  return names;
}

// Waits (bounded) until `dir` holds an entry other than `except`: the engine's temporary file,
// which lives beside the destination. Its appearance means the download is under way.
bool wait_for_temporary_file(const fs::path& dir, const std::string& except,
                             std::chrono::milliseconds timeout) {
  return wait_until(
      [&] {
        const auto names = entries_of(dir);
        return std::any_of(names.begin(), names.end(),
                           [&](const std::string& name) { return name != except; });
      },
      timeout);
}

// Whether --json-progress has reported a byte downloaded: {"progress": {..., "bytes": N, ...}}.
bool has_progress_bytes(const std::string& err) {
  static const std::regex bytes(R"("bytes":[1-9])");
  return std::regex_search(err, bytes);
}

// A loopback port bound but never listening: a connection to it is refused at once, and no
// other process can take it while the socket lives.
class RefusingPort {
 public:
  RefusingPort() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      return;
    }
    port_ = ntohs(address.sin_port);
  }
  RefusingPort(const RefusingPort&) = delete;
  RefusingPort& operator=(const RefusingPort&) = delete;
  ~RefusingPort() {
    if (fd_ >= 0) ::close(fd_);
  }
  std::uint16_t port() const { return port_; }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

std::string describe(const ChildResult& result) {
  return "exit " + std::to_string(result.exit_code) + (result.timed_out ? " (timed out)" : "") +
         "\n--- stdout:\n" + result.out + "\n--- stderr:\n" + result.err;
}

class CliGetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    docroot_ = root_ / "docroot";
    out_ = root_ / "out";
    home_ = root_ / "home";
    for (const auto& dir :
         {docroot_, docroot_ / "slow", docroot_ / "norange", docroot_ / "private", out_}) {
      fs::create_directories(dir);
    }
    NginxOptions options;
    options.docroot = docroot_;
    options.server_config = kServerConfig;
    auto server = NginxServer::start(options);
    ASSERT_TRUE(server) << server.error();
    nginx_ = std::move(*server);
  }

  // Puts a file of `size` bytes at docroot/`name` and returns its SHA-256.
  std::string serve(const std::string& name, std::uint64_t size, std::uint64_t seed = 7) {
    auto sha = write_test_file(docroot_ / name, size, seed);
    EXPECT_TRUE(sha) << sha.error();
    return sha.value_or("");
  }

  std::vector<std::string> cli(std::vector<std::string> args) const {
    args.insert(args.begin(), kCli);
    return args;
  }

  ChildResult get(std::vector<std::string> args, const fs::path& cwd = {},
                  std::chrono::milliseconds timeout = 60s) const {
    args.insert(args.begin(), "get");
    return run_child(cli(std::move(args)), cwd.empty() ? out_ : cwd, timeout);
  }

  static nlohmann::json json_of(const ChildResult& result) {
    auto json = nlohmann::json::parse(result.out, nullptr, /*allow_exceptions=*/false);
    EXPECT_TRUE(json.is_object()) << describe(result);
    return json;
  }

  TestDir root_{"swarmcopy-cli-test-"};
  fs::path docroot_, out_, home_;
  std::unique_ptr<NginxServer> nginx_;  // declared after root_: stopped before it is removed
};

TEST_F(CliGetTest, DownloadsFileAndPrintsJsonResult) {
  const std::uint64_t size = (3 << 20) + 123;
  const auto sha = serve("file.bin", size);
  const auto path = out_ / "file.bin";

  const auto result = get({nginx_->url("/file.bin"), "-o", path.string(), "--sha256", sha, "--home",
                           home_.string(), "--json", "-q"});

  ASSERT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_EQ(sha256_file(path).value_or(""), sha);
  EXPECT_EQ(entries_of(out_), std::vector<std::string>{"file.bin"}) << "temporary files left";
  // With a SHA-256 the content may come from peers (content nobody published): the peer
  // session's port is printed whatever -q says, and nothing else is.
  EXPECT_TRUE(std::regex_match(result.err, std::regex("(listening on [0-9]+\n)?"))) << result.err;
  ASSERT_EQ(lines_of(result.out).size(), 1u) << "one JSON object on one line";
  const auto json = json_of(result);
  ASSERT_TRUE(json["job"].is_string()) << json.dump();
  EXPECT_EQ(json["job"].get<std::string>().size(), 36u);
  EXPECT_EQ(json["state"], "ACKNOWLEDGED");
  EXPECT_EQ(json["path"], path.string());
  EXPECT_EQ(json["bytes"], size);
  EXPECT_TRUE(json["from_origin"].is_number_unsigned());
  EXPECT_TRUE(json["from_peers"].is_number_unsigned());
  EXPECT_TRUE(json["from_cache"].is_number_unsigned());
  EXPECT_GE(json["from_origin"].get<std::uint64_t>() + json["from_peers"].get<std::uint64_t>() +
                json["from_cache"].get<std::uint64_t>(),
            size);
  EXPECT_TRUE(json["seconds"].is_number_float());
  EXPECT_GT(json["seconds"].get<double>(), 0.0);
  EXPECT_EQ(json["resumed"], false);
  EXPECT_FALSE(json.contains("error"));
}

// A get without a daemon keeps its home's traffic history, which `status --home` prints like a
// daemon's (the same file a user daemon on that home keeps).
TEST_F(CliGetTest, StatusOfAHomeShowsWhatItsGetsReceivedBySource) {
  const std::uint64_t size = (2 << 20) + 7;
  const auto sha = serve("file.bin", size);
  for (const char* name : {"a.bin", "b.bin"}) {  // the second one from the home's cache
    const auto got = get({nginx_->url("/file.bin"), "-o", (out_ / name).string(), "--sha256", sha,
                          "--home", home_.string(), "--no-lsd", "-q"});
    ASSERT_EQ(got.exit_code, 0) << describe(got);
  }
  const auto status =
      run_child(cli({"status", "--json", "--days", "2", "--home", home_.string()}), out_);
  ASSERT_EQ(status.exit_code, 0) << describe(status);
  const auto json = json_of(status);
  ASSERT_EQ(json["days"].size(), 2u) << status.out;
  EXPECT_EQ(json["totals"]["origin"], size) << status.out;
  EXPECT_EQ(json["totals"]["cache"], size) << status.out;
  EXPECT_EQ(json["totals"]["received"], 2 * size) << status.out;
  EXPECT_DOUBLE_EQ(json["totals"]["savings_ratio"].get<double>(), 0.5) << status.out;
  EXPECT_EQ(json["days"][1]["received"], 2 * size) << "today: " << status.out;

  const auto table = run_child(cli({"status", "--home", home_.string()}), out_);
  ASSERT_EQ(table.exit_code, 0) << describe(table);
  EXPECT_NE(table.out.find("50.0%"), std::string::npos) << table.out;

  // A home that is not there is an error, not an empty history; --home and --socket exclude.
  const auto missing = run_child(cli({"status", "--home", (root_ / "nowhere").string()}), out_);
  EXPECT_EQ(missing.exit_code, 2) << describe(missing);
  EXPECT_NE(missing.err.find("no such home"), std::string::npos) << missing.err;
  EXPECT_FALSE(fs::exists(root_ / "nowhere"));
  const auto both =
      run_child(cli({"status", "--home", home_.string(), "--socket", "/nonexistent"}), out_);
  EXPECT_NE(both.exit_code, 0);
  // A history that is a link (to anything) is never followed.
  fs::create_directories(root_ / "linked");
  fs::create_symlink(home_ / "metrics.sqlite", root_ / "linked" / "metrics.sqlite");
  const auto linked = run_child(cli({"status", "--home", (root_ / "linked").string()}), out_);
  EXPECT_EQ(linked.exit_code, 2) << describe(linked);
  EXPECT_NE(linked.err.find("not a regular file"), std::string::npos) << linked.err;
}

// One user's homes (another --home, the user daemon's) share their caches through the user's
// list of caches: a file one home fetched, another copies from its cache, checked, and the
// origin sends it once. A home of another user state (another machine, as far as this goes)
// does not see it.
TEST_F(CliGetTest, AnotherHomeOfTheUserTakesTheFileFromTheFirstHomesCache) {
  const std::uint64_t size = (2 << 20) + 11;
  const auto sha = serve("file.bin", size);
  const auto run = [&](const fs::path& home, const fs::path& state, const std::string& name) {
    auto child = ChildProcess::spawn(
        cli({"get", nginx_->url("/file.bin"), "-o", (out_ / name).string(), "--sha256", sha,
             "--home", home.string(), "--no-lsd", "--json", "-q"}),
        {.cwd = out_, .env = {{"XDG_STATE_HOME", state.string()}}});
    EXPECT_TRUE(child) << child.error();
    return child ? (*child)->wait(60s) : ChildResult{};
  };
  const auto state = root_ / "state";

  const auto origin_sent = [&] {
    EXPECT_TRUE(nginx_->wait_until_idle(10s));
    return nginx_->body_bytes_sent("/file.bin");
  };

  const auto first = run(root_ / "first-home", state, "first.bin");
  ASSERT_EQ(first.exit_code, 0) << describe(first);
  EXPECT_EQ(json_of(first)["from_origin"], size);
  const auto sent_once = origin_sent();
  EXPECT_GE(sent_once, size);

  const auto second = run(root_ / "second-home", state, "second.bin");
  ASSERT_EQ(second.exit_code, 0) << describe(second);
  const auto json = json_of(second);
  EXPECT_EQ(json["from_cache"], size) << second.out;
  EXPECT_EQ(json["from_origin"], 0u) << second.out;
  EXPECT_EQ(sha256_file(out_ / "second.bin").value_or(""), sha);
  EXPECT_EQ(origin_sent(), sent_once) << "the origin sent the file once";
  // The second home keeps its own copy: it serves later gets even once the first is gone.
  fs::remove_all(root_ / "first-home");
  const auto third = run(root_ / "second-home", state, "third.bin");
  ASSERT_EQ(third.exit_code, 0) << describe(third);
  EXPECT_EQ(json_of(third)["from_cache"], size) << third.out;

  const auto elsewhere = run(root_ / "other-machine", root_ / "other-state", "other.bin");
  ASSERT_EQ(elsewhere.exit_code, 0) << describe(elsewhere);
  EXPECT_EQ(json_of(elsewhere)["from_origin"], size) << elsewhere.out;
  EXPECT_GE(origin_sent(), sent_once + size);
}

// Two homes of the user at once: the second waits for the first, which fetches, and then takes
// the file from its cache. The origin sends it once.
TEST_F(CliGetTest, AnotherHomeWaitsForTheHomeFetchingTheFileAndTakesItFromItsCache) {
  const std::uint64_t size = 8 << 20;
  const auto sha = serve("slow/big.bin", size);
  const SpawnOptions shared{.cwd = out_, .env = {{"XDG_STATE_HOME", (root_ / "state").string()}}};
  const auto command = [&](const std::string& home, const std::string& name) {
    return cli({"get", nginx_->url("/slow/big.bin"), "-o", (out_ / name).string(), "--sha256", sha,
                "--home", (root_ / home).string(), "--no-lsd", "--json", "-v", "--limit-rate",
                "2M"});
  };
  auto first = ChildProcess::spawn(command("first-home", "first.bin"), shared);
  ASSERT_TRUE(first) << first.error();
  ASSERT_TRUE(wait_for_temporary_file(out_, "first.bin", 20s)) << "the download never started";
  auto second = ChildProcess::spawn(command("second-home", "second.bin"), shared);
  ASSERT_TRUE(second) << second.error();

  const auto first_result = (*first)->wait(60s);
  const auto second_result = (*second)->wait(60s);
  ASSERT_EQ(first_result.exit_code, 0) << describe(first_result);
  ASSERT_EQ(second_result.exit_code, 0) << describe(second_result);
  EXPECT_NE(second_result.err.find("another home of this user is fetching"), std::string::npos)
      << second_result.err;
  EXPECT_EQ(json_of(first_result)["from_origin"], size) << first_result.out;
  const auto second_json = json_of(second_result);
  EXPECT_EQ(second_json["from_cache"], size) << second_result.out;
  EXPECT_EQ(second_json["from_origin"], 0u) << second_result.out;
  EXPECT_EQ(sha256_file(out_ / "second.bin").value_or(""), sha);
  EXPECT_TRUE(nginx_->wait_until_idle(10s));
  EXPECT_LT(nginx_->body_bytes_sent("/slow/big.bin"), 2 * size) << "the origin sent it once";
}

TEST_F(CliGetTest, ChecksumMismatchFailsAndLeavesNothingAtPath) {
  serve("file.bin", 1 << 20);
  const auto path = out_ / "file.bin";
  const std::string wrong = sha256_hex("not the file");

  const auto result = get(
      {nginx_->url("/file.bin"), "-o", path.string(), "--sha256", wrong, "--home", home_.string()});

  EXPECT_EQ(result.exit_code, 2) << describe(result);
  auto lines = lines_of(result.err);
  // The peer session's port (content nobody published is looked for on the site) is no error.
  std::erase_if(lines, [](const std::string& line) { return line.starts_with("listening on "); });
  ASSERT_EQ(lines.size(), 1u) << describe(result);
  EXPECT_TRUE(lines[0].starts_with("swarmcopy: error: ")) << lines[0];
  EXPECT_EQ(result.out, "");
  EXPECT_TRUE(entries_of(out_).empty()) << "nothing at PATH, no temporary file";
}

// --checksums: the file's SHA-256 comes from a list beside it, as if typed with --sha256: the
// right one makes the download succeed and be kept by its hash, a wrong one fails it, a list
// without the file's name is an error naming both, and the two options exclude each other.
TEST_F(CliGetTest, ChecksumsListGivesTheFilesSha256) {
  const auto sha = serve("a.bin", (1 << 20) + 5);
  std::ofstream(docroot_ / "SHA256SUMS") << "# made by sha256sum\n"
                                         << sha256_hex("b") << "  b.bin\n"
                                         << sha << " *a.bin\n";
  std::ofstream(docroot_ / "WRONGSUMS") << sha256_hex("not a") << "  a.bin\n";
  const auto path = out_ / "a.bin";

  const auto got = get({nginx_->url("/a.bin"), "-o", path.string(), "--checksums",
                        nginx_->url("/SHA256SUMS"), "--home", home_.string(), "--json"});
  ASSERT_EQ(got.exit_code, 0) << describe(got);
  EXPECT_EQ(sha256_file(path).value_or(""), sha);
  const auto cached = run_child(cli({"cache", "list", "--json", "--home", home_.string()}), out_);
  EXPECT_NE(cached.out.find("sha256-" + sha), std::string::npos) << "kept by its hash\n"
                                                                 << cached.out;

  const auto wrong = get({nginx_->url("/a.bin"), "-o", (out_ / "w.bin").string(), "--checksums",
                          nginx_->url("/WRONGSUMS"), "--home", home_.string(), "--json"});
  EXPECT_EQ(wrong.exit_code, 2) << describe(wrong);
  EXPECT_EQ(json_of(wrong)["error"]["kind"], "checksum_mismatch") << wrong.out;
  EXPECT_FALSE(fs::exists(out_ / "w.bin"));

  serve("c.bin", 1000);
  const auto missing = get({nginx_->url("/c.bin"), "-o", (out_ / "c.bin").string(), "--checksums",
                            nginx_->url("/SHA256SUMS"), "--home", home_.string()});
  EXPECT_EQ(missing.exit_code, 2) << describe(missing);
  EXPECT_NE(missing.err.find("c.bin"), std::string::npos) << missing.err;
  EXPECT_NE(missing.err.find(nginx_->url("/SHA256SUMS")), std::string::npos) << missing.err;
  EXPECT_FALSE(fs::exists(out_ / "c.bin"));

  const auto both = get({nginx_->url("/a.bin"), "--checksums", nginx_->url("/SHA256SUMS"),
                         "--sha256", sha, "--home", home_.string()});
  EXPECT_EQ(both.exit_code, 1) << describe(both);
}

TEST_F(CliGetTest, NotFoundPrintsTheErrorLineAndJson) {
  const auto path = out_ / "missing.bin";
  const auto url = nginx_->url("/missing.bin");

  const auto result = get({url, "-o", path.string(), "--home", home_.string(), "--json"});

  EXPECT_EQ(result.exit_code, 2) << describe(result);
  // swarmcopy: error: <what> (<protocol> <code>): <url>
  const std::regex line("swarmcopy: error: .+ \\(http 404\\): " +
                        std::regex_replace(url, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)") +
                        "\n");
  EXPECT_TRUE(std::regex_match(result.err, line)) << describe(result);
  EXPECT_TRUE(entries_of(out_).empty());
  const auto json = json_of(result);
  EXPECT_TRUE(json["job"].is_string()) << json.dump();
  EXPECT_EQ(json["state"], "ERROR");
  ASSERT_TRUE(json["error"].is_object()) << json.dump();
  EXPECT_EQ(json["error"]["code"], 404);
  EXPECT_EQ(json["error"]["protocol"], "http");
  EXPECT_EQ(json["error"]["kind"], "http_status");
  EXPECT_TRUE(json["error"]["context"].is_string());
  EXPECT_TRUE(json["error"]["message"].is_string());
}

TEST_F(CliGetTest, UnsupportedUrlSchemeIsAUsageError) {
  const auto path = out_ / "file.bin";

  for (const auto& args : std::vector<std::vector<std::string>>{
           {"ftp://127.0.0.1/file.bin", "-o", path.string(), "--home", home_.string(), "--json"},
           {"file:///etc/hostname", "-o", path.string(), "--home", home_.string()},
           {nginx_->url("/file.bin"), "--metadata", "ftp://127.0.0.1/file.bin.torrent", "-o",
            path.string(), "--home", home_.string(), "--json"}}) {
    const auto result = get(args);

    EXPECT_EQ(result.exit_code, 1) << describe(result);
    EXPECT_NE(result.err.find("not an http:// or https:// URL: "), std::string::npos)
        << describe(result);
    EXPECT_NE(result.err.find("Usage:"), std::string::npos) << describe(result);
    EXPECT_EQ(result.out, "") << "a usage error prints no JSON";
  }
  EXPECT_TRUE(entries_of(out_).empty());
  EXPECT_FALSE(fs::exists(home_)) << "no engine was opened, so no job was made";
}

TEST_F(CliGetTest, UsageErrorsExitOneWithUsage) {
  const std::vector<std::vector<std::string>> bad_command_lines = {
      {},                                                 // no URL
      {"--no-such-option", nginx_->url("/x")},            // unknown option
      {nginx_->url("/x"), "--limit-rate", "fast"},        // not a rate
      {nginx_->url("/x"), "--sha256", "abc"},             // not a SHA-256
      {nginx_->url("/x"), "--priority", "urgent"},        // not a priority
      {nginx_->url("/x"), "--header", "no colon here"},   // not a header
      {nginx_->url("/x"), "--daemon", "--home", "/tmp"},  // the daemon has its own state
      {nginx_->url("/x"), "--seed-time", "soon"},         // not a duration
  };
  for (const auto& args : bad_command_lines) {
    const auto result = get(args);
    EXPECT_EQ(result.exit_code, 1) << describe(result);
    EXPECT_NE(result.err.find("Usage:"), std::string::npos) << describe(result);
    EXPECT_EQ(result.out, "");
  }
  const auto no_command = run_child(cli({}), out_);
  EXPECT_EQ(no_command.exit_code, 1) << describe(no_command);
  EXPECT_TRUE(entries_of(out_).empty());
}

TEST_F(CliGetTest, UnknownOptionsAndCommandsSuggestTheClosestName) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> typos = {
      {{"get", nginx_->url("/x"), "--jsn"}, "--jsn: did you mean --json?"},
      {{"get", nginx_->url("/x"), "--limit-rat", "5M"}, "--limit-rat: did you mean --limit-rate?"},
      {{"get", "--sha265", std::string(64, 'a'), nginx_->url("/x")},
       "--sha265: did you mean --sha256?"},
      {{"gte", nginx_->url("/x")}, "gte: did you mean get?"},
      {{"cache", "lst"}, "lst: did you mean list?"},
      {{"cache", "list", "--jsno"}, "--jsno: did you mean --json?"},
  };
  for (const auto& [args, suggestion] : typos) {
    const auto result = run_child(cli(args), out_);
    EXPECT_EQ(result.exit_code, 1) << describe(result);
    EXPECT_NE(result.err.find(suggestion), std::string::npos) << describe(result);
    EXPECT_NE(result.err.find("Usage:"), std::string::npos) << describe(result);
    EXPECT_EQ(result.out, "");
  }
  // Nothing close: no guess.
  const auto far = run_child(cli({"get", nginx_->url("/x"), "--frobnicate"}), out_);
  EXPECT_EQ(far.exit_code, 1) << describe(far);
  EXPECT_EQ(far.err.find("did you mean"), std::string::npos) << describe(far);
  EXPECT_TRUE(entries_of(out_).empty());
}

TEST_F(CliGetTest, HelpListsEveryOption) {
  const auto result = get({"--help"});

  EXPECT_EQ(result.exit_code, 0) << describe(result);
  for (const char* option :
       {"URL", "-o", "--sha256", "--priority", "--home", "--state-dir", "--header", "--limit-rate",
        "--json", "-q", "-v", "--daemon", "--socket", "--create-dirs", "--seed-time"}) {
    EXPECT_NE(result.out.find(option), std::string::npos) << option << "\n" << result.out;
  }
}

TEST_F(CliGetTest, DefaultOutputIsTheUrlFileNameInTheCurrentDirectory) {
  const auto sha = serve("named.bin", 100000);

  const auto result = get({nginx_->url("/named.bin?version=2"), "--home", home_.string()}, out_);

  ASSERT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_EQ(sha256_file(out_ / "named.bin").value_or(""), sha);
}

TEST_F(CliGetTest, RelativeOutputIsTakenFromTheCurrentDirectory) {
  const auto sha = serve("file.bin", 50000);
  fs::create_directories(out_ / "sub");

  const auto result = get(
      {nginx_->url("/file.bin"), "-o", "sub/copy.bin", "--home", home_.string(), "--json"}, out_);

  ASSERT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_EQ(sha256_file(out_ / "sub" / "copy.bin").value_or(""), sha);
  EXPECT_EQ(json_of(result)["path"], (out_ / "sub" / "copy.bin").string());
}

TEST_F(CliGetTest, OutputDirectoryGetsTheUrlFileName) {
  const auto sha = serve("file.bin", 30000);
  fs::create_directories(out_ / "dir");

  const auto result =
      get({nginx_->url("/file.bin"), "-o", (out_ / "dir").string(), "--home", home_.string()});

  ASSERT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_EQ(sha256_file(out_ / "dir" / "file.bin").value_or(""), sha);
}

TEST_F(CliGetTest, ExistingFileAtPathIsReplaced) {
  const auto sha = serve("file.bin", 200000);
  const auto path = out_ / "file.bin";
  std::ofstream(path) << "an older version";

  const auto result =
      get({nginx_->url("/file.bin"), "-o", path.string(), "--home", home_.string()});

  ASSERT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_EQ(sha256_file(path).value_or(""), sha);
  EXPECT_EQ(entries_of(out_), std::vector<std::string>{"file.bin"});
}

TEST_F(CliGetTest, HeadersAreSentToTheOrigin) {
  const auto sha = serve("private/file.bin", 10000);
  const auto path = out_ / "file.bin";

  const auto refused =
      get({nginx_->url("/private/file.bin"), "-o", path.string(), "--home", home_.string()});
  EXPECT_EQ(refused.exit_code, 2) << describe(refused);
  EXPECT_NE(refused.err.find("(http 403)"), std::string::npos) << describe(refused);

  const auto admitted = get({nginx_->url("/private/file.bin"), "-o", path.string(), "--home",
                             home_.string(), "--header", "X-Swarmcopy-Test: open-sesame"});
  ASSERT_EQ(admitted.exit_code, 0) << describe(admitted);
  EXPECT_EQ(sha256_file(path).value_or(""), sha);
}

TEST_F(CliGetTest, SeedTimeTakesDurationUnits) {
  const auto sha = serve("file.bin", 50000);
  const auto path = out_ / "file.bin";
  auto child = ChildProcess::spawn(cli({"get", nginx_->url("/file.bin"), "-o", path.string(),
                                        "--home", home_.string(), "--seed-time", "2m"}),
                                   {.cwd = out_});
  ASSERT_TRUE(child) << child.error();

  // Served "for 120 s": 2m read as two minutes, not as 2 s or a usage error.
  const bool serving = (*child)->wait_for_error_output(
      [](const std::string& err) { return err.find("to peers for 120 s") != std::string::npos; },
      30s);
  ASSERT_TRUE(serving) << describe((*child)->wait(1s));
  EXPECT_EQ(sha256_file(path).value_or(""), sha);
  (*child)->send_signal(SIGINT);
  const auto stopped = (*child)->wait(30s);
  EXPECT_EQ(stopped.exit_code, 0) << "Ctrl-C ends the seeding of a finished download\n"
                                  << describe(stopped);
}

TEST_F(CliGetTest, InterruptSuspendsAndTheSameCommandResumesTheSameJob) {
  const std::uint64_t size = 8 << 20;
  const auto sha = serve("slow/big.bin", size);
  const auto path = out_ / "big.bin";
  const std::vector<std::string> command =
      cli({"get", nginx_->url("/slow/big.bin"), "-o", path.string(), "--home", home_.string(),
           "--json", "--limit-rate", "2M", "--json-progress"});

  auto first = ChildProcess::spawn(command, {.cwd = out_});
  ASSERT_TRUE(first) << first.error();
  // Bytes on disk, not just the temporary file: a job interrupted before any byte arrived is
  // cancelled (InterruptBeforeAnyByteLeavesNoJobBehind), one with bytes kept to resume.
  ASSERT_TRUE((*first)->wait_for_error_output(has_progress_bytes, 20s))
      << "the download never started";
  (*first)->send_signal(SIGINT);
  const auto interrupted = (*first)->wait(30s);

  ASSERT_EQ(interrupted.exit_code, 130) << describe(interrupted);
  EXPECT_FALSE(fs::exists(path)) << "an interrupted download is not at PATH";
  const auto suspended = json_of(interrupted);
  EXPECT_EQ(suspended["state"], "SUSPENDED") << suspended.dump();
  ASSERT_TRUE(suspended["job"].is_string()) << suspended.dump();

  const auto resumed = run_child(command, out_, 90s);

  ASSERT_EQ(resumed.exit_code, 0) << describe(resumed);
  EXPECT_EQ(sha256_file(path).value_or(""), sha);
  const auto done = json_of(resumed);
  EXPECT_EQ(done["job"], suspended["job"]) << "the same job, resumed";
  EXPECT_EQ(done["resumed"], true);
  EXPECT_EQ(done["state"], "ACKNOWLEDGED");
  EXPECT_EQ(done["bytes"], size);
  // The interrupt synced every byte that had arrived, and the resume asked for the rest only:
  // each byte came once, nothing twice.
  EXPECT_EQ(suspended["origin_ignores_range"], false) << suspended.dump();
  EXPECT_GT(suspended["from_origin"].get<std::uint64_t>(), 0u) << suspended.dump();
  EXPECT_EQ(done["from_origin"], size) << done.dump();
  EXPECT_EQ(done["refetched"], 0) << done.dump();
  EXPECT_EQ(done["origin_ignores_range"], false) << done.dump();
  EXPECT_EQ(entries_of(out_), std::vector<std::string>{"big.bin"});
}

// An origin that answers Range requests with the whole file cannot resume: the second run
// gets the file from byte 0 again. from_origin stays the file's size, the bytes that came twice
// are refetched (all the first run had: the restart sends them again), and both runs say the
// origin ignores Range.
TEST_F(CliGetTest, AnOriginThatIgnoresRangeResumesFromZeroAndCountsTheBytesRefetched) {
  const std::uint64_t size = 8 << 20;
  const auto sha = serve("norange/big.bin", size);
  const auto path = out_ / "big.bin";
  const std::vector<std::string> command =
      cli({"get", nginx_->url("/norange/big.bin"), "-o", path.string(), "--home", home_.string(),
           "--json", "--limit-rate", "2M", "--json-progress"});

  auto first = ChildProcess::spawn(command, {.cwd = out_});
  ASSERT_TRUE(first) << first.error();
  ASSERT_TRUE((*first)->wait_for_error_output(has_progress_bytes, 20s))
      << "the download never started";
  (*first)->send_signal(SIGINT);
  const auto interrupted = (*first)->wait(30s);
  ASSERT_EQ(interrupted.exit_code, 130) << describe(interrupted);
  const auto suspended = json_of(interrupted);
  ASSERT_EQ(suspended["state"], "SUSPENDED") << suspended.dump();
  EXPECT_EQ(suspended["origin_ignores_range"], true) << suspended.dump();
  const auto first_bytes = suspended["from_origin"].get<std::uint64_t>();
  ASSERT_GT(first_bytes, 0u) << suspended.dump();
  ASSERT_LT(first_bytes, size) << "interrupted before the end: " << suspended.dump();
  EXPECT_EQ(suspended["refetched"], 0) << suspended.dump();

  const auto resumed = run_child(command, out_, 90s);

  ASSERT_EQ(resumed.exit_code, 0) << describe(resumed);
  EXPECT_EQ(sha256_file(path).value_or(""), sha);
  const auto done = json_of(resumed);
  EXPECT_EQ(done["job"], suspended["job"]) << "the same job, resumed";
  EXPECT_EQ(done["resumed"], true);
  EXPECT_EQ(done["origin_ignores_range"], true) << done.dump();
  EXPECT_EQ(done["from_origin"], size) << done.dump();
  EXPECT_EQ(done["refetched"], first_bytes) << done.dump();
  EXPECT_NE(resumed.err.find(R"("origin_ignores_range":true)"), std::string::npos)
      << "the progress lines say it too:\n"
      << resumed.err;
  // Never more counted than nginx sent for the file (its probes' aborted bodies included).
  ASSERT_TRUE(nginx_->wait_until_idle(10s));
  EXPECT_GE(nginx_->body_bytes_sent("/norange/big.bin"), size + first_bytes);
}

// A get whose home another get holds waits for it (saying for which process), and can be
// interrupted while it waits; once the home is free it runs. Before, it failed on the lock.
TEST_F(CliGetTest, SecondGetOnTheSameHomeWaitsSayingForWhom) {
  serve("slow/big.bin", 8 << 20);
  const auto small_sha = serve("small.bin", 1000);
  auto first = ChildProcess::spawn(
      cli({"get", nginx_->url("/slow/big.bin"), "-o", (out_ / "big.bin").string(), "--home",
           home_.string(), "--limit-rate", "2M"}),
      {.cwd = out_});
  ASSERT_TRUE(first) << first.error();
  ASSERT_TRUE(wait_for_temporary_file(out_, "big.bin", 20s)) << "the download never started";
  const std::string waiting = "swarmcopy: waiting for another swarmcopy (pid " +
                              std::to_string((*first)->pid()) + ") to finish with " +
                              home_.string();
  const auto says_waiting = [&](const std::string& err) {
    return err.find(waiting) != std::string::npos;
  };
  const std::vector<std::string> small =
      cli({"get", nginx_->url("/small.bin"), "-o", (out_ / "small.bin").string(), "--home",
           home_.string(), "--json"});

  // Interrupted while it waits: exit 130, no job, nothing at PATH.
  auto impatient = ChildProcess::spawn(small, {.cwd = out_});
  ASSERT_TRUE(impatient) << impatient.error();
  ASSERT_TRUE((*impatient)->wait_for_error_output(says_waiting, 20s));
  (*impatient)->send_signal(SIGINT);
  const auto interrupted = (*impatient)->wait(20s);
  EXPECT_EQ(interrupted.exit_code, 130) << describe(interrupted);
  EXPECT_TRUE(json_of(interrupted)["job"].is_null()) << interrupted.out;
  EXPECT_FALSE(fs::exists(out_ / "small.bin"));

  // Waits while the first runs, then runs once it has stopped.
  auto second = ChildProcess::spawn(small, {.cwd = out_});
  ASSERT_TRUE(second) << second.error();
  ASSERT_TRUE((*second)->wait_for_error_output(says_waiting, 20s));
  EXPECT_TRUE((*second)->running()) << "it waits rather than failing on the lock";
  EXPECT_FALSE(fs::exists(out_ / "small.bin"));
  (*first)->send_signal(SIGTERM);
  const auto first_result = (*first)->wait(30s);
  EXPECT_EQ(first_result.exit_code, 130) << describe(first_result);
  const auto second_result = (*second)->wait(30s);
  ASSERT_EQ(second_result.exit_code, 0) << describe(second_result);
  EXPECT_EQ(sha256_file(out_ / "small.bin").value_or(""), small_sha);
  EXPECT_EQ(json_of(second_result)["joined"], false);
}

// A second get of the same URL into the same path while the first runs does not fetch the
// file again: it waits, then reports the job the first completed.
TEST_F(CliGetTest, SecondGetOfTheSameFileJoinsTheFirst) {
  const std::uint64_t size = 8 << 20;
  const auto sha = serve("slow/big.bin", size);
  const auto path = out_ / "big.bin";
  const std::vector<std::string> command =
      cli({"get", nginx_->url("/slow/big.bin"), "-o", path.string(), "--home", home_.string(),
           "--json", "--limit-rate", "2M"});
  auto first = ChildProcess::spawn(command, {.cwd = out_});
  ASSERT_TRUE(first) << first.error();
  ASSERT_TRUE(wait_for_temporary_file(out_, "big.bin", 20s)) << "the download never started";
  auto second = ChildProcess::spawn(command, {.cwd = out_});
  ASSERT_TRUE(second) << second.error();

  const auto first_result = (*first)->wait(60s);
  const auto second_result = (*second)->wait(60s);

  ASSERT_EQ(first_result.exit_code, 0) << describe(first_result);
  ASSERT_EQ(second_result.exit_code, 0) << describe(second_result);
  EXPECT_NE(second_result.err.find("waiting for another swarmcopy (pid " +
                                   std::to_string((*first)->pid()) + ")"),
            std::string::npos)
      << second_result.err;
  const auto first_json = json_of(first_result);
  const auto second_json = json_of(second_result);
  EXPECT_EQ(second_json["job"], first_json["job"]) << "the same job";
  EXPECT_EQ(second_json["joined"], true);
  EXPECT_EQ(second_json["state"], "ACKNOWLEDGED");
  EXPECT_EQ(second_json["bytes"], size);
  EXPECT_EQ(sha256_file(path).value_or(""), sha);
  // Once, and the first get's two one-byte probes (Range: bytes=0-0): with no .torrent and no
  // --sha256, whether the origin names the file's digest (Repr-Digest), then the transfer's own.
  EXPECT_EQ(nginx_->body_bytes_sent("/slow/big.bin"), size + 2) << "the origin sent it once";
  EXPECT_EQ(entries_of(out_), std::vector<std::string>{"big.bin"});
}

// A refused port is a transient error: get says so on stderr (not a terminal here) while it
// retries, and gives up at --no-progress-timeout with the last error in words.
TEST_F(CliGetTest, RefusedPortIsHeardAndGivesUpAtTheNoProgressTimeout) {
  RefusingPort origin;
  ASSERT_NE(origin.port(), 0);
  const auto path = out_ / "file.bin";

  const auto result = get({origin.url("/file.bin"), "-o", path.string(), "--home", home_.string(),
                           "--no-progress-timeout", "2s", "--json"},
                          out_, 60s);

  EXPECT_EQ(result.exit_code, 2) << describe(result);
  const auto lines = lines_of(result.err);
  ASSERT_GE(lines.size(), 2u) << describe(result);
  EXPECT_TRUE(lines.front().starts_with("swarmcopy: retrying: ")) << describe(result);
  EXPECT_NE(lines.front().find(origin.url("/file.bin")), std::string::npos) << lines.front();
  EXPECT_TRUE(lines.back().starts_with("swarmcopy: error: no progress for ")) << describe(result);
  EXPECT_NE(lines.back().find("no-progress timeout 2 s"), std::string::npos) << lines.back();
  EXPECT_NE(lines.back().find("(network error)"), std::string::npos) << lines.back();
  EXPECT_EQ(lines.back().find("(http 7)"), std::string::npos) << "words, not a CURLcode";
  const auto json = json_of(result);
  EXPECT_EQ(json["state"], "ERROR") << json.dump();
  EXPECT_EQ(json["error"]["kind"], "transport") << json.dump();
  EXPECT_TRUE(entries_of(out_).empty());
}

TEST_F(CliGetTest, NoProgressTimeoutTakesDurationUnitsAndRejectsOthers) {
  const auto bad = get({nginx_->url("/x.bin"), "--no-progress-timeout", "5 parsecs"});
  EXPECT_EQ(bad.exit_code, 1) << describe(bad);
  EXPECT_NE(bad.err.find("--no-progress-timeout"), std::string::npos) << describe(bad);

  const auto help = run_child(cli({"get", "--help"}), out_, 30s);
  EXPECT_NE(help.out.find("--no-progress-timeout"), std::string::npos) << describe(help);
}

// Killed while nothing has arrived, get leaves no job to resume: the next identical command
// starts a new one (resumed: false) instead of finding a SUSPENDED leftover.
TEST_F(CliGetTest, InterruptBeforeAnyByteLeavesNoJobBehind) {
  RefusingPort origin;
  ASSERT_NE(origin.port(), 0);
  const auto path = out_ / "file.bin";
  const std::vector<std::string> command = cli(
      {"get", origin.url("/file.bin"), "-o", path.string(), "--home", home_.string(), "--json"});

  auto first = ChildProcess::spawn(command, {.cwd = out_});
  ASSERT_TRUE(first) << first.error();
  ASSERT_TRUE((*first)->wait_for_error_output(
      [](const std::string& err) { return err.find("swarmcopy: retrying: ") != std::string::npos; },
      30s))
      << "the transient error was never printed";
  (*first)->send_signal(SIGTERM);
  const auto interrupted = (*first)->wait(30s);

  ASSERT_EQ(interrupted.exit_code, 130) << describe(interrupted);
  const auto json = json_of(interrupted);
  EXPECT_EQ(json["state"], "CANCELLED") << json.dump();
  EXPECT_TRUE(entries_of(out_).empty());

  auto rerun = command;
  rerun.insert(rerun.end(), {"--no-progress-timeout", "0"});
  const auto second = run_child(rerun, out_, 60s);
  EXPECT_EQ(second.exit_code, 2) << describe(second);
  const auto again = json_of(second);
  EXPECT_EQ(again["resumed"], false) << "no job was left to resume: " << again.dump();
  EXPECT_NE(again["job"], json["job"]) << again.dump();
}

TEST_F(CliGetTest, CreateDirsMakesTheMissingParentDirectories) {
  const auto sha = serve("file.bin", 50000);
  const auto path = out_ / "a" / "b" / "c" / "file.bin";

  const auto result = get({nginx_->url("/file.bin"), "-o", path.string(), "--create-dirs", "--home",
                           home_.string(), "--json"});

  ASSERT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_EQ(sha256_file(path).value_or(""), sha);
  struct stat made {};
  ASSERT_EQ(::stat((out_ / "a").c_str(), &made), 0);
  EXPECT_EQ(made.st_uid, ::getuid()) << "made as the calling user";
  EXPECT_EQ(entries_of(out_ / "a" / "b" / "c"), std::vector<std::string>{"file.bin"});

  // Into a directory that does not exist yet (trailing '/'): the URL's file name in it.
  const auto into = get({nginx_->url("/file.bin"), "-o", (out_ / "new" / "dir").string() + "/",
                         "--create-dirs", "--home", home_.string()});
  ASSERT_EQ(into.exit_code, 0) << describe(into);
  EXPECT_EQ(sha256_file(out_ / "new" / "dir" / "file.bin").value_or(""), sha);
}

TEST_F(CliGetTest, WithoutCreateDirsAMissingDirectoryIsAnErrorAndNothingIsMade) {
  serve("file.bin", 50000);
  const auto path = out_ / "missing" / "file.bin";

  const auto result =
      get({nginx_->url("/file.bin"), "-o", path.string(), "--home", home_.string()});

  EXPECT_EQ(result.exit_code, 2) << describe(result);
  const auto lines = lines_of(result.err);
  ASSERT_EQ(lines.size(), 1u) << describe(result);
  EXPECT_NE(lines[0].find("directory does not exist"), std::string::npos) << lines[0];
  EXPECT_FALSE(fs::exists(out_ / "missing"));
}

TEST_F(CliGetTest, CreateDirsThatCannotBeMadeIsAFailureNamingTheDirectory) {
  serve("file.bin", 50000);
  std::ofstream(out_ / "plain") << "a file, not a directory";
  const auto directory = out_ / "plain" / "sub";

  const auto result = get({nginx_->url("/file.bin"), "-o", (directory / "file.bin").string(),
                           "--create-dirs", "--home", home_.string(), "--json"});

  EXPECT_EQ(result.exit_code, 2) << describe(result);
  const auto lines = lines_of(result.err);
  ASSERT_EQ(lines.size(), 1u) << describe(result);
  EXPECT_NE(lines[0].find("cannot create the destination's directory"), std::string::npos)
      << lines[0];
  EXPECT_TRUE(lines[0].ends_with(": " + directory.string())) << lines[0];
  const auto json = json_of(result);
  EXPECT_TRUE(json["job"].is_null());
  EXPECT_EQ(json["error"]["kind"], "local_io");
  EXPECT_FALSE(fs::exists(home_)) << "no engine was opened";
}

}  // namespace
}  // namespace swarmcopy::test
