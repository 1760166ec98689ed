// `swarmcopy-lab liar`: a LAN peer that lies about content nobody published (`run --liar K`
// starts one in each of K namespaces of its own). It holds other bytes of the content's size,
// makes their site metainfo under the content's SHA-256 — a claim that looks right in every
// check made before the bytes arrive — offers it at the content's rendezvous and seeds it to
// whoever takes it, until SIGTERM or SIGINT.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace swarmcopy::lab {

struct LiarSettings {
  std::string sha256;  // the content's, 64 lower-case hex digits
  std::uint64_t size = 0;
  std::filesystem::path dir;  // where its bytes are written
};

// Prints "ready PORT INFO_HASH_V2" once it offers, and at its end one JSON line
// {"uploaded": BYTES, "peers": N} (N: peers connected to its swarm then). Exit 0, or 1 with
// the reason on stderr.
int run_liar(const LiarSettings& settings);

}  // namespace swarmcopy::lab
