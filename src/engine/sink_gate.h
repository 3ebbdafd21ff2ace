#pragma once

#include <string>
#include <vector>

#include <arrow/acero/exec_plan.h>
#include <arrow/result.h>

#include "engine/run_options.h"

namespace deltaline::engine {

/// \brief One node of a plan that would have written files outside a Delta table.
struct RefusedSink {
  std::string factory;  ///< the node's factory name: "write", "tee"…
  std::string format;   ///< the file format's type_name ("parquet", "ipc", "csv"…)
  std::string path;     ///< the directory it would have written under
};

/// \brief What the gate did to a plan. Empty in production mode (a refusal is an error).
struct GateReport {
  /// Development mode: the file sinks removed from the plan, outermost first.
  std::vector<RefusedSink> refused;
};

/// \brief True when the node of `declaration` writes files: Arrow's `write` and `tee`
/// nodes, and any node whose options are a dataset write's (whatever its factory is
/// called, so a re-registered writer is still seen). A `delta_write` node is not one:
/// it writes through the storage surface, which gates itself.
bool IsFileSinkNode(const arrow::acero::Declaration& declaration);

/// \brief The sink gate: sends every file-writing node of `declaration` (at any depth)
/// through storage::CheckSink before anything runs. Under any policy such a node is
/// refused: engine outputs are Delta tables, and Parquet leaves only through the
/// export module (`deltaline export-parquet`, storage/export_parquet.h), so
/// `allow_parquet_exports` does not open the engine's `write` node either.
///
/// Production mode: the first refusal is a storage::PolicyViolation error naming the
/// node, its format and path; the declaration is left as it was. Development mode: each
/// refused node is removed from the plan in place (its input takes its place: a `tee`
/// passes its rows on, a `write` leaves its rows to whatever runs the plan), listed in
/// the report, and the rest of the plan may run; removing rather than refusing the
/// whole plan keeps development runs going, as CheckSink promises, while the node
/// itself never runs. Every refusal is reported (reporter warning, and a row in the
/// run's diagnostics table when `options.run.run_dir` is set).
///
/// A declaration input that is an already-built ExecNode cannot be inspected: it is
/// refused with kUnsupportedFeature ("prebuilt ExecNode input").
arrow::Result<GateReport> GateSinks(arrow::acero::Declaration& declaration,
                                    const RunOptions& options);

/// \brief What `deltaline query` may do with its result.
enum class QueryOutputDecision {
  kWrite,    ///< a display format (csv, jsonl, arrow, arrows): write it
  kRefused,  ///< development mode, a refused format: write nothing, go on
};

/// \brief The engine side of `deltaline query --format FORMAT [--output PATH]`:
/// csv, jsonl, arrow and arrows are result formats and allowed; any other format
/// (parquet above all) is a file sink and goes through CheckSink as
/// "query --format <format>", before the query runs. It is refused under every policy:
/// the export module exports Delta table versions only, so a query result reaches
/// Parquet by `--into` a Delta table and then `deltaline export-parquet`; the refusal
/// says so. Production: storage::PolicyViolation; development: kRefused.
arrow::Result<QueryOutputDecision> CheckQueryOutputFormat(const std::string& format,
                                                          const std::string& output_path,
                                                          const RunOptions& options);

}  // namespace deltaline::engine
