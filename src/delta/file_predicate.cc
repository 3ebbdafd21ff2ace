#include "delta/file_predicate.h"

#include <algorithm>

#include <arrow/array.h>
#include <arrow/array/util.h>
#include <arrow/compute/api.h>
#include <arrow/util/uri.h>
#include <parquet/arrow/reader.h>
#include <parquet/exception.h>

#include "delta/errors.h"
#include "delta/partition_path.h"
#include "delta/scan.h"

namespace deltaline::delta {
namespace {

namespace cp = arrow::compute;

// An `add.path` is a URI reference: relative to the table root, or absolute.
std::string DataFilePath(const LogStore& store, const std::string& path) {
  if (path.rfind("file:", 0) == 0) {
    std::string rest = path.substr(5);
    if (rest.rfind("//", 0) == 0) rest = rest.substr(2);
    return arrow::util::UriUnescape(rest);
  }
  return store.root() + "/" + arrow::util::UriUnescape(path);
}

bool Contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

arrow::Result<cp::Expression> PartitionEquals(const arrow::Schema& schema,
                                              const std::vector<std::string>& columns,
                                              const PartitionValues& values) {
  std::vector<cp::Expression> terms;
  for (const auto& column : columns) {
    auto field = schema.GetFieldByName(column);
    if (!field) return InvalidInput("partition column '" + column + "' is not in the schema");
    auto it = values.find(column);
    std::optional<std::string> raw;
    if (it != values.end()) raw = it->second;
    ARROW_ASSIGN_OR_RAISE(auto scalar, ParsePartitionValue(raw, field->type(), column));
    if (!scalar->is_valid) {
      terms.push_back(cp::is_null(cp::field_ref(column)));
    } else {
      terms.push_back(cp::equal(cp::field_ref(column), cp::literal(std::move(scalar))));
    }
  }
  return cp::and_(terms);
}

}  // namespace

arrow::Result<cp::Expression> BindPredicate(cp::Expression predicate,
                                            const arrow::Schema& schema) {
  ARROW_RETURN_NOT_OK(cp::Initialize());
  if (!predicate.IsBound()) {
    auto bound = predicate.Bind(schema);
    if (!bound.ok()) {
      return InvalidInput("predicate " + predicate.ToString() +
                          " does not fit the table schema: " + bound.status().message());
    }
    predicate = std::move(bound).ValueUnsafe();
  }
  if (predicate.type()->id() != arrow::Type::BOOL) {
    return InvalidInput("predicate " + predicate.ToString() + " is " +
                        predicate.type()->ToString() + ", not boolean");
  }
  return predicate;
}

arrow::Result<PartitionMatch> MatchPartitionValues(const cp::Expression& predicate,
                                              const arrow::Schema& schema,
                                              const std::vector<std::string>& partition_columns,
                                              const PartitionValues& values) {
  ARROW_ASSIGN_OR_RAISE(auto guarantee, PartitionEquals(schema, partition_columns, values));
  ARROW_ASSIGN_OR_RAISE(auto simplified, cp::SimplifyWithGuarantee(predicate, guarantee));
  if (const arrow::Datum* literal = simplified.literal()) {
    if (!literal->is_scalar()) return PartitionMatch::kUnknown;
    const auto& scalar = *literal->scalar();
    if (!scalar.is_valid) return PartitionMatch::kNone;
    if (scalar.type->id() != arrow::Type::BOOL) return PartitionMatch::kUnknown;
    return static_cast<const arrow::BooleanScalar&>(scalar).value ? PartitionMatch::kAll
                                                                   : PartitionMatch::kNone;
  }
  return PartitionMatch::kUnknown;
}

arrow::Result<std::shared_ptr<arrow::BooleanArray>> PredicateIsTrue(
    const cp::Expression& predicate, const arrow::RecordBatch& batch) {
  ARROW_ASSIGN_OR_RAISE(auto input, cp::MakeExecBatch(*batch.schema(), arrow::Datum(batch)));
  ARROW_ASSIGN_OR_RAISE(auto value, cp::ExecuteScalarExpression(predicate, input));
  if (value.is_scalar()) {
    ARROW_ASSIGN_OR_RAISE(auto array, arrow::MakeArrayFromScalar(*value.scalar(),
                                                                 batch.num_rows()));
    value = array;
  }
  ARROW_ASSIGN_OR_RAISE(auto filled,
                        cp::CallFunction("coalesce", {value, arrow::Datum(false)}));
  return std::static_pointer_cast<arrow::BooleanArray>(filled.make_array());
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
        ARROW_ASSIGN_OR_RAISE(auto cast, cp::Cast(column, field->type()));
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

arrow::Result<PartitionValues> NormalizePartitionValues(
    const arrow::Schema& schema, const std::vector<std::string>& partition_columns,
    const PartitionValues& values) {
  PartitionValues out;
  for (const auto& column : partition_columns) {
    auto field = schema.GetFieldByName(column);
    if (!field) return InvalidInput("partition column '" + column + "' is not in the schema");
    auto it = values.find(column);
    std::optional<std::string> raw;
    if (it != values.end()) raw = it->second;
    ARROW_ASSIGN_OR_RAISE(auto scalar, ParsePartitionValue(raw, field->type(), column));
    ARROW_ASSIGN_OR_RAISE(out[column], SerializePartitionValue(*scalar));
  }
  return out;
}

arrow::Result<cp::Expression> PartitionsPredicate(
    const arrow::Schema& schema, const std::vector<std::string>& partition_columns,
    const std::vector<PartitionValues>& partitions) {
  std::vector<cp::Expression> any;
  for (const auto& values : partitions) {
    ARROW_ASSIGN_OR_RAISE(auto term, PartitionEquals(schema, partition_columns, values));
    any.push_back(std::move(term));
  }
  if (any.empty()) return cp::literal(false);
  return cp::or_(any);
}

}  // namespace deltaline::delta
