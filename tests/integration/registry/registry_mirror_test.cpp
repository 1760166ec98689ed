// The registry mirror end to end. Debian's docker-registry (filesystem storage in the test's
// directory, a free loopback port) holds an image the test makes (an OCI layout: two layers of
// random data, a config, a manifest) and pushes with skopeo. A logging nginx in front of it
// counts the bytes the registry sends. Two swarmcopyd ("two machines" on loopback, each --peers
// the other) each serve registry_mirror_listen with that nginx as registry_upstream, and
// skopeo pulls the image through each: the second takes the layers from the first (from_peers
// > 0 in its blob jobs), the registry sends each layer once, and the pulled image is the one
// pushed. Manifests and a token exchange pass through untouched; a fault server as a second
// upstream (chosen with containerd's ?ns=) answers 401, 404 and 500, which reach the client as
// they are.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/dynamic_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "daemon/daemon_process.h"
#include "daemon_test_support.h"
#include "fault_server/fault_server.h"
#include "http_connection.h"
#include "nginx/nginx_server.h"
#include "nginx/test_files.h"
#include "process/child_process.h"
#include "test_dir/test_dir.h"
#include "wait/wait_until.h"

namespace swarmcopy::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
namespace fs = std::filesystem;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

constexpr const char* kRegistry = "/usr/bin/docker-registry";
constexpr const char* kSkopeo = "/usr/bin/skopeo";
constexpr const char* kManifestType = "application/vnd.oci.image.manifest.v1+json";
constexpr std::uint64_t kLayerSizes[] = {3 << 20, 5 << 20};
constexpr const char* kToken = "Bearer good-token";
constexpr const char* kChallenge =
    R"(Bearer realm="http://127.0.0.1:9/token",service="test-registry",scope="repository:private/app:pull")";

std::uint16_t free_loopback_port() {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

struct TcpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string header(const std::string& name) const {
    auto found = headers.find(name);
    return found == headers.end() ? "" : found->second;
  }
};

