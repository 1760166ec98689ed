// Fuzzes check_url (engine/src/url.h), the gate every job file's URL passes when it is added,
// "so a bad URL is refused at once instead of failing later in a transfer". Properties: an
// accepted URL is http:// or https:// (any case) as the protocol says, at most 8192
// characters, with no space or control character; libcurl, which the transfer hands it to,
// parses it too and finds a host; a refusal is kInvalidArgument from the caller, names the
// URL, and says "invalid URL: ...".
#include <curl/curl.h>

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "url.h"

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// What curl_easy_setopt(CURLOPT_URL) does with the text (lib/url.c, parseurlandfillconn): the URL
// API with these flags; a host is what a transfer needs first.
bool curl_finds_host(std::string_view url) {
  const std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> handle(curl_url(), curl_url_cleanup);
  const std::string text(url);
  if (curl_url_set(handle.get(), CURLUPART_URL, text.c_str(),
                   CURLU_GUESS_SCHEME | CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
    return false;
  }
  char* host = nullptr;
  const bool found = curl_url_get(handle.get(), CURLUPART_HOST, &host, 0) == CURLUE_OK &&
                     host != nullptr && *host != '\0';
  curl_free(host);
  return found;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using swarmcopy::api::Protocol;
  const std::string_view url(reinterpret_cast<const char*>(data), size);
  const auto protocol = swarmcopy::engine::check_url(url);
  if (!protocol) {
    const auto& error = protocol.error();
    FUZZ_CHECK(error.kind == swarmcopy::api::ErrorKind::kInvalidArgument, "not invalid_argument");
    FUZZ_CHECK(error.context == swarmcopy::api::ErrorContext::kCaller, "not the caller's error");
    FUZZ_CHECK(error.file == url, "the error does not name the URL");
    FUZZ_CHECK(error.message.starts_with("invalid URL: "), "the message does not say why");
    return 0;
  }
  FUZZ_CHECK(url.size() <= 8192, "a URL over 8192 characters accepted");
  for (const unsigned char c : url) {
    FUZZ_CHECK(c > 0x20 && c != 0x7f, "a space or control character accepted");
  }
  const std::string scheme = lower(url.substr(0, url.find("://") + 3));
  FUZZ_CHECK(*protocol == Protocol::kHttp ? scheme == "http://" : scheme == "https://",
             "the protocol is not the URL's scheme");
  FUZZ_CHECK(curl_finds_host(url), "accepted, but libcurl finds no URL with a host in it");
  return 0;
}
