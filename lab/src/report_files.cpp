#include "report_files.h"

#include <fstream>
#include <map>
#include <string>

#include <fmt/format.h>

#include "lab_report.h"
#include "swarmcopy/harness/run_command.h"
#include "units.h"

namespace swarmcopy::lab {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr double kMiB = 1024.0 * 1024.0;

api::Result<void> write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    return api::fail(api::ErrorContext::kLocalFile, api::ErrorKind::kLocalIo,
                     "cannot write " + path.string());
  }
  return {};
}

std::string cell(const json& value, const char* format = "{:.2f}") {
  if (value.is_number_float()) return fmt::format(fmt::runtime(format), value.get<double>());
  if (value.is_number()) return std::to_string(value.get<std::int64_t>());
  if (value.is_string()) return value.get<std::string>();
  return "-";
}

// Runs gnuplot on `script` (written to DIR/NAME.gp) in DIR.
api::Result<void> plot(const fs::path& dir, const std::string& name, const std::string& script) {
  const fs::path file = dir / (name + ".gp");
  if (auto written = write_text(file, script); !written) return written;
  auto gnuplot = harness::find_program("gnuplot");
  if (!gnuplot) {
    return api::fail(api::ErrorContext::kCaller, api::ErrorKind::kNotFound,
                     "plots need gnuplot (apt-get install gnuplot-nox); report.md and the data "
                     "files are written");
  }
  auto ran =
      harness::run_command({*gnuplot, "-e", fmt::format("cd '{}'", dir.string()), file.string()},
                           std::chrono::seconds(60));
  if (!ran) return std::unexpected(ran.error());
  if (ran->exit_code != 0) {
    return api::fail(api::ErrorContext::kLocalFile, api::ErrorKind::kInternal,
                     "gnuplot " + file.string() + ": " + ran->err);
  }
  return {};
}

std::vector<json> rounds_of(const json& report) {
  std::vector<json> rounds{report};
  for (const auto& round : report.value("later_rounds", json::array())) rounds.push_back(round);
  return rounds;
}

std::string summary_rows(const json& round) {
  std::string md;
  md += fmt::format("| origin bytes | {} ({}) |\n", round["origin_bytes"].get<std::uint64_t>(),
                    format_bytes(round["origin_bytes"].get<std::uint64_t>()));
  md += fmt::format("| origin metadata bytes | {} |\n",
                    round["origin_metadata_bytes"].get<std::uint64_t>());
  md += fmt::format("| origin egress ratio | {} |\n", cell(round["origin_egress_ratio"], "{:.3f}"));
  md += fmt::format("| ideal time (size / origin rate) | {} s |\n", cell(round["ideal_seconds"]));
  md += fmt::format("| finish first / median / last | {} / {} / {} s |\n",
                    cell(round["first_finish_seconds"]), cell(round["median_finish_seconds"]),
                    cell(round["last_finish_seconds"]));
  md +=
      fmt::format("| last-finish ratio (last / ideal) | {} |\n", cell(round["last_finish_ratio"]));
  md += fmt::format("| bytes from peers | {} % |\n", cell(round["peer_bytes_pct"], "{:.1f}"));
  md += fmt::format("| bytes from caches | {} % |\n", cell(round["cache_bytes_pct"], "{:.1f}"));
  return md;
}

std::string peer_rows(const json& round) {
  std::string md =
      "| peer | subnet | seconds | from origin | from peers | from cache | uploaded | CPU s | "
      "max RSS | file |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---|\n";
  for (const auto& peer : round["per_peer"]) {
    md += fmt::format(
        "| {} | {}{} | {} | {} | {} | {} | {} | {:.2f} | {} | {} |\n",
        peer["name"].get<std::string>(), peer.value("subnet", 0),
        peer.value("vpn", false) ? " (VPN)" : "",
        peer["killed"].get<bool>() ? std::string("killed") : cell(peer["seconds"]),
        peer["from_origin"].get<std::uint64_t>(), peer["from_peers"].get<std::uint64_t>(),
        peer["from_cache"].get<std::uint64_t>(), peer["uploaded"].get<std::uint64_t>(),
        peer["cpu_seconds"].get<double>(), format_bytes(peer["max_rss_bytes"].get<std::uint64_t>()),
        peer["file"].get<std::string>());
  }
  return md;
}

