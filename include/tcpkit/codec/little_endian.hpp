#pragma once
// Little-endian loads and stores for the binary codecs, byte by byte so they are correct on any
// host and on unaligned memory (compilers turn them into a single mov on x86 and ARM).

#include <cstdint>

namespace tcpkit::codec::detail {

inline std::uint32_t load_u32le(const char* p) {
  const auto* b = reinterpret_cast<const unsigned char*>(p);
  return static_cast<std::uint32_t>(b[0]) | static_cast<std::uint32_t>(b[1]) << 8 |
         static_cast<std::uint32_t>(b[2]) << 16 | static_cast<std::uint32_t>(b[3]) << 24;
}

inline std::uint64_t load_u64le(const char* p) {
  return static_cast<std::uint64_t>(load_u32le(p)) | static_cast<std::uint64_t>(load_u32le(p + 4))
                                                         << 32;
}

inline void store_u32le(char* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xffu);
}

inline void store_u64le(char* p, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xffu);
}

}  // namespace tcpkit::codec::detail
