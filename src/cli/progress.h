#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace deltaline::cli {

/// \brief The progress display of a long command on stderr (never stdout, so `--json`
/// output stays clean).
///
/// On a terminal: one line `[#####-----] <done>/<total> <text>` rewritten in place at
/// most ten times a second. Otherwise (a log, CI): a plain `deltaline: ` line at most
/// every two seconds, so logs stay short. Finish() draws the final state once and ends
/// the line. A disabled display prints nothing (commands disable it under `--json` only
/// when they must keep stderr quiet; by default progress is on).
class ProgressLine {
 public:
  explicit ProgressLine(std::string label, bool enabled = true);
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  /// `done` of `total` units (total 0: unknown), with a free text after the counts.
  void Update(int64_t done, int64_t total, std::string_view text = {});
  /// Draws the last state (when anything was drawn or `always`) and ends the line.
  void Finish(bool always = false);

 private:
  void Draw();

  std::string label_;
  bool enabled_;
  bool tty_;
  bool started_ = false;
  bool drawn_ = false;
  bool finished_ = false;
  int64_t done_ = 0, total_ = 0;
  std::string text_;
  std::chrono::steady_clock::time_point last_draw_;
};

/// \brief `1.5 GiB`, `12.0 MiB`, `512 B`: bytes for people (binary units, one decimal).
std::string HumanBytes(int64_t bytes);

}  // namespace deltaline::cli
