#include "delta/ops/clone.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <arrow/util/uri.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "delta/base/errors.h"
#include "delta/log/snapshot.h"
#include "delta/ops/clone_internal.h"
#include "delta/ops/vacuum.h"
#include "delta/scan/scan.h"
#include "delta/table/table_features.h"
#include "delta/write/write.h"
#include "support/deltars_reader.h"
#include "support/table_builders.h"
#include "test_util.h"

namespace deltaline::delta {
namespace {

namespace fs = std::filesystem;
using deltaline::testing::TableFromJson;
using deltaline::testing::TablesEqualUnordered;
using deltaline::testing::TempDir;

const std::string kSharedTables = DELTALINE_SOURCE_DIR "/../shared/delta-tables/";

/// Every regular file under `root` with its size, by relative path.
std::map<std::string, uintmax_t> Tree(const fs::path& root) {
  std::map<std::string, uintmax_t> out;
  if (!fs::exists(root)) return out;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file()) {
      out[fs::relative(entry.path(), root).string()] = entry.file_size();
    }
  }
  return out;
}

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::shared_ptr<arrow::Table> Rows(const std::string& ids, const std::string& ps) {
  return TableFromJson(
      {arrow::field("id", arrow::int64()), arrow::field("p", arrow::utf8())}, {ids, ps});
}

std::shared_ptr<const Snapshot> LoadAt(LogStore& store, int64_t version) {
  SnapshotRequest request;
  request.version = version;
  return Snapshot::Load(store, request).ValueOrDie();
}

std::shared_ptr<arrow::Table> ReadAt(LogStore& store, std::optional<int64_t> version) {
  SnapshotRequest request;
  request.version = version;
  auto snapshot = Snapshot::Load(store, request).ValueOrDie();
  return ReadSnapshot(store, snapshot).ValueOrDie();
}

/// delta-rs's rows of `table`, as sorted "id/p" strings. Through its DataFusion
/// reader: `to_pyarrow_table` joins every add.path to the table root, so it cannot open
/// the absolute URIs of a shallow clone (deltalake 1.x), while DataFusion's scan can.
std::string DeltaRsRows(const std::string& table) {
  auto out = testing::ReadWithDeltaRs(
      table,
      "import pyarrow as pa\n"
      "q = deltalake.QueryBuilder().register('t', t).execute('select id, p from t')\n"
      "d = pa.table(q.read_all()).to_pydict()\n"
      "rows = sorted(f\"{i}/{p}\" for i, p in zip(d['id'], d['p']))\n"
      "print(json.dumps(rows, separators=(',', ':')))");
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  return out.ok() ? *out : std::string();
}

std::string ExpectedRows(const arrow::Table& table) {
  auto ids = std::static_pointer_cast<arrow::Int64Array>(
      arrow::Concatenate(table.GetColumnByName("id")->chunks()).ValueOrDie());
  auto ps = std::static_pointer_cast<arrow::StringArray>(
      arrow::Concatenate(table.GetColumnByName("p")->chunks()).ValueOrDie());
  std::vector<std::string> rows;
  for (int64_t row = 0; row < ids->length(); ++row) {
    rows.push_back(std::to_string(ids->Value(row)) + "/" + ps->GetString(row));
  }
  std::sort(rows.begin(), rows.end());
  return nlohmann::json(rows).dump(-1) + "\n";
}

class CloneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    src_root_ = dir_.path() / "src";
    src_ = FileSystemLogStore::Open(src_root_.string()).ValueOrDie();
    // Three versions; the partition value "a/b" is escaped twice on its way to
    // add.path (`p=a%2Fb` on disk, `p=a%252Fb` in the log).
    WriteOptions create;
    create.partition_by = {"p"};
    create.table_properties = {{"delta.logRetentionDuration", "interval 60 days"},
                               {"owner.team", "ingest"}};
    ASSERT_OK(WriteTable(*src_, *Rows("[1, 2, 3]", R"(["a/b", "x y", "a/b"])"), create)
                  .status());
    WriteOptions append;
    append.mode = SaveMode::kAppend;
    ASSERT_OK(WriteTable(*src_, *Rows("[4, 5]", R"(["x y", "c%d"])"), append).status());
    WriteOptions overwrite;
    overwrite.mode = SaveMode::kOverwrite;
    ASSERT_OK(WriteTable(*src_, *Rows("[9]", R"(["z"])"), overwrite).status());
  }

  std::unique_ptr<FileSystemLogStore> Open(const std::string& name) {
    return FileSystemLogStore::Open((dir_.path() / name).string()).ValueOrDie();
  }

  TempDir dir_;
  fs::path src_root_;
  std::unique_ptr<FileSystemLogStore> src_;
};

