// A throwaway PKI for TLS tests, made with the openssl CLI: a CA, a server certificate for
// 127.0.0.1 and localhost, and a client certificate with the SAN DNS:client.example, all P-256
// keys valid for one day. Files in dir: ca.crt ca.key server.crt server.key client.crt client.key.
#ifndef SUNDIAL_TESTS_NET_TEST_PKI_H_
#define SUNDIAL_TESTS_NET_TEST_PKI_H_

#include "net/test_server.h"

namespace sundial::net::testing {

// Returns false (after printing the command) when openssl failed.
bool MakeTestPki(const TempDir& dir);

}  // namespace sundial::net::testing

#endif  // SUNDIAL_TESTS_NET_TEST_PKI_H_
