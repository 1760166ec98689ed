// NetworkLab with several subnets, against the real kernel: K bridges joined by a router
// namespace that forwards unicast (a TCP connection crosses it, unNATed) and no multicast (the
// LSD group stays in its subnet, even at a TTL a multicast router would forward), an uplink
// behind the router, a link named like a VPN's, and close() / clean_leftovers removing the
// router and every bridge. Needs root; skips without it.
#include <algorithm>
#include <chrono>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "netlab_test_helpers.h"
#include "swarmcopy/harness/clean_leftovers.h"
#include "swarmcopy/harness/network_lab.h"
#include "swarmcopy/harness/privileges.h"
#include "swarmcopy/harness/run_command.h"

namespace swarmcopy::harness {
namespace {

using namespace std::chrono_literals;

class NetworkLabSubnetsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto allowed = check_privileges(); !allowed) GTEST_SKIP() << allowed.error().message;
  }

  // A lab of two subnets: a and b in subnet 0, c and d in subnet 1, origin behind the router.
  std::unique_ptr<NetworkLab> make_site() {
    LabOptions options;
    options.subnets = 2;
    auto lab = NetworkLab::create(options);
    EXPECT_TRUE(lab.has_value()) << lab.error().message;
    if (!lab) return nullptr;
    // Round-robin: a → 0, c → 1, b → 0; d named explicitly.
    for (const auto& [name, placement] : std::vector<std::pair<std::string, NamespaceOptions>>{
             {"a", {}}, {"c", {}}, {"b", {}}, {"d", {.subnet = 1}}, {"origin", {.uplink = true}}}) {
      auto ns = (*lab)->add_namespace(name, placement);
      EXPECT_TRUE(ns.has_value()) << ns.error().message;
      if (!ns) return nullptr;
    }
    return std::move(*lab);
  }

  // The probe's exit code and stdout, waited for (bounded).
  std::pair<std::optional<int>, std::string> finish(LabProcess& process) {
    auto code = process.wait(30s);
    EXPECT_TRUE(code.has_value()) << code.error().message;
    return {code.value_or(std::nullopt), slurp(process.stdout_path())};
  }

  std::optional<LabProcess> start(NetworkLab& lab, const std::string& ns,
                                  std::vector<std::string> args, const std::string& ready) {
    args.insert(args.begin(), kProbe);
    auto process = lab.run_in(ns, args);
    EXPECT_TRUE(process.has_value()) << process.error().message;
    if (!process) return std::nullopt;
    EXPECT_TRUE(process->wait_for_stdout(ready, 10s)) << slurp(process->stderr_path());
    return *process;
  }
};

TEST_F(NetworkLabSubnetsTest, EachSubnetHasItsBridgeAndTheRouterAsGateway) {
  auto lab = make_site();
  ASSERT_TRUE(lab);
  const auto subnets = lab->subnets();
  ASSERT_EQ(subnets.size(), 2u);
  const auto uplink = lab->uplink();
  ASSERT_TRUE(uplink.has_value());
  EXPECT_EQ(subnets[0].bridge, lab->bridge());
  EXPECT_EQ(subnets[0].cidr, lab->subnet());
  EXPECT_NE(subnets[0].cidr, subnets[1].cidr);
  EXPECT_NE(subnets[1].cidr, uplink->cidr);
  EXPECT_EQ(lab->router_netns(), lab->prefix() + "router");
  for (const auto& subnet : {subnets[0], subnets[1], *uplink}) {
    EXPECT_LE(subnet.bridge.size(), 15u) << subnet.bridge;
    EXPECT_FALSE(subnet.router_address.empty());
    EXPECT_NE(output_of({"ip", "-n", lab->router_netns(), "-o", "-4", "addr"})
                  .find(subnet.router_address + "/24"),
              std::string::npos)
        << subnet.router_address;
  }
  for (const auto& ns : lab->namespaces()) {
    const int expected = ns.name == "origin" ? -1 : (ns.name == "a" || ns.name == "b" ? 0 : 1);
    EXPECT_EQ(ns.subnet, expected) << ns.name;
    const LabSubnet& on = expected < 0 ? *uplink : subnets[static_cast<size_t>(expected)];
    EXPECT_EQ(ns.gateway, on.router_address) << ns.name;
    EXPECT_NE(output_of({"ip", "-o", "link", "show", ns.host_veth}).find("master " + on.bridge),
              std::string::npos)
        << ns.name;
    EXPECT_NE(output_of({"ip", "-n", ns.netns, "route", "show"}).find("default via " + ns.gateway),
              std::string::npos)
        << ns.name;
  }
  // What does not fit is refused, and nothing of it is made.
  EXPECT_FALSE(lab->add_namespace("router").has_value());
  EXPECT_FALSE(lab->add_namespace("e", {.subnet = 2}).has_value());
  EXPECT_FALSE(lab->add_namespace("e", {.interface = "lo"}).has_value());
  EXPECT_FALSE(lab->add_namespace("e", {.interface = "a-name-too-long0"}).has_value());
}

