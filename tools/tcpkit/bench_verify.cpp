// tcpkit bench --data-verify: the read-back pass after the tests (memtier's verification).
#include "bench_verify.hpp"

#include <algorithm>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "exit_codes.hpp"
#include "tcpkit/bench/workload.hpp"
#include "tcpkit/codec/resp.hpp"
#include "tcpkit/codec/resp_value.hpp"
#include "tcpkit/io/buffer.hpp"
#include "tcpkit/net/socket.hpp"

namespace tcpkit::cli {

namespace {

// A blocking RESP connection for the --data-verify pass: sends a batch, reads its replies.
class VerifyClient {
 public:
  explicit VerifyClient(UniqueFd fd) : fd_(std::move(fd)) {}
  Result<std::vector<codec::Value>> batch(const io::Buffer& requests, std::size_t count) {
    if (auto w = net::write_all(fd_.get(), requests.view()); !w) return Fail(w.error());
    std::vector<codec::Value> replies;
    while (replies.size() < count) {
      auto r = decoder_.decode(input_.view());
      if (r.status == codec::DecodeStatus::kFrame) {
        replies.push_back(decoder_.take_value());
        input_.consume(r.consumed);
        continue;
      }
      if (r.status == codec::DecodeStatus::kError) {
        return Fail(Error(std::make_error_code(std::errc::bad_message), decoder_.error().text));
      }
      constexpr std::size_t kChunk = 64 * 1024;
      auto got = net::read_some(fd_.get(), input_.prepare(kChunk), kChunk);
      if (!got) return Fail(got.error());
      if (got->status == net::IoStatus::kEof) {
        return Fail(Error(std::make_error_code(std::errc::connection_reset),
                          "the server closed the connection"));
      }
      input_.commit(got->bytes);
    }
    return replies;
  }

 private:
  UniqueFd fd_;
  io::Buffer input_;
  codec::RespValueDecoder decoder_;
};

}  // namespace

int verify_data(const std::vector<net::Endpoint>& targets, const VerifyOptions& options) {
  constexpr std::uint64_t kBatch = 1000;
  int exit_code = kExitOk;
  for (const net::Endpoint& target : targets) {
    auto fd = net::connect_to(target, std::chrono::milliseconds(5000));
    if (!fd) {
      std::fprintf(stderr, "tcpkit bench: --data-verify: %s\n", fd.error().message().c_str());
      return exit_code_for(fd.error());
    }
    VerifyClient client(std::move(*fd));
    std::uint64_t present = 0, wrong = 0;
    if (!options.password.empty()) {
      std::vector<std::string_view> auth{"AUTH"};
      if (!options.user.empty()) auth.push_back(options.user);
      auth.push_back(options.password);
      io::Buffer out;
      codec::encode_command(out, auth);
      if (auto r = client.batch(out, 1); !r || (*r)[0].is_error()) {
        std::fprintf(stderr, "tcpkit bench: --data-verify: AUTH failed\n");
        return kExitNoPerm;
      }
    }
    for (std::uint64_t first = 0; first < options.keyspace; first += kBatch) {
      const std::uint64_t count = std::min(kBatch, options.keyspace - first);
      io::Buffer out;
      for (std::uint64_t k = first; k < first + count; ++k) {
        const std::string key = "key:" + bench::keyed_value(k, 12);
        const std::string_view get[] = {"GET", key};
        codec::encode_command(out, get);
      }
      auto replies = client.batch(out, count);
      if (!replies) {
        std::fprintf(stderr, "tcpkit bench: --data-verify: %s\n",
                     replies.error().message().c_str());
        return exit_code_for(replies.error());
      }
      for (std::uint64_t i = 0; i < count; ++i) {
        const codec::Value& v = (*replies)[i];
        if (v.kind() == codec::ValueKind::kNil) continue;
        ++present;
        const std::string want = bench::keyed_value(first + i, options.data_size);
        if (v.kind() == codec::ValueKind::kString && v.as_string() == want) continue;
        if (++wrong <= 5) {
          std::fprintf(stderr, "tcpkit bench: --data-verify: key:%s holds '%s', not '%s'\n",
                       bench::keyed_value(first + i, 12).c_str(), v.describe().c_str(),
                       want.c_str());
        }
      }
    }
    std::printf("data-verify %s: %llu keys, %llu written, %llu wrong\n", target.to_string().c_str(),
                static_cast<unsigned long long>(options.keyspace),
                static_cast<unsigned long long>(present), static_cast<unsigned long long>(wrong));
    if (wrong > 0) exit_code = kExitDataErr;
  }
  std::fflush(stdout);
  return exit_code;
}

}  // namespace tcpkit::cli
