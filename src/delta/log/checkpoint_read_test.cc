// V2 checkpoints: UUID-named JSON and Parquet top-level files, classic-named V2
// checkpoints, sidecar resolution, the `_last_checkpoint` v2Checkpoint hint, and the
// choice among several checkpoints of one version. Logs are built by hand; data files
// need not exist to load a snapshot.
#include "delta/log/checkpoint_read.h"

#include <arrow/api.h>
#include <arrow/io/memory.h>
#include <arrow/json/from_string.h>
#include <gtest/gtest.h>
#include <parquet/arrow/writer.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "delta/base/action_json.h"
#include "delta/base/errors.h"
#include "delta/checkpoint/checkpoint.h"
#include "delta/checkpoint/checkpoint_v2.h"
#include "delta/log/checkpoint_writer.h"
#include "delta/log/snapshot.h"
#include "test_util.h"

namespace deltaline::delta {
namespace {

using deltaline::testing::TempDir;
namespace fs = std::filesystem;

constexpr char kUuidA[] =
    "00000000000000000001.checkpoint.3a0d65cd-4056-49b8-937b-95f9e3ee90e5";
constexpr char kUuidB[] =
    "00000000000000000001.checkpoint.7d17ac10-5cc3-401b-bd1a-9c82dd2ea032";

const char kProtocol[] =
    R"({"protocol":{"minReaderVersion":3,"minWriterVersion":7,)"
    R"("readerFeatures":["v2Checkpoint"],"writerFeatures":["v2Checkpoint"]}})";
const char kMetadata[] =
    R"({"metaData":{"id":"t1","format":{"provider":"parquet","options":{}},)"
    R"("schemaString":"{\"type\":\"struct\",\"fields\":[{\"name\":\"id\",\"type\":\"long\",)"
    R"(\"nullable\":true,\"metadata\":{}}]}","partitionColumns":[],)"
    R"("configuration":{"delta.checkpointPolicy":"v2"},"createdTime":1}})";

void WriteFile(const fs::path& path, std::string_view content) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
}

Add MakeAdd(const std::string& path) {
  Add add;
  add.path = path;
  add.size = 100;
  add.modification_time = 7;
  add.data_change = false;
  add.stats = R"({"numRecords":3})";
  return add;
}

DeletionVectorDescriptor SomeDv() {
  DeletionVectorDescriptor dv;
  dv.storage_type = "u";
  dv.path_or_inline_dv = "ab^-aqEH.-t@S}K{vb[*k^";
  dv.offset = 4;
  dv.size_in_bytes = 40;
  dv.cardinality = 2;
  return dv;
}

// A table whose state at version 1 (b with a DV, c; a removed) lives in sidecars
// s1/s2, and whose commit 2 adds d. Commits 0 and 1 are gone: only the checkpoint
// rebuilds version 1. The top-level checkpoint is the caller's.
class V2Table {
 public:
  V2Table() : log_(dir_.path() / "_delta_log") {
    WriteFile(log_ / "00000000000000000002.json",
              SerializeCommitFile({MakeAdd("d.parquet")}));
    Add b = MakeAdd("b.parquet");
    b.deletion_vector = SomeDv();
    Remove a;
    a.path = "a.parquet";
    a.deletion_timestamp = 5;
    a.data_change = false;
    WriteSidecar("s1.parquet", {b, a});
    WriteSidecar("s2.parquet", {MakeAdd("c.parquet")});
  }

  void WriteSidecar(const std::string& name, const std::vector<Action>& actions) {
    auto bytes = EncodeCheckpoint(actions).ValueOrDie();
    WriteFile(log_ / "_sidecars" / name, bytes->ToString());
  }

