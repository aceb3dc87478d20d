// The two wire protocols of a kv session: RESP2 and the native typed protocol. Both run the
// same loop — decode every whole request, run it, append its reply — and differ only in the
// decoder and in how one reply is framed (see kv_session.hpp).

#include "kv/protocol_sessions.hpp"

#include <string>
#include <type_traits>

#include "kv/kv_session.hpp"
#include "tcpkit/codec/native.hpp"
#include "tcpkit/codec/resp.hpp"
#include "tcpkit/codec/typed.hpp"

namespace tcpkit::kv {

namespace {

// RESP: replies are appended back to back, each in the connection's RESP version (HELLO and
// RESET switch the writer itself, mid-reply; the next reply starts from ClientState::resp).
struct RespFraming {
  template <class Fn>
  static void reply(io::Buffer& out, int resp, Fn&& fn) {
    codec::RespWriter writer(out,
                             resp == 3 ? codec::RespVersion::kResp3 : codec::RespVersion::kResp2);
    fn(writer);
  }
};

// Native: each reply is one length-prefixed frame holding one typed value.
struct NativeFraming {
  template <class Fn>
  static void reply(io::Buffer& out, int /*resp*/, Fn&& fn) {
    const std::size_t mark = codec::begin_native_reply(out);
    codec::TypedWriter writer(out);
    fn(writer);
    codec::end_native_reply(out, mark);
  }
};

template <class Decoder, class Framing>
class ProtocolSession final : public KvSession {
 public:
  ProtocolSession(KvService& service, const server::SessionInfo& info, Decoder decoder)
      : KvSession(service, info), decoder_(std::move(decoder)) {}

  server::Progress on_bytes(std::string_view input, io::Buffer& output, std::size_t room) override {
    server::Progress progress;
    if (const auto refused = refusal()) {
      Framing::reply(output, state().resp, [&](codec::ReplyWriter& w) { w.error(*refused); });
      return {input.size(), true};
    }
    // The shards dispatch() takes stay held across the batch; released on every way out.
    struct Release {
      KvSession& session;
      ~Release() { session.release_shards(); }
    } release{*this};
    if (blocked() && !resume(output, progress)) return progress;
    const std::size_t start = output.size();
    while (progress.consumed < input.size() && output.size() - start < room) {
      apply_auth_limits();
      const codec::DecodeResult r = decoder_.decode(input.substr(progress.consumed));
      if (r.status == codec::DecodeStatus::kNeedMore) break;
      if (r.status == codec::DecodeStatus::kError) {
        const std::string text = "ERR " + decoder_.error().text;
        Framing::reply(output, state().resp, [&](codec::ReplyWriter& w) { w.error(text); });
        progress.close = true;
        return progress;
      }
      const auto args = decoder_.args();
      if (!args.empty()) {
        // CLIENT PAUSE: the command waits in the input, unrun, until the pause ends.
        if (const auto until = postponed(args)) {
          progress.waiting = true;
          progress.wake_at = until;
          return progress;
        }
      }
      progress.consumed += r.consumed;
      if (args.empty()) continue;  // an empty inline line, skipped as Redis does
      // Messages already pushed to this connection go before this reply, as they would in
      // Redis's single output stream (a RESP3 client's UNSUBSCRIBE confirms after them).
      if (const auto& outlet = state().outlet; outlet && outlet->pending() > 0) {
        (void)outlet->take(output);
      }
      bool close = false;
      const std::size_t mark = output.size();
      const bool skipping = state().reply_skip;
      Framing::reply(output, state().resp,
                     [&](codec::ReplyWriter& w) { close = dispatch(args, w); });
      // CLIENT REPLY: OFF as it stands after the command (ON answers, OFF does not), SKIP
      // from before it.
      if (skipping || state().reply_off) output.truncate(mark);
      advance_reply_skip();
      if (close) {
        progress.close = true;
        return progress;
      }
      if (blocked()) break;  // the requests after a blocking command wait for its answer
    }
    progress.waiting = state().subscribed() || blocked() || state().monitor.load();
    if (blocked()) progress.wake_at = block_deadline();
    return progress;
  }