// One HTTP/1.1 exchange on loopback (a raw target: the test sends what a client could).
std::expected<TcpResponse, std::string> tcp_request(
    std::uint16_t port, http::verb method, const std::string& target,
    const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  try {
    asio::io_context io;
    beast::tcp_stream stream(io);
    stream.expires_after(30s);
    stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    http::request<http::empty_body> request{method, target, 11};
    request.set(http::field::host, "127.0.0.1:" + std::to_string(port));
    for (const auto& [name, value] : headers) request.insert(name, value);
    http::write(stream, request);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    if (method == http::verb::head) parser.skip(true);
    http::read(stream, buffer, parser);
    TcpResponse response;
    response.status = static_cast<int>(parser.get().result_int());
    for (const auto& field : parser.get()) {
      std::string name(field.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      response.headers[name] = std::string(field.value());
    }
    response.body = parser.get().body();
    return response;
  } catch (const std::exception& e) {
    return std::unexpected(std::string(e.what()));
  }
}

std::string random_bytes(std::uint64_t size, std::uint32_t seed) {
  std::mt19937_64 generator(seed);
  std::string bytes(size, '\0');
  for (std::uint64_t i = 0; i < size; i += 8) {
    const auto word = generator();
    for (std::uint64_t j = 0; j < 8 && i + j < size; ++j) {
      bytes[i + j] = static_cast<char>((word >> (8 * j)) & 0xff);
    }
  }
  return bytes;
}

void write_file(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class RegistryMirrorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kRegistry) || !fs::exists(kSkopeo)) {
      GTEST_SKIP() << "docker-registry and skopeo are needed (scripts/install-deps.sh)";
    }
    make_image();
    start_registry();
    start_proxy();
    faults_ = std::make_unique<FaultServer>();
    for (int i = 0; i < 2; ++i) {
      peer_ports_[i] = free_loopback_port();
      mirror_ports_[i] = free_loopback_port();
    }
    for (int i = 0; i < 2; ++i) {
      auto daemon = DaemonProcess::start(options_for(i));
      ASSERT_TRUE(daemon) << daemon.error();
      daemons_[i] = std::move(*daemon);
    }
  }

  void TearDown() override {
    if (HasFailure()) {
      for (auto& daemon : daemons_) {
        if (daemon) std::cerr << "daemon log:\n" << daemon->log_text();
      }
      std::cerr << "registry log:\n" << read_file(dir_ / "registry.log");
    }
    for (auto& daemon : daemons_) daemon.reset();
    if (registry_) registry_->stop(5s);
  }

  // Two layers of random data, a config naming them, a manifest, index.json and oci-layout.
  void make_image() {
    const auto blobs = dir_ / "image" / "blobs" / "sha256";
    fs::create_directories(blobs);
    const auto add_blob = [&](const std::string& bytes) {
      const auto hex = sha256_hex(bytes);
      write_file(blobs / hex, bytes);
      return hex;
    };
    json layers = json::array();
    json diff_ids = json::array();
    std::uint32_t seed = static_cast<std::uint32_t>(::getpid());
    for (auto size : kLayerSizes) {
      const auto hex = add_blob(random_bytes(size, ++seed));
      layers_.push_back({hex, size});
      layers.push_back({{"mediaType", "application/vnd.oci.image.layer.v1.tar"},
                        {"digest", "sha256:" + hex},
                        {"size", size}});
      diff_ids.push_back("sha256:" + hex);
    }
    const auto config = json{{"architecture", "amd64"},
                             {"os", "linux"},
                             {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}}}
                            .dump();
    config_hex_ = add_blob(config);
    const auto manifest = json{
        {"schemaVersion", 2},
        {"mediaType", kManifestType},
        {"config",
         {{"mediaType", "application/vnd.oci.image.config.v1+json"},
          {"digest", "sha256:" + config_hex_},
          {"size", config.size()}}},
        {"layers", layers}}.dump();
    const auto manifest_hex = add_blob(manifest);
    write_file(dir_ / "image" / "index.json",
               json{{"schemaVersion", 2},
                    {"manifests",
                     {{{"mediaType", kManifestType},
                       {"digest", "sha256:" + manifest_hex},
                       {"size", manifest.size()},
                       {"annotations", {{"org.opencontainers.image.ref.name", "v1"}}}}}}}
                   .dump());
    write_file(dir_ / "image" / "oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
    write_file(dir_ / "policy.json", R"({"default":[{"type":"insecureAcceptAnything"}]})");
  }

  void start_registry() {
    registry_port_ = free_loopback_port();
    write_file(dir_ / "registry.yml",
               "version: 0.1\n"
               "log:\n  level: info\n"
               "storage:\n  filesystem:\n    rootdirectory: " +
                   (dir_ / "store").string() +
                   "\n"
                   "http:\n  addr: 127.0.0.1:" +
                   std::to_string(registry_port_) + "\n");
    auto registry = ChildProcess::spawn({kRegistry, "serve", (dir_ / "registry.yml").string()},
                                        {.log = dir_ / "registry.log"});
    ASSERT_TRUE(registry) << registry.error();
    registry_ = std::move(*registry);
    ASSERT_TRUE(wait_until(
        [&] {
          auto ping = tcp_request(registry_port_, http::verb::get, "/v2/");
          return ping && ping->status == 200;
        },
        20s, 50ms))
        << read_file(dir_ / "registry.log");
  }

  // nginx in front of the registry: its access log counts each blob's bytes. /v2/private/ is
  // a repository of an authenticating registry: 401 with a Bearer challenge, unless the
  // request carries the token a client would have fetched from the realm.
  void start_proxy() {
    NginxOptions options;
    options.server_config =
        std::string("    location /v2/private/ {\n") + "      if ($http_authorization != \"" +
        kToken + "\") {\n" + "        add_header WWW-Authenticate '" + kChallenge + "' always;\n" +
        "        add_header Docker-Distribution-API-Version registry/2.0 "
        "always;\n" +
        "        return 401 '{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}';\n" + "      }\n" +
        "      add_header Docker-Content-Digest sha256:" + std::string(64, 'c') + ";\n" +
        "      return 200 'the private manifest';\n" + "    }\n" +
        // The image again, as slow/image, slowly: requests for it overlap.
        "    location /v2/slow/image/ {\n" + "      limit_rate 512k;\n" +
        "      proxy_pass http://127.0.0.1:" + std::to_string(registry_port_) +
        "/v2/test/image/;\n" + "      proxy_http_version 1.1;\n" +
        "      proxy_set_header Host $http_host;\n" + "      proxy_buffering off;\n" + "    }\n" +
        "    location /v2/ {\n" +
        "      proxy_pass http://127.0.0.1:" + std::to_string(registry_port_) + ";\n" +
        "      proxy_http_version 1.1;\n" + "      proxy_set_header Host $http_host;\n" +
        "      proxy_buffering off;\n" + "    }\n";
    auto nginx = NginxServer::start(options);
    ASSERT_TRUE(nginx) << nginx.error();
    nginx_ = std::move(*nginx);
  }

  // Daemon i's flags: by default the logging nginx and the fault server as its upstreams.
  DaemonOptions options_for(int i, std::string upstreams = {},
                            std::vector<std::string> extra = {}) {
    const auto home = dir_ / ("machine" + std::to_string(i));
    fs::create_directories(home);
    if (upstreams.empty()) {
      upstreams = "http://127.0.0.1:" + std::to_string(nginx_->port()) +
                  ", faults=http://127.0.0.1:" + std::to_string(faults_->port());
    }
    std::vector<std::string> flags = {"--peer-listen",
                                      "127.0.0.1:" + std::to_string(peer_ports_[i]),
                                      "--peers",
                                      "127.0.0.1:" + std::to_string(peer_ports_[1 - i]),
                                      "--local-discovery",
                                      "false",
                                      "--seed-time-seconds",
                                      "3600",
                                      "--registry-mirror-listen",
                                      std::to_string(mirror_ports_[i]),
                                      "--registry-upstream",
                                      upstreams};
    flags.insert(flags.end(), extra.begin(), extra.end());
    return daemon_options(home, flags);
  }

  void restart_daemon(int i, std::string upstreams, std::vector<std::string> extra) {
    daemons_[i].reset();
    auto daemon = DaemonProcess::start(options_for(i, std::move(upstreams), std::move(extra)));
    ASSERT_TRUE(daemon) << daemon.error();
    daemons_[i] = std::move(*daemon);
  }

  // The registry again behind a second nginx that speaks TLS, with a certificate for
  // 127.0.0.1 signed by a CA the test makes (a site's own CA): tls_ca_ is that CA's file.
  void start_tls_proxy() {
    const auto tls = dir_ / "tls";
    fs::create_directories(tls);
    ::chmod(tls.c_str(), 0755);  // nginx's workers read the key as nobody
    const auto openssl = [&](std::vector<std::string> args) {
      args.insert(args.begin(), "/usr/bin/openssl");
      auto child = ChildProcess::spawn(args, {});
      if (!child) return ChildResult{-1, false, "", child.error()};
      return (*child)->wait(60s);
    };
    tls_ca_ = tls / "ca.pem";
    const auto ca_key = tls / "ca.key";
    const auto key = tls / "server.key";
    const auto request = tls / "server.csr";
    const auto cert = tls / "server.pem";
    write_file(tls / "san.ext", "subjectAltName=IP:127.0.0.1\n");
    for (const auto& step : std::vector<std::vector<std::string>>{
             {"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
              "-keyout", ca_key.string(), "-out", tls_ca_.string(), "-days", "1", "-subj",
              "/CN=swarmcopy test site CA"},
             {"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
              "-keyout", key.string(), "-out", request.string(), "-subj", "/CN=127.0.0.1"},
             {"x509", "-req", "-in", request.string(), "-CA", tls_ca_.string(), "-CAkey",
              ca_key.string(), "-CAcreateserial", "-out", cert.string(), "-days", "1", "-extfile",
              (tls / "san.ext").string()}}) {
      const auto made = openssl(step);
      ASSERT_EQ(made.exit_code, 0) << made.out << made.err;
    }
    for (const auto& file : fs::directory_iterator(tls)) ::chmod(file.path().c_str(), 0644);
    tls_port_ = free_loopback_port();
    NginxOptions options;
    options.server_config =
        "    listen 127.0.0.1:" + std::to_string(tls_port_) + " ssl;\n" + "    ssl_certificate " +
        cert.string() + ";\n    ssl_certificate_key " + key.string() +
        ";\n    location /v2/ {\n      proxy_pass http://127.0.0.1:" +
        std::to_string(registry_port_) + ";\n      proxy_http_version 1.1;\n" +
        "      proxy_set_header Host $http_host;\n      proxy_buffering off;\n    }\n";
    auto nginx = NginxServer::start(options);
    ASSERT_TRUE(nginx) << nginx.error();
    tls_nginx_ = std::move(*nginx);
  }

  ChildResult skopeo(std::vector<std::string> args) {
    args.insert(args.begin(), {kSkopeo, "--policy", (dir_ / "policy.json").string()});
    auto child =
        ChildProcess::spawn(args, {.env = {{"HOME", dir_.path().string()},
                                           {"REGISTRY_AUTH_FILE", (dir_ / "auth.json").string()}}});
    if (!child) return ChildResult{-1, false, "", child.error()};
    return (*child)->wait(180s);
  }

  void push() {
    const auto pushed =
        skopeo({"copy", "--dest-tls-verify=false", "oci:" + (dir_ / "image").string() + ":v1",
                "docker://127.0.0.1:" + std::to_string(registry_port_) + "/test/image:v1"});
    ASSERT_EQ(pushed.exit_code, 0) << pushed.out << pushed.err;
    auto manifest = tcp_request(registry_port_, http::verb::get, "/v2/test/image/manifests/v1",
                                {{"Accept", kManifestType}});
    ASSERT_TRUE(manifest && manifest->status == 200);
    manifest_digest_ = manifest->header("docker-content-digest");
    ASSERT_TRUE(manifest_digest_.starts_with("sha256:")) << manifest_digest_;
    // skopeo compresses uncompressed layers on the way to a registry: the image to pull is
    // the one the registry's manifest names.
    const auto pushed_manifest = json::parse(manifest->body, nullptr, false);
    ASSERT_TRUE(pushed_manifest.is_object()) << manifest->body;
    layers_.clear();
    for (const auto& layer : pushed_manifest["layers"]) {
      const std::string digest = layer["digest"];
      ASSERT_TRUE(digest.starts_with("sha256:")) << digest;
      layers_.push_back({digest.substr(7), layer["size"].get<std::uint64_t>()});
    }
    ASSERT_EQ(layers_.size(), std::size(kLayerSizes));
    const std::string config = pushed_manifest["config"]["digest"];
    config_hex_ = config.substr(7);
  }

  ChildResult pull(int i, const std::string& name) {
    return skopeo({"copy", "--src-tls-verify=false",
                   "docker://127.0.0.1:" + std::to_string(mirror_ports_[i]) + "/test/image:v1",
                   "oci:" + (dir_ / name).string() + ":v1"});
  }

  // Daemon i's blob job for `hex` (the mirror's jobs are the daemon's own: root's here).
  json blob_job(int i, const std::string& hex) {
    auto jobs = blob_jobs(i, hex);
    if (jobs.empty()) {
      std::cerr << "daemon " << i << " has no job for " << hex << "\n";
      return nullptr;
    }
    return jobs.front();
  }

  // Every job of daemon i with a file of SHA-256 `hex`.
  std::vector<json> blob_jobs(int i, const std::string& hex) {
    std::vector<json> found;
    auto jobs = http_request(daemons_[i]->options().socket, "GET", "/v1/jobs?all=1");
    if (!jobs || jobs->status != 200) {
      ADD_FAILURE() << "GET /v1/jobs: " << (jobs ? jobs->body : jobs.error());
      return found;
    }
    const auto listing = jobs->json();  // kept: the loop walks into it
    for (const auto& listed : listing["jobs"]) {
      // The list holds the jobs without their files: each job's own answer has them.
      auto one = http_request(daemons_[i]->options().socket, "GET",
                              "/v1/jobs/" + listed.value("id", std::string()));
      if (!one || one->status != 200) {
        std::cerr << "GET job: " << (one ? one->body : one.error()) << "\n";
        continue;
      }
      const auto job = one->json();
      for (const auto& file : job["files"]) {
        const auto sha256 = file.find("sha256");
        if (sha256 != file.end() && sha256->is_string() && sha256->get<std::string>() == hex) {
          found.push_back(job);
          break;
        }
      }
    }
    return found;
  }

  void expect_pulled_image(const std::string& name) {
    const auto layout = dir_ / name;
    const auto index = json::parse(read_file(layout / "index.json"), nullptr, false);
    ASSERT_TRUE(index.is_object()) << read_file(layout / "index.json");
    EXPECT_EQ(index["manifests"][0]["digest"], manifest_digest_);
    for (const auto& [hex, size] : layers_) {
      const auto path = layout / "blobs" / "sha256" / hex;
      ASSERT_TRUE(fs::exists(path)) << path;
      EXPECT_EQ(fs::file_size(path), size);
      EXPECT_EQ(sha256_file(path).value_or(""), hex);
    }
    EXPECT_EQ(sha256_file(layout / "blobs" / "sha256" / config_hex_).value_or(""), config_hex_);
  }

  // What nginx sent for a blob, once it reaches `at_least` or after 10 s (nginx logs a request
  // once it has sent the answer, a moment after the client has the last byte).
  std::uint64_t registry_sent(const std::string& hex, std::uint64_t at_least,
                              const std::string& repository = "test/image") {
    const auto uri = "/v2/" + repository + "/blobs/sha256:" + hex;
    std::uint64_t sent = 0;
    wait_until(
        [&] {
          sent = nginx_->body_bytes_sent(uri);
          return sent >= at_least;
        },
        10s, 50ms);
    return sent;
  }

  TestDir dir_;
  std::vector<std::pair<std::string, std::uint64_t>> layers_;  // hex, size
  std::string config_hex_;
  std::string manifest_digest_;
  std::uint16_t registry_port_ = 0;
  std::unique_ptr<ChildProcess> registry_;
  std::unique_ptr<NginxServer> nginx_;
  std::unique_ptr<NginxServer> tls_nginx_;
  std::uint16_t tls_port_ = 0;
  fs::path tls_ca_;
  std::unique_ptr<FaultServer> faults_;
  std::uint16_t peer_ports_[2] = {};
  std::uint16_t mirror_ports_[2] = {};
  std::unique_ptr<DaemonProcess> daemons_[2];
};

