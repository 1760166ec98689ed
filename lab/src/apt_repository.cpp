#include "apt_repository.h"

#include <chrono>
#include <fstream>
#include <system_error>

#include <fmt/format.h>

#include "content.h"
#include "swarmcopy/harness/run_command.h"

namespace swarmcopy::lab {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string text_of(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// `argv` in `dir`, its stdout into `out` and its stderr into `err`; an error with its stderr
// unless it exits 0 in time.
std::expected<void, std::string> run_to_file(harness::NetworkLab& lab, const std::string& ns,
                                             const std::vector<std::string>& argv,
                                             const fs::path& dir, const fs::path& out,
                                             const fs::path& err) {
  harness::RunOptions options;
  options.cwd = dir;
  options.stdout_path = out;
  options.stderr_path = err;
  auto started = lab.run_in(ns, argv, options);
  if (!started) return std::unexpected(argv[0] + ": " + started.error().message);
  auto code = started->wait(120s);
  if (!code || !*code || **code != 0) {
    started->kill();
    return std::unexpected(
        fmt::format("{} {} failed: {}", argv[0], argv[1], text_of(options.stderr_path)));
  }
  return {};
}

}  // namespace

std::expected<AptRepository, std::string> make_apt_repository(harness::NetworkLab& lab,
                                                              const std::string& ns,
                                                              const fs::path& work,
                                                              const fs::path& repo,
                                                              std::uint64_t payload) {
  auto dpkg_deb = harness::find_program("dpkg-deb");
  auto ftparchive = harness::find_program("apt-ftparchive");
  if (!dpkg_deb || !ftparchive) {
    return std::unexpected(
        "--workload apt needs dpkg-deb (dpkg) and apt-ftparchive (apt-utils) to make its "
        "repository");
  }
  AptRepository made{kAptPackage, repo / fmt::format("{}_1.0_all.deb", kAptPackage), "", 0};
  const fs::path tree = work / made.package;
  std::error_code error;
  fs::create_directories(tree / "DEBIAN", error);
  fs::create_directories(tree / "usr/share" / made.package, error);
  fs::create_directories(repo, error);
  if (error) return std::unexpected(work.string() + ": " + error.message());
  std::ofstream(tree / "DEBIAN/control")
      << "Package: " << made.package
      << "\nVersion: 1.0\nArchitecture: all\nMaintainer: swarmcopy-lab <lab@example.org>\n"
         "Description: swarmcopy-lab payload\n";
  auto written = write_content(tree / "usr/share" / made.package / "payload", payload);
  if (!written) return std::unexpected(written.error().message);
  if (!*written) return std::unexpected("stopped");
  auto built = harness::run_command(
      {*dpkg_deb, "--root-owner-group", "-Znone", "--build", tree.string(), made.deb.string()},
      600s);
  fs::remove_all(tree, error);
  if (!built) return std::unexpected("dpkg-deb: " + built.error().describe());
  if (built->exit_code != 0) return std::unexpected("dpkg-deb: " + built->out + built->err);
  auto sha = sha256_of(made.deb);
  if (!sha) return std::unexpected(sha.error().describe());
  made.deb_sha256 = *sha;
  made.deb_size = fs::file_size(made.deb);

  // Flat repository: Filename relative to the repository ("./NAME.deb"), so both run in it.
  // Release is written beside it first: apt-ftparchive would list a Release it is writing.
  if (auto packages = run_to_file(lab, ns, {*ftparchive, "packages", "."}, repo, repo / "Packages",
                                  work / "apt-ftparchive-packages.err");
      !packages) {
    return std::unexpected(packages.error());
  }
  const fs::path release = work / "Release";
  if (auto indexed = run_to_file(lab, ns, {*ftparchive, "release", "."}, repo, release,
                                 work / "apt-ftparchive-release.err");
      !indexed) {
    return std::unexpected(indexed.error());
  }
  fs::rename(release, repo / "Release", error);
  if (error) return std::unexpected("Release: " + error.message());
  return made;
}

}  // namespace swarmcopy::lab
