#include "apt_world.h"

#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <system_error>

#include "nginx/test_files.h"
#include "process/child_process.h"

namespace swarmcopy::test {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

void write_file(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

}  // namespace

std::expected<DebPackage, std::string> make_deb_package(const fs::path& work, const fs::path& repo,
                                                        const std::string& name,
                                                        std::uint64_t payload, std::uint64_t seed) {
  const auto tree = work / name;
  write_file(tree / "DEBIAN/control", "Package: " + name +
                                          "\nVersion: 1.0\nArchitecture: all\n"
                                          "Maintainer: swarmcopy tests <t@example.org>\n"
                                          "Description: swarmcopy apt test package\n");
  fs::create_directories(tree / "usr/share" / name);
  if (auto written = write_test_file(tree / "usr/share" / name / "payload", payload, seed);
      !written) {
    return std::unexpected(written.error());
  }
  DebPackage package{name, repo / (name + "_1.0_all.deb"), "", 0};
  // -Znone: the payload does not compress, and gzip of 64 MiB costs seconds on a shared machine.
  auto built = run_child({"/usr/bin/dpkg-deb", "--root-owner-group", "-Znone", "--build",
                          tree.string(), package.deb.string()},
                         {}, 120s);
  if (built.exit_code != 0) return std::unexpected("dpkg-deb: " + built.out + built.err);
  auto sha = sha256_file(package.deb);
  if (!sha) return std::unexpected(sha.error());
  package.sha256 = *sha;
  package.size = fs::file_size(package.deb);
  fs::remove_all(tree);
  return package;
}

std::expected<void, std::string> index_repository(const fs::path& repo) {
  auto index = run_child({"/bin/sh", "-c",
                          "apt-ftparchive packages . > Packages && gzip -9kfn Packages && "
                          "apt-ftparchive release . > ../Release.tmp && mv ../Release.tmp Release"},
                         repo, 120s);
  if (index.exit_code != 0) return std::unexpected("apt-ftparchive: " + index.out + index.err);
  return {};
}

std::expected<void, std::string> make_methods_dir(const fs::path& dir, const fs::path& method) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return std::unexpected(dir.string() + ": " + ec.message());
  for (const auto& stock : fs::directory_iterator("/usr/lib/apt/methods")) {
    // A swarmcopy package installed on this machine brings its own: ours are the build's.
    if (stock.path().filename().string().starts_with("swarmcopy+")) continue;
    fs::create_symlink(stock.path(), dir / stock.path().filename(), ec);
    if (ec) return std::unexpected(stock.path().string() + ": " + ec.message());
  }
  for (const auto* name : {"swarmcopy+http", "swarmcopy+https"}) {
    fs::create_symlink(method, dir / name, ec);
    if (ec) return std::unexpected(method.string() + ": " + ec.message());
  }
  return {};
}

AptWorld::AptWorld(fs::path root, const std::string& source, fs::path methods, fs::path socket)
    : root_(std::move(root)), methods_(std::move(methods)), socket_(std::move(socket)) {
  for (const auto* d : {"state/lists/partial", "cache/archives/partial", "etc/sources.d", "log"}) {
    fs::create_directories(root_ / d);
  }
  for (auto p = root_; p.has_relative_path() && p != p.parent_path(); p = p.parent_path()) {
    if (p == fs::temp_directory_path()) break;
    ::chmod(p.c_str(), 0755);
  }
  for (const auto& p : fs::recursive_directory_iterator(root_)) {
    if (p.is_directory()) ::chmod(p.path().c_str(), 0755);
  }
  write_file(root_ / "status", "");
  write_file(root_ / "etc/sources.list", source + "\n");
}

ChildResult AptWorld::apt_get(const std::vector<std::string>& command,
                              const std::vector<std::string>& extra) const {
  std::vector<std::string> args = {"/usr/bin/apt-get",
                                   "-q",
                                   "-o",
                                   "Dir::Etc::SourceList=" + (root_ / "etc/sources.list").string(),
                                   "-o",
                                   "Dir::Etc::SourceParts=" + (root_ / "etc/sources.d").string(),
                                   "-o",
                                   "Dir::State=" + (root_ / "state").string(),
                                   "-o",
                                   "Dir::State::status=" + (root_ / "status").string(),
                                   "-o",
                                   "Dir::Cache=" + (root_ / "cache").string(),
                                   "-o",
                                   "Dir::Log=" + (root_ / "log").string(),
                                   "-o",
                                   "Dir::Bin::Methods=" + methods_.string(),
                                   "-o",
                                   "Debug::NoLocking=true",
                                   "-o",
                                   "Acquire::Languages=none",
                                   "-o",
                                   "Acquire::Retries=0",
                                   "-o",
                                   "APT::Sandbox::User=_apt",
                                   "-o",
                                   "Acquire::swarmcopy::Socket=" + socket_.string(),
                                   "-o",
                                   "Acquire::swarmcopy::StallTimeout=60"};
  for (const auto& option : extra) args.insert(args.end(), {"-o", option});
  args.insert(args.end(), command.begin(), command.end());
  return run_child(args, root_, 180s);
}

}  // namespace swarmcopy::test
