#include "tcpkit/bench/workload.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace tcpkit::bench {
namespace {

std::string make(const RequestTemplate& t, Rng& rng, std::uint64_t keyspace) {
  std::string out(t.size(), '?');
  t.write(out.data(), rng, keyspace);
  return out;
}

TEST(RequestTemplateTest, RespEncodingOfATest) {
  auto args = test_command("get", 3);
  auto t = RequestTemplate::resp(args);
  EXPECT_EQ(t.bytes(), "*2\r\n$3\r\nGET\r\n$16\r\nkey:__rand_int__\r\n");
  EXPECT_EQ(t.slot_count(), 1u);
}

TEST(RequestTemplateTest, WithoutKeyspaceThePlaceholderIsSent) {
  Rng rng(1);
  auto t = RequestTemplate::resp(test_command("SET", 5));
  EXPECT_EQ(make(t, rng, 0), "*3\r\n$3\r\nSET\r\n$16\r\nkey:__rand_int__\r\n$5\r\nxxxxx\r\n");
}

TEST(RequestTemplateTest, KeyspaceFillsEverySlotWithTwelveDigitsBelowN) {
  Rng rng(9);
  auto t = RequestTemplate::resp(test_command("MSET", 1));
  EXPECT_EQ(t.slot_count(), 10u);
  bool varied = false;
  std::string first;
  for (int i = 0; i < 200; ++i) {
    std::string s = make(t, rng, 1000);
    ASSERT_EQ(s.size(), t.size());
    EXPECT_EQ(s.find("__rand_int__"), std::string::npos);
    for (std::size_t at = s.find("key:"); at != std::string::npos; at = s.find("key:", at + 1)) {
      const std::string digits = s.substr(at + 4, 12);
      ASSERT_EQ(digits.find_first_not_of("0123456789"), std::string::npos) << digits;
      EXPECT_LT(std::stoull(digits), 1000u);
    }
    if (i == 0) first = s;
    varied |= s != first;
  }
  EXPECT_TRUE(varied);
}

TEST(RequestTemplateTest, TwelveDigits) {
  char buf[12];
  write_twelve_digits(buf, 42);
  EXPECT_EQ(std::string(buf, 12), "000000000042");
  write_twelve_digits(buf, 999'999'999'999);
  EXPECT_EQ(std::string(buf, 12), "999999999999");
}

TEST(RequestTemplateTest, NativeFrameCarriesItsLengthAndSlots) {
  std::vector<std::string> args{"GET", "k:__rand_int__"};
  auto t = RequestTemplate::native(args);
  ASSERT_GE(t.size(), 4u);
  const auto& b = t.bytes();
  auto byte = [&b](std::size_t i) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(b[i]));
  };
  const std::uint32_t len = byte(0) | byte(1) << 8 | byte(2) << 16 | byte(3) << 24;
  EXPECT_EQ(len + 4, t.size());
  EXPECT_EQ(b[4], '*');
  EXPECT_EQ(t.slot_count(), 1u);
}

TEST(RequestTemplateTest, EchoFramings) {
  EXPECT_EQ(RequestTemplate::echo(Protocol::kEchoRaw, 4).bytes(), "xxxx");
  EXPECT_EQ(RequestTemplate::echo(Protocol::kEchoLine, 4).bytes(), "xxxx\n");
  EXPECT_EQ(RequestTemplate::echo(Protocol::kEchoLength, 2).bytes(),
            std::string("\x02\0\0\0xx", 6));
}

TEST(RequestTemplateTest, UnknownTestHasNoCommand) { EXPECT_TRUE(test_command("FLY", 3).empty()); }

struct RespCase {
  std::string input;
  ReplyStatus status;
  std::size_t consumed;
  bool error_reply;
};