api::Result<void> plot_sources(const fs::path& dir, const json& round) {
  std::string data = "# peer from_origin_MiB from_peers_MiB from_cache_MiB\n";
  for (const auto& peer : round["per_peer"]) {
    data += fmt::format("{} {:.3f} {:.3f} {:.3f}\n", peer["name"].get<std::string>(),
                        peer["from_origin"].get<double>() / kMiB,
                        peer["from_peers"].get<double>() / kMiB,
                        peer["from_cache"].get<double>() / kMiB);
  }
  if (auto written = write_text(dir / "sources.dat", data); !written) return written;
  return plot(dir, "sources",
              "set terminal svg size 900,480 dynamic background rgb 'white'\n"
              "set output 'sources.svg'\n"
              "set title 'Bytes by source, per peer'\n"
              "set ylabel 'MiB'\n"
              "set style data histograms\n"
              "set style histogram rowstacked\n"
              "set style fill solid 0.8 border -1\n"
              "set boxwidth 0.7\n"
              "set key outside right top\n"
              "set yrange [0:*]\n"
              "set xtics rotate by -45\n"
              "plot 'sources.dat' using 2:xtic(1) title 'origin', '' using 3 title 'peers', "
              "'' using 4 title 'cache'\n");
}

api::Result<void> plot_completion(const fs::path& dir, const json& report) {
  const double size = report["size"].get<double>();
  std::string data;
  std::string names;
  for (const auto& peer : report["per_peer"]) {
    data += "# " + peer["name"].get<std::string>() + "\n";
    data += fmt::format("{:.3f} 0\n", peer["started_at"].get<double>());
    for (const auto& point : peer["timeline"]) {
      data += fmt::format("{:.3f} {:.2f}\n", point[0].get<double>(),
                          100.0 * point[1].get<double>() / size);
    }
    data += "\n\n";  // gnuplot: the next data set ("index")
    names += (names.empty() ? "" : " ") + peer["name"].get<std::string>();
  }
  if (auto written = write_text(dir / "completion.dat", data); !written) return written;
  const std::string ideal = report["ideal_seconds"].is_number()
                                ? fmt::format(
                                      "set arrow from {0:.3f},0 to {0:.3f},100 nohead dashtype 2\n"
                                      "set label 'ideal' at {0:.3f},102 center\n",
                                      report["ideal_seconds"].get<double>())
                                : std::string();
  return plot(dir, "completion",
              fmt::format("set terminal svg size 900,480 dynamic background rgb 'white'\n"
                          "set output 'completion.svg'\n"
                          "set title 'Completion over time, per peer'\n"
                          "set xlabel 'seconds since the start'\n"
                          "set ylabel '% of the file verified'\n"
                          "set yrange [0:105]\n"
                          "set xrange [0:*]\n"
                          "set key outside right top\n"
                          "{}"
                          "names = '{}'\n"
                          "plot for [i=0:{}] 'completion.dat' index i using 1:2 with lines "
                          "title word(names, i+1)\n",
                          ideal, names, report["per_peer"].size() - 1));
}

// Each peer's `swarmcopy status --json` (report["peer_status"]) in DIR/status/NAME.json, and a
// table linking them; "" when there are none (curl keeps no history).
api::Result<std::string> status_section(const fs::path& dir, const json& report) {
  const auto found = report.find("peer_status");
  if (found == report.end() || !found->is_object() || found->empty()) return std::string();
  std::error_code error;
  fs::create_directories(dir / "status", error);
  if (error) {
    return api::fail(api::ErrorContext::kLocalFile, api::ErrorKind::kLocalIo,
                     "cannot create " + (dir / "status").string() + ": " + error.message());
  }
  std::string md =
      "## Each peer's status\n\nWhat `swarmcopy status` says of each peer's home (its "
      "swarmcopyd, for the apt and oci workloads) after the run (every round).\n\n"
      "| peer | received | from peers and caches | status |\n"
      "|---|---:|---:|---|\n";
  for (const auto& [name, status] : found->items()) {
    if (!status.is_object()) {
      md += fmt::format("| {} | - | - | (not read) |\n", name);
      continue;
    }
    const std::string file = "status/" + name + ".json";
    if (auto written = write_text(dir / file, status.dump(2) + "\n"); !written) {
      return std::unexpected(written.error());
    }
    const auto& totals = status["totals"];
    md += fmt::format("| {} | {} | {:.1f} % | [{}]({}) |\n", name,
                      format_bytes(totals.value("received", std::uint64_t{0})),
                      totals.value("savings_ratio", 0.0) * 100.0, file, file);
  }
  return md + "\n";
}

