// kv's pushed output over a real in-process server, on the models with several threads: blocked
// consumers served by producers on other threads (every element delivered exactly once), a
// client that disconnects while blocked, blocked and subscribed clients past the idle timeout,
// and pub/sub across threads. Written for TSan as much as for the figures.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "kv/kv_service.hpp"
#include "tcpkit/net/socket.hpp"
#include "tcpkit/server/server.hpp"

namespace tcpkit::kv {
namespace {

using Clock = std::chrono::steady_clock;
using Millis = std::chrono::milliseconds;

// A blocking RESP client for tests: send a command, read one whole reply as raw bytes.
class Client {
 public:
  explicit Client(const std::string& address) {
    const auto colon = address.rfind(':');
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<std::uint16_t>(std::stoi(address.substr(colon + 1))));
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    timeval tv{10, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ok_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) == 0;
  }
  ~Client() { close(); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool ok() const { return ok_; }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  void send(std::initializer_list<std::string> args) {
    std::string out = "*" + std::to_string(args.size()) + "\r\n";
    for (const auto& a : args) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
    std::size_t done = 0;
    while (done < out.size()) {
      const ssize_t n = ::send(fd_, out.data() + done, out.size() - done, MSG_NOSIGNAL);
      if (n <= 0) return;
      done += static_cast<std::size_t>(n);
    }
  }
  // One whole reply, or "" on a timeout or a close.
  std::string reply() {
    for (;;) {
      if (auto end = complete(0)) {
        std::string r = buffer_.substr(0, *end);
        buffer_.erase(0, *end);
        return r;
      }
      char chunk[4096];
      const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
      if (n <= 0) return "";
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }
  std::string call(std::initializer_list<std::string> args) {
    send(args);
    return reply();
  }

 private:
  // The end of the reply at `pos` if it is all there.
  std::optional<std::size_t> complete(std::size_t pos) const {
    const auto eol = buffer_.find("\r\n", pos);
    if (eol == std::string::npos) return std::nullopt;
    const char kind = buffer_[pos];
    std::size_t end = eol + 2;
    if (kind != '$' && kind != '*' && kind != '>') return end;  // one line: + - : _ ,
    const long n = std::stol(buffer_.substr(pos + 1, eol - pos - 1));
    if (kind == '$') {
      if (n < 0) return end;
      end += static_cast<std::size_t>(n) + 2;
      return end <= buffer_.size() ? std::optional(end) : std::nullopt;
    }
    if (kind == '*' || kind == '>') {
      for (long i = 0; i < n; ++i) {
        auto next = complete(end);
        if (!next) return std::nullopt;
        end = *next;
      }
    }
    return end;
  }

  int fd_ = -1;
  bool ok_ = false;
  std::string buffer_;
};

// The last bulk string of a reply ("*2\r\n$1\r\nq\r\n$3\r\nabc\r\n" -> "abc").
std::string last_bulk(const std::string& reply) {
  const auto end = reply.rfind("\r\n", reply.size() - 3);
  return end == std::string::npos ? "" : reply.substr(end + 2, reply.size() - end - 4);
}

class KvServer {
 public:
  explicit KvServer(server::Model model, Millis idle = Millis(0)) {
    KvOptions kv;
    service_ = make_kv_service(kv);
    server::ServerOptions o;
    o.listen = {"127.0.0.1:0"};
    o.model = model;
    o.threads = 2;
    o.idle_timeout = idle;
    server_ = std::make_unique<server::Server>(o, *service_);
    ok_ = server_->open().ok();
    if (ok_) thread_ = std::thread([this] { (void)server_->run(); });
  }
  ~KvServer() {
    if (thread_.joinable()) {
      server_->stop();
      thread_.join();
    }
  }
  bool ok() const { return ok_; }
  std::string address() const { return server_->local_endpoints().at(0); }

 private:
  std::unique_ptr<server::Service> service_;
  std::unique_ptr<server::Server> server_;
  bool ok_ = false;
  std::thread thread_;
};

// Waits until `predicate` holds (bounded); returns its last value.
template <class Fn>
bool eventually(Fn predicate, Millis limit = Millis(5000)) {
  const auto deadline = Clock::now() + limit;
  while (!predicate()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(Millis(5));
  }
  return true;
}

class KvPush : public ::testing::TestWithParam<server::Model> {};

INSTANTIATE_TEST_SUITE_P(Models, KvPush,
                         ::testing::Values(server::Model::kThread, server::Model::kReactors),
                         [](const auto& p) { return std::string(server::to_string(p.param)); });

TEST_P(KvPush, BlockedConsumersGetEveryElementExactlyOnce) {
  KvServer server(GetParam());
  ASSERT_TRUE(server.ok());
  constexpr int kConsumers = 4, kProducers = 2, kItems = 300;
  std::vector<std::vector<std::string>> got(kConsumers);
  std::vector<std::thread> threads;
  for (int c = 0; c < kConsumers; ++c) {
    threads.emplace_back([&, c] {
      Client client(server.address());
      for (;;) {
        const std::string r = client.call({"BLPOP", "q", "10"});
        if (r.empty() || r == "*-1\r\n") return;  // a failure: the count below tells
        const std::string value = last_bulk(r);
        if (value == "stop") return;
        got[static_cast<std::size_t>(c)].push_back(value);
      }
    });
  }
  for (int p = 0; p < kProducers; ++p) {
    threads.emplace_back([&, p] {
      Client client(server.address());
      for (int i = 0; i < kItems; ++i) {
        client.call({"RPUSH", "q", std::to_string(p) + ":" + std::to_string(i)});
      }
    });
  }
  for (int t = kConsumers; t < kConsumers + kProducers; ++t) {
    threads[static_cast<std::size_t>(t)].join();
  }
  Client control(server.address());
  for (int c = 0; c < kConsumers; ++c) control.call({"RPUSH", "q", "stop"});
  for (int c = 0; c < kConsumers; ++c) threads[static_cast<std::size_t>(c)].join();
  std::set<std::string> all;
  std::size_t total = 0;
  for (const auto& g : got) {
    total += g.size();
    all.insert(g.begin(), g.end());
  }
  EXPECT_EQ(total, static_cast<std::size_t>(kProducers * kItems));
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kProducers * kItems));
  EXPECT_EQ(control.call({"LLEN", "q"}), ":0\r\n");
}

TEST_P(KvPush, AClientThatDisconnectsWhileBlockedLeavesNoTrace) {
  KvServer server(GetParam());
  ASSERT_TRUE(server.ok());
  Client control(server.address());
  {
    Client blocked(server.address());
    blocked.send({"BLPOP", "k", "0"});
    ASSERT_TRUE(eventually([&] {
      return control.call({"INFO", "clients"}).find("blocked_clients:1") != std::string::npos;
    }));
  }
  ASSERT_TRUE(eventually([&] {
    return control.call({"INFO", "clients"}).find("blocked_clients:0") != std::string::npos;
  }));
  EXPECT_EQ(control.call({"LPUSH", "k", "v"}), ":1\r\n");
  EXPECT_EQ(control.call({"LLEN", "k"}), ":1\r\n");  // nobody took it
}

// The idle timeout closes a quiet connection but neither a blocked nor a subscribed one.
TEST_P(KvPush, BlockedAndSubscribedClientsAreNotIdle) {
  KvServer server(GetParam(), Millis(200));
  ASSERT_TRUE(server.ok());
  Client blocked(server.address()), subscriber(server.address()), quiet(server.address());
  blocked.send({"BLPOP", "k", "0"});
  EXPECT_EQ(subscriber.call({"SUBSCRIBE", "ch"}), "*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n");
  EXPECT_EQ(quiet.call({"PING"}), "+PONG\r\n");
  EXPECT_EQ(quiet.reply(), "");              // closed by the idle timeout
  std::this_thread::sleep_for(Millis(300));  // past it once more
  Client writer(server.address());
  EXPECT_EQ(writer.call({"LPUSH", "k", "v"}), ":1\r\n");
  EXPECT_EQ(blocked.reply(), "*2\r\n$1\r\nk\r\n$1\r\nv\r\n");
  EXPECT_EQ(writer.call({"PUBLISH", "ch", "m"}), ":1\r\n");
  EXPECT_EQ(subscriber.reply(), "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$1\r\nm\r\n");
}

// Subscribers and publishers on several threads: every message arrives, each publisher's in
// order.
TEST_P(KvPush, PublishersAndSubscribersOnEveryThread) {
  KvServer server(GetParam());
  ASSERT_TRUE(server.ok());
  constexpr int kSubscribers = 3, kPublishers = 2, kMessages = 200;
  std::vector<std::unique_ptr<Client>> subs;
  for (int s = 0; s < kSubscribers; ++s) {
    subs.push_back(std::make_unique<Client>(server.address()));
    ASSERT_EQ(subs.back()->call({"SUBSCRIBE", "ch"}).substr(0, 4), "*3\r\n");
  }
  std::vector<std::thread> publishers;
  for (int p = 0; p < kPublishers; ++p) {
    publishers.emplace_back([&, p] {
      Client client(server.address());
      for (int i = 0; i < kMessages; ++i) {
        client.call({"PUBLISH", "ch", std::to_string(p) + ":" + std::to_string(i)});
      }
    });
  }
  for (auto& t : publishers) t.join();
  for (auto& sub : subs) {
    std::vector<int> next(kPublishers, 0);
    for (int n = 0; n < kPublishers * kMessages; ++n) {
      const std::string m = last_bulk(sub->reply());
      const auto colon = m.find(':');
      ASSERT_NE(colon, std::string::npos) << m;
      const int p = std::stoi(m.substr(0, colon)), i = std::stoi(m.substr(colon + 1));
      EXPECT_EQ(i, next[static_cast<std::size_t>(p)]++);
    }
  }
}

}  // namespace
}  // namespace tcpkit::kv
