#include "lab_run.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <numeric>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "proc_stats.h"
#include "swarmcopy/harness/network_lab.h"
#include "swarmcopy/harness/origin_server.h"
#include "swarmcopy/harness/run_command.h"
#include "swarmcopy/peer/metainfo.h"
#include "swarmcopy/util/sha256.h"
#include "swarmcopy/util/unique_fd.h"
#include "units.h"

namespace swarmcopy::lab {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

constexpr int kOriginPort = 8080;
constexpr const char* kFileName = "f.bin";
constexpr int kExitFailure = 2;
constexpr int kExitStopped = 130;

volatile std::sig_atomic_t g_stop = 0;

extern "C" void on_stop_signal(int) { g_stop = 1; }

bool stopping() { return g_stop != 0; }

// A failure of the run: what to print, and the exit code.
struct Failure {
  std::string message;
  int exit_code = kExitFailure;
};

Failure stopped() { return Failure{"stopped by a signal; lab removed", kExitStopped}; }

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A sensible piece size: 256 KiB, doubled until the file has at most 1024 pieces (16 MiB at
// most), so that small files still have enough pieces to share and large ones are not
// described by huge metadata.
std::uint32_t piece_size_for(std::uint64_t size) {
  std::uint32_t piece = 256u << 10;
  while (size / piece > 1024 && piece < (16u << 20)) piece <<= 1;
  return piece;
}

// `size` pseudo-random (incompressible) bytes at `path`: splitmix64, 1 MiB at a time. Stops
// early (false) when a stop is requested.
api::Result<bool> write_content(const fs::path& path, std::uint64_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  std::vector<std::uint64_t> block((1u << 20) / sizeof(std::uint64_t));
  std::uint64_t state = 0x5eed5eed5eedull;
  for (std::uint64_t left = size; left > 0 && out;) {
    if (stopping()) return false;
    for (auto& word : block) {
      std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
      word = z ^ (z >> 31);
    }
    const std::uint64_t chunk = std::min<std::uint64_t>(left, block.size() * sizeof(std::uint64_t));
    out.write(reinterpret_cast<const char*>(block.data()), static_cast<std::streamsize>(chunk));
    left -= chunk;
  }
  out.close();
  if (!out) {
    return api::fail(api::ErrorContext::kLocalFile, api::ErrorKind::kLocalIo,
                     "cannot write " + path.string());
  }
  return true;
}

api::Result<std::string> sha256_of(const fs::path& path) {
  util::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    return api::fail(api::ErrorContext::kLocalFile, api::ErrorKind::kLocalIo,
                     "cannot open " + path.string(), errno);
  }
  return util::sha256_of_fd(fd.get(), path.string());
}

struct OriginTraffic {
  std::uint64_t content = 0;   // body bytes of /f.bin
  std::uint64_t metadata = 0;  // body bytes of everything else (/f.bin.torrent)
};

OriginTraffic read_access_log(const fs::path& log) {
  OriginTraffic traffic;
  std::istringstream lines(slurp(log));
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::string address, uri, status;
    std::uint64_t bytes = 0;
    if (!(fields >> address >> uri >> status >> bytes)) continue;
    (uri == std::string("/") + kFileName ? traffic.content : traffic.metadata) += bytes;
  }
  return traffic;
}

struct Peer {
  std::string name;  // "peer1"
  fs::path output;
  std::optional<harness::LabProcess> process;
  bool finished = false;
  std::optional<double> seconds;  // from the lab's start until the download was complete
  std::optional<int> exit_code;
  json result = json::object();  // lan: the get's JSON line
  std::uint64_t from_origin = 0;
  std::uint64_t from_peers = 0;
  std::uint64_t uploaded = 0;
  double cpu_seconds = 0;
  std::uint64_t max_rss = 0;
  bool sha256_ok = false;
};

void sample(Peer& peer) {
  if (!peer.process) return;
  const pid_t pid = peer.process->pid();
  if (auto rss = peak_rss_of(pid)) peer.max_rss = std::max(peer.max_rss, *rss);
  if (auto cpu = cpu_seconds_of(pid)) peer.cpu_seconds = std::max(peer.cpu_seconds, *cpu);
}

double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t mid = values.size() / 2;
  return values.size() % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

json nullable(std::optional<double> value) { return value ? json(*value) : json(nullptr); }

std::string seconds_text(std::optional<double> value) {
  return value ? fmt::format("{:.2f} s", *value) : std::string("-");
}