TEST(RespSkipperTest, TableOfReplies) {
  const std::vector<RespCase> cases = {
      {"+OK\r\n", ReplyStatus::kReply, 5, false},
      {"-ERR wrong\r\n", ReplyStatus::kReply, 12, true},
      {":1000\r\n", ReplyStatus::kReply, 7, false},
      {"$3\r\nabc\r\n", ReplyStatus::kReply, 9, false},
      {"$0\r\n\r\n", ReplyStatus::kReply, 6, false},
      {"$-1\r\n", ReplyStatus::kReply, 5, false},
      {"*-1\r\n", ReplyStatus::kReply, 5, false},
      {"*0\r\n", ReplyStatus::kReply, 4, false},
      {"*2\r\n$1\r\na\r\n:2\r\n", ReplyStatus::kReply, 15, false},
      {"*2\r\n*1\r\n+x\r\n-E\r\n", ReplyStatus::kReply, 16, false},
      {"+OK\r\n+NEXT\r\n", ReplyStatus::kReply, 5, false},
      {"$3\r\na\r\n\r\n", ReplyStatus::kReply, 9, false},  // binary-safe: CRLF inside a bulk
      {"", ReplyStatus::kNeedMore, 0, false},
      {"+OK\r", ReplyStatus::kNeedMore, 0, false},
      {"$3\r\nab", ReplyStatus::kNeedMore, 0, false},
      {"*2\r\n$1\r\na\r\n", ReplyStatus::kNeedMore, 0, false},
      {"?x\r\n", ReplyStatus::kBad, 0, false},
      {"$x\r\n", ReplyStatus::kBad, 0, false},
      {"$-2\r\n", ReplyStatus::kBad, 0, false},
      {"$1\r\nabc\r\n", ReplyStatus::kBad, 0, false},
      {"+OK\n", ReplyStatus::kBad, 0, false},
  };
  for (const auto& c : cases) {
    std::string_view why;
    ReplyScan s = skip_resp_reply(c.input, &why);
    EXPECT_EQ(s.status, c.status) << c.input;
    if (c.status == ReplyStatus::kReply) {
      EXPECT_EQ(s.consumed, c.consumed) << c.input;
      EXPECT_EQ(s.error_reply, c.error_reply) << c.input;
    }
    if (c.status == ReplyStatus::kBad) {
      EXPECT_FALSE(why.empty()) << c.input;
    }
  }
}

TEST(RespSkipperTest, EverySplitOfAPipelinedStreamFindsTheSameReplies) {
  const std::string stream =
      "+PONG\r\n$5\r\nhello\r\n*3\r\n:1\r\n$-1\r\n*1\r\n-ERR x\r\n-ERR y\r\n";
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    ReplySkipper skipper(Protocol::kResp, 0);
    std::string buffered;
    int replies = 0, errors = 0;
    for (std::string_view chunk :
         {std::string_view(stream).substr(0, cut), std::string_view(stream).substr(cut)}) {
      buffered += chunk;
      for (;;) {
        ReplyScan s = skipper.next(buffered);
        ASSERT_NE(s.status, ReplyStatus::kBad);
        buffered.erase(0, s.consumed);
        if (s.status == ReplyStatus::kNeedMore) break;
        ++replies;
        errors += s.error_reply;
      }
    }
    EXPECT_EQ(replies, 4) << cut;
    EXPECT_EQ(errors, 1) << cut;
    EXPECT_TRUE(buffered.empty());
  }
}

TEST(ReplySkipperTest, NativeFrames) {
  ReplySkipper s(Protocol::kNative, 0);
  const std::string ok("\x05\0\0\0+\0\0\0\0", 9);
  EXPECT_EQ(s.next(ok).status, ReplyStatus::kReply);
  EXPECT_EQ(s.next(ok).consumed, 9u);
  EXPECT_FALSE(s.next(ok).error_reply);
  const std::string err("\x03\0\0\0-ab", 7);
  EXPECT_TRUE(s.next(err).error_reply);
  EXPECT_EQ(s.next(ok.substr(0, 6)).status, ReplyStatus::kNeedMore);
  EXPECT_EQ(s.next(std::string("\0\0\0\0", 4)).status, ReplyStatus::kBad);
}

TEST(ReplySkipperTest, RawEchoIsCountedAcrossReads) {
  ReplySkipper s(Protocol::kEchoRaw, 10);
  ReplyScan a = s.next("xxxx");
  EXPECT_EQ(a.status, ReplyStatus::kNeedMore);
  EXPECT_EQ(a.consumed, 4u);
  ReplyScan b = s.next("xxxxxxxxxx");
  EXPECT_EQ(b.status, ReplyStatus::kReply);
  EXPECT_EQ(b.consumed, 6u);
  EXPECT_EQ(s.next("xxxxxxxxxx").consumed, 10u);
}

