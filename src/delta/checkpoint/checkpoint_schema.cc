// CheckpointSchema: Spark's classic checkpoint layout, which the encoder writes and
// the decoder checks files against.
#include <arrow/type.h>

#include "delta/checkpoint/checkpoint_internal.h"

namespace deltaline::delta {

namespace checkpoint_internal {
namespace {

using TypePtr = std::shared_ptr<arrow::DataType>;

TypePtr StringMapType() { return arrow::map(arrow::utf8(), arrow::utf8()); }
TypePtr StringListType() { return arrow::list(arrow::utf8()); }

TypePtr DeletionVectorType() {
  return arrow::struct_({
      arrow::field("storageType", arrow::utf8()),
      arrow::field("pathOrInlineDv", arrow::utf8()),
      arrow::field("offset", arrow::int32()),
      arrow::field("sizeInBytes", arrow::int32()),
      arrow::field("cardinality", arrow::int64()),
  });
}

}  // namespace

std::shared_ptr<arrow::Schema> CheckpointSchema() {
  using arrow::field;
  // Field order follows Spark 3.5/4.0 checkpoints; readers match by name anyway.
  auto txn =
      arrow::struct_({field("appId", arrow::utf8()), field("version", arrow::int64()),
                      field("lastUpdated", arrow::int64())});
  auto add = arrow::struct_({
      field("path", arrow::utf8()),
      field("partitionValues", StringMapType()),
      field("size", arrow::int64()),
      field("modificationTime", arrow::int64()),
      field("dataChange", arrow::boolean()),
      field("tags", StringMapType()),
      field("deletionVector", DeletionVectorType()),
      field("baseRowId", arrow::int64()),
      field("defaultRowCommitVersion", arrow::int64()),
      field("clusteringProvider", arrow::utf8()),
      field("stats", arrow::utf8()),
  });
  auto remove = arrow::struct_({
      field("path", arrow::utf8()),
      field("deletionTimestamp", arrow::int64()),
      field("dataChange", arrow::boolean()),
      field("extendedFileMetadata", arrow::boolean()),
      field("partitionValues", StringMapType()),
      field("size", arrow::int64()),
      field("tags", StringMapType()),
      field("deletionVector", DeletionVectorType()),
      field("baseRowId", arrow::int64()),
      field("defaultRowCommitVersion", arrow::int64()),
  });
  auto format = arrow::struct_(
      {field("provider", arrow::utf8()), field("options", StringMapType())});
  auto metadata = arrow::struct_({
      field("id", arrow::utf8()),
      field("name", arrow::utf8()),
      field("description", arrow::utf8()),
      field("format", format),
      field("schemaString", arrow::utf8()),
      field("partitionColumns", StringListType()),
      field("configuration", StringMapType()),
      field("createdTime", arrow::int64()),
  });
  auto protocol = arrow::struct_({
      field("minReaderVersion", arrow::int32()),
      field("minWriterVersion", arrow::int32()),
      field("readerFeatures", StringListType()),
      field("writerFeatures", StringListType()),
  });
  auto domain = arrow::struct_({field("domain", arrow::utf8()),
                                field("configuration", arrow::utf8()),
                                field("removed", arrow::boolean())});
  return arrow::schema({field("txn", txn), field("add", add), field("remove", remove),
                        field("metaData", metadata), field("protocol", protocol),
                        field("domainMetadata", domain)});
}

}  // namespace checkpoint_internal

}  // namespace deltaline::delta
