// The RDB writer (see rdb.hpp): serializes every database of the store.

#include <fcntl.h>
#include <lzf.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>
#include <vector>

#include "kv/hash.hpp"
#include "kv/list.hpp"
#include "kv/rdb.hpp"
#include "kv/rdb_format.hpp"
#include "kv/set.hpp"
#include "kv/zset.hpp"

namespace tcpkit::kv::rdb {

namespace {

// A quicklist node holds at most this many elements or about this many bytes, as Redis's
// list-max-listpack-size -2 (8 KiB) keeps them.
constexpr std::size_t kNodeMaxElements = 128;
constexpr std::size_t kNodeMaxBytes = 8192;

// Where the bytes go: a string, flushed to `fd` (when there is one) every megabyte. Keeps the
// running CRC-64 of everything written. After a write error it drops the rest and remembers
// errno.
class Output {
 public:
  explicit Output(int fd = -1) : fd_(fd) {}

  void raw(std::string_view bytes) {
    crc_ = crc64(crc_, bytes);
    buf_ += bytes;
    if (fd_ >= 0 && buf_.size() >= (1u << 20)) flush();
  }
  void byte(std::uint8_t b) {
    const char c = static_cast<char>(b);
    raw(std::string_view(&c, 1));
  }
  void length(std::uint64_t n) {
    std::string s;
    append_length(s, n);
    raw(s);
  }
  void string(std::string_view s, bool compress);
  void le64(std::uint64_t v) {
    char b[8];
    for (int i = 0; i < 8; ++i) b[i] = static_cast<char>((v >> (8 * i)) & 0xff);
    raw(std::string_view(b, 8));
  }
  std::uint64_t crc() const { return crc_; }
  void flush() {
    std::size_t done = 0;
    while (error_ == 0 && done < buf_.size()) {
      const ssize_t n = ::write(fd_, buf_.data() + done, buf_.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0)
        error_ = errno;
      else
        done += static_cast<std::size_t>(n);
    }
    buf_.clear();
  }
  int error() const { return error_; }
  std::string& buffer() { return buf_; }

