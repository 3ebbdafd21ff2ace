// Real processes racing on one table: the helper tests/concurrent_writer.cc is
// started with posix_spawn, several at once, and what they report is checked
// against the log they leave behind.

#include <map>
#include <set>
#include <sstream>

#include <arrow/api.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "delta/base/errors.h"
#include "delta/base/filenames.h"
#include "delta/log/snapshot.h"
#include "delta/scan/scan.h"
#include "delta/write/write.h"
#include "support/child_process.h"
#include "test_util.h"

namespace deltaline::delta {
namespace {

using deltaline::testing::ChildGroup;
using deltaline::testing::ChildRun;
using deltaline::testing::TempDir;

constexpr const char* kWriter = DELTALINE_CONCURRENT_WRITER;
constexpr int kExitConflict = 3;

/// One line a child printed about one attempt.
struct Report {
  std::string outcome;  ///< LANDED or CONFLICT
  int writer = 0;
  int seq = 0;
  int64_t version = -1;       ///< LANDED only
  std::string conflict_kind;  ///< CONFLICT only: "ErrorKind ConflictKind"
};

std::vector<Report> ParseReports(const ChildRun& run) {
  std::vector<Report> reports;
  for (const auto& line : run.lines) {
    std::istringstream in(line);
    Report report;
    in >> report.outcome >> report.writer >> report.seq;
    if (report.outcome == "LANDED") {
      in >> report.version;
    } else if (report.outcome == "CONFLICT") {
      std::string kind, conflict;
      in >> kind >> conflict;
      report.conflict_kind = kind + " " + conflict;
    } else {
      ADD_FAILURE() << "unexpected line from `" << run.command << "`: " << line;
      continue;
    }
    reports.push_back(report);
  }
  return reports;
}

std::shared_ptr<arrow::Schema> RowSchema() {
  return arrow::schema({arrow::field("writer", arrow::int32()),
                        arrow::field("seq", arrow::int32()),
                        arrow::field("payload", arrow::utf8())});
}

struct Row {
  int32_t writer;
  int32_t seq;
  std::string payload;
};

std::shared_ptr<arrow::Table> MakeRows(
    const std::vector<Row>& rows, std::shared_ptr<arrow::Schema> schema = RowSchema()) {
  arrow::Int32Builder writers, seqs;
  arrow::StringBuilder payloads;
  for (const auto& row : rows) {
    EXPECT_OK(writers.Append(row.writer));
    EXPECT_OK(seqs.Append(row.seq));
    EXPECT_OK(payloads.Append(row.payload));
  }
  return arrow::Table::Make(std::move(schema),
                            {writers.Finish().ValueOrDie(), seqs.Finish().ValueOrDie(),
                             payloads.Finish().ValueOrDie()});
}

/// `_delta_log/` holds exactly the commits 0…last (no gap, nothing beyond), plus
/// checkpoints and the hint; no temporary file of a put-if-absent is left over.
void ExpectContiguousCleanLog(const std::filesystem::path& table, int64_t last) {
  std::vector<int64_t> versions;
  for (const auto& entry : std::filesystem::directory_iterator(table / "_delta_log")) {
    const std::string name = entry.path().filename().string();
    ParsedLogName parsed = ParseLogFileName(name);
    if (parsed.type == LogFileType::kCommit) {
      versions.push_back(parsed.version);
    } else if (parsed.type == LogFileType::kCheckpoint) {
      EXPECT_LE(parsed.version, last) << name;
    } else {
      EXPECT_EQ(name, kLastCheckpointName) << "unexpected file in _delta_log";
    }
  }
  std::sort(versions.begin(), versions.end());
  ASSERT_EQ(versions.size(), static_cast<size_t>(last + 1));
  for (size_t idx = 0; idx < versions.size(); ++idx) {
    ASSERT_EQ(versions[idx], static_cast<int64_t>(idx)) << "gap or duplicate in the log";
  }
}

/// commitInfo of every version still in the log, by version, read through ReadHistory.
std::map<int64_t, CommitInfo> HistoryByVersion(LogStore& store) {
  std::map<int64_t, CommitInfo> out;
  auto history = ReadHistory(store);
  EXPECT_OK(history.status());
  if (!history.ok()) return out;
  for (const auto& record : *history) {
    EXPECT_TRUE(record.info.has_value()) << "version " << record.version;
    if (record.info) out[record.version] = *record.info;
  }
  return out;
}

/// The attempt a commit came from, as the writer stored it in userMetadata.
std::tuple<int, int, std::string> AttemptOf(const CommitInfo& info) {
  auto json = nlohmann::json::parse(info.user_metadata.value_or("{}"), nullptr, false);
  if (!json.is_object() || !json.contains("writer")) return {-1, -1, ""};
  return {std::stoi(json["writer"].get<std::string>()),
          std::stoi(json["seq"].get<std::string>()), json["mode"].get<std::string>()};
}

/// Every landed report names a distinct version, together they cover 1…last, and
/// the log's commit at that version is the attempt that reported it.
void ExpectReportsMatchLog(const std::map<int64_t, Report>& landed, int64_t last,
                           const std::map<int64_t, CommitInfo>& history) {
  ASSERT_EQ(landed.size(), static_cast<size_t>(last));
  ASSERT_FALSE(landed.empty());
  ASSERT_EQ(landed.begin()->first, 1);
  ASSERT_EQ(landed.rbegin()->first, last);
  for (const auto& [version, report] : landed) {
    auto it = history.find(version);
    ASSERT_NE(it, history.end()) << "no commitInfo for version " << version;
    auto [writer, seq, mode] = AttemptOf(it->second);
    EXPECT_EQ(writer, report.writer) << "version " << version;
    EXPECT_EQ(seq, report.seq) << "version " << version;
  }
}

std::shared_ptr<const Snapshot> LoadLatest(LogStore& store) {
  auto snapshot = Snapshot::Load(store);
  EXPECT_OK(snapshot.status());
  return snapshot.ok() ? *snapshot : nullptr;
}

TEST(ConcurrencyTest, EightProcessesAppendWithoutGapsOrLoss) {
  constexpr int kWriters = 8;
  constexpr int kAppends = 25;
  TempDir dir;
  const auto table = dir.path() / "table";
  ASSERT_OK_AND_ASSIGN(auto store, FileSystemLogStore::Open(table.string()));
  ASSERT_OK_AND_ASSIGN(auto created, WriteTable(*store, *MakeRows({})));
  ASSERT_EQ(created.version, 0);

  ChildGroup children(dir.path());
  for (int writer = 0; writer < kWriters; ++writer) {
    ASSERT_OK(children.Spawn(kWriter, {"append", table.string(), std::to_string(writer),
                                       std::to_string(kAppends), children.go_file()}));
  }
  ASSERT_OK(children.Go());
  children.WaitAll(std::chrono::seconds(120));

  std::map<int64_t, Report> landed;
  for (const auto& run : children.runs()) {
    EXPECT_EQ(run.exit_code, 0) << run.command << "\n" << run.output;
    for (const auto& report : ParseReports(run)) {
      EXPECT_EQ(report.outcome, "LANDED") << run.output;
      EXPECT_TRUE(landed.emplace(report.version, report).second)
          << "two writers claim version " << report.version;
    }
  }
  constexpr int64_t kLast = kWriters * kAppends;
  auto snapshot = LoadLatest(*store);
  ASSERT_NE(snapshot, nullptr);
  EXPECT_EQ(snapshot->version(), kLast);
  ExpectContiguousCleanLog(table, kLast);
  ExpectReportsMatchLog(landed, kLast, HistoryByVersion(*store));

  ASSERT_OK_AND_ASSIGN(auto rows, ReadSnapshot(*store, snapshot));
  ASSERT_EQ(rows->num_rows(), kLast);
  ASSERT_OK_AND_ASSIGN(auto combined, rows->CombineChunks());
  auto writers =
      std::static_pointer_cast<arrow::Int32Array>(combined->column(0)->chunk(0));
  auto seqs = std::static_pointer_cast<arrow::Int32Array>(combined->column(1)->chunk(0));
  auto payloads =
      std::static_pointer_cast<arrow::StringArray>(combined->column(2)->chunk(0));
  std::set<std::pair<int, int>> seen;
  for (int64_t row_idx = 0; row_idx < combined->num_rows(); ++row_idx) {
    int writer = writers->Value(row_idx);
    int seq = seqs->Value(row_idx);
    EXPECT_TRUE(seen.emplace(writer, seq).second)
        << "duplicate row " << writer << "/" << seq;
    EXPECT_EQ(payloads->GetString(row_idx),
              "ap-" + std::to_string(writer) + "-" + std::to_string(seq) + "-0");
    EXPECT_TRUE(writer >= 0 && writer < kWriters && seq >= 0 && seq < kAppends);
  }
  EXPECT_EQ(seen.size(), static_cast<size_t>(kLast));
}

TEST(ConcurrencyTest, OverwritesRacingAppendsMatchTheModel) {
  constexpr int kAppenders = 4;
  constexpr int kAppends = 12;
  constexpr int kOverwriters = 2;
  constexpr int kOverwrites = 12;
  TempDir dir;
  const auto table = dir.path() / "table";
  ASSERT_OK_AND_ASSIGN(auto store, FileSystemLogStore::Open(table.string()));
  ASSERT_OK(WriteTable(*store, *MakeRows({{-1, 0, "initial"}, {-1, 1, "initial"}})));

  ChildGroup children(dir.path());
  for (int writer = 0; writer < kAppenders + kOverwriters; ++writer) {
    bool overwrite = writer >= kAppenders;
    int id = overwrite ? 100 + writer : writer;
    ASSERT_OK(children.Spawn(
        kWriter,
        {overwrite ? "overwrite" : "append", table.string(), std::to_string(id),
         std::to_string(overwrite ? kOverwrites : kAppends), children.go_file()}));
  }
  ASSERT_OK(children.Go());
  children.WaitAll(std::chrono::seconds(120));

  std::map<int64_t, Report> landed;
  std::vector<Report> conflicts;
  for (size_t run_idx = 0; run_idx < children.runs().size(); ++run_idx) {
    const auto& run = children.runs()[run_idx];
    bool overwrite = run_idx >= static_cast<size_t>(kAppenders);
    auto reports = ParseReports(run);
    // Every attempt says how it ended; none vanishes silently.
    EXPECT_EQ(reports.size(), static_cast<size_t>(overwrite ? kOverwrites : kAppends))
        << run.output;
    bool any_conflict = false;
    for (const auto& report : reports) {
      if (report.outcome == "LANDED") {
        EXPECT_TRUE(landed.emplace(report.version, report).second)
            << "two writers claim version " << report.version;
      } else {
        any_conflict = true;
        conflicts.push_back(report);
        // Only another overwrite can beat an overwrite (appends are tolerated): it
        // removed the files we remove too, or (on an empty read) added some.
        EXPECT_TRUE(report.writer >= 100) << "an append conflicted";
        EXPECT_TRUE(
            report.conflict_kind == "ConcurrentModification ConcurrentDeleteDelete" ||
            report.conflict_kind == "ConcurrentModification ConcurrentDeleteRead" ||
            report.conflict_kind == "ConcurrentModification ConcurrentAppend")
            << report.conflict_kind;
      }
    }
    if (overwrite) {
      EXPECT_EQ(run.exit_code, any_conflict ? kExitConflict : 0) << run.output;
    } else {
      EXPECT_EQ(run.exit_code, 0) << "appends never conflict\n" << run.output;
    }
  }

  auto snapshot = LoadLatest(*store);
  ASSERT_NE(snapshot, nullptr);
  const int64_t last = snapshot->version();
  EXPECT_EQ(last, static_cast<int64_t>(kAppenders * kAppends +
                                       kOverwriters * kOverwrites - conflicts.size()));
  ExpectContiguousCleanLog(table, last);
  auto history = HistoryByVersion(*store);
  ExpectReportsMatchLog(landed, last, history);
  std::set<std::pair<int, int>> committed_attempts;
  for (const auto& [version, info] : history) {
    auto [writer, seq, mode] = AttemptOf(info);
    committed_attempts.emplace(writer, seq);
  }
  for (const auto& report : conflicts) {
    EXPECT_FALSE(committed_attempts.count({report.writer, report.seq}))
        << "attempt " << report.writer << "/" << report.seq << " failed yet committed";
  }

  // The model. An overwrite removes what its read snapshot held; appends that landed
  // after that read survive it (WriteSerializable), even those with a smaller version.
  // Two overwrites are never both in flight: none lands between another's read
  // version and its commit.
  int64_t last_overwrite = -1;
  int64_t last_overwrite_read = 0;
  for (const auto& [version, report] : landed) {
    if (report.writer < 100) continue;
    const CommitInfo& info = history.at(version);
    ASSERT_TRUE(info.read_version.has_value());
    for (const auto& [other_version, other] : landed) {
      EXPECT_FALSE(other.writer >= 100 && other_version > *info.read_version &&
                   other_version < version)
          << "overwrite at " << other_version << " slipped under the one at " << version
          << " (read version " << *info.read_version << ")";
    }
    last_overwrite = version;
    last_overwrite_read = *info.read_version;
  }
  std::vector<Row> expected;
  if (last_overwrite < 0) {
    expected = {{-1, 0, "initial"}, {-1, 1, "initial"}};
  } else {
    const Report& ow = landed.at(last_overwrite);
    for (int row_idx = 0; row_idx < 2; ++row_idx) {
      expected.push_back({ow.writer, ow.seq,
                          "ow-" + std::to_string(ow.writer) + "-" +
                              std::to_string(ow.seq) + "-" + std::to_string(row_idx)});
    }
  }
  for (const auto& [version, report] : landed) {
    if (report.writer < 100 && version > last_overwrite_read) {
      expected.push_back({report.writer, report.seq,
                          "ap-" + std::to_string(report.writer) + "-" +
                              std::to_string(report.seq) + "-0"});
    }
  }
  ASSERT_OK_AND_ASSIGN(auto actual, ReadSnapshot(*store, snapshot));
  EXPECT_TRUE(deltaline::testing::TablesEqualUnordered(
      *MakeRows(expected, actual->schema()), *actual));

  // Failed attempts clean up their data files: every Parquet file was committed.
  std::set<std::string> added;
  for (int64_t version = 0; version <= last; ++version) {
    ASSERT_OK_AND_ASSIGN(auto actions, ReadCommit(*store, version));
    for (const auto& action : actions) {
      if (const auto* add = std::get_if<Add>(&action)) added.insert(add->path);
    }
  }
  for (const auto& entry : std::filesystem::directory_iterator(table)) {
    if (entry.path().extension() != ".parquet") continue;
    EXPECT_TRUE(added.count(entry.path().filename().string()))
        << "orphan data file " << entry.path();
  }
}

// The same layout as concurrent_writer's candidates (header line, letter filler).
std::string PutContent(int writer, int name_idx, size_t bytes) {
  std::string content =
      "writer=" + std::to_string(writer) + " name=" + std::to_string(name_idx) + "\n";
  content.resize(bytes, static_cast<char>('a' + writer % 26));
  return content;
}

TEST(ConcurrencyTest, PutIfAbsentHasExactlyOneWinnerPerName) {
  constexpr int kRacers = 8;
  constexpr int kWatchers = 2;
  constexpr int kNames = 100;
  // Large enough that a non-atomic publish stays visible for a while.
  constexpr size_t kBytes = 256 * 1024;
  TempDir dir;
  const auto table = dir.path() / "table";
  ChildGroup children(dir.path());
  for (int writer = 0; writer < kRacers + kWatchers; ++writer) {
    ASSERT_OK(children.Spawn(kWriter, {writer < kRacers ? "put" : "watch", table.string(),
                                       std::to_string(writer), std::to_string(kNames),
                                       children.go_file(), std::to_string(kBytes)}));
  }
  ASSERT_OK(children.Go());
  children.WaitAll(std::chrono::seconds(120));

  std::map<int, std::vector<int>> winners;  // name index -> writers that won it
  std::map<int, int> losers;
  for (const auto& run : children.runs()) {
    EXPECT_EQ(run.exit_code, 0) << run.command << "\n" << run.output;
    for (const auto& line : run.lines) {
      std::istringstream in(line);
      std::string outcome;
      int writer = -1, name_idx = -1;
      in >> outcome >> writer >> name_idx;
      if (outcome == "WON") {
        winners[name_idx].push_back(writer);
      } else if (outcome == "LOST") {
        losers[name_idx] += 1;
      } else if (outcome != "WATCHED") {
        ADD_FAILURE() << line;
      }
    }
  }
  ASSERT_OK_AND_ASSIGN(auto store, FileSystemLogStore::Open(table.string()));
  for (int name_idx = 0; name_idx < kNames; ++name_idx) {
    ASSERT_EQ(winners[name_idx].size(), 1u) << "name " << name_idx;
    EXPECT_EQ(losers[name_idx], kRacers - 1) << "name " << name_idx;
    ASSERT_OK_AND_ASSIGN(auto content,
                         store->ReadLog("race-" + std::to_string(name_idx)));
    EXPECT_TRUE(content->ToString() == PutContent(winners[name_idx][0], name_idx, kBytes))
        << "name " << name_idx << " does not hold its winner's content";
  }
  // Only the published names remain: no temporary file survives a race.
  size_t entries = 0;
  for (const auto& entry : std::filesystem::directory_iterator(table / "_delta_log")) {
    EXPECT_EQ(entry.path().filename().string().rfind("race-", 0), 0u) << entry.path();
    ++entries;
  }
  EXPECT_EQ(entries, static_cast<size_t>(kNames));
}

}  // namespace
}  // namespace deltaline::delta
