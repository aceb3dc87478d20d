// The RDB loader (see rdb.hpp). Theory of operation: a Reader hands out bytes in order from a
// string or a file (64 KiB at a time), counting the offset and the CRC-64 of what it consumed,
// and knows how many bytes remain, so every length is checked against the bytes that exist
// before anything is allocated for it. Each object type is one function that reads its value
// and builds a kv Value through the types' public APIs. A malformed file throws LoadFailure
// inside this file only; load_*() turn it into an Error naming the offset.

#include <fcntl.h>
#include <lzf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <vector>

#include "kv/hash.hpp"
#include "kv/list.hpp"
#include "kv/rdb.hpp"
#include "kv/rdb_format.hpp"
#include "kv/rdb_reader.hpp"
#include "kv/set.hpp"
#include "kv/zset.hpp"

namespace tcpkit::kv::rdb {

namespace {

using detail::LoadFailure;
using detail::Reader;

// A length, or (when `encoded` is given) a special string encoding's number.
std::uint64_t read_length(Reader& in, bool* encoded = nullptr) {
  const std::uint8_t b = in.u8("a length");
  switch (b >> 6) {
    case 0:
      return b & 0x3f;
    case 1:
      return static_cast<std::uint64_t>(b & 0x3f) << 8 | in.u8("a 14-bit length");
    case 3:
      if (encoded == nullptr) in.fail("expected a length, found a string encoding byte");
      *encoded = true;
      return b & 0x3f;
    default:
      if (b == 0x80) return in.fixed(4, false, "a 32-bit length");
      if (b == 0x81) return in.fixed(8, false, "a 64-bit length");
      in.fail("expected a length, found the unknown length byte " + std::to_string(b));
  }
}

std::string read_lzf(Reader& in) {
  const std::uint64_t clen = read_length(in), len = read_length(in);
  // LZF expands at most 264 bytes from 3: a larger claim is a lie, refused before allocating.
  if (clen > in.remaining() || len / 90 > clen || len == 0 ||
      len > std::numeric_limits<unsigned>::max() || clen > std::numeric_limits<unsigned>::max()) {
    in.fail("LZF string of " + std::to_string(len) + " bytes from " + std::to_string(clen) +
            " compressed bytes is impossible here");
  }
  std::string packed;
  in.take(clen, packed, "an LZF-compressed string");
  std::string out(len, '\0');
  const unsigned n = lzf_decompress(packed.data(), static_cast<unsigned>(clen), out.data(),
                                    static_cast<unsigned>(len));
  if (n != len)
    in.fail("LZF data does not decompress to its stated " + std::to_string(len) + " bytes");
  return out;
}

std::string read_string(Reader& in) {
  bool encoded = false;
  const std::uint64_t n = read_length(in, &encoded);
  if (!encoded) {
    std::string s;
    in.take(n, s, "a string");
    return s;
  }
  if (n == kEncLzf) return read_lzf(in);
  if (n > kEncInt32) in.fail("unknown string encoding " + std::to_string(n));
  const std::size_t width = n == kEncInt8 ? 1 : n == kEncInt16 ? 2 : 4;
  const std::uint64_t u = in.fixed(width, true, "an integer-encoded string");
  const unsigned shift = static_cast<unsigned>(64 - 8 * width);
  return std::to_string(static_cast<std::int64_t>(u << shift) >> shift);
}

double parse_score(Reader& in, std::string_view text) {
  std::string s(text);
  char* end = nullptr;
  const double d = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || std::isnan(d)) {
    in.fail("sorted-set score '" + s + "' is not a number");
  }
  return d;
}

// ZSET (type 3): a score as a string with a one-byte length (253 nan, 254 inf, 255 -inf).
double read_text_score(Reader& in) {
  const std::uint8_t n = in.u8("a score length");
  if (n == 253) in.fail("sorted-set score is NaN");
  if (n == 254) return INFINITY;
  if (n == 255) return -INFINITY;
  std::string s;
  in.take(n, s, "a score");
  return parse_score(in, s);
}

double read_binary_score(Reader& in) {
  const std::uint64_t bits = in.fixed(8, true, "a binary score");
  double d = 0;
  std::memcpy(&d, &bits, sizeof d);
  if (std::isnan(d)) in.fail("sorted-set score is NaN");
  return d;
}

// A blob (listpack, ziplist, intset) and its elements; the offset of a FormatError inside it is
// reported from the blob's start.
template <class Decode>
std::vector<std::string> read_blob(Reader& in, Decode decode, const char* kind) {
  const std::uint64_t start = in.offset();
  const std::string blob = read_string(in);
  try {
    return decode(blob);
  } catch (const FormatError& e) {
    throw LoadFailure{start, std::string(kind) + " (byte " + std::to_string(e.offset) +
                                 " of the blob): " + e.what()};
  }
}

// Builds values through the types' public APIs; a duplicate element is corruption.
class Builder {
 public:
  Builder(Reader& in, const EncodingLimits& limits) : in_(in), limits_(limits) {}