// The report, built once, printed as JSON or as a table.
json make_report(const RunSettings& settings, const harness::NetworkLab& lab,
                 const OriginTraffic& origin, const std::vector<Peer>& peers) {
  const double size = static_cast<double>(settings.size);
  std::optional<double> ideal;
  if (settings.origin_rate_bits > 0) ideal = size * 8 / settings.origin_rate_bits;
  std::vector<double> finishes;
  std::uint64_t from_peers = 0, received = 0;
  json per_peer = json::array();
  for (const auto& peer : peers) {
    if (peer.seconds) finishes.push_back(*peer.seconds);
    from_peers += peer.from_peers;
    received += peer.from_peers + peer.from_origin;
    per_peer.push_back({{"name", peer.name},
                        {"seconds", nullable(peer.seconds)},
                        {"from_origin", peer.from_origin},
                        {"from_peers", peer.from_peers},
                        {"uploaded", peer.uploaded},
                        {"cpu_seconds", peer.cpu_seconds},
                        {"max_rss_bytes", peer.max_rss},
                        {"sha256_ok", peer.sha256_ok}});
  }
  std::optional<double> first, last, mid;
  if (!finishes.empty()) {
    first = *std::min_element(finishes.begin(), finishes.end());
    last = *std::max_element(finishes.begin(), finishes.end());
    mid = median(finishes);
  }
  std::optional<double> last_ratio;
  if (ideal && last && finishes.size() == peers.size()) last_ratio = *last / *ideal;
  return json{
      {"mode", settings.mode},
      {"peers", settings.peers},
      {"size", settings.size},
      {"origin_rate", settings.origin_rate.empty() ? json(nullptr) : json(settings.origin_rate)},
      {"origin_bytes", origin.content},
      {"origin_metadata_bytes", origin.metadata},
      {"origin_egress_ratio", static_cast<double>(origin.content) / size},
      {"ideal_seconds", nullable(ideal)},
      {"first_finish_seconds", nullable(first)},
      {"median_finish_seconds", nullable(mid)},
      {"last_finish_seconds", finishes.size() == peers.size() ? nullable(last) : json(nullptr)},
      {"last_finish_ratio", nullable(last_ratio)},
      {"peer_bytes_pct",
       received ? 100.0 * static_cast<double>(from_peers) / static_cast<double>(received) : 0.0},
      {"prefix", lab.prefix()},
      {"work_dir", lab.work_dir().string()},
      {"per_peer", per_peer},
  };
}

std::optional<double> optional_number(const json& value) {
  return value.is_number() ? std::optional<double>(value.get<double>()) : std::nullopt;
}

void print_table(const json& report) {
  const auto row = [](std::string_view label, const std::string& value) {
    fmt::print("  {:<26}{}\n", label, value);
  };
  const auto size = report["size"].get<std::uint64_t>();
  const auto origin_bytes = report["origin_bytes"].get<std::uint64_t>();
  fmt::print("swarmcopy-lab: {} mode, {} peers, {}, origin link {}\n",
             report["mode"].get<std::string>(), report["peers"].get<int>(), format_bytes(size),
             report["origin_rate"].is_string() ? report["origin_rate"].get<std::string>()
                                               : std::string("unshaped"));
  row("peers", std::to_string(report["peers"].get<int>()));
  row("size", fmt::format("{} ({} bytes)", format_bytes(size), size));
  row("origin bytes",
      fmt::format("{} ({} bytes; metadata {} bytes apart)", format_bytes(origin_bytes),
                  origin_bytes, report["origin_metadata_bytes"].get<std::uint64_t>()));
  row("origin egress ratio", fmt::format("{:.3f}", report["origin_egress_ratio"].get<double>()));
  row("ideal time (size/rate)", seconds_text(optional_number(report["ideal_seconds"])));
  row("finish first/median/last",
      fmt::format("{} / {} / {}", seconds_text(optional_number(report["first_finish_seconds"])),
                  seconds_text(optional_number(report["median_finish_seconds"])),
                  seconds_text(optional_number(report["last_finish_seconds"]))));
  const auto ratio = optional_number(report["last_finish_ratio"]);
  row("last-finish ratio", ratio ? fmt::format("{:.2f}", *ratio) : std::string("-"));
  row("bytes from peers", fmt::format("{:.1f} %", report["peer_bytes_pct"].get<double>()));
  fmt::print("\n  {:<8}{:>10}{:>14}{:>14}{:>14}{:>8}{:>10}  {}\n", "peer", "seconds", "from_origin",
             "from_peers", "uploaded", "cpu_s", "max_rss", "sha256");
  for (const auto& peer : report["per_peer"]) {
    fmt::print("  {:<8}{:>10}{:>14}{:>14}{:>14}{:>8.2f}{:>10}  {}\n",
               peer["name"].get<std::string>(),
               peer["seconds"].is_number() ? fmt::format("{:.2f}", peer["seconds"].get<double>())
                                           : std::string("-"),
               peer["from_origin"].get<std::uint64_t>(), peer["from_peers"].get<std::uint64_t>(),
               peer["uploaded"].get<std::uint64_t>(), peer["cpu_seconds"].get<double>(),
               format_bytes(peer["max_rss_bytes"].get<std::uint64_t>()),
               peer["sha256_ok"].get<bool>() ? "ok" : "WRONG");
  }
}

