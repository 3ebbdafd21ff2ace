#include "bench_util.h"

#include <arrow/builder.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <sstream>
#include <utility>

namespace deltaline::bench {
namespace {

uint64_t SplitMix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// 256 pronounceable words: dictionary-friendly pieces inside otherwise unique names.
const std::vector<std::string>& Words() {
  static const std::vector<std::string> words = [] {
    static const char* kSyllables[] = {"ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo",
                                       "ba", "de", "fi", "go", "hu", "ja", "ke", "zo"};
    std::vector<std::string> out;
    for (int word_idx = 0; word_idx < 256; ++word_idx) {
      std::string word = kSyllables[word_idx & 15];
      word += kSyllables[(word_idx >> 4) & 15];
      if (word_idx % 3 == 0) word += "n";
      if (word_idx % 5 == 0) word += kSyllables[(word_idx * 7) & 15];
      out.push_back(std::move(word));
    }
    return out;
  }();
  return words;
}

const char* kDomains[] = {"north",  "south", "east",   "west",  "central", "harbour",
                          "valley", "ridge", "delta",  "plain", "coast",   "forest",
                          "lake",   "metro", "island", "summit"};

void AppendHex(std::string& out, uint64_t value, int digits) {
  static const char kHex[] = "0123456789abcdef";
  for (int digit_idx = digits - 1; digit_idx >= 0; --digit_idx) {
    out.push_back(kHex[(value >> (4 * digit_idx)) & 15]);
  }
}

}  // namespace

std::shared_ptr<arrow::Schema> BenchSchema() {
  return arrow::schema(
      {arrow::field("id", arrow::int64()), arrow::field("value", arrow::float64()),
       arrow::field("name", arrow::utf8()),
       arrow::field("ts", arrow::timestamp(arrow::TimeUnit::MICRO, "UTC"))});
}

arrow::Result<std::shared_ptr<arrow::RecordBatch>> MakeBenchBatch(int64_t first_row,
                                                                  int64_t num_rows) {
  arrow::Int64Builder ids;
  arrow::DoubleBuilder values;
  arrow::StringBuilder names;
  arrow::TimestampBuilder stamps(arrow::timestamp(arrow::TimeUnit::MICRO, "UTC"),
                                 arrow::default_memory_pool());
  ARROW_RETURN_NOT_OK(ids.Reserve(num_rows));
  ARROW_RETURN_NOT_OK(values.Reserve(num_rows));
  ARROW_RETURN_NOT_OK(names.Reserve(num_rows));
  ARROW_RETURN_NOT_OK(names.ReserveData(num_rows * 76));
  ARROW_RETURN_NOT_OK(stamps.Reserve(num_rows));
  const auto& words = Words();
  constexpr int64_t kEpoch2024Us = 1704067200000000LL;
  std::string name;
  for (int64_t row = first_row; row < first_row + num_rows; ++row) {
    const uint64_t h1 = SplitMix64(static_cast<uint64_t>(row) * 4 + 0);
    const uint64_t h2 = SplitMix64(static_cast<uint64_t>(row) * 4 + 1);
    const uint64_t h3 = SplitMix64(static_cast<uint64_t>(row) * 4 + 2);
    ids.UnsafeAppend(row);
    // Prices with cents: realistic, and not incompressible noise.
    values.UnsafeAppend(std::round(static_cast<double>(h1 >> 11) * 0x1.0p-53 * 1e8) /
                        100.0);
    name.clear();
    name += words[h2 & 255];
    name += '.';
    name += words[(h2 >> 8) & 255];
    name += '@';
    name += kDomains[(h2 >> 16) & 15];
    name += ".example.org/";
    AppendHex(name, h3, 16);
    name += "/session-";
    AppendHex(name, h2 >> 24, 10);
    name += '/';
    name += std::to_string(row);
    ARROW_RETURN_NOT_OK(names.Append(name));
    stamps.UnsafeAppend(kEpoch2024Us + row * 1000 + static_cast<int64_t>(h1 % 1000));
  }
  std::shared_ptr<arrow::Array> id_array, value_array, name_array, ts_array;
  ARROW_RETURN_NOT_OK(ids.Finish(&id_array));
  ARROW_RETURN_NOT_OK(values.Finish(&value_array));
  ARROW_RETURN_NOT_OK(names.Finish(&name_array));
  ARROW_RETURN_NOT_OK(stamps.Finish(&ts_array));
  return arrow::RecordBatch::Make(BenchSchema(), num_rows,
                                  {id_array, value_array, name_array, ts_array});
}

arrow::Result<std::vector<std::shared_ptr<arrow::RecordBatch>>> MakeBenchBatches(
    int64_t total_rows, int64_t batch_rows) {
  std::vector<std::shared_ptr<arrow::RecordBatch>> batches;
  for (int64_t first = 0; first < total_rows; first += batch_rows) {
    ARROW_ASSIGN_OR_RAISE(
        auto batch, MakeBenchBatch(first, std::min(batch_rows, total_rows - first)));
    batches.push_back(std::move(batch));
  }
  return batches;
}

double NowSeconds() {
  return std::chrono::duration<double>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

namespace {
double CpuSeconds(const rusage& usage) {
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6;
}
}  // namespace

double SelfCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return CpuSeconds(usage);
}

arrow::Result<ChildRun> RunChild(const std::vector<std::string>& argv) {
  if (argv.empty()) return arrow::Status::Invalid("RunChild: empty argv");
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    return arrow::Status::IOError("pipe: ", std::strerror(errno));
  }
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  const double start = NowSeconds();
  pid_t pid = fork();
  if (pid < 0) return arrow::Status::IOError("fork: ", std::strerror(errno));
  if (pid == 0) {
    dup2(pipe_fds[1], STDOUT_FILENO);
    execvp(args[0], args.data());
    std::fprintf(stderr, "exec %s: %s\n", args[0], std::strerror(errno));
    _exit(127);
  }
  close(pipe_fds[1]);
  ChildRun run;
  char buffer[4096];
  while (true) {
    ssize_t got = read(pipe_fds[0], buffer, sizeof(buffer));
    if (got > 0) {
      run.stdout_text.append(buffer, static_cast<size_t>(got));
    } else if (got == 0 || errno != EINTR) {
      break;
    }
  }
  close(pipe_fds[0]);
  int status = 0;
  rusage usage{};
  while (wait4(pid, &status, 0, &usage) < 0) {
    if (errno != EINTR) return arrow::Status::IOError("wait4: ", std::strerror(errno));
  }
  run.wall_seconds = NowSeconds() - start;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  run.cpu_seconds = CpuSeconds(usage);
  run.max_rss_kib = usage.ru_maxrss;
  return run;
}