TEST_F(RegistryMirrorTest, TheSecondMachineTakesTheLayersFromTheFirstAndTheRegistrySendsThemOnce) {
  push();
  const auto first = pull(0, "pulled0");
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  expect_pulled_image("pulled0");
  for (const auto& [hex, size] : layers_) {
    const auto job = blob_job(0, hex);
    ASSERT_TRUE(job.is_object()) << "no blob job for " << hex;
    EXPECT_EQ(job["state"], "ACKNOWLEDGED") << job.dump();
    EXPECT_EQ(job["priority"], "high") << job.dump();
    EXPECT_EQ(job["from_origin"], size) << job.dump();
  }

  const auto second = pull(1, "pulled1");
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  expect_pulled_image("pulled1");
  for (const auto& [hex, size] : layers_) {
    const auto job = blob_job(1, hex);
    ASSERT_TRUE(job.is_object()) << "no blob job for " << hex;
    EXPECT_EQ(job["state"], "ACKNOWLEDGED") << job.dump();
    EXPECT_GT(job["from_peers"].get<std::uint64_t>(), 0u) << job.dump();
    EXPECT_EQ(job["from_peers"].get<std::uint64_t>() + job["from_origin"].get<std::uint64_t>(),
              size)
        << job.dump();
    // Each layer left the registry once: the first machine's fetch (and its one-byte probe).
    const auto sent = registry_sent(hex, size);
    EXPECT_GE(sent, size) << hex;
    EXPECT_LE(sent, size + 16) << hex << ": the registry sent the layer a second time";
    std::cerr << "layer " << hex.substr(0, 12) << ": " << size << " bytes, the registry sent "
              << sent << ", the second machine took " << job["from_peers"] << " from peers\n";
  }
}