TEST(ReplySkipperTest, FramedEchoChecksTheFraming) {
  ReplySkipper line(Protocol::kEchoLine, 5);
  EXPECT_EQ(line.next("xxxx\n").status, ReplyStatus::kReply);
  EXPECT_EQ(line.next("xxx").status, ReplyStatus::kNeedMore);
  EXPECT_EQ(line.next("xxxxx").status, ReplyStatus::kBad);
  ReplySkipper length(Protocol::kEchoLength, 6);
  EXPECT_EQ(length.next(std::string("\x02\0\0\0xx", 6)).status, ReplyStatus::kReply);
  EXPECT_EQ(length.next(std::string("\x03\0\0\0xx", 6)).status, ReplyStatus::kBad);
}

}  // namespace
// --key-pattern's draws, checked against the distributions' own figures (fixed seeds, so the
// counts are the same on every run; the bounds are several standard deviations wide).
std::vector<std::uint64_t> draw_counts(const KeyOptions& o, int draws) {
  KeyDrawer keys(o, 7);
  std::vector<std::uint64_t> counts(o.space);
  for (int i = 0; i < draws; ++i) {
    const std::uint64_t k = keys.next();
    EXPECT_LT(k, o.space);
    if (k < o.space) ++counts[k];
  }
  return counts;
}

TEST(KeyDrawerTest, ZipfFollowsOneOverRankToTheS) {
  for (double s : {0.5, 1.0, 1.5}) {
    KeyOptions o{1000, KeyPattern::kZipf, s, 0, false};
    const int draws = 200000;
    const auto counts = draw_counts(o, draws);
    double norm = 0;
    for (int k = 1; k <= 1000; ++k) norm += std::pow(k, -s);
    for (int k : {1, 2, 10, 100}) {
      const double want = draws * std::pow(k, -s) / norm;
      EXPECT_NEAR(static_cast<double>(counts[static_cast<std::size_t>(k - 1)]), want,
                  5 * std::sqrt(want) + 1)
          << "s " << s << " rank " << k;
    }
  }
}

TEST(KeyDrawerTest, ZipfWorksForHugeKeySpaces) {
  KeyDrawer keys({1ull << 40, KeyPattern::kZipf, 0.99, 0, false}, 3);
  std::uint64_t zeros = 0;
  for (int i = 0; i < 10000; ++i) {
    const std::uint64_t k = keys.next();
    ASSERT_LT(k, 1ull << 40);
    zeros += k == 0;
  }
  EXPECT_GT(zeros, 100u);  // key 0 stays the hottest: about 1/H(2^40) = 3.6% of the draws
}

TEST(KeyDrawerTest, GaussianCentresOnTheMiddleWithASixthOfTheSpace) {
  KeyOptions o{6000, KeyPattern::kGaussian, 1, 0, false};
  const int draws = 100000;
  const auto counts = draw_counts(o, draws);
  std::uint64_t within_one_sigma = 0;  // [2000, 4000): 68.27%
  for (std::size_t k = 2000; k < 4000; ++k) within_one_sigma += counts[k];
  EXPECT_NEAR(static_cast<double>(within_one_sigma) / draws, 0.6827, 0.01);
  // --key-stddev 10: every draw within 10 deviations of 3000.
  const auto narrow = draw_counts({6000, KeyPattern::kGaussian, 1, 10, false}, 1000);
  std::uint64_t near_middle = 0;
  for (std::size_t k = 2900; k <= 3100; ++k) near_middle += narrow[k];
  EXPECT_EQ(near_middle, 1000u);
}

TEST(KeyDrawerTest, UniformAndSequential) {
  const auto uniform = draw_counts({10, KeyPattern::kUniform, 1, 0, false}, 100000);
  for (std::uint64_t c : uniform) EXPECT_NEAR(static_cast<double>(c), 10000, 500);
  KeyDrawer seq({3, KeyPattern::kSequential, 1, 0, false}, 1);
  std::vector<std::uint64_t> got;
  for (int i = 0; i < 7; ++i) got.push_back(seq.next());
  EXPECT_EQ(got, (std::vector<std::uint64_t>{0, 1, 2, 0, 1, 2, 0}));
}

TEST(KeyDrawerTest, OnePerRequestGivesEverySlotTheSameNumber) {
  KeyDrawer keys({1000000, KeyPattern::kUniform, 1, 0, true}, 5);
  auto t = RequestTemplate::resp(test_command("SET", 30, true));
  EXPECT_EQ(t.slot_count(), 3u);  // the key and two in the value; then 6 'x's
  std::string out(t.size(), '?');
  t.write(out.data(), keys);
  const auto at = out.find("key:") + 4;
  const std::string n = out.substr(at, 12);
  EXPECT_NE(out.find("$30\r\n" + n + n + "xxxxxx\r\n"), std::string::npos) << out;
  EXPECT_EQ(keyed_value(std::stoull(n), 30), n + n + "xxxxxx");
}

}  // namespace tcpkit::bench
