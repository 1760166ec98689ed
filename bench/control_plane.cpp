// bench_control_plane: how fast swarmcopyd answers with a full store. Starts swarmcopyd on a
// temporary socket and state directory, creates JOBS jobs of one file each through the socket
// (the URL points at a closed local port and the jobs stay SUSPENDED: no data moves), then
// times the calls a client makes — GET one job (`job show`), the list of every job, resume
// (each suspended back at once, also timed) — and prints p50/p99 per call type beside the
// targets, the daemon's resident memory (VmRSS) and its restart time with the full store
// (exec to the first answer on the socket). Run by hand (bench/control_plane), not in CI.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "swarmcopy/client/daemon_status.h"
#include "swarmcopy/client/remote_manager.h"

namespace {

namespace fs = std::filesystem;
using namespace swarmcopy;
using Clock = std::chrono::steady_clock;

struct Settings {
  fs::path daemon;
  fs::path cli;  // optional: also time `swarmcopy job show` as a process
  fs::path dir;
  std::size_t jobs = 10000;
  std::size_t samples = 2000;
  std::size_t list_samples = 20;
  std::size_t restarts = 3;
};

[[noreturn]] void die(const std::string& message) {
  fmt::print(stderr, "bench_control_plane: {}\n", message);
  std::exit(1);
}

double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

struct Figures {
  double p50 = 0;
  double p99 = 0;
  double max = 0;
};

Figures figures(std::vector<double> samples) {
  if (samples.empty()) return {};
  std::sort(samples.begin(), samples.end());
  const auto at = [&](double q) {
    const auto index = static_cast<std::size_t>(q * static_cast<double>(samples.size() - 1) + 0.5);
    return samples[std::min(index, samples.size() - 1)];
  };
  return {at(0.50), at(0.99), samples.back()};
}

// swarmcopyd as our child, with every limit that would stop 10 000 jobs lifted.
class Daemon {
 public:
  explicit Daemon(const Settings& settings) : settings_(settings) {}
  ~Daemon() { kill(); }

  // Starts it; returns the time from exec to the first answer on the socket.
  std::chrono::milliseconds start() {
    const auto runtime = settings_.dir / "run";
    fs::create_directories(runtime);
    std::vector<std::string> args = {settings_.daemon.string(),
                                     "--user",
                                     "--socket",
                                     socket().string(),
                                     "--state-dir",
                                     (settings_.dir / "state").string(),
                                     "--requests-per-second",
                                     "0",
                                     "--max-jobs",
                                     std::to_string(settings_.jobs + 100),
                                     "--max-jobs-per-user",
                                     std::to_string(settings_.jobs + 100),
                                     "--idle-exit-seconds",
                                     "0",
                                     "--log-level",
                                     "warn"};
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    const std::string runtime_env = "XDG_RUNTIME_DIR=" + runtime.string();
    const std::string home_env = "HOME=" + settings_.dir.string();
    const std::string log = (settings_.dir / "swarmcopyd.log").string();
    const auto started = Clock::now();
    pid_ = ::fork();
    if (pid_ < 0) die("fork failed");
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      ::putenv(const_cast<char*>(runtime_env.c_str()));
      ::putenv(const_cast<char*>(home_env.c_str()));
      if (std::freopen(log.c_str(), "a", stderr) == nullptr) ::_exit(126);
      if (std::freopen(log.c_str(), "a", stdout) == nullptr) ::_exit(126);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    const auto deadline = started + std::chrono::seconds(60);
    while (Clock::now() < deadline) {
      if (client::daemon_status(socket(), std::chrono::seconds(1))) {
        return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
      }
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        die("swarmcopyd exited at start; see " + log);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    die("swarmcopyd did not answer within 60 s; see " + log);
  }

  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
  }
  void kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
  }

  // VmRSS / VmHWM from /proc/PID/status, bytes.
  std::uint64_t memory(const std::string& field) const {
    std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
    std::string line;
    while (std::getline(in, line)) {
      if (line.starts_with(field + ":")) return std::stoull(line.substr(field.size() + 1)) * 1024;
    }
    return 0;
  }

  fs::path socket() const { return settings_.dir / "d.sock"; }
  pid_t pid() const { return pid_; }

