#pragma once
// EncodingLimits: the thresholds CONFIG SET may change (Redis 7.0's names and defaults) at which
// a small collection leaves its compact form for the full structure, which decides what OBJECT
// ENCODING reports. Part of KvConfig; read by the collection types when they grow.

#include <cstdint>

namespace tcpkit::kv {

struct EncodingLimits {
  std::int64_t hash_max_listpack_entries = 512;
  std::int64_t hash_max_listpack_value = 64;
  std::int64_t list_max_listpack_size = -2;
  std::int64_t list_compress_depth = 0;
  std::int64_t set_max_intset_entries = 512;
  std::int64_t zset_max_listpack_entries = 128;
  std::int64_t zset_max_listpack_value = 64;
};

}  // namespace tcpkit::kv