TEST_F(RegistryMirrorTest, AnHttpsUpstreamIsVerifiedAgainstTheSitesCa) {
  push();
  ASSERT_NO_FATAL_FAILURE(start_tls_proxy());
  const auto upstream = "https://127.0.0.1:" + std::to_string(tls_port_);
  // Machine 0 trusts the site's CA (beside the system's): the image comes over TLS, its
  // manifest passed through and its layers fetched by the daemon's jobs.
  ASSERT_NO_FATAL_FAILURE(restart_daemon(0, upstream, {"--tls-ca-file", tls_ca_.string()}));
  const auto pulled = pull(0, "pulled0");
  ASSERT_EQ(pulled.exit_code, 0) << pulled.out << pulled.err;
  expect_pulled_image("pulled0");
  for (const auto& [hex, size] : layers_) {
    const auto job = blob_job(0, hex);
    ASSERT_TRUE(job.is_object()) << "no blob job for " << hex;
    EXPECT_EQ(job["state"], "ACKNOWLEDGED") << job.dump();
    EXPECT_EQ(job["files"][0]["url"].get<std::string>().rfind(upstream, 0), 0u) << job.dump();
    EXPECT_GE(tls_nginx_->body_bytes_sent("/v2/test/image/blobs/sha256:" + hex), size);
  }
  EXPECT_EQ(nginx_->access_log().size(), 0u) << "everything came over TLS";

  // Machine 1 does not trust that CA: nothing passes, and the client is told why (502), as a
  // registry with a certificate nobody trusts must not be served.
  ASSERT_NO_FATAL_FAILURE(restart_daemon(1, upstream, {}));
  auto manifest = tcp_request(mirror_ports_[1], http::verb::get, "/v2/test/image/manifests/v1",
                              {{"Accept", kManifestType}});
  ASSERT_TRUE(manifest) << manifest.error();
  EXPECT_EQ(manifest->status, 502);
  EXPECT_NE(manifest->body.find("certificate verify failed"), std::string::npos) << manifest->body;
  const auto& [hex, size] = layers_.front();
  auto blob = tcp_request(mirror_ports_[1], http::verb::get, "/v2/test/image/blobs/sha256:" + hex);
  ASSERT_TRUE(blob) << blob.error();
  EXPECT_EQ(blob->status, 502);
  EXPECT_TRUE(blob_job(1, hex).is_null()) << "a blob job started against an untrusted upstream";
  EXPECT_NE(daemons_[1]->log_text().find("certificate verify failed"), std::string::npos)
      << daemons_[1]->log_text();
}

