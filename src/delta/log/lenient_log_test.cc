// Logs other writers produce that the protocol allows: they must read.
#include <gtest/gtest.h>

#include <string>

#include "delta/base/action_json.h"
#include "delta/base/errors.h"
#include "delta/base/filenames.h"
#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"
#include "delta/table/table_features.h"
#include "test_util.h"

namespace deltaline::delta {
namespace {

using deltaline::testing::TempDir;

constexpr const char* kProtocol =
    R"({"protocol":{"minReaderVersion":1,"minWriterVersion":2}})";
constexpr const char* kSchema =
    R"({\"type\":\"struct\",\"fields\":[{\"name\":\"id\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}}]})";

TEST(LenientLog, CommitInfoOfOtherEnginesIsKeptNotRefused) {
  const std::string line =
      R"({"commitInfo":{"timestamp":"2024-01-01T00:00:00Z","operation":{"kind":"WRITE"},)"
      R"("isBlindAppend":"true","operationMetrics":{"rows":5},"clientVersion":"x/1",)"
      R"("readVersion":null}})";
  ASSERT_OK_AND_ASSIGN(auto actions, ParseCommitFile(line, "c.json"));
  ASSERT_EQ(actions.size(), 1u);
  const auto& ci = std::get<CommitInfo>(actions[0]);
  EXPECT_FALSE(ci.timestamp.has_value());
  EXPECT_EQ(ci.extra["timestamp"], "2024-01-01T00:00:00Z");
  EXPECT_EQ(ci.extra["operation"]["kind"], "WRITE");
  EXPECT_EQ(ci.extra["isBlindAppend"], "true");
  EXPECT_EQ(ci.extra["clientVersion"], "x/1");
  EXPECT_EQ(ci.operation_metrics.at("rows"), "5");
  // ... and written back as it came.
  auto again = ActionToJson(ci);
  EXPECT_EQ(again["commitInfo"]["timestamp"], "2024-01-01T00:00:00Z");
  // The one field time travel trusts stays strict.
  auto bad = ParseCommitFile(R"({"commitInfo":{"inCommitTimestamp":"soon"}})", "c.json");
  EXPECT_TRUE(IsKind(bad.status(), ErrorKind::kProtocol)) << bad.status().ToString();
}

TEST(LenientLog, UnknownActionsAndFieldsAreSkipped) {
  const std::string content =
      std::string(R"({"checkpointMetadata":{"version":3}})") + "\n" +
      R"({"sidecar":{"path":"x.parquet","sizeInBytes":1}})" + "\n" +
      R"({"someoneElsesAction":{"a":1}})" + "\n" +
      R"({"add":{"path":"f.parquet","partitionValues":{},"size":1,)"
      R"("modificationTime":2,"dataChange":true,"newField":{"x":[1]}}})";
  ASSERT_OK_AND_ASSIGN(auto actions, ParseCommitFile(content, "c.json"));
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(std::get<Add>(actions[0]).path, "f.parquet");
}

TEST(LenientLog, AFirstMetadataALaterCommitCompletesLoads) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto store, FileSystemLogStore::Open(dir.str()));
  // Version 0: a metaData without id, format or schema.
  ASSERT_OK(store->PutIfAbsent(
      CommitFileName(0),
      std::string(kProtocol) + "\n" +
          R"({"metaData":{"partitionColumns":[],"configuration":{}}})" + "\n"));
  ASSERT_OK(store->PutIfAbsent(
      CommitFileName(1), std::string(R"({"metaData":{"id":"t","format":{"provider":)") +
                             R"("parquet","options":{}},"schemaString":")" + kSchema +
                             R"(","partitionColumns":[],"configuration":{}}})" + "\n"));
  ASSERT_OK_AND_ASSIGN(auto snapshot, Snapshot::Load(*store));
  EXPECT_EQ(snapshot->version(), 1);
  EXPECT_EQ(snapshot->schema()->field(0)->name(), "id");
  EXPECT_EQ(snapshot->metadata().format.provider, "parquet");
  // Version 0 alone has no schema: loading it fails as a protocol error, not a crash.
  SnapshotRequest at0;
  at0.version = 0;
  auto first = Snapshot::Load(*store, at0);
  EXPECT_TRUE(IsKind(first.status(), ErrorKind::kProtocol)) << first.status().ToString();
}

TEST(LenientLog, WriterOnlyFeaturesNeverStopAReader) {
  Protocol protocol;
  protocol.min_reader_version = 3;
  protocol.min_writer_version = 7;
  protocol.reader_features = std::vector<std::string>{"timestampNtz", "variantType"};
  protocol.writer_features =
      std::vector<std::string>{"checkConstraints",    "generatedColumns",
                               "identityColumns",     "invariants",
                               "icebergCompatV1",     "icebergCompatV2",
                               "allowColumnDefaults", "appendOnly",
                               "changeDataFeed",      "rowTracking",
                               "domainMetadata",      "clustering",
                               "inCommitTimestamp",   "someFutureWriterFeature"};
  Metadata metadata;
  metadata.schema_string = R"({"type":"struct","fields":[]})";
  EXPECT_OK(CheckReadSupported(protocol, metadata));
  protocol.reader_features->push_back("someFutureReaderFeature");
  auto st = CheckReadSupported(protocol, metadata);
  ASSERT_TRUE(IsKind(st, ErrorKind::kUnsupportedFeature));
  EXPECT_EQ(GetDeltaDetail(st)->feature(), "someFutureReaderFeature");
}

}  // namespace
}  // namespace deltaline::delta