// The run itself; the lab is closed by the caller whatever happens here.
std::expected<json, Failure> run_in_lab(const RunSettings& settings, harness::NetworkLab& lab) {
  const auto fail = [](std::string message) {
    return std::unexpected(Failure{std::move(message)});
  };
  auto nginx = harness::find_program("nginx");
  if (!nginx) return fail("nginx is needed for the origin: " + nginx.error().message);
  std::string curl;
  if (settings.mode == "curl") {
    auto found = harness::find_program("curl");
    if (!found) return fail("curl is needed for --mode curl: " + found.error().message);
    curl = *found;
  }

  spdlog::info("lab {}: namespaces origin, peer1..peer{} on {}", lab.prefix(), settings.peers,
               lab.subnet());
  for (int index = 0; index <= settings.peers; ++index) {
    if (stopping()) return std::unexpected(stopped());
    const std::string name = index == 0 ? "origin" : fmt::format("peer{}", index);
    if (auto ns = lab.add_namespace(name); !ns) return fail(ns.error().message);
  }
  if (!settings.origin_rate.empty()) {
    if (auto shaped = lab.shape("origin", {.rate = settings.origin_rate}); !shaped) {
      return fail("--origin-rate: " + shaped.error().message);
    }
  }
  const std::string origin_address = lab.address_of("origin").value();

  const fs::path docroot = lab.work_dir() / "docroot";
  fs::create_directories(docroot);
  const fs::path content = docroot / kFileName;
  const std::uint32_t piece = piece_size_for(settings.size);
  spdlog::info("writing and publishing {} ({} pieces of {})", format_bytes(settings.size),
               (settings.size + piece - 1) / piece, format_bytes(piece));
  auto written = write_content(content, settings.size);
  if (!written) return fail(written.error().message);
  if (!*written) return std::unexpected(stopped());
  auto expected_sha = sha256_of(content);
  if (!expected_sha) return fail(expected_sha.error().describe());
  if (auto meta = peer::publish(content, piece); !meta) return fail(meta.error().describe());
  if (stopping()) return std::unexpected(stopped());
  harness::OriginOptions origin_options;
  origin_options.nginx = *nginx;
  origin_options.ns = "origin";
  origin_options.address = origin_address;
  origin_options.port = kOriginPort;
  origin_options.docroot = docroot;
  // One line per request, as read_access_log parses it.
  origin_options.log_format = "$remote_addr $uri $status $body_bytes_sent";
  origin_options.give_up = stopping;
  auto origin = harness::start_origin_server(lab, origin_options);
  if (!origin) return stopping() ? std::unexpected(stopped()) : fail(origin.error().message);
  const std::string url = fmt::format("http://{}:{}/{}", origin_address, kOriginPort, kFileName);

  // Seeds until the lab stops it: longer than the whole run may last.
  const std::string seed_time = std::to_string(settings.timeout.count() + 120);
  std::vector<Peer> peers(static_cast<size_t>(settings.peers));
  spdlog::info("starting {} peers ({} mode) against {}", settings.peers, settings.mode, url);
  const auto start = Clock::now();
  for (int index = 0; index < settings.peers; ++index) {
    Peer& peer = peers[static_cast<size_t>(index)];
    peer.name = fmt::format("peer{}", index + 1);
    const fs::path dir = lab.work_dir() / peer.name;
    fs::create_directories(dir);
    peer.output = dir / kFileName;
    std::vector<std::string> argv;
    if (settings.mode == "curl") {
      argv = {curl, "-s", "-o", peer.output.string(), url};
    } else {
      argv = {settings.swarmcopy.string(),
              "get",
              url,
              "-o",
              peer.output.string(),
              "--home",
              (dir / "home").string(),
              "--mode",
              "lan",
              "--listen",
              "0",
              "--json",
              "-q",
              "--seed-time",
              seed_time,
              "--priority",
              "normal"};
    }
    auto started = lab.run_in(peer.name, argv);
    if (!started) return fail(peer.name + ": " + started.error().message);
    peer.process = *started;
  }

  // Until every peer is done: lan peers print their JSON line when complete (then seed), curl
  // peers exit.
  const auto deadline = start + settings.timeout;
  for (size_t done = 0; done < peers.size();) {
    if (stopping()) return std::unexpected(stopped());
    if (Clock::now() >= deadline) {
      return fail(fmt::format("{} of {} peers still downloading after {} s", peers.size() - done,
                              peers.size(), settings.timeout.count()));
    }
    for (auto& peer : peers) {
      if (peer.finished) continue;
      sample(peer);
      const bool exited = !peer.process->running();
      const bool reported = settings.mode == "lan" &&
                            slurp(peer.process->stdout_path()).find('\n') != std::string::npos;
      if (exited || reported) {
        peer.finished = true;
        ++done;
        peer.seconds = std::chrono::duration<double>(Clock::now() - start).count();
        spdlog::info("{} done after {:.2f} s", peer.name, *peer.seconds);
      }
    }
    std::this_thread::sleep_for(20ms);
  }

  // Everyone has the file: stop the seeders, then nginx (so its log has every request).
  for (auto& peer : peers) {
    sample(peer);
    peer.process->kill(SIGTERM);
  }
  for (auto& peer : peers) {
    auto code = peer.process->wait(30s);
    if (code && *code) peer.exit_code = **code;
    sample(peer);  // the zombie still has its CPU time
  }
  origin->process.kill(SIGQUIT);
  (void)origin->process.wait(10s);
  const OriginTraffic traffic = read_access_log(origin->access_log);

  for (auto& peer : peers) {
    if (settings.mode == "curl") {
      peer.from_origin = fs::exists(peer.output) ? fs::file_size(peer.output) : 0;
    } else {
      const std::string out = slurp(peer.process->stdout_path());
      peer.result = json::parse(out.substr(0, out.find('\n')), nullptr, false);
      if (peer.result.is_discarded() || !peer.result.is_object()) peer.result = json::object();
      peer.from_origin = peer.result.value("from_origin", std::uint64_t{0});
      peer.from_peers = peer.result.value("from_peers", std::uint64_t{0});
      peer.uploaded = peer.result.value("uploaded", std::uint64_t{0});
      if (peer.result.value("state", "") != "ACKNOWLEDGED") {
        spdlog::warn(
            "{}: {} (exit {}); its log: {}", peer.name,
            peer.result.contains("error") ? peer.result["error"].dump() : std::string("no result"),
            peer.exit_code.value_or(-1), peer.process->stderr_path().string());
      }
    }
    auto sha = sha256_of(peer.output);
    peer.sha256_ok = sha && *sha == *expected_sha;
    if (!peer.sha256_ok)
      spdlog::warn("{}: wrong or missing file {}", peer.name, peer.output.string());
  }
  return make_report(settings, lab, traffic, peers);
}

}  // namespace