TEST_F(RegistryMirrorTest, ABlobIsServedWithItsDigestAndAHeadPassesThrough) {
  push();
  const auto& [hex, size] = layers_.front();
  const auto target = "/v2/test/image/blobs/sha256:" + hex;
  auto head = tcp_request(mirror_ports_[0], http::verb::head, target);
  ASSERT_TRUE(head) << head.error();
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->header("content-length"), std::to_string(size));
  EXPECT_EQ(head->header("docker-content-digest"), "sha256:" + hex);
  auto got = tcp_request(mirror_ports_[0], http::verb::get, target);
  ASSERT_TRUE(got) << got.error();
  EXPECT_EQ(got->status, 200);
  EXPECT_EQ(got->header("docker-content-digest"), "sha256:" + hex);
  EXPECT_EQ(got->body.size(), size);
  EXPECT_EQ(sha256_hex(got->body), hex);
}

// containerd and Docker resume an interrupted layer with a Range request, as the registry allows.
TEST_F(RegistryMirrorTest, ABlobIsServedInRangesAsARuntimeResumingItAsks) {
  push();
  const auto& [hex, size] = layers_.front();
  const auto target = "/v2/test/image/blobs/sha256:" + hex;
  auto whole = tcp_request(mirror_ports_[0], http::verb::get, target);
  ASSERT_TRUE(whole) << whole.error();
  ASSERT_EQ(whole->status, 200);
  ASSERT_EQ(whole->body.size(), size);
  EXPECT_EQ(whole->header("accept-ranges"), "bytes");
  const auto total = std::to_string(size);
  struct Case {
    std::string range;
    std::uint64_t first, last;
  };
  for (const Case& part : {Case{"bytes=100-199", 100, 199}, Case{"bytes=1000-", 1000, size - 1},
                           Case{"bytes=-10", size - 10, size - 1},
                           Case{"bytes=0-" + std::to_string(size * 2), 0, size - 1}}) {
    auto got = tcp_request(mirror_ports_[0], http::verb::get, target, {{"Range", part.range}});
    ASSERT_TRUE(got) << got.error();
    EXPECT_EQ(got->status, 206) << part.range;
    EXPECT_EQ(got->header("content-range"), "bytes " + std::to_string(part.first) + "-" +
                                                std::to_string(part.last) + "/" + total);
    EXPECT_EQ(got->body, whole->body.substr(part.first, part.last - part.first + 1)) << part.range;
    EXPECT_EQ(got->header("docker-content-digest"), "sha256:" + hex);
  }
  auto beyond =
      tcp_request(mirror_ports_[0], http::verb::get, target, {{"Range", "bytes=" + total + "-"}});
  ASSERT_TRUE(beyond) << beyond.error();
  EXPECT_EQ(beyond->status, 416);
  EXPECT_EQ(beyond->header("content-range"), "bytes */" + total);
  // Several ranges, or an If-Range for another copy: the whole blob.
  for (const std::vector<std::pair<std::string, std::string>>& headers :
       {std::vector<std::pair<std::string, std::string>>{{"Range", "bytes=0-1,5-6"}},
        {{"Range", "bytes=5-"}, {"If-Range", "\"sha256:" + std::string(64, '0') + "\""}}}) {
    auto got = tcp_request(mirror_ports_[0], http::verb::get, target, headers);
    ASSERT_TRUE(got) << got.error();
    EXPECT_EQ(got->status, 200);
    EXPECT_EQ(got->body.size(), size);
  }
  // The If-Range the mirror's own ETag makes is honoured.
  auto resumed = tcp_request(mirror_ports_[0], http::verb::get, target,
                             {{"Range", "bytes=5-"}, {"If-Range", whole->header("etag")}});
  ASSERT_TRUE(resumed) << resumed.error();
  EXPECT_EQ(resumed->status, 206);
  EXPECT_EQ(resumed->body, whole->body.substr(5));
}

