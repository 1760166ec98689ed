// The daemon client: connect() returns a Manager whose jobs live in swarmcopyd, reached over
// its UNIX socket (HTTP/1.1 + JSON, daemon/API.md). A program switches between the embedded
// engine and the daemon with one line — engine::open_local(dir) or client::connect(socket) —
// and the rest of its code, errors and callbacks included, is the same.
//
// Every call is synchronous and thread-safe (concurrent calls use separate keep-alive
// connections). When the daemon is gone a call fails with kUnavailable naming the socket;
// the next call connects again, so a daemon restart is survived. Callbacks: the first
// set_notify_interface starts a background thread that follows GET /v1/events (reconnecting
// after a restart) and a notification thread that calls the Callbacks, one at a time, in
// order, filtered by the job's notify flags as the engine does.
//
// As with the embedded engine, destroying the manager ends its threads; Job handles that
// outlive it answer kUnavailable.
#pragma once

#include <filesystem>
#include <memory>

#include "swarmcopy/api/error.h"
#include "swarmcopy/api/manager.h"
#include "swarmcopy/client/connect_options.h"

namespace swarmcopy::client {

// Checks that a swarmcopyd speaking API version 1 answers at `socket` (GET /v1/status):
// kUnavailable naming the socket when nothing does.
api::Result<std::shared_ptr<api::Manager>> connect(const std::filesystem::path& socket);
api::Result<std::shared_ptr<api::Manager>> connect(const std::filesystem::path& socket,
                                                   const ConnectOptions& options);

}  // namespace swarmcopy::client