void install_stop_handler() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
}

int run_lab(const RunSettings& settings) {
  harness::LabOptions options;
  options.prefix = kLabPrefix;
  if (settings.keep) {
    options.work_dir = fs::temp_directory_path() / ("swarmcopy-lab-" + std::to_string(::getpid()));
  }
  auto lab = harness::NetworkLab::create(options);
  if (!lab) {
    fmt::print(stderr, "swarmcopy-lab: {}\n", lab.error().message);
    return kExitFailure;
  }
  auto report = run_in_lab(settings, **lab);
  // Whatever happened: every process, namespace, veth and the bridge go.
  auto closed = (*lab)->close();
  if (!closed) fmt::print(stderr, "swarmcopy-lab: cleaning up: {}\n", closed.error().message);
  if (settings.keep) spdlog::info("lab files kept in {}", options.work_dir.string());
  if (!report) {
    fmt::print(stderr, "swarmcopy-lab: {}\n", report.error().message);
    return report.error().exit_code;
  }
  if (settings.json) {
    fmt::print("{}\n", report->dump());
  } else {
    print_table(*report);
  }
  const bool all_ok =
      std::all_of(report->at("per_peer").begin(), report->at("per_peer").end(),
                  [](const json& peer) { return peer.at("sha256_ok").get<bool>(); });
  if (!all_ok) fmt::print(stderr, "swarmcopy-lab: not every peer has the right file\n");
  return all_ok && closed ? 0 : kExitFailure;
}

}  // namespace swarmcopy::lab
