#include "delta/scan/data_file_reader.h"

#include <algorithm>

#include <arrow/array/util.h>
#include <arrow/compute/api.h>
#include <arrow/util/uri.h>
#include <parquet/arrow/reader.h>
#include <parquet/exception.h>

#include "delta/base/errors.h"
#include "delta/table/partition_path.h"

namespace deltaline::delta {
namespace {

bool Contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

std::string DataFilePath(const LogStore& store, const std::string& path) {
  if (path.rfind("file:", 0) == 0) {
    std::string rest = path.substr(5);
    if (rest.rfind("//", 0) == 0) rest = rest.substr(2);
    return arrow::util::UriUnescape(rest);
  }
  return store.root() + "/" + arrow::util::UriUnescape(path);
}

arrow::Result<std::shared_ptr<arrow::Table>> ReadDataFile(
    LogStore& store, const std::shared_ptr<arrow::Schema>& schema,
    const std::vector<std::string>& partition_columns, const Add& file) {
  if (file.deletion_vector) {
    return UnsupportedFeature("deletionVectors", "file '" + file.path + "' has a deletion vector");
  }
  auto opened = store.filesystem()->OpenInputFile(DataFilePath(store, file.path));
  if (!opened.ok()) {
    return arrow::Status::IOError("data file '", file.path, "' of table '", store.uri(),
                                  "' cannot be opened: ", opened.status().message());
  }
  std::shared_ptr<arrow::Table> read;
  try {
    parquet::ArrowReaderProperties properties;
    properties.set_coerce_int96_timestamp_unit(arrow::TimeUnit::MICRO);
    parquet::arrow::FileReaderBuilder builder;
    ARROW_RETURN_NOT_OK(builder.Open(*opened));
    ARROW_ASSIGN_OR_RAISE(auto reader, builder.properties(properties)->Build());
    std::shared_ptr<arrow::Schema> file_schema;
    ARROW_RETURN_NOT_OK(reader->GetSchema(&file_schema));
    std::vector<int> wanted;
    for (int index = 0; index < file_schema->num_fields(); ++index) {
      const auto& name = file_schema->field(index)->name();
      if (schema->GetFieldIndex(name) >= 0 && !Contains(partition_columns, name)) {
        wanted.push_back(index);
      }
    }
    ARROW_ASSIGN_OR_RAISE(read, reader->ReadTable(wanted));
  } catch (const parquet::ParquetException& e) {
    return arrow::Status::IOError("data file '", file.path, "' is not valid Parquet: ", e.what());
  }
  const int64_t rows = read->num_rows();
  std::vector<std::shared_ptr<arrow::ChunkedArray>> columns;
  for (const auto& field : schema->fields()) {
    std::shared_ptr<arrow::ChunkedArray> column;
    if (Contains(partition_columns, field->name())) {
      auto it = file.partition_values.find(field->name());
      std::optional<std::string> raw;
      if (it != file.partition_values.end()) raw = it->second;
      ARROW_ASSIGN_OR_RAISE(auto scalar, ParsePartitionValue(raw, field->type(), field->name()));
      ARROW_ASSIGN_OR_RAISE(auto array, arrow::MakeArrayFromScalar(*scalar, rows));
      column = std::make_shared<arrow::ChunkedArray>(array);
    } else if (auto found = read->GetColumnByName(field->name())) {
      column = found;
      if (!column->type()->Equals(*field->type(), false)) {
        ARROW_ASSIGN_OR_RAISE(auto cast, arrow::compute::Cast(column, field->type()));
        column = cast.chunked_array();
      }
    } else {
      ARROW_ASSIGN_OR_RAISE(auto array, arrow::MakeArrayOfNull(field->type(), rows));
      column = std::make_shared<arrow::ChunkedArray>(array);
    }
    columns.push_back(std::move(column));
  }
  return arrow::Table::Make(schema, std::move(columns), rows);
}

}  // namespace deltaline::delta
