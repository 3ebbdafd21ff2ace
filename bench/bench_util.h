#pragma once

// Helpers shared by the benchmark programs: deterministic data, timing, child
// processes measured with wait4(), flags parsed with CLI11. Benchmarks are programs,
// not tests: they print figures and exit non-zero only when something fails.

#include <arrow/record_batch.h>
#include <arrow/result.h>
#include <CLI/CLI.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace deltaline::bench {

/// \brief Schema of the generated data: id int64, value float64, name utf8,
/// ts timestamp[us, UTC]. About 100 bytes per row in Arrow memory.
std::shared_ptr<arrow::Schema> BenchSchema();

/// \brief Rows [first_row, first_row + num_rows) of the deterministic data set: the
/// same row index always gives the same values, whatever the batching.
arrow::Result<std::shared_ptr<arrow::RecordBatch>> MakeBenchBatch(int64_t first_row,
                                                                  int64_t num_rows);

/// \brief The first `total_rows` rows as batches of `batch_rows`.
arrow::Result<std::vector<std::shared_ptr<arrow::RecordBatch>>> MakeBenchBatches(
    int64_t total_rows, int64_t batch_rows);

/// Seconds on a monotonic clock.
double NowSeconds();
/// User + system CPU seconds of this process so far.
double SelfCpuSeconds();

/// \brief What one child process did.
struct ChildRun {
  int exit_code = -1;
  double wall_seconds = 0;
  double cpu_seconds = 0;   ///< user + system, from wait4()
  int64_t max_rss_kib = 0;  ///< ru_maxrss of that child alone (KiB on Linux)
  std::string stdout_text;  ///< everything the child printed on stdout
};

/// \brief Runs argv[0] (looked up in PATH) with `argv`, captures stdout, and
/// measures the child with wait4(). Stderr passes through.
arrow::Result<ChildRun> RunChild(const std::vector<std::string>& argv);

/// \brief Value of "key=value" on its own line of `text`, or an error naming `key`.
arrow::Result<std::string> FindValue(const std::string& text, const std::string& key);

/// Flushes dirty pages so that one run's writeback does not land in the next one.
void SyncDisks();

double Median(std::vector<double> values);
double Min(const std::vector<double>& values);

/// Parses "10M", "500k", "1000000", "1G" (powers of ten).
arrow::Result<int64_t> ParseCount(const std::string& text);

/// \brief Adds `--name COUNT` to `app`: the value is parsed with ParseCount (so "10M"
/// works) into `*value`, whose current value is shown as the default in --help.
/// `value` must outlive the parse.
CLI::Option* AddCountOption(CLI::App& app, const std::string& name, int64_t* value,
                            const std::string& help);

/// \brief Parses the command line with CLI11. --help prints the usage and exits 0 (a
/// benchmark is a program); any other parse error prints CLI11's message and the usage
/// on stderr and returns Invalid.
arrow::Status ParseFlags(CLI::App& app, int argc, char** argv);

/// \brief What a benchmark that builds a table and scans it is told: the table's rows
/// and target file size, the runs of each measurement, where to build, and whether to
/// keep the tables afterwards.
struct ScanBenchArgs {
  int64_t rows = 0;
  int64_t file_size = 0;
  int repeat = 3;
  std::string dir;
  bool keep = false;
};

/// \brief Parses --rows, --file-size, --repeat, --dir and --keep over `defaults` (shown
/// in --help); --rows must be at least 100 and --file-size positive (else Invalid).
arrow::Result<ScanBenchArgs> ParseScanBenchArgs(int argc, char** argv,
                                                const std::string& title,
                                                const std::string& program,
                                                ScanBenchArgs defaults);

}  // namespace deltaline::bench
