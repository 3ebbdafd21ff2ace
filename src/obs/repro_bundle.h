#pragma once

#include <map>
#include <string>
#include <vector>

#include <arrow/result.h>
#include <arrow/status.h>
#include <nlohmann/json.hpp>

namespace deltaline::obs {

/// \brief Everything needed to run a pipeline again as it ran: the effective config,
/// the pipeline file, the run's manifest, the tool versions and the command line.
struct ReproBundle {
  nlohmann::json config = nlohmann::json::object();
  std::string pipeline_text;  ///< the pipeline file, byte for byte
  nlohmann::json manifest = nlohmann::json::object();
  /// "deltaline" and "arrow" always; callers may add more (e.g. "python").
  std::map<std::string, std::string> versions;
  std::vector<std::string> argv;
  std::string cwd;  ///< the working directory the command ran in
};

/// \brief deltaline's and Arrow's versions, plus `extra` (which may not replace them).
std::map<std::string, std::string> ToolVersions(
    const std::map<std::string, std::string>& extra = {});

/// \brief Writes `bundle` into `dir` (created): config.json, pipeline.json (the text
/// as given), manifest.json, versions.json ({name: version}) and command.json
/// ({"argv": [...], "cwd": ...}). An empty `bundle.cwd` records the current directory.
/// Each file appears whole (written aside, then renamed).
arrow::Status WriteReproBundle(const std::string& dir, const ReproBundle& bundle);

/// \brief The same, reading the pipeline from `pipeline_path` and the versions from
/// ToolVersions(extra_versions).
arrow::Status WriteReproBundle(
    const std::string& dir, const nlohmann::json& config,
    const std::string& pipeline_path, const nlohmann::json& manifest,
    const std::vector<std::string>& argv,
    const std::map<std::string, std::string>& extra_versions = {});

/// \brief Reads a bundle written by WriteReproBundle. A missing file or invalid JSON
/// is kInvalidInput naming the file.
arrow::Result<ReproBundle> ReadReproBundle(const std::string& dir);

}  // namespace deltaline::obs
