#include "support/deletion_vector_writer.h"

#include <arrow/filesystem/filesystem.h>
#include <arrow/io/interfaces.h>
#include <arrow/util/crc32.h>
#include <nlohmann/json.hpp>

#include <algorithm>

#include "delta/base/clock.h"
#include "delta/base/uuid.h"
#include "delta/log/snapshot.h"
#include "delta/log/transaction.h"
#include "delta/scan/deletion_vector.h"
#include "delta/scan/roaring_test_util.h"

namespace deltaline::testing {
namespace {

void PutBigEndian32(std::string* out, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out->push_back(static_cast<char>((value >> shift) & 0xFF));
}

// The 16 bytes of a fresh random UUID.
std::string UuidBytes() {
  std::string hex = delta::NewUuid();
  hex.erase(std::remove(hex.begin(), hex.end(), '-'), hex.end());
  std::string bytes;
  for (size_t idx = 0; idx + 1 < hex.size(); idx += 2)
    bytes.push_back(static_cast<char>(std::stoi(hex.substr(idx, 2), nullptr, 16)));
  return bytes;
}

void AddFeature(std::optional<std::vector<std::string>>& features) {
  if (!features) features.emplace();
  if (std::find(features->begin(), features->end(), "deletionVectors") ==
      features->end()) {
    features->push_back("deletionVectors");
  }
}

// The protocol of `current` with the deletionVectors feature (table features on).
delta::Protocol WithDeletionVectors(delta::Protocol protocol) {
  if (protocol.min_writer_version < 7) {
    // The legacy versions' implied writer features, spelled out.
    std::vector<std::string> implied;
    if (protocol.min_writer_version >= 2) implied = {"appendOnly", "invariants"};
    protocol.writer_features = implied;
  }
  protocol.min_reader_version = 3;
  protocol.min_writer_version = 7;
  AddFeature(protocol.reader_features);
  AddFeature(protocol.writer_features);
  return protocol;
}

std::string LooseStats(const std::optional<std::string>& stats) {
  auto parsed = nlohmann::json::parse(stats.value_or(""), nullptr, false);
  if (!parsed.is_object()) return stats.value_or("");
  parsed["tightBounds"] = false;
  return parsed.dump();
}

}  // namespace

arrow::Result<delta::DeletionVectorDescriptor> WriteDeletionVectorFile(
    delta::LogStore& store, const std::vector<int64_t>& rows, const std::string& prefix) {
  const std::string bitmap = delta::roaring_test::SerializeRows(rows);
  std::string file(1, '\x01');  // format version
  PutBigEndian32(&file, static_cast<uint32_t>(bitmap.size()));
  file += bitmap;
  PutBigEndian32(&file, arrow::internal::crc32(0, bitmap.data(), bitmap.size()));

  delta::DeletionVectorDescriptor dv;
  dv.storage_type = "u";
  ARROW_ASSIGN_OR_RAISE(auto uuid, delta::Z85Encode(UuidBytes()));
  dv.path_or_inline_dv = prefix + uuid;
  dv.offset = 1;
  dv.size_in_bytes = static_cast<int32_t>(bitmap.size());
  dv.cardinality = static_cast<int64_t>(rows.size());
  ARROW_ASSIGN_OR_RAISE(auto path, delta::DeletionVectorFilePath(store, dv));
  if (!prefix.empty()) {
    ARROW_RETURN_NOT_OK(store.filesystem()->CreateDir(store.root() + "/" + prefix));
  }
  ARROW_ASSIGN_OR_RAISE(auto out, store.filesystem()->OpenOutputStream(path));
  ARROW_RETURN_NOT_OK(out->Write(file.data(), static_cast<int64_t>(file.size())));
  ARROW_RETURN_NOT_OK(out->Close());
  return dv;
}

arrow::Result<delta::DeletionVectorDescriptor> InlineDeletionVector(
    const std::vector<int64_t>& rows) {
  std::string bitmap = delta::roaring_test::SerializeRows(rows);
  delta::DeletionVectorDescriptor dv;
  dv.storage_type = "i";
  dv.size_in_bytes = static_cast<int32_t>(bitmap.size());
  dv.cardinality = static_cast<int64_t>(rows.size());
  bitmap.resize((bitmap.size() + 3) / 4 * 4, '\0');  // Z85 takes whole words
  ARROW_ASSIGN_OR_RAISE(dv.path_or_inline_dv, delta::Z85Encode(bitmap));
  return dv;
}

arrow::Result<int64_t> CommitDeletionVectors(
    delta::LogStore& store,
    const std::map<std::string, delta::DeletionVectorDescriptor>& dvs) {
  ARROW_ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(store));
  delta::Transaction txn(&store, snapshot);
  txn.SetOperation("DELETE", {{"predicate", "[\"test deletion vectors\"]"}});
  const auto protocol = WithDeletionVectors(snapshot->protocol());
  if (!(protocol == snapshot->protocol())) txn.AddAction(protocol);
  size_t attached = 0;
  for (const auto& file : snapshot->files()) {
    auto dv = dvs.find(file.path);
    if (dv == dvs.end()) continue;
    ++attached;
    delta::Remove remove;
    remove.path = file.path;
    remove.deletion_timestamp = delta::NowMs();
    remove.data_change = true;
    remove.extended_file_metadata = true;
    remove.partition_values = file.partition_values;
    remove.size = file.size;
    remove.stats = file.stats;
    remove.deletion_vector = file.deletion_vector;
    txn.AddAction(std::move(remove));
    delta::Add add = file;
    add.data_change = true;
    add.stats = LooseStats(file.stats);
    add.deletion_vector = dv->second;
    txn.AddAction(std::move(add));
  }
  if (attached != dvs.size()) {
    return arrow::Status::Invalid("CommitDeletionVectors: ", dvs.size() - attached,
                                  " of the paths given are no live file");
  }
  ARROW_ASSIGN_OR_RAISE(auto committed, txn.Commit());
  return committed.version;
}

}  // namespace deltaline::testing