  static std::string SidecarBody(const std::string& path) {
    return R"({"path":")" + path +
           R"(","sizeInBytes":10,"modificationTime":3,"tags":{}})";
  }
  static std::string SidecarLine(const std::string& path) {
    return R"({"sidecar":)" + SidecarBody(path) + "}";
  }

  static std::string JsonTopLevel(int64_t version = 1, bool with_metadata = true) {
    std::string out;
    if (with_metadata) {
      out += R"({"checkpointMetadata":{"version":)" + std::to_string(version) +
             R"(,"tags":{"sidecarNumActions":"3"}}})" + "\n";
    }
    out += std::string(kProtocol) + "\n" + kMetadata + "\n";
    out += SidecarLine("s1.parquet") + "\n" + SidecarLine("s2.parquet") + "\n";
    return out;
  }

  void Put(const std::string& name, std::string_view content) {
    WriteFile(log_ / name, content);
  }
  const fs::path& log() const { return log_; }
  std::string root() const { return dir_.str(); }

 private:
  TempDir dir_;
  fs::path log_;
};

// A Parquet top-level checkpoint as Spark writes one: protocol and metaData rows, one
// checkpointMetadata row, one row per sidecar.
std::string ParquetTopLevel(const std::vector<std::string>& sidecars) {
  using arrow::field;
  auto str_map = arrow::map(arrow::utf8(), arrow::utf8());
  auto type = arrow::struct_(
      {field("protocol",
             arrow::struct_({field("minReaderVersion", arrow::int32()),
                             field("minWriterVersion", arrow::int32()),
                             field("readerFeatures", arrow::list(arrow::utf8())),
                             field("writerFeatures", arrow::list(arrow::utf8()))})),
       field(
           "metaData",
           arrow::struct_(
               {field("id", arrow::utf8()),
                field("format", arrow::struct_({field("provider", arrow::utf8()),
                                                field("options", str_map)})),
                field("schemaString", arrow::utf8()),
                field("partitionColumns", arrow::list(arrow::utf8())),
                field("configuration", str_map), field("createdTime", arrow::int64())})),
       field("checkpointMetadata",
             arrow::struct_({field("version", arrow::int64()), field("tags", str_map)})),
       field("sidecar",
             arrow::struct_(
                 {field("path", arrow::utf8()), field("sizeInBytes", arrow::int64()),
                  field("modificationTime", arrow::int64()), field("tags", str_map)}))});
  std::string rows =
      R"([{"protocol":{"minReaderVersion":3,"minWriterVersion":7,)"
      R"("readerFeatures":["v2Checkpoint"],"writerFeatures":["v2Checkpoint"]}},)"
      R"({"metaData":{"id":"t1","format":{"provider":"parquet","options":[]},)"
      R"("schemaString":"{\"type\":\"struct\",\"fields\":[{\"name\":\"id\",)"
      R"(\"type\":\"long\",\"nullable\":true,\"metadata\":{}}]}",)"
      R"("partitionColumns":[],"configuration":[["delta.checkpointPolicy","v2"]],)"
      R"("createdTime":1}},)"
      R"({"checkpointMetadata":{"version":1,"tags":[]}})";
  for (const auto& sidecar : sidecars) {
    rows += R"(,{"sidecar":{"path":")" + sidecar +
            R"(","sizeInBytes":10,"modificationTime":3,"tags":null}})";
  }
  rows += "]";
  auto array = arrow::json::ArrayFromJSONString(type, rows).ValueOrDie();
  auto batch = arrow::RecordBatch::FromStructArray(array).ValueOrDie();
  auto table = arrow::Table::FromRecordBatches({batch}).ValueOrDie();
  auto sink = arrow::io::BufferOutputStream::Create().ValueOrDie();
  EXPECT_TRUE(
      parquet::arrow::WriteTable(*table, arrow::default_memory_pool(), sink, 1024).ok());
  return sink->Finish().ValueOrDie()->ToString();
}