  // A refused client that half-closes without a word still gets the error (redis-server sends
  // it at accept; a session can first speak when the connection has input or EOF).
  void on_eof(std::string_view, io::Buffer& output) override {
    if (const auto refused = refusal()) {
      Framing::reply(output, state().resp, [&](codec::ReplyWriter& w) { w.error(*refused); });
    }
  }

 private:
  // A blocked session looks at its blocking command: still waiting (false, with `progress`
  // saying until when), or answered (its reply written: true, go on with the input).
  bool resume(io::Buffer& output, server::Progress& progress) {
    Resumed r = resume_blocked();
    switch (r.kind) {
      case Resumed::kWaiting:
        progress.waiting = true;
        progress.wake_at = r.wake_at;
        return false;
      case Resumed::kServed:
        output.append(r.reply);
        break;
      case Resumed::kNull:
        Framing::reply(output, state().resp, [](codec::ReplyWriter& w) { w.null_array(); });
        break;
      case Resumed::kZero:
        Framing::reply(output, state().resp, [](codec::ReplyWriter& w) { w.integer(0); });
        break;
      case Resumed::kUnblockError:
        Framing::reply(output, state().resp, [](codec::ReplyWriter& w) {
          w.error("UNBLOCKED client unblocked via CLIENT UNBLOCK");
        });
        break;
      case Resumed::kRetry: {
        const std::vector<std::string_view> args(r.args.begin(), r.args.end());
        bool close = false;
        Framing::reply(output, state().resp,
                       [&](codec::ReplyWriter& w) { close = dispatch(args, w); });
        progress.close = close;
        if (close) return false;
        if (blocked()) {
          progress.waiting = true;
          progress.wake_at = block_deadline();
          return false;
        }
        break;
      }
    }
    return true;
  }

  // Holds RESP requests to Redis's unauthenticated limits exactly while auth_required():
  // switched before each request, so a pipelined "AUTH; big request" is accepted as in Redis,
  // and RESET (or a password set by CONFIG SET after connecting) brings the limits back.
  void apply_auth_limits() {
    if constexpr (std::is_same_v<Decoder, codec::RespRequestDecoder>) {
      const bool restricted = auth_required();
      if (restricted == restricted_) return;
      restricted_ = restricted;
      codec::RespLimits limits = decoder_.limits();
      limits.unauthenticated_max_array_length =
          restricted ? kUnauthenticatedMaxArgs : codec::kNoLimit;
      limits.unauthenticated_max_bulk_length =
          restricted ? kUnauthenticatedMaxBulk : codec::kNoLimit;
      decoder_.set_limits(limits);
    }
  }

  Decoder decoder_;
  bool restricted_ = false;  // the decoder holds the unauthenticated limits
};

}  // namespace

std::unique_ptr<KvSession> make_protocol_session(KvService& service,
                                                 const server::SessionInfo& info,
                                                 std::size_t max_bulk_length) {
  if (service.protocol() == Protocol::kNative) {
    const std::size_t max_frame = max_bulk_length + 1024 * 1024;
    return std::make_unique<ProtocolSession<codec::NativeRequestDecoder, NativeFraming>>(
        service, info, codec::NativeRequestDecoder(max_frame));
  }
  codec::RespLimits limits;
  limits.max_bulk_length = max_bulk_length;
  return std::make_unique<ProtocolSession<codec::RespRequestDecoder, RespFraming>>(
      service, info, codec::RespRequestDecoder(limits));
}

std::string refusal_reply(Protocol protocol, std::string_view error) {
  io::Buffer out;
  const auto say = [&](codec::ReplyWriter& w) { w.error(error); };
  protocol == Protocol::kNative ? NativeFraming::reply(out, 2, say)
                                : RespFraming::reply(out, 2, say);
  return std::string(out.view());
}

std::size_t resp_session_size() {
  return sizeof(ProtocolSession<codec::RespRequestDecoder, RespFraming>);
}

}  // namespace tcpkit::kv
