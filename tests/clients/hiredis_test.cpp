// hiredis (Debian's libhiredis-dev) against `tcpkit serve kv`, or, with --redis, against
// redis-server, the oracle every check must also pass against: connecting, strings, lists,
// hashes, pipelines (redisAppendCommand), transactions, errors, binary-safe %b arguments,
// databases, AUTH.
//
//   hiredis_test path/to/tcpkit            tcpkit serve kv on 127.0.0.1, port 0
//   hiredis_test --redis [redis-server]    redis-server on a temp Unix socket
//
// Each check gets a fresh server, started here and stopped by its pid; every wait has a
// deadline. Prints one line per check and "N passed, N failed"; exits 0 when all passed.

#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kStartDeadline = std::chrono::seconds(30);  // CI runs tests in parallel
constexpr auto kStopDeadline = std::chrono::seconds(10);

struct Target {
  bool redis = false;
  std::string binary;
};

// A server process whose stdout we read (its ready line), stopped by its pid. Not copyable;
// the destructor stops it if stop() was not called.
class Server {
 public:
  Server(const Target& target, const std::string& password) : target_(target) {
    std::vector<std::string> args{target.binary};
    if (target.redis) {
      char dir_template[] = "/tmp/tcpkit-hiredis-XXXXXX";
      if (mkdtemp(dir_template) == nullptr) throw std::runtime_error("mkdtemp failed");
      dir_ = dir_template;
      socket_ = dir_ + "/redis.sock";
      args.insert(args.end(), {"--port", "0", "--unixsocket", socket_, "--save", "", "--appendonly",
                               "no", "--dir", dir_, "--logfile", ""});
    } else {
      args.insert(args.end(), {"serve", "kv", "--listen", "127.0.0.1:0"});
    }
    if (!password.empty()) args.insert(args.end(), {"--requirepass", password});
    spawn(args);
    try {
      wait_ready();
    } catch (...) {
      stop();  // the destructor of a half-made object does not run
      throw;
    }
  }
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server() {
    if (pid_ > 0) stop();
  }

  // A new connection (the caller frees it); throws when connecting fails.
  redisContext* connect() const {
    const timeval timeout{10, 0};
    redisContext* c = target_.redis ? redisConnectUnixWithTimeout(socket_.c_str(), timeout)
                                    : redisConnectWithTimeout("127.0.0.1", port_, timeout);
    if (c == nullptr || c->err != 0) {
      std::string why = c != nullptr ? c->errstr : "out of memory";
      redisFree(c);
      throw std::runtime_error("connect: " + why);
    }
    redisSetTimeout(c, timeout);
    return c;
  }

  // SIGTERM, then its stdout's end (the process is gone) within the deadline; returns the
  // exit status as waitpid reports it.
  int stop() {
    kill(pid_, SIGTERM);
    const auto deadline = Clock::now() + kStopDeadline;
    char buf[4096];
    for (;;) {
      if (!wait_readable(deadline)) {
        kill(pid_, SIGKILL);
        break;
      }
      if (read(out_, buf, sizeof buf) <= 0) break;
    }
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    close(out_);
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
    return status;
  }

 private:
  void spawn(const std::vector<std::string>& args) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    const int rc = posix_spawnp(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    out_ = fds[0];
    if (rc != 0) {
      close(out_);
      throw std::runtime_error("cannot start " + args[0]);
    }
  }

  // Reads the server's stdout up to its ready line; for tcpkit, the port from it.
  void wait_ready() {
    const std::string ready = target_.redis ? "ready to accept connections" : "listening on ";
    std::string line;
    while ((line = read_line()).find(ready) == std::string::npos) {
    }
    if (!target_.redis) {
      // "tcpkit serve kv: listening on 127.0.0.1:40347 (model epoll, pid 4243)"
      port_ = std::stoi(line.substr(line.find("127.0.0.1:") + 10));
    }
  }

  bool wait_readable(Clock::time_point deadline) const {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    pollfd p{out_, POLLIN, 0};
    return left > 0 && poll(&p, 1, static_cast<int>(left)) == 1;
  }

