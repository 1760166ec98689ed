#include "opentracker/opentracker.h"

#include <signal.h>
#include <sys/stat.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <fstream>
#include <thread>

namespace swarmcopy::test {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// A port free on 127.0.0.1 for TCP and for UDP.
std::uint16_t free_port_for_both() {
  asio::io_context io;
  for (int attempt = 0; attempt < 50; ++attempt) {
    asio::ip::tcp::acceptor tcp(io, {asio::ip::make_address("127.0.0.1"), 0});
    const auto port = tcp.local_endpoint().port();
    boost::system::error_code ec;
    asio::ip::udp::socket udp(io);
    udp.open(asio::ip::udp::v4(), ec);
    if (!ec) udp.bind({asio::ip::make_address("127.0.0.1"), port}, ec);
    if (!ec) return port;
  }
  return 0;
}

bool accepts(std::uint16_t port) {
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  boost::system::error_code ec;
  socket.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
  return !ec;
}

// opentracker's answer to a "stopped" announce of `info_hash` (which adds no peer): a failure
// reason while the hash is not on its whitelist.
std::string announce_stopped(std::uint16_t port, const std::string& info_hash) {
  std::string escaped;
  for (std::size_t i = 0; i + 1 < info_hash.size(); i += 2) escaped += "%" + info_hash.substr(i, 2);
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  boost::system::error_code ec;
  socket.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
  if (ec) return "cannot connect: " + ec.message();
  const std::string request = "GET /announce?info_hash=" + escaped +
                              "&peer_id=-TEST00-000000000000&port=9&uploaded=0&downloaded=0"
                              "&left=0&event=stopped&numwant=0&compact=1 HTTP/1.0\r\n\r\n";
  asio::write(socket, asio::buffer(request), ec);
  std::string answer;
  char buffer[1024];
  for (int reads = 0; reads < 64 && !ec; ++reads) {
    const auto got = socket.read_some(asio::buffer(buffer), ec);
    answer.append(buffer, got);
  }
  return answer;
}

}  // namespace

std::expected<std::unique_ptr<Opentracker>, std::string> Opentracker::start() {
  std::unique_ptr<Opentracker> tracker(new Opentracker());
  // opentracker chroots into its directory and drops to nobody: both must be able to read it.
  ::chmod(tracker->dir_.path().c_str(), 0755);
  std::ofstream(tracker->dir_.path() / "whitelist.txt") << "";
  ::chmod((tracker->dir_.path() / "whitelist.txt").c_str(), 0644);
  tracker->port_ = free_port_for_both();
  if (tracker->port_ == 0) return std::unexpected("no free port for opentracker");
  const auto port = std::to_string(tracker->port_);
  auto process =
      ChildProcess::spawn({kBinary, "-i", "127.0.0.1", "-p", port, "-P", port, "-d",
                           tracker->dir_.path().string(), "-u", "nobody", "-w", "whitelist.txt"},
                          {.log = tracker->dir_.path() / "opentracker.log"});
  if (!process) return std::unexpected(process.error());
  tracker->process_ = std::move(*process);
  for (int step = 0; step < 200; ++step) {
    if (accepts(tracker->port_)) return tracker;
    std::this_thread::sleep_for(25ms);
  }
  return std::unexpected("opentracker did not listen on " + port + " within 5 s");
}

std::string Opentracker::announce_url() const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/announce";
}

std::expected<void, std::string> Opentracker::allow(const std::string& info_hash) {
  {
    std::ofstream whitelist(dir_.path() / "whitelist.txt", std::ios::app);
    whitelist << info_hash << "\n";
    if (!whitelist) return std::unexpected("cannot write the whitelist");
  }
  process_->send_signal(SIGHUP);
  // opentracker reloads the list on a thread of its own: wait until it tracks the hash.
  std::string answer;
  for (int step = 0; step < 200; ++step) {
    answer = announce_stopped(port_, info_hash);
    if (answer.find("HTTP/1.") == 0 && answer.find("failure reason") == std::string::npos) {
      return {};
    }
    std::this_thread::sleep_for(25ms);
  }
  return std::unexpected("opentracker still refuses " + info_hash + ": " + answer);
}

}  // namespace swarmcopy::test
