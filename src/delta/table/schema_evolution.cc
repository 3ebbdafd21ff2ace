#include "delta/table/schema_evolution.h"

#include "delta/base/errors.h"

namespace deltaline::delta {
namespace {

std::string Describe(const arrow::Field& field) {
  return "'" + field.name() + "' (" + field.type()->ToString() +
         (field.nullable() ? "" : " NOT NULL") + ")";
}

arrow::Status ListedMismatch(const std::string& uri, SchemaMode mode,
                             const std::vector<std::string>& diffs) {
  std::string msg = "input schema does not match table '" + uri + "' (schema mode " +
                    SchemaModeName(mode) + "): ";
  for (size_t diff_idx = 0; diff_idx < diffs.size(); ++diff_idx) {
    msg += (diff_idx ? "; " : "") + diffs[diff_idx];
  }
  if (mode == SchemaMode::kStrict) {
    msg +=
        ". Schema mode merge adds new nullable columns; overwrite (with mode "
        "overwrite) replaces the schema";
  }
  return SchemaMismatch(std::move(msg));
}

// Adding a column must not need reader/writer features the table lacks; deltaline
// does not upgrade protocols implicitly.
arrow::Status CheckSameFeatures(const Metadata& before, const Metadata& after,
                                const std::string& uri) {
  ARROW_ASSIGN_OR_RAISE(bool had_ntz, UsesTimestampNtz(before.schema_string));
  ARROW_ASSIGN_OR_RAISE(bool has_ntz, UsesTimestampNtz(after.schema_string));
  if (has_ntz && !had_ntz) {
    return UnsupportedFeature("timestampNtz",
                              "the new schema of '" + uri +
                                  "' has a timestamp_ntz column, which needs a protocol "
                                  "upgrade deltaline does not make implicitly");
  }
  return arrow::Status::OK();
}

}  // namespace

const char* SchemaModeName(SchemaMode mode) {
  switch (mode) {
    case SchemaMode::kStrict:
      return "strict";
    case SchemaMode::kMerge:
      return "merge";
    case SchemaMode::kOverwrite:
      return "overwrite";
  }
  return "strict";
}

arrow::Result<SchemaMode> ParseSchemaMode(const std::string& text) {
  for (SchemaMode mode :
       {SchemaMode::kStrict, SchemaMode::kMerge, SchemaMode::kOverwrite}) {
    if (text == SchemaModeName(mode)) return mode;
  }
  return InvalidInput("unknown schema mode '" + text +
                      "' (expected strict, merge or overwrite)");
}

std::vector<std::string> DiffSchemas(const arrow::Schema& table,
                                     const arrow::Schema& input) {
  std::vector<std::string> diffs;
  for (const auto& field : table.fields()) {
    auto other = input.GetFieldByName(field->name());
    if (!other) {
      diffs.push_back("missing column " + Describe(*field));
    } else if (!other->type()->Equals(*field->type(), /*check_metadata=*/false)) {
      diffs.push_back("column '" + field->name() + "' is " + other->type()->ToString() +
                      ", the table has " + field->type()->ToString());
    }
  }
  for (const auto& field : input.fields()) {
    if (table.GetFieldIndex(field->name()) < 0) {
      diffs.push_back("extra column " + Describe(*field));
    }
  }
  if (table.num_fields() != input.num_fields() && diffs.empty()) {
    diffs.push_back("duplicate column names in the input");
  }
  return diffs;
}

arrow::Result<SchemaEvolution> EvolveSchema(const Metadata& metadata,
                                            const arrow::Schema& table,
                                            const arrow::Schema& input, SchemaMode mode,
                                            bool overwrite, const std::string& uri) {
  SchemaEvolution out;
  auto diffs = DiffSchemas(table, input);
  if (diffs.empty()) {
    out.write_schema = std::make_shared<arrow::Schema>(table.fields());
    return out;
  }
  std::shared_ptr<arrow::Schema> next;
  switch (mode) {
    case SchemaMode::kStrict:
      return ListedMismatch(uri, mode, diffs);
    case SchemaMode::kOverwrite:
      if (!overwrite) {
        return InvalidInput(
            "schema mode overwrite on '" + uri +
            "' needs write mode overwrite (it replaces the table schema)");
      }
      next = std::make_shared<arrow::Schema>(input.fields());
      break;
    case SchemaMode::kMerge: {
      std::vector<std::string> refused;
      arrow::FieldVector fields = table.fields();
      for (const auto& field : table.fields()) {
        auto other = input.GetFieldByName(field->name());
        if (other && !other->type()->Equals(*field->type(), /*check_metadata=*/false)) {
          refused.push_back("column '" + field->name() + "' is " +
                            other->type()->ToString() + ", the table has " +
                            field->type()->ToString() + " (merge does not change types)");
        } else if (!other && !field->nullable()) {
          refused.push_back("missing NOT NULL column " + Describe(*field));
        }
      }
      for (const auto& field : input.fields()) {
        if (table.GetFieldIndex(field->name()) >= 0) continue;
        if (!field->nullable()) {
          refused.push_back("new column " + Describe(*field) +
                            " must be nullable to be merged (old rows have no value)");
        }
        fields.push_back(field);
      }
      if (!refused.empty()) return ListedMismatch(uri, mode, refused);
      // Only nullable columns left out: the table schema stands, no metadata update
      // (which would make the commit conflict with every concurrent append).
      if (fields.size() == static_cast<size_t>(table.num_fields())) {
        out.write_schema = std::make_shared<arrow::Schema>(table.fields());
        return out;
      }
      next = arrow::schema(std::move(fields));
      break;
    }
  }
  Metadata updated = metadata;
  ARROW_ASSIGN_OR_RAISE(updated.schema_string, ArrowToDeltaSchemaJson(*next));
  ARROW_RETURN_NOT_OK(CheckSameFeatures(metadata, updated, uri));
  for (const auto& column : updated.partition_columns) {
    if (next->GetFieldIndex(column) < 0) {
      return SchemaMismatch("the new schema of '" + uri + "' lacks partition column '" +
                            column + "'");
    }
  }
  out.write_schema = std::move(next);
  out.new_metadata = std::move(updated);
  return out;
}

}  // namespace deltaline::delta