  // The next line of the server's stdout; throws at its end or past the start deadline.
  std::string read_line() {
    const auto deadline = Clock::now() + kStartDeadline;
    for (;;) {
      if (auto nl = pending_.find('\n'); nl != std::string::npos) {
        std::string line = pending_.substr(0, nl);
        pending_.erase(0, nl + 1);
        return line;
      }
      if (!wait_readable(deadline)) throw std::runtime_error("no ready line from the server");
      char buf[4096];
      const ssize_t n = read(out_, buf, sizeof buf);
      if (n <= 0) throw std::runtime_error("the server exited before it was ready");
      pending_.append(buf, static_cast<std::size_t>(n));
    }
  }

  Target target_;
  pid_t pid_ = -1;
  int out_ = -1;
  std::string pending_;
  std::string dir_;
  std::string socket_;
  int port_ = 0;
};

struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

struct ContextDeleter {
  void operator()(redisContext* c) const { redisFree(c); }
};
using Context = std::unique_ptr<redisContext, ContextDeleter>;

// A failed expectation: the check stops and is reported with this text.
struct Failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void expect(bool ok, const std::string& what) {
  if (!ok) throw Failure(what);
}

Reply command(redisContext* c, const char* format, ...) {
  va_list ap;
  va_start(ap, format);
  void* r = redisvCommand(c, format, ap);
  va_end(ap);
  if (r == nullptr) throw Failure(std::string("I/O error: ") + c->errstr);
  return Reply(static_cast<redisReply*>(r));
}

Reply next_reply(redisContext* c) {
  void* r = nullptr;
  if (redisGetReply(c, &r) != REDIS_OK) throw Failure(std::string("I/O error: ") + c->errstr);
  return Reply(static_cast<redisReply*>(r));
}

std::string text_of(const redisReply* r) { return std::string(r->str, r->len); }

// Describes a reply as redis-cli would, for failure messages and compact expectations:
// "OK" (status), "(error) ..." , "(integer) 3", "\"bulk\"", "(nil)", "[a, b]".
std::string show(const redisReply* r) {
  switch (r->type) {
    case REDIS_REPLY_STATUS:
      return text_of(r);
    case REDIS_REPLY_ERROR:
      return "(error) " + text_of(r);
    case REDIS_REPLY_INTEGER:
      return "(integer) " + std::to_string(r->integer);
    case REDIS_REPLY_STRING:
      return "\"" + text_of(r) + "\"";
    case REDIS_REPLY_NIL:
      return "(nil)";
    case REDIS_REPLY_ARRAY: {
      std::string out = "[";
      for (std::size_t i = 0; i < r->elements; ++i) {
        out += (i ? ", " : "") + show(r->element[i]);
      }
      return out + "]";
    }
    default:
      return "(type " + std::to_string(r->type) + ")";
  }
}

void expect_reply(const Reply& r, const std::string& want, const std::string& what) {
  expect(show(r.get()) == want, what + ": want " + want + ", got " + show(r.get()));
}

using Check = std::function<void(Server&, const Target&)>;

void check_connect(Server& server, const Target& target) {
  Context c(server.connect());
  expect_reply(command(c.get(), "PING"), "PONG", "PING");
  // Redis 7.2's CLIENT SETINFO: kv answers it as 7.2 does; 7.0.15, the oracle, does not know it.
  Reply info = command(c.get(), "CLIENT SETINFO LIB-NAME hiredis");
  if (target.redis) {
    expect(show(info.get()).find("unknown subcommand 'SETINFO'") != std::string::npos,
           "7.0 CLIENT SETINFO: " + show(info.get()));
  } else {
    expect_reply(info, "OK", "CLIENT SETINFO");
    expect_reply(command(c.get(), "CLIENT SETINFO LIB-VER %s", "1 2"),
                 "(error) ERR LIB-VER cannot contain spaces, newlines or special characters.",
                 "CLIENT SETINFO with a space");
  }
}

