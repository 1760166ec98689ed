#include "swarmcopy/harness/network_lab.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <random>
#include <system_error>
#include <tuple>

#include "lab_process_state.h"
#include "netns_ops.h"
#include "rate.h"
#include "site_links.h"
#include "swarmcopy/harness/privileges.h"
#include "swarmcopy/harness/run_command.h"

extern char** environ;

namespace swarmcopy::harness {
namespace {

namespace fs = std::filesystem;
using util::UniqueFd;

constexpr size_t kMaxInterfaceName = 15;  // IFNAMSIZ - 1
constexpr int kIdAttempts = 16;
constexpr int kMaxSubnets = 16;  // "scl-3fa9c1-br15": 15 characters

std::unexpected<api::Error> caller_error(std::string message) {
  return api::fail(api::ErrorContext::kCaller, api::ErrorKind::kInvalidArgument,
                   std::move(message));
}

std::unexpected<api::Error> os_error(std::string what, int error_number, std::string file = {}) {
  return api::fail(api::ErrorContext::kLocalFile, api::ErrorKind::kLocalIo,
                   what + ": " + std::strerror(error_number), error_number, std::move(file),
                   api::Protocol::kLocal);
}

// "A.B.C.D/N" with 16 <= N <= 29; the address is masked to the network.
api::Result<std::pair<std::uint32_t, int>> parse_subnet(const std::string& subnet) {
  const size_t slash = subnet.find('/');
  auto bad = [&] {
    return caller_error("bad subnet \"" + subnet + "\": want A.B.C.D/N with N from 16 to 29");
  };
  if (slash == std::string::npos) return bad();
  in_addr raw{};
  if (::inet_pton(AF_INET, subnet.substr(0, slash).c_str(), &raw) != 1) return bad();
  int length = 0;
  const char* begin = subnet.data() + slash + 1;
  const char* end = subnet.data() + subnet.size();
  auto [stop, error] = std::from_chars(begin, end, length);
  if (error != std::errc() || stop != end || length < 16 || length > 29) return bad();
  const std::uint32_t mask = ~std::uint32_t{0} << (32 - length);
  return std::pair{ntohl(raw.s_addr) & mask, length};
}

std::string random_id() {
  std::random_device device;
  const std::uint32_t bits = device() & 0xffffff;
  std::array<char, 8> text{};
  // 0x1000000 | bits has exactly 7 hex digits; the leading 1 keeps the id's zeros.
  auto [end, error] = std::to_chars(text.data(), text.data() + text.size(), bits | 0x1000000, 16);
  return std::string(text.data() + 1, end);
}

// Why a program could not be started: which step failed in the child, and its errno.
struct SpawnFailure {
  int step = 0;
  int error_number = 0;
};
constexpr std::array<const char*, 4> kSpawnSteps{"setns into the namespace", "redirect output",
                                                 "chdir", "execve"};

[[noreturn]] void child_fail(int report_fd, int step) {
  SpawnFailure failure{step, errno};
  [[maybe_unused]] ssize_t ignored = ::write(report_fd, &failure, sizeof(failure));
  ::_exit(127);
}

}  // namespace

api::Result<std::unique_ptr<NetworkLab>> NetworkLab::create(LabOptions options) {
  if (auto allowed = check_privileges(); !allowed) return std::unexpected(allowed.error());
  const std::string& prefix = options.prefix;
  if (prefix.size() < 2 || prefix.size() > 4 || prefix.back() != '-' || !is_safe_name(prefix)) {
    return caller_error("bad lab prefix \"" + prefix +
                        "\": want 2 to 4 characters of [A-Za-z0-9_.-] ending in '-'");
  }
  std::optional<std::pair<std::uint32_t, int>> fixed_subnet;
  if (!options.subnet.empty()) {
    auto parsed = parse_subnet(options.subnet);
    if (!parsed) return std::unexpected(parsed.error());
    fixed_subnet = *parsed;
  }
  if (options.subnets < 1 || options.subnets > kMaxSubnets) {
    return caller_error("bad subnet count " + std::to_string(options.subnets) + ": want 1 to " +
                        std::to_string(kMaxSubnets));
  }
  if (options.subnets > 1 && fixed_subnet && fixed_subnet->second != 24) {
    return caller_error("a lab of several subnets makes one /24 each: subnet \"" + options.subnet +
                        "\" must be a /24");
  }

  std::unique_ptr<NetworkLab> lab(new NetworkLab());
  lab->closed_ = true;  // nothing to tear down until the bridge exists
  auto existing = list_netns();
  if (!existing) return std::unexpected(existing.error());
  // The bridge is the lab's claim on its id: `ip link add` fails with "File exists" when another
  // lab made it first, and then we draw again.
  for (int attempt = 0; attempt < kIdAttempts && lab->closed_; ++attempt) {
    std::string id = random_id();
    if (id.size() != 6 || !is_safe_name(id)) {
      return api::fail(api::ErrorContext::kUnknown, api::ErrorKind::kInternal,
                       "bad lab id \"" + id + "\"");
    }
    std::string lab_prefix = prefix + id + "-";
    const bool used = std::ranges::any_of(
        *existing, [&](const std::string& name) { return name.starts_with(lab_prefix); });
    if (used) continue;
    std::string bridge = lab_prefix + "br";
    auto made = run_command({"ip", "link", "add", bridge, "type", "bridge", "mcast_snooping", "0",
                             "forward_delay", "0"});
    if (!made) return std::unexpected(made.error());
    if (made->exit_code != 0) {
      if (made->err.find("File exists") != std::string::npos) continue;
      return api::fail(api::ErrorContext::kGeneralTransport, api::ErrorKind::kUnavailable,
                       "ip link add " + bridge + " type bridge: " + made->err, made->exit_code,
                       bridge, api::Protocol::kLocal);
    }
    lab->id_ = std::move(id);
    lab->prefix_ = std::move(lab_prefix);
    lab->bridge_ = std::move(bridge);
    lab->closed_ = false;  // from here on the destructor removes what was made
  }
  if (lab->closed_) {
    return api::fail(api::ErrorContext::kGeneralTransport, api::ErrorKind::kUnavailable,
                     "no free lab id under prefix " + prefix + " after " +
                         std::to_string(kIdAttempts) + " attempts");
  }

  std::uint32_t network = 0;
  if (fixed_subnet) {
    std::tie(network, lab->prefix_length_) = *fixed_subnet;
  } else {
    // 10.X.Y.0/24 where XY are the id's last four hex digits ("3fa9c1" → 10.169.193.0/24).
    std::uint32_t bits = 0;
    std::from_chars(lab->id_.data(), lab->id_.data() + lab->id_.size(), bits, 16);
    network = (10u << 24) | ((bits & 0xffff) << 8);
    lab->prefix_length_ = 24;
  }
  lab->subnet_ = ipv4_text(network) + "/" + std::to_string(lab->prefix_length_);
  lab->segments_.push_back(Segment{LabSubnet{0, lab->subnet_, lab->bridge_, ""}, network});

  if (auto up = run_checked({"ip", "link", "set", lab->bridge_, "up"}); !up) {
    return std::unexpected(up.error());
  }
  // The other bridges and the router; whatever of them was made goes with the lab on error.
  if (auto built = lab->build_site(options.subnets); !built) {
    return std::unexpected(built.error());
  }

  std::error_code error;
  if (options.work_dir.empty()) {
    std::string pattern =
        (fs::temp_directory_path(error) / ("swarmcopy-lab-" + lab->id_ + "-XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr) return os_error("mkdtemp", errno, pattern);
    lab->work_dir_ = pattern;
    lab->own_work_dir_ = true;
  } else {
    fs::create_directories(options.work_dir, error);
    if (error) return os_error("create " + options.work_dir.string(), error.value());
    lab->work_dir_ = options.work_dir;
  }
  return lab;
}

NetworkLab::~NetworkLab() { (void)close(); }

api::Result<LabNamespace> NetworkLab::find(std::string_view name) const {
  for (const auto& ns : namespaces_) {
    if (ns.name == name) return ns;
  }
  return api::fail(api::ErrorContext::kCaller, api::ErrorKind::kNotFound,
                   "no namespace \"" + std::string(name) + "\" in lab " + id_);
}

api::Result<std::string> NetworkLab::address_of(std::string_view name) const {
  auto ns = find(name);
  if (!ns) return std::unexpected(ns.error());
  return ns->address;
}

api::Result<LabNamespace> NetworkLab::add_namespace(std::string_view name,
                                                    const NamespaceOptions& options) {
  if (closed_) {
    return api::fail(api::ErrorContext::kCaller, api::ErrorKind::kInvalidState,
                     "lab " + id_ + " is closed");
  }
  if (name.size() > 32 || !is_safe_name(name)) {
    return caller_error("bad namespace name \"" + std::string(name) +
                        "\": want 1 to 32 characters of [A-Za-z0-9_.-]");
  }
  if (find(name)) return caller_error("namespace \"" + std::string(name) + "\" exists already");
  if (!router_netns_.empty() && router_netns_ == prefix_ + std::string(name)) {
    return caller_error("namespace name \"router\" is the lab's router's");
  }
  const std::string& interface = options.interface;
  if (interface.size() > kMaxInterfaceName || !is_safe_name(interface) || interface == "lo") {
    return caller_error("bad interface name \"" + interface +
                        "\": want 1 to 15 characters of [A-Za-z0-9_.-], not lo");
  }
  const int sites = site_subnets();
  int index = options.subnet;
  if (options.uplink) {
    if (router_netns_.empty()) {
      return caller_error("namespace \"" + std::string(name) +
                          "\": an uplink needs a lab of several subnets (a router)");
    }
    index = -1;
  } else if (index == NamespaceOptions::kRoundRobin) {
    index = next_round_robin_ % sites;
  } else if (index < 0 || index >= sites) {
    return caller_error("namespace \"" + std::string(name) + "\": no subnet " +
                        std::to_string(index) + " (the lab has " + std::to_string(sites) + ")");
  }
  Segment& segment = index < 0 ? segments_.back() : segments_[static_cast<size_t>(index)];
  const std::uint32_t hosts = (std::uint32_t{1} << (32 - prefix_length_)) - 2;
  if (static_cast<std::uint32_t>(segment.next_host) > hosts) {
    return api::fail(api::ErrorContext::kCaller, api::ErrorKind::kLimitExceeded,
                     "subnet " + segment.subnet.cidr + " has no address left");
  }

  LabNamespace ns;
  ns.name = std::string(name);
  ns.netns = prefix_ + ns.name;
  ns.address = ipv4_text(segment.network + static_cast<std::uint32_t>(segment.next_host));
  ns.prefix_length = prefix_length_;
  ns.interface = interface;  // each namespace has its own interface names
  ns.host_veth = prefix_ + "h" + std::to_string(next_veth_);
  ns.subnet = index;
  ns.gateway = segment.subnet.router_address;
  if (ns.host_veth.size() > kMaxInterfaceName) {
    return api::fail(api::ErrorContext::kCaller, api::ErrorKind::kLimitExceeded,
                     "interface name " + ns.host_veth + " would exceed 15 characters");
  }
  const std::string cidr = ns.address + "/" + std::to_string(prefix_length_);

  // `peer name eth0 netns NS` makes the pair with one end already inside: no moment where a
  // stray "eth0" sits in the host namespace.
  std::vector<std::vector<std::string>> steps{
      {"ip", "netns", "add", ns.netns},
      {"ip", "link", "add", ns.host_veth, "type", "veth", "peer", "name", ns.interface, "netns",
       ns.netns},
      {"ip", "link", "set", ns.host_veth, "master", segment.subnet.bridge, "up"},
      {"ip", "-n", ns.netns, "link", "set", "lo", "up"},
      {"ip", "-n", ns.netns, "addr", "add", cidr, "dev", ns.interface},
      {"ip", "-n", ns.netns, "link", "set", ns.interface, "up"},
      // Without a route for multicast, a namespace with no default route gets ENETUNREACH on
      // sendto(239.x) and joins groups on no interface.
      {"ip", "-n", ns.netns, "route", "add", "224.0.0.0/4", "dev", ns.interface},
  };
  if (!ns.gateway.empty()) {
    steps.push_back({"ip", "-n", ns.netns, "route", "add", "default", "via", ns.gateway});
  }
  ++next_veth_;  // even on failure: never reuse a name a half-made pair may still hold
  for (const auto& step : steps) {
    if (auto done = run_checked(step); !done) {
      (void)delete_netns(ns.netns);
      (void)delete_link(ns.host_veth);
      return std::unexpected(done.error());
    }
  }
  ++segment.next_host;
  if (!options.uplink && options.subnet == NamespaceOptions::kRoundRobin) ++next_round_robin_;
  namespaces_.push_back(ns);
  return ns;
}

api::Result<LabProcess> NetworkLab::run_in(std::string_view name,
                                           const std::vector<std::string>& argv,
                                           const RunOptions& options) {
  if (closed_) {
    return api::fail(api::ErrorContext::kCaller, api::ErrorKind::kInvalidState,
                     "lab " + id_ + " is closed");
  }
  auto ns = find(name);
  if (!ns) return std::unexpected(ns.error());
  if (argv.empty()) return caller_error("run_in: empty command");
  auto program = find_program(argv[0]);
  if (!program) return std::unexpected(program.error());

  // setns(2) in the child rather than `ip netns exec`: the pid we hand out is the program's
  // own from the start, and a program that cannot be started is an error here, with its errno,
  // instead of exit status 255 and a line on its stderr. (ip netns exec also remounts /sys for
  // the namespace; our programs read interfaces through netlink, which setns alone serves.)
  const std::string netns_path = "/run/netns/" + ns->netns;
  UniqueFd netns_fd(::open(netns_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!netns_fd) return os_error("open " + netns_path, errno, netns_path);

  const std::string base = ns->name + "-" + std::to_string(next_output_++);
  auto state = std::make_shared<LabProcess::State>();
  state->stdout_path =
      options.stdout_path.empty() ? work_dir_ / (base + ".out") : options.stdout_path;
  state->stderr_path =
      options.stderr_path.empty() ? work_dir_ / (base + ".err") : options.stderr_path;
  constexpr int kOutputFlags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC;
  UniqueFd out_fd(::open(state->stdout_path.c_str(), kOutputFlags, 0644));
  if (!out_fd) return os_error("open", errno, state->stdout_path.string());
  UniqueFd err_fd(::open(state->stderr_path.c_str(), kOutputFlags, 0644));
  if (!err_fd) return os_error("open", errno, state->stderr_path.string());
  UniqueFd null_in(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!null_in) return os_error("open", errno, "/dev/null");

  // Everything the child needs is prepared before fork: after it, only async-signal-safe calls.
  std::vector<std::string> arg_storage = argv;
  std::vector<char*> child_argv;
  for (auto& arg : arg_storage) child_argv.push_back(arg.data());
  child_argv.push_back(nullptr);
  std::vector<std::string> env_storage;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    const bool replaced = std::ranges::any_of(
        options.env, [&](const auto& pair) { return text.starts_with(pair.first + "="); });
    if (!replaced) env_storage.emplace_back(text);
  }
  for (const auto& [key, value] : options.env) env_storage.push_back(key + "=" + value);
  std::vector<char*> child_env;
  for (auto& entry : env_storage) child_env.push_back(entry.data());
  child_env.push_back(nullptr);
  const std::string cwd = options.cwd.string();

  std::array<int, 2> report{-1, -1};  // the child writes a SpawnFailure here; exec closes it
  if (::pipe2(report.data(), O_CLOEXEC) != 0) return os_error("pipe2", errno);
  UniqueFd report_read(report[0]);
  UniqueFd report_write(report[1]);

  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) return os_error("fork", errno);
  if (pid == 0) {
    ::setpgid(0, 0);  // its own group, so that kill(-pid) reaches what it forks
    if (options.die_with_caller) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);  // the caller died before prctl
    }
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int signal_number = 1; signal_number < NSIG; ++signal_number) {
      ::signal(signal_number, SIG_DFL);  // ignored signals would stay ignored across execve
    }
    if (::setns(netns_fd.get(), CLONE_NEWNET) != 0) child_fail(report_write.get(), 0);
    if (::dup2(null_in.get(), STDIN_FILENO) < 0 || ::dup2(out_fd.get(), STDOUT_FILENO) < 0 ||
        ::dup2(err_fd.get(), STDERR_FILENO) < 0) {
      child_fail(report_write.get(), 1);
    }
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) child_fail(report_write.get(), 2);
    ::execve(program->c_str(), child_argv.data(), child_env.data());
    child_fail(report_write.get(), 3);
  }
  // Also here: whichever of parent and child runs first, the group exists when we return.
  ::setpgid(pid, pid);
  report_write.reset();
  SpawnFailure failure;
  ssize_t got = -1;
  do {
    got = ::read(report_read.get(), &failure, sizeof(failure));
  } while (got < 0 && errno == EINTR);
  if (got == static_cast<ssize_t>(sizeof(failure))) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    const size_t step = std::min<size_t>(static_cast<size_t>(failure.step), kSpawnSteps.size() - 1);
    return api::fail(api::ErrorContext::kLocalFile, api::ErrorKind::kLocalIo,
                     std::string("run_in ") + ns->netns + ": " + kSpawnSteps[step] + " " +
                         *program + ": " + std::strerror(failure.error_number),
                     failure.error_number, *program, api::Protocol::kLocal);
  }

  state->pid = pid;
  state->pidfd.reset(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  processes_.push_back(state);
  return LabProcess(state);
}

