#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

namespace deltaline::delta {

/// \brief How the library tells its caller what happens while it works. The library
/// never prints: the CLI installs a Reporter that writes to stderr, a pipeline one that
/// logs, a test one that records. Every callback may be empty (the event is dropped)
/// and must be thread-safe when the Reporter is shared between threads.
struct Reporter {
  /// Something the caller should know that did not fail the operation (a diagnostics
  /// table that could not be appended to, a refused sink in development mode…).
  std::function<void(std::string_view message)> warning;
  /// Progress of a long operation: `what` names it ("export", "vacuum"…), `done` and
  /// `total` count its units (rows, files); `total` is -1 when unknown.
  std::function<void(std::string_view what, int64_t done, int64_t total)> progress;

  void Warn(std::string_view message) const {
    if (warning) warning(message);
  }
  void Progress(std::string_view what, int64_t done, int64_t total) const {
    if (progress) progress(what, done, total);
  }
};

}  // namespace deltaline::delta