void check_strings(Server& server, const Target&) {
  Context c(server.connect());
  expect_reply(command(c.get(), "SET %s %s", "k", "hello world"), "OK", "SET");
  expect_reply(command(c.get(), "GET k"), "\"hello world\"", "GET");
  expect_reply(command(c.get(), "GET missing"), "(nil)", "GET missing");
  expect_reply(command(c.get(), "SET k w NX"), "(nil)", "SET NX on a key");
  expect_reply(command(c.get(), "SET k w XX GET"), "\"hello world\"", "SET XX GET");
  expect_reply(command(c.get(), "SET fresh 1 EX 100 NX"), "OK", "SET EX NX");
  const long long ttl = command(c.get(), "TTL fresh")->integer;
  expect(ttl > 95 && ttl <= 100, "TTL " + std::to_string(ttl));
  expect_reply(command(c.get(), "INCR n"), "(integer) 1", "INCR");
  expect_reply(command(c.get(), "INCRBY n %d", 41), "(integer) 42", "INCRBY");
  expect_reply(command(c.get(), "MSET a 1 b 2"), "OK", "MSET");
  expect_reply(command(c.get(), "MGET a b nope"), "[\"1\", \"2\", (nil)]", "MGET");
  expect_reply(command(c.get(), "EXPIRE a 50"), "(integer) 1", "EXPIRE");
  const long long left = command(c.get(), "TTL a")->integer;
  expect(left > 45 && left <= 50, "TTL after EXPIRE " + std::to_string(left));
  expect_reply(command(c.get(), "TTL b"), "(integer) -1", "TTL without expiry");
  expect_reply(command(c.get(), "TTL nope"), "(integer) -2", "TTL of no key");
}

void check_lists(Server& server, const Target&) {
  Context c(server.connect());
  expect_reply(command(c.get(), "RPUSH l a b c"), "(integer) 3", "RPUSH");
  expect_reply(command(c.get(), "LPUSH l z"), "(integer) 4", "LPUSH");
  expect_reply(command(c.get(), "LRANGE l 0 -1"), "[\"z\", \"a\", \"b\", \"c\"]", "LRANGE");
  expect_reply(command(c.get(), "LPOP l"), "\"z\"", "LPOP");
  expect_reply(command(c.get(), "LPOP l 2"), "[\"a\", \"b\"]", "LPOP count");
  expect_reply(command(c.get(), "LPOP nope 2"), "(nil)", "LPOP count of no key");
  expect_reply(command(c.get(), "LMOVE l dst LEFT RIGHT"), "\"c\"", "LMOVE");
  expect_reply(command(c.get(), "LRANGE dst 0 -1"), "[\"c\"]", "LRANGE after LMOVE");
  expect_reply(command(c.get(), "EXISTS l"), "(integer) 0", "EXISTS of the emptied list");
}

void check_hashes(Server& server, const Target&) {
  Context c(server.connect());
  expect_reply(command(c.get(), "HSET h name ada visits 1"), "(integer) 2", "HSET");
  // HGETALL's pairs in any order (docs/kv.md: kv's order is its Dict's, not insertion order).
  Reply all = command(c.get(), "HGETALL h");
  std::map<std::string, std::string> pairs;
  for (std::size_t i = 0; i + 1 < all->elements; i += 2) {
    pairs[text_of(all->element[i])] = text_of(all->element[i + 1]);
  }
  expect(all->elements == 4 &&
             pairs == std::map<std::string, std::string>{{"name", "ada"}, {"visits", "1"}},
         "HGETALL: " + show(all.get()));
  expect_reply(command(c.get(), "HINCRBY h visits 9"), "(integer) 10", "HINCRBY");
  // More fields than hash-max-listpack-entries (512 in Debian's build): HSCAN takes several
  // calls, and every field comes back at least once.
  for (int i = 0; i < 1000; ++i) redisAppendCommand(c.get(), "HSET big f%d v%d", i, i);
  for (int i = 0; i < 1000; ++i) next_reply(c.get());
  std::vector<bool> seen(1000);
  std::string cursor = "0";
  int calls = 0;
  do {
    Reply r = command(c.get(), "HSCAN big %s COUNT 20", cursor.c_str());
    expect(r->type == REDIS_REPLY_ARRAY && r->elements == 2, "HSCAN: " + show(r.get()));
    cursor = text_of(r->element[0]);
    const redisReply* flat = r->element[1];
    for (std::size_t i = 0; i + 1 < flat->elements; i += 2) {
      const int field = std::atoi(flat->element[i]->str + 1);
      expect(text_of(flat->element[i + 1]) == "v" + std::to_string(field), "HSCAN pair");
      seen[static_cast<std::size_t>(field)] = true;
    }
    ++calls;
  } while (cursor != "0");
  for (std::size_t i = 0; i < seen.size(); ++i)
    expect(seen[i], "HSCAN missed f" + std::to_string(i));
  expect(calls > 1, "HSCAN ended after one call");
}

