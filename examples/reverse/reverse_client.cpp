// reverse_client: sends each argument as one length-prefixed frame (all of them pipelined in one
// write), then prints each reply frame on its own line.
//
//   reverse_client 127.0.0.1:7001 hello world      prints "olleh" and "dlrow"
#include <chrono>
#include <cstdio>
#include <string>
#include <tcpkit/codec/length_prefix.hpp>
#include <tcpkit/net/socket.hpp>

using namespace tcpkit;

int fail(const std::string& why) {
  std::fprintf(stderr, "reverse_client: %s\n", why.c_str());
  return 1;
}

int main(int argc, char** argv) {
  if (argc < 2) return fail("usage: reverse_client ADDRESS WORD...");
  auto endpoint = net::parse_endpoint(argv[1]);
  if (!endpoint) return fail(endpoint.error().message());
  auto fd = net::connect_to(*endpoint, std::chrono::seconds(5));
  if (!fd) return fail(fd.error().message());

  io::Buffer requests;
  for (int i = 2; i < argc; ++i) codec::encode_length_prefixed(requests, argv[i]);
  if (auto r = net::write_all(fd->get(), requests.view()); !r) return fail(r.error().message());

  io::Buffer input;
  codec::LengthPrefixDecoder frames;
  for (int answered = 2; answered < argc;) {
    const codec::DecodeResult d = frames.decode(input.view());
    if (d.status == codec::DecodeStatus::kError) return fail(frames.error().text);
    if (d.status == codec::DecodeStatus::kFrame) {
      std::printf("%.*s\n", static_cast<int>(frames.payload().size()), frames.payload().data());
      input.consume(d.consumed);
      ++answered;
      continue;
    }
    constexpr std::size_t kChunk = 16 * 1024;  // need more: read what the server sent
    auto got = net::read_some(fd->get(), input.prepare(kChunk), kChunk);
    if (!got) return fail(got.error().message());
    if (got->status == net::IoStatus::kEof) return fail("the server closed the connection");
    input.commit(got->bytes);
  }
  return 0;
}
