#pragma once
// What `tcpkit bench` sends and how it recognises the answers, sans-I/O.
//
// A RequestTemplate is one request encoded once, up front, in the wire form of its protocol,
// with the byte offsets of its random-key slots. Sending a request is a memcpy of the template
// and, with a key space (-r N), twelve digits written into each slot: nothing is allocated and
// nothing is re-encoded per request. A slot is the text "__rand_int__" (twelve bytes, as in
// redis-benchmark) anywhere in an argument; with -r N each request replaces it with a number
// in [0, N) printed as twelve digits, so the encoded length never changes.
//
// A ReplySkipper finds where each reply ends, without building it:
//
//   RESP     +simple\r\n  -error\r\n  :int\r\n  $len\r\n<len bytes>\r\n  $-1\r\n  *n\r\n<n items>
//            (an array is skipped flat: a counter of items still owed, no recursion)
//   native   | u32 len (LE) | payload: one typed value; '-' as its first byte is an error |
//   echo     exactly the request's bytes back (raw: counted across reads; line: ends in \n;
//            length: its header announces the payload size we sent)
//
// Error replies (RESP '-', native '-') are replies, flagged so the caller counts them; bytes
// that cannot be a reply are kBad, after which the connection is unusable.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tcpkit::bench {

enum class Protocol { kEchoRaw, kEchoLine, kEchoLength, kResp, kNative };

inline constexpr std::string_view kRandPlaceholder = "__rand_int__";

// A small fast PRNG (xorshift64*); one per connection, so no locking and no sharing.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed == 0 ? 0x9E3779B97F4A7C15ull : seed) {}
  std::uint64_t next() {
    state_ ^= state_ >> 12;
    state_ ^= state_ << 25;
    state_ ^= state_ >> 27;
    return state_ * 0x2545F4914F6CDD1Dull;
  }
  // Uniform in [0, bound) (Lemire's multiply-shift; bias below 2^-40 for any bound we use).
  std::uint64_t below(std::uint64_t bound) {
    __extension__ using Wide = unsigned __int128;
    return static_cast<std::uint64_t>((static_cast<Wide>(next()) * bound) >> 64);
  }

 private:
  std::uint64_t state_;
};

// How -r's key numbers are drawn; the letters are memtier_benchmark's --key-pattern names.
enum class KeyPattern {
  kUniform,     // R: every number in [0, N) alike (redis-benchmark's -r)
  kGaussian,    // G: around the middle, N/6 standard deviation unless told (memtier's default)
  kZipf,        // Z: number k drawn with weight 1/(k+1)^s: 0 the hottest key
  kSequential,  // S: 0, 1, 2, ... per connection, wrapping at N
};

struct KeyOptions {
  std::uint64_t space = 0;  // -r N: numbers in [0, N); 0 keeps the placeholder text
  KeyPattern pattern = KeyPattern::kUniform;
  double zipf_exponent = 1.0;    // Z's s, > 0
  double gaussian_stddev = 0;    // G: 0 means N/6
  bool one_per_request = false;  // every slot of one request gets the same number
};

// Draws key numbers as `options` say; one per connection (not thread-safe).
class KeyDrawer {
 public:
  KeyDrawer(const KeyOptions& options, std::uint64_t seed);
  const KeyOptions& options() const { return options_; }
  // The next key number, below options().space (which must be > 0).
  std::uint64_t next();

 private:
  double uniform01() { return static_cast<double>(rng_.next() >> 11) * 0x1.0p-53; }
  std::uint64_t zipf();
  std::uint64_t gaussian();

  KeyOptions options_;
  Rng rng_;
  std::uint64_t sequence_ = 0;
  // Rejection-inversion sampling (Hormann and Derflinger, 1996): O(1) a draw for any N.
  double h_integral_x1_ = 0;
  double h_integral_n_ = 0;
  double s_ = 0;
};

class RequestTemplate {
 public:
  RequestTemplate() = default;
  // `bytes` is one encoded request; every occurrence of kRandPlaceholder in it becomes a slot.
  explicit RequestTemplate(std::string bytes);

  // A RESP array of bulk strings: *N\r\n$len\r\narg\r\n...
  static RequestTemplate resp(std::span<const std::string> args);
  // A native request frame (native.hpp).
  static RequestTemplate native(std::span<const std::string> args);
  // An echo message of `size` payload bytes: raw as is, line + "\n", length with its header.
  static RequestTemplate echo(Protocol framing, std::size_t size);

  std::size_t size() const { return bytes_.size(); }
  const std::string& bytes() const { return bytes_; }
  std::size_t slot_count() const { return slots_.size(); }

  // Writes one request (size() bytes) at `out`. With keyspace > 0 each slot gets a number
  // below keyspace drawn from `rng`; with 0 the placeholder text is sent as it is.
  void write(char* out, Rng& rng, std::uint64_t keyspace) const;
  // The same with the numbers from `keys` (one for all slots when it says one_per_request).
  void write(char* out, KeyDrawer& keys) const;

 private:
  std::string bytes_;
  std::vector<std::size_t> slots_;
};

// Writes `n` as exactly twelve decimal digits (the low twelve, zero-padded).
void write_twelve_digits(char* out, std::uint64_t n);

// The arguments of a named test ("PING", "SET", "GET", "INCR", "MSET"; case-insensitive) with
// values of `value_size` bytes; empty for an unknown name. With `keyed_values` a value is the
// placeholder repeated (then 'x's), so that, drawn with one number per request, each key's
// value says which key it belongs to (--data-verify); value_size must then be at least 12.
std::vector<std::string> test_command(std::string_view name, std::size_t value_size,
                                      bool keyed_values = false);

// The value test_command(..., keyed_values = true) writes for key number `n`.
std::string keyed_value(std::uint64_t n, std::size_t value_size);

enum class ReplyStatus { kReply, kNeedMore, kBad };

struct ReplyScan {
  ReplyStatus status = ReplyStatus::kNeedMore;
  // Bytes to drop from the front of the input: the reply on kReply; on kNeedMore, bytes a raw
  // echo has already counted (0 for the other protocols, which re-read the partial reply).
  std::size_t consumed = 0;
  bool error_reply = false;  // kReply: the server answered with an error
};

// Not thread-safe; one per connection (raw echo keeps the count of bytes still owed).
class ReplySkipper {
 public:
  // `echo_size`: the size of one echo request (and so of its reply); unused for RESP/native.
  ReplySkipper(Protocol protocol, std::size_t echo_size);

  // Looks at the unconsumed input and reports the first reply, if it is whole.
  ReplyScan next(std::string_view input);
  // Why the last kBad happened.
  std::string_view bad_reason() const { return bad_reason_; }

 private:
  ReplyScan bad(std::string_view why);
  ReplyScan next_raw_echo(std::string_view input);
  ReplyScan next_framed_echo(std::string_view input);
  ReplyScan next_native(std::string_view input);

  Protocol protocol_;
  std::size_t echo_size_;
  std::size_t echo_owed_;
  std::string_view bad_reason_;
};

// The RESP skipper alone: a reply's size, need-more, or kBad with `why` set.
ReplyScan skip_resp_reply(std::string_view input, std::string_view* why);

}  // namespace tcpkit::bench
