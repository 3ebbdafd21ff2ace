#pragma once

#include <chrono>
#include <cstdint>

namespace deltaline::delta {

/// \brief Wall-clock milliseconds since the epoch, the unit of every Delta timestamp.
inline int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace deltaline::delta
