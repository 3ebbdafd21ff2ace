// DecodeCheckpoint and ParseLastCheckpoint on checkpoints written by Spark 2.4 to
// 4.0, Databricks and delta-rs (shared/delta-tables). Expected numbers were read
// independently with pyarrow.parquet from the same files.

#include <fstream>
#include <sstream>

#include <arrow/io/memory.h>
#include <gtest/gtest.h>
#include <parquet/arrow/reader.h>
#include <nlohmann/json.hpp>

#include "delta/base/errors.h"
#include "delta/checkpoint/checkpoint.h"
#include "delta/checkpoint/checkpoint_internal.h"
#include "test_util.h"

namespace deltaline::delta {
namespace {

const std::string kTables = DELTALINE_SOURCE_DIR "/../shared/delta-tables/";

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::shared_ptr<arrow::Buffer> ReadBytes(const std::string& path) {
  return arrow::Buffer::FromString(ReadText(path));
}

struct Counts {
  int adds = 0, removes = 0, metadata = 0, protocols = 0, txns = 0, domains = 0;
  int64_t add_bytes = 0;
  int adds_with_stats = 0;
};

Counts Count(const std::vector<Action>& actions) {
  Counts c;
  for (const Action& action : actions) {
    if (const auto* add = std::get_if<Add>(&action)) {
      ++c.adds;
      c.add_bytes += add->size;
      c.adds_with_stats += add->stats ? 1 : 0;
    }
    c.removes += std::holds_alternative<Remove>(action) ? 1 : 0;
    c.metadata += std::holds_alternative<Metadata>(action) ? 1 : 0;
    c.protocols += std::holds_alternative<Protocol>(action) ? 1 : 0;
    c.txns += std::holds_alternative<Txn>(action) ? 1 : 0;
    c.domains += std::holds_alternative<DomainMetadata>(action) ? 1 : 0;
  }
  return c;
}

struct Expected {
  const char* file;
  Counts counts;
};

// adds, removes, metaData, protocol, txn, domainMetadata, sum(add.size), adds with
// stats (JSON, or rebuilt from stats_parsed).
const Expected kExpected[] = {
    {"delta-0.2.0/_delta_log/00000000000000000003.checkpoint.parquet",
     {3, 4, 1, 1, 1, 0, 1200, 0}},
    {"delta-checkpoint-stats-optional/_delta_log/00000000000000000002.checkpoint.parquet",
     {2, 0, 1, 1, 0, 0, 10978, 1}},
    {"issue_1374/_delta_log/00000000000000000001.checkpoint.parquet",
     {2, 0, 1, 1, 0, 0, 2042, 2}},
    {"python-0.25.5-checkpoint/_delta_log/00000000000000000000.checkpoint.parquet",
     {1, 0, 1, 1, 0, 0, 514, 1}},
    {"simple_table_with_checkpoint/_delta_log/00000000000000000010.checkpoint.parquet",
     {11, 0, 1, 1, 0, 0, 4862, 0}},
    {"spark-shredded-variant-preview-delta/_delta_log/"
     "00000000000000000002.checkpoint.parquet",
     {4, 0, 1, 1, 0, 0, 24861, 4}},
    {"table-with-domain-metadata/_delta_log/00000000000000000108.checkpoint.parquet",
     {109, 0, 1, 1, 0, 3, 136359, 109}},
    {"checkpoint-v2-table/_delta_log/_sidecars/00000000000000000006.checkpoint."
     "0000000001.0000000001.1a1516f4-8a39-48f0-9ccd-cc3790d824c7.parquet",
     {5, 0, 0, 0, 0, 0, 5646, 5}},
    {"checkpoint-v2-table/_delta_log/_sidecars/00000000000000000008.checkpoint."
     "0000000001.0000000001.d55fb2cb-b8d3-4362-8572-c52142a9da1f.parquet",
     {7, 0, 0, 0, 0, 0, 7878, 7}},
};

TEST(CheckpointRealTest, CountsMatchPyarrow) {
  for (const Expected& expected : kExpected) {
    SCOPED_TRACE(expected.file);
    ASSERT_OK_AND_ASSIGN(
        auto actions,
        DecodeCheckpoint(ReadBytes(kTables + expected.file), expected.file));
    const Counts got = Count(actions);
    EXPECT_EQ(got.adds, expected.counts.adds);
    EXPECT_EQ(got.removes, expected.counts.removes);
    EXPECT_EQ(got.metadata, expected.counts.metadata);
    EXPECT_EQ(got.protocols, expected.counts.protocols);
    EXPECT_EQ(got.txns, expected.counts.txns);
    EXPECT_EQ(got.domains, expected.counts.domains);
    EXPECT_EQ(got.add_bytes, expected.counts.add_bytes);
    EXPECT_EQ(got.adds_with_stats, expected.counts.adds_with_stats);
  }
}

template <typename T>
std::vector<T> All(const std::vector<Action>& actions) {
  std::vector<T> out;
  for (const Action& action : actions) {
    if (const auto* typed = std::get_if<T>(&action)) out.push_back(*typed);
  }
  return out;
}

// Spark 2.4 checkpoint: txn, tombstones, non-null leaf columns, a null commitInfo
// column that must be ignored.
TEST(CheckpointRealTest, Spark24Checkpoint) {
  const char* file = "delta-0.2.0/_delta_log/00000000000000000003.checkpoint.parquet";
  ASSERT_OK_AND_ASSIGN(auto actions, DecodeCheckpoint(ReadBytes(kTables + file), file));
  EXPECT_EQ(All<Txn>(actions).at(0),
            (Txn{"e4a20b59-dd0e-4c50-b074-e8ae4786df30", 0, 1564524299648}));
  const Remove remove = All<Remove>(actions).at(0);
  EXPECT_EQ(remove.path,
            "part-00000-512e1537-8aaa-4193-b8b4-bef3de0de409-c000.snappy.parquet");
  EXPECT_EQ(remove.deletion_timestamp, 1564524298213);
  EXPECT_FALSE(remove.data_change);
  const Metadata metadata = All<Metadata>(actions).at(0);
  EXPECT_EQ(metadata.id, "22ef18ba-191c-4c36-a606-3dad5cdf3830");
  EXPECT_EQ(metadata.created_time, 1564524294376);
  EXPECT_EQ(metadata.format.provider, "parquet");
  EXPECT_EQ(All<Protocol>(actions).at(0), Protocol{});
  const Add add = All<Add>(actions).at(0);
  EXPECT_EQ(add.path,
            "part-00000-cb6b150b-30b8-4662-ad28-ff32ddab96d2-c000.snappy.parquet");
  EXPECT_EQ(add.size, 404);
  EXPECT_EQ(add.modification_time, 1564524299000);
  EXPECT_FALSE(add.tags.has_value());
}

// Databricks with writeStatsAsJson=false: only stats_parsed. The rebuilt JSON must
// equal the stats the same file got in its commit (00000000000000000001.json).
TEST(CheckpointRealTest, StatsRebuiltFromStatsParsedMatchCommitJson) {
  const char* file =
      "delta-checkpoint-stats-optional/_delta_log/"
      "00000000000000000002.checkpoint.parquet";
  ASSERT_OK_AND_ASSIGN(auto actions, DecodeCheckpoint(ReadBytes(kTables + file), file));
  const std::vector<Add> adds = All<Add>(actions);
  ASSERT_EQ(adds.size(), 2u);
  EXPECT_FALSE(adds[0].stats.has_value());  // committed with stats_parsed: null
  EXPECT_EQ(adds[0].tags, (StringMap{{"INSERTION_TIME", "1666652374000000"},
                                     {"OPTIMIZE_TARGET_SIZE", "268435456"}}));
  const std::string commit = ReadText(kTables +
                                      "delta-checkpoint-stats-optional/_delta_log/"
                                      "00000000000000000001.json");
  std::string committed_stats;
  std::istringstream lines(commit);
  for (std::string line; std::getline(lines, line);) {
    auto doc = nlohmann::json::parse(line, nullptr, false);
    if (doc.contains("add")) committed_stats = doc["add"]["stats"].get<std::string>();
  }
  ASSERT_FALSE(committed_stats.empty());
  EXPECT_EQ(adds[1].stats, committed_stats);
}

TEST(CheckpointRealTest, DeltaRsCheckpoints) {
  const char* issue = "issue_1374/_delta_log/00000000000000000001.checkpoint.parquet";
  ASSERT_OK_AND_ASSIGN(auto actions, DecodeCheckpoint(ReadBytes(kTables + issue), issue));
  const Add add = All<Add>(actions).at(0);
  EXPECT_EQ(add.partition_values, (PartitionValues{{"date", "2023-05-24"}}));
  // Both stats forms present: the JSON string is kept verbatim (null min included).
  EXPECT_EQ(add.stats,
            R"({"numRecords":10,"minValues":{"timestamp":null,"temperature":8},)"
            R"("maxValues":{"timestamp":"2023-05-24T00:01:25.014Z","temperature":90},)"
            R"("nullCount":{"temperature":0,"timestamp":0}})");
  EXPECT_EQ(All<Metadata>(actions).at(0).partition_columns,
            std::vector<std::string>{"date"});
  EXPECT_EQ(All<Protocol>(actions).at(0), (Protocol{1, 1, std::nullopt, std::nullopt}));

  const char* python =
      "python-0.25.5-checkpoint/_delta_log/00000000000000000000.checkpoint.parquet";
  ASSERT_OK_AND_ASSIGN(actions, DecodeCheckpoint(ReadBytes(kTables + python), python));
  const Add python_add = All<Add>(actions).at(0);
  EXPECT_EQ(python_add.tags, StringMap{});  // an empty map, not a missing one
  EXPECT_EQ(
      python_add.stats,
      R"({"numRecords":3,"minValues":{"x":1},"maxValues":{"x":3},"nullCount":{"x":0}})");
}

TEST(CheckpointRealTest, TableFeaturesRowTrackingAndDomains) {
  const char* file =
      "table-with-domain-metadata/_delta_log/00000000000000000108.checkpoint.parquet";
  ASSERT_OK_AND_ASSIGN(auto actions, DecodeCheckpoint(ReadBytes(kTables + file), file));
  Protocol expected_protocol{
      3, 7, std::vector<std::string>{"deletionVectors"},
      std::vector<std::string>{"deletionVectors", "domainMetadata", "rowTracking",
                               "invariants", "appendOnly", "clustering"}};
  EXPECT_EQ(All<Protocol>(actions).at(0), expected_protocol);
  const auto domains = All<DomainMetadata>(actions);
  ASSERT_EQ(domains.size(), 3u);
  EXPECT_EQ(domains[0].domain, "delta.clustering");
  EXPECT_EQ(domains[1].domain, "com.databricks.liquid");
  EXPECT_EQ(domains[2], (DomainMetadata{"delta.rowTracking",
                                        R"({"rowIdHighWaterMark":435,)"
                                        R"("domainName":"delta.rowTracking"})",
                                        false}));
  const auto adds = All<Add>(actions);
  EXPECT_EQ(adds.at(0).base_row_id, 136);
  EXPECT_EQ(adds.at(0).default_row_commit_version, 34);
  for (const Add& add : adds) EXPECT_TRUE(add.base_row_id.has_value()) << add.path;
  EXPECT_EQ(All<Metadata>(actions).at(0).configuration.at("delta.enableRowTracking"),
            "true");
}

// Where a writer stored both forms, our rendering of stats_parsed must mean the same
// as its JSON: same keys and values once JSON nulls (unknown stats) are dropped.
nlohmann::json WithoutNulls(const nlohmann::json& doc) {
  if (!doc.is_object()) return doc;
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, value] : doc.items()) {
    if (!value.is_null()) out[key] = WithoutNulls(value);
  }
  return out;
}

