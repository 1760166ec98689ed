// What the apt tests beyond apt_method_test share: a Debian repository made in the test
// (make_deb_package with dpkg-deb, index_repository with apt-ftparchive; unsigned, for a
// [trusted=yes] source) and AptWorld, one machine's apt with a private root (sources.list,
// state, cache, status file, log) and a methods directory of its choosing, run as root with
// apt's sandbox user _apt and its method's daemon socket. Nothing of the system's apt
// configuration is touched. Not thread-safe; one owner per object.
#pragma once

#include <cstdint>
#include <expected>
#include <filesystem>
#include <string>
#include <vector>

#include "process/child_result.h"

namespace swarmcopy::test {

struct DebPackage {
  std::string name;
  std::filesystem::path deb;  // NAME_1.0_all.deb in the repository
  std::string sha256;         // of the .deb, as the index lists it
  std::uint64_t size = 0;     // of the .deb
};

// Builds NAME_1.0_all.deb into `repo`, its tree under `work`: one file of `payload`
// pseudo-random bytes from `seed` (incompressible; the .deb is stored uncompressed).
std::expected<DebPackage, std::string> make_deb_package(const std::filesystem::path& work,
                                                        const std::filesystem::path& repo,
                                                        const std::string& name,
                                                        std::uint64_t payload, std::uint64_t seed);

// Packages, Packages.gz and Release for a flat repository (`deb URL ./`).
std::expected<void, std::string> index_repository(const std::filesystem::path& repo);

// Our method as the methods directory of an apt world: apt's stock methods (without any
// installed swarmcopy+*) plus `method` under both names, in `dir`.
std::expected<void, std::string> make_methods_dir(const std::filesystem::path& dir,
                                                  const std::filesystem::path& method);

class AptWorld {
 public:
  // `root`: made here, 0755 up to it so that _apt reaches partial/. `source`: the whole
  // sources.list line. `methods`: Dir::Bin::Methods. `socket`: Acquire::swarmcopy::Socket.
  AptWorld(std::filesystem::path root, const std::string& source, std::filesystem::path methods,
           std::filesystem::path socket);

  // apt-get -q with this world's options, `extra` as more -o options, then `command`;
  // bounded (180 s).
  ChildResult apt_get(const std::vector<std::string>& command,
                      const std::vector<std::string>& extra = {}) const;

  std::filesystem::path archives() const { return root_ / "cache/archives"; }
  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;
  std::filesystem::path methods_;
  std::filesystem::path socket_;
};

}  // namespace swarmcopy::test
