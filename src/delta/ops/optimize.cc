#include "delta/ops/optimize.h"

#include <algorithm>

#include <arrow/compute/api.h>
#include <nlohmann/json.hpp>

#include "delta/base/clock.h"
#include "delta/log/transaction.h"
#include "delta/ops/optimize_internal.h"

namespace deltaline::delta {
namespace {

FileSizeStats SizeStats(const std::vector<int64_t>& sizes) {
  FileSizeStats stats;
  if (sizes.empty()) return stats;
  stats.min = *std::min_element(sizes.begin(), sizes.end());
  stats.max = *std::max_element(sizes.begin(), sizes.end());
  stats.total_files = static_cast<int64_t>(sizes.size());
  for (int64_t size : sizes) stats.total_size += size;
  stats.avg = static_cast<double>(stats.total_size) / static_cast<double>(sizes.size());
  return stats;
}

nlohmann::json SizeStatsJson(const FileSizeStats& stats) {
  return {{"min", stats.min},
          {"max", stats.max},
          {"avg", stats.avg},
          {"totalFiles", stats.total_files},
          {"totalSize", stats.total_size}};
}

std::string Dump(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

int64_t Percentile(const std::vector<int64_t>& sorted, double fraction) {
  if (sorted.empty()) return 0;
  auto index = static_cast<size_t>(fraction * static_cast<double>(sorted.size() - 1));
  return sorted[index];
}

// Spark's OptimizeMetrics (as delta-rs records them) and the commitInfo metrics
// Spark's OPTIMIZE writes.
StringMap OperationMetrics(const OptimizeResult& result, int64_t input_files,
                           int64_t input_bytes) {
  const auto& sizes = result.added_sizes;
  StringMap metrics = {
      {"numFilesAdded", std::to_string(result.num_files_added)},
      {"numFilesRemoved", std::to_string(result.num_files_removed)},
      {"filesAdded", Dump(SizeStatsJson(result.files_added))},
      {"filesRemoved", Dump(SizeStatsJson(result.files_removed))},
      {"partitionsOptimized", std::to_string(result.partitions_optimized)},
      {"numBatches", std::to_string(result.num_batches)},
      {"totalConsideredFiles", std::to_string(result.total_considered_files)},
      {"totalFilesSkipped", std::to_string(result.total_files_skipped)},
      {"preserveInsertionOrder", result.zorder_by.empty() ? "true" : "false"},
      {"numAddedFiles", std::to_string(result.num_files_added)},
      {"numRemovedFiles", std::to_string(result.num_files_removed)},
      {"numAddedBytes", std::to_string(result.files_added.total_size)},
      {"numRemovedBytes", std::to_string(result.files_removed.total_size)},
      {"minFileSize", std::to_string(Percentile(sizes, 0))},
      {"p25FileSize", std::to_string(Percentile(sizes, 0.25))},
      {"p50FileSize", std::to_string(Percentile(sizes, 0.5))},
      {"p75FileSize", std::to_string(Percentile(sizes, 0.75))},
      {"maxFileSize", std::to_string(Percentile(sizes, 1))},
      {"numDeletionVectorsRemoved", std::to_string(result.num_deletion_vectors_removed)}};
  if (!result.zorder_by.empty()) {
    // Spark's ZOrderStats for a full (non-incremental) clustering: every file is
    // "other" input, none belongs to a cube already.
    nlohmann::json none = {{"num", 0}, {"size", 0}};
    nlohmann::json inputs = {{"num", input_files}, {"size", input_bytes}};
    metrics["zOrderStats"] = Dump({{"strategyName", "all"},
                                   {"inputCubeFiles", none},
                                   {"inputOtherFiles", inputs},
                                   {"inputNumCubes", 0},
                                   {"mergedFiles", inputs},
                                   {"numOutputCubes", result.num_batches}});
  }
  return metrics;
}

void DeleteWritten(LogStore& store, const std::vector<std::string>& written) {
  for (const auto& path : written) {
    (void)store.filesystem()->DeleteFile(store.root() + "/" + path);
  }
}

// Rewrites every job; the adds, and the result's counts of what was read.
arrow::Result<std::vector<Add>> RewriteAll(LogStore& store, const OptimizePlan& plan,
                                           const OptimizeOptions& options,
                                           OptimizeResult& result,
                                           std::vector<std::string>& written) {
  OptimizeProgress progress;
  for (const auto& job : plan.jobs) {
    progress.files_total += static_cast<int64_t>(job.inputs.size());
    progress.bytes_total += job.input_bytes;
  }
  auto on_file = [&](int64_t size) {
    progress.files_done += 1;
    progress.bytes_done += size;
    if (options.progress) options.progress(progress);
  };
  std::vector<Add> adds;
  for (const auto& job : plan.jobs) {
    ARROW_ASSIGN_OR_RAISE(auto job_adds,
                          RewriteJob(store, plan, job, result.rows, written, on_file));
    for (auto& add : job_adds) adds.push_back(std::move(add));
  }
  return adds;
}

}  // namespace

arrow::Result<OptimizeResult> Optimize(LogStore& store, const OptimizeOptions& options) {
  // Reading casts and Z-order ranks need the compute kernels (registered on request).
  ARROW_RETURN_NOT_OK(arrow::compute::Initialize());
  ARROW_ASSIGN_OR_RAISE(OptimizePlan plan, PlanOptimize(store, options));
  OptimizeResult result;
  result.version = plan.snapshot->version();
  result.zorder_by = plan.zorder_by;
  result.total_considered_files = plan.considered_files;
  std::vector<int64_t> removed_sizes;
  for (const auto& job : plan.jobs) {
    for (const auto& file : job.inputs) {
      removed_sizes.push_back(file.size);
      if (file.deletion_vector) ++result.num_deletion_vectors_removed;
    }
  }
  result.total_files_skipped =
      plan.considered_files - static_cast<int64_t>(removed_sizes.size());
  if (plan.jobs.empty()) return result;

  std::vector<std::string> written;
  auto adds = RewriteAll(store, plan, options, result, written);
  if (!adds.ok()) {
    DeleteWritten(store, written);
    return adds.status();
  }
  result.num_files_removed = static_cast<int64_t>(removed_sizes.size());
  result.num_files_added = static_cast<int64_t>(adds->size());
  result.files_removed = SizeStats(removed_sizes);
  for (const auto& add : *adds) result.added_sizes.push_back(add.size);
  std::sort(result.added_sizes.begin(), result.added_sizes.end());
  result.files_added = SizeStats(result.added_sizes);
  result.partitions_optimized = static_cast<int64_t>(plan.jobs.size());
  result.num_batches = static_cast<int64_t>(plan.jobs.size());

  Transaction txn(&store, plan.snapshot);
  txn.AllowWriterFeature("deletionVectors");  // see CheckRewritable
  const int64_t now = NowMs();
  for (const auto& job : plan.jobs) {
    for (const auto& file : job.inputs) {
      txn.AddReadFile(file.path);
      txn.AddAction(RemoveOf(file, now, /*data_change=*/false));
    }
  }
  for (auto& add : *adds) txn.AddAction(std::move(add));
  txn.SetOperation("OPTIMIZE", {{"predicate", Dump(plan.predicates)},
                                {"zOrderBy", Dump(plan.zorder_by)},
                                {"auto", "false"}});
  txn.SetOperationMetrics(OperationMetrics(result, result.num_files_removed,
                                           result.files_removed.total_size));
  auto committed = txn.Commit(options.retry);
  if (!committed.ok()) {
    DeleteWritten(store, written);
    return committed.status();
  }
  result.version = committed->version;
  result.committed = true;
  result.commit_attempts = committed->attempts;
  return result;
}

}  // namespace deltaline::delta
