// ExtraCa (swarmcopyd.conf tls_ca_file): what a PEM file must hold, the sentence when it does
// not, and that the certificates reach a TLS context's store.
#include "swarmcopy/util/extra_ca.h"

#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace swarmcopy::util {
namespace {

namespace fs = std::filesystem;

// A self-signed EC certificate (CN=swarmcopy unit test CA, valid until 2126).
constexpr const char* kCertificate =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBmTCCAT+gAwIBAgIUPCPKlyglIy54Z/4BuZPe/PjFEXYwCgYIKoZIzj0EAwIw\n"
    "ITEfMB0GA1UEAwwWc3dhcm1jb3B5IHVuaXQgdGVzdCBDQTAgFw0yNjEyMDcwOTMx\n"
    "MDBaGA8yMTI2MTExMzA5MzEwMFowITEfMB0GA1UEAwwWc3dhcm1jb3B5IHVuaXQg\n"
    "dGVzdCBDQTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABGQWmoxH+xYxWkOet8Vc\n"
    "OC7/HgSKJu9to6QtPo9S+ChWsskrFowV7/kw3MJN9YcJoX1g/YNznEWeQU0l7rb2\n"
    "/wOjUzBRMB0GA1UdDgQWBBQfsrgsqIqOXcHgT7MECDsQ1lUt5TAfBgNVHSMEGDAW\n"
    "gBQfsrgsqIqOXcHgT7MECDsQ1lUt5TAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49\n"
    "BAMCA0gAMEUCIBTO2eISf0FWAdedYrEiuklLqdoFiNgDug17vdxdS2XiAiEAvY2T\n"
    "l8WhgEGGYljuHV3k1XKqUvmHyMc02YfGj8ZO9qc=\n"
    "-----END CERTIFICATE-----\n";

class ExtraCaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("extra-ca-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(const std::string& name, const std::string& text) {
    const auto path = dir_ / name;
    std::ofstream(path) << text;
    return path;
  }

  fs::path dir_;
};

std::size_t certificates_in(SSL_CTX* context) {
  std::size_t count = 0;
  auto* objects = X509_STORE_get0_objects(SSL_CTX_get_cert_store(context));
  for (int i = 0; i < sk_X509_OBJECT_num(objects); ++i) {
    if (X509_OBJECT_get_type(sk_X509_OBJECT_value(objects, i)) == X509_LU_X509) ++count;
  }
  return count;
}

TEST_F(ExtraCaTest, EveryCertificateOfTheFileJoinsTheContextsStore) {
  const auto pem =
      write("two.pem", std::string("a comment before\n") + kCertificate + kCertificate);
  auto loaded = ExtraCa::load(pem);
  ASSERT_TRUE(loaded) << loaded.error();
  EXPECT_EQ((*loaded)->size(), 2u);
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> context(SSL_CTX_new(TLS_client_method()),
                                                            &SSL_CTX_free);
  ASSERT_TRUE(context);
  EXPECT_EQ(certificates_in(context.get()), 0u);
  EXPECT_TRUE((*loaded)->add_to(context.get()));
  EXPECT_EQ(certificates_in(context.get()), 1u) << "the same certificate twice is one";
  EXPECT_TRUE((*loaded)->add_to(context.get())) << "a context libcurl reuses";
}

TEST_F(ExtraCaTest, AFileThatIsNotACertificateListSaysWhy) {
  auto missing = ExtraCa::load(dir_ / "missing.pem");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find("cannot read"), std::string::npos) << missing.error();

  auto empty = ExtraCa::load(write("empty.pem", ""));
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().find("no PEM certificate"), std::string::npos) << empty.error();

  auto key_only = ExtraCa::load(write("text.pem", "not a certificate\n"));
  ASSERT_FALSE(key_only);
  EXPECT_NE(key_only.error().find("no PEM certificate"), std::string::npos) << key_only.error();

  std::string cut(kCertificate);
  cut.erase(cut.size() / 2, 40);
  auto broken = ExtraCa::load(write("broken.pem", cut));
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().find("malformed"), std::string::npos) << broken.error();
  EXPECT_NE(broken.error().find("broken.pem"), std::string::npos) << broken.error();
}

}  // namespace
}  // namespace swarmcopy::util