  Value list(const std::vector<std::string>& elements) {
    Value v = Value::new_list();
    for (const std::string& s : elements) v.list().push_back(s, limits_);
    return v;
  }
  void set_add(Value& v, std::string_view m) {
    if (!v.set().add(m, limits_)) in_.fail("duplicate set member '" + std::string(m) + "'");
  }
  void hash_set(Value& v, std::string_view f, std::string_view val) {
    if (!v.hash().set(f, val, limits_)) in_.fail("duplicate hash field '" + std::string(f) + "'");
  }
  void zset_add(Value& v, std::string_view m, double score) {
    if (!v.zset().set(m, score, limits_))
      in_.fail("duplicate sorted-set member '" + std::string(m) + "'");
  }
  // Pairs from a blob: hash fields and values, or sorted-set members and scores.
  Value pairs(const std::vector<std::string>& e, bool zset) {
    if (e.size() % 2 != 0) in_.fail("odd number of elements in a pair blob");
    Value v = zset ? Value::new_zset() : Value::new_hash();
    for (std::size_t i = 0; i < e.size(); i += 2) {
      if (zset)
        zset_add(v, e[i], parse_score(in_, e[i + 1]));
      else
        hash_set(v, e[i], e[i + 1]);
    }
    return v;
  }

 private:
  Reader& in_;
  const EncodingLimits& limits_;
};

Value read_quicklist(Reader& in, const EncodingLimits& limits, bool version2) {
  const std::uint64_t nodes = read_length(in);
  Value v = Value::new_list();
  for (std::uint64_t i = 0; i < nodes; ++i) {
    std::uint64_t container = kNodePacked;
    if (version2) container = read_length(in);
    std::vector<std::string> elements;
    if (container == kNodePlain) {
      elements.push_back(read_string(in));
    } else if (container != kNodePacked) {
      in.fail("unknown quicklist container " + std::to_string(container));
    } else {
      elements = version2 ? read_blob(in, decode_listpack, "listpack")
                          : read_blob(in, decode_ziplist, "ziplist");
    }
    for (const std::string& s : elements) v.list().push_back(s, limits);
  }
  return v;
}

Value read_object(Reader& in, std::uint8_t type, const EncodingLimits& limits) {
  Builder build(in, limits);
  switch (type) {
    case kTypeString: {
      Value v;
      v.str.assign(read_string(in));
      v.encoding = encoding_for(v.str);
      return v;
    }
    case kTypeList: {
      Value v = Value::new_list();
      for (std::uint64_t n = read_length(in); n > 0; --n)
        v.list().push_back(read_string(in), limits);
      return v;
    }
    case kTypeSet: {
      Value v = Value::new_set();
      for (std::uint64_t n = read_length(in); n > 0; --n) build.set_add(v, read_string(in));
      return v;
    }
    case kTypeZset:
    case kTypeZset2: {
      Value v = Value::new_zset();
      for (std::uint64_t n = read_length(in); n > 0; --n) {
        std::string m = read_string(in);
        build.zset_add(v, m, type == kTypeZset ? read_text_score(in) : read_binary_score(in));
      }
      return v;
    }
    case kTypeHash: {
      Value v = Value::new_hash();
      for (std::uint64_t n = read_length(in); n > 0; --n) {
        std::string f = read_string(in);
        build.hash_set(v, f, read_string(in));
      }
      return v;
    }
    case kTypeListZiplist:
      return build.list(read_blob(in, decode_ziplist, "ziplist"));
    case kTypeSetIntset: {
      Value v = Value::new_set();
      for (const std::string& m : read_blob(in, decode_intset, "intset")) build.set_add(v, m);
      return v;
    }
    case kTypeZsetZiplist:
      return build.pairs(read_blob(in, decode_ziplist, "ziplist"), true);
    case kTypeHashZiplist:
      return build.pairs(read_blob(in, decode_ziplist, "ziplist"), false);
    case kTypeZsetListpack:
      return build.pairs(read_blob(in, decode_listpack, "listpack"), true);
    case kTypeHashListpack:
      return build.pairs(read_blob(in, decode_listpack, "listpack"), false);
    case kTypeListQuicklist:
      return read_quicklist(in, limits, false);
    case kTypeListQuicklist2:
      return read_quicklist(in, limits, true);
    case kTypeStreamListpacks:
    case kTypeStreamListpacks2:
      in.fail("streams are not supported by kv (type " + std::to_string(type) + ")");
    case kTypeModule:
    case kTypeModule2:
      in.fail("module values are not supported by kv");
    case kTypeHashZipmap:
      in.fail("zipmap hashes (Redis before 2.6) are not supported");
    default:
      in.fail("unknown object type " + std::to_string(type));
  }
}

bool empty_collection(const Value& v) {
  switch (v.type) {
    case ValueType::kString:
      return false;
    case ValueType::kList:
      return v.list().empty();
    case ValueType::kSet:
      return v.set().empty();
    case ValueType::kHash:
      return v.hash().size() == 0;
    case ValueType::kZset:
      return v.zset().empty();
  }
  return false;
}

int read_header(Reader& in) {
  std::string magic;
  in.take(9, magic, "the header \"REDIS\" and a 4-digit version");
  if (magic.compare(0, 5, "REDIS") != 0) {
    throw LoadFailure{0, "not an RDB file (it does not start with \"REDIS\")"};
  }
  int version = 0;
  for (std::size_t i = 5; i < 9; ++i) {
    if (magic[i] < '0' || magic[i] > '9') throw LoadFailure{5, "the version is not 4 digits"};
    version = version * 10 + (magic[i] - '0');
  }
  if (version < 1 || version > kVersion) {
    throw LoadFailure{5, "RDB version " + std::to_string(version) + " is not supported (1 to " +
                             std::to_string(kVersion) + ")"};
  }
  return version;
}

void read_trailer(Reader& in, int version) {
  if (version < 5) return;
  const std::uint64_t computed = in.crc();
  const std::uint64_t stored = in.fixed(8, true, "the CRC-64 checksum");
  if (stored != 0 && stored != computed) {  // 0: saved with rdbchecksum no
    throw LoadFailure{in.offset() - 8, "checksum mismatch: the file says " +
                                           std::to_string(stored) + ", the data gives " +
                                           std::to_string(computed)};
  }
}

LoadStats load(Reader& in, Store& store, const EncodingLimits& limits, std::int64_t now_ms) {
  LoadStats stats;
  stats.version = read_header(in);
  ShardLock lock(store.shards(), kAllShards);
  int db = 0;
  std::int64_t expire_at = kNoExpire;
  for (;;) {
    const std::uint64_t at = in.offset();
    const std::uint8_t op = in.u8("an opcode or a type");
    switch (op) {
      case kOpExpireSeconds:
        expire_at = static_cast<std::int64_t>(in.fixed(4, true, "an expiry time")) * 1000;
        continue;
      case kOpExpireMs:
        expire_at = static_cast<std::int64_t>(in.fixed(8, true, "an expiry time"));
        continue;
      case kOpIdle:
        read_length(in);
        continue;
      case kOpFreq:
        in.u8("an LFU frequency");
        continue;
      case kOpSelectDb: {
        const std::uint64_t n = read_length(in);
        if (n >= static_cast<std::uint64_t>(Store::kDatabases)) {
          throw LoadFailure{at, "database " + std::to_string(n) + " out of range (kv has 16)"};
        }
        db = static_cast<int>(n);
        continue;
      }
      case kOpResizeDb:
        read_length(in), read_length(in);
        continue;  // a hint; nothing reserved
      case kOpAux:
        read_string(in), read_string(in);
        continue;
      case kOpModuleAux:
        throw LoadFailure{at, "module data is not supported by kv"};
      case kOpFunction:
        throw LoadFailure{at, "functions in the pre-7.0 format (FUNCTION) are not supported"};
      case kOpFunction2:
        stats.functions.push_back(read_string(in));
        continue;
      case kOpEof:
        read_trailer(in, stats.version);
        return stats;
      default:
        break;
    }
    std::string key = read_string(in);
    Value v = read_object(in, op, limits);
    if (empty_collection(v)) {
      ++stats.empty_skipped;
    } else if (expire_at != kNoExpire && expire_at <= now_ms) {
      ++stats.keys_expired;
    } else {
      Database& target = store.db(db);
      if (target.find(key, now_ms, false) != nullptr) {
        throw LoadFailure{at, "duplicate key '" + key + "' in database " + std::to_string(db)};
      }
      v.expire_at_ms = expire_at;
      target.add(key, std::move(v));
      ++stats.keys_loaded;
    }
    expire_at = kNoExpire;
  }
}

Fail corrupt(std::string_view name, const LoadFailure& f) {
  return Fail(Error(std::make_error_code(std::errc::bad_message),
                    std::string(name) + ": offset " + std::to_string(f.offset) + ": " + f.what));
}

}  // namespace

