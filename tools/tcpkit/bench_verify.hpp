#pragma once
// tcpkit bench --data-verify's pass after the tests, as memtier's: GET every key:N of the key
// space (N in [0, keyspace)) from each target; a key that exists must hold the value the
// tests wrote for N (bench::keyed_value). Prints one line per target ("data-verify
// 127.0.0.1:6379: 1000 keys, 992 written, 0 wrong") and the first few differences on stderr.

#include <cstdint>
#include <string>
#include <vector>

#include "tcpkit/net/address.hpp"

namespace tcpkit::cli {

struct VerifyOptions {
  std::uint64_t keyspace = 0;  // -r
  std::size_t data_size = 0;   // -d, as the tests wrote
  std::string user;            // AUTH first when the password is set
  std::string password;
};

// 0 when every value read back is the one written; 65 when one differs; the sysexits code of
// a connection failure otherwise.
int verify_data(const std::vector<net::Endpoint>& targets, const VerifyOptions& options);

}  // namespace tcpkit::cli
