// AOF records and the manifest (see aof_format.hpp).

#include "kv/aof_format.hpp"

#include <charconv>

namespace tcpkit::kv::aof {

namespace {

void append_header(std::string& out, char kind, std::size_t n) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
  (void)ec;
  out.push_back(kind);
  out.append(digits, end);
  out.append("\r\n");
}

// Reads "<kind><digits>\r\n" at `pos`. kTruncated when the bytes end first.
ParsedRecord::Status read_header(std::string_view bytes, std::size_t& pos, char kind,
                                 std::size_t& n, std::string& error) {
  if (pos >= bytes.size()) return ParsedRecord::Status::kTruncated;
  if (bytes[pos] != kind) {
    error = std::string("expected '") + kind + "'";
    return ParsedRecord::Status::kCorrupt;
  }
  const std::size_t eol = bytes.find("\r\n", pos + 1);
  if (eol == std::string_view::npos) {
    // Digits up to the end of the file: a header cut short, unless already not a number.
    for (std::size_t i = pos + 1; i < bytes.size(); ++i) {
      if ((bytes[i] < '0' || bytes[i] > '9') && !(bytes[i] == '\r' && i + 1 == bytes.size())) {
        error = "expected a number";
        return ParsedRecord::Status::kCorrupt;
      }
    }
    return ParsedRecord::Status::kTruncated;
  }
  const char* first = bytes.data() + pos + 1;
  const char* last = bytes.data() + eol;
  auto [p, ec] = std::from_chars(first, last, n);
  if (ec != std::errc() || p != last || first == last) {
    error = "expected a number";
    return ParsedRecord::Status::kCorrupt;
  }
  pos = eol + 2;
  return ParsedRecord::Status::kOk;
}

}  // namespace

void append_record(std::string& out, std::span<const std::string_view> args) {
  append_header(out, '*', args.size());
  for (std::string_view a : args) {
    append_header(out, '$', a.size());
    out.append(a);
    out.append("\r\n");
  }
}

void append_record(std::string& out, std::initializer_list<std::string_view> args) {
  append_record(out, std::span<const std::string_view>(args.begin(), args.size()));
}

ParsedRecord parse_record(std::string_view bytes, std::size_t offset) {
  ParsedRecord r;
  std::size_t pos = offset;
  std::size_t argc = 0;
  r.status = read_header(bytes, pos, '*', argc, r.error);
  if (r.status != ParsedRecord::Status::kOk) return r;
  if (argc == 0) {
    r.status = ParsedRecord::Status::kCorrupt;
    r.error = "a command with no arguments";
    return r;
  }
  // Each argument needs at least "$0\r\n\r\n": a count the file cannot hold is no reason to
  // allocate for it.
  if (argc > (bytes.size() - pos) / 6 + 1) {
    r.status = ParsedRecord::Status::kTruncated;
    return r;
  }
  r.args.reserve(argc);
  for (std::size_t i = 0; i < argc; ++i) {
    std::size_t len = 0;
    r.status = read_header(bytes, pos, '$', len, r.error);
    if (r.status != ParsedRecord::Status::kOk) return r;
    if (bytes.size() - pos < len + 2) {
      r.status = ParsedRecord::Status::kTruncated;
      r.args.clear();
      return r;
    }
    if (bytes.compare(pos + len, 2, "\r\n") != 0) {
      r.status = ParsedRecord::Status::kCorrupt;
      r.error = "expected CRLF after an argument";
      r.args.clear();
      return r;
    }
    r.args.push_back(bytes.substr(pos, len));
    pos += len + 2;
  }
  r.end = pos;
  return r;
}

const ManifestEntry* Manifest::base() const {
  for (const ManifestEntry& e : entries) {
    if (e.type == 'b') return &e;
  }
  return nullptr;
}

std::vector<const ManifestEntry*> Manifest::incrs() const {
  std::vector<const ManifestEntry*> out;
  for (const ManifestEntry& e : entries) {
    if (e.type == 'i') out.push_back(&e);
  }
  return out;
}

std::int64_t Manifest::last_incr_seq() const {
  std::int64_t seq = 0;
  for (const ManifestEntry& e : entries) {
    if (e.type == 'i' && e.seq > seq) seq = e.seq;
  }
  return seq;
}

std::int64_t Manifest::last_base_seq() const {
  const ManifestEntry* b = base();
  return b == nullptr ? 0 : b->seq;
}

std::optional<Manifest> parse_manifest(std::string_view text, std::string* error) {
  Manifest m;
  std::size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    std::size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string_view> words;
    while (!line.empty()) {
      const std::size_t space = line.find(' ');
      if (space != 0) words.push_back(line.substr(0, space));
      if (space == std::string_view::npos) break;
      line.remove_prefix(space + 1);
    }
    ManifestEntry e;
    bool ok = words.size() == 6 && words[0] == "file" && words[2] == "seq" && words[4] == "type" &&
              words[5].size() == 1;
    if (ok) {
      e.file = std::string(words[1]);
      e.type = words[5][0];
      auto [p, ec] = std::from_chars(words[3].data(), words[3].data() + words[3].size(), e.seq);
      ok = ec == std::errc() && p == words[3].data() + words[3].size() &&
           e.file.find('/') == std::string::npos;
      ok = ok && (e.type == 'b' || e.type == 'i' || e.type == 'h');
    }
    if (!ok) {
      if (error != nullptr) *error = "line " + std::to_string(line_no) + " is not a manifest line";
      return std::nullopt;
    }
    m.entries.push_back(std::move(e));
  }
  return m;
}

std::string format_manifest(const Manifest& manifest) {
  std::string out;
  for (const ManifestEntry& e : manifest.entries) {
    out += "file " + e.file + " seq " + std::to_string(e.seq) + " type " + e.type + "\n";
  }
  return out;
}

std::string base_name(std::string_view appendfilename, std::int64_t seq) {
  return std::string(appendfilename) + "." + std::to_string(seq) + ".base.rdb";
}

std::string incr_name(std::string_view appendfilename, std::int64_t seq) {
  return std::string(appendfilename) + "." + std::to_string(seq) + ".incr.aof";
}

std::string manifest_name(std::string_view appendfilename) {
  return std::string(appendfilename) + ".manifest";
}

}  // namespace tcpkit::kv::aof