TEST_F(CloneTest, DeepCloneAtAVersionEqualsTheSourceThereAndRecordsClone) {
  auto dst = Open("deep");
  CloneOptions options;
  options.version = 1;
  int64_t last_files = 0, last_bytes = 0, calls = 0;
  options.progress = [&](const CloneProgress& p) {
    ++calls;
    last_files = p.files_done;
    last_bytes = p.bytes_done;
    EXPECT_LE(p.bytes_done, p.bytes_total);
  };
  ASSERT_OK_AND_ASSIGN(auto result, CloneTable(*src_, *dst, options));
  EXPECT_EQ(result.source_version, 1);
  EXPECT_EQ(result.target_version, 0);
  EXPECT_FALSE(result.shallow);
  auto source_at_1 = LoadAt(*src_, 1);
  EXPECT_EQ(result.num_files, static_cast<int64_t>(source_at_1->num_files()));
  EXPECT_EQ(result.num_copied_files, result.num_files);
  EXPECT_EQ(result.copied_files_size, source_at_1->size_bytes());
  EXPECT_GT(calls, 0);
  EXPECT_EQ(last_files, result.num_files);
  EXPECT_EQ(last_bytes, source_at_1->size_bytes());

  auto expected = ReadAt(*src_, 1);
  EXPECT_EQ(expected->num_rows(), 5);
  EXPECT_TRUE(TablesEqualUnordered(*expected, *ReadAt(*dst, std::nullopt)));

  auto clone = Snapshot::Load(*dst).ValueOrDie();
  EXPECT_EQ(clone->version(), 0);
  EXPECT_EQ(clone->protocol(), source_at_1->protocol());
  EXPECT_EQ(clone->metadata().schema_string, source_at_1->metadata().schema_string);
  EXPECT_EQ(clone->partition_columns(), std::vector<std::string>{"p"});
  EXPECT_EQ(clone->metadata().configuration, source_at_1->metadata().configuration);
  EXPECT_NE(clone->metadata().id, source_at_1->metadata().id);
  // Same relative paths, same stats; the escaped partition directory is a real copy.
  std::vector<std::string> src_paths, dst_paths;
  for (const auto& add : source_at_1->files()) src_paths.push_back(add.path);
  for (const auto& add : clone->files()) {
    dst_paths.push_back(add.path);
    EXPECT_TRUE(add.stats.has_value());
    EXPECT_TRUE(fs::exists(dst->root() + "/" + arrow::util::UriUnescape(add.path)));
  }
  EXPECT_EQ(src_paths, dst_paths);
  EXPECT_TRUE(fs::is_directory(dir_.path() / "deep" / "p=a%2Fb"));
  EXPECT_NE(dst_paths[0].find("p=a%252Fb/"), std::string::npos) << dst_paths[0];

  ASSERT_OK_AND_ASSIGN(auto history, ReadHistory(*dst));
  ASSERT_EQ(history.size(), 1u);
  const auto& info = *history[0].info;
  EXPECT_EQ(info.operation, "CLONE");
  EXPECT_EQ(info.operation_parameters.at("source"), "file://" + src_->root());
  EXPECT_EQ(info.operation_parameters.at("sourceVersion"), "1");
  EXPECT_EQ(info.operation_parameters.at("isShallow"), "false");
  EXPECT_EQ(info.operation_metrics.at("sourceNumOfFiles"),
            std::to_string(result.num_files));
  EXPECT_EQ(info.operation_metrics.at("numCopiedFiles"),
            std::to_string(result.num_files));
  EXPECT_EQ(info.operation_metrics.at("sourceTableSize"),
            std::to_string(source_at_1->size_bytes()));
  EXPECT_EQ(info.operation_metrics.at("copiedFilesSize"),
            std::to_string(source_at_1->size_bytes()));
  EXPECT_EQ(info.operation_metrics.at("numRemovedFiles"), "0");
  EXPECT_EQ(info.operation_metrics.at("removedFilesSize"), "0");

  // An independent reader agrees.
  EXPECT_EQ(DeltaRsRows(dst->root()), ExpectedRows(*expected));
}