std::string scenario_text(const json& report) {
  const auto& s = report["scenario"];
  const std::string workload = report.value("workload", "file");
  std::string text = fmt::format(
      "{}{} mode, {} peers, {} ({} bytes), origin link {}",
      workload == "file" ? "" : workload + " workload, ", report["mode"].get<std::string>(),
      report["peers"].get<int>(), format_bytes(report["size"].get<std::uint64_t>()),
      report["size"].get<std::uint64_t>(),
      report["origin_rate"].is_string() ? report["origin_rate"].get<std::string>() : "unshaped");
  if (s["lan_rate"].is_string()) text += ", LAN links " + s["lan_rate"].get<std::string>();
  if (s["latency_ms"].get<int>() > 0)
    text += fmt::format(", latency {} ms", s["latency_ms"].get<int>());
  if (s["stagger_seconds"].get<double>() > 0) {
    text += fmt::format(", peers {} s apart", s["stagger_seconds"].get<double>());
  }
  if (s["churn"].get<int>() > 0) text += fmt::format(", {} killed mid-way", s["churn"].get<int>());
  if (!s.value("publish", true)) text += ", no .torrent at the origin";
  if (const auto& host = report.value("host", json::object()); host.contains("cpus")) {
    text += fmt::format(", on {} CPUs (load average {} at the start)", host["cpus"].get<unsigned>(),
                        cell(host["load_average_at_start"]));
  }
  if (s["origin_outage"].is_object()) {
    text += fmt::format(", origin unplugged {} s after {} s",
                        s["origin_outage"]["seconds"].get<double>(),
                        s["origin_outage"]["at_seconds"].get<double>());
  }
  // apt's method and the registry mirror choose their jobs' priority themselves.
  if (workload != "file") return text;
  return text + fmt::format(", priority {}", s["priority"].get<std::string>());
}

}  // namespace

api::Result<void> write_run_report(const fs::path& dir, const json& report) {
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) {
    return api::fail(api::ErrorContext::kLocalFile, api::ErrorKind::kLocalIo,
                     "cannot create " + dir.string() + ": " + error.message());
  }
  std::string md = "# swarmcopy-lab run\n\n" + scenario_text(report) + ".\n\n";
  const auto rounds = rounds_of(report);
  for (const auto& round : rounds) {
    if (rounds.size() > 1) {
      md += fmt::format("## Round {}{}\n\n", round["round"].get<int>(),
                        round["round"].get<int>() > 1 ? " (the same file again: caches)" : "");
    }
    md += "| figure | value |\n|---|---|\n" + summary_rows(round) + "\n" + peer_rows(round) + "\n";
  }
  auto statuses = status_section(dir, report);
  if (!statuses) return std::unexpected(statuses.error());
  md += *statuses;
  md += "![bytes by source per peer](sources.svg)\n\n![completion over time](completion.svg)\n";
  if (auto written = write_text(dir / "report.md", md); !written) return written;
  if (auto written = write_text(dir / "report.json", report.dump(2) + "\n"); !written) {
    return written;
  }
  if (auto plotted = plot_sources(dir, report); !plotted) return plotted;
  return plot_completion(dir, report);
}

