#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <arrow/acero/exec_plan.h>
#include <arrow/result.h>
#include <arrow/table.h>
#include <arrow/type_fwd.h>

namespace deltaline::engine {

struct DeltaScanMetrics;  // engine/delta_dataset.h

/// \brief Which version of a Delta table a binding reads. Both unset: the latest.
struct DeltaVersionSpec {
  std::optional<int64_t> version;
  /// Milliseconds since the epoch: the newest version committed at or before it.
  std::optional<int64_t> timestamp_ms;
};

/// \brief What a catalog name is bound to.
enum class SourceKind { kDelta, kArrowIpcFile, kParquetFile, kJsonLines, kMemory };

const char* SourceKindName(SourceKind kind);

/// \brief One binding of the catalog, as listed by Catalog::Entry.
struct CatalogEntry {
  std::string name;
  SourceKind kind = SourceKind::kMemory;
  std::string uri;  ///< empty for in-memory tables
  /// For Delta tables: the version the catalog pinned when the name was bound, so every
  /// scan of the name in a run reads the same snapshot.
  std::optional<int64_t> version;
  std::shared_ptr<arrow::Schema> schema;
};

/// \brief Names → tables, for plans, the fluent builder and the validation harness.
///
/// Delta tables are pinned to a version when bound (latest, a version, or the version
/// current at a timestamp), so a run reads one snapshot per name. Files are opened
/// afresh by each Source() call; in-memory tables are shared. Not thread-safe for
/// Add*; Source() and Entry() may be called concurrently once the catalog is filled.
class Catalog {
 public:
  Catalog();
  ~Catalog();
  Catalog(Catalog&&) noexcept;
  Catalog& operator=(Catalog&&) noexcept;

  /// \brief Binds `name` to the Delta table at `uri`. kTableNotFound / kVersionNotFound
  /// / protocol errors come from loading the snapshot, here rather than mid-plan.
  arrow::Status AddDelta(const std::string& name, const std::string& uri,
                         const DeltaVersionSpec& at = {});
  arrow::Status AddArrowIpcFile(const std::string& name, const std::string& path);
  arrow::Status AddParquetFile(const std::string& name, const std::string& path);
  /// \brief Newline-delimited JSON objects; types are inferred by Arrow's JSON reader.
  arrow::Status AddJsonLines(const std::string& name, const std::string& path);
  arrow::Status AddTable(const std::string& name, std::shared_ptr<arrow::Table> table);

  /// \brief `NAME=URI[@VERSION]`: a directory with `_delta_log` is a Delta table
  /// (`@VERSION` a version number or an RFC 3339 time); a file is recognised by its
  /// magic (`ARROW1`: Arrow IPC file, `PAR1`: Parquet) or, for JSON lines, by its
  /// `.jsonl`/`.ndjson`/`.json` extension. Anything else is kInvalidInput naming it.
  arrow::Status AddBinding(const std::string& binding);

  /// \brief A fresh source declaration producing the rows of `name` in its schema.
  /// kInvalidInput listing the known names when `name` is unknown.
  arrow::Result<arrow::acero::Declaration> Source(const std::string& name) const;
  /// \brief Source(name), and for a Delta table the counts of its scan in `*metrics`
  /// (files considered / skipped by partition / skipped by stats / read, bytes read,
  /// rows), filled as the declaration runs. `*metrics` is set to null for other kinds.
  /// DeltaScansOf(plan) finds the same counts from a whole plan.
  arrow::Result<arrow::acero::Declaration> Source(
      const std::string& name, std::shared_ptr<DeltaScanMetrics>* metrics) const;

  arrow::Result<CatalogEntry> Entry(const std::string& name) const;
  std::vector<std::string> Names() const;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

/// \brief Splits `NAME=URI[@VERSION]` into its parts. The `@` suffix counts only after
/// the last path separator, so `a=/data/x@y/t` binds the path `/data/x@y/t`.
struct ParsedBinding {
  std::string name;
  std::string uri;
  std::string at;  ///< the text after `@`, empty when absent
};
arrow::Result<ParsedBinding> ParseBinding(const std::string& binding);

/// \brief `at` as a Delta version spec: digits are a version, anything else an RFC 3339
/// time. kInvalidInput naming the text when it is neither.
arrow::Result<DeltaVersionSpec> ParseVersionSpec(const std::string& at);

}  // namespace deltaline::engine
