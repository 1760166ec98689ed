// Content private to a group: the published metainfo with the group's certificate authority as
// its "ssl-cert" (libtorrent's SSL torrents). The info dict changes, so both info-hashes do: the
// private swarm is a swarm of its own, which only peers holding a certificate of that CA can
// join (each side of every connection checks the other's), and its cache item a key of its own.
#include <iterator>
#include <libtorrent/bdecode.hpp>
#include <libtorrent/bencode.hpp>
#include <libtorrent/entry.hpp>
#include <libtorrent/error_code.hpp>

#include "swarmcopy/peer/metainfo.h"

namespace swarmcopy::peer {

api::Result<Metainfo> make_group_private_metainfo(const Metainfo& meta, const std::string& ca_pem) {
  const auto refused = [&](const std::string& why) {
    return api::fail(api::ErrorContext::kPeer, api::ErrorKind::kInvalidArgument,
                     "cannot make the group's private metainfo: " + why);
  };
  if (ca_pem.find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
    return refused("the group's CA is not a PEM certificate");
  }
  lt::error_code ec;
  const auto node = lt::bdecode(
      lt::span<const char>(meta.bytes.data(), static_cast<std::ptrdiff_t>(meta.bytes.size())), ec);
  if (ec) return refused(ec.message());
  lt::entry torrent;
  torrent = node;
  auto* info = torrent.find_key("info");
  if (info == nullptr || info->type() != lt::entry::dictionary_t) return refused("no info dict");
  (*info)["ssl-cert"] = ca_pem;
  std::vector<char> bytes;
  lt::bencode(std::back_inserter(bytes), torrent);
  return parse_metainfo(bytes, meta.name + " (group-private)");
}

}  // namespace swarmcopy::peer
