#include "obs/run_manifest.h"

#include <algorithm>
#include <cctype>

#include "delta/base/errors.h"
#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"
#include "storage/storage_writer.h"
#include "support/table_builders.h"
#include "test_util.h"

namespace deltaline::obs {
namespace {

using nlohmann::json;
using testing::PxTable;
using testing::TempDir;

storage::StorageWriteOptions SalesOptions(delta::SaveMode mode) {
  storage::StorageWriteOptions options;
  options.delta.mode = mode;
  options.delta.partition_by = {"p"};
  options.dataset = "sales";
  options.ordering_keys = {"id", "x"};
  options.constraints = {{"positive_x", "x > 0"}};
  options.write.stats_columns = {"id", "x"};
  return options;
}

// Keys and values that only Parquet metadata (footers, row groups, sidecars) or
// file-level statistics would bring into a manifest.
void FindParquetMetadata(const json& value, const std::string& where,
                         std::vector<std::string>* found) {
  if (value.is_object()) {
    for (const auto& [key, child] : value.items()) {
      std::string norm;
      for (char c : key) {
        if (c != '_')
          norm += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
      const bool bad = norm.find("rowgroups") != std::string::npos ||
                       norm.find("footer") != std::string::npos ||
                       norm.find("columnchunk") != std::string::npos ||
                       norm.find("parquetmetadata") != std::string::npos ||
                       norm.find("fileschema") != std::string::npos ||
                       key == "_metadata" || key == "_common_metadata" ||
                       norm == "minvalues" || norm == "maxvalues" ||
                       norm == "nullcount" || norm == "stats" || norm == "files";
      if (bad) found->push_back(where + "/" + key);
      FindParquetMetadata(child, where + "/" + key, found);
    }
  } else if (value.is_array()) {
    for (size_t idx = 0; idx < value.size(); ++idx) {
      FindParquetMetadata(value[idx], where + "/" + std::to_string(idx), found);
    }
  } else if (value.is_string()) {
    const auto text = value.get<std::string>();
    if (text.find(".parquet") != std::string::npos ||
        text.find("_common_metadata") != std::string::npos ||
        text.find("/_metadata") != std::string::npos || text.rfind("PAR1", 0) == 0) {
      found->push_back(where + " = " + text);
    }
  }
}

class RunManifestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    uri_ = (dir_.path() / "sales").string();
    ASSERT_OK(storage::WriteTableDelta(*PxTable("[1, 2]", "[1, 2]", "[10, 20]"), uri_,
                                       SalesOptions(delta::SaveMode::kError)));
    ASSERT_OK(storage::WriteTableDelta(*PxTable("[3]", "[1]", "[30]"), uri_,
                                       SalesOptions(delta::SaveMode::kAppend)));
    ASSERT_OK_AND_ASSIGN(
        last_, storage::WriteTableDelta(*PxTable("[4, 5, 6]", "[1, 3, 3]", "[4, 5, 6]"),
                                        uri_, SalesOptions(delta::SaveMode::kAppend)));
    run_.run_id = "run-7";
    run_.pipeline_id = "daily";
    run_.sequence = 7;
    run_.started_ms = 1000;
    run_.ended_ms = 1750;
    run_.outcome = "succeeded";
    run_.config = {{"lake", dir_.str()}};
    run_.inputs = {{"orders", "delta", "/in/orders", 4, 6}};
    run_.nodes = {{"clean", 1100, 1300, 6}};
    run_.refusals = {{"export", "parquet", "/tmp/x", "dev mode refuses non-Delta sinks"}};
  }

