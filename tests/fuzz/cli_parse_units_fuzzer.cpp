// Fuzzes the command line's quantity parsers (cli/src/parse_units.h): rate, SHA-256, header,
// peer, listen address and notify flags, each on the whole input. Properties: no crash and no
// undefined behaviour (a rate near 2^64 converts from double); a refusal says why; what is
// accepted keeps its promise: a SHA-256 is 64 lower-case hex digits, a header has no line
// break, a peer's port is 1-65535, a listen address comes back as "ADDRESS:PORT", notify flags
// stay within kAllNotifyBits and read back from their names.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "parse_units.h"

namespace {

template <class Result>
void check_refusal(const Result& result) {
  if (!result) FUZZ_CHECK(!result.error().empty(), "a refusal must say why");
}

unsigned port_of(const std::string& endpoint) {
  return static_cast<unsigned>(std::stoul(endpoint.substr(endpoint.rfind(':') + 1)));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace cli = swarmcopy::cli;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  check_refusal(cli::parse_rate(text));

  const auto sha256 = cli::parse_sha256(text);
  check_refusal(sha256);
  if (sha256) {
    FUZZ_CHECK(
        sha256->size() == 64 && sha256->find_first_not_of("0123456789abcdef") == std::string::npos,
        "a SHA-256 that is not 64 lower-case hex digits");
  }

  const auto header = cli::parse_header(text);
  check_refusal(header);
  if (header) {
    FUZZ_CHECK(header->find_first_of("\r\n") == std::string::npos, "a header with a line break");
    FUZZ_CHECK(header->find(':') > 0 && header->find(':') != std::string::npos, "no header name");
  }

  const auto peer = cli::parse_peer(text);
  check_refusal(peer);
  if (peer) {
    const unsigned port = port_of(*peer);
    FUZZ_CHECK(port >= 1 && port <= 65535, "a peer port outside 1-65535");
  }

  const auto listen = cli::parse_listen(text);
  check_refusal(listen);
  if (listen) {
    FUZZ_CHECK(listen->rfind(':') != std::string::npos && listen->rfind(':') > 0,
               "a listen address that is not ADDRESS:PORT");
    FUZZ_CHECK(port_of(*listen) <= 65535, "a listen port over 65535");
  }

  const auto flags = cli::parse_notify_flags(text);
  check_refusal(flags);
  if (flags) {
    const auto bits = static_cast<std::uint32_t>(*flags);
    FUZZ_CHECK((bits & ~swarmcopy::api::kAllNotifyBits) == 0, "notify flags beyond the known");
    const auto again = cli::parse_notify_flags(cli::notify_flags_names(*flags));
    FUZZ_CHECK(again.has_value() && *again == *flags, "notify flags do not read back");
  }
  return 0;
}
