// InsertInto in every write mode, through the streaming `delta_write` node and
// through the fallback reader path: equal tables (as deltaline and delta-rs read them),
// equal commits apart from timestamps and ids, equal typed refusals.
#include "engine/insert_into.h"

#include <arrow/acero/options.h>
#include <gtest/gtest.h>

#include "delta/base/errors.h"
#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"
#include "support/insert_checks.h"
#include "support/table_builders.h"
#include "test_util.h"

namespace deltaline::engine {
namespace {

using deltaline::testing::PxTable;
using deltaline::testing::TablesEqualUnordered;
using deltaline::testing::TempDir;
using testing::NormalisedCommit;
using testing::ReadDelta;
using testing::TableSource;

int64_t LatestVersion(const std::string& uri) {
  auto store = delta::FileSystemLogStore::Open(uri).ValueOrDie();
  return delta::Snapshot::Load(*store).ValueOrDie()->version();
}

// A real plan, not a bare source: the rows with x >= 0 of `rows`, which the seed
// rows of each case do not need.
arrow::acero::Declaration Plan(std::shared_ptr<arrow::Table> rows) {
  namespace cp = arrow::compute;
  return arrow::acero::Declaration::Sequence(
      {TableSource(std::move(rows)),
       {"filter", arrow::acero::FilterNodeOptions(
                      cp::greater_equal(cp::field_ref("x"), cp::literal(int64_t{0})))}});
}

InsertFlags Flags(std::string mode, std::string predicate = "",
                  bool replace_partitions = false,
                  std::vector<std::string> partition_by = {},
                  std::string schema_mode = "", std::string path = "") {
  InsertFlags flags;
  flags.mode = std::move(mode);
  flags.predicate = std::move(predicate);
  flags.replace_partitions = replace_partitions;
  flags.partition_by = std::move(partition_by);
  flags.schema_mode = std::move(schema_mode);
  flags.path = std::move(path);
  return flags;
}

struct Case {
  std::string name;
  std::shared_ptr<arrow::Table> seed;  ///< null: no table beforehand
  std::vector<std::string> seed_partition_by;
  std::shared_ptr<arrow::Table> input;
  InsertFlags flags;
  std::shared_ptr<arrow::Table> expected;  ///< null: refused (see `refused`)
  delta::ErrorKind refused;
  bool committed;
};

// Both paths refused the insert with the same typed error; nothing was committed.
void ExpectRefusedAlike(const Case& c,
                        const std::vector<std::pair<InsertPath, std::string>>& uris,
                        const std::vector<arrow::Result<InsertResult>>& results) {
  const std::string& s_uri = uris[0].second;
  const std::string& f_uri = uris[1].second;
  for (size_t i = 0; i < results.size(); ++i) {
    ASSERT_FALSE(results[i].ok()) << uris[i].second;
    EXPECT_TRUE(delta::IsKind(results[i].status(), c.refused))
        << results[i].status().ToString();
    EXPECT_EQ(LatestVersion(uris[i].second), 0);
  }
  auto without_uri = [](std::string message, const std::string& uri) {
    for (size_t at; (at = message.find(uri)) != std::string::npos;) {
      message.replace(at, uri.size(), "<uri>");
    }
    return message;
  };
  EXPECT_EQ(without_uri(results[0].status().message(), s_uri),
            without_uri(results[1].status().message(), f_uri));
}

// Seeds two equal tables, inserts through each path, and compares everything.
void RunCase(const Case& c) {
  SCOPED_TRACE(c.name);
  TempDir dir;
  const std::vector<std::pair<InsertPath, std::string>> uris = {
      {InsertPath::kStreaming, dir.str() + "/s"},
      {InsertPath::kFallback, dir.str() + "/f"}};
  std::vector<arrow::Result<InsertResult>> results;
  for (const auto& [path, uri] : uris) {
    if (c.seed) {
      storage::StorageWriteOptions seed;
      seed.delta.mode = delta::SaveMode::kAppend;
      seed.delta.partition_by = c.seed_partition_by;
      ASSERT_OK(storage::WriteTableDelta(*c.seed, uri, seed).status());
    }
    storage::StorageWriteOptions base;
    base.dataset = "insert_case";
    base.ordering_keys = {"id"};
    base.constraints = {{"x_non_negative", "x >= 0"}};
    InsertFlags flags = c.flags;
    flags.path = InsertPathName(path);
    ASSERT_OK_AND_ASSIGN(auto options, MakeInsertOptions(uri, flags, base));
    results.push_back(InsertIntoTable(Plan(c.input), uri, options));
  }
  const std::string& s_uri = uris[0].second;
  const std::string& f_uri = uris[1].second;
  if (!c.expected) return ExpectRefusedAlike(c, uris, results);
  ASSERT_OK(results[0].status());
  ASSERT_OK(results[1].status());
  const auto& s = results[0]->write;
  const auto& f = results[1]->write;
  EXPECT_EQ(results[0]->path, InsertPath::kStreaming);
  EXPECT_EQ(results[1]->path, InsertPath::kFallback);
  EXPECT_EQ(s.delta.committed, c.committed);
  EXPECT_EQ(f.delta.committed, c.committed);
  EXPECT_EQ(s.delta.version, f.delta.version);
  EXPECT_EQ(s.delta.operation, f.delta.operation);
  EXPECT_EQ(s.delta.rows_added, f.delta.rows_added);
  EXPECT_EQ(s.delta.files_added, f.delta.files_added);
  EXPECT_EQ(s.delta.files_removed, f.delta.files_removed);
  EXPECT_EQ(s.delta.rows_copied, f.delta.rows_copied);
  EXPECT_EQ(s.user_metadata, f.user_metadata);
  EXPECT_EQ(s.policy, f.policy);
  if (c.committed) {
    EXPECT_EQ(s.user_metadata.at("deltaline.dataset"), "insert_case");
    EXPECT_EQ(s.user_metadata.at("deltaline.orderingKeys"), R"(["id"])");
    EXPECT_TRUE(s.user_metadata.count("deltaline.schemaFingerprint"));
    ASSERT_OK_AND_ASSIGN(auto s_commit, NormalisedCommit(s_uri, s.delta.version));
    ASSERT_OK_AND_ASSIGN(auto f_commit, NormalisedCommit(f_uri, f.delta.version));
    EXPECT_EQ(s_commit.dump(1), f_commit.dump(1));
  } else {
    EXPECT_EQ(LatestVersion(s_uri), 0);
    EXPECT_EQ(LatestVersion(f_uri), 0);
  }
  ASSERT_OK_AND_ASSIGN(auto s_rows, ReadDelta(s_uri));
  ASSERT_OK_AND_ASSIGN(auto f_rows, ReadDelta(f_uri));
  EXPECT_TRUE(TablesEqualUnordered(*c.expected, *s_rows));
  EXPECT_TRUE(TablesEqualUnordered(*c.expected, *f_rows));
  // An independent reader agrees.
  ASSERT_OK_AND_ASSIGN(auto s_deltars, testing::DeltaRsRows(s_uri));
  ASSERT_OK_AND_ASSIGN(auto f_deltars, testing::DeltaRsRows(f_uri));
  EXPECT_EQ(s_deltars, f_deltars);
  EXPECT_EQ(std::count(s_deltars.begin(), s_deltars.end(), '\n'), c.expected->num_rows());
}

const auto kSeed = [] { return PxTable("[1, 2, 3]", "[1, 2, 2]", "[10, 20, 30]"); };
const auto kInput = [] {
  return PxTable("[4, 5, 6, 7, 8]", "[2, 2, 2, 2, 2]", "[40, 50, -1, 70, 80]");
};
// kInput after the plan's filter (x >= 0).
const auto kInserted = [] {
  return PxTable("[4, 5, 7, 8]", "[2, 2, 2, 2]", "[40, 50, 70, 80]");
};

TEST(InsertInto, AppendGivesEqualTablesAndCommitsOnBothPaths) {
  RunCase({"append",
           kSeed(),
           {},
           kInput(),
           Flags("append"),
           PxTable("[1, 2, 3, 4, 5, 7, 8]", "[1, 2, 2, 2, 2, 2, 2]",
                   "[10, 20, 30, 40, 50, 70, 80]"),
           delta::ErrorKind::kInvalidInput,
           true});
}

TEST(InsertInto, CreatingATableGivesEqualTablesAndCommitsOnBothPaths) {
  RunCase({"error mode, new table",
           nullptr,
           {},
           kInput(),
           Flags("error", "", false, {"p"}),
           kInserted(),
           delta::ErrorKind::kInvalidInput,
           true});
}

TEST(InsertInto, OverwriteGivesEqualTablesAndCommitsOnBothPaths) {
  RunCase({"overwrite",
           kSeed(),
           {},
           kInput(),
           Flags("overwrite"),
           kInserted(),
           delta::ErrorKind::kInvalidInput,
           true});
}

TEST(InsertInto, OverwriteWithPredicateGivesEqualTablesAndCommitsOnBothPaths) {
  RunCase({"replaceWhere",
           kSeed(),
           {},
           kInput(),
           Flags("overwrite", "p = 2"),
           PxTable("[1, 4, 5, 7, 8]", "[1, 2, 2, 2, 2]", "[10, 40, 50, 70, 80]"),
           delta::ErrorKind::kInvalidInput,
           true});
}

TEST(InsertInto, PartitionReplaceGivesEqualTablesAndCommitsOnBothPaths) {
  RunCase({"replace partitions",
           kSeed(),
           {"p"},
           kInput(),
           Flags("append", "", true),
           PxTable("[1, 4, 5, 7, 8]", "[1, 2, 2, 2, 2]", "[10, 40, 50, 70, 80]"),
           delta::ErrorKind::kInvalidInput,
           true});
}

TEST(InsertInto, IgnoreOnAnExistingTableLeavesItAloneOnBothPaths) {
  RunCase({"ignore",
           kSeed(),
           {},
           kInput(),
           Flags("ignore"),
           kSeed(),
           delta::ErrorKind::kInvalidInput,
           false});
}

TEST(InsertInto, ErrorOnAnExistingTableIsTheSameTypedRefusalOnBothPaths) {
  RunCase({"error",
           kSeed(),
           {},
           kInput(),
           Flags("error"),
           nullptr,
           delta::ErrorKind::kTableAlreadyExists,
           false});
}

TEST(InsertInto, ARowOutsideTheReplacePredicateIsRefusedOnBothPaths) {
  RunCase({"replaceWhere violated",
           kSeed(),
           {},
           kInput(),
           Flags("overwrite", "p = 1"),
           nullptr,
           delta::ErrorKind::kInvalidInput,
           false});
}

TEST(InsertInto, FlagsAreParsedAndBadOnesNamed) {
  TempDir dir;
  auto bad_mode = MakeInsertOptions(dir.str() + "/t", Flags("upsert"));
  ASSERT_FALSE(bad_mode.ok());
  EXPECT_NE(bad_mode.status().message().find("upsert"), std::string::npos);
  auto bad_path =
      MakeInsertOptions(dir.str() + "/t", Flags("error", "", false, {}, "", "sideways"));
  ASSERT_FALSE(bad_path.ok());
  EXPECT_NE(bad_path.status().message().find("sideways"), std::string::npos);
  // A predicate needs an existing table to be parsed against.
  auto no_table = MakeInsertOptions(dir.str() + "/t", Flags("overwrite", "p = 1"));
  EXPECT_TRUE(delta::IsKind(no_table.status(), delta::ErrorKind::kInvalidInput));
  ASSERT_OK_AND_ASSIGN(
      auto merge,
      MakeInsertOptions(dir.str() + "/t", Flags("append", "", false, {}, "merge")));
  EXPECT_EQ(merge.storage.delta.mode, delta::SaveMode::kAppend);
  EXPECT_EQ(merge.path, InsertPath::kAuto);
}

}  // namespace
}  // namespace deltaline::engine