TEST_F(CloneTest, ShallowCloneReferencesTheSourceByUriAndItsVacuumSparesTheSource) {
  auto dst = Open("shallow");
  CloneOptions options;
  options.version = 1;
  options.shallow = true;
  ASSERT_OK_AND_ASSIGN(auto result, CloneTable(*src_, *dst, options));
  EXPECT_TRUE(result.shallow);
  EXPECT_EQ(result.num_copied_files, 0);
  auto expected = ReadAt(*src_, 1);
  EXPECT_TRUE(TablesEqualUnordered(*expected, *ReadAt(*dst, std::nullopt)));
  auto clone = Snapshot::Load(*dst).ValueOrDie();
  bool saw_escaped = false;
  for (const auto& add : clone->files()) {
    // Absolute and URI-encoded: the Hive escape's `%` is encoded again.
    EXPECT_EQ(add.path.rfind("file://" + src_->root() + "/p=", 0), 0u) << add.path;
    saw_escaped = saw_escaped || add.path.find("/p=a%252Fb/") != std::string::npos;
  }
  EXPECT_TRUE(saw_escaped);
  // Nothing but the log was written.
  for (const auto& [path, size] : Tree(dir_.path() / "shallow")) {
    EXPECT_EQ(path.rfind("_delta_log/", 0), 0u) << path;
  }
  ASSERT_OK_AND_ASSIGN(auto history, ReadHistory(*dst));
  EXPECT_EQ(history[0].info->operation_parameters.at("isShallow"), "true");
  EXPECT_EQ(history[0].info->operation_metrics.at("numCopiedFiles"), "0");
  EXPECT_EQ(DeltaRsRows(dst->root()), ExpectedRows(*expected));

  // Vacuum of the clone with no retention at all: the source loses nothing, while an
  // orphan inside the clone's own root does go (so the vacuum did run).
  const auto source_before = Tree(src_root_);
  {
    std::ofstream(dir_.path() / "shallow" / "orphan.parquet") << "junk";
    fs::last_write_time(dir_.path() / "shallow" / "orphan.parquet",
                        fs::file_time_type::clock::now() - std::chrono::hours(1));
  }
  VacuumOptions vacuum;
  vacuum.retention_ms = 0;
  vacuum.retention_check = false;
  ASSERT_OK_AND_ASSIGN(auto vacuumed, Vacuum(*dst, vacuum));
  EXPECT_EQ(vacuumed.files, std::vector<std::string>{"orphan.parquet"});
  EXPECT_EQ(Tree(src_root_), source_before);
  EXPECT_TRUE(TablesEqualUnordered(*expected, *ReadAt(*dst, std::nullopt)));
}

TEST_F(CloneTest, AfterTheSourceIsVacuumedTheDeepCloneReadsAndTheShallowOneNamesTheFile) {
  auto deep = Open("deep");
  auto shallow = Open("shallow");
  CloneOptions options;
  options.version = 1;
  ASSERT_OK(CloneTable(*src_, *deep, options).status());
  options.shallow = true;
  ASSERT_OK(CloneTable(*src_, *shallow, options).status());
  auto expected = ReadAt(*src_, 1);

  // Version 2 overwrote everything; vacuum with no retention deletes versions 0-1's
  // files.
  VacuumOptions vacuum;
  vacuum.retention_ms = 0;
  vacuum.retention_check = false;
  ASSERT_OK_AND_ASSIGN(auto vacuumed, Vacuum(*src_, vacuum));
  ASSERT_FALSE(vacuumed.files.empty());

  EXPECT_TRUE(TablesEqualUnordered(*expected, *ReadAt(*deep, std::nullopt)));
  auto snapshot = Snapshot::Load(*shallow).ValueOrDie();
  auto read = ReadSnapshot(*shallow, snapshot);
  ASSERT_FALSE(read.ok());
  EXPECT_TRUE(read.status().IsIOError()) << read.status();
  // The message names one of the vacuumed files.
  bool named = false;
  for (const auto& gone : vacuumed.files) {
    const std::string name = fs::path(gone).filename().string();
    named = named || read.status().message().find(name) != std::string::npos;
  }
  EXPECT_TRUE(named) << read.status();
  EXPECT_NE(read.status().message().find("cannot be opened"), std::string::npos)
      << read.status();
}