void check_pipelines_and_transactions(Server& server, const Target&) {
  Context c(server.connect());
  for (int i = 0; i < 1000; ++i) redisAppendCommand(c.get(), "SET key:%d %d", i, i);
  for (int i = 0; i < 1000; ++i) redisAppendCommand(c.get(), "INCR key:%d", i);
  for (int i = 0; i < 1000; ++i) expect_reply(next_reply(c.get()), "OK", "pipelined SET");
  for (int i = 0; i < 1000; ++i) {
    expect_reply(next_reply(c.get()), "(integer) " + std::to_string(i + 1), "pipelined INCR");
  }
  expect_reply(command(c.get(), "DBSIZE"), "(integer) 1000", "DBSIZE");
  // MULTI/EXEC as one pipeline.
  redisAppendCommand(c.get(), "MULTI");
  redisAppendCommand(c.get(), "SET t %d", 1);
  redisAppendCommand(c.get(), "INCR t");
  redisAppendCommand(c.get(), "GET t");
  redisAppendCommand(c.get(), "EXEC");
  expect_reply(next_reply(c.get()), "OK", "MULTI");
  for (int i = 0; i < 3; ++i) expect_reply(next_reply(c.get()), "QUEUED", "queued");
  expect_reply(next_reply(c.get()), "[OK, (integer) 2, \"2\"]", "EXEC");
  // A queueing error (wrong arity) aborts the whole transaction.
  command(c.get(), "MULTI");
  command(c.get(), "SET x 1");
  expect_reply(command(c.get(), "SET x"), "(error) ERR wrong number of arguments for 'set' command",
               "queued arity error");
  expect_reply(command(c.get(), "EXEC"),
               "(error) EXECABORT Transaction discarded because of previous errors.", "EXEC");
  expect_reply(command(c.get(), "GET x"), "(nil)", "GET after EXECABORT");
}

void check_errors(Server& server, const Target&) {
  Context c(server.connect());
  command(c.get(), "RPUSH list x");
  const std::string wrongtype =
      "(error) WRONGTYPE Operation against a key holding the wrong kind of value";
  expect_reply(command(c.get(), "GET list"), wrongtype, "GET of a list");
  expect_reply(command(c.get(), "HSET list f v"), wrongtype, "HSET of a list");
  expect_reply(command(c.get(), "SET s x"), "OK", "SET");
  expect_reply(command(c.get(), "INCR s"), "(error) ERR value is not an integer or out of range",
               "INCR of text");
  expect_reply(command(c.get(), "NOSUCHCMD a"),
               "(error) ERR unknown command 'NOSUCHCMD', with args beginning with: 'a' ",
               "unknown command");
  expect_reply(command(c.get(), "PING"), "PONG", "PING after errors");
}

