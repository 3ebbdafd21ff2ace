#pragma once

#include <string>

#include <arrow/record_batch.h>
#include <arrow/status.h>

#include "bench_util.h"

namespace deltaline::bench {

/// \brief The scan benchmarks' table at `table`: reused when it already holds
/// `args.rows` rows, else rebuilt from `input` (one commit, files of `args.file_size`
/// bytes), with the build's files, bytes and time on stderr and the disks synced.
arrow::Status BuildOrReuseTable(const std::string& table, const ScanBenchArgs& args,
                                arrow::RecordBatchReader& input);

}  // namespace deltaline::bench