 private:
  int fd_;
  std::string buf_;
  std::uint64_t crc_ = 0;
  int error_ = 0;
};

void Output::string(std::string_view s, bool compress) {
  std::int64_t v = 0;
  if (s.size() <= 11 && canonical_int(s, v) && v >= std::numeric_limits<std::int32_t>::min() &&
      v <= std::numeric_limits<std::int32_t>::max()) {
    const std::size_t n = v >= -128 && v <= 127 ? 1 : v >= -32768 && v <= 32767 ? 2 : 4;
    byte(static_cast<std::uint8_t>(0xC0 | (n == 1 ? kEncInt8 : n == 2 ? kEncInt16 : kEncInt32)));
    const auto u = static_cast<std::uint64_t>(v);
    for (std::size_t i = 0; i < n; ++i) byte(static_cast<std::uint8_t>((u >> (8 * i)) & 0xff));
    return;
  }
  if (compress && s.size() > 20 && s.size() <= std::numeric_limits<unsigned>::max()) {
    // Worth it only when at least 4 bytes smaller (Redis's rule).
    std::string out(s.size() - 4, '\0');
    const unsigned n = lzf_compress(s.data(), static_cast<unsigned>(s.size()), out.data(),
                                    static_cast<unsigned>(out.size()));
    if (n > 0) {
      byte(0xC0 | kEncLzf);
      length(n);
      length(s.size());
      raw(std::string_view(out.data(), n));
      return;
    }
  }
  length(s.size());
  raw(s);
}

void write_list(Output& out, const List& list, bool compress) {
  std::vector<std::string> nodes;
  ListpackBuilder node;
  list.scan(0, false, [&](std::size_t, std::string_view s) {
    if (node.count() > 0 &&
        (node.count() >= kNodeMaxElements || node.bytes() + s.size() > kNodeMaxBytes)) {
      nodes.push_back(node.finish());
      node = ListpackBuilder();
    }
    node.add(s);
    return true;
  });
  if (node.count() > 0) nodes.push_back(node.finish());
  out.length(nodes.size());
  for (const std::string& blob : nodes) {
    out.length(kNodePacked);
    out.string(blob, compress);
  }
}

void write_set(Output& out, const Set& set, bool compress) {
  if (set.intset()) {
    std::vector<std::int64_t> ints;
    ints.reserve(set.size());
    set.for_each([&](std::string_view m) {
      std::int64_t v = 0;
      canonical_int(m, v);
      ints.push_back(v);
    });
    out.string(make_intset(ints), compress);
    return;
  }
  out.length(set.size());
  set.for_each([&](std::string_view m) { out.string(m, compress); });
}

void write_hash(Output& out, const HashRef& hash, bool compress) {
  if (hash.listpack()) {
    ListpackBuilder lp;
    hash.for_each([&](std::string_view f, std::string_view v) { lp.add(f), lp.add(v); });
    out.string(lp.finish(), compress);
    return;
  }
  out.length(hash.size());
  hash.for_each([&](std::string_view f, std::string_view v) {
    out.string(f, compress), out.string(v, compress);
  });
}

void write_zset(Output& out, const SortedSet& zset, bool compress) {
  if (zset.listpack()) {
    ListpackBuilder lp;
    zset.for_ranks(0, zset.size(), false,
                   [&](std::string_view m, double score) { lp.add(m), lp.add(score_text(score)); });
    out.string(lp.finish(), compress);
    return;
  }
  out.length(zset.size());
  // Highest first, as Redis writes it (its loader then inserts each at the head).
  zset.for_ranks(zset.size() - 1, zset.size(), true, [&](std::string_view m, double score) {
    out.string(m, compress);
    std::uint64_t bits = 0;
    std::memcpy(&bits, &score, sizeof bits);
    out.le64(bits);
  });
}

std::uint8_t type_byte(const Value& v) {
  switch (v.type) {
    case ValueType::kString:
      return kTypeString;
    case ValueType::kList:
      return kTypeListQuicklist2;
    case ValueType::kSet:
      return v.set().intset() ? kTypeSetIntset : kTypeSet;
    case ValueType::kHash:
      return v.hash().listpack() ? kTypeHashListpack : kTypeHash;
    case ValueType::kZset:
      return v.zset().listpack() ? kTypeZsetListpack : kTypeZset2;
  }
  return kTypeString;
}

void write_entry(Output& out, const KeyEntry& e, bool compress) {
  const Value& v = e.value;
  if (v.expire_at_ms != kNoExpire) {
    out.byte(kOpExpireMs);
    out.le64(static_cast<std::uint64_t>(v.expire_at_ms));
  }
  out.byte(type_byte(v));
  out.string(e.key, compress);
  switch (v.type) {
    case ValueType::kString:
      out.string(v.str, compress);
      break;
    case ValueType::kList:
      write_list(out, v.list(), compress);
      break;
    case ValueType::kSet:
      write_set(out, v.set(), compress);
      break;
    case ValueType::kHash:
      write_hash(out, v.hash(), compress);
      break;
    case ValueType::kZset:
      write_zset(out, v.zset(), compress);
      break;
  }
}

void write_aux(Output& out, std::string_view key, std::string_view value) {
  out.byte(kOpAux);
  out.string(key, false);
  out.string(value, false);
}

void write_all(Output& out, Store& store, const SaveOptions& options) {
  out.raw("REDIS0010");
  write_aux(out, "redis-ver", "7.0.15");
  write_aux(out, "redis-bits", "64");
  write_aux(out, "ctime", std::to_string(options.now_ms / 1000));
  write_aux(out, "used-mem", std::to_string(options.used_memory));
  write_aux(out, "aof-base", options.aof_base ? "1" : "0");
  for (const std::string& code : options.functions) {
    out.byte(kOpFunction2);
    out.string(code, options.compress);
  }
  for (int i = 0; i < Store::kDatabases; ++i) {
    Database& db = store.db(i);
    if (db.size() == 0) continue;
    out.byte(kOpSelectDb);
    out.length(static_cast<std::uint64_t>(i));
    out.byte(kOpResizeDb);
    out.length(db.size());
    out.length(db.expires_size());
    db.for_each([&](const KeyEntry& e) { write_entry(out, e, options.compress); });
  }
  out.byte(kOpEof);
  out.le64(options.checksum ? out.crc() : 0);
}

Fail io_error(int err, const std::string& what) { return Fail(Error::from_errno(err, what)); }

// fsync of the directory holding `path`, so that the rename itself survives a crash.
int sync_directory(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno;
  const int rc = ::fsync(fd) == 0 ? 0 : errno;
  ::close(fd);
  return rc;
}

}  // namespace

std::string dump_functions(std::span<const std::string> codes, bool compress) {
  Output out;
  for (const std::string& code : codes) {
    out.byte(kOpFunction2);
    out.string(code, compress);
  }
  out.byte(static_cast<std::uint8_t>(kVersion & 0xff));
  out.byte(static_cast<std::uint8_t>(kVersion >> 8));
  out.le64(out.crc());
  return std::move(out.buffer());
}

std::string save_to_string(Store& store, const SaveOptions& options) {
  Output out;
  write_all(out, store, options);
  return std::move(out.buffer());
}

Result<void> save_file(Store& store, const std::string& path, const SaveOptions& options) {
  const std::size_t slash = path.rfind('/');
  const std::string temp = (slash == std::string::npos ? "" : path.substr(0, slash + 1)) + "temp-" +
                           std::to_string(::getpid()) + ".rdb";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return io_error(errno, "open " + temp);
  Output out(fd);
  write_all(out, store, options);
  out.flush();
  int err = out.error();
  std::string what = "write " + temp;
  if (err == 0 && ::fsync(fd) != 0) err = errno, what = "fsync " + temp;
  if (::close(fd) != 0 && err == 0) err = errno, what = "close " + temp;
  if (err == 0 && ::rename(temp.c_str(), path.c_str()) != 0) {
    err = errno, what = "rename " + temp + " to " + path;
  }
  if (err != 0) {
    ::unlink(temp.c_str());
    return io_error(err, what);
  }
  if (int e = sync_directory(path); e != 0) return io_error(e, "fsync the directory of " + path);
  return {};
}

}  // namespace tcpkit::kv::rdb
