#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <arrow/result.h>
#include <arrow/type.h>

#include "delta/base/actions.h"
#include "delta/table/schema.h"

namespace deltaline::delta {

/// \brief How a write treats an input schema that differs from the table's.
enum class SchemaMode {
  /// Any difference is a kSchemaMismatch error that lists every difference (default).
  kStrict,
  /// New nullable input columns are added to the table schema (a metaData action in
  /// the same commit); nullable table columns missing from the input are written as
  /// null. Type changes and new NOT NULL columns are still refused.
  kMerge,
  /// The input schema replaces the table schema. Only with SaveMode::kOverwrite.
  kOverwrite,
};

const char* SchemaModeName(SchemaMode mode);
arrow::Result<SchemaMode> ParseSchemaMode(const std::string& text);

/// \brief Every difference between `table` and `input` (both canonical Arrow schemas),
/// one line each: missing, extra and retyped columns. Column order does not matter.
std::vector<std::string> DiffSchemas(const arrow::Schema& table,
                                     const arrow::Schema& input);

/// \brief What a write to an existing table does with its schema.
struct SchemaEvolution {
  /// The Arrow schema data files are written with (and input batches cast to).
  std::shared_ptr<arrow::Schema> write_schema;
  /// Set when the table schema changes: the new metaData action for the commit.
  std::optional<Metadata> new_metadata;
};

/// \brief Applies `mode` to a write of `input` (canonical) into a table with
/// `metadata` and Arrow schema `table`. `overwrite` says the write replaces every
/// file. Errors: kSchemaMismatch listing the differences (strict, or what merge
/// cannot reconcile); kInvalidInput for kOverwrite without an overwrite;
/// kUnsupportedFeature when the new schema would need a protocol upgrade.
arrow::Result<SchemaEvolution> EvolveSchema(const Metadata& metadata,
                                            const arrow::Schema& table,
                                            const arrow::Schema& input, SchemaMode mode,
                                            bool overwrite, const std::string& uri);

}  // namespace deltaline::delta
