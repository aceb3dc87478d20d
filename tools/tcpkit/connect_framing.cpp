#include "connect_framing.hpp"

#include "tcpkit/codec/length_prefix.hpp"
#include "tcpkit/codec/line.hpp"

namespace tcpkit::cli {

namespace {

constexpr std::size_t kMaxStdinLine = 32u << 20;

class RawFramer final : public Framer {
 public:
  void encode(std::string_view input, io::Buffer& out, std::deque<std::size_t>& messages) override {
    out.append(input);
    messages.push_back(input.size());
  }
  void encode_rest(io::Buffer&, std::deque<std::size_t>&) override {}
  std::string decode(std::string_view input, std::string& printed) override {
    printed.append(input);
    return {};
  }
  std::string finish() override { return {}; }
};

// Splits stdin into lines; subclasses say how a line goes on the wire and how replies print.
class LineSplitter : public Framer {
 public:
  LineSplitter() : lines_(kMaxStdinLine) {}

  void encode(std::string_view input, io::Buffer& out, std::deque<std::size_t>& messages) override {
    stdin_.append(input);
    for (;;) {
      auto r = lines_.decode(stdin_.view());
      if (r.status == codec::DecodeStatus::kNeedMore) break;
      if (r.status == codec::DecodeStatus::kError) {  // a line over 32 MiB: send it as it is
        emit(stdin_.view(), out, messages);
        stdin_.clear();
        lines_.reset();
        break;
      }
      emit(lines_.line(), out, messages);
      stdin_.consume(r.consumed);
    }
  }
  void encode_rest(io::Buffer& out, std::deque<std::size_t>& messages) override {
    if (!stdin_.empty()) emit(stdin_.view(), out, messages);
    stdin_.clear();
  }

 protected:
  virtual void emit(std::string_view line, io::Buffer& out, std::deque<std::size_t>& messages) = 0;

 private:
  codec::LineDecoder lines_;
  io::Buffer stdin_;
};

class LineFramer final : public LineSplitter {
 public:
  std::string decode(std::string_view input, std::string& printed) override {
    printed.append(input);
    return {};
  }
  std::string finish() override { return {}; }

 private:
  void emit(std::string_view line, io::Buffer& out, std::deque<std::size_t>& messages) override {
    const std::size_t before = out.size();
    codec::encode_line(out, line);
    messages.push_back(out.size() - before);
  }
};

class LengthFramer final : public LineSplitter {
 public:
  std::string decode(std::string_view input, std::string& printed) override {
    received_.append(input);
    for (;;) {
      auto r = frames_.decode(received_.view());
      if (r.status == codec::DecodeStatus::kNeedMore) return {};
      if (r.status == codec::DecodeStatus::kError) return frames_.error().text;
      printed.append(frames_.payload());
      printed.push_back('\n');
      received_.consume(r.consumed);
    }
  }
  std::string finish() override {
    if (auto e = frames_.finish(received_.view())) return e->text;
    return {};
  }

 private:
  void emit(std::string_view line, io::Buffer& out, std::deque<std::size_t>& messages) override {
    const std::size_t before = out.size();
    codec::encode_length_prefixed(out, line);
    messages.push_back(out.size() - before);
  }

  codec::LengthPrefixDecoder frames_;
  io::Buffer received_;
};

}  // namespace

std::unique_ptr<Framer> make_framer(const std::string& name) {
  if (name == "line") return std::make_unique<LineFramer>();
  if (name == "length") return std::make_unique<LengthFramer>();
  return std::make_unique<RawFramer>();
}

}  // namespace tcpkit::cli
