#pragma once
// KvError: every domain error kv can reply with. The texts live in errors.cpp, and only there,
// worded exactly as Redis 7.0 words them (the ReplyWriter adds the protocol's decoration:
// "-" and CRLF in RESP). Errors whose text names a command or an argument are built by the
// format functions below, also in errors.cpp.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace tcpkit::kv {

enum class KvError {
  kSyntax,
  kNotInteger,
  kNotFloat,
  kOverflow,
  kDecrementOverflow,
  kNanOrInfinity,
  kWrongType,
  // lists and hashes
  kIndexOutOfRange,
  kRankZero,
  kCountNegative,
  kMaxlenNegative,
  kNumkeysNotPositive,
  kCountNotPositive,
  kHashNotInteger,
  kHashNotFloat,
  kIncrementNanOrInfinity,
  kOutOfRange,
  kOutOfLongRange,
  kNoSuchKey,
  kSameObject,
  kDbIndexOutOfRange,
  kInvalidFirstDb,
  kInvalidSecondDb,
  kInvalidCursor,
  kOom,
  kNoAuth,
  kWrongPass,
  kAuthWithoutPassword,
  kNoProto,
  kProtocolVersion,
  kMultiNested,
  kExecWithoutMulti,
  kDiscardWithoutMulti,
  kWatchInsideMulti,
  kExecAbort,
  kOffsetOutOfRange,
  kStringTooLong,
  kBadClientName,
  kExpireNxWithOthers,
  kExpireGtAndLt,
  kMaxClients,
  kTimeoutNotInteger,
  kCountOutOfRange,
  kHelloNoAuth,
  kNoLfu,
  kInvalidClientId,
  kConfigRewrite,
  kProtectedMode,
  // persistence
  kBgsaveInProgress,
  kSaveFailed,
  kShutdownFailed,
  kNoShutdownInProgress,
  kBusyScript,    // a script (EVAL) past busy-reply-threshold runs
  kBusyFunction,  // the same for a function (FCALL)
  kNotInTransaction,
  kInvalidSaveParams,
  kNotifyClass,
  kLfuUnsupported,
  kPolicyChoices,
  kDbfilenameIsPath,
  // SORT
  kSortNotDouble,
  // bitmaps, LCS and HyperLogLog
  kBitOffset,
  kBitValue,
  kBitposBit,
  kBitopNotOneKey,
  kBitfieldType,
  kBitfieldOverflowType,
  kBitfieldReadOnly,
  kLcsLenAndIdx,
  kLcsNotStrings,
  kLcsTooBig,
  kHllWrongType,
  kHllInvalid,
  // sets
  kNumkeysTooMany,
  // sorted sets
  kZaddXxAndNx,
  kZaddGtLtNx,
  kZaddIncrSinglePair,
  kScoreNan,
  kMinMaxNotFloat,
  kMinMaxNotLex,
  kLimitNeedsRange,
  kWithscoresBylex,
  kWeightNotFloat,
  kLimitNegative,
};

// The reply text of `e`, without protocol decoration.
std::string_view error_text(KvError e);

// "ERR unknown command 'foo', with args beginning with: 'a' 'b' "
std::string unknown_command_error(std::span<const std::string_view> args);
// "ERR wrong number of arguments for 'get' command" (`name` is the lowercase full name,
// "config|get" for a subcommand).
std::string arity_error(std::string_view name);
// "ERR unknown subcommand 'foo'. Try CLIENT HELP."
std::string unknown_subcommand_error(std::string_view command, std::string_view sub);
// Redis's addReplySubcommandSyntaxError: a known subcommand with arguments it cannot take.
std::string subcommand_syntax_error(std::string_view command, std::string_view sub);
// "ERR invalid expire time in 'set' command"
std::string invalid_expire_error(std::string_view command);
// "ERR Unsupported option foo" (EXPIRE's NX/XX/GT/LT position)
std::string unsupported_option_error(std::string_view option);
// "ERR Syntax error in HELLO option 'foo'"
std::string hello_option_error(std::string_view option);
// "ERR Unknown client type 'foo'"
std::string unknown_client_type_error(std::string_view type);
// Redis 7.2's CLIENT SETINFO: "ERR Unrecognized option 'foo'" for an attribute other than
// lib-name and lib-ver, and "ERR lib-name cannot contain spaces, newlines or special
// characters." (the attribute as the client spelled it) for a value with such a byte.
std::string setinfo_option_error(std::string_view attribute);
std::string setinfo_value_error(std::string_view attribute);
// "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"
std::string config_unknown_option_error(std::string_view option);
// "ERR at least 1 input key is needed for 'zunionstore' command"
std::string numkeys_needed_error(std::string_view command);
// Why CONFIG SET refused a value.
enum class ConfigReason {
  kNotMemory,
  kNotInteger,
  kTooSmall,
  kImmutable,
  kUnsupportedValue,
  kNotYesNo,
};
// "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - <reason>"; `minimum` and
// `maximum` are quoted by kTooSmall ("argument must be between 1 and 9223372036854775807
// inclusive").
std::string config_set_failed_error(std::string_view option, ConfigReason reason,
                                    std::int64_t minimum = 0, std::int64_t maximum = INT64_MAX);
// The same with the reason given as text (a system error's, or error_text() of a KvError).
std::string config_set_failed_error(std::string_view option, std::string_view why);

}  // namespace tcpkit::kv