// A fleet's nodes, or a runtime pulling images with a layer in common, ask for one blob at once.
TEST_F(RegistryMirrorTest, ClientsAskingForOneBlobAtOnceShareOneJob) {
  push();
  const auto& [hex, size] = layers_.front();
  const auto target = "/v2/slow/image/blobs/sha256:" + hex;
  constexpr int kClients = 3;
  std::vector<std::expected<TcpResponse, std::string>> got(kClients);
  {
    std::vector<std::jthread> clients;
    for (int i = 0; i < kClients; ++i) {
      clients.emplace_back(
          [&, i] { got[i] = tcp_request(mirror_ports_[0], http::verb::get, target); });
    }
  }
  for (const auto& answer : got) {
    ASSERT_TRUE(answer) << answer.error();
    EXPECT_EQ(answer->status, 200);
    EXPECT_EQ(sha256_hex(answer->body), hex);
  }
  EXPECT_EQ(blob_jobs(0, hex).size(), 1u);
  // The layer left the registry once (and the fetch's one-byte probe).
  const auto sent = registry_sent(hex, size, "slow/image");
  EXPECT_GE(sent, size);
  EXPECT_LE(sent, size + 16) << "the registry sent the layer more than once";
}

// A runtime should not wait for a whole layer to be verified before its first byte: the mirror
// sends what the fetch has so far. The upstream here sends the start of each range asked and
// then nothing: the job cannot finish, so every byte the client gets came before the whole blob.
TEST_F(RegistryMirrorTest, ABlobReachesTheClientAsItArrivesNotOnceItIsWhole) {
  const std::uint64_t size = 4 << 20;
  const auto data = random_bytes(size, 99);
  const auto hex = sha256_hex(data);
  const auto path = "/v2/app/blobs/sha256:" + hex;
  faults_->set_content_at(path, data);
  // The mirror's HEAD and the job's one-byte probe are answered; every request for the data
  // gets 64 KiB of its range, then nothing.
  constexpr std::size_t kSent = 64 << 10;
  faults_->push_fault(path, Fault::none(), 2);
  faults_->set_fault(path, Fault::stall_after(kSent));
  faults_->set_fault(path + ".torrent", Fault::http_status(404));
  asio::io_context io;
  asio::ip::tcp::socket client(io);
  client.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), mirror_ports_[0]));
  const std::string request =
      "GET " + path + "?ns=faults HTTP/1.1\r\nHost: mirror\r\nConnection: close\r\n\r\n";
  asio::write(client, asio::buffer(request));
  std::string received;
  char buffer[64 << 10];
  const auto header_end = [&] { return received.find("\r\n\r\n"); };
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (header_end() == std::string::npos || received.size() <= header_end() + 4) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    ASSERT_GT(left.count(), 0) << "no body byte came: " << received;
    pollfd readable{client.native_handle(), POLLIN, 0};
    if (::poll(&readable, 1, static_cast<int>(left.count())) <= 0) continue;
    const auto got = ::recv(client.native_handle(), buffer, sizeof buffer, 0);
    ASSERT_GT(got, 0) << "the mirror closed after " << received.size() << " bytes: " << received;
    received.append(buffer, static_cast<std::size_t>(got));
  }
  const auto head = received.substr(0, header_end());
  EXPECT_TRUE(head.starts_with("HTTP/1.1 200")) << head;
  EXPECT_NE(head.find("Content-Length: " + std::to_string(size)), std::string::npos) << head;
  const auto body = received.substr(header_end() + 4);
  EXPECT_EQ(body, data.substr(0, body.size()));
  EXPECT_LT(body.size(), size);
  const auto job = blob_job(0, hex);
  ASSERT_TRUE(job.is_object());
  EXPECT_EQ(job["state"], "TRANSFERRING") << job.dump();
}

