#include "swarmcopy/util/extra_ca.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstdio>

namespace swarmcopy::util {

std::expected<std::shared_ptr<const ExtraCa>, std::string> ExtraCa::load(
    const std::filesystem::path& pem) {
  std::unique_ptr<std::FILE, decltype(&std::fclose)> file(std::fopen(pem.c_str(), "rbe"),
                                                          &std::fclose);
  if (!file) return std::unexpected("cannot read " + pem.string());
  std::shared_ptr<ExtraCa> loaded(new ExtraCa());
  while (X509* certificate = PEM_read_X509(file.get(), nullptr, nullptr, nullptr)) {
    loaded->certificates_.push_back(certificate);
  }
  // The loop ends on the first thing that is not a certificate: the end of the file (a "no
  // start line" error) is the only good reason.
  const auto last = ERR_peek_last_error();
  const bool at_end =
      ERR_GET_LIB(last) == ERR_LIB_PEM && ERR_GET_REASON(last) == PEM_R_NO_START_LINE;
  ERR_clear_error();
  if (!at_end && last != 0) return std::unexpected(pem.string() + ": a malformed certificate");
  if (loaded->certificates_.empty()) {
    return std::unexpected(pem.string() + ": no PEM certificate in it");
  }
  return loaded;
}

ExtraCa::~ExtraCa() {
  for (auto* certificate : certificates_) X509_free(certificate);
}

bool ExtraCa::add_to(ssl_ctx_st* context) const {
  X509_STORE* store = SSL_CTX_get_cert_store(context);
  if (store == nullptr) return false;
  for (auto* certificate : certificates_) {
    // A certificate already in the store (a context reused by libcurl) is not an error.
    if (X509_STORE_add_cert(store, certificate) != 1) {
      ERR_clear_error();
      return false;
    }
  }
  return true;
}

}  // namespace swarmcopy::util
