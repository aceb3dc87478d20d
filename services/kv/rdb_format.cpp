// RDB building blocks: CRC-64, lengths, listpack/ziplist/intset (see rdb_format.hpp).

#include "kv/rdb_format.hpp"

#include <array>
#include <cmath>
#include <cstdio>
#include <limits>

namespace tcpkit::kv::rdb {

namespace {

// The reflected form of Jones's polynomial 0xad93d23594c935a9.
constexpr std::uint64_t kCrcPoly = 0x95ac9329ac4bc9b5ULL;

constexpr std::array<std::uint64_t, 256> make_crc_table() {
  std::array<std::uint64_t, 256> table{};
  for (std::uint64_t i = 0; i < 256; ++i) {
    std::uint64_t c = i;
    for (int bit = 0; bit < 8; ++bit) c = (c & 1) ? (c >> 1) ^ kCrcPoly : c >> 1;
    table[i] = c;
  }
  return table;
}
constexpr auto kCrcTable = make_crc_table();

std::uint64_t read_le(std::string_view b, std::size_t at, std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    v |= std::uint64_t{static_cast<unsigned char>(b[at + i])} << (8 * i);
  }
  return v;
}

// A little-endian two's-complement integer of `n` bytes, sign-extended.
std::int64_t read_signed(std::string_view b, std::size_t at, std::size_t n) {
  const std::uint64_t v = read_le(b, at, n);
  const unsigned shift = static_cast<unsigned>(64 - 8 * n);
  return static_cast<std::int64_t>(v << shift) >> shift;
}

void append_le(std::string& out, std::uint64_t v, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

void need(std::string_view blob, std::size_t at, std::size_t n, const char* what) {
  if (n > blob.size() || at > blob.size() - n) {
    throw FormatError(at, std::string(what) + " runs past the end of the blob");
  }
}

// How many bytes a listpack backlen of `len` takes.
std::size_t backlen_size(std::size_t len) {
  if (len <= 127) return 1;
  if (len < 16383) return 2;
  if (len < 2097151) return 3;
  if (len < 268435455) return 4;
  return 5;
}

// The backlen of an entry of `len` bytes: 7 bits a byte, most significant first, every byte but
// the first flagged with 0x80 (it is read backwards from the entry's end).
void append_backlen(std::string& out, std::size_t len) {
  const std::size_t n = backlen_size(len);
  for (std::size_t i = n; i-- > 0;) {
    auto b = static_cast<unsigned char>((len >> (7 * i)) & 127);
    if (i + 1 != n) b |= 128;
    out += static_cast<char>(b);
  }
}

}  // namespace

std::uint64_t crc64(std::uint64_t crc, std::string_view bytes) {
  for (char ch : bytes) {
    crc = kCrcTable[(crc ^ static_cast<unsigned char>(ch)) & 0xff] ^ (crc >> 8);
  }
  return crc;
}

bool canonical_int(std::string_view s, std::int64_t& out) {
  if (s.empty() || s.size() > 20) return false;
  std::size_t i = 0;
  const bool negative = s[0] == '-';
  if (negative) i = 1;
  if (i == s.size() || s[i] < '1' || s[i] > '9') return s == "0" && (out = 0, true);
  std::uint64_t v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    const auto d = static_cast<std::uint64_t>(s[i] - '0');
    if (v > (std::numeric_limits<std::uint64_t>::max() - d) / 10) return false;
    v = v * 10 + d;
  }
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (negative) {
    if (v > kMax + 1) return false;
    out = static_cast<std::int64_t>(0 - v);
  } else {
    if (v > kMax) return false;
    out = static_cast<std::int64_t>(v);
  }
  return true;
}

void append_length(std::string& out, std::uint64_t n) {
  if (n < 64) {
    out += static_cast<char>(n);
  } else if (n < 16384) {
    out += static_cast<char>(0x40 | (n >> 8));
    out += static_cast<char>(n & 0xff);
  } else {
    const bool wide = n > 0xffffffffULL;
    out += static_cast<char>(wide ? 0x81 : 0x80);
    for (int i = wide ? 7 : 3; i >= 0; --i) out += static_cast<char>((n >> (8 * i)) & 0xff);
  }
}

ListpackBuilder::ListpackBuilder() { buf_.assign(6, '\0'); }

