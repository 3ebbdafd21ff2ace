#include "obs/repro_bundle.h"

#include <filesystem>
#include <fstream>

#include <arrow/config.h>

#include "delta/base/errors.h"
#include "deltaline/version.h"
#include "test_util.h"

namespace deltaline::obs {
namespace {

using nlohmann::json;
using testing::TempDir;

TEST(ReproBundleTest, RoundTrip) {
  TempDir dir;
  const auto pipeline_path = dir.path() / "daily.pipeline.json";
  // Byte for byte: the copy keeps the author's formatting and trailing space.
  const std::string pipeline_text = "{\n  \"id\": \"daily\",   \"nodes\": []\n}  \n";
  {
    std::ofstream out(pipeline_path, std::ios::binary);
    out << pipeline_text;
  }
  json config = {{"lake", "/lake"}, {"mode", "production"}};
  json manifest = {{"runId", "r1"}, {"outputs", json::array()}};
  std::vector<std::string> argv = {"deltaline", "run", "daily.pipeline.json", "--config",
                                   "run config.json"};
  const auto bundle_dir = dir.path() / "bundle";
  ASSERT_OK(WriteReproBundle(bundle_dir.string(), config, pipeline_path.string(),
                             manifest, argv, {{"python", "3.12.1"}}));
  for (const char* name : {"config.json", "pipeline.json", "manifest.json",
                           "versions.json", "command.json"}) {
    EXPECT_TRUE(std::filesystem::exists(bundle_dir / name)) << name;
  }

  ASSERT_OK_AND_ASSIGN(auto bundle, ReadReproBundle(bundle_dir.string()));
  EXPECT_EQ(bundle.config, config);
  EXPECT_EQ(bundle.pipeline_text, pipeline_text);
  EXPECT_EQ(bundle.manifest, manifest);
  EXPECT_EQ(bundle.argv, argv);
  EXPECT_EQ(bundle.cwd, std::filesystem::current_path().string());
  EXPECT_EQ(bundle.versions.at("deltaline"), kVersion);
  EXPECT_EQ(bundle.versions.at("arrow"), arrow::GetBuildInfo().version_string);
  EXPECT_EQ(bundle.versions.at("python"), "3.12.1");
  EXPECT_EQ(bundle.versions.size(), 3u);
}

TEST(ReproBundleTest, CallerCannotReplaceTheToolVersions) {
  auto versions = ToolVersions({{"deltaline", "0.0.0-fake"}, {"arrow", "1"}});
  EXPECT_EQ(versions["deltaline"], kVersion);
  EXPECT_EQ(versions["arrow"], arrow::GetBuildInfo().version_string);
}

TEST(ReproBundleTest, MissingOrBrokenFilesAreNamed) {
  TempDir dir;
  ReproBundle bundle;
  bundle.pipeline_text = "{}";
  bundle.argv = {"deltaline"};
  bundle.cwd = "/somewhere";
  ASSERT_OK(WriteReproBundle(dir.str(), bundle));
  ASSERT_OK_AND_ASSIGN(auto read, ReadReproBundle(dir.str()));
  EXPECT_EQ(read.cwd, "/somewhere");

  std::filesystem::remove(dir.path() / "manifest.json");
  auto missing = ReadReproBundle(dir.str());
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(delta::IsKind(missing.status(), delta::ErrorKind::kInvalidInput));
  EXPECT_NE(missing.status().message().find("manifest.json"), std::string::npos);

  ASSERT_OK(WriteReproBundle(dir.str(), bundle));
  {
    std::ofstream out(dir.path() / "command.json", std::ios::trunc);
    out << "{\"argv\": [1, 2]}";
  }
  auto bad = ReadReproBundle(dir.str());
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("argv"), std::string::npos);
}

}  // namespace
}  // namespace deltaline::obs
