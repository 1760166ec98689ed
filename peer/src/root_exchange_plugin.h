// The exchange of piece roots in a provisional swarm (see provisional_roots.h): a libtorrent
// torrent plugin, one per provisional swarm.
//
// The wire (a BEP 10 extension, "swarmcopy_roots"): a message is a run of 36-byte entries, each a
// piece index (4 bytes, big-endian) and the SHA-256 Merkle root of that piece's blocks (32
// bytes). A machine sends the roots of the pieces it verified: all of them when a connection's
// extension handshake arrives, then each piece's as it passes (libtorrent announces the piece
// with a HAVE just before: a peer that asks for the piece has its root before the bytes). A root
// merely heard is never passed on: a machine vouches only for what it checked. What arrives goes
// to ProvisionalRoots, whose conflicts go to `Conflicted`. A distrusted peer's connections are
// closed and its roots never heard again.
//
// Threads: libtorrent's network thread; `Conflicted` is called there and must only post.
#pragma once

#include <functional>
#include <libtorrent/extensions.hpp>
#include <memory>

#include "provisional_roots.h"

namespace swarmcopy::peer {

using Conflicted = std::function<void(ProvisionalRoots::Conflict)>;

// The plugin to put in a provisional swarm's add_torrent_params::extensions.
std::function<std::shared_ptr<lt::torrent_plugin>(const lt::torrent_handle&, lt::client_data_t)>
root_exchange_plugin(std::shared_ptr<ProvisionalRoots> roots, Conflicted conflicted);

}  // namespace swarmcopy::peer
