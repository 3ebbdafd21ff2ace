#include "bench_tables.h"

#include <filesystem>
#include <iostream>

#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"
#include "delta/write/write.h"

namespace deltaline::bench {

arrow::Status BuildOrReuseTable(const std::string& table, const ScanBenchArgs& args,
                                arrow::RecordBatchReader& input) {
  namespace fs = std::filesystem;
  if (fs::exists(table + "/_delta_log")) {
    ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(table));
    ARROW_ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(*store));
    if (snapshot->num_records() == args.rows) {
      std::cerr << "reusing " << table << "\n";
      return arrow::Status::OK();
    }
    std::error_code ignored;
    fs::remove_all(table, ignored);
  }
  ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(table));
  delta::WriteOptions options;
  options.table_properties = {{"delta.targetFileSize", std::to_string(args.file_size)}};
  const double start = NowSeconds();
  ARROW_ASSIGN_OR_RAISE(auto written, delta::WriteBatches(*store, input, options));
  std::cerr << "\nbuilt " << table << ": " << written.files_added << " files, "
            << written.bytes_added << " bytes in " << NowSeconds() - start << " s\n";
  SyncDisks();
  return arrow::Status::OK();
}

}  // namespace deltaline::bench
