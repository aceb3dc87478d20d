#pragma once
// What `tcpkit call` says to `help` without asking the server, as redis-cli 7.0 answers it
// from its compiled-in table: the table is redis-server's COMMAND DOCS, transcribed by
// scripts/call-help-table into command_help_table.cpp.

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tcpkit::cli {

// One command or subcommand ("CLIENT KILL"): its arguments as one line, summary, the version
// that brought it and its group ("string", "sorted-set").
struct CommandHelp {
  const char* name;
  const char* params;
  const char* summary;
  const char* since;
  const char* group;
};

// Every entry, sorted by name (generated).
std::span<const CommandHelp> command_help();

// redis-cli's answer to `help TOPIC...`, byte for byte: with no topic the overview (naming
// `program`, e.g. "tcpkit call 0.1.0"); `@group` every command of the group; otherwise every
// entry whose name starts with the given words (case-insensitive), so `help client` lists
// CLIENT and its subcommands. Unknown topics give an empty answer ("\r\n"), as redis-cli's.
std::string help_text(std::span<const std::string> topic, std::string_view program);

// The words a prompt line can complete to: command names (first words of the entries, as
// the table spells them) and, after "help ", also the "@group"s. `typed` is what the word
// under the cursor holds so far; the match is case-insensitive.
std::vector<std::string> completions(std::string_view typed, bool after_help);

}  // namespace tcpkit::cli