TEST_F(RegistryMirrorTest, ABlobFetchedWithCredentialsIsPrivateAndNeverPeered) {
  push();
  const auto first = pull(0, "pulled0");  // machine 0 now holds and seeds every layer
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  const auto& [hex, size] = layers_.front();
  auto got = tcp_request(mirror_ports_[1], http::verb::get, "/v2/test/image/blobs/sha256:" + hex,
                         {{"Authorization", "Bearer secret-token"}});
  ASSERT_TRUE(got) << got.error();
  EXPECT_EQ(got->status, 200);
  EXPECT_EQ(sha256_hex(got->body), hex);
  const auto job = blob_job(1, hex);
  ASSERT_TRUE(job.is_object());
  EXPECT_EQ(job["from_peers"], 0) << job.dump();
  EXPECT_EQ(job["from_origin"], size) << job.dump();
  EXPECT_NE(job["files"][0]["peers_unused_reason"].dump().find("credentials"), std::string::npos)
      << job.dump();
  EXPECT_EQ(job["http_headers"].size(), 1u) << job.dump();
  EXPECT_EQ(job.dump().find("secret-token"), std::string::npos) << "the token is shown";
  // Machine 0's copy was not asked for: the registry sent this layer a second time.
  EXPECT_GE(registry_sent(hex, 2 * size), 2 * size);
}

