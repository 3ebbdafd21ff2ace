#include "delta/log/commit_timestamps.h"

#include <charconv>
#include <string>

#include "delta/base/errors.h"

namespace deltaline::delta {
namespace {

arrow::Result<std::optional<int64_t>> IntConfig(const StringMap& config,
                                                const std::string& key) {
  auto it = config.find(key);
  if (it == config.end()) return std::nullopt;
  int64_t value = 0;
  const std::string& text = it->second;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0) {
    return ProtocolError("table property " + key + " = '" + text +
                         "' is not a non-negative integer");
  }
  return value;
}

const CommitInfo* FindCommitInfo(const std::vector<Action>& actions) {
  for (const auto& action : actions) {
    if (const auto* ci = std::get_if<CommitInfo>(&action)) return ci;
  }
  return nullptr;
}

bool Covered(const InCommitTimestampSpan& span, int64_t version) {
  return span.enabled && version >= span.first_version;
}

}  // namespace

arrow::Result<InCommitTimestampSpan> InCommitTimestampSpanOf(const StringMap& config) {
  InCommitTimestampSpan span;
  auto enabled = config.find("delta.enableInCommitTimestamps");
  span.enabled = enabled != config.end() && enabled->second == "true";
  if (!span.enabled) return span;
  ARROW_ASSIGN_OR_RAISE(auto version,
                        IntConfig(config, "delta.inCommitTimestampEnablementVersion"));
  ARROW_ASSIGN_OR_RAISE(span.first_timestamp_ms,
                        IntConfig(config, "delta.inCommitTimestampEnablementTimestamp"));
  span.first_version = version.value_or(0);
  return span;
}

int64_t CommitTimestampOf(const std::vector<Action>& actions, int64_t version,
                          int64_t mtime_ms, const InCommitTimestampSpan& span) {
  const CommitInfo* ci = FindCommitInfo(actions);
  if (Covered(span, version)) {
    // A commit of the span without its ICT breaks the writer rules; its file time is
    // the closest thing the log still has.
    return ci && ci->in_commit_timestamp ? *ci->in_commit_timestamp : mtime_ms;
  }
  if (span.enabled) return mtime_ms;
  if (ci && ci->timestamp) return *ci->timestamp;
  return mtime_ms;
}

void MakeMonotonic(std::map<int64_t, int64_t>& timestamps,
                   const InCommitTimestampSpan& span) {
  int64_t previous = INT64_MIN;
  for (auto& [version, ts] : timestamps) {
    if (Covered(span, version)) break;
    if (previous != INT64_MIN && ts <= previous) ts = previous + 1;
    previous = ts;
  }
}

std::optional<int64_t> VersionAtTimestamp(const std::map<int64_t, int64_t>& timestamps,
                                          const InCommitTimestampSpan& span,
                                          int64_t timestamp_ms) {
  // Which part of the log the time falls in is decided by the enablement timestamp,
  // not by the (possibly raised) file times before it.
  std::optional<int64_t> threshold = span.first_timestamp_ms;
  if (!threshold) {
    auto first = timestamps.find(span.first_version);
    if (first != timestamps.end()) threshold = first->second;
  }
  bool in_span = span.enabled &&
                 (span.first_version == 0 || !threshold || timestamp_ms >= *threshold);
  std::optional<int64_t> found;
  for (const auto& [version, ts] : timestamps) {
    if (span.enabled && Covered(span, version) != in_span) continue;
    if (ts <= timestamp_ms) found = version;
  }
  return found;
}

}  // namespace deltaline::delta
