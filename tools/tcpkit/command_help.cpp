#include "command_help.hpp"

#include <algorithm>
#include <cctype>

namespace tcpkit::cli {

namespace {

bool iequal(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

bool istarts_with(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && iequal(text.substr(0, prefix.size()), prefix);
}

// The entry's name split at spaces: "CLIENT KILL" -> CLIENT, KILL.
std::vector<std::string_view> name_words(std::string_view name) {
  std::vector<std::string_view> words;
  while (!name.empty()) {
    const auto space = name.find(' ');
    words.push_back(name.substr(0, space));
    name = space == std::string_view::npos ? std::string_view() : name.substr(space + 1);
  }
  return words;
}

bool matches(const CommandHelp& entry, std::span<const std::string> topic) {
  const auto words = name_words(entry.name);
  if (topic.size() > words.size()) return false;
  for (std::size_t i = 0; i < topic.size(); ++i) {
    if (!iequal(topic[i], words[i])) return false;
  }
  return true;
}

// One entry as redis-cli's cliOutputCommandHelp prints it (its colours included: redis-cli
// writes them whether or not stdout is a terminal).
void describe(const CommandHelp& entry, bool with_group, std::string& out) {
  out += "\r\n  \x1b[1m";
  out += entry.name;
  out += "\x1b[0m \x1b[90m";
  out += entry.params;
  out += "\x1b[0m\r\n  \x1b[33msummary:\x1b[0m ";
  out += entry.summary;
  out += "\r\n  \x1b[33msince:\x1b[0m ";
  out += entry.since;
  out += "\r\n";
  if (with_group) {
    out += "  \x1b[33mgroup:\x1b[0m ";
    out += entry.group;
    out += "\r\n";
  }
}

std::string overview(std::string_view program) {
  std::string out(program);
  out +=
      "\n"
      "To get help about Redis commands type:\n"
      "      \"help @<group>\" to get a list of commands in <group>\n"
      "      \"help <command>\" for help on <command>\n"
      "      \"help <tab>\" to get a list of possible help topics\n"
      "      \"quit\" to exit\n";
  return out;
}

}  // namespace

std::string help_text(std::span<const std::string> topic, std::string_view program) {
  if (topic.empty()) return overview(program);
  std::string out;
  if (topic.front().starts_with('@')) {
    const std::string_view group = std::string_view(topic.front()).substr(1);
    for (const CommandHelp& entry : command_help()) {
      if (iequal(entry.group, group)) describe(entry, false, out);
    }
  } else {
    for (const CommandHelp& entry : command_help()) {
      if (matches(entry, topic)) describe(entry, true, out);
    }
  }
  return out + "\r\n";
}

std::vector<std::string> completions(std::string_view typed, bool after_help) {
  std::vector<std::string> out;
  for (const CommandHelp& entry : command_help()) {
    const std::string_view first = name_words(entry.name).front();
    if (istarts_with(first, typed) && (out.empty() || out.back() != first)) {
      out.emplace_back(first);
    }
    if (after_help) {
      const std::string group = std::string("@") + entry.group;
      if (istarts_with(group, typed) && std::find(out.begin(), out.end(), group) == out.end()) {
        out.push_back(group);
      }
    }
  }
  return out;
}

}  // namespace tcpkit::cli
