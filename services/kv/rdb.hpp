#pragma once
// Snapshots of the kv store in Redis's RDB format, version 10 (what redis-server 7.0 writes),
// both ways: redis-server and redis-check-rdb read what save_*() writes, and load_*() reads
// what redis-server 7.0 (or older) writes for strings, lists, sets, hashes and sorted sets.
//
// File layout (rdb_format.hpp has the encodings):
//
//   "REDIS0010"
//   AUX redis-ver, redis-bits, ctime, used-mem, aof-base
//   per function library: FUNCTION2 code (Redis 7.0's function2 opcode, the library's source)
//   per non-empty database: SELECTDB n, RESIZEDB keys expires,
//       per key: [EXPIRETIME_MS t] type key value
//   EOF, CRC-64 of everything before it (little-endian)
//
// The writer uses the layouts Redis 7.0 writes for the same value: a string as an integer when
// it is one that fits 32 bits, LZF-compressed above 20 bytes when that is smaller; a list as a
// quicklist of listpacks; an intset set as an intset, another set as its members; a listpack
// hash or sorted set as a listpack, others as pairs (scores as binary doubles). Expiry is an
// absolute time in milliseconds. Keys that have expired are written (as Redis does) and
// skipped by the loader.
//
// Threading: save_*() read the store and need every shard held by the caller; load_*() take
// every shard themselves (nothing else may hold one). Errors are values: an Error whose
// context names the file, the byte offset and what was expected there.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kv/encoding_limits.hpp"
#include "kv/store.hpp"
#include "tcpkit/base/result.hpp"

namespace tcpkit::kv::rdb {

struct SaveOptions {
  std::int64_t now_ms = 0;             // ctime (seconds of it)
  std::uint64_t used_memory = 0;       // used-mem
  bool compress = true;                // LZF for strings above 20 bytes (rdbcompression yes)
  std::vector<std::string> functions;  // the function libraries' code (FUNCTION2 records)
  bool aof_base = false;               // the base of an append-only file (aux aof-base 1)
  bool checksum = true;                // the CRC-64 at the end; 0 when off (rdbchecksum no)
};

// The whole snapshot in memory (tests; small stores).
std::string save_to_string(Store& store, const SaveOptions& options);

// Writes the snapshot to `path` atomically: a temporary file in the same directory, written,
// fsynced, renamed over `path`, and the directory fsynced. On an error the temporary file is
// removed and `path` is untouched.
Result<void> save_file(Store& store, const std::string& path, const SaveOptions& options);

struct LoadStats {
  std::uint64_t keys_loaded = 0;
  std::uint64_t keys_expired = 0;   // had expired at load time: skipped
  std::uint64_t empty_skipped = 0;  // collections with no elements: skipped, as Redis does
  int version = 0;
  std::vector<std::string> functions;  // the function libraries' code, in file order
};

// Loads a snapshot into `store` (which should be empty; a key that exists already is an
// error). `now_ms` decides which keys have expired; `limits` the encodings of what is built.
// `name` is used in error messages. On an error the keys loaded so far stay.
Result<LoadStats> load_string(Store& store, std::string_view bytes, std::string_view name,
                              const EncodingLimits& limits, std::int64_t now_ms);
// The same from a file, read in 64 KiB pieces; a length in the file is checked against the
// bytes the file still has before anything is allocated for it.
Result<LoadStats> load_file(Store& store, const std::string& path, const EncodingLimits& limits,
                            std::int64_t now_ms);

// FUNCTION DUMP's payload, as redis-server 7.0 produces it:
//
//   per library: FUNCTION2 (0xF5) code as an rdb string
//   RDB version (2 bytes, little-endian: 10), CRC-64 of everything before (8, little-endian)
std::string dump_functions(std::span<const std::string> codes, bool compress = true);
// Reads a FUNCTION RESTORE payload into `codes`. False with Redis's error text (no "ERR "):
// a short payload, a version above 10 or a wrong checksum, a record other than a function.
bool parse_functions_payload(std::string_view payload, std::vector<std::string>& codes,
                             std::string& error);

}  // namespace tcpkit::kv::rdb
