// Connection, server, CONFIG, COMMAND and CLIENT commands; unknown commands and arity.

#include <gtest/gtest.h>

#include "kv_test_support.hpp"

namespace tcpkit::kv::testing {
namespace {

TEST(KvConnection, PingEchoQuit) {
  Harness h;
  EXPECT_EQ(h.run("PING"), "+PONG");
  EXPECT_EQ(h.run("ping hello"), "\"hello\"");
  EXPECT_EQ(h.run("PING a b"), "-ERR wrong number of arguments for 'ping' command");
  EXPECT_EQ(h.run("ECHO 123"), "\"123\"");
  EXPECT_EQ(h.run("ECHO"), "-ERR wrong number of arguments for 'echo' command");
  EXPECT_FALSE(h.last_close);
  EXPECT_EQ(h.run("QUIT"), "+OK");
  EXPECT_TRUE(h.last_close);
}

TEST(KvConnection, UnknownCommandText) {
  Harness h;
  EXPECT_EQ(h.run("foo a b"), "-ERR unknown command 'foo', with args beginning with: 'a' 'b' ");
  EXPECT_EQ(h.run("foo"), "-ERR unknown command 'foo', with args beginning with: ");
  EXPECT_EQ(h.run("averyveryverylongcommandname"),
            "-ERR unknown command 'averyveryverylongcommandname', with args beginning with: ");
  EXPECT_EQ(h.run("GeT k"), "(nil)");
}

TEST(KvConnection, HelloAndAuthWithoutPassword) {
  Harness h;
  EXPECT_EQ(h.run("HELLO 4"), "-NOPROTO unsupported protocol version");
  EXPECT_EQ(h.run("HELLO abc"), "-ERR Protocol version is not an integer or out of range");
  const std::string id = std::to_string(h.session->state().id);
  EXPECT_EQ(h.run("HELLO 2"),
            "[\"server\", \"redis\", \"version\", \"7.0.15\", \"proto\", :2, "
            "\"id\", :" +
                id +
                ", \"mode\", \"standalone\", \"role\", "
                "\"master\", \"modules\", []]");
  EXPECT_EQ(h.run("HELLO 2 SETNAME app").substr(0, 10), "[\"server\",");
  EXPECT_EQ(h.run("CLIENT GETNAME"), "\"app\"");
  EXPECT_EQ(h.run("HELLO 2 FOO"), "-ERR Syntax error in HELLO option 'FOO'");
  EXPECT_EQ(h.run("AUTH x"),
            "-ERR AUTH <password> called without any password configured for the default user. "
            "Are you sure your configuration is correct?");
  EXPECT_EQ(h.run("AUTH a b"), "-WRONGPASS invalid username-password pair or user is disabled.");
  EXPECT_EQ(h.run("AUTH default anything"), "+OK");
}

TEST(KvConnection, RequirePass) {
  Harness h(with_options([](KvOptions& o) { o.requirepass = "secret"; }));
  EXPECT_EQ(h.run("GET k"), "-NOAUTH Authentication required.");
  EXPECT_EQ(h.run("nosuch"), "-ERR unknown command 'nosuch', with args beginning with: ");
  EXPECT_EQ(h.run("HELLO 2").substr(0, 7), "-NOAUTH");
  EXPECT_EQ(h.run("AUTH wrong"), "-WRONGPASS invalid username-password pair or user is disabled.");
  EXPECT_EQ(h.run("AUTH secret"), "+OK");
  EXPECT_EQ(h.run("GET k"), "(nil)");
  EXPECT_EQ(h.run("RESET"), "+RESET");
  EXPECT_EQ(h.run("GET k"), "-NOAUTH Authentication required.");
  EXPECT_EQ(h.run("HELLO 2 AUTH default secret").substr(0, 10), "[\"server\",");
  EXPECT_EQ(h.run("GET k"), "(nil)");
}

TEST(KvConnection, ClientCommands) {
  Harness h;
  auto other = h.open(42);
  EXPECT_EQ(h.run("CLIENT ID"), ":" + std::to_string(h.session->state().id));
  EXPECT_EQ(h.run("CLIENT GETNAME"), "(nil)");
  EXPECT_EQ(h.run("CLIENT SETNAME \"a b\""),
            "-ERR Client names cannot contain spaces, newlines or special characters.");
  EXPECT_EQ(h.run("CLIENT SETNAME worker"), "+OK");
  EXPECT_EQ(h.run("SELECT 3"), "+OK");
  h.clock->advance_ms(2000);
  std::string info = h.run("CLIENT INFO");
  EXPECT_NE(info.find("addr=127.0.0.1:40000 laddr=127.0.0.1:6379 fd=7 name=worker age=2 idle=0 "
                      "flags=N db=3 "),
            std::string::npos)
      << info;
  EXPECT_NE(info.find("cmd=client|info user=default redir=-1 resp=2\n"), std::string::npos);
  std::string list = h.run("CLIENT LIST");
  EXPECT_NE(list.find("id=42 "), std::string::npos);
  EXPECT_NE(list.find("name=worker"), std::string::npos);
  EXPECT_EQ(h.run("CLIENT LIST ID 42").find("name=worker"), std::string::npos);
  EXPECT_EQ(h.run("CLIENT LIST ID x"), "-ERR Invalid client ID");
  EXPECT_EQ(h.run("CLIENT FOO"), "-ERR unknown subcommand 'FOO'. Try CLIENT HELP.");
  EXPECT_EQ(h.run("CLIENT SETNAME"), "-ERR wrong number of arguments for 'client|setname' command");
  other.reset();
  EXPECT_EQ(h.run("CLIENT LIST").find("id=42 "), std::string::npos);
  EXPECT_EQ(h.run("RESET"), "+RESET");
  EXPECT_EQ(h.run("CLIENT GETNAME"), "(nil)");
}

// Redis 7.2's CLIENT SETINFO, which current node-redis and redis-py send on connect.
TEST(KvConnection, ClientSetinfoAnswersAsRedis72) {
  Harness h;
  EXPECT_EQ(h.run("CLIENT SETINFO LIB-NAME node-redis"), "+OK");
  EXPECT_EQ(h.run("client setinfo lib-ver 5.9.0"), "+OK");
  EXPECT_EQ(h.run("CLIENT SETINFO lib-name \"\""), "+OK");  // empty clears it in 7.2
  EXPECT_EQ(h.run("CLIENT SETINFO lib-name redis-py(redis_v1.0)"), "+OK");
  EXPECT_EQ(h.run("CLIENT SETINFO lib-foo x"), "-ERR Unrecognized option 'lib-foo'");
  EXPECT_EQ(h.run("CLIENT SETINFO LIB-NAME \"a b\""),
            "-ERR LIB-NAME cannot contain spaces, newlines or special characters.");
  EXPECT_EQ(h.run_args({"CLIENT", "SETINFO", "lib-ver", "1\n2"}),
            "-ERR lib-ver cannot contain spaces, newlines or special characters.");
  EXPECT_EQ(h.run("CLIENT SETINFO lib-name"),
            "-ERR wrong number of arguments for 'client|setinfo' command");
  EXPECT_EQ(h.run("CLIENT SETINFO lib-name a b"),
            "-ERR wrong number of arguments for 'client|setinfo' command");
  // CLIENT INFO keeps Redis 7.0's fields: the line still ends at resp=.
  EXPECT_NE(h.run("CLIENT INFO").find("resp=2\n"), std::string::npos);
}

TEST(KvServer, InfoDbsizeFlushTime) {
  Harness h;
  h.run("SET a 1");
  h.run("SET b 2 EX 100");
  h.run("SELECT 1");
  h.run("SET c 3");
  h.run("SELECT 0");
  EXPECT_EQ(h.run("DBSIZE"), ":2");
  std::string info = h.run("INFO");
  for (const char* field :
       {"# Server\r\nredis_version:7.0.15\r\n", "# Clients\r\nconnected_clients:1\r\n",
        "used_memory:", "total_commands_processed:", "total_connections_received:1\r\n",
        "# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=0\r\ndb1:keys=1,expires=0,avg_ttl=0\r\n"}) {
    EXPECT_NE(info.find(field), std::string::npos) << field;
  }
  EXPECT_EQ(h.run("INFO keyspace").find("# Server"), std::string::npos);
  EXPECT_EQ(h.run("FLUSHDB FOO"), "-ERR syntax error");
  EXPECT_EQ(h.run("FLUSHDB ASYNC"), "+OK");
  EXPECT_EQ(h.run("DBSIZE"), ":0");
  EXPECT_EQ(h.run("FLUSHALL SYNC"), "+OK");
  EXPECT_EQ(h.run("INFO keyspace"), "\"# Keyspace\r\n\"");
  const std::int64_t us = h.clock->now_us();
  EXPECT_EQ(h.run("TIME"),
            "[\"" + std::to_string(us / 1000000) + "\", \"" + std::to_string(us % 1000000) + "\"]");
  EXPECT_EQ(h.run("FUNCTION FLUSH"), "+OK");
  EXPECT_EQ(h.run("FUNCTION FLUSH ASYNC"), "+OK");
}

TEST(KvServer, ConfigGetSet) {
  Harness h;
  EXPECT_EQ(h.run("CONFIG GET maxmemory"), "[\"maxmemory\", \"0\"]");
  EXPECT_EQ(h.run("CONFIG GET save"), "[\"save\", \"\"]");
  EXPECT_EQ(h.run("CONFIG GET appendonly"), "[\"appendonly\", \"no\"]");
  EXPECT_EQ(
      h.run("CONFIG GET MAXMEM*"),
      "[\"maxmemory\", \"0\", \"maxmemory-policy\", \"noeviction\", \"maxmemory-samples\", \"5\"]");
  EXPECT_EQ(h.run("CONFIG GET"), "-ERR wrong number of arguments for 'config|get' command");
  EXPECT_EQ(h.run("CONFIG SET foo bar"),
            "-ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
  EXPECT_EQ(h.run("CONFIG SET maxmemory abc"),
            "-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be "
            "a memory value");
  EXPECT_EQ(h.run("CONFIG SET maxmemory 1mb maxclients 5"), "+OK");
  EXPECT_EQ(h.run("CONFIG GET maxmemory maxclients"),
            "[\"maxmemory\", \"1048576\", \"maxclients\", \"5\"]");
  EXPECT_EQ(h.run("CONFIG SET databases 2"),
            "-ERR CONFIG SET failed (possibly related to argument 'databases') - can't set "
            "immutable config");
  EXPECT_EQ(h.run("CONFIG SET requirepass pw"), "+OK");
  EXPECT_EQ(h.run("GET k"), "(nil)");  // this connection stays authenticated
  auto fresh = h.open();
  EXPECT_EQ(h.run("GET k", fresh.get()), "-NOAUTH Authentication required.");
  EXPECT_EQ(h.run("CONFIG REWRITE"), "-ERR The server is running without a config file");
}

TEST(KvServer, MaxmemoryRefusesWrites) {
  Harness h;
  h.run("SET small v");
  EXPECT_EQ(h.run("CONFIG SET maxmemory 1"), "+OK");
  EXPECT_EQ(h.run("SET k v"), "-OOM command not allowed when used memory > 'maxmemory'.");
  EXPECT_EQ(h.run("APPEND small x"), "-OOM command not allowed when used memory > 'maxmemory'.");
  EXPECT_EQ(h.run("GET small"), "\"v\"");
  EXPECT_EQ(h.run("DEL small"), ":1");
  EXPECT_EQ(h.run("CONFIG SET maxmemory 0"), "+OK");
  EXPECT_EQ(h.run("SET k v"), "+OK");
}

TEST(KvServer, UsedMemoryFollowsData) {
  Harness h;
  auto used = [&] {
    std::string info = h.run("INFO memory");
    auto p = info.find("used_memory:") + 12;
    return std::stoull(info.substr(p, info.find('\r', p) - p));
  };
  const auto before = used();
  h.run("SET big " + std::string(100000, 'x'));
  EXPECT_GE(used(), before + 100000);
  h.run("DEL big");
  EXPECT_LT(used(), before + 1000);
}

TEST(KvServer, CommandIntrospection) {
  Harness h;
  EXPECT_EQ(h.run("COMMAND DOCS"), "[]");
  EXPECT_EQ(h.run("COMMAND DOCS get"), "[]");
  // The whole entry, key spec included, as redis-server 7.0.15 reports it (the differential
  // test tests/differential/command_info.py checks every command).
  EXPECT_EQ(h.run("COMMAND INFO get"),
            "[[\"get\", :2, [+readonly, +fast], :1, :1, :1, [+@read, +@string, +@fast], [], "
            "[[\"flags\", [+RO, +access], \"begin_search\", [\"type\", \"index\", \"spec\", "
            "[\"index\", :1]], \"find_keys\", [\"type\", \"range\", \"spec\", [\"lastkey\", "
            ":0, \"keystep\", :1, \"limit\", :0]]]], []]]");
  EXPECT_EQ(h.run("COMMAND INFO nosuch"), "[(nil-array)]");
  std::string count = h.run("COMMAND COUNT");
  EXPECT_GT(std::stoi(count.substr(1)), 60);
  EXPECT_EQ(h.run("COMMAND FOO"), "-ERR unknown subcommand 'FOO'. Try COMMAND HELP.");
}

}  // namespace
}  // namespace tcpkit::kv::testing
