#include "group_source.h"

#include <netdb.h>
#include <unistd.h>

#include <cctype>
#include <fstream>
#include <memory>
#include <sstream>

#include "swarmcopy/api/group.h"

namespace swarmcopy::daemon {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// This host's canonical name, as the resolver gives it (/etc/hosts, DNS); its plain name when
// the resolver knows no better.
std::string canonical_host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return {};
  addrinfo hints{};
  hints.ai_flags = AI_CANONNAME;
  addrinfo* found = nullptr;
  if (::getaddrinfo(name, nullptr, &hints, &found) != 0 || found == nullptr) return name;
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owned(found, &::freeaddrinfo);
  return found->ai_canonname != nullptr ? found->ai_canonname : name;
}

}  // namespace

std::string domain_of_host_name(std::string_view fqdn) {
  while (fqdn.ends_with('.')) fqdn.remove_suffix(1);
  const auto dot = fqdn.find('.');
  if (dot == std::string_view::npos || dot + 1 >= fqdn.size()) return {};
  return lower(fqdn.substr(dot + 1));
}

std::string domain_of_resolv_conf(std::string_view text) {
  std::string domain, search;
  std::istringstream lines{std::string(text)};
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string keyword, first;
    words >> keyword >> first;
    if (first.empty() || keyword.starts_with('#') || keyword.starts_with(';')) continue;
    if (keyword == "domain") domain = first;
    if (keyword == "search") search = first;
  }
  std::string chosen = domain.empty() ? search : domain;
  while (chosen.ends_with('.')) chosen.pop_back();
  return lower(chosen);
}

std::expected<std::string, std::string> resolve_group_id(const std::string& source,
                                                         const std::string& group_id) {
  if (source == "explicit") return group_id;
  std::string domain = domain_of_host_name(canonical_host_name());
  if (domain.empty()) {
    std::ifstream resolv("/etc/resolv.conf");
    std::ostringstream text;
    text << resolv.rdbuf();
    domain = domain_of_resolv_conf(text.str());
  }
  if (domain.empty()) {
    return std::unexpected(
        "group_id_source is dns-domain, but this host has no DNS domain (neither its canonical "
        "name nor /etc/resolv.conf names one): set group_id instead");
  }
  if (auto checked = api::check_group_id(domain); !checked) {
    return std::unexpected("the host's DNS domain \"" + domain +
                           "\" is no group: " + checked.error().message);
  }
  return domain;
}

}  // namespace swarmcopy::daemon
