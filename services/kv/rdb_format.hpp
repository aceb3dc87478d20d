#pragma once
// The building blocks of Redis's RDB format (version 10, what redis-server 7.0 writes), pure and
// sans-I/O: the opcodes and type bytes, the CRC-64 that ends the file, and the compact blobs
// Redis stores inside string values (listpack, ziplist, intset). rdb_writer.cpp and
// rdb_loader.cpp put them together; rdb.hpp is the public interface.
//
// Lengths ("rdb length", big-endian where multi-byte):
//
//   00xxxxxx                      6-bit length
//   01xxxxxx xxxxxxxx             14-bit length
//   10000000 + 4 bytes            32-bit length
//   10000001 + 8 bytes            64-bit length
//   11000000..11000011            a string encoded specially: int8, int16, int32 (little-endian
//                                 two's complement) or LZF (compressed length, raw length, data)
//
// Listpack (hash, sorted set and quicklist-node blobs since 7.0):
//
//   ┌────────────┬───────────┬───────────────────────────────┬──────┐
//   │ total u32  │ count u16 │ entry: encoding data backlen … │ 0xFF │   (little-endian)
//   └────────────┴───────────┴───────────────────────────────┴──────┘
//
// Ziplist (before 7.0): total u32, tail offset u32, count u16, entries (previous length,
// encoding, data), 0xFF. Intset: encoding u32 (2, 4 or 8), count u32, ascending integers.
//
// Decoders return every element as text (integers in canonical decimal, as Redis reads them
// back) and throw FormatError on anything malformed; the loader turns that into an offset.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tcpkit::kv::rdb {

inline constexpr int kVersion = 10;

enum Opcode : std::uint8_t {
  kOpFunction2 = 0xF5,
  kOpFunction = 0xF6,
  kOpModuleAux = 0xF7,
  kOpIdle = 0xF8,
  kOpFreq = 0xF9,
  kOpAux = 0xFA,
  kOpResizeDb = 0xFB,
  kOpExpireMs = 0xFC,
  kOpExpireSeconds = 0xFD,
  kOpSelectDb = 0xFE,
  kOpEof = 0xFF,
};

enum TypeByte : std::uint8_t {
  kTypeString = 0,
  kTypeList = 1,
  kTypeSet = 2,
  kTypeZset = 3,
  kTypeHash = 4,
  kTypeZset2 = 5,
  kTypeModule = 6,
  kTypeModule2 = 7,
  kTypeHashZipmap = 9,
  kTypeListZiplist = 10,
  kTypeSetIntset = 11,
  kTypeZsetZiplist = 12,
  kTypeHashZiplist = 13,
  kTypeListQuicklist = 14,
  kTypeStreamListpacks = 15,
  kTypeHashListpack = 16,
  kTypeZsetListpack = 17,
  kTypeListQuicklist2 = 18,
  kTypeStreamListpacks2 = 19,
};

// Quicklist 2 node containers.
inline constexpr std::uint64_t kNodePlain = 1;
inline constexpr std::uint64_t kNodePacked = 2;

// Special string encodings (the low bits of a length byte 11xxxxxx).
inline constexpr std::uint8_t kEncInt8 = 0, kEncInt16 = 1, kEncInt32 = 2, kEncLzf = 3;

// A malformed blob; `offset` is within the blob.
struct FormatError : std::runtime_error {
  FormatError(std::size_t at, const std::string& what) : std::runtime_error(what), offset(at) {}
  std::size_t offset;
};

// CRC-64/Jones (reflected, initial value 0), the checksum Redis appends after the EOF opcode.
std::uint64_t crc64(std::uint64_t crc, std::string_view bytes);

// Redis's string2ll test: `s` is an int64 in canonical decimal form (no '+', no leading zeros,
// no "-0", no spaces). Sets `out` when true.
bool canonical_int(std::string_view s, std::int64_t& out);

// Appends an rdb length.
void append_length(std::string& out, std::uint64_t n);

// Builds a listpack from strings (canonical integers get Redis's integer encodings).
class ListpackBuilder {
 public:
  ListpackBuilder();
  void add(std::string_view element);
  std::size_t count() const { return count_; }
  std::size_t bytes() const { return buf_.size() + 1; }
  // The finished blob (the builder is then spent).
  std::string finish();

 private:
  std::string buf_;
  std::size_t count_ = 0;
};

// Builds an intset from ascending, distinct integers.
std::string make_intset(const std::vector<std::int64_t>& ascending);

// Decoders: every element as text, in order. They check sizes, counts, the end byte, backlens
// (listpack) and order (intset).
std::vector<std::string> decode_listpack(std::string_view blob);
std::vector<std::string> decode_ziplist(std::string_view blob);
std::vector<std::string> decode_intset(std::string_view blob);

// A score as Redis's d2string writes it into a sorted-set listpack: "inf", "-inf", integers
// below 2^52 without a fraction, otherwise "%.17g".
std::string score_text(double score);

}  // namespace tcpkit::kv::rdb