arrow::Result<std::string> FindValue(const std::string& text, const std::string& key) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(key + "=", 0) == 0) return line.substr(key.size() + 1);
  }
  return arrow::Status::Invalid("no '", key, "=' line in: ", text);
}

void SyncDisks() { sync(); }

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t mid = values.size() / 2;
  return values.size() % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

double Min(const std::vector<double>& values) {
  return values.empty() ? 0 : *std::min_element(values.begin(), values.end());
}

arrow::Result<int64_t> ParseCount(const std::string& text) {
  if (text.empty()) return arrow::Status::Invalid("empty count");
  int64_t scale = 1;
  std::string digits = text;
  switch (digits.back()) {
    case 'k':
    case 'K':
      scale = 1000;
      break;
    case 'm':
    case 'M':
      scale = 1000 * 1000;
      break;
    case 'g':
    case 'G':
      scale = 1000 * 1000 * 1000;
      break;
    default:
      break;
  }
  if (scale != 1) digits.pop_back();
  try {
    size_t used = 0;
    double value = std::stod(digits, &used);
    if (used != digits.size() || value < 0) throw std::invalid_argument(text);
    return static_cast<int64_t>(value * static_cast<double>(scale));
  } catch (const std::exception&) {
    return arrow::Status::Invalid("not a count: '", text, "'");
  }
}

CLI::Option* AddCountOption(CLI::App& app, const std::string& name, int64_t* value,
                            const std::string& help) {
  return app
      .add_option_function<std::string>(
          name,
          [name, value](const std::string& text) {
            auto count = ParseCount(text);
            if (!count.ok()) throw CLI::ValidationError(name, count.status().message());
            *value = *count;
          },
          help)
      ->type_name("N")
      ->default_str(std::to_string(*value));
}

arrow::Status ParseFlags(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    std::exit(0);
  } catch (const CLI::ParseError& e) {
    std::cerr << app.help();
    return arrow::Status::Invalid(e.what());
  }
  return arrow::Status::OK();
}

arrow::Result<ScanBenchArgs> ParseScanBenchArgs(int argc, char** argv,
                                                const std::string& title,
                                                const std::string& program,
                                                ScanBenchArgs defaults) {
  ScanBenchArgs args = std::move(defaults);
  CLI::App app(title, program);
  AddCountOption(app, "--rows", &args.rows, "Rows in the table (at least 100)");
  AddCountOption(app, "--file-size", &args.file_size, "Target data file size, bytes");
  int64_t repeat = args.repeat;
  AddCountOption(app, "--repeat", &repeat, "Runs of each measurement (at least 1)");
  app.add_option("--dir", args.dir, "Work directory")->capture_default_str();
  app.add_flag("--keep", args.keep, "Keep the tables");
  ARROW_RETURN_NOT_OK(ParseFlags(app, argc, argv));
  args.repeat = static_cast<int>(std::max<int64_t>(1, repeat));
  if (args.rows < 100 || args.file_size <= 0) {
    return arrow::Status::Invalid("--rows must be ≥ 100 and --file-size > 0");
  }
  return args;
}

}  // namespace deltaline::bench