 private:
  const Settings& settings_;
  pid_t pid_ = -1;
};

template <class T>
T value_or_die(api::Result<T> result, const std::string& what) {
  if (!result) die(what + ": " + result.error().describe());
  return std::move(*result);
}
void ok_or_die(const api::Result<void>& result, const std::string& what) {
  if (!result) die(what + ": " + result.error().describe());
}

// Times `call` on each of `count` samples.
std::vector<double> time_calls(std::size_t count, const std::function<void(std::size_t)>& call) {
  std::vector<double> samples;
  samples.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const auto start = Clock::now();
    call(i);
    samples.push_back(ms(Clock::now() - start));
  }
  return samples;
}

// Wall time of one `swarmcopy job show ID` process, milliseconds.
double time_cli_show(const Settings& settings, const fs::path& socket, const std::string& id) {
  const auto start = Clock::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::FILE* null = std::freopen("/dev/null", "w", stdout);
    (void)null;
    ::execl(settings.cli.c_str(), settings.cli.c_str(), "job", "show", id.c_str(), "--socket",
            socket.c_str(), "--json", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) die("swarmcopy job show failed");
  return ms(Clock::now() - start);
}

void row(const std::string& name, std::size_t samples, const Figures& f, const std::string& target,
         bool met) {
  fmt::print("{:<28} {:>8} {:>9.3f} {:>9.3f} {:>9.3f}   {:<18} {}\n", name, samples, f.p50, f.p99,
             f.max, target, target.empty() ? "" : (met ? "ok" : "MISSED"));
}

Settings parse(int argc, char** argv) {
  Settings settings;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto next = [&]() -> std::string {
      if (i + 1 >= argc) die("missing value after " + arg);
      return argv[++i];
    };
    if (arg == "--daemon") {
      settings.daemon = next();
    } else if (arg == "--cli") {
      settings.cli = next();
    } else if (arg == "--dir") {
      settings.dir = next();
    } else if (arg == "--jobs") {
      settings.jobs = std::stoul(next());
    } else if (arg == "--samples") {
      settings.samples = std::stoul(next());
    } else if (arg == "--restarts") {
      settings.restarts = std::stoul(next());
    } else {
      die("usage: bench_control_plane --daemon PATH --dir DIR [--cli PATH] [--jobs N] "
          "[--samples N] [--restarts N]");
    }
  }
  if (settings.daemon.empty() || settings.dir.empty()) die("--daemon and --dir are required");
  return settings;
}

}  // namespace

