#include "delta/ops/migration_verify.h"

#include <set>

#include <arrow/array.h>
#include <arrow/compute/cast.h>
#include <arrow/util/hashing.h>

#include "delta/log/snapshot.h"
#include "delta/scan/data_file_reader.h"
#include "delta/table/partition_path.h"
#include "delta/table/schema.h"

namespace deltaline::delta {
namespace {

using arrow::internal::ComputeStringHash;

void Accumulate(const arrow::Array& array, ColumnDigest* digest) {
  digest->nulls += array.null_count();
  // All null: nothing to hash (and a null-typed array has no value buffer).
  if (array.null_count() == array.length()) return;
  const arrow::DataType& type = *array.type();
  uint64_t sum = 0;
  auto each_valid = [&array](auto&& hash_row) {
    for (int64_t row = 0; row < array.length(); ++row) {
      if (array.IsValid(row)) hash_row(row);
    }
  };
  if (type.id() == arrow::Type::BOOL) {
    const auto& bools = static_cast<const arrow::BooleanArray&>(array);
    each_valid([&](int64_t row) {
      const uint8_t bit = bools.Value(row) ? 1 : 0;
      sum += ComputeStringHash<0>(&bit, 1);
    });
  } else if (arrow::is_fixed_width(type.id()) && type.id() != arrow::Type::DICTIONARY &&
             type.id() != arrow::Type::EXTENSION) {
    const int width = type.byte_width();
    const uint8_t* data = array.data()->buffers[1]->data();
    const int64_t offset = array.offset();
    each_valid([&](int64_t row) {
      sum += ComputeStringHash<0>(data + (offset + row) * width, width);
    });
  } else if (arrow::is_binary_like(type.id())) {
    const auto& binary = static_cast<const arrow::BinaryArray&>(array);
    each_valid([&](int64_t row) {
      auto view = binary.GetView(row);
      sum += ComputeStringHash<0>(view.data(), static_cast<int64_t>(view.size()));
    });
  } else if (arrow::is_large_binary_like(type.id())) {
    const auto& binary = static_cast<const arrow::LargeBinaryArray&>(array);
    each_valid([&](int64_t row) {
      auto view = binary.GetView(row);
      sum += ComputeStringHash<0>(view.data(), static_cast<int64_t>(view.size()));
    });
  } else {
    // Nested values: their text, which shows every child value and null.
    each_valid([&](int64_t row) {
      auto scalar = array.GetScalar(row);
      const std::string text = scalar.ok() ? (*scalar)->ToString() : "";
      sum += ComputeStringHash<0>(text.data(), static_cast<int64_t>(text.size()));
    });
  }
  digest->hash_sum += sum;  // unsigned: wraps
}

arrow::Status AccumulateBatch(const arrow::RecordBatch& batch, const std::string& key,
                              DatasetDigest* digest) {
  digest->rows += batch.num_rows();
  digest->partition_rows[key] += batch.num_rows();
  for (int col_idx = 0; col_idx < batch.num_columns(); ++col_idx) {
    Accumulate(*batch.column(col_idx),
               &digest->columns[batch.schema()->field(col_idx)->name()]);
  }
  return arrow::Status::OK();
}

// The canonical partition directory: values parsed with their types, serialised
// again, so `007` and `7` of an int column are one partition.
arrow::Result<std::string> PartitionDirectory(
    const std::vector<std::string>& columns,
    const std::function<arrow::Result<std::shared_ptr<arrow::Scalar>>(size_t)>& value) {
  PartitionValues values;
  for (size_t col_idx = 0; col_idx < columns.size(); ++col_idx) {
    ARROW_ASSIGN_OR_RAISE(auto scalar, value(col_idx));
    ARROW_ASSIGN_OR_RAISE(values[columns[col_idx]], SerializePartitionValue(*scalar));
  }
  ARROW_ASSIGN_OR_RAISE(auto key, MakePartitionKey(columns, values));
  return key.directory;
}

std::string DigestText(const ColumnDigest& digest) {
  return "hash " + std::to_string(digest.hash_sum) + ", " + std::to_string(digest.nulls) +
         " nulls";
}

}  // namespace

arrow::Result<DatasetDigest> DigestParquetLayout(const ParquetLayout& layout,
                                                 const VerifyOptions& options) {
  SchemaConversionOptions conversion;
  conversion.widen_unsigned = true;
  conversion.coerce_timestamps = true;
  DatasetDigest digest;
  ARROW_ASSIGN_OR_RAISE(digest.schema, CanonicalArrowSchema(*layout.schema, conversion));
  const std::vector<std::string> columns = layout.partition_names();
  int64_t done = 0;
  for (const auto& file : layout.files) {
    ARROW_ASSIGN_OR_RAISE(std::string key,
                          PartitionDirectory(columns, [&](size_t col_idx) {
                            return PartitionScalar(layout, file, col_idx);
                          }));
    ARROW_ASSIGN_OR_RAISE(auto reader, OpenParquetSourceFile(layout, file));
    while (true) {
      ARROW_ASSIGN_OR_RAISE(auto batch, reader->Next());
      if (!batch) break;
      arrow::ArrayVector cast;
      for (int col_idx = 0; col_idx < batch->num_columns(); ++col_idx) {
        ARROW_ASSIGN_OR_RAISE(
            auto column, arrow::compute::Cast(*batch->column(col_idx),
                                              digest.schema->field(col_idx)->type()));
        cast.push_back(std::move(column));
      }
      auto canonical = arrow::RecordBatch::Make(digest.schema, batch->num_rows(), cast);
      ARROW_RETURN_NOT_OK(AccumulateBatch(*canonical, key, &digest));
    }
    if (options.progress) {
      options.progress("source", ++done, static_cast<int64_t>(layout.files.size()));
    }
  }
  return digest;
}

arrow::Result<DatasetDigest> DigestDeltaTable(LogStore& store,
                                              const VerifyOptions& options) {
  ARROW_ASSIGN_OR_RAISE(auto snapshot, Snapshot::Load(store));
  DatasetDigest digest;
  digest.schema = snapshot->schema();
  const std::vector<std::string>& columns = snapshot->partition_columns();
  const std::vector<Add> files = snapshot->files();
  int64_t done = 0;
  for (const auto& add : files) {
    ARROW_ASSIGN_OR_RAISE(
        std::string key, PartitionDirectory(columns, [&](size_t col_idx) {
          const auto& name = columns[col_idx];
          return PartitionValueOf(add.partition_values, name,
                                  digest.schema->GetFieldByName(name)->type());
        }));
    ARROW_ASSIGN_OR_RAISE(auto reader, OpenDataFile(store, digest.schema, columns, add));
    while (true) {
      ARROW_ASSIGN_OR_RAISE(auto batch, reader->Next());
      if (!batch) break;
      ARROW_RETURN_NOT_OK(AccumulateBatch(*batch, key, &digest));
    }
    if (options.progress) {
      options.progress("result", ++done, static_cast<int64_t>(files.size()));
    }
  }
  return digest;
}

std::vector<VerifyMismatch> CompareDigests(const DatasetDigest& source,
                                           const DatasetDigest& result) {
  std::vector<VerifyMismatch> out;
  if (source.rows != result.rows) {
    out.push_back({"rows", "", std::to_string(source.rows), std::to_string(result.rows)});
  }
  auto count = [](const std::map<std::string, int64_t>& rows, const std::string& key) {
    auto it = rows.find(key);
    return it == rows.end() ? int64_t{0} : it->second;
  };
  std::set<std::string> partitions;
  for (const auto& entry : source.partition_rows) partitions.insert(entry.first);
  for (const auto& entry : result.partition_rows) partitions.insert(entry.first);
  for (const auto& partition : partitions) {
    const int64_t from = count(source.partition_rows, partition);
    const int64_t to = count(result.partition_rows, partition);
    if (from != to) {
      out.push_back({"partition", partition, std::to_string(from), std::to_string(to)});
    }
  }
  for (const auto& field : source.schema->fields()) {
    auto theirs = result.schema->GetFieldByName(field->name());
    if (!theirs || !theirs->type()->Equals(field->type())) {
      out.push_back({"schema", field->name(), field->type()->ToString(),
                     theirs ? theirs->type()->ToString() : "missing"});
    }
  }
  for (const auto& field : result.schema->fields()) {
    if (!source.schema->GetFieldByName(field->name())) {
      out.push_back({"schema", field->name(), "missing", field->type()->ToString()});
    }
  }
  for (const auto& [name, digest] : source.columns) {
    auto it = result.columns.find(name);
    ColumnDigest theirs = it == result.columns.end() ? ColumnDigest{} : it->second;
    if (!(theirs == digest)) {
      out.push_back({"column", name, DigestText(digest), DigestText(theirs)});
    }
  }
  return out;
}

arrow::Result<VerifyResult> VerifyMigration(const ParquetLayout& layout, LogStore& result,
                                            const VerifyOptions& options) {
  VerifyResult verify;
  ARROW_ASSIGN_OR_RAISE(verify.source, DigestParquetLayout(layout, options));
  ARROW_ASSIGN_OR_RAISE(verify.result, DigestDeltaTable(result, options));
  verify.mismatches = CompareDigests(verify.source, verify.result);
  verify.ok = verify.mismatches.empty();
  return verify;
}

}  // namespace deltaline::delta
