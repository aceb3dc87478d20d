#pragma once
// SHA-1 (FIPS 180-4) of a byte string, as the 40 lowercase hex digits Redis names scripts by
// (EVALSHA, SCRIPT LOAD, redis.sha1hex). Pure and allocation-free apart from the result.

#include <string>
#include <string_view>

namespace tcpkit::kv {

// The SHA-1 digest of `data` in lowercase hex: sha1_hex("") == "da39a3ee...0709".
std::string sha1_hex(std::string_view data);

}  // namespace tcpkit::kv
