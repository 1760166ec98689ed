#include "netns_ops.h"

#include <chrono>
#include <thread>

#include <signal.h>

#include <cctype>
#include <charconv>

#include "swarmcopy/harness/run_command.h"

namespace swarmcopy::harness {
namespace {

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (!line.empty()) lines.push_back(line);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
  }
  return lines;
}

bool mentions(const std::string& text, std::string_view what) {
  return text.find(what) != std::string::npos;
}

}  // namespace

bool is_safe_name(std::string_view name) {
  if (name.empty() || name.front() == '-' || name.front() == '.') return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
      return false;
    }
  }
  return true;
}

api::Result<std::vector<std::string>> list_netns() {
  auto listed = run_checked({"ip", "netns", "list"});
  if (!listed) return std::unexpected(listed.error());
  // "sc-3fa9c1-peer1 (id: 3)", or the bare name for a namespace without an id yet.
  std::vector<std::string> names;
  for (std::string_view line : lines_of(listed->out)) {
    names.emplace_back(line.substr(0, line.find(' ')));
  }
  return names;
}

api::Result<std::vector<std::string>> list_links(std::string_view kind) {
  std::vector<std::string> command{"ip", "-o", "link", "show"};
  if (!kind.empty()) command.insert(command.end(), {"type", std::string(kind)});
  auto listed = run_checked(command);
  if (!listed) return std::unexpected(listed.error());
  // "9: sc-3fa9c1-h0@if2: <BROADCAST,...> ..."
  std::vector<std::string> names;
  for (std::string_view line : lines_of(listed->out)) {
    const size_t start = line.find(": ");
    if (start == std::string_view::npos) continue;
    std::string_view name = line.substr(start + 2);
    name = name.substr(0, name.find_first_of("@:"));
    if (!name.empty()) names.emplace_back(name);
  }
  return names;
}

int kill_processes_in(const std::string& netns) {
  auto listed = run_command({"ip", "netns", "pids", netns});
  if (!listed || listed->exit_code != 0) return 0;
  int killed = 0;
  for (std::string_view line : lines_of(listed->out)) {
    pid_t pid = 0;
    auto [end, error] = std::from_chars(line.data(), line.data() + line.size(), pid);
    if (error != std::errc() || pid <= 1) continue;
    if (::kill(pid, SIGKILL) == 0) ++killed;
  }
  return killed;
}

// The kernel tears namespaces and veth pairs down asynchronously: a delete can fail (or race
// with the pair's other end going) while the object is already on its way out. What counts is
// whether it is still there a moment later; asked a few times, bounded.
bool still_there(const std::vector<std::string>& show, const std::vector<std::string>& needles) {
  for (int attempt = 0; attempt < 20; ++attempt) {
    auto shown = run_command(show);
    if (!shown) return true;
    bool present = false;
    for (const auto& needle : needles) {
      present = present || (shown->exit_code == 0 && shown->out.find(needle) != std::string::npos);
    }
    if (!present) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

api::Result<void> delete_netns(const std::string& netns) {
  auto deleted = run_command({"ip", "netns", "delete", netns});
  if (!deleted) return std::unexpected(deleted.error());
  if (deleted->exit_code != 0 && !mentions(deleted->err, "No such file") &&
      still_there({"ip", "netns", "list"}, {netns + " ", netns + "\n"})) {
    return api::fail(api::ErrorContext::kGeneralTransport, api::ErrorKind::kUnavailable,
                     "ip netns delete " + netns + ": " + deleted->err, deleted->exit_code, netns,
                     api::Protocol::kLocal);
  }
  return {};
}

api::Result<void> delete_link(const std::string& link) {
  auto deleted = run_command({"ip", "link", "delete", link});
  if (!deleted) return std::unexpected(deleted.error());
  if (deleted->exit_code != 0 && !mentions(deleted->err, "Cannot find device") &&
      still_there({"ip", "-o", "link", "show"}, {": " + link + ":", ": " + link + "@"})) {
    return api::fail(api::ErrorContext::kGeneralTransport, api::ErrorKind::kUnavailable,
                     "ip link delete " + link + ": " + deleted->err, deleted->exit_code, link,
                     api::Protocol::kLocal);
  }
  return {};
}

}  // namespace swarmcopy::harness
