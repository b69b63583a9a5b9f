// Throwaway TLS credentials for one run, made in memory when the run starts:
// a CA and a server certificate it signs (P-256, SHA-256, valid one day, the
// server's address as subjectAltName). No private key is ever written to
// disk or committed; the peers get them over the control channel.
#pragma once

#include <string>

namespace closepath {

struct TlsCredentials {
  std::string ca_pem;           // the CA certificate the client trusts
  std::string server_cert_pem;  // the server's certificate
  std::string server_key_pem;   // its private key
};

// Throws HostError naming the OpenSSL call that failed.
TlsCredentials make_tls_credentials(const std::string& server_ip);

}  // namespace closepath
