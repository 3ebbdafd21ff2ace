#include "delta/base/retry.h"

#include <algorithm>
#include <cstdint>
#include <random>
#include <thread>

namespace deltaline::delta {

void SleepBeforeRetry(const CommitRetryPolicy& policy, int attempt) {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  const int doublings = std::clamp(attempt - 1, 0, 16);
  auto delay = policy.base_delay * (int64_t{1} << doublings);
  delay = std::min<std::chrono::milliseconds>(delay, policy.max_delay);
  if (delay.count() <= 0) return;
  std::uniform_int_distribution<int64_t> jitter(delay.count() / 2, delay.count());
  std::this_thread::sleep_for(std::chrono::milliseconds(jitter(rng)));
}

}  // namespace deltaline::delta
