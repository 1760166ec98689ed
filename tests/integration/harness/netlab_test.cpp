// NetworkLab against the real kernel: namespaces on one bridge reach each other over TCP and
// multicast (the LSD group), close() and the destructor leave nothing behind, processes die with
// the lab, clean_leftovers removes what a crashed lab left, tc shapes a link. Needs root; every
// test that touches the network skips without it.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "netlab_test_helpers.h"
#include "swarmcopy/harness/clean_leftovers.h"
#include "swarmcopy/harness/network_lab.h"
#include "swarmcopy/harness/privileges.h"
#include "swarmcopy/harness/run_command.h"

extern char** environ;

namespace swarmcopy::harness {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// True once `pid` is gone or a zombie (another parent's to reap), within `timeout`.
bool dies_within(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    if (!stat || !std::getline(stat, text)) return true;
    const size_t paren = text.rfind(')');
    if (paren != std::string::npos && paren + 2 < text.size() && text[paren + 2] == 'Z') {
      return true;
    }
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
}

std::string random_hex(int digits) {
  std::random_device device;
  std::string text;
  for (int i = 0; i < digits; ++i) text += "0123456789abcdef"[device() % 16];
  return text;
}

class NetworkLabTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto allowed = check_privileges(); !allowed) GTEST_SKIP() << allowed.error().message;
  }

  std::unique_ptr<NetworkLab> make_lab(const std::vector<std::string>& names) {
    auto lab = NetworkLab::create();
    EXPECT_TRUE(lab.has_value()) << lab.error().message;
    if (!lab) return nullptr;
    for (const auto& name : names) {
      auto ns = (*lab)->add_namespace(name);
      EXPECT_TRUE(ns.has_value()) << ns.error().message;
    }
    return std::move(*lab);
  }

  // Runs the probe in `ns` and waits for it (bounded); its stdout, or "" with a failure.
  std::string run_probe(NetworkLab& lab, const std::string& ns, std::vector<std::string> args) {
    args.insert(args.begin(), kProbe);
    auto process = lab.run_in(ns, args);
    EXPECT_TRUE(process.has_value()) << process.error().message;
    if (!process) return {};
    auto code = process->wait(20s);
    EXPECT_TRUE(code.has_value()) << code.error().message;
    EXPECT_EQ(code.value_or(std::nullopt), std::optional<int>(0))
        << ns << ": " << slurp(process->stderr_path());
    return slurp(process->stdout_path());
  }
};

