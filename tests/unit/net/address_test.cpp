// Address parsing: a table of good inputs with what they parse to, a table of bad inputs with
// the exact message a user sees, and SocketAddress's text forms.
#include "tcpkit/net/address.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <string>

namespace tcpkit::net {
namespace {

struct Good {
  std::string text;
  EndpointKind kind;
  std::string host;
  std::uint16_t port;
  std::string path;
};

class ParseGood : public testing::TestWithParam<Good> {};

TEST_P(ParseGood, ParsesToTheExpectedEndpoint) {
  const Good& g = GetParam();
  auto ep = parse_endpoint(g.text);
  ASSERT_TRUE(ep.ok()) << g.text << ": " << ep.error().message();
  EXPECT_EQ(ep->kind, g.kind);
  EXPECT_EQ(ep->host, g.host);
  EXPECT_EQ(ep->port, g.port);
  EXPECT_EQ(ep->path, g.path);
  // to_string gives text that parses back to the same endpoint.
  auto again = parse_endpoint(ep->to_string());
  ASSERT_TRUE(again.ok()) << ep->to_string();
  EXPECT_EQ(again->kind, ep->kind);
  EXPECT_EQ(again->host, ep->host);
  EXPECT_EQ(again->port, ep->port);
  EXPECT_EQ(again->path, ep->path);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ParseGood,
    testing::Values(Good{"127.0.0.1:7000", EndpointKind::kInet, "127.0.0.1", 7000, ""},
                    Good{"localhost:0", EndpointKind::kInet, "localhost", 0, ""},
                    Good{"example.com:65535", EndpointKind::kInet, "example.com", 65535, ""},
                    Good{"[::1]:80", EndpointKind::kInet, "::1", 80, ""},
                    Good{"[fe80::1%lo]:9", EndpointKind::kInet, "fe80::1%lo", 9, ""},
                    Good{"[::]:0", EndpointKind::kInet, "::", 0, ""},
                    Good{":7000", EndpointKind::kInet, "", 7000, ""},
                    Good{":0", EndpointKind::kInet, "", 0, ""},
                    Good{"unix:/tmp/tk.sock", EndpointKind::kUnixPath, "", 0, "/tmp/tk.sock"},
                    Good{"unix:relative.sock", EndpointKind::kUnixPath, "", 0, "relative.sock"},
                    Good{"unix:@tcpkit", EndpointKind::kUnixAbstract, "", 0, "tcpkit"},
                    Good{"unix:/" + std::string(106, 'p'), EndpointKind::kUnixPath, "", 0,
                         "/" + std::string(106, 'p')},
                    Good{"unix:@" + std::string(107, 'a'), EndpointKind::kUnixAbstract, "", 0,
                         std::string(107, 'a')}));

struct Bad {
  std::string text;
  AddressErrc code;
  std::string message;
};

class ParseBad : public testing::TestWithParam<Bad> {};

TEST_P(ParseBad, FailsWithTheExactMessage) {
  const Bad& b = GetParam();
  auto ep = parse_endpoint(b.text);
  ASSERT_FALSE(ep.ok()) << b.text << " parsed as " << ep->to_string();
  EXPECT_EQ(ep.error().code(), make_error_code(b.code));
  EXPECT_EQ(ep.error().code().category().name(), std::string("address"));
  EXPECT_EQ(ep.error().message(), b.message);
}

const std::string kMissingPort = "missing port (expected host:port, [v6]:port or :port)";
const std::string kBadPort = "port must be a number from 0 to 65535";
const std::string kBrackets = "unbalanced brackets around an IPv6 address";
const std::string kTooLong = "Unix socket path too long (107 bytes at most)";
const std::string kLongPath = "/" + std::string(107, 'p');
const std::string kLongName = std::string(108, 'a');

INSTANTIATE_TEST_SUITE_P(
    Table, ParseBad,
    testing::Values(
        Bad{"", AddressErrc::kEmpty, "address '': empty address"},
        Bad{"127.0.0.1", AddressErrc::kMissingPort, "address '127.0.0.1': " + kMissingPort},
        Bad{"localhost", AddressErrc::kMissingPort, "address 'localhost': " + kMissingPort},
        Bad{"[::1]", AddressErrc::kMissingPort, "address '[::1]': " + kMissingPort},
        Bad{"[::1]80", AddressErrc::kMissingPort, "address '[::1]80': " + kMissingPort},
        Bad{"127.0.0.1:", AddressErrc::kBadPort, "address '127.0.0.1:': " + kBadPort},
        Bad{"[::1]:", AddressErrc::kBadPort, "address '[::1]:': " + kBadPort},
        Bad{":", AddressErrc::kBadPort, "address ':': " + kBadPort},
        Bad{"host:65536", AddressErrc::kBadPort, "address 'host:65536': " + kBadPort},
        Bad{"host:99999999999", AddressErrc::kBadPort, "address 'host:99999999999': " + kBadPort},
        Bad{"host:-1", AddressErrc::kBadPort, "address 'host:-1': " + kBadPort},
        Bad{"host:+80", AddressErrc::kBadPort, "address 'host:+80': " + kBadPort},
        Bad{"host:80x", AddressErrc::kBadPort, "address 'host:80x': " + kBadPort},
        Bad{"host: 80", AddressErrc::kBadPort, "address 'host: 80': " + kBadPort},
        Bad{"host:http", AddressErrc::kBadPort, "address 'host:http': " + kBadPort},
        Bad{"[::1:80", AddressErrc::kBadBrackets, "address '[::1:80': " + kBrackets},
        Bad{"[]:80", AddressErrc::kBadBrackets, "address '[]:80': " + kBrackets},
        Bad{"::1:80", AddressErrc::kBadBrackets, "address '::1:80': " + kBrackets},
        Bad{"::1]:80", AddressErrc::kBadBrackets, "address '::1]:80': " + kBrackets},
        Bad{"unix:", AddressErrc::kEmptyPath, "address 'unix:': empty Unix socket path"},
        Bad{"unix:@", AddressErrc::kEmptyPath, "address 'unix:@': empty Unix socket path"},
        Bad{"unix:" + kLongPath, AddressErrc::kPathTooLong,
            "address 'unix:" + kLongPath + "': " + kTooLong},
        Bad{"unix:@" + kLongName, AddressErrc::kPathTooLong,
            "address 'unix:@" + kLongName + "': " + kTooLong}));

TEST(Endpoint, ToStringForms) {
  EXPECT_EQ(parse_endpoint("[::1]:80")->to_string(), "[::1]:80");
  EXPECT_EQ(parse_endpoint(":7000")->to_string(), ":7000");
  EXPECT_EQ(parse_endpoint("unix:@x")->to_string(), "unix:@x");
  EXPECT_EQ(parse_endpoint("unix:/a/b")->to_string(), "unix:/a/b");
}

TEST(SocketAddress, TextForms) {
  sockaddr_in in{};
  in.sin_family = AF_INET;
  in.sin_port = htons(7000);
  in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  SocketAddress v4(reinterpret_cast<sockaddr*>(&in), sizeof(in));
  EXPECT_EQ(v4.to_string(), "127.0.0.1:7000");
  EXPECT_EQ(v4.port(), 7000);

  sockaddr_in6 in6{};
  in6.sin6_family = AF_INET6;
  in6.sin6_port = htons(8080);
  in6.sin6_addr = in6addr_loopback;
  SocketAddress v6(reinterpret_cast<sockaddr*>(&in6), sizeof(in6));
  EXPECT_EQ(v6.to_string(), "[::1]:8080");
  EXPECT_EQ(v6.port(), 8080);

  auto path = resolve(*parse_endpoint("unix:/tmp/x.sock"), true);
  ASSERT_TRUE(path.ok());
  ASSERT_EQ(path->size(), 1u);
  EXPECT_EQ((*path)[0].to_string(), "unix:/tmp/x.sock");
  EXPECT_EQ((*path)[0].port(), 0);

  auto abstract = resolve(*parse_endpoint("unix:@name"), true);
  ASSERT_TRUE(abstract.ok());
  EXPECT_EQ((*abstract)[0].to_string(), "unix:@name");
  // An abstract address is exactly as long as its name: no trailing NUL is part of it.
  EXPECT_EQ((*abstract)[0].length(), offsetof(sockaddr_un, sun_path) + 1 + 4);

  sockaddr_un unnamed{};
  unnamed.sun_family = AF_UNIX;
  SocketAddress none(reinterpret_cast<sockaddr*>(&unnamed), sizeof(sa_family_t));
  EXPECT_EQ(none.to_string(), "unix:");
}

TEST(Resolve, NumericLiteralsNeedNoNetwork) {
  auto v4 = resolve(*parse_endpoint("127.0.0.1:80"), false);
  ASSERT_TRUE(v4.ok()) << v4.error().message();
  ASSERT_FALSE(v4->empty());
  EXPECT_EQ((*v4)[0].to_string(), "127.0.0.1:80");
  auto wildcard = resolve(*parse_endpoint(":0"), true);
  ASSERT_TRUE(wildcard.ok()) << wildcard.error().message();
  EXPECT_EQ((*wildcard)[0].family(), AF_INET6);
}

}  // namespace
}  // namespace tcpkit::net