void ListpackBuilder::add(std::string_view s) {
  const std::size_t start = buf_.size();
  std::int64_t v = 0;
  if (canonical_int(s, v)) {
    if (v >= 0 && v <= 127) {
      buf_ += static_cast<char>(v);
    } else if (v >= -4096 && v <= 4095) {
      const auto u = static_cast<std::uint64_t>(v) & 0x1fff;
      buf_ += static_cast<char>(0xC0 | (u >> 8));
      buf_ += static_cast<char>(u & 0xff);
    } else {
      std::size_t n = 8;
      std::uint8_t tag = 0xF4;
      if (v >= -32768 && v <= 32767) {
        n = 2, tag = 0xF1;
      } else if (v >= -8388608 && v <= 8388607) {
        n = 3, tag = 0xF2;
      } else if (v >= std::numeric_limits<std::int32_t>::min() &&
                 v <= std::numeric_limits<std::int32_t>::max()) {
        n = 4, tag = 0xF3;
      }
      buf_ += static_cast<char>(tag);
      append_le(buf_, static_cast<std::uint64_t>(v), n);
    }
  } else if (s.size() < 64) {
    buf_ += static_cast<char>(0x80 | s.size());
    buf_ += s;
  } else if (s.size() < 4096) {
    buf_ += static_cast<char>(0xE0 | (s.size() >> 8));
    buf_ += static_cast<char>(s.size() & 0xff);
    buf_ += s;
  } else {
    buf_ += static_cast<char>(0xF0);
    append_le(buf_, s.size(), 4);
    buf_ += s;
  }
  append_backlen(buf_, buf_.size() - start);
  ++count_;
}

std::string ListpackBuilder::finish() {
  buf_ += static_cast<char>(0xFF);
  std::string header;
  append_le(header, buf_.size(), 4);
  append_le(header, count_ < 65535 ? count_ : 65535, 2);
  buf_.replace(0, 6, header);
  return std::move(buf_);
}

std::string make_intset(const std::vector<std::int64_t>& ascending) {
  std::size_t width = 2;
  for (std::int64_t v : ascending) {
    if (v < std::numeric_limits<std::int32_t>::min() ||
        v > std::numeric_limits<std::int32_t>::max()) {
      width = 8;
    } else if ((v < -32768 || v > 32767) && width < 4) {
      width = 4;
    }
  }
  std::string out;
  append_le(out, width, 4);
  append_le(out, ascending.size(), 4);
  for (std::int64_t v : ascending) append_le(out, static_cast<std::uint64_t>(v), width);
  return out;
}

std::vector<std::string> decode_listpack(std::string_view blob) {
  need(blob, 0, 7, "listpack header");
  if (read_le(blob, 0, 4) != blob.size()) {
    throw FormatError(0, "listpack size field " + std::to_string(read_le(blob, 0, 4)) +
                             " differs from its blob's " + std::to_string(blob.size()) + " bytes");
  }
  const std::uint64_t count = read_le(blob, 4, 2);
  std::vector<std::string> out;
  std::size_t at = 6;
  for (;;) {
    need(blob, at, 1, "listpack entry");
    const auto b = static_cast<unsigned char>(blob[at]);
    if (b == 0xFF) break;
    std::size_t len = 0;  // encoding + data
    if ((b & 0x80) == 0) {
      out.push_back(std::to_string(b)), len = 1;
    } else if ((b & 0xC0) == 0x80) {
      len = 1 + (b & 0x3f);
      need(blob, at, len, "listpack string");
      out.emplace_back(blob.substr(at + 1, len - 1));
    } else if ((b & 0xE0) == 0xC0) {
      need(blob, at, 2, "listpack 13-bit integer");
      auto v =
          static_cast<std::int64_t>((b & 0x1f) << 8 | static_cast<unsigned char>(blob[at + 1]));
      if (v >= 4096) v -= 8192;
      out.push_back(std::to_string(v)), len = 2;
    } else if ((b & 0xF0) == 0xE0) {
      need(blob, at, 2, "listpack 12-bit length");
      len =
          2 + (static_cast<std::size_t>(b & 0x0f) << 8 | static_cast<unsigned char>(blob[at + 1]));
      need(blob, at, len, "listpack string");
      out.emplace_back(blob.substr(at + 2, len - 2));
    } else if (b == 0xF0) {
      need(blob, at, 5, "listpack 32-bit length");
      const std::uint64_t n = read_le(blob, at + 1, 4);
      need(blob, at + 5, n, "listpack string");
      len = 5 + n;
      out.emplace_back(blob.substr(at + 5, n));
    } else if (b >= 0xF1 && b <= 0xF4) {
      const std::size_t n = b == 0xF1 ? 2 : b == 0xF2 ? 3 : b == 0xF3 ? 4 : 8;
      need(blob, at, 1 + n, "listpack integer");
      out.push_back(std::to_string(read_signed(blob, at + 1, n))), len = 1 + n;
    } else {
      throw FormatError(at, "unknown listpack encoding byte " + std::to_string(b));
    }
    std::string expected;
    append_backlen(expected, len);
    need(blob, at + len, expected.size(), "listpack backlen");
    if (blob.substr(at + len, expected.size()) != expected) {
      throw FormatError(at + len, "listpack backlen does not match its entry");
    }
    at += len + expected.size();
  }
  if (at + 1 != blob.size()) throw FormatError(at, "listpack end byte before the blob's end");
  if (count != 65535 && count != out.size()) {
    throw FormatError(4, "listpack count " + std::to_string(count) + " but " +
                             std::to_string(out.size()) + " entries");
  }
  return out;
}

