#include "test/integration/support/test_certificates.h"

#include <fstream>
#include <vector>

#include "test/integration/support/run_command.h"

namespace daemonlet::testing {
namespace {

constexpr const char* kOpenssl = "/usr/bin/openssl";

bool openssl(const std::vector<std::string>& args, std::string& error, std::string* out = nullptr) {
  std::vector<std::string> argv = {kOpenssl};
  argv.insert(argv.end(), args.begin(), args.end());
  CommandResult result = runCommand(argv, {}, std::chrono::seconds(30));
  if (result.exitCode != 0) {
    error = "openssl " + args.front() + " failed (exit " + std::to_string(result.exitCode) + "): " + result.err;
    return false;
  }
  if (out) *out = result.out;
  return true;
}

std::string base64(const std::string& bytes) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                 static_cast<unsigned char>(bytes[i + 2]);
    for (int shift : {18, 12, 6, 0}) out.push_back(kAlphabet[(v >> shift) & 63]);
  }
  if (i + 1 == bytes.size()) {
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    out += {kAlphabet[(v >> 18) & 63], kAlphabet[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == bytes.size()) {
    unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out += {kAlphabet[(v >> 18) & 63], kAlphabet[(v >> 12) & 63], kAlphabet[(v >> 6) & 63], '='};
  }
  return out;
}

// A key and a certificate signed by the CA, with the given extensions.
bool issue(const std::filesystem::path& dir, const std::string& name, const std::string& subject,
           const std::string& extensions, const TestCertificates& ca, std::string& error) {
  const std::string key = (dir / (name + ".key")).string();
  const std::string csr = (dir / (name + ".csr")).string();
  const std::string ext = (dir / (name + ".ext")).string();
  std::ofstream(ext) << extensions;
  return openssl({"req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                  key, "-out", csr, "-subj", subject},
                 error) &&
         openssl({"x509", "-req", "-in", csr, "-CA", ca.caCert.string(), "-CAkey", ca.caKey.string(),
                  "-CAcreateserial", "-out", (dir / (name + ".crt")).string(), "-days", "30", "-extfile", ext},
                 error);
}

}  // namespace

bool generateTestCertificates(const std::filesystem::path& dir, TestCertificates& out, std::string& error) {
  if (!std::filesystem::exists(kOpenssl)) {
    error = std::string(kOpenssl) + " not found: run packaging/install-test-deps.sh (as root)";
    return false;
  }
  out.caCert = dir / "ca.crt";
  out.caKey = dir / "ca.key";
  out.serverCert = dir / "server.crt";
  out.serverKey = dir / "server.key";
  out.clientCert = dir / "client.crt";
  out.clientKey = dir / "client.key";
  if (!openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                out.caKey.string(), "-out", out.caCert.string(), "-days", "30", "-subj", "/CN=daemonlet test CA",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"},
               error)) {
    return false;
  }
  if (!issue(dir, "server", "/CN=localhost",
             "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=critical,CA:FALSE\n"
             "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
             out, error) ||
      !issue(dir, "client", "/CN=daemonlet-test-client",
             "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n",
             out, error)) {
    return false;
  }
  // The pin is the SHA-256 of the server key's SubjectPublicKeyInfo (DER).
  const std::string publicPem = (dir / "server.pub.pem").string();
  const std::string publicDer = (dir / "server.pub.der").string();
  std::string digest;
  if (!openssl({"pkey", "-in", out.serverKey.string(), "-pubout", "-out", publicPem}, error) ||
      !openssl({"pkey", "-pubin", "-in", publicPem, "-outform", "DER", "-out", publicDer}, error) ||
      !openssl({"dgst", "-sha256", "-binary", publicDer}, error, &digest)) {
    return false;
  }
  if (digest.size() != 32) {
    error = "openssl dgst gave " + std::to_string(digest.size()) + " bytes, expected 32";
    return false;
  }
  out.serverPublicKeyPin = "sha256//" + base64(digest);
  return true;
}

}  // namespace daemonlet::testing