arrow::Result<std::shared_ptr<const Snapshot>> Load(const std::string& root,
                                                    std::optional<int64_t> version = {}) {
  ARROW_ASSIGN_OR_RAISE(auto store, FileSystemLogStore::Open(root));
  SnapshotRequest request;
  request.version = version;
  return Snapshot::Load(*store, request);
}

void ExpectStateOfVersion1(const Snapshot& snapshot) {
  ASSERT_EQ(snapshot.checkpoint_version(), 1);
  std::vector<std::string> paths;
  for (const auto& add : snapshot.files()) paths.push_back(add.path);
  if (snapshot.version() == 1) {
    EXPECT_EQ(paths, (std::vector<std::string>{"b.parquet", "c.parquet"}));
  } else {
    EXPECT_EQ(paths, (std::vector<std::string>{"b.parquet", "c.parquet", "d.parquet"}));
  }
  // The DV descriptor of a sidecar's add comes through whole.
  auto files = snapshot.files();
  ASSERT_TRUE(files[0].deletion_vector.has_value());
  EXPECT_EQ(*files[0].deletion_vector, SomeDv());
  EXPECT_EQ(snapshot.state().tombstones.size(), 1u);
  EXPECT_EQ(snapshot.metadata().id, "t1");
  EXPECT_EQ(snapshot.protocol().reader_features,
            std::vector<std::string>{"v2Checkpoint"});
}

TEST(V2Checkpoint, JsonTopLevelWithSidecars) {
  V2Table table;
  table.Put(std::string(kUuidA) + ".json", V2Table::JsonTopLevel());
  ASSERT_OK_AND_ASSIGN(auto latest, Load(table.root()));
  EXPECT_EQ(latest->version(), 2);
  ExpectStateOfVersion1(*latest);
  ASSERT_OK_AND_ASSIGN(auto v1, Load(table.root(), 1));
  ExpectStateOfVersion1(*v1);
}

TEST(V2Checkpoint, JsonTopLevelWithInlineFileActions) {
  V2Table table;
  std::string top = R"({"checkpointMetadata":{"version":1}})"
                    "\n" +
                    std::string(kProtocol) + "\n" + kMetadata + "\n" +
                    R"({"commitInfo":{"timestamp":1}})"
                    "\n" +
                    SerializeCommitFile({MakeAdd("x.parquet")});
  table.Put(std::string(kUuidA) + ".json", top);
  ASSERT_OK_AND_ASSIGN(auto v1, Load(table.root(), 1));
  ASSERT_EQ(v1->num_files(), 1u);
  EXPECT_EQ(v1->files()[0].path, "x.parquet");
}

TEST(V2Checkpoint, ParquetTopLevelWithSidecars) {
  V2Table table;
  table.Put(std::string(kUuidA) + ".parquet",
            ParquetTopLevel({"s1.parquet", "s2.parquet"}));
  ASSERT_OK_AND_ASSIGN(auto latest, Load(table.root()));
  ExpectStateOfVersion1(*latest);
}

TEST(V2Checkpoint, ClassicNamedV2Checkpoint) {
  V2Table table;
  table.Put("00000000000000000001.checkpoint.parquet",
            ParquetTopLevel({"s1.parquet", "s2.parquet"}));
  ASSERT_OK_AND_ASSIGN(auto latest, Load(table.root()));
  ExpectStateOfVersion1(*latest);
}

TEST(V2Checkpoint, MissingSidecarIsAProtocolErrorNamingIt) {
  V2Table table;
  table.Put(std::string(kUuidA) + ".json", V2Table::JsonTopLevel());
  fs::remove(table.log() / "_sidecars" / "s2.parquet");
  auto loaded = Load(table.root());
  ASSERT_FALSE(loaded.ok());
  EXPECT_TRUE(IsKind(loaded.status(), ErrorKind::kProtocol)) << loaded.status();
  EXPECT_NE(loaded.status().message().find("_delta_log/_sidecars/s2.parquet"),
            std::string::npos)
      << loaded.status();
  EXPECT_NE(loaded.status().message().find("missing"), std::string::npos);
}