int main(int argc, char** argv) {
  Settings settings = parse(argc, argv);
  fs::create_directories(settings.dir / "out");
  Daemon daemon(settings);
  const auto first_start = daemon.start();
  auto manager = value_or_die(client::connect(daemon.socket()), "connect");

  fmt::print(stderr, "creating {} jobs through {} ...\n", settings.jobs, daemon.socket().string());
  std::vector<std::shared_ptr<api::Job>> jobs;
  jobs.reserve(settings.jobs);
  const auto create_samples = time_calls(settings.jobs, [&](std::size_t i) {
    auto job = value_or_die(manager->create_job("bench " + std::to_string(i)), "create_job");
    // Port 9 (discard) on loopback: closed, so nothing would ever transfer.
    ok_or_die(job->add_file({"http://127.0.0.1:9/file-" + std::to_string(i),
                             (settings.dir / "out" / ("file-" + std::to_string(i))).string(),
                             std::nullopt}),
              "add_file");
    jobs.push_back(std::move(job));
  });

  const auto rss_created = daemon.memory("VmRSS");

  std::mt19937 random(42);
  std::uniform_int_distribution<std::size_t> pick(0, jobs.size() - 1);
  const auto show_samples = time_calls(
      settings.samples, [&](std::size_t) { value_or_die(jobs[pick(random)]->info(), "info"); });
  // Distinct jobs, each resumed and at once suspended back: the store stays all SUSPENDED.
  std::vector<std::size_t> order(jobs.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), random);
  const std::size_t state_samples = std::min(settings.samples, jobs.size());
  std::vector<double> resume_samples, suspend_samples;
  for (std::size_t i = 0; i < state_samples; ++i) {
    auto& job = jobs[order[i]];
    auto start = Clock::now();
    ok_or_die(job->resume(), "resume");
    resume_samples.push_back(ms(Clock::now() - start));
    start = Clock::now();
    ok_or_die(job->suspend(), "suspend");
    suspend_samples.push_back(ms(Clock::now() - start));
  }
  std::vector<double> cli_samples;
  if (!settings.cli.empty()) {
    for (std::size_t i = 0; i < 20; ++i) {
      cli_samples.push_back(
          time_cli_show(settings, daemon.socket(), jobs[pick(random)]->id().to_string()));
    }
  }
  // Single-job calls first, the list of everything last: its answer is big, and the memory
  // it takes is reported apart.
  const auto rss = daemon.memory("VmRSS");
  std::size_t listed = 0;
  const auto list_samples = time_calls(settings.list_samples, [&](std::size_t) {
    listed = value_or_die(manager->job_infos(), "list").size();
  });
  if (listed != jobs.size()) die(fmt::format("listed {} jobs, created {}", listed, jobs.size()));
  const auto rss_listed = daemon.memory("VmRSS");
  const auto hwm = daemon.memory("VmHWM");
  jobs.clear();
  manager.reset();

  std::vector<double> restart_samples;
  for (std::size_t i = 0; i < settings.restarts; ++i) {
    daemon.stop();
    restart_samples.push_back(static_cast<double>(daemon.start().count()));
  }
  const auto rss_after_restart = daemon.memory("VmRSS");
  daemon.stop();

  constexpr double kSingleCallP99 = 5.0;
  constexpr std::uint64_t kRssLimit = 64ull << 20;
  constexpr double kRestartLimit = 2000.0;
  fmt::print(
      "swarmcopyd control plane: {} jobs of one file each (SUSPENDED), calls through "
      "RemoteManager over the socket\n\n",
      settings.jobs);
  fmt::print("{:<28} {:>8} {:>9} {:>9} {:>9}   {:<18}\n", "call", "samples", "p50 ms", "p99 ms",
             "max ms", "target");
  const auto show = figures(show_samples);
  const auto resume = figures(resume_samples);
  const auto suspend = figures(suspend_samples);
  row("job show (GET one job)", show_samples.size(), show, "p99 <= 5 ms",
      show.p99 <= kSingleCallP99);
  row("resume", resume_samples.size(), resume, "p99 <= 5 ms", resume.p99 <= kSingleCallP99);
  row("suspend", suspend_samples.size(), suspend, "p99 <= 5 ms", suspend.p99 <= kSingleCallP99);
  row("create + add_file (2 calls)", create_samples.size(), figures(create_samples), "", true);
  row(fmt::format("list ({} jobs)", listed), list_samples.size(), figures(list_samples), "", true);
  if (!cli_samples.empty()) {
    row("`swarmcopy job show` process", cli_samples.size(), figures(cli_samples), "", true);
  }
  fmt::print("\n");
  const auto mib = [](std::uint64_t bytes) { return static_cast<double>(bytes) / (1 << 20); };
  fmt::print("{:<28} {:>8.1f} MiB   {:<18} {}\n", "daemon RSS (VmRSS)", mib(rss), "<= 64 MiB",
             rss <= kRssLimit ? "ok" : "MISSED");
  fmt::print(
      "  after creating the jobs {:.1f} MiB; after the single-job calls {:.1f} MiB; after "
      "{} lists of every job {:.1f} MiB (peak {:.1f} MiB); restarted with the full store "
      "{:.1f} MiB\n",
      mib(rss_created), mib(rss), list_samples.size(), mib(rss_listed), mib(hwm),
      mib(rss_after_restart));
  const auto restart = figures(restart_samples);
  fmt::print("{:<28} {:>8.0f} ms (first start, empty store: {} ms; max {:.0f} ms)   {:<18} {}\n",
             fmt::format("restart ({} jobs, p50 of {})", settings.jobs, restart_samples.size()),
             restart.p50, first_start.count(), restart.max, "<= 2 s",
             restart.max <= kRestartLimit ? "ok" : "MISSED");
  return 0;
}
