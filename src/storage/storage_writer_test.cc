// The storage surface writes the right metadata on every table it touches: each
// named dataset and each side table carries its own name and schema fingerprint.
#include "storage/storage_writer.h"

#include <arrow/api.h>
#include <nlohmann/json.hpp>

#include "delta/base/errors.h"
#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"
#include "test_util.h"

namespace deltaline::storage {
namespace {

std::shared_ptr<arrow::RecordBatchReader> Reader(const arrow::FieldVector& fields,
                                                 int64_t rows) {
  std::vector<std::shared_ptr<arrow::Array>> columns;
  for (const auto& field : fields) {
    columns.push_back(
        arrow::MakeArrayFromScalar(*arrow::MakeNullScalar(field->type()), rows)
            .ValueOrDie());
  }
  auto batch = arrow::RecordBatch::Make(arrow::schema(fields), rows, columns);
  return arrow::RecordBatchReader::Make({batch}).ValueOrDie();
}

// The user metadata of the table's latest commit, as the log stores it.
nlohmann::json LatestUserMetadata(const std::string& uri) {
  auto store = delta::FileSystemLogStore::Open(uri).ValueOrDie();
  auto history = delta::ReadHistory(*store, 1).ValueOrDie();
  return nlohmann::json::parse(history.at(0).info->user_metadata.value());
}

TEST(StorageWriter, NamedDatasetsEachGetTheirOwnMetadata) {
  testing::TempDir dir;
  const arrow::FieldVector orders = {arrow::field("order_id", arrow::int64())};
  const arrow::FieldVector users = {arrow::field("user", arrow::utf8()),
                                    arrow::field("age", arrow::int32())};
  StorageWriteOptions options;
  options.delta.user_metadata = {{"pipeline", "nightly"}};
  ASSERT_OK_AND_ASSIGN(auto results,
                       WriteNamedDatasetsDelta(
                           {{"orders", Reader(orders, 3)}, {"users", Reader(users, 2)}},
                           dir.str(), options));
  ASSERT_EQ(results.size(), 2u);
  for (const auto& [name, fields] :
       std::vector<std::pair<std::string, arrow::FieldVector>>{{"orders", orders},
                                                               {"users", users}}) {
    const std::string uri = dir.str() + "/" + name;
    auto stored = LatestUserMetadata(uri);
    EXPECT_EQ(stored["deltaline.dataset"], name);
    ASSERT_OK_AND_ASSIGN(auto fingerprint, SchemaFingerprint(*arrow::schema(fields)));
    EXPECT_EQ(stored["deltaline.schemaFingerprint"], fingerprint);
    EXPECT_EQ(stored["pipeline"], "nightly");
    auto policy = nlohmann::json::parse(stored["deltaline.policy"].get<std::string>());
    EXPECT_EQ(policy["output"]["format"], "delta");
    EXPECT_EQ(policy["write"]["compression"], "zstd");
    EXPECT_EQ(policy["schema_mode"], "strict");
    // The result reports what was committed.
    const auto& result = results.at(name);
    EXPECT_EQ(result.user_metadata.at("deltaline.dataset"), name);
    EXPECT_EQ(result.policy, policy);
    EXPECT_EQ(result.delta.operation, "WRITE");
    EXPECT_EQ(result.delta.version, 0);
  }
  ASSERT_OK_AND_ASSIGN(auto orders_fp, SchemaFingerprint(*arrow::schema(orders)));
  ASSERT_OK_AND_ASSIGN(auto users_fp, SchemaFingerprint(*arrow::schema(users)));
  EXPECT_NE(orders_fp, users_fp);
  EXPECT_EQ(orders_fp.rfind("xxh64:", 0), 0u);

  auto bad = WriteNamedDatasetsDelta({{"../x", Reader(orders, 1)}}, dir.str(), options);
  EXPECT_TRUE(delta::IsKind(bad.status(), delta::ErrorKind::kInvalidInput));
  options.delta.user_metadata = {{"deltaline.dataset", "spoofed"}};
  auto reserved = WriteNamedDatasetsDelta({{"z", Reader(orders, 1)}}, dir.str(), options);
  EXPECT_NE(reserved.status().message().find("reserved"), std::string::npos);
}

TEST(StorageWriter, FinalizeWritesSideTablesWithTheirOwnMetadata) {
  testing::TempDir dir;
  const arrow::FieldVector good = {arrow::field("id", arrow::int64()),
                                   arrow::field("amount", arrow::float64())};
  const arrow::FieldVector errors = {arrow::field("row", arrow::int64()),
                                     arrow::field("error", arrow::utf8())};
  const arrow::FieldVector error_stats = {arrow::field("error", arrow::utf8()),
                                          arrow::field("count", arrow::int64())};
  StorageWriteOptions options;
  options.dataset = "sales";
  options.ordering_keys = {"id"};
  options.constraints = {{"positive", "amount > 0"}};
  ASSERT_OK_AND_ASSIGN(
      auto result, WriteFinalizeResultDelta(Reader(good, 4), Reader(errors, 2),
                                            Reader(error_stats, 1), dir.str(), options));
  ASSERT_TRUE(result.errors && result.error_stats);
  EXPECT_EQ(result.good.delta.rows_added, 4);
  EXPECT_EQ(result.errors->delta.rows_added, 2);

  auto main = LatestUserMetadata(dir.str() + "/sales");
  EXPECT_EQ(main["deltaline.dataset"], "sales");
  EXPECT_EQ(main["deltaline.schemaFingerprint"],
            *SchemaFingerprint(*arrow::schema(good)));
  EXPECT_EQ(main["deltaline.orderingKeys"], R"(["id"])");
  EXPECT_EQ(main["deltaline.constraints"], R"({"positive":"amount > 0"})");
  EXPECT_FALSE(main.contains("deltaline.sideTableOf"));

  for (const auto& [suffix, fields] :
       std::vector<std::pair<std::string, arrow::FieldVector>>{
           {"_errors", errors}, {"_error_stats", error_stats}}) {
    auto side = LatestUserMetadata(dir.str() + "/sales" + suffix);
    EXPECT_EQ(side["deltaline.dataset"], "sales" + suffix);
    EXPECT_EQ(side["deltaline.schemaFingerprint"],
              *SchemaFingerprint(*arrow::schema(fields)));
    EXPECT_NE(side["deltaline.schemaFingerprint"], main["deltaline.schemaFingerprint"]);
    EXPECT_EQ(side["deltaline.sideTableOf"], "sales");
    EXPECT_FALSE(side.contains("deltaline.orderingKeys"));
    EXPECT_FALSE(side.contains("deltaline.constraints"));
  }

  // Without side tables only the main table is written.
  testing::TempDir other;
  ASSERT_OK_AND_ASSIGN(
      auto alone,
      WriteFinalizeResultDelta(Reader(good, 1), nullptr, nullptr, other.str(), options));
  EXPECT_FALSE(alone.errors.has_value());
  EXPECT_FALSE(std::filesystem::exists(other.str() + "/sales_errors"));
}

}  // namespace
}  // namespace deltaline::storage