TEST(V2Checkpoint, UuidNamedWithoutCheckpointMetadataIsRefused) {
  V2Table table;
  table.Put(std::string(kUuidA) + ".json", V2Table::JsonTopLevel(1, false));
  auto loaded = Load(table.root());
  ASSERT_FALSE(loaded.ok());
  EXPECT_TRUE(IsKind(loaded.status(), ErrorKind::kProtocol)) << loaded.status();
}

TEST(V2Checkpoint, CheckpointMetadataOfAnotherVersionIsRefused) {
  V2Table table;
  table.Put(std::string(kUuidA) + ".json", V2Table::JsonTopLevel(7));
  auto loaded = Load(table.root());
  ASSERT_FALSE(loaded.ok());
  EXPECT_TRUE(IsKind(loaded.status(), ErrorKind::kProtocol)) << loaded.status();
}

TEST(V2Checkpoint, PrefersUuidNamedOverCompatibilityCheckpoint) {
  V2Table table;
  table.Put(std::string(kUuidA) + ".json", V2Table::JsonTopLevel());
  // Were the classic one chosen, the load would fail on it.
  table.Put("00000000000000000001.checkpoint.parquet", "not parquet");
  ASSERT_OK_AND_ASSIGN(auto latest, Load(table.root()));
  ExpectStateOfVersion1(*latest);
}

TEST(V2Checkpoint, PrefersTheGreatestUuidNameAndSkipsEmptyFiles) {
  V2Table table;
  table.Put(std::string(kUuidA) + ".json", "not json");
  table.Put(std::string(kUuidB) + ".json", V2Table::JsonTopLevel());
  ASSERT_OK_AND_ASSIGN(auto latest, Load(table.root()));
  ExpectStateOfVersion1(*latest);

  V2Table empty_newest;
  empty_newest.Put(std::string(kUuidA) + ".json", V2Table::JsonTopLevel());
  empty_newest.Put(std::string(kUuidB) + ".json", "");
  ASSERT_OK_AND_ASSIGN(auto loaded, Load(empty_newest.root()));
  ExpectStateOfVersion1(*loaded);
}

std::string LastCheckpointV2Json(const std::string& path, bool embed) {
  std::string out = R"({"version":1,"size":5,"sizeInBytes":10,"numOfAddFiles":2,)"
                    R"("v2Checkpoint":{"path":")" +
                    path + R"(","sizeInBytes":500,"modificationTime":3)";
  if (embed) {
    out += R"(,"nonFileActions":[)" + std::string(kProtocol) + "," + kMetadata +
           R"(,{"checkpointMetadata":{"version":1,"tags":{}}}],"sidecarFiles":[)" +
           V2Table::SidecarBody("s1.parquet") + "," + V2Table::SidecarBody("s2.parquet") +
           "]";
  }
  return out + R"(},"checksum":"c7c089e999e9dd02ca5c847d9b1380d3"})";
}