TEST_F(RegistryMirrorTest, ManifestsAndTheTokenExchangePassThroughUntouched) {
  push();
  for (const std::string& target :
       std::vector<std::string>{"/v2/test/image/manifests/v1", "/v2/test/image/tags/list",
                                "/v2/test/image/manifests/" + manifest_digest_}) {
    const std::vector<std::pair<std::string, std::string>> accept = {{"Accept", kManifestType}};
    auto direct = tcp_request(nginx_->port(), http::verb::get, target, accept);
    auto mirrored = tcp_request(mirror_ports_[0], http::verb::get, target, accept);
    ASSERT_TRUE(direct && mirrored) << target;
    EXPECT_EQ(mirrored->status, direct->status) << target;
    EXPECT_EQ(mirrored->body, direct->body) << target;
    for (const auto* header :
         {"content-type", "docker-content-digest", "etag", "docker-distribution-api-version"}) {
      EXPECT_EQ(mirrored->header(header), direct->header(header)) << target << " " << header;
    }
  }
  auto ping = tcp_request(mirror_ports_[0], http::verb::get, "/v2/");
  ASSERT_TRUE(ping);
  EXPECT_EQ(ping->status, 200);
  EXPECT_EQ(ping->header("docker-distribution-api-version"), "registry/2.0");

  // An authenticating registry: the challenge reaches the client as the registry wrote it; the
  // client's token (from the realm) reaches the registry.
  auto challenged = tcp_request(mirror_ports_[0], http::verb::get, "/v2/private/app/manifests/v1");
  ASSERT_TRUE(challenged);
  EXPECT_EQ(challenged->status, 401);
  EXPECT_EQ(challenged->header("www-authenticate"), kChallenge);
  EXPECT_EQ(challenged->body, R"({"errors":[{"code":"UNAUTHORIZED"}]})");
  auto admitted = tcp_request(mirror_ports_[0], http::verb::get, "/v2/private/app/manifests/v1",
                              {{"Authorization", kToken}});
  ASSERT_TRUE(admitted);
  EXPECT_EQ(admitted->status, 200);
  EXPECT_EQ(admitted->body, "the private manifest");
  EXPECT_EQ(admitted->header("docker-content-digest"), "sha256:" + std::string(64, 'c'));
}

TEST_F(RegistryMirrorTest, UpstreamErrorsReachTheClientWithTheirStatus) {
  const auto blob = "/v2/app/blobs/sha256:" + std::string(64, 'a');
  for (int code : {401, 404, 500}) {
    for (const std::string& path : {std::string("/v2/app/manifests/v1"), blob}) {
      faults_->set_fault(path, Fault::http_status(code));
      auto got = tcp_request(mirror_ports_[0], http::verb::get, path + "?ns=faults");
      ASSERT_TRUE(got) << got.error();
      EXPECT_EQ(got->status, code) << path;
      auto head = tcp_request(mirror_ports_[0], http::verb::head, path + "?ns=faults");
      ASSERT_TRUE(head) << head.error();
      EXPECT_EQ(head->status, code) << path;
    }
  }
  // The blob errors never became jobs: the upstream refused before the swarm was asked.
  EXPECT_TRUE(blob_job(0, std::string(64, 'a')).is_null());
  // The fault server saw the ns parameter never.
  for (const auto& request : faults_->requests()) {
    EXPECT_EQ(request.target.find("ns="), std::string::npos) << request.target;
  }
}

TEST_F(RegistryMirrorTest, MalformedRequestsAndPushesAreRefused) {
  const auto port = mirror_ports_[0];
  const std::pair<std::string, int> cases[] = {
      {"/v2/../../etc/passwd", 400},       {"/v2/UPPER/manifests/v1", 400},
      {"/v2/app/blobs/sha256:short", 400}, {"/v2/app/manifests/v1?ns=nowhere.example", 404},
      {"/v2/app/manifests/v1?x=1", 400},   {"/etc/passwd", 404},
  };
  for (const auto& [target, status] : cases) {
    auto got = tcp_request(port, http::verb::get, target);
    ASSERT_TRUE(got) << target << ": " << got.error();
    EXPECT_EQ(got->status, status) << target;
  }
  auto push = tcp_request(port, http::verb::post, "/v2/app/blobs/uploads/");
  ASSERT_TRUE(push);
  EXPECT_EQ(push->status, 405);
  auto put = tcp_request(port, http::verb::put, "/v2/app/manifests/v1");
  ASSERT_TRUE(put);
  EXPECT_EQ(put->status, 405);
  EXPECT_TRUE(faults_->requests().empty()) << "a refused request reached an upstream";
}

}  // namespace
}  // namespace swarmcopy::test