api::Result<void> NetworkLab::shape(std::string_view name, const Shaping& shaping) {
  if (closed_) {
    return api::fail(api::ErrorContext::kCaller, api::ErrorKind::kInvalidState,
                     "lab " + id_ + " is closed");
  }
  auto ns = find(name);
  if (!ns) return std::unexpected(ns.error());
  if (shaping.latency_ms < 0 || shaping.latency_ms > 60'000) {
    return caller_error("bad latency " + std::to_string(shaping.latency_ms) +
                        " ms: want 0 to 60000");
  }
  // tc shapes what leaves an interface: the host end for traffic into the namespace, the
  // namespace's end for traffic out of it.
  const std::array<std::vector<std::string>, 2> devices{
      std::vector<std::string>{"tc", "qdisc"},
      std::vector<std::string>{"tc", "-n", ns->netns, "qdisc"},
  };
  const std::array<std::string, 2> names{ns->host_veth, ns->interface};

  if (shaping.rate.empty() && shaping.latency_ms == 0) {
    for (size_t i = 0; i < devices.size(); ++i) {
      auto command = devices[i];
      command.insert(command.end(), {"del", "dev", names[i], "root"});
      auto removed = run_command(command);
      if (!removed) return std::unexpected(removed.error());
      // Nothing to remove is fine: "Cannot delete qdisc with handle of zero" / "No such file".
      if (removed->exit_code != 0 && removed->err.find("handle of zero") == std::string::npos &&
          removed->err.find("No such file") == std::string::npos) {
        return api::fail(api::ErrorContext::kGeneralTransport, api::ErrorKind::kUnavailable,
                         "tc qdisc del dev " + names[i] + ": " + removed->err, removed->exit_code,
                         names[i], api::Protocol::kLocal);
      }
    }
    return {};
  }

  std::uint64_t bits_per_second = 0;
  if (!shaping.rate.empty()) {
    auto parsed = parse_rate(shaping.rate);
    if (!parsed) return std::unexpected(parsed.error());
    bits_per_second = *parsed;
  }
  std::vector<std::string> qdisc;
  if (shaping.latency_ms > 0) {
    // netem queues every packet for the delay: its queue must hold a bandwidth-delay product
    // (assumed 10 Gbit/s without a rate) or it drops, and TCP reads that as congestion.
    const std::uint64_t bytes_per_second =
        (bits_per_second != 0 ? bits_per_second : 10'000'000'000ull) / 8;
    const std::uint64_t in_flight =
        bytes_per_second * static_cast<std::uint64_t>(shaping.latency_ms) / 1000 / 1500;
    const std::uint64_t limit = std::clamp<std::uint64_t>(2 * in_flight + 100, 1000, 1'000'000);
    qdisc = {"netem", "delay", std::to_string(shaping.latency_ms) + "ms"};
    if (bits_per_second != 0) qdisc.insert(qdisc.end(), {"rate", shaping.rate});
    qdisc.insert(qdisc.end(), {"limit", std::to_string(limit)});
  } else {
    // A bucket of 10 ms at the rate (at least 16 KiB, so full-size GSO packets pass) and a
    // queue of 50 ms: the rate holds without the deep buffers that would add latency.
    const std::uint64_t burst = std::max<std::uint64_t>(bits_per_second / 8 / 100, 16 * 1024);
    qdisc = {"tbf", "rate", shaping.rate, "burst", std::to_string(burst), "latency", "50ms"};
  }
  for (size_t i = 0; i < devices.size(); ++i) {
    auto command = devices[i];
    command.insert(command.end(), {"replace", "dev", names[i], "root"});
    command.insert(command.end(), qdisc.begin(), qdisc.end());
    auto applied = run_checked(command);
    if (!applied) {
      api::Error error = applied.error();
      if (qdisc.front() == "netem" && error.message.find("kind is unknown") != std::string::npos) {
        error.message =
            "latency needs the netem qdisc, which this kernel lacks (module "
            "sch_netem, CONFIG_NET_SCH_NETEM): " +
            error.message;
      }
      return std::unexpected(std::move(error));
    }
  }
  return {};
}

api::Result<void> NetworkLab::set_connected(std::string_view name, bool connected) {
  if (closed_) {
    return api::fail(api::ErrorContext::kCaller, api::ErrorKind::kInvalidState,
                     "lab " + id_ + " is closed");
  }
  auto ns = find(name);
  if (!ns) return std::unexpected(ns.error());
  // The bridge's end: the namespace keeps its address and routes, as a machine whose cable
  // was pulled does.
  auto done = run_checked({"ip", "link", "set", "dev", ns->host_veth, connected ? "up" : "down"});
  if (!done) return std::unexpected(done.error());
  return {};
}

api::Result<void> NetworkLab::close() noexcept {
  if (closed_) return {};
  closed_ = true;
  std::string problems;
  auto note = [&](const std::string& problem) {
    if (!problems.empty()) problems += "; ";
    problems += problem;
  };
  // Processes first: a namespace lives on, with its end of the veth, while anything runs in it.
  for (auto& process : processes_) {
    if (!terminate(*process)) {
      note("process " + std::to_string(process->pid) + " did not die within 5 s of SIGKILL");
    }
  }
  for (const auto& ns : namespaces_) {
    kill_processes_in(ns.netns);  // whatever left our process groups (setsid daemons)
    if (auto deleted = delete_netns(ns.netns); !deleted) note(deleted.error().message);
    // Deleting the host end takes the pair at once, even if a process still holds the
    // namespace for a moment.
    if (auto deleted = delete_link(ns.host_veth); !deleted) note(deleted.error().message);
  }
  if (!router_netns_.empty()) {
    kill_processes_in(router_netns_);
    if (auto deleted = delete_netns(router_netns_); !deleted) note(deleted.error().message);
  }
  for (const auto& link : router_links_) {
    if (auto deleted = delete_link(link); !deleted) note(deleted.error().message);
  }
  for (const auto& segment : segments_) {
    if (auto deleted = delete_link(segment.subnet.bridge); !deleted) {
      note(deleted.error().message);
    }
  }
  if (segments_.empty()) {
    if (auto deleted = delete_link(bridge_); !deleted) note(deleted.error().message);
  }
  if (own_work_dir_) {
    std::error_code ignored;
    fs::remove_all(work_dir_, ignored);
  }
  if (!problems.empty()) {
    return api::fail(api::ErrorContext::kGeneralTransport, api::ErrorKind::kUnavailable,
                     "lab " + id_ + " left behind: " + problems + " (clean_leftovers(\"" + prefix_ +
                         "\") removes it)");
  }
  return {};
}

}  // namespace swarmcopy::harness
