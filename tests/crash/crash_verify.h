#pragma once
// The checks the crash controller runs on the table after each SIGKILL.

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <arrow/status.h>

#include "delta/log/log_store.h"

namespace deltaline::crash {

/// \brief The in-memory model: what the table must hold, rebuilt from the op tags of
/// the commits that landed. Grows version by version as new commits are verified.
struct Model {
  uint64_t seed = 0;
  int64_t verified_through = -1;  ///< versions up to here are checked
  std::vector<int64_t> ops;       ///< ops whose rows make up that version
  std::set<int64_t> landed_ops;
  std::vector<int64_t> vacuum_starts;  ///< versions of VACUUM START commits
  std::set<std::string> checked_log_files;
  /// Live files of the version before each VACUUM START (versions never change).
  std::map<int64_t, std::set<std::string>> live_before_vacuum;
};

struct CheckCounts {
  int64_t versions_read = 0;      ///< versions whose rows were compared to the model
  int64_t versions_vacuumed = 0;  ///< older versions whose removed files a vacuum took
  int64_t commit_files = 0;       ///< commit files parsed
  int64_t checkpoints = 0;        ///< checkpoint files decoded
  int64_t orphans_removed = 0;    ///< files the post-kill vacuum deleted
  int64_t deltars_checks = 0;
};

/// \brief Every log file not checked yet is complete and parses; every version not
/// verified yet loads, its commit is tagged by a known op that landed only once, and
/// it reads back exactly the model's rows (or, for a version older than a vacuum,
/// only files the vacuum was entitled to delete are missing). The latest version
/// must always read back in full.
arrow::Status VerifyNewVersions(delta::LogStore& store, Model& model,
                                CheckCounts& counts);

/// \brief Appends the rows of `op` (tagged like the driver does) and checks that it
/// lands at the next version.
arrow::Status NextWriteLands(delta::LogStore& store, Model& model, int64_t op);

/// \brief Vacuum with retention 0 (check disabled), then: every data file on disk is
/// referenced by the latest snapshot.
arrow::Status VacuumLeavesNoOrphans(delta::LogStore& store, CheckCounts& counts);

/// \brief delta-rs (`python`) opens the table at its latest version and sees the
/// model's row count and id sum.
arrow::Status CheckWithDeltaRs(const std::string& python, const std::string& table,
                               const Model& model);

}  // namespace deltaline::crash
