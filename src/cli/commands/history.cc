// `deltaline history TABLE`: the commits, newest first; one terminal line each, or
// everything with --json.
#include <ctime>
#include <iostream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/output.h"
#include "delta/log/snapshot.h"

namespace deltaline::cli {
namespace {

using nlohmann::json;

struct HistoryArgs {
  std::string table;
  std::optional<int64_t> limit;  ///< unset: every commit
  bool json = false;
};

/// A history line stays within a terminal this wide; longer values are shortened.
constexpr size_t kMaxLine = 160;
constexpr size_t kMaxValue = 40;

json MapToJson(const delta::StringMap& map) {
  json out = json::object();
  for (const auto& [key, value] : map) out[key] = value;
  return out;
}

// operationParameters values are JSON-encoded strings in Spark's logs
// ("partitionBy": "[]"); show the decoded value when it is valid JSON.
json DecodeParameters(const delta::StringMap& map) {
  json out = json::object();
  for (const auto& [key, value] : map) {
    json parsed = json::parse(value, nullptr, false);
    out[key] = (parsed.is_discarded() || parsed.is_string() || parsed.is_number() ||
                parsed.is_boolean())
                   ? json(value)
                   : parsed;
  }
  return out;
}

// One object per commit, newest first: version, timestamp, operation,
// operationParameters, operationMetrics, userMetadata (and engineInfo).
json HistoryJson(const std::vector<delta::CommitRecord>& commits) {
  json out = json::array();
  for (const auto& commit : commits) {
    json entry = {{"version", commit.version}, {"timestamp", commit.timestamp_ms}};
    if (commit.info) {
      const auto& info = *commit.info;
      entry["operation"] = info.operation;
      entry["operationParameters"] = DecodeParameters(info.operation_parameters);
      entry["operationMetrics"] = MapToJson(info.operation_metrics);
      json user = json::object();
      if (info.user_metadata) {
        json parsed = json::parse(*info.user_metadata, nullptr, false);
        // Spark stores one free-form string; deltaline stores a JSON object.
        user = parsed.is_object() ? parsed : json{{"userMetadata", *info.user_metadata}};
      }
      entry["userMetadata"] = user;
      if (info.engine_info) entry["engineInfo"] = *info.engine_info;
    } else {
      entry["operation"] = nullptr;
      entry["operationParameters"] = json::object();
      entry["operationMetrics"] = json::object();
      entry["userMetadata"] = json::object();
    }
    out.push_back(std::move(entry));
  }
  return out;
}

std::string IsoTime(int64_t ms) {
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[40];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof(out), "%s.%03lldZ", buf, static_cast<long long>(ms % 1000));
  return out;
}

// Cuts `text` to `width` bytes, ending in "...", without splitting a UTF-8 character.
std::string Shorten(std::string text, size_t width) {
  if (text.size() <= width) return text;
  size_t cut = width - 3;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + "...";
}

// key=value for the parameters that say something (empty lists and objects are left
// out); strings unquoted.
std::string ShortParameters(const json& parameters) {
  std::string out;
  for (const auto& [key, value] : parameters.items()) {
    if (value.is_null() || ((value.is_array() || value.is_object()) && value.empty()))
      continue;
    std::string text = value.is_string() ? value.get<std::string>() : value.dump();
    if (text.empty() || text == "[]" || text == "{}") continue;
    out += (out.empty() ? "" : " ") + key + "=" + Shorten(text, kMaxValue);
  }
  return out;
}

// The row and file counts first, in short form (numOutputRows=3 → rows=3), then other
// metrics by their own name. Zero counts, bytes and times are left to --json.
std::string ShortMetrics(const json& metrics) {
  static const std::vector<std::pair<std::string, std::string>> kShort{
      {"numOutputRows", "rows"},     {"numDeletedRows", "-rows"},
      {"numCopiedRows", "copied"},   {"numUpdatedRows", "updated"},
      {"numFiles", "files"},         {"numAddedFiles", "+files"},
      {"numRemovedFiles", "-files"}, {"numDeletionVectorsAdded", "+dv"}};
  static const std::set<std::string> kLeftOut{
      "numOutputBytes", "numAddedBytes", "numRemovedBytes",    "executionTimeMs",
      "scanTimeMs",     "rewriteTimeMs", "numAddedChangeFiles"};
  auto text_of = [](const json& value) {
    return value.is_string() ? value.get<std::string>() : value.dump();
  };
  std::string out;
  auto add = [&out](const std::string& name, const std::string& text) {
    if (text == "0") return;
    out += (out.empty() ? "" : " ") + name + "=" + Shorten(text, kMaxValue);
  };
  std::set<std::string> shown;
  for (const auto& [key, name] : kShort) {
    if (!metrics.contains(key)) continue;
    add(name, text_of(metrics[key]));
    shown.insert(key);
  }
  for (const auto& [key, value] : metrics.items()) {
    if (!shown.count(key) && !kLeftOut.count(key)) add(key, text_of(value));
  }
  return out;
}

// The user-metadata keys, those sharing the `deltaline.` prefix grouped:
// "deltaline.{dataset,policy,schemaFingerprint} runId".
std::string MetadataKeys(const json& user) {
  std::vector<std::string> ours, others;
  const std::string prefix = "deltaline.";
  for (const auto& [key, unused] : user.items()) {
    if (key.rfind(prefix, 0) == 0) {
      ours.push_back(key.substr(prefix.size()));
    } else {
      others.push_back(key);
    }
  }
  std::string out;
  if (!ours.empty()) {
    out = prefix + "{";
    for (size_t key_idx = 0; key_idx < ours.size(); ++key_idx) {
      out += (key_idx ? "," : "") + ours[key_idx];
    }
    out += "}";
  }
  for (const auto& key : others) out += (out.empty() ? "" : " ") + key;
  return out;
}

std::string Pad(std::string text, size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

// One line per commit: version, time, operation, parameters, metrics, metadata keys.
std::string HistoryText(const json& history) {
  std::ostringstream out;
  out << Pad("version", 8) << Pad("timestamp", 26) << Pad("operation", 18)
      << "parameters | metrics | user metadata keys\n";
  for (const auto& entry : history) {
    std::string line =
        Pad(entry["version"].dump(), 8) +
        Pad(IsoTime(entry["timestamp"].get<int64_t>()), 26) +
        Pad(entry["operation"].is_string() ? entry["operation"].get<std::string>() : "-",
            18);
    std::string details = ShortParameters(entry["operationParameters"]);
    std::string metrics = ShortMetrics(entry["operationMetrics"]);
    if (!metrics.empty()) details += " | " + metrics;
    // The metadata keys stay visible: parameters and metrics give way first.
    std::string keys = MetadataKeys(entry["userMetadata"]);
    if (!keys.empty()) keys = " | " + keys;
    const size_t used = line.size() + keys.size();
    line += Shorten(details, used + 10 < kMaxLine ? kMaxLine - used : 10) + keys;
    out << Shorten(line, kMaxLine) << "\n";
  }
  return out.str();
}

arrow::Status Run(const HistoryArgs& args) {
  ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(args.table));
  ARROW_ASSIGN_OR_RAISE(auto commits,
                        delta::ReadHistory(*store, args.limit.value_or(-1)));
  auto history = HistoryJson(commits);
  if (args.json) {
    PrintJson(history);
  } else {
    std::cout << HistoryText(history);
  }
  return arrow::Status::OK();
}

}  // namespace

void RegisterHistory(CLI::App& app, CommandTable& table) {
  auto args = std::make_shared<HistoryArgs>();
  auto* cmd = app.add_subcommand("history", "Commits, newest first");
  cmd->add_option("TABLE", args->table, "Table path or file:// URI")->required();
  cmd->add_option("--limit", args->limit, "The newest N commits")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag(
      "--json", args->json,
      "Print every commit in full (parameters, metrics, user metadata) as JSON");
  table.Add(cmd, args, &Run);
}

}  // namespace deltaline::cli
