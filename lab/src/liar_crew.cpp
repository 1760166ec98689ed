#include "liar_crew.h"

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace swarmcopy::lab {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// The last line a liar printed: its figures, once stopped.
json last_json_line(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line)) {
    if (!line.empty()) last = line;
  }
  auto parsed = json::parse(last, nullptr, false);
  return parsed.is_object() ? parsed : json::object();
}

}  // namespace

std::expected<LiarCrew, std::string> LiarCrew::add_namespaces(harness::NetworkLab& lab, int count) {
  LiarCrew crew;
  for (int index = 1; index <= count; ++index) {
    const std::string name = fmt::format("liar{}", index);
    if (auto ns = lab.add_namespace(name); !ns) return std::unexpected(ns.error().message);
    crew.liars_.push_back(Liar{name, std::nullopt});
  }
  return crew;
}

std::expected<void, std::string> LiarCrew::start(harness::NetworkLab& lab,
                                                 const std::string& sha256, std::uint64_t size) {
  std::error_code error;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) return std::unexpected("cannot find swarmcopy-lab's own path: " + error.message());
  for (auto& liar : liars_) {
    auto started = lab.run_in(
        liar.name, {self.string(), "liar", "--sha256", sha256, "--size", std::to_string(size),
                    "--dir", (lab.work_dir() / liar.name).string()});
    if (!started) return std::unexpected(liar.name + ": " + started.error().message);
    liar.process = *started;
  }
  for (auto& liar : liars_) {
    if (!liar.process->wait_for_stdout("ready ", 60s)) {
      return std::unexpected(liar.name + ": did not offer its claim within 60 s");
    }
    spdlog::info("{} offers a metainfo of other bytes under the content's SHA-256", liar.name);
  }
  return {};
}

json LiarCrew::stop() {
  json report = json::array();
  for (auto& liar : liars_) {
    if (liar.process) liar.process->kill(SIGTERM);
  }
  for (auto& liar : liars_) {
    json figures = json::object();
    if (liar.process) {
      (void)liar.process->wait(15s);
      figures = last_json_line(liar.process->stdout_path());
    }
    report.push_back({{"name", liar.name},
                      {"uploaded", figures.contains("uploaded") ? figures["uploaded"] : json()},
                      {"peers", figures.contains("peers") ? figures["peers"] : json()}});
  }
  return report;
}

}  // namespace swarmcopy::lab
