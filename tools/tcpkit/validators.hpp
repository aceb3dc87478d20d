#pragma once
// Checks for option values that say what is wrong in words ("must be a positive number, got
// 0"), where CLI11's own say "Value 0 not in range 0.000000 to 1797693134862315708145..." with
// all 309 digits of the largest double.

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <string>
#include <vector>

namespace tcpkit::cli {

namespace detail {

// A number, or nullopt when `s` is not one (strtod's syntax, nothing after it).
inline bool parse_number(const std::string& s, double& out) {
  if (s.empty()) return false;
  char* end = nullptr;
  out = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size();
}

}  // namespace detail

// > 0
inline const CLI::Validator kPositive(
    [](std::string& s) -> std::string {
      double v = 0;
      if (!detail::parse_number(s, v)) return "must be a number, got '" + s + "'";
      return v > 0 ? std::string() : "must be a positive number, got " + s;
    },
    "POSITIVE");

// >= 0
inline const CLI::Validator kNonNegative(
    [](std::string& s) -> std::string {
      double v = 0;
      if (!detail::parse_number(s, v)) return "must be a number, got '" + s + "'";
      return v >= 0 ? std::string() : "must not be negative, got " + s;
    },
    "NONNEGATIVE");

// One line for a usage error, and the subcommand's --help named: "tcpkit bench: --connections:
// must be a positive number, got 0; see tcpkit bench --help".
inline std::string one_line_failure(const CLI::App* app, const CLI::Error& e) {
  std::string where = "tcpkit";
  const CLI::App* deepest = app;
  for (std::vector<CLI::App*> parsed = app->get_subcommands(); !parsed.empty();
       parsed = parsed.front()->get_subcommands()) {
    deepest = parsed.front();
    where += " " + deepest->get_name();
  }
  std::string what = e.what();
  // CLI11 names the kind of error first ("ValidationError: "); the text after it says enough.
  for (const char* prefix : {"ValidationError: ", "ConversionError: "}) {
    if (what.rfind(prefix, 0) == 0) what.erase(0, std::string(prefix).size());
  }
  // "Could not convert: --requests = x" says it backwards: "--requests must be a number, got
  // 'x'" (a whole number where the option holds one).
  if (const std::string convert = "Could not convert: "; what.rfind(convert, 0) == 0) {
    const auto eq = what.find(" = ");
    if (eq != std::string::npos) {
      const std::string option = what.substr(convert.size(), eq - convert.size());
      const std::string value = what.substr(eq + 3);
      double number = 0;
      what = detail::parse_number(value, number) && number < 0
                 ? option + " must not be negative, got " + value
                 : option + " must be a whole number, got '" + value + "'";
    }
  }
  // A word where a subcommand belongs: name it and the subcommands there are.
  if (what.rfind("A subcommand is required", 0) == 0 && !deepest->remaining().empty()) {
    const std::string word = deepest->remaining().front();
    what = word.starts_with('-') ? "unknown option " + word + " (a subcommand comes first:"
                                 : "'" + word + "' is not a subcommand (there are";
    for (const CLI::App* sub : deepest->get_subcommands({})) what += " " + sub->get_name();
    what += ")";
  }
  for (char& c : what) {
    if (c == '\n') c = ' ';
  }
  return where + ": " + what + "; see " + where + " --help\n";
}

}  // namespace tcpkit::cli
