#include "digest_headers.h"

#include <openssl/evp.h>

#include <cctype>
#include <vector>

#include "header_text.h"

namespace swarmcopy::engine::origin {
namespace {

constexpr std::size_t kSha256Bytes = 32;

// Standard base64 with its padding, as both RFCs write it; 32 bytes exactly, as hex.
std::optional<std::string> sha256_hex_from_base64(std::string_view text) {
  // 32 bytes are 44 characters, one '=' of padding.
  if (text.size() != 44 || text[43] != '=' || text[42] == '=') return std::nullopt;
  for (const char c : text.substr(0, 43)) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '/') return std::nullopt;
  }
  std::vector<unsigned char> bytes(33);
  const int decoded =
      EVP_DecodeBlock(bytes.data(), reinterpret_cast<const unsigned char*>(text.data()),
                      static_cast<int>(text.size()));
  // EVP_DecodeBlock counts the padding as a zero byte: 33 for 32 real ones.
  if (decoded != 33) return std::nullopt;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * kSha256Bytes);
  for (std::size_t i = 0; i < kSha256Bytes; ++i) {
    hex += kHex[bytes[i] >> 4];
    hex += kHex[bytes[i] & 0xf];
  }
  return hex;
}

// Calls `member(key, value)` for each comma-separated member "key=value" of `field`.
template <class Member>
void for_each_member(std::string_view field, Member&& member) {
  while (!field.empty()) {
    const auto comma = field.find(',');
    const std::string_view item = trim_header_text(field.substr(0, comma));
    field = comma == std::string_view::npos ? std::string_view() : field.substr(comma + 1);
    const auto equals = item.find('=');
    if (equals == std::string_view::npos) continue;
    member(trim_header_text(item.substr(0, equals)), trim_header_text(item.substr(equals + 1)));
  }
}

}  // namespace

std::optional<std::string> sha256_from_repr_digest(std::string_view value) {
  std::optional<std::string> found;
  bool contradicted = false;
  for_each_member(value, [&](std::string_view key, std::string_view item) {
    // Dictionary keys are lowercase in Structured Fields; the value is a byte sequence
    // (":base64:"), without parameters for the digest algorithms RFC 9530 defines.
    if (key != "sha-256") return;
    if (item.size() < 2 || item.front() != ':' || item.back() != ':') {
      contradicted = true;
      return;
    }
    auto hex = sha256_hex_from_base64(item.substr(1, item.size() - 2));
    // A later member of the same key wins in Structured Fields; two that disagree, or one we
    // cannot read, leave us without a digest rather than with a choice.
    if (!hex || (found && *found != *hex)) contradicted = true;
    found = std::move(hex);
  });
  if (contradicted) return std::nullopt;
  return found;
}

std::optional<std::string> sha256_from_legacy_digest(std::string_view value) {
  std::optional<std::string> found;
  bool contradicted = false;
  for_each_member(value, [&](std::string_view key, std::string_view item) {
    if (!iequals(key, "SHA-256")) return;
    // Base64 may end in '=': the first '=' split the key, the rest is the value.
    auto hex = sha256_hex_from_base64(item);
    if (!hex || (found && *found != *hex)) contradicted = true;
    found = std::move(hex);
  });
  if (contradicted) return std::nullopt;
  return found;
}

}  // namespace swarmcopy::engine::origin