TEST_F(NetworkLabSubnetsTest, UnicastCrossesTheRouterAndMulticastDoesNot) {
  auto lab = make_site();
  ASSERT_TRUE(lab);
  const std::string a = lab->address_of("a").value();
  const std::string c = lab->address_of("c").value();

  // Unicast across the router, both ways, with the sender's own address (no NAT).
  auto listener = start(*lab, "c", {"tcp-listen", "7101", "20"}, "listening");
  ASSERT_TRUE(listener);
  auto sender = start(*lab, "a", {"tcp-send", c, "7101", "100000", "20"}, "sent");
  ASSERT_TRUE(sender);
  EXPECT_NE(finish(*listener).second.find("received 100000 bytes from " + a + " "),
            std::string::npos);
  auto to_origin = start(*lab, "origin", {"tcp-listen", "7102", "20"}, "listening");
  ASSERT_TRUE(to_origin);
  ASSERT_TRUE(start(*lab, "d",
                    {"tcp-send", lab->address_of("origin").value(), "7102", "1000", "20"}, "sent"));
  EXPECT_NE(finish(*to_origin).second.find("from " + lab->address_of("d").value() + " "),
            std::string::npos);

  // Multicast from a, at TTL 32 (a multicast router would forward it): b, on a's subnet, gets
  // it; c and origin, behind the router, do not.
  std::vector<std::pair<std::string, LabProcess>> listeners;
  for (const char* ns : {"b", "c", "origin"}) {
    auto joined = start(*lab, ns, {"mcast-listen", kLsdGroup, kLsdPort, "4"}, "joined");
    ASSERT_TRUE(joined);
    listeners.emplace_back(ns, *joined);
  }
  auto sent = start(*lab, "a", {"mcast-send", kLsdGroup, kLsdPort, "hello-lsd", "10", "100", "32"},
                    "sent 10");
  ASSERT_TRUE(sent);
  for (auto& [ns, process] : listeners) {
    const auto [code, out] = finish(process);
    if (ns == "b") {
      EXPECT_EQ(code, std::optional<int>(0)) << slurp(process.stderr_path());
      EXPECT_NE(out.find("got 'hello-lsd' from " + a), std::string::npos) << out;
    } else {
      EXPECT_EQ(code, std::optional<int>(2)) << ns << " heard: " << out;
      EXPECT_NE(slurp(process.stderr_path()).find("no datagram"), std::string::npos) << ns;
    }
  }
  // c's subnet has multicast of its own: c hears d.
  auto hears = start(*lab, "c", {"mcast-listen", kLsdGroup, kLsdPort, "10"}, "joined");
  ASSERT_TRUE(hears);
  ASSERT_TRUE(
      start(*lab, "d", {"mcast-send", kLsdGroup, kLsdPort, "hello-1", "5", "100", "32"}, "sent 5"));
  const auto [code, out] = finish(*hears);
  EXPECT_EQ(code, std::optional<int>(0));
  EXPECT_NE(out.find("got 'hello-1' from " + lab->address_of("d").value()), std::string::npos)
      << out;
}

