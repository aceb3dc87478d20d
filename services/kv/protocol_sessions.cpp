// The two wire protocols of a kv session: RESP2 and the native typed protocol. Both run the
// same loop — decode every whole request, run it, append its reply — and differ only in the
// decoder and in how one reply is framed (see kv_session.hpp).

#include <mutex>
#include <string>

#include "kv/kv_session.hpp"
#include "kv/protocol_sessions.hpp"
#include "tcpkit/codec/native.hpp"
#include "tcpkit/codec/resp.hpp"
#include "tcpkit/codec/typed.hpp"

namespace tcpkit::kv {

namespace {

// RESP: replies are appended back to back.
struct RespFraming {
  template <class Fn>
  static void reply(io::Buffer& out, Fn&& fn) {
    codec::RespWriter writer(out);
    fn(writer);
  }
};

// Native: each reply is one length-prefixed frame holding one typed value.
struct NativeFraming {
  template <class Fn>
  static void reply(io::Buffer& out, Fn&& fn) {
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

  server::Progress on_bytes(std::string_view input, io::Buffer& output,
                            std::size_t room) override {
    server::Progress progress;
    if (rejected()) {
      Framing::reply(output, [](codec::ReplyWriter& w) {
        w.error(error_text(KvError::kMaxClients));
      });
      return {input.size(), true};
    }
    std::unique_lock<std::mutex> lock(service().store().mutex(), std::defer_lock);
    const std::size_t start = output.size();
    while (progress.consumed < input.size() && output.size() - start < room) {
      const codec::DecodeResult r = decoder_.decode(input.substr(progress.consumed));
      if (r.status == codec::DecodeStatus::kNeedMore) break;
      if (r.status == codec::DecodeStatus::kError) {
        const std::string text = "ERR " + decoder_.error().text;
        Framing::reply(output, [&](codec::ReplyWriter& w) { w.error(text); });
        progress.close = true;
        return progress;
      }
      progress.consumed += r.consumed;
      const auto args = decoder_.args();
      if (args.empty()) continue;  // an empty inline line, skipped as Redis does
      if (!lock.owns_lock()) lock.lock();
      bool close = false;
      Framing::reply(output, [&](codec::ReplyWriter& w) { close = dispatch(args, w); });
      if (close) {
        progress.close = true;
        return progress;
      }
    }
    return progress;
  }

 private:
  Decoder decoder_;
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

std::size_t resp_session_size() {
  return sizeof(ProtocolSession<codec::RespRequestDecoder, RespFraming>);
}

}  // namespace tcpkit::kv