Result<LoadStats> load_string(Store& store, std::string_view bytes, std::string_view name,
                              const EncodingLimits& limits, std::int64_t now_ms) {
  Reader in(bytes);
  try {
    return load(in, store, limits, now_ms);
  } catch (const LoadFailure& f) {
    return corrupt(name, f);
  }
}

bool parse_functions_payload(std::string_view payload, std::vector<std::string>& codes,
                             std::string& error) {
  constexpr std::size_t kFooter = 10;  // version (2) and CRC-64 (8)
  if (payload.size() < kFooter) return error = "DUMP payload version or checksum are wrong", false;
  const std::size_t body = payload.size() - kFooter;
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(payload[i]); };
  const unsigned version = unsigned{byte(body)} | unsigned{byte(body + 1)} << 8U;
  std::uint64_t stored = 0;
  for (int i = 7; i >= 0; --i) stored = stored << 8 | byte(body + 2 + static_cast<std::size_t>(i));
  if (version > static_cast<unsigned>(kVersion) ||
      crc64(0, payload.substr(0, body + 2)) != stored) {
    return error = "DUMP payload version or checksum are wrong", false;
  }
  Reader in(payload.substr(0, body));
  try {
    while (in.remaining() > 0) {
      if (in.u8("a type") != kOpFunction2) return error = "given type is not a function", false;
      codes.push_back(read_string(in));
    }
  } catch (const LoadFailure&) {
    return error = "Failed loading library payload", false;
  }
  return true;
}

Result<LoadStats> load_file(Store& store, const std::string& path, const EncodingLimits& limits,
                            std::int64_t now_ms) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Fail(Error::from_errno("open " + path));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return Fail(Error::from_errno(err, "fstat " + path));
  }
  Reader in(fd, static_cast<std::uint64_t>(st.st_size));
  Result<LoadStats> result = LoadStats{};
  try {
    result = load(in, store, limits, now_ms);
  } catch (const LoadFailure& f) {
    result = corrupt(path, f);
  }
  ::close(fd);
  return result;
}

}  // namespace tcpkit::kv::rdb