TEST_F(NetworkLabSubnetsTest, ALinkCanBeNamedLikeAVpnInterface) {
  LabOptions options;
  options.subnets = 2;
  auto lab = NetworkLab::create(options);
  ASSERT_TRUE(lab.has_value()) << lab.error().message;
  auto vpn = (*lab)->add_namespace("v", {.interface = "tun0"});
  ASSERT_TRUE(vpn.has_value()) << vpn.error().message;
  EXPECT_EQ(vpn->interface, "tun0");
  EXPECT_NE(output_of({"ip", "-n", vpn->netns, "route", "show"}).find("224.0.0.0/4 dev tun0"),
            std::string::npos);
  auto process = (*lab)->run_in("v", {"ip", "-o", "-4", "addr", "show", "dev", "tun0"});
  ASSERT_TRUE(process.has_value()) << process.error().message;
  ASSERT_EQ(process->wait(10s).value_or(std::nullopt), std::optional<int>(0));
  EXPECT_NE(slurp(process->stdout_path()).find(vpn->address + "/24"), std::string::npos);
}

TEST_F(NetworkLabSubnetsTest, CloseAndCleanLeftoversRemoveTheRouterAndEveryBridge) {
  std::string prefix;
  {
    auto lab = make_site();
    ASSERT_TRUE(lab);
    prefix = lab->prefix();
    // 5 namespaces + the router; 5 host veths + the router's 3 legs; 3 bridges.
    EXPECT_EQ(names_with(prefix).size(), 6u + 8u + 3u);
    auto closed = lab->close();
    EXPECT_TRUE(closed.has_value()) << closed.error().message;
    EXPECT_EQ(names_with(prefix), std::vector<std::string>{});
  }
  // A lab that crashed before close(): clean_leftovers finds all of it by its prefix.
  auto lab = make_site();
  ASSERT_TRUE(lab);
  prefix = lab->prefix();
  ASSERT_TRUE(lab->run_in("c", {"sleep", "300"}).has_value());
  auto removed = clean_leftovers(prefix);
  ASSERT_TRUE(removed.has_value()) << removed.error().message;
  // (Host veths may go with their namespaces before they are listed.)
  for (const auto& name : {lab->router_netns(), lab->subnets()[0].bridge, lab->subnets()[1].bridge,
                           lab->uplink()->bridge}) {
    EXPECT_NE(std::find(removed->begin(), removed->end(), name), removed->end()) << name;
  }
  EXPECT_EQ(names_with(prefix), std::vector<std::string>{});
  EXPECT_TRUE(lab->close().has_value()) << "what is gone already counts as removed";
}

TEST_F(NetworkLabSubnetsTest, OneSubnetIsTheOneBridgeLabAndRefusesAnUplink) {
  auto lab = NetworkLab::create();
  ASSERT_TRUE(lab.has_value()) << lab.error().message;
  EXPECT_EQ((*lab)->subnets().size(), 1u);
  EXPECT_FALSE((*lab)->uplink().has_value());
  EXPECT_EQ((*lab)->router_netns(), "");
  auto ns = (*lab)->add_namespace("a");
  ASSERT_TRUE(ns.has_value());
  EXPECT_EQ(ns->gateway, "");
  EXPECT_EQ(output_of({"ip", "-n", ns->netns, "route", "show"}).find("default"), std::string::npos);
  EXPECT_FALSE((*lab)->add_namespace("o", {.uplink = true}).has_value());
  LabOptions too_many;
  too_many.subnets = 17;
  EXPECT_FALSE(NetworkLab::create(too_many).has_value());
  LabOptions not_24;
  not_24.subnets = 2;
  not_24.subnet = "10.9.0.0/16";
  EXPECT_FALSE(NetworkLab::create(not_24).has_value());
}

}  // namespace
}  // namespace swarmcopy::harness