TEST(V2Checkpoint, ParsesTheLastCheckpointV2Field) {
  ASSERT_OK_AND_ASSIGN(auto embedded, ParseLastCheckpoint(LastCheckpointV2Json(
                                          std::string(kUuidA) + ".json", true)));
  ASSERT_TRUE(embedded.v2 && embedded.v2->sidecar_files);
  EXPECT_EQ(embedded.v2->sidecar_files->size(), 2u);
  ASSERT_OK_AND_ASSIGN(auto bare, ParseLastCheckpoint(LastCheckpointV2Json(
                                      std::string(kUuidA) + ".json", false)));
  ASSERT_TRUE(bare.v2.has_value());
  EXPECT_EQ(bare.v2->path, std::string(kUuidA) + ".json");
  EXPECT_EQ(bare.v2->size_in_bytes, 500);
  EXPECT_FALSE(bare.v2->non_file_actions.has_value());
  EXPECT_FALSE(bare.v2->sidecar_files.has_value());

  std::string full =
      R"({"version":1,"size":5,"v2Checkpoint":{"path":"p.json","sizeInBytes":1,)"
      R"("modificationTime":2,"nonFileActions":[)" +
      std::string(kProtocol) + "," + kMetadata +
      R"(,{"checkpointMetadata":{"version":1,"tags":{}}},{"unknownAction":{}}],)"
      R"("sidecarFiles":[{"path":"s1.parquet","sizeInBytes":10,"modificationTime":3}]}})";
  ASSERT_OK_AND_ASSIGN(auto hint, ParseLastCheckpoint(full));
  ASSERT_TRUE(hint.v2 && hint.v2->non_file_actions && hint.v2->sidecar_files);
  ASSERT_EQ(hint.v2->non_file_actions->size(), 2u);
  EXPECT_TRUE(std::holds_alternative<Protocol>((*hint.v2->non_file_actions)[0]));
  EXPECT_TRUE(std::holds_alternative<Metadata>((*hint.v2->non_file_actions)[1]));
  ASSERT_TRUE(hint.v2->checkpoint_metadata.has_value());
  EXPECT_EQ(hint.v2->checkpoint_metadata->version, 1);
  ASSERT_EQ(hint.v2->sidecar_files->size(), 1u);
  EXPECT_EQ((*hint.v2->sidecar_files)[0].path, "s1.parquet");

  EXPECT_FALSE(ParseLastCheckpoint(R"({"version":1,"size":5,"v2Checkpoint":{}})").ok());
  EXPECT_FALSE(ParseLastCheckpoint(R"({"version":1,"size":5,"v2Checkpoint":{"path":"p",)"
                                   R"("sidecarFiles":[{"path":7}]}})")
                   .ok());
}

TEST(V2Checkpoint, LastCheckpointHintSparesTheTopLevelFile) {
  V2Table table;
  const std::string name = std::string(kUuidA) + ".json";
  // Non-empty but unreadable: only the hint's embedded copy can rebuild the state.
  table.Put(name, "garbage that is not a checkpoint");
  table.Put("_last_checkpoint", LastCheckpointV2Json(name, true));
  ASSERT_OK_AND_ASSIGN(auto latest, Load(table.root()));
  ExpectStateOfVersion1(*latest);

  // A hint that does not embed the sidecars cannot stand in for the file.
  table.Put("_last_checkpoint", LastCheckpointV2Json(name, false));
  auto loaded = Load(table.root());
  ASSERT_FALSE(loaded.ok());
  EXPECT_TRUE(IsKind(loaded.status(), ErrorKind::kProtocol)) << loaded.status();
}

TEST(V2Checkpoint, LastCheckpointHintChoosesAmongUuidCheckpoints) {
  V2Table table;
  table.Put(std::string(kUuidA) + ".json", V2Table::JsonTopLevel());
  table.Put(std::string(kUuidB) + ".json", "not json");  // the greater name
  table.Put("_last_checkpoint",
            LastCheckpointV2Json(std::string(kUuidA) + ".json", false));
  ASSERT_OK_AND_ASSIGN(auto latest, Load(table.root()));
  ExpectStateOfVersion1(*latest);
}