TEST_F(CloneTest, DeletionVectorFilesAreCopiedOrReferencedAndStillApply) {
  const fs::path table = dir_.path() / "dv";
  fs::copy(kSharedTables + "table-with-dv-small", table, fs::copy_options::recursive);
  auto source = FileSystemLogStore::Open(table.string()).ValueOrDie();
  auto expected = ReadAt(*source, std::nullopt);
  ASSERT_EQ(expected->num_rows(), 8);  // 10 rows, 2 deleted by the DV

  auto deep = Open("dv-deep");
  ASSERT_OK_AND_ASSIGN(auto result, CloneTable(*source, *deep));
  EXPECT_EQ(result.num_copied_dv_files, 1);
  EXPECT_TRUE(TablesEqualUnordered(*expected, *ReadAt(*deep, std::nullopt)));
  const std::string dv_file = "deletion_vector_61d16c75-6994-46b7-a15b-8b538852e50e.bin";
  EXPECT_EQ(ReadText(dir_.path() / "dv-deep" / dv_file), ReadText(table / dv_file));
  auto deep_add = Snapshot::Load(*deep).ValueOrDie()->files().at(0);
  ASSERT_TRUE(deep_add.deletion_vector);
  EXPECT_EQ(deep_add.deletion_vector->storage_type, "u");

  auto shallow = Open("dv-shallow");
  CloneOptions options;
  options.shallow = true;
  ASSERT_OK(CloneTable(*source, *shallow, options).status());
  auto shallow_add = Snapshot::Load(*shallow).ValueOrDie()->files().at(0);
  ASSERT_TRUE(shallow_add.deletion_vector);
  EXPECT_EQ(shallow_add.deletion_vector->storage_type, "p");
  EXPECT_EQ(shallow_add.deletion_vector->path_or_inline_dv,
            "file://" + source->root() + "/" + dv_file);
  EXPECT_TRUE(TablesEqualUnordered(*expected, *ReadAt(*shallow, std::nullopt)));
}

TEST_F(CloneTest,
       AnExistingTargetIsRefusedUnlessOverwriteAndCommittedFilesAreNeverClobbered) {
  auto dst = Open("dst");
  CloneOptions at_1;
  at_1.version = 1;
  ASSERT_OK(CloneTable(*src_, *dst, at_1).status());
  const auto tree = Tree(dir_.path() / "dst");

  auto again = CloneTable(*src_, *dst);
  ASSERT_FALSE(again.ok());
  EXPECT_TRUE(IsKind(again.status(), ErrorKind::kTableAlreadyExists)) << again.status();
  EXPECT_EQ(Tree(dir_.path() / "dst"), tree);  // nothing written

  // Re-cloning the same version over its own clone: the same file names, identical
  // bytes, so every file is reused and none rewritten.
  CloneOptions replace = at_1;
  replace.mode = CloneMode::kOverwrite;
  ASSERT_OK_AND_ASSIGN(auto same, CloneTable(*src_, *dst, replace));
  EXPECT_EQ(same.target_version, 1);
  EXPECT_EQ(same.num_reused_files, same.num_files);
  EXPECT_EQ(same.num_copied_files, 0);
  EXPECT_EQ(same.num_removed_files, 0);
  EXPECT_TRUE(TablesEqualUnordered(*ReadAt(*src_, 1), *ReadAt(*dst, std::nullopt)));

  // A committed file of the target that differs from the source's file of that name is
  // refused, not overwritten; nothing is committed and the copies made are deleted.
  auto live = Snapshot::Load(*dst).ValueOrDie()->files();
  const fs::path victim = dst->root() + "/" + arrow::util::UriUnescape(live.at(0).path);
  std::string bytes = ReadText(victim);
  bytes[bytes.size() / 2] ^= 0x55;
  std::ofstream(victim, std::ios::binary | std::ios::trunc) << bytes;
  const auto tampered_tree = Tree(dir_.path() / "dst");
  auto clobber = CloneTable(*src_, *dst, replace);
  ASSERT_FALSE(clobber.ok());
  EXPECT_TRUE(IsKind(clobber.status(), ErrorKind::kInvalidInput)) << clobber.status();
  EXPECT_NE(clobber.status().message().find(victim.filename().string()),
            std::string::npos);
  EXPECT_EQ(ReadText(victim), bytes);
  EXPECT_EQ(Tree(dir_.path() / "dst"), tampered_tree);

  // Overwrite with the latest version: one commit replaces the content.
  CloneOptions latest;
  latest.mode = CloneMode::kOverwrite;
  ASSERT_OK_AND_ASSIGN(auto replaced, CloneTable(*src_, *dst, latest));
  EXPECT_EQ(replaced.target_version, 2);
  EXPECT_EQ(replaced.num_removed_files, static_cast<int64_t>(live.size()));
  EXPECT_TRUE(
      TablesEqualUnordered(*ReadAt(*src_, std::nullopt), *ReadAt(*dst, std::nullopt)));
  ASSERT_OK_AND_ASSIGN(auto history, ReadHistory(*dst, 1));
  EXPECT_EQ(history[0].info->operation, "CLONE");
  EXPECT_EQ(history[0].info->operation_parameters.at("sourceVersion"), "2");
}

