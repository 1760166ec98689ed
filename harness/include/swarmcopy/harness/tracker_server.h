// TrackerServer: Debian's opentracker in one of a lab's namespaces — the BitTorrent tracker
// where group mode's machines meet across subnets (`swarmcopy-lab --tracker`, LAN tests). Its
// directory (whitelist, chroot) is <lab work dir>/opentracker; the lab's close() stops it with
// every other process it started.
//
// Debian builds opentracker with a whitelist (WANT_ACCESSLIST_WHITE): it tracks only the
// info-hashes listed and answers every other announce "Requested download is not authorized".
// The caller lists what its machines announce (peer::Session::group_announce_info_hash, and for
// content nobody published the rendezvous hash), as a site's administrator would.
//
// opentracker drops to nobody, which clears PR_SET_PDEATHSIG (RunOptions::die_with_caller): if
// the caller crashes, it lives on in its namespace until clean_leftovers kills it.
//
// The thread that owns the lab. start_tracker_server blocks until opentracker listens (bounded).
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "swarmcopy/api/error.h"
#include "swarmcopy/harness/lab_process.h"
#include "swarmcopy/harness/network_lab.h"

namespace swarmcopy::harness {

struct TrackerOptions {
  std::string opentracker;  // the binary (find_program("opentracker"))
  std::string ns;           // the lab namespace it runs in
  std::string address;      // that namespace's address: it listens there, TCP and UDP
  int port = 6969;
  std::vector<std::string> info_hashes;  // the whitelist: 40 hex digits each
  std::chrono::milliseconds listen_timeout{std::chrono::seconds(10)};
  std::function<bool()> give_up;  // checked while waiting (a signal, say); may be empty
};

struct TrackerServer {
  LabProcess process;
  std::string announce_url;  // "http://ADDRESS:PORT/announce"
};

// Writes the whitelist, starts opentracker in options.ns (chrooted into its directory, as
// nobody) and waits until it listens. Errors: a bad info-hash, a file that cannot be written,
// a program that cannot start or does not listen in time.
api::Result<TrackerServer> start_tracker_server(NetworkLab& lab, const TrackerOptions& options);

}  // namespace swarmcopy::harness
