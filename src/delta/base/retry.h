#pragma once

#include <chrono>

namespace deltaline::delta {

/// \brief How often a commit that lost the race for its version is retried against
/// the newer version (only when no real conflict was found); the storage surface uses
/// the same policy for whole-write retries.
struct CommitRetryPolicy {
  /// Attempts in total, the first included. Default 20.
  int max_attempts = 20;
  /// Delay before the second attempt; doubles each time, with jitter. Default 10 ms.
  std::chrono::milliseconds base_delay{10};
  /// Upper bound of one delay. Default 1 s.
  std::chrono::milliseconds max_delay{1000};
};

/// \brief Sleeps before retry number `attempt` + 1 (`attempt` >= 1 attempts have failed):
/// base_delay doubled per failed attempt after the first, capped at max_delay, with
/// jitter (a random delay in [d/2, d]) so that racing writers spread out.
void SleepBeforeRetry(const CommitRetryPolicy& policy, int attempt);

}  // namespace deltaline::delta
