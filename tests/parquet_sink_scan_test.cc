// The sink scan: only the places named below may write Parquet. Delta data files and
// checkpoints live in delta/; plain Parquet leaves only through the gated export
// module. A new writer anywhere else fails this test until it is named here, with
// its reason, so that no Parquet sink can appear unnoticed.
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "test_util.h"

namespace deltaline {
namespace {

namespace fs = std::filesystem;

// Every way into a Parquet writer we know of: the writer classes and functions, the
// dataset writer, and the headers that declare them (which also catches aliases).
// C++ patterns apply to C++ files; Python ones to Python and shell (heredocs) files.
struct WriterPattern {
  std::string name;
  std::regex regex;
  bool cpp;
};

const std::vector<WriterPattern>& WriterPatterns() {
  static const std::vector<WriterPattern> kPatterns = {
      {"parquet::arrow::FileWriter", std::regex(R"(parquet::arrow::FileWriter)"), true},
      {"parquet::ParquetFileWriter", std::regex(R"(ParquetFileWriter)"), true},
      {"parquet::arrow::WriteTable", std::regex(R"(parquet::arrow::WriteTable)"), true},
      {"parquet::StreamWriter", std::regex(R"(parquet::StreamWriter)"), true},
      {"dataset ParquetFileFormat",
       std::regex(R"(ParquetFileFormat|ParquetFileWriteOptions)"), true},
      {"dataset write",
       // \b: DeltaWriteNodeOptions (the Delta sink) is not Arrow's WriteNodeOptions.
       std::regex(R"(\bFileSystemDataset::Write|\bWriteNodeOptions|\bWriteOptionsFactory|)"
                  R"(\bFileSystemDatasetWriteOptions)"),
       true},
      // Acero's file-writing nodes by factory name (the engine gates them).
      {"acero write node",
       std::regex(R"re((Declaration|MakeExecNode)\s*[({]\s*"(write|tee)")re"), true},
      {"writer header",
       std::regex(R"(#\s*include\s*[<"](parquet/arrow/writer\.h|parquet/file_writer\.h|)"
                  R"(parquet/stream_writer\.h|arrow/dataset/file_parquet\.h)[>"])"),
       true},
      // pyarrow.parquet's writers, pyarrow.dataset's (Parquet by default), pandas'.
      {"pyarrow writer",
       std::regex(R"(\bpq\.(write_table|write_to_dataset|write_metadata|ParquetWriter)|)"
                  R"(\bparquet\.(write_table|write_to_dataset|ParquetWriter)|)"
                  R"(\bwrite_dataset\(|\.to_parquet\()"),
       false},
  };
  return kPatterns;
}

// The allow-list: path (from the repository root) → why it may write Parquet.
const std::map<std::string, std::string>& AllowedWriters() {
  static const std::map<std::string, std::string> kAllowed = {
      {"src/delta/write/data_writer.cc", "Delta data files (DataFileWriter)"},
      {"src/delta/checkpoint/checkpoint_encode.cc",
       "Delta checkpoints (_delta_log/*.checkpoint.parquet)"},
      {"src/storage/export_parquet.cc",
       "the gated Parquet export (allow_parquet_exports)"},
      // Exempt, not outputs:
      {"bench/write_bench.cc",
       "benchmark baseline: a bare Parquet writer P1 compares with"},
      {"src/delta/write/stats_test.cc",
       "test fixture: Parquet footers with chosen statistics"},
      {"src/delta/checkpoint/checkpoint_decode_test.cc",
       "test fixture: checkpoint layouts to decode"},
      {"src/delta/checkpoint/checkpoint_leaves_test.cc",
       "test fixture: checkpoint leaf layouts"},
      {"src/delta/scan/column_mapping_read_test.cc",
       "test fixture: data files with physical names, field ids and narrow types"},
      {"tests/interop/test_validate.py",
       "test fixture: a plan's expected result as a Parquet file (a validate binding)"},
      {"tests/interop/spark/test_spark.py",
       "test fixture: a Parquet input file for Spark"},
      {"tests/interop/test_migrate_parquet.py",
       "test fixture: legacy Parquet trees for migrate-parquet"},
      {"tests/interop/spark/test_migrate.py",
       "test fixture: a legacy Parquet tree for migrate-parquet, read by Spark"},
      {"tests/python/test_tools.py",
       "test fixture: legacy Parquet trees for the Python migrate_parquet"},
      {"src/storage/migrate_parquet_test.cc",
       "test fixture: a legacy Parquet tree, and a corrupted copy of a data file"},
      {"src/delta/log/checkpoint_read_test.cc",
       "test fixture: V2 checkpoint top-level files and sidecars"},
      {"src/delta/scan/change_feed_test.cc",
       "test fixture: data and cdc files of hand-built change data feed commits"},
      {"src/delta/scan/row_tracking_columns_test.cc",
       "test fixture: data files with materialised row tracking columns"},
      // The engine writes no Parquet: these name dataset writers only to refuse them.
      {"src/engine/sink_gate.cc",
       "the engine's sink gate: reads write-node options to refuse them (never writes)"},
      {"src/engine/execute.h",
       "RunSubstraitToFiles: the Substrait write-factory route, gated before it runs"},
      {"src/engine/execute.cc",
       "RunSubstraitToFiles: the Substrait write-factory route, gated before it runs"},
      {"src/engine/sink_gate_test.cc",
       "test fixture: the write-node and Substrait routes the gate must refuse"},
      {"src/pipeline/runner_test.cc",
       "test fixture: a pipeline node returning a Parquet write plan the runner must "
       "refuse"},
      {"bench/make_v2_checkpoint_table.py",
       "benchmark fixture: V2 checkpoint sidecars (log files, not table outputs)"},
  };
  return kAllowed;
}

