#include "obs/repro_bundle.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <arrow/config.h>

#include "delta/base/errors.h"
#include "deltaline/version.h"

namespace deltaline::obs {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

arrow::Status WriteWhole(const fs::path& path, const std::string& text) {
  const fs::path aside = path.parent_path() / ("." + path.filename().string() + ".tmp");
  {
    std::ofstream out(aside, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) return arrow::Status::IOError("cannot write ", aside.string());
  }
  std::error_code error;
  fs::rename(aside, path, error);
  if (error) {
    return arrow::Status::IOError("cannot rename ", aside.string(), " to ", path.string(),
                                  ": ", error.message());
  }
  return arrow::Status::OK();
}

std::string Pretty(const json& value) {
  return value.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

arrow::Result<std::string> ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return delta::InvalidInput("repro bundle file missing: " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

arrow::Result<json> ReadJson(const fs::path& path) {
  ARROW_ASSIGN_OR_RAISE(auto text, ReadText(path));
  json value = json::parse(text, nullptr, false);
  if (value.is_discarded()) {
    return delta::InvalidInput("repro bundle file is not valid JSON: " + path.string());
  }
  return value;
}

}  // namespace

std::map<std::string, std::string> ToolVersions(
    const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> versions = extra;
  versions["deltaline"] = kVersion;
  versions["arrow"] = arrow::GetBuildInfo().version_string;
  return versions;
}

arrow::Status WriteReproBundle(const std::string& dir, const ReproBundle& bundle) {
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) {
    return arrow::Status::IOError("cannot create ", dir, ": ", error.message());
  }
  std::string cwd = bundle.cwd;
  if (cwd.empty()) cwd = fs::current_path(error).string();
  const fs::path root(dir);
  ARROW_RETURN_NOT_OK(WriteWhole(root / "config.json", Pretty(bundle.config)));
  ARROW_RETURN_NOT_OK(WriteWhole(root / "pipeline.json", bundle.pipeline_text));
  ARROW_RETURN_NOT_OK(WriteWhole(root / "manifest.json", Pretty(bundle.manifest)));
  ARROW_RETURN_NOT_OK(WriteWhole(root / "versions.json", Pretty(json(bundle.versions))));
  return WriteWhole(root / "command.json",
                    Pretty(json{{"argv", bundle.argv}, {"cwd", cwd}}));
}

arrow::Status WriteReproBundle(const std::string& dir, const json& config,
                               const std::string& pipeline_path, const json& manifest,
                               const std::vector<std::string>& argv,
                               const std::map<std::string, std::string>& extra_versions) {
  ReproBundle bundle;
  bundle.config = config;
  ARROW_ASSIGN_OR_RAISE(bundle.pipeline_text, ReadText(pipeline_path));
  bundle.manifest = manifest;
  bundle.versions = ToolVersions(extra_versions);
  bundle.argv = argv;
  return WriteReproBundle(dir, bundle);
}

arrow::Result<ReproBundle> ReadReproBundle(const std::string& dir) {
  const fs::path root(dir);
  ReproBundle bundle;
  ARROW_ASSIGN_OR_RAISE(bundle.config, ReadJson(root / "config.json"));
  ARROW_ASSIGN_OR_RAISE(bundle.pipeline_text, ReadText(root / "pipeline.json"));
  ARROW_ASSIGN_OR_RAISE(bundle.manifest, ReadJson(root / "manifest.json"));
  ARROW_ASSIGN_OR_RAISE(json versions, ReadJson(root / "versions.json"));
  ARROW_ASSIGN_OR_RAISE(json command, ReadJson(root / "command.json"));
  if (!versions.is_object() || !command.is_object() || !command["argv"].is_array()) {
    return delta::InvalidInput("repro bundle " + dir +
                               ": versions.json must be an object and command.json "
                               "must hold an argv array");
  }
  for (const auto& [name, version] : versions.items()) {
    bundle.versions[name] =
        version.is_string() ? version.get<std::string>() : version.dump();
  }
  for (const auto& word : command["argv"]) {
    if (!word.is_string()) {
      return delta::InvalidInput("repro bundle " + dir + ": argv holds a non-string");
    }
    bundle.argv.push_back(word.get<std::string>());
  }
  bundle.cwd = command.value("cwd", "");
  return bundle;
}

}  // namespace deltaline::obs
