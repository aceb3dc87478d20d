#pragma once
// The append-only file's formats, sans-I/O: the records (RESP arrays of bulk strings, as Redis
// writes them) and the manifest of Redis 7.0's multi-part AOF.
//
// A record is one command:
//
//   *<argc>\r\n  then per argument  $<len>\r\n<bytes>\r\n
//
// The parser reads one record at an offset and says which of three things it found: a whole
// record (its arguments and its end), the file ending inside a record (truncated: a crash
// mid-write), or bytes that are no record (corrupt). The loader drops a truncated tail and stops
// at a corrupt record with its offset.
//
// The manifest (appenddirname/appendfilename.manifest) lists the files, oldest first:
//
//   file appendonly.aof.1.base.rdb seq 1 type b\n
//   file appendonly.aof.1.incr.aof seq 1 type i\n
//
// type b is the base (an RDB snapshot here), i an incremental file of records, h a file kept
// as history (ignored when loading). Redis 7.0.15 and redis-check-aof 7.0.15 read it.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tcpkit::kv::aof {

// Appends one record for `args` to `out`.
void append_record(std::string& out, std::span<const std::string_view> args);
void append_record(std::string& out, std::initializer_list<std::string_view> args);

struct ParsedRecord {
  enum class Status { kOk, kTruncated, kCorrupt };
  Status status = Status::kOk;
  std::vector<std::string_view> args;  // views into the parsed bytes (kOk)
  std::size_t end = 0;                 // offset just past the record (kOk)
  std::string error;                   // what was expected where (kCorrupt)
};

// Parses the record that starts at `offset` of `bytes` (offset < bytes.size()).
ParsedRecord parse_record(std::string_view bytes, std::size_t offset);

struct ManifestEntry {
  std::string file;
  std::int64_t seq = 0;
  char type = 'i';  // 'b' base, 'i' incremental, 'h' history
};

struct Manifest {
  std::vector<ManifestEntry> entries;
  const ManifestEntry* base() const;
  std::vector<const ManifestEntry*> incrs() const;
  std::int64_t last_incr_seq() const;
  std::int64_t last_base_seq() const;
};

// Nullopt (with `error` set) for a line that is not "file <name> seq <n> type <b|i|h>".
std::optional<Manifest> parse_manifest(std::string_view text, std::string* error);
std::string format_manifest(const Manifest& manifest);

// File names as Redis 7.0 makes them from appendfilename ("appendonly.aof").
std::string base_name(std::string_view appendfilename, std::int64_t seq);  // ….<seq>.base.rdb
std::string incr_name(std::string_view appendfilename, std::int64_t seq);  // ….<seq>.incr.aof
std::string manifest_name(std::string_view appendfilename);                // ….manifest

}  // namespace tcpkit::kv::aof
