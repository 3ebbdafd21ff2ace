#include "storage/diagnostics_table.h"

#include "delta/base/errors.h"
#include "delta/log/log_store.h"
#include "delta/write/write.h"

namespace deltaline::storage {

std::string DiagnosticsTablePath(const RunContext& run, const std::string& name) {
  return run.run_dir + "/_diagnostics/" + name;
}

arrow::Status AppendDiagnostics(const RunContext& run, const std::string& name,
                                const arrow::Table& rows) {
  if (run.run_dir.empty()) {
    return delta::InvalidInput("diagnostics table '" + name + "' needs a run directory");
  }
  ARROW_ASSIGN_OR_RAISE(auto store,
                        delta::FileSystemLogStore::Open(DiagnosticsTablePath(run, name)));
  delta::WriteOptions options;
  options.mode = delta::SaveMode::kAppend;
  options.user_metadata = {{"deltaline.dataset", "_diagnostics/" + name}};
  return delta::WriteTable(*store, rows, options).status();
}

}  // namespace deltaline::storage