TEST(CheckpointRealTest, StatsParsedRenderingAgreesWithWrittenJson) {
  using checkpoint_internal::ColumnRef;
  for (const char* file :
       {"issue_1374/_delta_log/00000000000000000001.checkpoint.parquet",
        "table-with-domain-metadata/_delta_log/00000000000000000108.checkpoint.parquet",
        "checkpoint-v2-table/_delta_log/_sidecars/00000000000000000008.checkpoint."
        "0000000001.0000000001.d55fb2cb-b8d3-4362-8572-c52142a9da1f.parquet"}) {
    SCOPED_TRACE(file);
    ASSERT_OK_AND_ASSIGN(
        auto reader, parquet::arrow::OpenFile(std::make_shared<arrow::io::BufferReader>(
                                                  ReadBytes(kTables + file)),
                                              arrow::default_memory_pool()));
    ASSERT_OK_AND_ASSIGN(auto table, reader->ReadTable());
    ASSERT_OK_AND_ASSIGN(auto batch, table->CombineChunksToBatch());
    ColumnRef add{batch->GetColumnByName("add"), "add"};
    ASSERT_OK_AND_ASSIGN(auto stats, checkpoint_internal::Child(add, "stats"));
    ASSERT_OK_AND_ASSIGN(auto parsed, checkpoint_internal::Child(add, "stats_parsed"));
    int compared = 0;
    for (int64_t row = 0; row < batch->num_rows(); ++row) {
      ASSERT_OK_AND_ASSIGN(auto json, checkpoint_internal::ReadString(stats, row));
      ASSERT_OK_AND_ASSIGN(auto rendered,
                           checkpoint_internal::StatsStructToJson(parsed, row));
      if (!json || !rendered) continue;
      EXPECT_EQ(nlohmann::json::parse(*rendered),
                WithoutNulls(nlohmann::json::parse(*json)))
          << "row " << row;
      ++compared;
    }
    EXPECT_GT(compared, 0);
  }
}