api::Result<void> write_sweep_report(const fs::path& dir, const std::vector<json>& reports) {
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) {
    return api::fail(api::ErrorContext::kLocalFile, api::ErrorKind::kLocalIo,
                     "cannot create " + dir.string() + ": " + error.message());
  }
  std::string md = "# swarmcopy-lab sweep\n\n";
  if (!reports.empty()) {
    const auto& first = reports.front();
    const std::string workload = first.value("workload", "file");
    md += fmt::format(
        "{}{} ({} bytes), origin link {}.\n\n", workload == "file" ? "" : workload + " workload: ",
        format_bytes(first["size"].get<std::uint64_t>()), first["size"].get<std::uint64_t>(),
        first["origin_rate"].is_string() ? first["origin_rate"].get<std::string>() : "unshaped");
  }
  md +=
      "| mode | peers | origin bytes | egress ratio | ideal s | first s | median s | last s | "
      "last / ideal | from peers % | CPU s / peer | max RSS |\n"
      "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  std::map<std::string, std::string> data_by_mode;
  // Without a shaped origin there is no ideal time: the last finish is plotted in seconds.
  bool any_ideal = false;
  json all = json::array();
  for (const auto& report : reports) {
    const auto usage = peer_usage(report);
    const auto peers = report["peers"].get<int>();
    const std::string mode = report["mode"].get<std::string>();
    md += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {:.2f} | {} |\n", mode,
                      peers, report["origin_bytes"].get<std::uint64_t>(),
                      cell(report["origin_egress_ratio"], "{:.3f}"), cell(report["ideal_seconds"]),
                      cell(report["first_finish_seconds"]), cell(report["median_finish_seconds"]),
                      cell(report["last_finish_seconds"]), cell(report["last_finish_ratio"]),
                      cell(report["peer_bytes_pct"], "{:.1f}"),
                      usage.cpu_seconds / std::max(peers, 1), format_bytes(usage.max_rss_bytes));
    const auto number_or_nan = [](const json& value) {
      return value.is_number() ? fmt::format("{:.4f}", value.get<double>()) : std::string("NaN");
    };
    data_by_mode[mode] += fmt::format(
        "{} {:.4f} {} {}\n", peers, report["origin_egress_ratio"].get<double>(),
        number_or_nan(report["last_finish_ratio"]), number_or_nan(report["last_finish_seconds"]));
    any_ideal = any_ideal || report["last_finish_ratio"].is_number();
    all.push_back(report);
    const fs::path sub = dir / fmt::format("{}-{:02}", mode, peers);
    if (auto written = write_run_report(sub, report); !written) return written;
  }
  md +=
      "\n![origin egress vs peers](egress.svg)\n\n![last finish vs peers](last_finish.svg)\n\n"
      "Each run's own report: the directories MODE-NN.\n";
  if (auto written = write_text(dir / "report.md", md); !written) return written;
  if (auto written = write_text(dir / "sweep.json", all.dump(2) + "\n"); !written) return written;

  std::string data, names;
  for (const auto& [mode, rows] : data_by_mode) {
    data += "# " + mode + "\n" + rows + "\n\n";
    names += (names.empty() ? "" : " ") + mode;
  }
  if (auto written = write_text(dir / "sweep.dat", data); !written) return written;
  const auto chart = [&](const std::string& name, const std::string& title,
                         const std::string& ylabel, int column) {
    return plot(dir, name,
                fmt::format("set terminal svg size 800,480 dynamic background rgb 'white'\n"
                            "set output '{}.svg'\n"
                            "set title '{}'\n"
                            "set xlabel 'peers'\n"
                            "set ylabel '{}'\n"
                            "set yrange [0:*]\n"
                            "set key outside right top\n"
                            "names = '{}'\n"
                            "plot for [i=0:{}] 'sweep.dat' index i using 1:{} with linespoints "
                            "title word(names, i+1)\n",
                            name, title, ylabel, names, data_by_mode.size() - 1, column));
  };
  if (data_by_mode.empty()) return {};
  if (auto plotted = chart("egress", "Origin egress vs peers", "origin bytes / file size", 2);
      !plotted) {
    return plotted;
  }
  if (any_ideal) {
    return chart("last_finish", "Last finish vs peers", "last finish / ideal time", 3);
  }
  return chart("last_finish", "Last finish vs peers (origin not shaped: no ideal time)",
               "last finish (s)", 4);
}

}  // namespace swarmcopy::lab
