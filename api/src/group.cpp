#include "swarmcopy/api/group.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace swarmcopy::api {
namespace {

constexpr std::size_t kMaxGroupBytes = 255;
constexpr std::size_t kMaxUrlBytes = 2048;

std::unexpected<Error> invalid(std::string message) {
  return std::unexpected(Error{ErrorContext::kCaller,
                               ErrorKind::kInvalidArgument,
                               0,
                               std::move(message),
                               {},
                               Protocol::kNone});
}

bool is_space_or_control(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte <= 0x20 || byte == 0x7f;
}

}  // namespace

Result<void> check_group_id(std::string_view group) {
  if (group.empty()) return invalid("the group is empty");
  if (group.size() > kMaxGroupBytes) return invalid("the group is longer than 255 bytes");
  for (char c : group) {
    const auto byte = static_cast<unsigned char>(c);
    if (is_space_or_control(c) || byte >= 0x80) {
      return invalid("the group may hold printable ASCII only, without whitespace");
    }
  }
  return {};
}

Result<void> check_tracker_url(std::string_view url) {
  if (url.empty()) return invalid("the tracker URL is empty");
  if (url.size() > kMaxUrlBytes) return invalid("the tracker URL is longer than 2048 bytes");
  const std::string shown(url);
  if (std::any_of(url.begin(), url.end(), is_space_or_control)) {
    return invalid("the tracker URL '" + shown + "' contains whitespace or a control character");
  }
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return invalid("the tracker URL '" + shown +
                   "' has no scheme: write http://, https:// or udp://");
  }
  std::string scheme(url.substr(0, scheme_end));
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static constexpr std::array<std::string_view, 3> kSchemes = {"http", "https", "udp"};
  if (std::find(kSchemes.begin(), kSchemes.end(), scheme) == kSchemes.end()) {
    return invalid("the tracker URL '" + shown + "' has the scheme '" + scheme +
                   "': only http, https and udp trackers are supported");
  }
  const auto authority =
      url.substr(scheme_end + 3, url.find_first_of("/?#", scheme_end + 3) - (scheme_end + 3));
  if (authority.empty() || authority.front() == ':' || authority.find('@') != authority.npos) {
    return invalid("the tracker URL '" + shown + "' has no host (or has credentials)");
  }
  return {};
}

Result<std::vector<std::string>> parse_tracker_list(std::string_view text) {
  std::vector<std::string> urls;
  std::size_t at = 0;
  while (at < text.size()) {
    while (at < text.size() && (text[at] == ' ' || text[at] == '\t' || text[at] == ',')) ++at;
    const auto end = text.find_first_of(" \t,", at);
    const auto url = text.substr(at, end == std::string_view::npos ? text.npos : end - at);
    if (url.empty()) break;
    if (auto checked = check_tracker_url(url); !checked) return std::unexpected(checked.error());
    urls.emplace_back(url);
    at = end == std::string_view::npos ? text.size() : end;
  }
  return urls;
}

}  // namespace swarmcopy::api