// 1 = C++ source, 0 = Python or shell, -1 = not scanned.
int Language(const fs::path& path) {
  static const std::set<std::string> kCpp = {".cc", ".h", ".cpp", ".hpp", ".cxx"};
  static const std::set<std::string> kScript = {".py", ".sh"};
  if (kCpp.count(path.extension().string())) return 1;
  if (kScript.count(path.extension().string())) return 0;
  return -1;
}

std::map<std::string, std::set<std::string>> FindWriters() {
  const fs::path root = DELTALINE_SOURCE_DIR;
  std::map<std::string, std::set<std::string>> found;
  for (const char* top : {"src", "tests", "bench", "scripts", "cmake"}) {
    if (!fs::exists(root / top)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(root / top)) {
      const int language = entry.is_regular_file() ? Language(entry.path()) : -1;
      if (language < 0) continue;
      std::string rel = fs::relative(entry.path(), root).generic_string();
      if (rel == "tests/parquet_sink_scan_test.cc") continue;  // holds the patterns
      std::ifstream in(entry.path());
      std::stringstream text;
      text << in.rdbuf();
      const std::string body = text.str();
      for (const auto& pattern : WriterPatterns()) {
        if (pattern.cpp == (language == 1) && std::regex_search(body, pattern.regex)) {
          found[rel].insert(pattern.name);
        }
      }
    }
  }
  return found;
}

TEST(ParquetSinkScan, OnlyNamedPlacesWriteParquet) {
  auto found = FindWriters();
  for (const auto& [path, patterns] : found) {
    if (AllowedWriters().count(path)) continue;
    std::string what;
    for (const auto& name : patterns) what += (what.empty() ? "" : ", ") + name;
    ADD_FAILURE()
        << path << " uses a Parquet writer (" << what
        << ") but is not an allowed sink. Outputs go through the storage surface "
           "(Delta) or storage/export_parquet; if this is a new legitimate place, "
           "name it with its reason in AllowedWriters().";
  }
}

TEST(ParquetSinkScan, AllowListHasNoStaleEntries) {
  auto found = FindWriters();
  for (const auto& [path, reason] : AllowedWriters()) {
    EXPECT_TRUE(found.count(path))
        << path << " (" << reason
        << ") no longer writes Parquet: remove it from the list";
  }
}

// The engine may write Parquet nowhere: in src/engine/ only the gate's own files may
// name a dataset writer (to refuse it). Growing this set needs a reason here.
TEST(ParquetSinkScan, EngineFilesAreOnlyTheGate) {
  const std::set<std::string> gate = {"src/engine/sink_gate.cc", "src/engine/execute.h",
                                      "src/engine/execute.cc",
                                      "src/engine/sink_gate_test.cc"};
  for (const auto& [path, reason] : AllowedWriters()) {
    if (path.rfind("src/engine/", 0) == 0) {
      EXPECT_TRUE(gate.count(path)) << path << " is allowed (" << reason
                                    << ") but is not part of the engine's sink gate";
    }
  }
  // The scan reaches the engine: the gate's files are found by their patterns.
  auto found = FindWriters();
  EXPECT_TRUE(found["src/engine/sink_gate.cc"].count("dataset write"));
  EXPECT_TRUE(found["src/engine/execute.cc"].count("dataset write"));
}

// The scan must see what it claims to see: each pattern matches a typical use.
TEST(ParquetSinkScan, PatternsCatchTypicalUses) {
  const std::vector<std::string> not_writers = {
      "writer.write_table(table)  # an Arrow IPC writer",
      "pq.read_table(path)",
      "#include <parquet/arrow/reader.h>",
      "app.add_subcommand(\"write\", \"Write a file into a Delta table\")",
      "{\"write\", WritePolicyJson(options.write)}",
  };
  for (const auto& text : not_writers) {
    for (const auto& pattern : WriterPatterns()) {
      EXPECT_FALSE(std::regex_search(text, pattern.regex))
          << text << " ~ " << pattern.name;
    }
  }
  const std::vector<std::string> uses = {
      "parquet::arrow::FileWriter::Open(schema, pool, sink)",
      "std::unique_ptr<parquet::ParquetFileWriter> w;",
      "parquet::arrow::WriteTable(*t, pool, sink, 1024)",
      "parquet::StreamWriter os{std::move(w)};",
      "auto format = std::make_shared<arrow::dataset::ParquetFileFormat>();",
      "arrow::dataset::FileSystemDataset::Write(options, scanner)",
      "acero::Declaration{\"write\", {input}, std::move(options)}",
      "acero::Declaration(\"tee\", std::move(options))",
      "ds::WriteNodeOptions write_options(file_options);",
      "arrow::engine::DeserializePlans(buf, WriteOptionsFactory{})",
      "#include <parquet/arrow/writer.h>",
      "pq.write_table(table, 'x.parquet')",
      "ds.write_dataset(table, out_dir)",
      "frame.to_parquet('x.parquet')",
  };
  for (const auto& use : uses) {
    bool matched = false;
    for (const auto& pattern : WriterPatterns()) {
      matched = matched || std::regex_search(use, pattern.regex);
    }
    EXPECT_TRUE(matched) << use;
  }
}

}  // namespace
}  // namespace deltaline
