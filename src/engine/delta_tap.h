#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <arrow/engine/substrait/options.h>

#include "engine/delta_write_node.h"
#include "storage/storage_writer.h"

namespace deltaline::engine {

/// Kind of the Substrait NamedTapRel that writes into a Delta table.
inline constexpr const char* kDeltaWriteTapKind = "delta_write";

/// \brief How NamedTapRel names become Delta writes.
struct DeltaTapOptions {
  /// Tap name → table uri. Looked up first.
  std::map<std::string, std::string> tables;
  /// A name not in `tables` is itself the table's path or file:// uri. Default false:
  /// a plan writes only where the caller bound a name, never to a path it invents.
  bool names_are_paths = false;
  /// The write options of every tap (mode, policies, …).
  storage::StorageWriteOptions storage;
  int64_t max_queued_bytes = kDefaultMaxQueuedBytes;
};

/// \brief One `delta_write` tap of a deserialised plan and where its outcome lands.
struct DeltaTapWrite {
  std::string name;  ///< the tap's name in the plan
  std::string uri;   ///< the table it writes
  std::shared_ptr<DeltaWriteResultSlot> result;
};

/// \brief The taps a provider made, in the order the consumer asked for them.
class DeltaTapWrites {
 public:
  void Add(DeltaTapWrite write);
  std::vector<DeltaTapWrite> writes() const;

 private:
  mutable std::mutex mutex_;
  std::vector<DeltaTapWrite> writes_;
};

/// \brief A ConversionOptions::named_tap_provider mapping a NamedTapRel of kind
/// `delta_write` to the `delta_write` Acero node (registered on first use), writing
/// under the tap's column names. Each tap made is recorded in `writes` (may be null)
/// so the runner can read the write results once the plan has run. Other kinds are
/// refused with kUnsupportedFeature naming the kind and the tap; an unbound name
/// (see DeltaTapOptions::names_are_paths) is kInvalidInput naming it.
///
/// The tap's declaration emits no rows (in the renamed schema): a plan whose root is
/// such a tap yields an empty result once the commit landed.
arrow::engine::NamedTapProvider MakeDeltaTapProvider(
    DeltaTapOptions options, std::shared_ptr<DeltaTapWrites> writes = nullptr);

}  // namespace deltaline::engine
