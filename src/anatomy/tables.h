#pragma once

// The anatomy tables: their names, schemas and dataset specs, and their rows built from
// resolved files. Every table has `file_id` (the file a row came from) and
// `file_bucket` (FileBucket(file_id), the partition column), so one file's rows live
// in one partition and an incremental run replaces them with one targeted replace per
// table (`file_id IN (...)` within the affected buckets).

#include <memory>
#include <string>
#include <vector>

#include <arrow/result.h>
#include <arrow/table.h>

#include "anatomy/facts.h"
#include "pipeline/dataset_spec.h"

namespace deltaline::anatomy {

/// \brief The output tables, in a fixed order: repo_files, definitions, imports,
/// call_sites, call_targets, syntax_diagnostics, cpg_nodes, cpg_edges, cpg_props.
const std::vector<std::string>& AnatomyTableNames();

/// \brief The spec of one table (schema, partition_by {"file_bucket"}, stats columns,
/// not-null and unique keys). kInvalidInput for an unknown name.
arrow::Result<pipeline::DatasetSpec> AnatomySpec(const std::string& table);

/// \brief The rows of `table` contributed by `files` (in that order). Skipped files
/// (SourceFile::skip_reason set) appear in repo_files with their reason and nowhere
/// else but their module node.
arrow::Result<std::shared_ptr<arrow::Table>> BuildAnatomyTable(
    const std::string& table, const std::vector<const ResolvedFile*>& files);

}  // namespace deltaline::anatomy
