#pragma once
// EncodingLimits: the thresholds CONFIG SET may change (Redis 7.0's names and defaults) at which
// a small collection leaves its compact form for the full structure, which decides what OBJECT
// ENCODING reports. Part of KvConfig; read by the collection types when they grow, on any
// thread, without a lock (Relaxed: a CONFIG SET reaches the next command that reads it).

#include <cstdint>

#include "tcpkit/base/relaxed.hpp"

namespace tcpkit::kv {

struct EncodingLimits {
  Relaxed<std::int64_t> hash_max_listpack_entries = 512;
  Relaxed<std::int64_t> hash_max_listpack_value = 64;
  Relaxed<std::int64_t> list_max_listpack_size = -2;
  Relaxed<std::int64_t> list_compress_depth = 0;
  Relaxed<std::int64_t> set_max_intset_entries = 512;
  Relaxed<std::int64_t> zset_max_listpack_entries = 128;
  Relaxed<std::int64_t> zset_max_listpack_value = 64;
};

}  // namespace tcpkit::kv