std::vector<std::string> decode_ziplist(std::string_view blob) {
  need(blob, 0, 11, "ziplist header");
  if (read_le(blob, 0, 4) != blob.size()) {
    throw FormatError(0, "ziplist size field differs from its blob's size");
  }
  const std::uint64_t count = read_le(blob, 8, 2);
  std::vector<std::string> out;
  std::size_t at = 10;
  for (;;) {
    need(blob, at, 1, "ziplist entry");
    auto b = static_cast<unsigned char>(blob[at]);
    if (b == 0xFF) break;
    if (b == 0xFE) at += 4;  // a 5-byte previous length
    ++at;
    need(blob, at, 1, "ziplist entry encoding");
    b = static_cast<unsigned char>(blob[at]);
    std::size_t header = 1, n = 0;
    bool text = true;
    switch (b >> 6) {
      case 0:
        n = b & 0x3f;
        break;
      case 1:
        need(blob, at, 2, "ziplist 14-bit length");
        header = 2,
        n = static_cast<std::size_t>(b & 0x3f) << 8 | static_cast<unsigned char>(blob[at + 1]);
        break;
      case 2:
        need(blob, at, 5, "ziplist 32-bit length");
        header = 5;
        for (std::size_t i = 1; i <= 4; ++i) n = n << 8 | static_cast<unsigned char>(blob[at + i]);
        break;
      default:
        text = false;
        if (b == 0xC0)
          n = 2;
        else if (b == 0xD0)
          n = 4;
        else if (b == 0xE0)
          n = 8;
        else if (b == 0xF0)
          n = 3;
        else if (b == 0xFE)
          n = 1;
        else if (b >= 0xF1 && b <= 0xFD)
          n = 0;
        else
          throw FormatError(at, "unknown ziplist encoding byte " + std::to_string(b));
    }
    need(blob, at + header, n, "ziplist entry data");
    if (text) {
      out.emplace_back(blob.substr(at + header, n));
    } else if (n == 0) {
      out.push_back(std::to_string((b & 0x0f) - 1));
    } else {
      out.push_back(std::to_string(read_signed(blob, at + header, n)));
    }
    at += header + n;
  }
  if (at + 1 != blob.size()) throw FormatError(at, "ziplist end byte before the blob's end");
  if (count != 65535 && count != out.size()) {
    throw FormatError(8, "ziplist count " + std::to_string(count) + " but " +
                             std::to_string(out.size()) + " entries");
  }
  return out;
}

std::vector<std::string> decode_intset(std::string_view blob) {
  need(blob, 0, 8, "intset header");
  const std::uint64_t width = read_le(blob, 0, 4), count = read_le(blob, 4, 4);
  if (width != 2 && width != 4 && width != 8) {
    throw FormatError(0, "intset encoding " + std::to_string(width) + " is not 2, 4 or 8");
  }
  if (blob.size() != 8 + width * count) {
    throw FormatError(4, "intset of " + std::to_string(count) + " x " + std::to_string(width) +
                             " bytes in a blob of " + std::to_string(blob.size()));
  }
  std::vector<std::string> out;
  out.reserve(count);
  std::int64_t prev = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const std::int64_t v = read_signed(blob, 8 + i * width, width);
    if (i > 0 && v <= prev) throw FormatError(8 + i * width, "intset not strictly ascending");
    out.push_back(std::to_string(v));
    prev = v;
  }
  return out;
}

std::string score_text(double score) {
  if (std::isinf(score)) return score > 0 ? "inf" : "-inf";
  if (score == 0) return std::signbit(score) ? "-0" : "0";
  if (score > -4503599627370495.0 && score < 4503599627370496.0 &&
      score == static_cast<double>(static_cast<long long>(score))) {
    return std::to_string(static_cast<long long>(score));
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.17g", score);
  return buf;
}

}  // namespace tcpkit::kv::rdb
