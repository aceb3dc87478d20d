// resp_client: sends commands to any Redis-like server (redis-server, `tcpkit serve kv`) in
// RESP, pipelined in one write, and prints each reply the way redis-cli does. Commands are
// separated by a lone ";" argument.
//
//   resp_client 127.0.0.1:6379 SET greeting hello ';' GET greeting     prints OK and "hello"
#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>
#include <tcpkit/codec/resp.hpp>
#include <tcpkit/codec/resp_value.hpp>
#include <tcpkit/net/socket.hpp>
#include <vector>

using namespace tcpkit;

int fail(const std::string& why) {
  std::fprintf(stderr, "resp_client: %s\n", why.c_str());
  return 1;
}

int main(int argc, char** argv) {
  if (argc < 3) return fail("usage: resp_client ADDRESS COMMAND [ARG...] [';' COMMAND ...]");
  auto endpoint = net::parse_endpoint(argv[1]);
  if (!endpoint) return fail(endpoint.error().message());
  auto fd = net::connect_to(*endpoint, std::chrono::seconds(5));
  if (!fd) return fail(fd.error().message());

  // Encode every command: *N\r\n$len\r\narg\r\n...
  io::Buffer requests;
  std::size_t commands = 0;
  std::vector<std::string_view> args;
  for (int i = 2; i <= argc; ++i) {
    if (i == argc || std::string_view(argv[i]) == ";") {
      if (args.empty()) continue;
      codec::encode_command(requests, args);
      ++commands;
      args.clear();
    } else {
      args.emplace_back(argv[i]);
    }
  }
  if (auto r = net::write_all(fd->get(), requests.view()); !r) return fail(r.error().message());

  // Read until every command has its reply; the decoder resumes where it stopped.
  io::Buffer input;
  codec::RespValueDecoder replies;
  for (std::size_t answered = 0; answered < commands;) {
    const codec::DecodeResult d = replies.decode(input.view());
    if (d.status == codec::DecodeStatus::kError) return fail(replies.error().text);
    if (d.status == codec::DecodeStatus::kFrame) {
      std::printf("%s\n", replies.value().describe().c_str());
      input.consume(d.consumed);
      ++answered;
      continue;
    }
    constexpr std::size_t kChunk = 16 * 1024;
    auto got = net::read_some(fd->get(), input.prepare(kChunk), kChunk);
    if (!got) return fail(got.error().message());
    if (got->status == net::IoStatus::kEof) return fail("the server closed the connection");
    input.commit(got->bytes);
  }
  return 0;
}
