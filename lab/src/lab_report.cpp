#include "lab_report.h"

#include <algorithm>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "units.h"

namespace swarmcopy::lab {
namespace {

using nlohmann::json;

double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t mid = values.size() / 2;
  return values.size() % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

json nullable(std::optional<double> value) { return value ? json(*value) : json(nullptr); }

std::optional<double> number(const json& value) {
  return value.is_number() ? std::optional<double>(value.get<double>()) : std::nullopt;
}

std::string seconds_text(const json& value) {
  return value.is_number() ? fmt::format("{:.2f} s", value.get<double>()) : std::string("-");
}

json round_report(const RunSettings& settings, const RoundOutcome& round) {
  const double size = static_cast<double>(settings.size);
  std::optional<double> ideal;
  if (settings.origin_rate_bits > 0) ideal = size * 8 / settings.origin_rate_bits;

  // Uploads, counted where they arrived (see PeerRun::downloaded_from).
  std::map<std::string, std::uint64_t> uploaded_by_address;
  for (const auto& peer : round.peers) {
    for (const auto& [address, bytes] : peer.downloaded_from) uploaded_by_address[address] += bytes;
  }

  std::vector<double> finishes;
  std::size_t survivors = 0;
  std::uint64_t from_peers = 0, received = 0, from_cache = 0;
  json per_peer = json::array();
  for (const auto& peer : round.peers) {
    if (!peer.killed) ++survivors;
    if (peer.finished_at && !peer.killed) finishes.push_back(*peer.finished_at);
    from_peers += peer.from_peers;
    from_cache += peer.from_cache;
    received += peer.from_peers + peer.from_origin + peer.from_cache;
    json timeline = json::array();
    for (const auto& point : peer.timeline) timeline.push_back({point.seconds, point.bytes});
    const auto counted = uploaded_by_address.find(peer.address);
    std::optional<double> seconds;
    if (peer.finished_at && !peer.killed) seconds = *peer.finished_at - peer.start_offset;
    per_peer.push_back(
        {{"name", peer.name},
         {"subnet", peer.subnet},
         {"vpn", peer.vpn},
         {"seconds", nullable(seconds)},
         {"started_at", peer.start_offset},
         {"finished_at", nullable(peer.killed ? std::nullopt : peer.finished_at)},
         {"killed", peer.killed},
         {"from_origin", peer.from_origin},
         {"from_peers", peer.from_peers},
         {"from_cache", peer.from_cache},
         {"uploaded",
          std::max(peer.uploaded, counted == uploaded_by_address.end() ? 0 : counted->second)},
         {"cpu_seconds", peer.cpu_seconds},
         {"max_rss_bytes", peer.max_rss},
         {"file", peer.file_state},
         {"sha256_ok", peer.file_state == "ok"},
         {"error", peer.error.empty() ? json(nullptr) : json(peer.error)},
         {"timeline", timeline}});
  }
  std::optional<double> first, last, mid, last_ratio;
  const bool all_finished = !finishes.empty() && finishes.size() == survivors;
  if (!finishes.empty()) {
    first = *std::min_element(finishes.begin(), finishes.end());
    mid = median(finishes);
    if (all_finished) last = *std::max_element(finishes.begin(), finishes.end());
  }
  if (ideal && last) last_ratio = *last / *ideal;
  const auto pct = [&](std::uint64_t part) {
    return received ? 100.0 * static_cast<double>(part) / static_cast<double>(received) : 0.0;
  };
  return json{
      {"round", round.round},
      {"origin_bytes", round.origin.content},
      {"origin_metadata_bytes", round.origin.metadata},
      {"origin_egress_ratio", static_cast<double>(round.origin.content) / size},
      {"ideal_seconds", nullable(ideal)},
      {"first_finish_seconds", nullable(first)},
      {"median_finish_seconds", nullable(mid)},
      {"last_finish_seconds", nullable(last)},
      {"last_finish_ratio", nullable(last_ratio)},
      {"peer_bytes_pct", pct(from_peers)},
      {"cache_bytes_pct", pct(from_cache)},
      {"per_peer", per_peer},
  };
}

}  // namespace

json run_report(const RunSettings& settings, const std::string& prefix, const std::string& work_dir,
                const std::vector<RoundOutcome>& rounds) {
  json report = {
      {"workload", settings.workload},
      {"mode", settings.mode},
      {"peers", settings.peers},
      {"size", settings.size},
      {"origin_rate", settings.origin_rate.empty() ? json(nullptr) : json(settings.origin_rate)},
      {"scenario",
       {{"lan_rate", settings.lan_rate.empty() ? json(nullptr) : json(settings.lan_rate)},
        {"latency_ms", settings.latency_ms},
        {"stagger_seconds", settings.stagger_seconds},
        {"churn", settings.churn},
        {"origin_outage", settings.outage
                              ? json{{"at_seconds", settings.outage->at.count() / 1000.0},
                                     {"seconds", settings.outage->length.count() / 1000.0}}
                              : json(nullptr)},
        {"rounds", settings.rounds},
        {"priority", settings.priority},
        {"publish", settings.publish},
        {"seeded", settings.seeded},
        {"liars", settings.liars},
        {"subnets", settings.subnets},
        {"tracker", settings.tracker},
        {"group_id", settings.mode == "group" ? json(settings.group_id) : json(nullptr)},
        {"vpn", settings.vpn}}},
      {"prefix", prefix},
      {"work_dir", work_dir},
  };
  if (rounds.empty()) return report;
  report.update(round_report(settings, rounds.front()));
  json later = json::array();
  for (size_t i = 1; i < rounds.size(); ++i) later.push_back(round_report(settings, rounds[i]));
  report["later_rounds"] = later;
  return report;
}

namespace {

void print_round(const json& round) {
  const auto row = [](std::string_view label, const std::string& value) {
    fmt::print("  {:<26}{}\n", label, value);
  };
  const auto origin_bytes = round["origin_bytes"].get<std::uint64_t>();
  row("origin bytes",
      fmt::format("{} ({} bytes; metadata {} bytes apart)", format_bytes(origin_bytes),
                  origin_bytes, round["origin_metadata_bytes"].get<std::uint64_t>()));
  row("origin egress ratio", fmt::format("{:.3f}", round["origin_egress_ratio"].get<double>()));
  row("ideal time (size/rate)", seconds_text(round["ideal_seconds"]));
  row("finish first/median/last",
      fmt::format("{} / {} / {}", seconds_text(round["first_finish_seconds"]),
                  seconds_text(round["median_finish_seconds"]),
                  seconds_text(round["last_finish_seconds"])));
  const auto ratio = number(round["last_finish_ratio"]);
  row("last-finish ratio", ratio ? fmt::format("{:.2f}", *ratio) : std::string("-"));
  row("bytes from peers", fmt::format("{:.1f} %", round["peer_bytes_pct"].get<double>()));
  if (round["cache_bytes_pct"].get<double>() > 0) {
    row("bytes from caches", fmt::format("{:.1f} %", round["cache_bytes_pct"].get<double>()));
  }
  // Peers behind a VPN (--vpn) must show 0 from peers and 0 uploaded.
  std::uint64_t vpn_peers = 0, vpn_from_peers = 0, vpn_uploaded = 0;
  for (const auto& peer : round["per_peer"]) {
    if (!peer.value("vpn", false)) continue;
    ++vpn_peers;
    vpn_from_peers += peer["from_peers"].get<std::uint64_t>();
    vpn_uploaded += peer["uploaded"].get<std::uint64_t>();
  }
  if (vpn_peers > 0) {
    row("VPN peers (link tun0)", fmt::format("{}: {} bytes from peers, {} bytes uploaded",
                                             vpn_peers, vpn_from_peers, vpn_uploaded));
  }
  fmt::print("\n  {:<8}{:>7}{:>10}{:>14}{:>14}{:>14}{:>8}{:>10}  {}\n", "peer", "subnet", "seconds",
             "from_origin", "from_peers", "uploaded", "cpu_s", "max_rss", "file");
  for (const auto& peer : round["per_peer"]) {
    const std::string seconds =
        peer["killed"].get<bool>()
            ? std::string("killed")
            : (peer["seconds"].is_number() ? fmt::format("{:.2f}", peer["seconds"].get<double>())
                                           : std::string("-"));
    const std::string subnet =
        fmt::format("{}{}", peer.value("subnet", 0), peer.value("vpn", false) ? " vpn" : "");
    fmt::print("  {:<8}{:>7}{:>10}{:>14}{:>14}{:>14}{:>8.2f}{:>10}  {}\n",
               peer["name"].get<std::string>(), subnet, seconds,
               peer["from_origin"].get<std::uint64_t>(), peer["from_peers"].get<std::uint64_t>(),
               peer["uploaded"].get<std::uint64_t>(), peer["cpu_seconds"].get<double>(),
               format_bytes(peer["max_rss_bytes"].get<std::uint64_t>()),
               peer["file"].get<std::string>());
  }
}

}  // namespace

void print_table(const json& report) {
  const auto size = report["size"].get<std::uint64_t>();
  const auto& scenario = report["scenario"];
  std::string extras;
  if (scenario["lan_rate"].is_string())
    extras += ", LAN links " + scenario["lan_rate"].get<std::string>();
  if (scenario["latency_ms"].get<int>() > 0) {
    extras += fmt::format(", latency {} ms", scenario["latency_ms"].get<int>());
  }
  if (scenario["stagger_seconds"].get<double>() > 0) {
    extras += fmt::format(", stagger {} s", scenario["stagger_seconds"].get<double>());
  }
  if (scenario["churn"].get<int>() > 0)
    extras += fmt::format(", churn {}", scenario["churn"].get<int>());
  if (!scenario.value("publish", true)) extras += ", no .torrent at the origin";
  if (scenario.value("seeded", 0) > 0) {
    extras += fmt::format(", {} seeded first", scenario["seeded"].get<int>());
  }
  if (scenario.value("subnets", 1) > 1) {
    extras += fmt::format(", {} subnets behind a router", scenario["subnets"].get<int>());
  }
  if (scenario["group_id"].is_string()) {
    extras += ", group " + scenario["group_id"].get<std::string>();
  }
  if (scenario.value("tracker", false)) extras += ", opentracker at the origin";
  if (scenario.value("vpn", 0) > 0) {
    extras += fmt::format(", {} on a VPN", scenario["vpn"].get<int>());
  }
  if (scenario["origin_outage"].is_object()) {
    extras +=
        fmt::format(", origin out {} s at {} s", scenario["origin_outage"]["seconds"].get<double>(),
                    scenario["origin_outage"]["at_seconds"].get<double>());
  }
  const std::string workload = report.value("workload", "file");
  fmt::print("swarmcopy-lab: {}{} mode, {} peers, {}, origin link {}{}\n",
             workload == "file" ? "" : workload + " workload, ", report["mode"].get<std::string>(),
             report["peers"].get<int>(), format_bytes(size),
             report["origin_rate"].is_string() ? report["origin_rate"].get<std::string>()
                                               : std::string("unshaped"),
             extras);
  fmt::print("  {:<26}{}\n", "peers", report["peers"].get<int>());
  fmt::print("  {:<26}{} ({} bytes)\n", "size", format_bytes(size), size);
  if (const auto& host = report.value("host", json::object()); host.contains("cpus")) {
    fmt::print("  {:<26}{} CPUs, load average {} as the rounds started\n", "host",
               host["cpus"].get<unsigned>(),
               host["load_average_at_start"].is_number()
                   ? fmt::format("{:.2f}", host["load_average_at_start"].get<double>())
                   : std::string("unknown"));
  }
  print_round(report);
  for (const auto& liar : report.value("liars", json::array())) {
    fmt::print("  {:<8}{:>10}{:>14}{:>14}{:>14}  (lies: a metainfo of other bytes)\n",
               liar["name"].get<std::string>(), "-", "-", "-",
               liar["uploaded"].is_number()
                   ? fmt::format("{}", liar["uploaded"].get<std::uint64_t>())
                   : std::string("?"));
  }
  for (const auto& round : report.value("later_rounds", json::array())) {
    fmt::print("\nround {} (the same file again, to new destinations):\n",
               round["round"].get<int>());
    print_round(round);
  }
}

PeerUsage peer_usage(const json& report) {
  PeerUsage usage;
  for (const auto& peer : report["per_peer"]) {
    usage.cpu_seconds += peer["cpu_seconds"].get<double>();
    usage.max_rss_bytes = std::max(usage.max_rss_bytes, peer["max_rss_bytes"].get<std::uint64_t>());
  }
  return usage;
}

bool every_file_right(const json& report) {
  std::vector<json> rounds{report};
  for (const auto& round : report.value("later_rounds", json::array())) rounds.push_back(round);
  const bool curl = report.value("mode", "") == "curl";
  for (const auto& round : rounds) {
    for (const auto& peer : round.value("per_peer", json::array())) {
      const std::string file = peer.value("file", "");
      if (peer.value("killed", false)) {
        // Killed before its file was complete, or just after: never a partial one.
        if (!curl && file == "wrong") return false;
      } else if (file != "ok") {
        return false;
      }
    }
  }
  return true;
}

}  // namespace swarmcopy::lab
