#include "net/test_pki.h"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace sundial::net::testing {

bool MakeTestPki(const TempDir& dir) {
  const std::string key = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
  dir.Write("server.ext", "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n");
  dir.Write("client.ext",
            "subjectAltName=DNS:client.example\nextendedKeyUsage=clientAuth\n"
            "basicConstraints=CA:FALSE\n");
  auto sign = [&](const std::string& name) {
    return " && openssl req" + key + " -keyout " + name + ".key -out " + name +
           ".csr -subj /CN=" + name + " 2>/dev/null && openssl x509 -req -in " + name +
           ".csr -CA ca.crt -CAkey ca.key -CAcreateserial -out " + name + ".crt -days 1 -extfile " +
           name + ".ext 2>/dev/null";
  };
  const std::string script = "cd " + dir.path() + " && openssl req -x509" + key +
                             " -keyout ca.key -out ca.crt -days 1 -subj /CN=SundialTestCA "
                             "2>/dev/null" +
                             sign("server") + sign("client");
  if (std::system(script.c_str()) == 0) return true;
  std::fprintf(stderr, "failed: %s\n", script.c_str());
  return false;
}

}  // namespace sundial::net::testing