  TempDir dir_;
  std::string uri_;
  storage::WriteResult last_;
  RunRecord run_;
};

TEST_F(RunManifestTest, OutputFactsComeFromTheDeltaLog) {
  OutputRecord out{"sales", uri_, 1, 2, false, {{"positive_x", 3}}};
  ASSERT_OK_AND_ASSIGN(json manifest, BuildManifest(run_, {out}));
  EXPECT_EQ(manifest["runId"], "run-7");
  EXPECT_EQ(manifest["durationMs"], 750);
  EXPECT_EQ(manifest["inputs"][0]["version"], 4);
  EXPECT_EQ(manifest["nodes"][0]["durationMs"], 200);
  EXPECT_EQ(manifest["refusals"][0]["format"], "parquet");
  ASSERT_EQ(manifest["outputs"].size(), 1u);
  const json& output = manifest["outputs"][0];
  EXPECT_EQ(output["versionBefore"], 1);
  EXPECT_EQ(output["versionAfter"], 2);
  EXPECT_TRUE(output["committed"].get<bool>());

  ASSERT_OK_AND_ASSIGN(auto store, delta::FileSystemLogStore::Open(uri_));
  ASSERT_OK_AND_ASSIGN(auto history, delta::ReadHistory(*store));
  ASSERT_EQ(history.size(), 3u);
  ASSERT_EQ(output["history"].size(), 3u);
  for (size_t idx = 0; idx < history.size(); ++idx) {
    EXPECT_EQ(output["history"][idx]["version"], history[idx].version);
    EXPECT_EQ(output["history"][idx]["operation"], history[idx].info->operation);
  }
  EXPECT_EQ(output["operation"], history[0].info->operation);
  EXPECT_EQ(output["operation"], last_.delta.operation);

  // The counts of commit 2, not of the table or of another commit.
  EXPECT_EQ(output["counts"]["rowsAdded"], 3);
  EXPECT_EQ(output["counts"]["filesAdded"], last_.delta.files_added);
  EXPECT_EQ(output["counts"]["bytesAdded"], last_.delta.bytes_added);
  EXPECT_EQ(output["counts"]["filesRemoved"], 0);
  EXPECT_EQ(output["partitionMetrics"]["p=1"]["numOutputRows"], 1);
  EXPECT_EQ(output["partitionMetrics"]["p=3"]["numOutputRows"], 2);
  EXPECT_FALSE(output["partitionMetrics"].contains("p=2"));
  EXPECT_EQ(output["numRecords"], 6);

  ASSERT_OK_AND_ASSIGN(auto snapshot, delta::Snapshot::Load(*store));
  EXPECT_EQ(output["protocol"]["minReaderVersion"],
            snapshot->protocol().min_reader_version);
  EXPECT_EQ(output["protocol"]["minWriterVersion"],
            snapshot->protocol().min_writer_version);
  EXPECT_EQ(output["schema"], json::parse(snapshot->metadata().schema_string));
  EXPECT_EQ(output["schema"]["fields"][1]["name"], "p");
  EXPECT_EQ(output["partitionColumns"], json::array({"p"}));
  EXPECT_EQ(output["tableProperties"]["delta.dataSkippingStatsColumns"], "id,x");
  EXPECT_EQ(output["statsColumns"]["dataSkippingStatsColumns"], json::array({"id", "x"}));

  const json& user = output["userMetadata"];
  EXPECT_EQ(user["deltaline.dataset"], "sales");
  EXPECT_EQ(user["deltaline.orderingKeys"], json::array({"id", "x"}));
  EXPECT_EQ(user["deltaline.constraints"], json({{"positive_x", "x > 0"}}));
  EXPECT_EQ(user["deltaline.schemaFingerprint"],
            last_.user_metadata["deltaline.schemaFingerprint"]);
  EXPECT_TRUE(user["deltaline.policy"].is_object());
  EXPECT_EQ(user["deltaline.policy"], last_.policy);
  EXPECT_EQ(output["constraintViolations"]["positive_x"], 3);
  EXPECT_EQ(manifest["totals"]["rowsAdded"], 3);
  EXPECT_EQ(manifest["totals"]["constraintViolations"], 3);
}

TEST_F(RunManifestTest, HoldsNoParquetMetadata) {
  OutputRecord out{"sales", uri_, 1, 2, false, {}};
  ASSERT_OK_AND_ASSIGN(json manifest, BuildManifest(run_, {out}));
  std::vector<std::string> found;
  FindParquetMetadata(manifest, "", &found);
  EXPECT_TRUE(found.empty()) << ::testing::PrintToString(found);

  // The walk itself finds what it looks for.
  json planted = manifest;
  planted["outputs"][0]["history"][0]["rowGroups"] = json::array();
  planted["outputs"][0]["sidecar"] = "/lake/sales/_common_metadata";
  found.clear();
  FindParquetMetadata(planted, "", &found);
  EXPECT_EQ(found.size(), 2u);
}

TEST_F(RunManifestTest, SkippedAndMissingOutputs) {
  OutputRecord skipped{"sales", uri_, 2, 2, true, {}};
  OutputRecord missing{"never", (dir_.path() / "never").string(), {}, {}, false, {}};
  ASSERT_OK_AND_ASSIGN(json manifest, BuildManifest(run_, {skipped, missing}));
  const json& first = manifest["outputs"][0];
  EXPECT_FALSE(first["committed"].get<bool>());
  EXPECT_TRUE(first["operation"].is_null());  // no commit of this run to describe
  EXPECT_FALSE(first.contains("counts"));
  EXPECT_EQ(first["history"][0]["version"], 2);
  EXPECT_EQ(manifest["outputs"][1]["exists"], false);
  EXPECT_EQ(manifest["totals"]["committedOutputs"], 0);
  EXPECT_EQ(manifest["totals"]["rowsAdded"], 0);
}

TEST_F(RunManifestTest, AVersionTheLogLacksIsAnError) {
  OutputRecord out{"sales", uri_, 2, 9, false, {}};
  auto manifest = BuildManifest(run_, {out});
  ASSERT_FALSE(manifest.ok());
  EXPECT_TRUE(delta::IsKind(manifest.status(), delta::ErrorKind::kVersionNotFound))
      << manifest.status().ToString();
  EXPECT_NE(manifest.status().message().find("sales"), std::string::npos);
}

TEST_F(RunManifestTest, HistoryHoldsTheNewestFiveAtTheVersion) {
  for (int idx = 0; idx < 4; ++idx) {
    ASSERT_OK(storage::WriteTableDelta(*PxTable("[9]", "[1]", "[9]"), uri_,
                                       SalesOptions(delta::SaveMode::kAppend)));
  }
  // Versions 0..6 exist; the manifest of version 5 lists 5, 4, 3, 2, 1.
  OutputRecord out{"sales", uri_, 4, 5, false, {}};
  ASSERT_OK_AND_ASSIGN(json manifest, BuildManifest(run_, {out}));
  const json& history = manifest["outputs"][0]["history"];
  ASSERT_EQ(history.size(), static_cast<size_t>(kManifestHistoryEntries));
  EXPECT_EQ(history[0]["version"], 5);
  EXPECT_EQ(history[4]["version"], 1);
  EXPECT_EQ(manifest["outputs"][0]["counts"]["rowsAdded"], 1);
}

}  // namespace
}  // namespace deltaline::obs