TEST(V2Checkpoint, SidecarPathResolution) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto store, FileSystemLogStore::Open(dir.str()));
  auto name = [&](const std::string& path) {
    SidecarFile file;
    file.path = path;
    return SidecarLogName(*store, file);
  };
  ASSERT_OK_AND_ASSIGN(auto plain, name("s1.parquet"));
  EXPECT_EQ(plain, "_sidecars/s1.parquet");
  ASSERT_OK_AND_ASSIGN(auto encoded, name("a%20b.parquet"));
  EXPECT_EQ(encoded, "_sidecars/a b.parquet");
  ASSERT_OK_AND_ASSIGN(
      auto uri, name("file://" + store->root() + "/_delta_log/_sidecars/s2.parquet"));
  EXPECT_EQ(uri, "_sidecars/s2.parquet");
  ASSERT_OK_AND_ASSIGN(auto absolute,
                       name(store->root() + "/_delta_log/_sidecars/s3.parquet"));
  EXPECT_EQ(absolute, "_sidecars/s3.parquet");
  for (const std::string bad :
       {"../00000000000000000000.json", "a/../../b.parquet",
        "file:///elsewhere/_delta_log/_sidecars/s.parquet", "/elsewhere/s.parquet"}) {
    auto resolved = name(bad);
    EXPECT_FALSE(resolved.ok()) << bad;
    EXPECT_TRUE(IsKind(resolved.status(), ErrorKind::kProtocol)) << bad;
  }
}

TEST(V2Checkpoint, DecodeJsonCheckpointSplitsRefsFromActions) {
  std::string content = V2Table::JsonTopLevel() + R"({"commitInfo":{"timestamp":1}})"
                                                  "\n";
  std::vector<Action> actions;
  V2CheckpointRefs refs;
  ASSERT_OK(DecodeJsonCheckpoint(
      arrow::Buffer::FromString(content), "cp.json",
      [&](std::vector<Action>& batch) {
        for (auto& action : batch) actions.push_back(std::move(action));
        return arrow::Status::OK();
      },
      &refs, /*batch_rows=*/1));
  ASSERT_EQ(actions.size(), 2u);  // protocol, metaData; commitInfo dropped
  ASSERT_TRUE(refs.metadata.has_value());
  EXPECT_EQ(refs.metadata->tags->at("sidecarNumActions"), "3");
  ASSERT_EQ(refs.sidecars.size(), 2u);
  EXPECT_EQ(refs.sidecars[1].path, "s2.parquet");

  V2CheckpointRefs twice;
  std::string doubled = V2Table::JsonTopLevel() + V2Table::JsonTopLevel();
  auto st = DecodeJsonCheckpoint(
      arrow::Buffer::FromString(doubled), "cp.json",
      [](std::vector<Action>&) { return arrow::Status::OK(); }, &twice);
  EXPECT_TRUE(IsKind(st, ErrorKind::kProtocol)) << st;
}

TEST(V2Checkpoint, ParquetRefsOfAV1CheckpointAreEmpty) {
  auto bytes = EncodeCheckpoint({MakeAdd("x.parquet")}).ValueOrDie();
  V2CheckpointRefs refs;
  ASSERT_OK(DecodeV2CheckpointRefs(bytes, "cp.parquet", &refs));
  EXPECT_FALSE(refs.metadata.has_value());
  EXPECT_TRUE(refs.sidecars.empty());
  auto garbage = arrow::Buffer::FromString("PAR1 not really");
  EXPECT_TRUE(
      IsKind(DecodeV2CheckpointRefs(garbage, "cp.parquet", &refs), ErrorKind::kProtocol));
}

TEST(V2Checkpoint, CheckpointWriterRefusesAV2PolicyTable) {
  V2Table table;
  table.Put(std::string(kUuidA) + ".json", V2Table::JsonTopLevel());
  ASSERT_OK_AND_ASSIGN(auto store, FileSystemLogStore::Open(table.root()));
  ASSERT_OK_AND_ASSIGN(auto snapshot, Snapshot::Load(*store));
  auto st = WriteCheckpoint(*store, *snapshot);
  ASSERT_TRUE(IsKind(st, ErrorKind::kUnsupportedFeature)) << st;
  EXPECT_EQ(GetDeltaDetail(st)->feature(), "v2Checkpoint");
  EXPECT_FALSE(fs::exists(table.log() / "00000000000000000002.checkpoint.parquet"));
}

}  // namespace
}  // namespace deltaline::delta