TEST_F(CloneTest, AFailedDeepCloneDeletesWhatItCopiedAndKeepsWhatWasThere) {
  // A different file where one copy would go: the clone fails after copying others.
  auto snapshot = LoadAt(*src_, 1);
  const std::string relative = arrow::util::UriUnescape(snapshot->files().back().path);
  const fs::path in_the_way = dir_.path() / "dst" / relative;
  fs::create_directories(in_the_way.parent_path());
  std::ofstream(in_the_way) << "not the source's bytes";
  auto dst = Open("dst");
  CloneOptions options;
  options.version = 1;
  auto failed = CloneTable(*src_, *dst, options);
  ASSERT_FALSE(failed.ok());
  EXPECT_TRUE(IsKind(failed.status(), ErrorKind::kInvalidInput)) << failed.status();
  auto left = Tree(dir_.path() / "dst");
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left.begin()->first, relative);
  EXPECT_EQ(ReadText(in_the_way), "not the source's bytes");
}

TEST_F(CloneTest, RefusesWhatItCannotCloneByName) {
  CloneOptions both;
  both.version = 1;
  both.timestamp_ms = 1;
  auto dst = Open("dst");
  EXPECT_TRUE(IsKind(CloneTable(*src_, *dst, both).status(), ErrorKind::kInvalidInput));
  EXPECT_TRUE(IsKind(CloneTable(*src_, *src_).status(), ErrorKind::kInvalidInput));
  // Nested either way: each table's vacuum would delete the other's files.
  auto inner = Open("src/inner");
  EXPECT_TRUE(IsKind(CloneTable(*src_, *inner).status(), ErrorKind::kInvalidInput));
  EXPECT_TRUE(IsKind(
      CloneTable(*src_, *FileSystemLogStore::Open(dir_.str()).ValueOrDie()).status(),
      ErrorKind::kInvalidInput));
  EXPECT_FALSE(fs::exists(src_root_ / "inner"));

  const fs::path ict = dir_.path() / "ict";
  fs::copy(kSharedTables + "cdc_ict_table", ict, fs::copy_options::recursive);
  auto source = FileSystemLogStore::Open(ict.string()).ValueOrDie();
  auto refused = CloneTable(*source, *dst);
  ASSERT_FALSE(refused.ok());
  ASSERT_NE(GetDeltaDetail(refused.status()), nullptr) << refused.status();
  EXPECT_EQ(GetDeltaDetail(refused.status())->feature(), "inCommitTimestamp");
  EXPECT_FALSE(fs::exists(dir_.path() / "dst"));
}

TEST_F(CloneTest, ATimestampPicksTheVersionCurrentThen) {
  ASSERT_OK_AND_ASSIGN(auto history, ReadHistory(*src_));
  CloneOptions options;
  for (const auto& record : history) {
    if (record.version == 1) options.timestamp_ms = record.timestamp_ms;
  }
  auto dst = Open("dst");
  ASSERT_OK_AND_ASSIGN(auto result, CloneTable(*src_, *dst, options));
  EXPECT_EQ(result.source_version, 1);
}

TEST(CloneProtocolTest, AnOverwriteNeverWeakensTheTargetsProtocol) {
  Protocol legacy;  // 1/2: appendOnly and invariants
  Protocol dv{3, 7, std::vector<std::string>{"deletionVectors"},
              std::vector<std::string>{"deletionVectors"}};
  Protocol merged = MergeProtocols(dv, legacy);
  EXPECT_EQ(merged.min_reader_version, 3);
  EXPECT_EQ(merged.min_writer_version, 7);
  EXPECT_EQ(merged.reader_features, std::vector<std::string>{"deletionVectors"});
  EXPECT_EQ(merged.writer_features,
            (std::vector<std::string>{"deletionVectors", "appendOnly", "invariants"}));
  // The other way round: the target's deletion vectors stay declared.
  EXPECT_EQ(MergeProtocols(legacy, dv).reader_features,
            std::vector<std::string>{"deletionVectors"});
  Protocol cm{2, 5, std::nullopt, std::nullopt};
  EXPECT_EQ(MergeProtocols(legacy, cm), cm);  // legacy with legacy: the higher versions
  EXPECT_EQ(MergeProtocols(dv, dv), dv);
  EXPECT_TRUE(IsKind(clone_internal::CheckCloneSupported(
                         {1, 7, std::nullopt, std::vector<std::string>{"rowTracking"}}),
                     ErrorKind::kUnsupportedFeature));
  EXPECT_OK(clone_internal::CheckCloneSupported(cm));
}

}  // namespace
}  // namespace deltaline::delta
