// OriginServer: an nginx in one of a lab's namespaces, serving a directory over HTTP — the
// origin of `swarmcopy-lab` runs and of LAN tests. Its config, logs and temporary files live
// under <lab work dir>/nginx; the lab's close() stops it with every other process it started.
//
// Functions: the thread that owns the lab. start_origin_server blocks until nginx listens
// (bounded).
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>

#include "swarmcopy/api/error.h"
#include "swarmcopy/harness/lab_process.h"
#include "swarmcopy/harness/network_lab.h"

namespace swarmcopy::harness {

struct OriginOptions {
  std::string nginx;    // the nginx binary (find_program("nginx"))
  std::string ns;       // the lab namespace it runs in
  std::string address;  // that namespace's address
  int port = 8080;
  std::filesystem::path docroot;
  // An nginx log_format for the access log; empty: nginx's default ("combined").
  std::string log_format;
  std::chrono::milliseconds listen_timeout{std::chrono::seconds(10)};
  std::function<bool()> give_up;  // checked while waiting (a signal, say); may be empty
};

struct OriginServer {
  LabProcess process;
  std::filesystem::path access_log;
  std::filesystem::path error_log;
};

// Writes the config, starts nginx in options.ns and waits until it listens.
api::Result<OriginServer> start_origin_server(NetworkLab& lab, const OriginOptions& options);

// True once a socket in `process`'s network namespace listens on TCP `port` (/proc/PID/net/tcp
// lists that namespace's sockets: no helper program needed inside it); false when the process
// exits, `timeout` passes or `give_up` says so.
bool listens_within(const LabProcess& process, int port, std::chrono::milliseconds timeout,
                    const std::function<bool()>& give_up = {});

}  // namespace swarmcopy::harness
