#include "swarm_fixture.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iterator>

#include "nginx/test_files.h"
#include "swarmcopy/peer/metainfo.h"

namespace swarmcopy::test {

using namespace std::chrono_literals;

std::uint16_t free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  std::uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}

std::string SwarmFixture::make_published_file(const std::string& name, std::uint64_t size,
                                              std::uint32_t seed) {
  const auto path = docroot_.path() / name;
  std::filesystem::create_directories(path.parent_path());
  auto sha = write_test_file(path, size, seed);
  EXPECT_TRUE(sha);
  auto meta = peer::publish(path, kPiece);
  EXPECT_TRUE(meta) << (meta ? "" : meta.error().describe());
  return sha.value_or("");
}

void SwarmFixture::start_origin() {
  NginxOptions options;
  options.docroot = docroot_.path();
  auto server = NginxServer::start(options);
  ASSERT_TRUE(server) << server.error();
  nginx_ = std::move(*server);
}

peer::Metainfo SwarmFixture::published_metainfo(const std::string& name) {
  const auto path = docroot_.path() / (name + ".torrent");
  std::ifstream in(path, std::ios::binary);
  const std::vector<char> bytes(std::istreambuf_iterator<char>(in), {});
  auto meta = peer::parse_metainfo(bytes, path.string());
  EXPECT_TRUE(meta) << (meta ? "" : meta.error().describe());
  return meta.value_or(peer::Metainfo{});
}

std::vector<std::string> SwarmFixture::get_args(const std::string& url,
                                                const std::filesystem::path& out,
                                                const std::filesystem::path& home,
                                                std::vector<std::string> extra) {
  std::vector<std::string> args{SWARMCOPY_CLI_PATH, "get",    url,           "-o",
                                out.string(),       "--home", home.string(), "--no-lsd",
                                "--json",           "-q"};
  // Peers on loopback only, unless the test picks its own address.
  if (std::find(extra.begin(), extra.end(), "--listen") == extra.end()) {
    extra.insert(extra.end(), {"--listen", "127.0.0.1:0"});
  }
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

std::unique_ptr<ChildProcess> SwarmFixture::spawn_get(const std::string& url,
                                                      const std::filesystem::path& out,
                                                      const std::filesystem::path& home,
                                                      std::vector<std::string> extra) {
  auto child = ChildProcess::spawn(get_args(url, out, home, std::move(extra)));
  EXPECT_TRUE(child) << (child ? "" : child.error());
  return child ? std::move(*child) : nullptr;
}

ChildResult SwarmFixture::run_get(const std::string& url, const std::filesystem::path& out,
                                  const std::filesystem::path& home,
                                  std::vector<std::string> extra) {
  return run_child(get_args(url, out, home, std::move(extra)), {}, 120s);
}

std::unique_ptr<ChildProcess> SwarmFixture::start_seeder(const std::string& url, std::uint16_t port,
                                                         std::vector<std::string> extra,
                                                         const std::filesystem::path& home) {
  extra.insert(extra.end(), {"--listen", peer_arg(port), "--seed-time", "300"});
  auto seeder = spawn_get(url, out_ / ("seeder-" + std::to_string(port)),
                          home.empty() ? home_a_.path() : home, extra);
  if (seeder && !seeder->wait_for_output("\"state\"", 60s)) {
    ADD_FAILURE() << "the seeder did not finish its download";
  }
  return seeder;
}

nlohmann::json SwarmFixture::json_of(const ChildResult& result) {
  EXPECT_EQ(result.exit_code, 0) << result.err;
  auto json = nlohmann::json::parse(result.out, nullptr, false);
  EXPECT_FALSE(json.is_discarded()) << result.out;
  return json;
}

}  // namespace swarmcopy::test