TEST(CheckpointRealTest, TruncatedRealCheckpointIsProtocolError) {
  const std::string file =
      "simple_table_with_checkpoint/_delta_log/00000000000000000010.checkpoint.parquet";
  auto bytes = ReadBytes(kTables + file);
  for (int64_t length : {int64_t{0}, int64_t{4}, bytes->size() / 2, bytes->size() - 9,
                         bytes->size() - 1}) {
    auto result = DecodeCheckpoint(arrow::SliceBuffer(bytes, 0, length), file);
    ASSERT_FALSE(result.ok()) << length;
    EXPECT_TRUE(IsKind(result.status(), ErrorKind::kProtocol))
        << result.status().ToString();
    EXPECT_NE(result.status().message().find(file), std::string::npos);
  }
}

TEST(CheckpointRealTest, ParsesRealLastCheckpointFiles) {
  struct Hint {
    const char* table;
    int64_t version, size;
    std::optional<int64_t> size_in_bytes, num_of_add_files;
  };
  for (const Hint& hint : std::vector<Hint>{
           {"delta-0.2.0", 3, 10, std::nullopt, std::nullopt},
           {"simple_table_with_checkpoint", 10, 13, std::nullopt, std::nullopt},
           {"delta-checkpoint-stats-optional", 2, 4, 41898, std::nullopt},
           {"python-0.25.5-checkpoint", 0, 3, 14193, std::nullopt},
           {"spark-shredded-variant-preview-delta", 2, 6, 21895, 4},
           {"checkpoint-v2-table", 8, 11, 20432, 7},
           {"issue_1374", 1, 20622, std::nullopt, std::nullopt},
       }) {
    SCOPED_TRACE(hint.table);
    ASSERT_OK_AND_ASSIGN(auto parsed,
                         ParseLastCheckpoint(ReadText(kTables + hint.table +
                                                      "/_delta_log/_last_checkpoint")));
    EXPECT_EQ(parsed.version, hint.version);
    EXPECT_EQ(parsed.size, hint.size);
    EXPECT_FALSE(parsed.parts.has_value());
    EXPECT_EQ(parsed.size_in_bytes, hint.size_in_bytes);
    EXPECT_EQ(parsed.num_of_add_files, hint.num_of_add_files);
  }
}

}  // namespace
}  // namespace deltaline::delta
