// GroupPki: a group's certificate authority in a directory, and certificates it signs for the
// group's machines (common name "*": valid for every swarm of the group, as libtorrent's SSL
// torrents check it; the machine's name in the OU; no subject alternative name, whose list
// libtorrent 2.0.8 reads and never frees), made with the `openssl` command. EC P-256 keys, valid
// two days. Files: NAME.pem (certificate), NAME.key (private key), PEM.
#pragma once

#include <expected>
#include <filesystem>
#include <string>

namespace swarmcopy::test {

class GroupPki {
 public:
  // The CA "ca" in `dir`; the error names the openssl step that failed and what it said.
  static std::expected<GroupPki, std::string> make(const std::filesystem::path& dir,
                                                   const std::string& ca_name = "ca");
  // A machine's certificate `name` signed by this CA.
  std::expected<void, std::string> issue(const std::string& name) const;

  std::filesystem::path ca_pem() const { return dir_ / (ca_name_ + ".pem"); }
  std::filesystem::path cert(const std::string& name) const { return dir_ / (name + ".pem"); }
  std::filesystem::path key(const std::string& name) const { return dir_ / (name + ".key"); }

 private:
  GroupPki(std::filesystem::path dir, std::string ca_name)
      : dir_(std::move(dir)), ca_name_(std::move(ca_name)) {}
  std::filesystem::path dir_;
  std::string ca_name_;
};

// A whole file's text ("" when it cannot be read).
std::string read_text(const std::filesystem::path& file);

}  // namespace swarmcopy::test