void check_binary_values(Server& server, const Target&) {
  Context c(server.connect());
  std::string all(256, '\0');
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<char>(i);
  const std::string key("\0\r\n\xff key", 8);
  expect_reply(command(c.get(), "SET %b %b", key.data(), key.size(), all.data(), all.size()), "OK",
               "SET %b");
  Reply got = command(c.get(), "GET %b", key.data(), key.size());
  expect(got->type == REDIS_REPLY_STRING && text_of(got.get()) == all, "GET %b: bytes differ");
  expect_reply(command(c.get(), "STRLEN %b", key.data(), key.size()), "(integer) 256", "STRLEN");
  command(c.get(), "RPUSH bl %b %b", all.data(), all.size(), "", std::size_t{0});
  Reply list = command(c.get(), "LRANGE bl 0 -1");
  expect(list->elements == 2 && text_of(list->element[0]) == all && list->element[1]->len == 0,
         "LRANGE of binary values: " + std::to_string(list->elements) + " elements");
  command(c.get(), "HSET bh %b %b", "f\r\n", std::size_t{3}, all.data(), all.size());
  Reply field = command(c.get(), "HGET bh %b", "f\r\n", std::size_t{3});
  expect(field->type == REDIS_REPLY_STRING && text_of(field.get()) == all, "HGET %b");
}

void check_databases(Server& server, const Target&) {
  Context c(server.connect());
  expect_reply(command(c.get(), "SELECT 3"), "OK", "SELECT 3");
  command(c.get(), "SET where three");
  expect_reply(command(c.get(), "SELECT 0"), "OK", "SELECT 0");
  expect_reply(command(c.get(), "GET where"), "(nil)", "GET in db 0");
  expect_reply(command(c.get(), "SELECT 3"), "OK", "SELECT 3");
  expect_reply(command(c.get(), "GET where"), "\"three\"", "GET in db 3");
  expect_reply(command(c.get(), "SELECT 16"), "(error) ERR DB index is out of range", "SELECT 16");
}

void check_auth(Server&, const Target& target) {
  Server server(target, "s3cret");
  Context c(server.connect());
  expect_reply(command(c.get(), "GET k"), "(error) NOAUTH Authentication required.", "GET");
  expect_reply(command(c.get(), "AUTH nope"),
               "(error) WRONGPASS invalid username-password pair or user is disabled.",
               "AUTH with the wrong password");
  expect_reply(command(c.get(), "AUTH s3cret"), "OK", "AUTH");
  expect_reply(command(c.get(), "SET k v"), "OK", "SET after AUTH");
  c.reset();
  const int status = server.stop();
  expect(target.redis || (WIFEXITED(status) && WEXITSTATUS(status) == 0), "tcpkit exit status");
}

}  // namespace

int main(int argc, char** argv) {
  Target target;
  if (argc >= 2 && std::string(argv[1]) == "--redis") {
    target = {true, argc >= 3 ? argv[2] : "redis-server"};
  } else if (argc == 2) {
    target = {false, std::filesystem::absolute(argv[1]).string()};
  } else {
    std::fprintf(stderr, "usage: %s path/to/tcpkit | --redis [path/to/redis-server]\n", argv[0]);
    return 64;
  }
  signal(SIGPIPE, SIG_IGN);
  const std::pair<const char*, Check> checks[] = {
      {"connect", check_connect},
      {"strings", check_strings},
      {"lists", check_lists},
      {"hashes", check_hashes},
      {"pipelines_and_transactions", check_pipelines_and_transactions},
      {"errors", check_errors},
      {"binary_values", check_binary_values},
      {"databases", check_databases},
      {"auth", check_auth},
  };
  int passed = 0, failed = 0;
  for (const auto& [name, check] : checks) {
    try {
      Server server(target, "");
      check(server, target);
      const int status = server.stop();
      expect(target.redis || (WIFEXITED(status) && WEXITSTATUS(status) == 0),
             "tcpkit did not exit 0 after SIGTERM");
      ++passed;
      std::printf("ok - %s\n", name);
    } catch (const std::exception& e) {
      ++failed;
      std::printf("not ok - %s: %s\n", name, e.what());
    }
    std::fflush(stdout);
  }
  std::printf("hiredis against %s: %d passed, %d failed\n", target.redis ? "redis" : "tcpkit",
              passed, failed);
  return failed == 0 ? 0 : 1;
}
