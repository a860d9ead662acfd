#pragma once
// A throwaway PKI for TLS tests, made with the openssl CLI (Debian's `openssl`):
// a CA, a server certificate for 127.0.0.1 and localhost, and a client certificate
// for mTLS, all EC P-256 and signed by the CA.
#include <filesystem>
#include <string>

namespace daemonlet::testing {

struct TestCertificates {
  std::filesystem::path caCert, caKey;
  std::filesystem::path serverCert, serverKey;
  std::filesystem::path clientCert, clientKey;
  std::string serverPublicKeyPin;  // "sha256//<base64 of the SPKI digest>"
};

// Writes everything into `dir` (which must exist). False with `error` set when
// openssl is missing or fails.
bool generateTestCertificates(const std::filesystem::path& dir, TestCertificates& out, std::string& error);

}  // namespace daemonlet::testing
