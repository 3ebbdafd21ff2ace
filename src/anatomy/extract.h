#pragma once

// One file's facts from its syntax tree: definitions, imports, call sites, scope
// bindings and syntax diagnostics. A pure function of (path, module, text): the same
// file gives the same rows and ids wherever and whenever it is extracted.

#include <memory>

#include <arrow/result.h>

#include "anatomy/facts.h"

struct TSParser;

namespace deltaline::anatomy {

/// \brief Extracts files one at a time; holds a tree-sitter parser, so use one per
/// thread.
class Extractor {
 public:
  static arrow::Result<std::unique_ptr<Extractor>> Make();
  ~Extractor();
  Extractor(const Extractor&) = delete;
  Extractor& operator=(const Extractor&) = delete;

  /// \brief Parses `file.text` and returns its facts (`file` is moved into them). A
  /// skipped file (skip_reason set) yields its module definition only. Syntax errors
  /// are diagnostics, not failures; an error is returned only when the parser itself
  /// fails (out of memory, a timeout).
  arrow::Result<FileFacts> Extract(SourceFile file);

 private:
  explicit Extractor(TSParser* parser);
  TSParser* parser_;
};

}  // namespace deltaline::anatomy
