// The one progress display of the CLI's long commands.
#include "cli/progress.h"

#include <unistd.h>

#include <array>
#include <cstdio>
#include <iostream>

namespace deltaline::cli {

ProgressLine::ProgressLine(std::string label, bool enabled)
    : label_(std::move(label)), enabled_(enabled), tty_(isatty(STDERR_FILENO) != 0) {}

ProgressLine::~ProgressLine() {
  if (!finished_ && drawn_ && tty_) std::cerr << "\n" << std::flush;
}

void ProgressLine::Update(int64_t done, int64_t total, std::string_view text) {
  done_ = done;
  total_ = total;
  text_ = std::string(text);
  if (!enabled_ || finished_) return;
  const auto now = std::chrono::steady_clock::now();
  // Outside a terminal a job shorter than the interval prints nothing before Finish.
  if (!started_) {
    started_ = true;
    last_draw_ = now;
    if (!tty_) return;
  }
  // A log gets a line every two seconds; a terminal a redraw every 100 ms.
  const auto interval =
      tty_ ? std::chrono::milliseconds(100) : std::chrono::milliseconds(2000);
  if ((drawn_ || !tty_) && now - last_draw_ < interval) return;
  last_draw_ = now;
  Draw();
}

void ProgressLine::Finish(bool always) {
  if (!enabled_ || finished_) return;
  if (drawn_ || always) Draw();
  if (tty_ && drawn_) std::cerr << "\n" << std::flush;
  finished_ = true;
}

void ProgressLine::Draw() {
  std::string counts = std::to_string(done_);
  if (total_ > 0) counts += "/" + std::to_string(total_);
  std::string line = label_ + " " + counts;
  if (!text_.empty()) line += " " + text_;
  if (tty_) {
    constexpr int64_t kWidth = 20;
    const int64_t filled = total_ > 0 ? std::min(done_, total_) * kWidth / total_ : 0;
    std::cerr << "\r\033[K[" << std::string(filled, '#')
              << std::string(kWidth - filled, '-') << "] " << line << std::flush;
  } else {
    std::cerr << "deltaline: " << line << "\n" << std::flush;
  }
  drawn_ = true;
}

std::string HumanBytes(int64_t bytes) {
  static constexpr std::array<const char*, 5> kUnits = {"KiB", "MiB", "GiB", "TiB",
                                                        "PiB"};
  if (bytes < 1024) return std::to_string(bytes) + " B";
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  value /= 1024.0;
  while (value >= 1024.0 && unit + 1 < kUnits.size()) {
    value /= 1024.0;
    ++unit;
  }
  std::array<char, 32> text{};
  std::snprintf(text.data(), text.size(), "%.1f %s", value, kUnits[unit]);
  return text.data();
}

}  // namespace deltaline::cli
