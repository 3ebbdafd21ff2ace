// Concurrent-writer stress: real processes (stress_writer) race appends, predicate
// overwrites on disjoint and overlapping key ranges, and partition replaces on one
// partitioned table. Afterwards the log must be contiguous, every landed commit must
// be one a writer reported, and the table at every checked version must equal a
// model rebuilt from the landed commits alone.
//
// The model is WriteSerializable's: an overwrite or partition replace that read
// version r and landed at v removes the rows it covers that were visible at r; rows a
// blind append added between r and v survive it. No other kind of commit may add
// covered rows between r and v (the conflict checker must have refused it).
//
// CI runs 6 writers x 25 operations; DELTALINE_STRESS_WRITERS / _COMMITS scale it
// (the full setting is 8 x 100).

#include <cstdlib>
#include <iostream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "delta/log/snapshot.h"
#include "delta/scan/scan.h"
#include "delta/write/write.h"
#include "stress_ops.h"
#include "support/child_process.h"
#include "test_util.h"

namespace deltaline::stress {
namespace {

using delta::CommitInfo;
using deltaline::testing::ChildGroup;
using deltaline::testing::TempDir;

int EnvInt(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::atoi(value) : fallback;
}

struct Outcome {
  int64_t version = -1;  ///< -1: gave up
  int attempts = 0;
};

struct Tally {
  std::map<std::pair<int, int>, Outcome> ops;
  int conflicts = 0;
};

void ParseWriterOutput(const deltaline::testing::ChildRun& run, Tally* tally) {
  for (const auto& line : run.lines) {
    std::istringstream in(line);
    std::string what;
    int writer = 0, seq = 0;
    in >> what >> writer >> seq;
    if (what == "LANDED") {
      Outcome outcome;
      in >> outcome.version >> outcome.attempts;
      EXPECT_TRUE(tally->ops.emplace(std::make_pair(writer, seq), outcome).second)
          << line;
    } else if (what == "GAVEUP") {
      EXPECT_TRUE(tally->ops.emplace(std::make_pair(writer, seq), Outcome{}).second)
          << line;
    } else if (what == "CONFLICT") {
      ++tally->conflicts;
      std::string attempt, kind, conflict;
      in >> attempt >> kind >> conflict;
      EXPECT_EQ(kind, "ConcurrentModification") << line;
    } else {
      ADD_FAILURE() << "`" << run.command << "` printed: " << line;
    }
  }
}

std::pair<int, int> AttemptOf(const CommitInfo& info) {
  auto json = nlohmann::json::parse(info.user_metadata.value_or("{}"), nullptr, false);
  if (!json.is_object() || !json.contains("writer")) return {-1, -1};
  return {std::stoi(json["writer"].get<std::string>()),
          std::stoi(json["seq"].get<std::string>())};
}

std::vector<Row> TableRows(const arrow::Table& table) {
  auto flat = table.CombineChunks().ValueOrDie();
  auto column = [&](const char* name) { return flat->GetColumnByName(name)->chunk(0); };
  auto keys = std::static_pointer_cast<arrow::Int64Array>(column("key"));
  auto parts = std::static_pointer_cast<arrow::StringArray>(column("part"));
  auto writers = std::static_pointer_cast<arrow::Int32Array>(column("writer"));
  auto seqs = std::static_pointer_cast<arrow::Int32Array>(column("seq"));
  auto idxs = std::static_pointer_cast<arrow::Int32Array>(column("idx"));
  std::vector<Row> rows;
  for (int64_t i = 0; i < flat->num_rows(); ++i) {
    rows.push_back({keys->Value(i), parts->GetString(i), writers->Value(i),
                    seqs->Value(i), idxs->Value(i)});
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

/// Model rows with the version that added them.
using Model = std::map<Row, int64_t>;

void ExpectTableEqualsModel(delta::LogStore& store, int64_t version, const Model& model) {
  delta::SnapshotRequest request;
  request.version = version;
  auto snapshot = delta::Snapshot::Load(store, request);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  auto table = delta::ReadSnapshot(store, *snapshot);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  std::vector<Row> actual = TableRows(**table);
  for (size_t i = 1; i < actual.size(); ++i) {
    EXPECT_FALSE(actual[i - 1] == actual[i])
        << "row " << actual[i].writer << "/" << actual[i].seq << "/" << actual[i].idx
        << " is duplicated at version " << version;
  }
  std::vector<Row> expected;
  for (const auto& [row, added] : model) expected.push_back(row);
  EXPECT_EQ(actual.size(), expected.size()) << "at version " << version;
  EXPECT_TRUE(actual == expected)
      << "table differs from the model at version " << version;
}

TEST(StressTest, MixedWritersMatchTheModelOfLandedCommits) {
  const int writers = EnvInt("DELTALINE_STRESS_WRITERS", 6);
  const int commits = EnvInt("DELTALINE_STRESS_COMMITS", 25);
  const int max_op_attempts = 20;
  TempDir dir;
  const std::string table = (dir.path() / "table").string();
  ASSERT_OK_AND_ASSIGN(auto store, delta::FileSystemLogStore::Open(table));
  std::vector<Row> initial;
  for (int i = 0; i < 12; ++i) {
    initial.push_back(
        {(i % 2 == 0 ? -1000 : 0) + i * 80, std::string(1, "abc"[i % 3]), -1, 0, i});
  }
  ASSERT_OK_AND_ASSIGN(auto initial_table, RowsToTable(initial));
  delta::WriteOptions create;
  create.partition_by = {"part"};
  ASSERT_OK(delta::WriteTable(*store, *initial_table, create));

  ChildGroup children(dir.path());
  for (int writer = 0; writer < writers; ++writer) {
    ASSERT_OK(children.Spawn(DELTALINE_STRESS_WRITER,
                             {table, std::to_string(writer), std::to_string(commits),
                              children.go_file(), std::to_string(max_op_attempts)}));
  }
  const auto started = std::chrono::steady_clock::now();
  ASSERT_OK(children.Go());
  children.WaitAll(std::chrono::seconds(1700));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  Tally tally;
  for (const auto& run : children.runs()) {
    EXPECT_EQ(run.exit_code, 0) << run.command << "\n" << run.output;
    ParseWriterOutput(run, &tally);
  }
  ASSERT_EQ(tally.ops.size(), static_cast<size_t>(writers * commits))
      << "an operation ended without LANDED or GAVEUP";

  ASSERT_OK_AND_ASSIGN(auto history, delta::ReadHistory(*store));
  std::map<int64_t, CommitInfo> infos;
  for (const auto& record : history) {
    ASSERT_TRUE(record.info.has_value()) << "version " << record.version;
    infos.emplace(record.version, *record.info);
  }
  const int64_t last = infos.rbegin()->first;
  ASSERT_EQ(infos.size(), static_cast<size_t>(last + 1)) << "versions are not contiguous";
  int landed = 0, retried = 0, gave_up = 0;
  for (const auto& [id, outcome] : tally.ops) {
    if (outcome.version < 0) {
      ++gave_up;
      continue;
    }
    ++landed;
    retried += outcome.attempts > 1;
    ASSERT_TRUE(infos.count(outcome.version)) << "reported version " << outcome.version;
    EXPECT_EQ(AttemptOf(infos.at(outcome.version)), id) << "version " << outcome.version;
  }
  EXPECT_EQ(landed, last) << "the log holds commits no writer reported, or lost some";

  // Replay the log through the model, checking the table at each sampled version.
  Model model;
  for (const auto& row : initial) model.emplace(row, 0);
  const int64_t stride = last <= 120 ? 1 : 10;
  std::map<int64_t, Op> ops_by_version;
  for (int64_t version = 1; version <= last; ++version) {
    const CommitInfo& info = infos.at(version);
    auto [writer, seq] = AttemptOf(info);
    ASSERT_GE(writer, 0) << "version " << version << " is not a stress commit";
    const Op op = MakeOp(writer, seq);
    if (op.kind != OpKind::kAppend) {
      ASSERT_TRUE(info.read_version.has_value()) << "version " << version;
      const int64_t read = *info.read_version;
      for (int64_t between = read + 1; between < version; ++between) {
        const Op& other = ops_by_version.at(between);
        if (other.kind == OpKind::kAppend) continue;  // blind appends never conflict
        for (const auto& row : other.rows) {
          EXPECT_FALSE(op.Covers(row))
              << OpKindName(op.kind) << " at " << version << " (read " << read
              << ") landed over " << OpKindName(other.kind) << " at " << between
              << " that wrote into its range";
        }
      }
      for (auto it = model.begin(); it != model.end();) {
        it = op.Covers(it->first) && it->second <= read ? model.erase(it) : std::next(it);
      }
    }
    for (const auto& row : op.rows) model.emplace(row, version);
    ops_by_version.emplace(version, op);
    if (version % stride == 0 || version == last) {
      ExpectTableEqualsModel(*store, version, model);
      if (::testing::Test::HasFailure()) break;
    }
  }
  std::cerr << "stress: " << writers << " writers x " << commits << " ops in " << seconds
            << " s: " << landed << " commits landed, " << tally.conflicts
            << " conflicts, " << retried << " ops landed after a retry, " << gave_up
            << " gave up, final rows " << model.size() << "\n";
}

}  // namespace
}  // namespace deltaline::stress
