// AptRepository: the Debian repository of `--workload apt`, made for the run: one package whose
// payload is the lab's pseudo-random content (content.h), built with dpkg-deb, indexed with
// apt-ftparchive as a flat repository (`deb [trusted=yes] URL ./`: Packages and an unsigned
// Release). One thread (the lab's).
#pragma once

#include <cstdint>
#include <expected>
#include <filesystem>
#include <string>

#include "swarmcopy/harness/network_lab.h"

namespace swarmcopy::lab {

struct AptRepository {
  std::string package;         // its name, what `apt-get install` asks for
  std::filesystem::path deb;   // NAME_1.0_all.deb in the repository
  std::string deb_sha256;      // as Packages lists it (what apt and the daemon check)
  std::uint64_t deb_size = 0;  // the payload and a few KiB of control and ar/tar framing
};

inline constexpr const char* kAptPackage = "scl-payload";

// Builds the package with `payload` bytes into `repo` (its tree under `work`, removed after)
// and indexes `repo`. apt-ftparchive runs in lab namespace `ns` (it needs no network: the
// lab's run_in is what starts a program in a directory of our choosing). No compression
// (-Znone): random bytes do not shrink, and xz of 256 MiB takes minutes.
std::expected<AptRepository, std::string> make_apt_repository(harness::NetworkLab& lab,
                                                              const std::string& ns,
                                                              const std::filesystem::path& work,
                                                              const std::filesystem::path& repo,
                                                              std::uint64_t payload);

}  // namespace swarmcopy::lab
