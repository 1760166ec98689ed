#include "pki/group_pki.h"

#include <chrono>
#include <fstream>
#include <sstream>
#include <vector>

#include "process/child_process.h"

namespace swarmcopy::test {
namespace {

std::expected<void, std::string> openssl(const std::vector<std::string>& args) {
  std::vector<std::string> command{"/usr/bin/openssl"};
  command.insert(command.end(), args.begin(), args.end());
  const auto result = run_child(command, {}, std::chrono::seconds(30));
  if (result.exit_code != 0) {
    return std::unexpected("openssl " + args.front() + " (exit " +
                           std::to_string(result.exit_code) + "): " + result.err);
  }
  return {};
}

}  // namespace

std::expected<GroupPki, std::string> GroupPki::make(const std::filesystem::path& dir,
                                                    const std::string& ca_name) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return std::unexpected("cannot make " + dir.string() + ": " + ec.message());
  GroupPki pki(dir, ca_name);
  auto made = openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                       "-nodes", "-keyout", pki.key(ca_name).string(), "-out",
                       pki.ca_pem().string(), "-days", "2", "-subj", "/CN=" + ca_name});
  if (!made) return std::unexpected(made.error());
  return pki;
}

std::expected<void, std::string> GroupPki::issue(const std::string& name) const {
  const auto request = dir_ / (name + ".csr");
  auto requested = openssl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                            "-nodes", "-keyout", key(name).string(), "-out", request.string(),
                            "-subj", "/OU=" + name + "/CN=*"});
  if (!requested) return requested;
  return openssl({"x509", "-req", "-in", request.string(), "-CA", ca_pem().string(), "-CAkey",
                  key(ca_name_).string(), "-CAcreateserial", "-out", cert(name).string(), "-days",
                  "2"});
}

std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace swarmcopy::test