TEST(NetworkLabPrivilegesTest, CreateWithoutRootFailsWithClearMessage) {
  if (::geteuid() != 0) {
    auto lab = NetworkLab::create();
    ASSERT_FALSE(lab.has_value());
    EXPECT_NE(lab.error().message.find("network namespaces need root (CAP_NET_ADMIN)"),
              std::string::npos);
    return;
  }
  // As root: a child that drops to nobody, where the check has to say no.
  int report[2];
  ASSERT_EQ(::pipe(report), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(report[0]);
    if (::setresgid(65534, 65534, 65534) != 0 || ::setresuid(65534, 65534, 65534) != 0) {
      ::_exit(3);
    }
    auto lab = NetworkLab::create();
    const std::string message = lab ? "created" : lab.error().message;
    [[maybe_unused]] ssize_t ignored = ::write(report[1], message.data(), message.size());
    ::_exit(lab ? 1 : 0);
  }
  ::close(report[1]);
  std::string message;
  char buffer[512];
  for (ssize_t got; (got = ::read(report[0], buffer, sizeof(buffer))) > 0;) {
    message.append(buffer, static_cast<size_t>(got));
  }
  ::close(report[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << message;
  EXPECT_NE(message.find("network namespaces need root (CAP_NET_ADMIN)"), std::string::npos)
      << message;
}

TEST(NetworkLabPrivilegesTest, CleanLeftoversRefusesPrefixesThatCouldMatchTheHost) {
  for (const char* prefix : {"", "-", "eth", "sc", "veth", "a/b-", "../"}) {
    auto cleaned = clean_leftovers(prefix);
    ASSERT_FALSE(cleaned.has_value()) << prefix;
    EXPECT_EQ(cleaned.error().kind, api::ErrorKind::kInvalidArgument) << prefix;
  }
}

TEST_F(NetworkLabTest, NamespacesGetPrefixedNamesAddressesLoopbackAndMulticastRoute) {
  auto lab = make_lab({"a", "b"});
  ASSERT_TRUE(lab);
  EXPECT_EQ(lab->id().size(), 6u);
  EXPECT_EQ(lab->id().find_first_not_of("0123456789abcdef"), std::string::npos) << lab->id();
  EXPECT_EQ(lab->prefix(), "sc-" + lab->id() + "-");
  EXPECT_EQ(lab->bridge(), lab->prefix() + "br");
  EXPECT_LE(lab->bridge().size(), 15u);
  const auto& namespaces = lab->namespaces();
  ASSERT_EQ(namespaces.size(), 2u);
  EXPECT_NE(namespaces[0].address, namespaces[1].address);
  EXPECT_EQ(lab->address_of("b").value_or(""), namespaces[1].address);
  EXPECT_FALSE(lab->address_of("nope").has_value());
  EXPECT_FALSE(lab->add_namespace("a").has_value()) << "duplicate names are refused";
  EXPECT_FALSE(lab->add_namespace("x y").has_value()) << "names are checked";

  for (const auto& ns : namespaces) {
    EXPECT_TRUE(ns.netns.starts_with(lab->prefix()));
    EXPECT_TRUE(ns.host_veth.starts_with(lab->prefix()));
    EXPECT_LE(ns.host_veth.size(), 15u);
    EXPECT_NE(output_of({"ip", "-o", "link", "show", ns.host_veth}).find("master " + lab->bridge()),
              std::string::npos);
    EXPECT_NE(output_of({"ip", "-n", ns.netns, "route", "show"}).find("224.0.0.0/4 dev eth0"),
              std::string::npos);
    EXPECT_NE(output_of({"ip", "-n", ns.netns, "-o", "link", "show", "lo"}).find("UP"),
              std::string::npos);
    // run_in really runs inside: the namespace's own `ip addr` shows its address.
    auto process = lab->run_in(ns.name, {"ip", "-o", "-4", "addr", "show", "dev", "eth0"});
    ASSERT_TRUE(process.has_value()) << process.error().message;
    ASSERT_EQ(process->wait(10s).value_or(std::nullopt), std::optional<int>(0));
    EXPECT_NE(slurp(process->stdout_path()).find(ns.address + "/24"), std::string::npos);
  }
}

TEST_F(NetworkLabTest, TcpConnectCrossesTheBridge) {
  auto lab = make_lab({"a", "b"});
  ASSERT_TRUE(lab);
  auto listener = lab->run_in("a", {kProbe, "tcp-listen", "7001", "20"});
  ASSERT_TRUE(listener.has_value()) << listener.error().message;
  ASSERT_TRUE(listener->wait_for_stdout("listening", 10s)) << slurp(listener->stderr_path());

  const std::string sent =
      run_probe(*lab, "b", {"tcp-send", lab->address_of("a").value(), "7001", "100000", "20"});
  EXPECT_NE(sent.find("sent 100000 bytes"), std::string::npos) << sent;
  ASSERT_EQ(listener->wait(20s).value_or(std::nullopt), std::optional<int>(0))
      << slurp(listener->stderr_path());
  EXPECT_NE(slurp(listener->stdout_path())
                .find("received 100000 bytes from " + lab->address_of("b").value() + " "),
            std::string::npos)
      << slurp(listener->stdout_path());
}

TEST_F(NetworkLabTest, MulticastToTheLsdGroupReachesEveryOtherNamespace) {
  auto lab = make_lab({"a", "b", "c"});
  ASSERT_TRUE(lab);
  std::vector<LabProcess> listeners;
  for (const char* ns : {"b", "c"}) {
    auto listener = lab->run_in(ns, {kProbe, "mcast-listen", kLsdGroup, kLsdPort, "20"});
    ASSERT_TRUE(listener.has_value()) << listener.error().message;
    ASSERT_TRUE(listener->wait_for_stdout("joined", 10s)) << slurp(listener->stderr_path());
    listeners.push_back(*listener);
  }
  // A few datagrams, so that one lost to a port still coming up cannot fail the test.
  run_probe(*lab, "a", {"mcast-send", kLsdGroup, kLsdPort, "hello-lsd", "5", "100"});
  for (auto& listener : listeners) {
    ASSERT_EQ(listener.wait(20s).value_or(std::nullopt), std::optional<int>(0))
        << slurp(listener.stderr_path());
    EXPECT_NE(
        slurp(listener.stdout_path()).find("got 'hello-lsd' from " + lab->address_of("a").value()),
        std::string::npos)
        << slurp(listener.stdout_path());
  }
}

// Why the lab adds the route: a namespace with no default route can neither send to a group
// nor join one.
TEST_F(NetworkLabTest, WithoutTheMulticastRouteSendingFails) {
  auto lab = make_lab({"a"});
  ASSERT_TRUE(lab);
  ASSERT_TRUE(run_checked({"ip", "-n", lab->namespaces()[0].netns, "route", "del", "224.0.0.0/4"}));
  auto sender = lab->run_in("a", {kProbe, "mcast-send", kLsdGroup, kLsdPort, "x", "1", "0"});
  ASSERT_TRUE(sender.has_value()) << sender.error().message;
  EXPECT_EQ(sender->wait(10s).value_or(std::nullopt), std::optional<int>(1));
  EXPECT_NE(slurp(sender->stderr_path()).find("Network is unreachable"), std::string::npos)
      << slurp(sender->stderr_path());
  // Nor join one: IP_ADD_MEMBERSHIP on INADDR_ANY picks the interface by routing the group.
  auto listener = lab->run_in("a", {kProbe, "mcast-listen", kLsdGroup, kLsdPort, "1"});
  ASSERT_TRUE(listener.has_value()) << listener.error().message;
  EXPECT_EQ(listener->wait(10s).value_or(std::nullopt), std::optional<int>(1));
  EXPECT_NE(slurp(listener->stderr_path()).find("IP_ADD_MEMBERSHIP: No such device"),
            std::string::npos)
      << slurp(listener->stderr_path());
}

TEST_F(NetworkLabTest, AnUnpluggedNamespaceIsUnreachableUntilPluggedBack) {
  auto lab = make_lab({"a", "b"});
  ASSERT_TRUE(lab);
  auto listener = lab->run_in("a", {kProbe, "tcp-listen", "7002", "30"});
  ASSERT_TRUE(listener.has_value()) << listener.error().message;
  ASSERT_TRUE(listener->wait_for_stdout("listening", 10s)) << slurp(listener->stderr_path());
  const std::string address = lab->address_of("a").value();

  ASSERT_TRUE(lab->set_connected("a", false).has_value());
  auto cut_off = lab->run_in("b", {kProbe, "tcp-send", address, "7002", "1000", "2"});
  ASSERT_TRUE(cut_off.has_value()) << cut_off.error().message;
  auto code = cut_off->wait(20s);
  ASSERT_TRUE(code.has_value() && code->has_value());
  EXPECT_NE(**code, 0) << "reached an unplugged namespace: " << slurp(cut_off->stdout_path());

  ASSERT_TRUE(lab->set_connected("a", true).has_value());
  const std::string sent = run_probe(*lab, "b", {"tcp-send", address, "7002", "1000", "20"});
  EXPECT_NE(sent.find("sent 1000 bytes"), std::string::npos) << sent;
  EXPECT_FALSE(lab->set_connected("nobody", false).has_value());
}

TEST_F(NetworkLabTest, CloseRemovesEveryNamespaceLinkAndTheBridge) {
  auto lab = make_lab({"a", "b", "c"});
  ASSERT_TRUE(lab);
  const std::string prefix = lab->prefix();
  EXPECT_EQ(names_with(prefix).size(), 3u + 3u + 1u) << "3 namespaces, 3 host veths, a bridge";
  const auto work_dir = lab->work_dir();
  EXPECT_TRUE(std::filesystem::is_directory(work_dir));

  auto closed = lab->close();
  EXPECT_TRUE(closed.has_value()) << closed.error().message;
  EXPECT_TRUE(lab->closed());
  EXPECT_EQ(names_with(prefix), std::vector<std::string>{});
  EXPECT_FALSE(std::filesystem::exists(work_dir));
  EXPECT_TRUE(lab->close().has_value()) << "close is idempotent";
  EXPECT_FALSE(lab->add_namespace("d").has_value());
  EXPECT_FALSE(lab->run_in("a", {"true"}).has_value());
}

TEST_F(NetworkLabTest, DestructorRemovesEverythingToo) {
  std::string prefix;
  {
    auto lab = make_lab({"a", "b"});
    ASSERT_TRUE(lab);
    prefix = lab->prefix();
    ASSERT_TRUE(lab->run_in("a", {"sleep", "300"}).has_value());
    EXPECT_EQ(names_with(prefix).size(), 5u);
  }
  EXPECT_EQ(names_with(prefix), std::vector<std::string>{});
}

TEST_F(NetworkLabTest, CloseKillsItsProcessesWhatTheyForkedAndWhatLeftTheGroup) {
  auto lab = make_lab({"a"});
  ASSERT_TRUE(lab);
  // A shell that forks a sleep (same process group), and a sleep that left for its own session
  // (setsid forks, since our child already leads a group): the namespace still holds it.
  auto shell = lab->run_in("a", {"sh", "-c", "sleep 300 & echo forked $!; wait"});
  ASSERT_TRUE(shell.has_value()) << shell.error().message;
  ASSERT_TRUE(shell->wait_for_stdout("forked ", 10s));
  auto escaped = lab->run_in("a", {"setsid", "sleep", "300"});
  ASSERT_TRUE(escaped.has_value()) << escaped.error().message;

  const std::string forked_line = slurp(shell->stdout_path());
  pid_t forked = 0;
  const size_t at = forked_line.find("forked ") + 7;
  std::from_chars(forked_line.data() + at, forked_line.data() + forked_line.size(), forked);
  ASSERT_GT(forked, 1);

  // Everything in the namespace: the shell, its sleep, the setsid'ed sleep (the setsid parent
  // may have exited already).
  std::vector<pid_t> inside;
  const auto deadline = Clock::now() + 10s;
  while (inside.size() < 3 && Clock::now() < deadline) {
    inside.clear();
    std::istringstream pids(output_of({"ip", "netns", "pids", lab->namespaces()[0].netns}));
    for (pid_t pid; pids >> pid;) {
      if (pid != escaped->pid()) inside.push_back(pid);
    }
    if (inside.size() < 3) std::this_thread::sleep_for(10ms);
  }
  ASSERT_GE(inside.size(), 3u);
  EXPECT_TRUE(shell->running());

  const auto closed = lab->close();
  ASSERT_TRUE(closed.has_value()) << closed.error().message;
  EXPECT_FALSE(shell->running());
  EXPECT_EQ(shell->wait(1s).value_or(std::nullopt), std::optional<int>(128 + SIGKILL));
  EXPECT_TRUE(dies_within(forked, 5s)) << "the shell's child " << forked;
  for (pid_t pid : inside) EXPECT_TRUE(dies_within(pid, 5s)) << "pid " << pid;
}

TEST_F(NetworkLabTest, WaitReportsExitCodesTimeoutsAndKills) {
  auto lab = make_lab({"a"});
  ASSERT_TRUE(lab);
  auto exits = lab->run_in("a", {"sh", "-c", "echo out; echo err >&2; exit 3"});
  ASSERT_TRUE(exits.has_value()) << exits.error().message;
  EXPECT_EQ(exits->wait(10s).value_or(std::nullopt), std::optional<int>(3));
  EXPECT_EQ(exits->wait(0ms).value_or(std::nullopt), std::optional<int>(3)) << "asked twice";
  EXPECT_EQ(slurp(exits->stdout_path()), "out\n");
  EXPECT_EQ(slurp(exits->stderr_path()), "err\n");

  auto sleeps = lab->run_in("a", {"sleep", "300"});
  ASSERT_TRUE(sleeps.has_value());
  auto still = sleeps->wait(100ms);
  ASSERT_TRUE(still.has_value());
  EXPECT_EQ(*still, std::nullopt);
  EXPECT_TRUE(sleeps->running());
  sleeps->kill(SIGTERM);
  EXPECT_EQ(sleeps->wait(10s).value_or(std::nullopt), std::optional<int>(128 + SIGTERM));

  auto missing = lab->run_in("a", {"/nonexistent/program"});
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message.find("/nonexistent/program"), std::string::npos);
  EXPECT_FALSE(lab->run_in("nope", {"true"}).has_value());
}

TEST_F(NetworkLabTest, ShapingLimitsTheRateBothWays) {
  auto lab = make_lab({"a", "b"});
  ASSERT_TRUE(lab);
  const LabNamespace b = lab->namespaces()[1];
  auto bad = lab->shape("b", Shaping{"fast", 0});
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().kind, api::ErrorKind::kInvalidArgument);

  auto shaped = lab->shape("b", Shaping{"8mbit", 0});
  ASSERT_TRUE(shaped.has_value()) << shaped.error().message;
  EXPECT_NE(output_of({"tc", "qdisc", "show", "dev", b.host_veth}).find("tbf"), std::string::npos);
  EXPECT_NE(output_of({"tc", "-n", b.netns, "qdisc", "show", "dev", "eth0"}).find("rate 8Mbit"),
            std::string::npos);

  // 1 MB at 8 Mbit/s takes about a second; unshaped, a veth moves it in milliseconds. Into b
  // (the host end's qdisc) and out of b (the namespace end's).
  auto transfer_ms = [&](const std::string& from, const std::string& to, const std::string& port) {
    auto listener = lab->run_in(to, {kProbe, "tcp-listen", port, "30"});
    EXPECT_TRUE(listener.has_value());
    if (!listener || !listener->wait_for_stdout("listening", 10s)) return -1;
    run_probe(*lab, from, {"tcp-send", lab->address_of(to).value(), port, "1000000", "30"});
    EXPECT_EQ(listener->wait(30s).value_or(std::nullopt), std::optional<int>(0));
    const std::string report = slurp(listener->stdout_path());
    const size_t in = report.find(" in ");
    int ms = -1;
    if (in != std::string::npos) {
      std::from_chars(report.data() + in + 4, report.data() + report.size(), ms);
    }
    return ms;
  };
  for (const auto& [from, to, port] :
       {std::tuple{"a", "b", "7002"}, std::tuple{"b", "a", "7003"}}) {
    const int ms = transfer_ms(from, to, port);
    EXPECT_GE(ms, 700) << from << " -> " << to;
    EXPECT_LE(ms, 10'000) << from << " -> " << to;
  }

  ASSERT_TRUE(lab->shape("b", Shaping{}).has_value()) << "an empty Shaping removes it";
  EXPECT_EQ(output_of({"tc", "qdisc", "show", "dev", b.host_veth}).find("tbf"), std::string::npos);
  EXPECT_TRUE(lab->shape("b", Shaping{}).has_value()) << "and again: nothing to remove is fine";
}

TEST_F(NetworkLabTest, LatencyUsesNetemOrSaysTheKernelLacksIt) {
  auto lab = make_lab({"a"});
  ASSERT_TRUE(lab);
  auto shaped = lab->shape("a", Shaping{"100mbit", 20});
  if (!shaped) {
    ASSERT_NE(shaped.error().message.find("netem"), std::string::npos) << shaped.error().message;
    GTEST_SKIP() << shaped.error().message;
  }
  const std::string shown =
      output_of({"tc", "qdisc", "show", "dev", lab->namespaces()[0].host_veth});
  EXPECT_NE(shown.find("netem"), std::string::npos) << shown;
  EXPECT_NE(shown.find("delay 20ms"), std::string::npos) << shown;
}

TEST_F(NetworkLabTest, TwoLabsAtOnceDoNotCollide) {
  auto first = make_lab({"a"});
  auto second = make_lab({"a"});
  ASSERT_TRUE(first && second);
  EXPECT_NE(first->id(), second->id());
  EXPECT_NE(first->bridge(), second->bridge());
  EXPECT_NE(first->subnet(), second->subnet());
  EXPECT_NE(first->namespaces()[0].netns, second->namespaces()[0].netns);
}

TEST_F(NetworkLabTest, CallerChosenSubnetWorkDirAndOutputFiles) {
  for (const char* bad : {"10.1.2.0", "10.1.2.0/8", "10.1.2.0/30", "10.1.2/24", "x/24"}) {
    LabOptions options;
    options.subnet = bad;
    auto lab = NetworkLab::create(options);
    ASSERT_FALSE(lab.has_value()) << bad;
    EXPECT_EQ(lab.error().kind, api::ErrorKind::kInvalidArgument) << bad;
  }
  LabOptions long_prefix;
  long_prefix.prefix = "swarm-";
  EXPECT_FALSE(NetworkLab::create(long_prefix).has_value()) << "too long for 15-char names";

  const auto dir = std::filesystem::temp_directory_path() / ("netlab-test-" + random_hex(8));
  struct RemoveDir {
    std::filesystem::path dir;
    ~RemoveDir() {
      std::error_code ignored;
      std::filesystem::remove_all(dir, ignored);
    }
  } remove_dir{dir};
  {
    LabOptions options;
    options.subnet = "10.99.7.77/29";
    options.work_dir = dir;
    auto lab = NetworkLab::create(options);
    ASSERT_TRUE(lab.has_value()) << lab.error().message;
    EXPECT_EQ((*lab)->subnet(), "10.99.7.72/29");
    for (const char* name : {"a", "b", "c", "d", "e"}) {
      auto ns = (*lab)->add_namespace(name);
      ASSERT_TRUE(ns.has_value()) << ns.error().message;
      EXPECT_EQ(ns->prefix_length, 29);
    }
    EXPECT_EQ((*lab)->address_of("a").value_or(""), "10.99.7.74");
    EXPECT_EQ((*lab)->address_of("e").value_or(""), "10.99.7.78");
    auto full = (*lab)->add_namespace("f");
    ASSERT_FALSE(full.has_value()) << "a /29: six hosts, .1 kept free, .79 broadcast";
    EXPECT_EQ(full.error().kind, api::ErrorKind::kLimitExceeded);

    auto in_dir = (*lab)->run_in("a", {"sh", "-c", "echo in-dir"});
    ASSERT_TRUE(in_dir.has_value());
    EXPECT_EQ(in_dir->stdout_path().parent_path(), dir);
    const auto chosen = dir / "chosen.txt";
    RunOptions run_options;
    run_options.stdout_path = chosen;
    run_options.env = {{"GREETING", "hi"}};
    auto named = (*lab)->run_in("b", {"sh", "-c", "echo \"$GREETING\""}, run_options);
    ASSERT_TRUE(named.has_value());
    ASSERT_EQ(named->wait(10s).value_or(std::nullopt), std::optional<int>(0));
    ASSERT_EQ(in_dir->wait(10s).value_or(std::nullopt), std::optional<int>(0));
    EXPECT_EQ(slurp(chosen), "hi\n");
  }
  EXPECT_TRUE(std::filesystem::exists(dir / "chosen.txt")) << "a caller's work_dir stays";
}

// A lab that died before its destructor ran: namespaces (one with a process inside), veths, a
// bridge — made here with `ip` itself. A link of another kind with the same prefix stays.
TEST_F(NetworkLabTest, CleanLeftoversRemovesWhatACrashedLabLeft) {
  const std::string prefix = "t" + random_hex(5) + "-";
  struct Guard {
    std::string prefix;
    ~Guard() {
      (void)clean_leftovers(prefix);
      (void)run_command({"ip", "link", "delete", prefix + "ifb"});
    }
  } guard{prefix};

  for (const std::vector<std::string>& step : std::vector<std::vector<std::string>>{
           {"ip", "netns", "add", prefix + "n1"},
           {"ip", "netns", "add", prefix + "n2"},
           {"ip", "link", "add", prefix + "br", "type", "bridge"},
           {"ip", "link", "add", prefix + "h1", "type", "veth", "peer", "name", "eth0", "netns",
            prefix + "n1"},
           {"ip", "link", "set", prefix + "h1", "master", prefix + "br"},
           {"ip", "link", "add", prefix + "h2", "type", "veth", "peer", "name", prefix + "p2"},
       }) {
    auto done = run_checked(step);
    ASSERT_TRUE(done.has_value()) << done.error().message;
  }
  const bool have_ifb = run_command({"ip", "link", "add", prefix + "ifb", "type", "ifb"})
                            .value_or(CommandResult{})
                            .exit_code == 0;

  // A process left inside n1, as a crashed lab's peer would be.
  auto ip = find_program("ip");
  ASSERT_TRUE(ip.has_value());
  std::vector<std::string> args{*ip, "netns", "exec", prefix + "n1", "sleep", "300"};
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t sleeper = -1;
  ASSERT_EQ(::posix_spawn(&sleeper, ip->c_str(), nullptr, nullptr, argv.data(), environ), 0);
  const auto deadline = Clock::now() + 10s;
  while (output_of({"ip", "netns", "pids", prefix + "n1"}).empty() && Clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_FALSE(output_of({"ip", "netns", "pids", prefix + "n1"}).empty());

  auto removed = clean_leftovers(prefix);
  ASSERT_TRUE(removed.has_value()) << removed.error().message;
  for (const char* name : {"n1", "n2", "br", "h2"}) {
    EXPECT_NE(std::find(removed->begin(), removed->end(), prefix + name), removed->end()) << name;
  }
  int status = 0;
  pid_t reaped = 0;
  for (int i = 0; i < 500 && reaped == 0; ++i) {
    reaped = ::waitpid(sleeper, &status, WNOHANG);
    if (reaped == 0) std::this_thread::sleep_for(10ms);
  }
  ASSERT_EQ(reaped, sleeper) << "the process inside n1 was not killed";
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

  std::vector<std::string> expected;
  if (have_ifb) expected.push_back("link " + prefix + "ifb");
  EXPECT_EQ(names_with(prefix), expected) << "only the ifb link (not a kind labs make) stays";
  auto again = clean_leftovers(prefix);
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(again->empty());
}

}  // namespace
}  // namespace swarmcopy::harness
