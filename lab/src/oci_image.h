// OciImage: the container image of `--workload oci`, made for the run as an OCI image layout
// (oci-layout, index.json, blobs/sha256/): two layers of the lab's pseudo-random content
// (content.h; half of SIZE each), a config naming them, a manifest tagged v1. The layers are
// declared `application/vnd.oci.image.layer.v1.tar` as the registry test does; the lab copies
// with skopeo's --preserve-digests, so nobody gzips them on the way (skopeo would, pushing to a
// registry or writing a layout: seconds of CPU per 100 MiB, on every peer). One thread.
#pragma once

#include <cstdint>
#include <expected>
#include <filesystem>
#include <string>
#include <vector>

namespace swarmcopy::lab {

struct OciLayer {
  std::string sha256;  // hex, its digest's
  std::uint64_t size = 0;
};

// Writes the layout into `dir` (made here). A stop request ends it with an error.
std::expected<std::vector<OciLayer>, std::string> make_oci_image(const std::filesystem::path& dir,
                                                                 std::uint64_t size);

// The layers a manifest (JSON, as a registry serves it) names; an error when it is not one.
std::expected<std::vector<OciLayer>, std::string> layers_of_manifest(const std::string& manifest);

}  // namespace swarmcopy::lab
