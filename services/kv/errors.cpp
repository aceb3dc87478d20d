// The one place where kv's error texts are written (see errors.hpp).

#include "kv/errors.hpp"

#include <algorithm>
#include <cctype>

namespace tcpkit::kv {

std::string_view error_text(KvError e) {
  switch (e) {
    case KvError::kSyntax:
      return "ERR syntax error";
    case KvError::kNotInteger:
      return "ERR value is not an integer or out of range";
    case KvError::kNotFloat:
      return "ERR value is not a valid float";
    case KvError::kOverflow:
      return "ERR increment or decrement would overflow";
    case KvError::kDecrementOverflow:
      return "ERR decrement would overflow";
    case KvError::kNanOrInfinity:
      return "ERR increment would produce NaN or Infinity";
    case KvError::kWrongType:
      return "WRONGTYPE Operation against a key holding the wrong kind of value";
    case KvError::kIndexOutOfRange:
      return "ERR index out of range";
    case KvError::kRankZero:
      return "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
             "or use negative to start from the end of the list";
    case KvError::kCountNegative:
      return "ERR COUNT can't be negative";
    case KvError::kMaxlenNegative:
      return "ERR MAXLEN can't be negative";
    case KvError::kNumkeysNotPositive:
      return "ERR numkeys should be greater than 0";
    case KvError::kCountNotPositive:
      return "ERR count should be greater than 0";
    case KvError::kHashNotInteger:
      return "ERR hash value is not an integer";
    case KvError::kHashNotFloat:
      return "ERR hash value is not a float";
    case KvError::kIncrementNanOrInfinity:
      return "ERR value is NaN or Infinity";
    case KvError::kOutOfRange:
      return "ERR value is out of range";
    case KvError::kOutOfLongRange:
      return "ERR value is out of range, value must between -9223372036854775807 and "
             "9223372036854775807";
    case KvError::kNoSuchKey:
      return "ERR no such key";
    case KvError::kSameObject:
      return "ERR source and destination objects are the same";
    case KvError::kDbIndexOutOfRange:
      return "ERR DB index is out of range";
    case KvError::kInvalidFirstDb:
      return "ERR invalid first DB index";
    case KvError::kInvalidSecondDb:
      return "ERR invalid second DB index";
    case KvError::kInvalidCursor:
      return "ERR invalid cursor";
    case KvError::kOom:
      return "OOM command not allowed when used memory > 'maxmemory'.";
    case KvError::kNoAuth:
      return "NOAUTH Authentication required.";
    case KvError::kWrongPass:
      return "WRONGPASS invalid username-password pair or user is disabled.";
    case KvError::kAuthWithoutPassword:
      return "ERR AUTH <password> called without any password configured for the default user. "
             "Are you sure your configuration is correct?";
    case KvError::kNoProto:
      return "NOPROTO unsupported protocol version";
    case KvError::kProtocolVersion:
      return "ERR Protocol version is not an integer or out of range";
    case KvError::kMultiNested:
      return "ERR MULTI calls can not be nested";
    case KvError::kExecWithoutMulti:
      return "ERR EXEC without MULTI";
    case KvError::kDiscardWithoutMulti:
      return "ERR DISCARD without MULTI";
    case KvError::kWatchInsideMulti:
      return "ERR WATCH inside MULTI is not allowed";
    case KvError::kExecAbort:
      return "EXECABORT Transaction discarded because of previous errors.";
    case KvError::kOffsetOutOfRange:
      return "ERR offset is out of range";
    case KvError::kStringTooLong:
      return "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
    case KvError::kBadClientName:
      return "ERR Client names cannot contain spaces, newlines or special characters.";
    case KvError::kExpireNxWithOthers:
      return "ERR NX and XX, GT or LT options at the same time are not compatible";
    case KvError::kExpireGtAndLt:
      return "ERR GT and LT options at the same time are not compatible";
    case KvError::kMaxClients:
      return "ERR max number of clients reached";
    case KvError::kTimeoutNotInteger:
      return "ERR timeout is not an integer or out of range";
    case KvError::kCountOutOfRange:
      return "ERR value is out of range, must be positive";
    case KvError::kHelloNoAuth:
      return "NOAUTH HELLO must be called with the client already authenticated, otherwise the "
             "HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and "
             "select the RESP protocol version at the same time";
    case KvError::kNoLfu:
      return "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please "
             "note that when switching between policies at runtime LRU and LFU data will take "
             "some time to adjust.";
    case KvError::kInvalidClientId:
      return "ERR Invalid client ID";
    case KvError::kConfigRewrite:
      return "ERR The server is running without a config file";
    case KvError::kBgsaveInProgress:
      return "ERR Background save already in progress";
    case KvError::kSaveFailed:
      return "ERR";  // Redis's shared.err: the reason goes to the log
    case KvError::kShutdownFailed:
      return "ERR Errors trying to SHUTDOWN. Check logs.";
    case KvError::kNotInTransaction:
      return "ERR Command not allowed inside a transaction";
    case KvError::kNoShutdownInProgress:
      return "ERR No shutdown in progress.";
    case KvError::kBusyScript:
      return "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN "
             "NOSAVE.";
    case KvError::kBusyFunction:
      return "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN "
             "NOSAVE.";
    case KvError::kInvalidSaveParams:
      return "Invalid save parameters";
    case KvError::kNotifyClass:
      return "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
    case KvError::kLfuUnsupported:
      return "the LFU policies are not supported by kv (it keeps no access frequencies)";
    case KvError::kPolicyChoices:
      return "argument(s) must be one of the following: volatile-lru, volatile-lfu, "
             "volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, "
             "noeviction";
    case KvError::kDbfilenameIsPath:
      return "dbfilename can't be a path, just a filename";
    case KvError::kProtectedMode:
      // Redis 7.0.15's text, typo ("a an") included; redis-server sends it to a refused
      // client as soon as it connects.
      return "DENIED Redis is running in protected mode because protected mode is enabled and "
             "no password is set for the default user. In this mode connections are only "
             "accepted from the loopback interface. If you want to connect from external "
             "computers to Redis you may adopt one of the following solutions: 1) Just disable "
             "protected mode sending the command 'CONFIG SET protected-mode no' from the "
             "loopback interface by connecting to Redis from the same host the server is "
             "running, however MAKE SURE Redis is not publicly accessible from internet if you "
             "do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can "
             "just disable the protected mode by editing the Redis configuration file, and "
             "setting the protected mode option to 'no', and then restarting the server. 3) If "
             "you started the server manually just for testing, restart it with the "
             "'--protected-mode no' option. 4) Setup a an authentication password for the "
             "default user. NOTE: You only need to do one of the above things in order for the "
             "server to start accepting connections from the outside.";
    case KvError::kSortNotDouble:
      return "ERR One or more scores can't be converted into double";
    case KvError::kBitOffset:
      return "ERR bit offset is not an integer or out of range";
    case KvError::kBitValue:
      return "ERR bit is not an integer or out of range";
    case KvError::kBitposBit:
      return "ERR The bit argument must be 1 or 0.";
    case KvError::kBitopNotOneKey:
      return "ERR BITOP NOT must be called with a single source key.";
    case KvError::kBitfieldType:
      return "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not "
             "supported but i64 is.";
    case KvError::kBitfieldOverflowType:
      return "ERR Invalid OVERFLOW type specified";
    case KvError::kBitfieldReadOnly:
      return "ERR BITFIELD_RO only supports the GET subcommand";
    case KvError::kLcsLenAndIdx:
      return "ERR If you want both the length and indexes, please just use IDX.";
    case KvError::kLcsNotStrings:
      return "ERR The specified keys must contain string values";
    case KvError::kLcsTooBig:
      return "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len";
    case KvError::kHllWrongType:
      return "WRONGTYPE Key is not a valid HyperLogLog string value.";
    case KvError::kHllInvalid:
      return "INVALIDOBJ Corrupted HLL object detected";
    case KvError::kNumkeysTooMany:
      return "ERR Number of keys can't be greater than number of args";
    case KvError::kZaddXxAndNx:
      return "ERR XX and NX options at the same time are not compatible";
    case KvError::kZaddGtLtNx:
      return "ERR GT, LT, and/or NX options at the same time are not compatible";
    case KvError::kZaddIncrSinglePair:
      return "ERR INCR option supports a single increment-element pair";
    case KvError::kScoreNan:
      return "ERR resulting score is not a number (NaN)";
    case KvError::kMinMaxNotFloat:
      return "ERR min or max is not a float";
    case KvError::kMinMaxNotLex:
      return "ERR min or max not valid string range item";
    case KvError::kLimitNeedsRange:
      return "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or "
             "BYLEX";
    case KvError::kWithscoresBylex:
      return "ERR syntax error, WITHSCORES not supported in combination with BYLEX";
    case KvError::kWeightNotFloat:
      return "ERR weight value is not a float";
    case KvError::kLimitNegative:
      return "ERR LIMIT can't be negative";
  }
  return "ERR";
}

namespace {

// Redis replaces CR and LF by spaces in error texts built from client input.
std::string without_newlines(std::string s) {
  std::replace_if(
      s.begin(), s.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
  return s;
}

std::string_view clip(std::string_view s, std::size_t n) {
  return s.substr(0, std::min(s.size(), n));
}

}  // namespace

std::string unknown_command_error(std::span<const std::string_view> args) {
  std::string quoted;
  for (std::size_t i = 1; i < args.size() && quoted.size() < 128; ++i) {
    quoted += '\'';
    quoted += clip(args[i], 128 - quoted.size());
    quoted += "' ";
  }
  std::string text = "ERR unknown command '";
  text += clip(args.empty() ? std::string_view() : args[0], 128);
  text += "', with args beginning with: ";
  text += quoted;
  return without_newlines(std::move(text));
}

std::string arity_error(std::string_view name) {
  return "ERR wrong number of arguments for '" + std::string(name) + "' command";
}

std::string unknown_subcommand_error(std::string_view command, std::string_view sub) {
  std::string upper(command);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return without_newlines("ERR unknown subcommand '" + std::string(clip(sub, 128)) + "'. Try " +
                          upper + " HELP.");
}

std::string subcommand_syntax_error(std::string_view command, std::string_view sub) {
  std::string upper(command);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return without_newlines("ERR unknown subcommand or wrong number of arguments for '" +
                          std::string(clip(sub, 128)) + "'. Try " + upper + " HELP.");
}

std::string numkeys_needed_error(std::string_view command) {
  return "ERR at least 1 input key is needed for '" + std::string(command) + "' command";
}

std::string invalid_expire_error(std::string_view command) {
  return "ERR invalid expire time in '" + std::string(command) + "' command";
}

std::string unsupported_option_error(std::string_view option) {
  return without_newlines("ERR Unsupported option " + std::string(option));
}

std::string hello_option_error(std::string_view option) {
  return without_newlines("ERR Syntax error in HELLO option '" + std::string(option) + "'");
}

std::string unknown_client_type_error(std::string_view type) {
  return without_newlines("ERR Unknown client type '" + std::string(type) + "'");
}

std::string setinfo_option_error(std::string_view attribute) {
  return without_newlines("ERR Unrecognized option '" + std::string(attribute) + "'");
}

std::string setinfo_value_error(std::string_view attribute) {
  return without_newlines("ERR " + std::string(attribute) +
                          " cannot contain spaces, newlines or special characters.");
}

std::string config_unknown_option_error(std::string_view option) {
  return without_newlines("ERR Unknown option or number of arguments for CONFIG SET - '" +
                          std::string(option) + "'");
}

std::string config_set_failed_error(std::string_view option, ConfigReason reason,
                                    std::int64_t minimum, std::int64_t maximum) {
  std::string why;
  switch (reason) {
    case ConfigReason::kNotMemory:
      why = "argument must be a memory value";
      break;
    case ConfigReason::kNotInteger:
      why = "argument couldn't be parsed into an integer";
      break;
    case ConfigReason::kTooSmall:
      why = "argument must be between " + std::to_string(minimum) + " and " +
            std::to_string(maximum) + " inclusive";
      break;
    case ConfigReason::kImmutable:
      why = "can't set immutable config";
      break;
    case ConfigReason::kUnsupportedValue:
      why = "argument(s) must be one of the following: no";
      break;
    case ConfigReason::kNotYesNo:
      why = "argument must be 'yes' or 'no'";
      break;
  }
  return config_set_failed_error(option, std::string_view(why));
}

std::string config_set_failed_error(std::string_view option, std::string_view why) {
  return without_newlines("ERR CONFIG SET failed (possibly related to argument '" +
                          std::string(option) + "') - " + std::string(why));
}

}  // namespace tcpkit::kv
