#include "oci_image.h"

#include <fstream>
#include <system_error>

#include <nlohmann/json.hpp>

#include "content.h"

namespace swarmcopy::lab {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kManifestType = "application/vnd.oci.image.manifest.v1+json";
constexpr const char* kLayerType = "application/vnd.oci.image.layer.v1.tar";

// A blob written under its digest: its hex.
std::expected<std::string, std::string> add_blob(const fs::path& blobs, const fs::path& draft) {
  auto sha = sha256_of(draft);
  if (!sha) return std::unexpected(sha.error().describe());
  std::error_code error;
  fs::rename(draft, blobs / *sha, error);
  if (error) return std::unexpected((blobs / *sha).string() + ": " + error.message());
  return *sha;
}

std::expected<std::string, std::string> add_blob(const fs::path& blobs, const std::string& bytes) {
  const fs::path draft = blobs.parent_path().parent_path() / "blob.draft";
  std::ofstream(draft, std::ios::binary) << bytes;
  return add_blob(blobs, draft);
}

}  // namespace

std::expected<std::vector<OciLayer>, std::string> make_oci_image(const fs::path& dir,
                                                                 std::uint64_t size) {
  const fs::path blobs = dir / "blobs" / "sha256";
  std::error_code error;
  fs::create_directories(blobs, error);
  if (error) return std::unexpected(blobs.string() + ": " + error.message());
  std::vector<OciLayer> layers;
  json listed = json::array();
  json diff_ids = json::array();
  // Two layers of other bytes (another seed): two blobs, fetched at once by a pull.
  const std::uint64_t halves[] = {size / 2, size - size / 2};
  for (std::uint64_t index = 0; index < 2; ++index) {
    const fs::path draft = dir / "layer.draft";
    auto written = write_content(draft, halves[index], kContentSeed + 1 + index);
    if (!written) return std::unexpected(written.error().message);
    if (!*written) return std::unexpected("stopped");
    auto sha = add_blob(blobs, draft);
    if (!sha) return std::unexpected(sha.error());
    layers.push_back({*sha, halves[index]});
    listed.push_back(
        {{"mediaType", kLayerType}, {"digest", "sha256:" + *sha}, {"size", halves[index]}});
    diff_ids.push_back("sha256:" + *sha);
  }
  const std::string config = json{{"architecture", "amd64"},
                                  {"os", "linux"},
                                  {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}}}
                                 .dump();
  const auto config_hex = add_blob(blobs, config);
  if (!config_hex) return std::unexpected(config_hex.error());
  const std::string manifest = json{
      {"schemaVersion", 2},
      {"mediaType", kManifestType},
      {"config",
       {{"mediaType", "application/vnd.oci.image.config.v1+json"},
        {"digest", "sha256:" + *config_hex},
        {"size", config.size()}}},
      {"layers", listed}}.dump();
  const auto manifest_hex = add_blob(blobs, manifest);
  if (!manifest_hex) return std::unexpected(manifest_hex.error());
  std::ofstream(dir / "index.json")
      << json{{"schemaVersion", 2},
              {"manifests",
               {{{"mediaType", kManifestType},
                 {"digest", "sha256:" + *manifest_hex},
                 {"size", manifest.size()},
                 {"annotations", {{"org.opencontainers.image.ref.name", "v1"}}}}}}}
             .dump();
  std::ofstream(dir / "oci-layout") << R"({"imageLayoutVersion":"1.0.0"})";
  return layers;
}

std::expected<std::vector<OciLayer>, std::string> layers_of_manifest(const std::string& manifest) {
  const auto parsed = json::parse(manifest, nullptr, false);
  if (!parsed.is_object() || !parsed.contains("layers") || !parsed["layers"].is_array()) {
    return std::unexpected("not an image manifest: " + manifest.substr(0, 200));
  }
  std::vector<OciLayer> layers;
  for (const auto& layer : parsed["layers"]) {
    const std::string digest = layer.value("digest", "");
    if (!digest.starts_with("sha256:") || !layer.contains("size")) {
      return std::unexpected("a layer without a sha256 digest and a size: " + layer.dump());
    }
    layers.push_back({digest.substr(7), layer["size"].get<std::uint64_t>()});
  }
  return layers;
}

}  // namespace swarmcopy::lab
