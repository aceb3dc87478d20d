#include "tcpkit/bench/workload.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>

#include "tcpkit/codec/native.hpp"
#include "tcpkit/io/buffer.hpp"

namespace tcpkit::bench {

namespace {

constexpr std::size_t kMaxReplyLine = 64u * 1024;            // a RESP header or simple line
constexpr std::size_t kMaxNativeFrame = 512u * 1024 * 1024;  // the kv's own bulk limit

std::uint32_t load_le32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return static_cast<std::uint32_t>(u[0]) | static_cast<std::uint32_t>(u[1]) << 8 |
         static_cast<std::uint32_t>(u[2]) << 16 | static_cast<std::uint32_t>(u[3]) << 24;
}

// A RESP length: an optional '-' and 1..18 digits. False for anything else.
bool parse_length(std::string_view text, std::int64_t* out) {
  bool negative = !text.empty() && text.front() == '-';
  if (negative) text.remove_prefix(1);
  if (text.empty() || text.size() > 18) return false;
  std::int64_t n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + (c - '0');
  }
  *out = negative ? -n : n;
  return true;
}

// The helpers of rejection-inversion: log1p(x)/x and expm1(x)/x, exact near 0 too.
double log1p_over_x(double x) {
  return std::abs(x) > 1e-8 ? std::log1p(x) / x : 1 - x * (0.5 - x * (1.0 / 3 - 0.25 * x));
}
double expm1_over_x(double x) {
  return std::abs(x) > 1e-8 ? std::expm1(x) / x : 1 + x * 0.5 * (1 + x / 3 * (1 + 0.25 * x));
}

}  // namespace

KeyDrawer::KeyDrawer(const KeyOptions& options, std::uint64_t seed)
    : options_(options), rng_(seed) {
  if (options_.pattern == KeyPattern::kZipf && options_.space > 0) {
    const double s = options_.zipf_exponent;
    auto h_integral = [s](double x) {
      const double log_x = std::log(x);
      return expm1_over_x((1 - s) * log_x) * log_x;
    };
    auto h = [s](double x) { return std::exp(-s * std::log(x)); };
    auto h_integral_inverse = [s](double x) {
      double t = x * (1 - s);
      if (t < -1) t = -1;
      return std::exp(log1p_over_x(t) * x);
    };
    h_integral_x1_ = h_integral(1.5) - 1;
    h_integral_n_ = h_integral(static_cast<double>(options_.space) + 0.5);
    s_ = 2 - h_integral_inverse(h_integral(2.5) - h(2));
  }
}

std::uint64_t KeyDrawer::next() {
  switch (options_.pattern) {
    case KeyPattern::kUniform:
      return rng_.below(options_.space);
    case KeyPattern::kGaussian:
      return gaussian();
    case KeyPattern::kZipf:
      return zipf();
    case KeyPattern::kSequential:
      break;
  }
  const std::uint64_t n = sequence_;
  sequence_ = sequence_ + 1 == options_.space ? 0 : sequence_ + 1;
  return n;
}

// Rank k in [1, N] with probability proportional to k^-s, returned as k - 1.
std::uint64_t KeyDrawer::zipf() {
  const double s = options_.zipf_exponent;
  const double n = static_cast<double>(options_.space);
  for (;;) {
    const double u = h_integral_n_ + uniform01() * (h_integral_x1_ - h_integral_n_);
    double t = u * (1 - s);
    if (t < -1) t = -1;
    const double x = std::exp(log1p_over_x(t) * u);
    const double k = std::clamp(std::floor(x + 0.5), 1.0, n);
    const double log_k_half = std::log(k + 0.5);
    const double h_integral_k = expm1_over_x((1 - s) * log_k_half) * log_k_half;
    if (k - x <= s_ || u >= h_integral_k - std::exp(-s * std::log(k))) {
      return static_cast<std::uint64_t>(k) - 1;
    }
  }
}

