#include "delta/ops/parquet_footer.h"

#include <set>

#include <parquet/arrow/schema.h>
#include <parquet/exception.h>
#include <parquet/file_reader.h>
#include <parquet/statistics.h>

#include "delta/base/errors.h"

namespace deltaline::delta {
namespace {

bool ExactInRowGroup(const parquet::ColumnChunkMetaData& chunk,
                     const parquet::ColumnDescriptor& descr) {
  if (!chunk.is_stats_set()) return false;
  std::shared_ptr<parquet::Statistics> stats = chunk.statistics();
  if (stats == nullptr || !stats->HasNullCount()) return false;
  if (stats->null_count() >= chunk.num_values()) return true;
  if (!stats->HasMinMax()) return false;
  const bool may_truncate = descr.physical_type() == parquet::Type::BYTE_ARRAY;
  auto exact = [may_truncate](std::optional<bool> flag) {
    return flag.has_value() ? *flag : !may_truncate;
  };
  return exact(stats->is_min_value_exact()) && exact(stats->is_max_value_exact());
}

std::shared_ptr<arrow::Schema> WithoutFieldMetadata(
    const arrow::Schema& schema, const std::set<std::string>& int96_roots) {
  arrow::FieldVector fields;
  for (const auto& field : schema.fields()) {
    auto clean = field->RemoveMetadata();
    if (int96_roots.count(field->name()) &&
        clean->type()->id() == arrow::Type::TIMESTAMP) {
      clean = clean->WithType(arrow::timestamp(arrow::TimeUnit::NANO, "UTC"));
    }
    fields.push_back(std::move(clean));
  }
  return arrow::schema(std::move(fields));
}

}  // namespace

arrow::Status ReadParquetFooter(arrow::fs::FileSystem& fs, const std::string& root,
                                ParquetSourceFile* file) {
  ARROW_ASSIGN_OR_RAISE(auto input, fs.OpenInputFile(root + "/" + file->path));
  try {
    auto reader = parquet::ParquetFileReader::Open(input);
    file->metadata = reader->metadata();
  } catch (const parquet::ParquetException& e) {
    return arrow::Status::IOError("source file '", file->path,
                                  "' is not valid Parquet: ", e.what());
  }
  const parquet::FileMetaData& metadata = *file->metadata;
  const parquet::SchemaDescriptor& descr = *metadata.schema();
  file->num_rows = metadata.num_rows();
  std::set<std::string> int96_roots;
  std::set<std::string> inexact_roots;
  for (int leaf = 0; leaf < descr.num_columns(); ++leaf) {
    const std::string root_name = descr.GetColumnRoot(leaf)->name();
    if (descr.Column(leaf)->physical_type() == parquet::Type::INT96) {
      file->int96_columns.push_back(descr.Column(leaf)->path()->ToDotString());
      int96_roots.insert(root_name);
    }
    for (int rg_idx = 0; rg_idx < metadata.num_row_groups(); ++rg_idx) {
      if (!ExactInRowGroup(*metadata.RowGroup(rg_idx)->ColumnChunk(leaf),
                           *descr.Column(leaf))) {
        inexact_roots.insert(root_name);
        break;
      }
    }
  }
  std::shared_ptr<arrow::Schema> schema;
  parquet::ArrowReaderProperties properties;
  ARROW_RETURN_NOT_OK(parquet::arrow::FromParquetSchema(
      &descr, properties, metadata.key_value_metadata(), &schema));
  file->schema = WithoutFieldMetadata(*schema, int96_roots);
  for (const auto& field : file->schema->fields()) {
    if (!inexact_roots.count(field->name())) {
      file->exact_stats_columns.push_back(field->name());
    }
  }
  return arrow::Status::OK();
}

}  // namespace deltaline::delta
