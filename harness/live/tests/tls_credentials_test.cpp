#include "tls_credentials.hpp"

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <boost/test/unit_test.hpp>

#include <memory>

using namespace closepath;

namespace {

std::unique_ptr<X509, decltype(&X509_free)> load(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  return {PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), &X509_free};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tls_credentials)

// The server certificate verifies against the run's CA, for the server's IP only.
BOOST_AUTO_TEST_CASE(server_certificate_chains_to_the_run_ca) {
  const auto creds = make_tls_credentials("10.0.0.2");
  auto ca = load(creds.ca_pem);
  auto server = load(creds.server_cert_pem);
  BOOST_REQUIRE(ca && server);
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), &X509_STORE_free);
  X509_STORE_add_cert(store.get(), ca.get());
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(), &X509_STORE_CTX_free);
  X509_STORE_CTX_init(ctx.get(), store.get(), server.get(), nullptr);
  BOOST_TEST(X509_verify_cert(ctx.get()) == 1, X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get())));
  BOOST_TEST(X509_check_ip_asc(server.get(), "10.0.0.2", 0) == 1);
  BOOST_TEST(X509_check_ip_asc(server.get(), "10.0.0.1", 0) == 0);
  BOOST_TEST(creds.server_key_pem.find("PRIVATE KEY") != std::string::npos);
  // Every run gets fresh keys.
  BOOST_TEST(make_tls_credentials("10.0.0.2").server_key_pem != creds.server_key_pem);
}

BOOST_AUTO_TEST_SUITE_END()
