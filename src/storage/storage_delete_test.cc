// storage::Delete: a delete goes through the same policies and leaves the same
// commit metadata as a storage write.
#include <arrow/api.h>
#include <arrow/compute/expression.h>
#include <nlohmann/json.hpp>

#include "delta/base/errors.h"
#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"
#include "delta/scan/scan.h"
#include "storage/partition_diagnostics.h"
#include "storage/policy_error.h"
#include "storage/storage_writer.h"
#include "test_util.h"

namespace deltaline::storage {
namespace {

namespace cp = arrow::compute;

std::shared_ptr<arrow::Table> Rows(const std::vector<std::string>& parts,
                                   const std::vector<int64_t>& values) {
  arrow::StringBuilder p;
  arrow::Int64Builder v;
  EXPECT_TRUE(p.AppendValues(parts).ok());
  EXPECT_TRUE(v.AppendValues(values).ok());
  return arrow::Table::Make(arrow::schema({arrow::field("p", arrow::utf8()),
                                           arrow::field("v", arrow::int64())}),
                            {p.Finish().ValueOrDie(), v.Finish().ValueOrDie()});
}

nlohmann::json LatestUserMetadata(const std::string& uri) {
  auto store = delta::FileSystemLogStore::Open(uri).ValueOrDie();
  auto history = delta::ReadHistory(*store, 1).ValueOrDie();
  return nlohmann::json::parse(history.at(0).info->user_metadata.value());
}

int64_t CountRows(const std::string& uri) {
  auto store = delta::FileSystemLogStore::Open(uri).ValueOrDie();
  auto snapshot = delta::Snapshot::Load(*store).ValueOrDie();
  return delta::ReadSnapshot(*store, snapshot).ValueOrDie()->num_rows();
}

cp::Expression VAtLeast(int64_t bound) {
  return cp::greater_equal(cp::field_ref("v"), cp::literal(bound));
}

class StorageDeleteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    uri_ = dir_.str() + "/orders";
    StorageWriteOptions options;
    options.delta.partition_by = {"p"};
    ASSERT_OK(WriteTableDelta(*Rows({"a", "a", "b", "b"}, {1, 2, 3, 4}), uri_, options)
                  .status());
  }
  testing::TempDir dir_;
  std::string uri_;
};

TEST_F(StorageDeleteTest, CommitCarriesTheStorageMetadata) {
  StorageWriteOptions options;
  options.dataset = "orders_clean";
  options.delta.user_metadata = {{"pipeline", "nightly"}};
  options.run = {"run-3", dir_.str() + "/run"};
  ASSERT_OK_AND_ASSIGN(auto deleted, Delete(uri_, VAtLeast(2), options));
  EXPECT_TRUE(deleted.delta.committed);
  EXPECT_EQ(deleted.delta.operation, "DELETE");
  EXPECT_EQ(deleted.delta.version, 1);
  EXPECT_EQ(deleted.delta.rows_removed - deleted.delta.rows_copied, 3);
  EXPECT_GE(deleted.delta.commit_attempts, 1);
  EXPECT_EQ(deleted.attempts, 1);
  EXPECT_EQ(CountRows(uri_), 1);

  auto stored = LatestUserMetadata(uri_);
  EXPECT_EQ(stored["deltaline.dataset"], "orders_clean");
  EXPECT_EQ(stored["pipeline"], "nightly");
  ASSERT_OK_AND_ASSIGN(auto fingerprint, SchemaFingerprint(*Rows({}, {})->schema()));
  EXPECT_EQ(stored["deltaline.schemaFingerprint"], fingerprint);
  auto policy = nlohmann::json::parse(stored["deltaline.policy"].get<std::string>());
  EXPECT_EQ(policy, deleted.policy);
  EXPECT_EQ(policy["output"]["format"], "delta");
  EXPECT_EQ(deleted.user_metadata.at("deltaline.dataset"), "orders_clean");

  // Its per-partition counts land in the run's diagnostics like a write's.
  auto metrics_store =
      delta::FileSystemLogStore::Open(PartitionMetricsTablePath(options.run))
          .ValueOrDie();
  auto snapshot = delta::Snapshot::Load(*metrics_store).ValueOrDie();
  auto rows = delta::ReadSnapshot(*metrics_store, snapshot).ValueOrDie();
  EXPECT_EQ(rows->num_rows(), 2);  // p=a (rewritten) and p=b (removed)
}

TEST_F(StorageDeleteTest, PoliciesApplyAsToWrites) {
  StorageWriteOptions options;
  options.delta.user_metadata = {{"deltaline.dataset", "spoofed"}};
  auto reserved = Delete(uri_, VAtLeast(2), options);
  EXPECT_NE(reserved.status().message().find("reserved"), std::string::npos);

  // A forbidden output format fails in production before anything is written.
  options = {};
  options.output.format = "parquet";
  auto refused = Delete(uri_, VAtLeast(2), options);
  EXPECT_TRUE(IsPolicyViolation(refused.status())) << refused.status().ToString();

  // The write policy's table properties must agree with the table's.
  options = {};
  options.write.checkpoint_interval = 7;
  auto differing = Delete(uri_, VAtLeast(2), options);
  EXPECT_TRUE(delta::IsKind(differing.status(), delta::ErrorKind::kInvalidInput));
  EXPECT_NE(differing.status().message().find("delta.checkpointInterval"),
            std::string::npos);
  EXPECT_EQ(CountRows(uri_), 4);
  options.update_table_properties = true;
  ASSERT_OK_AND_ASSIGN(auto deleted, Delete(uri_, VAtLeast(2), options));
  EXPECT_EQ(deleted.delta.version, 2);  // 1 is the property update
  EXPECT_EQ(CountRows(uri_), 1);
}

TEST_F(StorageDeleteTest, NothingMatchingCommitsNothingAndAMissingTableIsTyped) {
  ASSERT_OK_AND_ASSIGN(auto none, Delete(uri_, VAtLeast(100)));
  EXPECT_FALSE(none.delta.committed);
  EXPECT_EQ(none.delta.version, 0);
  auto missing = Delete(dir_.str() + "/nope", VAtLeast(1));
  EXPECT_TRUE(delta::IsKind(missing.status(), delta::ErrorKind::kTableNotFound))
      << missing.status().ToString();
}

}  // namespace
}  // namespace deltaline::storage