// Box-Muller around the middle of [0, N); draws outside the range are drawn again.
std::uint64_t KeyDrawer::gaussian() {
  const double n = static_cast<double>(options_.space);
  const double stddev = options_.gaussian_stddev > 0 ? options_.gaussian_stddev : n / 6;
  for (;;) {
    const double u1 = 1 - uniform01();  // (0, 1]: log(u1) is finite
    const double z = std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * uniform01());
    const double k = std::floor(n / 2 + z * stddev);
    if (k >= 0 && k < n) return static_cast<std::uint64_t>(k);
  }
}

RequestTemplate::RequestTemplate(std::string bytes) : bytes_(std::move(bytes)) {
  for (std::size_t at = bytes_.find(kRandPlaceholder); at != std::string::npos;
       at = bytes_.find(kRandPlaceholder, at + kRandPlaceholder.size())) {
    slots_.push_back(at);
  }
}

RequestTemplate RequestTemplate::resp(std::span<const std::string> args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const auto& a : args) {
    out += "$" + std::to_string(a.size()) + "\r\n";
    out += a;
    out += "\r\n";
  }
  return RequestTemplate(std::move(out));
}

RequestTemplate RequestTemplate::native(std::span<const std::string> args) {
  std::vector<std::string_view> views(args.begin(), args.end());
  io::Buffer buffer;
  codec::encode_native_request(buffer, views);
  return RequestTemplate(std::string(buffer.view()));
}

RequestTemplate RequestTemplate::echo(Protocol framing, std::size_t size) {
  std::string payload(size, 'x');
  if (framing == Protocol::kEchoLine) return RequestTemplate(payload + "\n");
  if (framing == Protocol::kEchoLength) {
    std::string out(4, '\0');
    const auto n = static_cast<std::uint32_t>(size);
    for (int i = 0; i < 4; ++i) out[static_cast<std::size_t>(i)] = static_cast<char>(n >> (8 * i));
    return RequestTemplate(out + payload);
  }
  return RequestTemplate(std::move(payload));
}

void write_twelve_digits(char* out, std::uint64_t n) {
  for (int i = 11; i >= 0; --i) {
    out[i] = static_cast<char>('0' + n % 10);
    n /= 10;
  }
}

void RequestTemplate::write(char* out, Rng& rng, std::uint64_t keyspace) const {
  std::memcpy(out, bytes_.data(), bytes_.size());
  if (keyspace == 0) return;
  for (std::size_t at : slots_) write_twelve_digits(out + at, rng.below(keyspace));
}

void RequestTemplate::write(char* out, KeyDrawer& keys) const {
  std::memcpy(out, bytes_.data(), bytes_.size());
  if (keys.options().space == 0 || slots_.empty()) return;
  if (keys.options().one_per_request) {
    const std::uint64_t n = keys.next();
    for (std::size_t at : slots_) write_twelve_digits(out + at, n);
    return;
  }
  for (std::size_t at : slots_) write_twelve_digits(out + at, keys.next());
}

std::string keyed_value(std::uint64_t n, std::size_t value_size) {
  std::string value;
  char digits[12];
  write_twelve_digits(digits, n);
  while (value.size() + sizeof digits <= value_size) value.append(digits, sizeof digits);
  value.resize(value_size, 'x');
  return value;
}

std::vector<std::string> test_command(std::string_view name, std::size_t value_size,
                                      bool keyed_values) {
  std::string upper(name);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  const std::string key = "key:" + std::string(kRandPlaceholder);
  std::string value(value_size, 'x');
  if (keyed_values) {
    value.clear();
    while (value.size() + kRandPlaceholder.size() <= value_size) value += kRandPlaceholder;
    value.resize(value_size, 'x');
  }
  if (upper == "PING") return {"PING"};
  if (upper == "SET") return {"SET", key, value};
  if (upper == "GET") return {"GET", key};
  if (upper == "INCR") return {"INCR", "counter:" + std::string(kRandPlaceholder)};
  if (upper == "MSET") {
    std::vector<std::string> args{"MSET"};
    for (int i = 0; i < 10; ++i) {
      args.push_back(key);
      args.push_back(value);
    }
    return args;
  }
  return {};
}

