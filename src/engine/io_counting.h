#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "delta/log/log_store.h"

namespace deltaline::engine {

/// \brief A LogStore that reads and writes through `inner`, except that data files
/// opened through filesystem() count every byte they return into `*bytes_read`.
///
/// Why a wrapper: the per-file reader (delta::OpenDataFile) and the deletion vector
/// loader open files only through `store.filesystem()`, so counting there measures the
/// IO a scan really does (footers, the column chunks of the columns read, DV files),
/// not the `add.size` of the files it touched. `inner` and `bytes_read` must outlive
/// the store.
std::unique_ptr<delta::LogStore> MakeIoCountingStore(
    std::shared_ptr<delta::LogStore> inner,
    std::shared_ptr<std::atomic<int64_t>> bytes_read);

}  // namespace deltaline::engine
