// ExtraCa: certificate authorities trusted beside the system's, from one PEM file (swarmcopyd.conf
// tls_ca_file: a site's own CA, for an internal mirror or registry on https). Loaded once; added
// to each TLS context a client makes (libcurl's SSL_CTX callback, Beast's ssl::context), so that
// the system's store stays as it is and public origins keep working. Immutable: any thread.
#pragma once

#include <expected>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

struct x509_st;
struct ssl_ctx_st;

namespace swarmcopy::util {

class ExtraCa {
 public:
  // Every certificate in `pem` (at least one), or a sentence naming the file and what is wrong.
  static std::expected<std::shared_ptr<const ExtraCa>, std::string> load(
      const std::filesystem::path& pem);
  ~ExtraCa();
  ExtraCa(const ExtraCa&) = delete;
  ExtraCa& operator=(const ExtraCa&) = delete;

  // Adds the certificates to the context's verify store; false when OpenSSL refuses one.
  bool add_to(ssl_ctx_st* context) const;
  std::size_t size() const { return certificates_.size(); }

 private:
  ExtraCa() = default;
  std::vector<x509_st*> certificates_;
};

}  // namespace swarmcopy::util