ReplyScan skip_resp_reply(std::string_view in, std::string_view* why) {
  std::size_t pos = 0;
  std::int64_t owed = 1;  // items still to skip; an array header adds its elements
  const bool error_reply = !in.empty() && in.front() == '-';
  while (owed > 0) {
    if (pos >= in.size()) return {};
    const char type = in[pos];
    const auto* nl =
        static_cast<const char*>(std::memchr(in.data() + pos + 1, '\n', in.size() - pos - 1));
    if (nl == nullptr) {
      if (in.size() - pos > kMaxReplyLine)
        return *why = "reply line too long", ReplyScan{ReplyStatus::kBad};
      return {};
    }
    const auto nl_at = static_cast<std::size_t>(nl - in.data());
    if (nl_at < pos + 2 || in[nl_at - 1] != '\r') {
      return *why = "reply line without CRLF", ReplyScan{ReplyStatus::kBad};
    }
    const std::string_view body = in.substr(pos + 1, nl_at - 1 - (pos + 1));
    pos = nl_at + 1;
    std::int64_t n = 0;
    switch (type) {
      case '+':
      case '-':
      case ':':
      case '_':
      case ',':
      case '#':
      case '(':
        --owed;
        break;
      case '$':
        if (!parse_length(body, &n) || n < -1)
          return *why = "bad bulk length", ReplyScan{ReplyStatus::kBad};
        if (n >= 0) {
          const auto len = static_cast<std::size_t>(n);
          if (in.size() - pos < len + 2) return {};
          if (in[pos + len] != '\r' || in[pos + len + 1] != '\n') {
            return *why = "bulk not followed by CRLF", ReplyScan{ReplyStatus::kBad};
          }
          pos += len + 2;
        }
        --owed;
        break;
      case '*':
        if (!parse_length(body, &n) || n < -1)
          return *why = "bad array length", ReplyScan{ReplyStatus::kBad};
        owed += (n > 0 ? n : 0) - 1;
        break;
      default:
        return *why = "unknown reply type byte", ReplyScan{ReplyStatus::kBad};
    }
  }
  return {ReplyStatus::kReply, pos, error_reply};
}

ReplySkipper::ReplySkipper(Protocol protocol, std::size_t echo_size)
    : protocol_(protocol), echo_size_(echo_size), echo_owed_(echo_size) {}

ReplyScan ReplySkipper::bad(std::string_view why) {
  bad_reason_ = why;
  return {ReplyStatus::kBad, 0, false};
}

ReplyScan ReplySkipper::next(std::string_view input) {
  switch (protocol_) {
    case Protocol::kResp: {
      ReplyScan r = skip_resp_reply(input, &bad_reason_);
      return r;
    }
    case Protocol::kNative:
      return next_native(input);
    case Protocol::kEchoRaw:
      return next_raw_echo(input);
    case Protocol::kEchoLine:
    case Protocol::kEchoLength:
      return next_framed_echo(input);
  }
  return bad("unknown protocol");
}

// A byte stream: replies are counted, not delimited, so a partial reply is consumed at once
// and large messages never have to be buffered whole.
ReplyScan ReplySkipper::next_raw_echo(std::string_view input) {
  if (input.size() < echo_owed_) {
    echo_owed_ -= input.size();
    return {ReplyStatus::kNeedMore, input.size(), false};
  }
  const std::size_t took = echo_owed_;
  echo_owed_ = echo_size_;
  return {ReplyStatus::kReply, took, false};
}

ReplyScan ReplySkipper::next_framed_echo(std::string_view input) {
  if (input.size() < echo_size_) return {};
  if (protocol_ == Protocol::kEchoLine) {
    if (input[echo_size_ - 1] != '\n') return bad("echoed line does not end where it was sent");
  } else if (load_le32(input.data()) != echo_size_ - 4) {
    return bad("echoed frame has another length than the one sent");
  }
  return {ReplyStatus::kReply, echo_size_, false};
}

ReplyScan ReplySkipper::next_native(std::string_view input) {
  if (input.size() < 4) return {};
  const std::size_t len = load_le32(input.data());
  if (len == 0) return bad("empty native reply frame");
  if (len > kMaxNativeFrame) return bad("native reply frame too large");
  if (input.size() - 4 < len) return {};
  return {ReplyStatus::kReply, 4 + len, input[4] == '-'};
}

}  // namespace tcpkit::bench
