// FileDisk: libtorrent's disk I/O for swarmcopy's torrents — one file each, one descriptor kept
// open, pread/pwrite on libtorrent's network thread, every block hashed as it is written.
//
// Why not libtorrent's own back-ends (measured in the lab, 8 peers, 256 MiB each):
// - the default (mmap) hands every 16 KiB block to a pool of disk threads and back: 565 k
//   context switches per run against 223 k without them, plus a page fault per page; on this
//   kind of VM a switch or a fault costs microseconds, and it was a third of a peer's CPU;
// - the posix one reopens the file with fopen for every block (open, fstat, lseek, close:
//   2.9 M system calls per run), a tenth of a peer's CPU on its own.
// Our torrents are single files in a directory the engine owns, so neither's generality buys
// anything; a file the engine opened for a torrent (a cache item being filled: StorageFiles)
// is used as it is, never reopened by path. A block written here is hashed (SHA-256) while it is in
// the CPU's cache; a piece check then folds the kept block hashes into the piece's Merkle root
// without reading the piece back, and compares it with the metainfo's piece layer (PieceHashes). A
// match answers libtorrent with the metainfo's own v1 hash (its v1 check passes; v1-only peers are
// served and checked the same way); a mismatch answers an all-zero v1 hash, so libtorrent rejects
// the piece and blames its senders. The v1 SHA-1 is never computed for our torrents: it added
// nothing to trust and cost as much as the SHA-256 pass (~0.65 CPU-s per GiB).
//
// What it does not do: torrents of more than one file fail every operation with a clear
// storage error (the engine never adds one: parse_metainfo refuses them); move_storage is
// refused (nothing moves a cache item under libtorrent). A synchronous pwrite can stall the
// network thread on a slow disk; the engine's writes already assume a local disk.
//
// Threads: libtorrent calls every disk_interface function on its network thread, and the
// handlers are posted to that thread's io_context, as libtorrent expects.
#pragma once

#include <libtorrent/session_params.hpp>
#include <memory>

#include "piece_hashes.h"
#include "storage_files.h"

namespace swarmcopy::peer {

// A session_params::disk_io_constructor; torrents' hashes are looked up in `registry`, and the
// files the engine opened for them in `files`, when libtorrent makes their storage.
lt::disk_io_constructor_type file_disk(std::shared_ptr<PieceHashRegistry> registry,
                                       std::shared_ptr<StorageFiles> files);

}  // namespace swarmcopy::peer
