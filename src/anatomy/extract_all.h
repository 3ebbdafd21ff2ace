#pragma once

// Reads, hashes and extracts many files on all cores. Each worker thread owns one
// Extractor (a tree-sitter parser is not shareable); results come back in input order,
// so the output is the same whatever the thread count.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <arrow/result.h>

#include "anatomy/facts.h"

namespace deltaline::anatomy {

struct ExtractProgress {
  int64_t files_done = 0;
  int64_t files_total = 0;
  int64_t bytes_done = 0;   ///< sizes of the files done (bytes on disk)
  int64_t bytes_total = 0;  ///< sizes of all files as listed
};

struct ExtractAllOptions {
  /// Worker threads; 0 = one per core (Arrow's CPU thread pool capacity).
  int threads = 0;
  /// Called after each file, from one thread at a time (never concurrently), with
  /// files_done increasing by one per call and reaching files_total.
  std::function<void(const ExtractProgress&)> progress;
  /// Keep each file's text in its FileFacts. Off (default): the text is dropped once the
  /// file is extracted, so memory holds about one text per worker, not the whole tree.
  bool keep_text = false;
};

/// \brief Extracts `files` (from ListSourceTree or a ChangeSet) under `root`. A file
/// not yet read (no text, not skipped) is read with LoadSourceFile first; a file that
/// already carries its text is not read again. Skipped files yield their module
/// definition only (Extractor::Extract). Fails only when an extractor does; problems
/// of a file are in its facts (skip_reason, diagnostics).
arrow::Result<std::vector<FileFacts>> LoadAndExtract(
    const std::string& root, std::vector<SourceFile> files,
    const ExtractAllOptions& options = {});

}  // namespace deltaline::anatomy
