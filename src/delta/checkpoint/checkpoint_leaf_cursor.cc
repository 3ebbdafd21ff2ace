// Leaf cursors over Parquet's column readers, and the layout check that decides
// whether the column-reader decoder (checkpoint_leaves.cc) can read a checkpoint.

#include <algorithm>
#include <utility>

#include <parquet/types.h>

#include "delta/checkpoint/checkpoint_leaves_internal.h"

namespace deltaline::delta::checkpoint_internal {
namespace {

using parquet::schema::GroupNode;
using parquet::schema::Node;

// Levels per ReadBatch (reads also stop at page ends): small, as ~60 cursors each
// hold one read.
constexpr int64_t kLevelsPerRead = 256;

bool HasNoLogicalType(const Node& node) {
  return node.logical_type() == nullptr || node.logical_type()->is_none();
}

parquet::Type::type PhysicalType(const Node& node) {
  return static_cast<const parquet::schema::PrimitiveNode&>(node).physical_type();
}

bool IsStringLeaf(const Node& node) {
  return node.is_primitive() && !node.is_repeated() &&
         PhysicalType(node) == parquet::Type::BYTE_ARRAY &&
         (HasNoLogicalType(node) || node.logical_type()->is_string());
}

bool IsIntLeaf(const Node& node) {
  if (!node.is_primitive() || node.is_repeated()) return false;
  if (PhysicalType(node) != parquet::Type::INT32 &&
      PhysicalType(node) != parquet::Type::INT64) {
    return false;
  }
  if (HasNoLogicalType(node)) return true;
  // Unsigned, dates, times, decimals: the Arrow path reads (or rejects) them its way.
  const auto& logical = *node.logical_type();
  return logical.is_int() &&
         static_cast<const parquet::IntLogicalType&>(logical).is_signed();
}

bool IsBoolLeaf(const Node& node) {
  return node.is_primitive() && !node.is_repeated() &&
         PhysicalType(node) == parquet::Type::BOOLEAN && HasNoLogicalType(node);
}

// The definition level at which `node` is non-null: one per optional or repeated
// node on its path (the root does not count).
int16_t DefLevelOf(const Node& node) {
  int16_t def = 0;
  for (const Node* step = &node; step->parent() != nullptr; step = step->parent()) {
    if (!step->is_required()) ++def;
  }
  return def;
}

// The repeated group of a standard map or list field, or null.
const GroupNode* RepeatedGroupOf(const Node& node, bool is_map) {
  if (!node.is_group() || node.is_repeated() || node.logical_type() == nullptr ||
      !(is_map ? node.logical_type()->is_map() : node.logical_type()->is_list())) {
    return nullptr;
  }
  const auto& group = static_cast<const GroupNode&>(node);
  if (group.field_count() != 1 || !group.field(0)->is_group() ||
      !group.field(0)->is_repeated()) {
    return nullptr;
  }
  return static_cast<const GroupNode*>(group.field(0).get());
}

}  // namespace

LeafCursor::LeafCursor(int column, const parquet::ColumnDescriptor& descr,
                       int16_t repeated_def, std::string name)
    : column_(column),
      physical_(descr.physical_type()),
      max_def_(descr.max_definition_level()),
      max_rep_(descr.max_repetition_level()),
      repeated_def_(repeated_def),
      name_(std::move(name)) {}

void LeafCursor::Reset(std::shared_ptr<parquet::ColumnReader> reader) {
  reader_ = std::move(reader);
  count_ = pos_ = value_pos_ = 0;
  in_row_ = false;
}

arrow::Status LeafCursor::NextRow(int64_t row) {
  if (max_rep_ > 0) return NextRepeatedRow(row);
  if (in_row_) {
    if (def_ == max_def_) ++value_pos_;
    ++pos_;
  }
  ARROW_RETURN_NOT_OK(EnsureLevel(row));
  def_ = defs_[pos_];
  in_row_ = true;
  return arrow::Status::OK();
}

arrow::Status LeafCursor::ExpectEnd() {
  if (max_rep_ == 0 && in_row_) {
    if (def_ == max_def_) ++value_pos_;
    ++pos_;
    in_row_ = false;
  }
  if (pos_ < count_ || reader_->HasNext()) {
    return arrow::Status::Invalid(name_, " has more rows than its row group");
  }
  return arrow::Status::OK();
}

arrow::Status LeafCursor::EnsureLevel(int64_t row) {
  if (pos_ < count_) return arrow::Status::OK();
  if (!reader_->HasNext()) return arrow::Status::Invalid(name_, " ends before row ", row);
  return Fill();
}

arrow::Status LeafCursor::Fill() {
  defs_.resize(kLevelsPerRead);
  reps_.resize(max_rep_ > 0 ? kLevelsPerRead : 0);
  int16_t* reps = max_rep_ > 0 ? reps_.data() : nullptr;
  int64_t values_read = 0;
  switch (physical_) {
    case parquet::Type::BYTE_ARRAY:
      bytes_.resize(kLevelsPerRead);
      count_ = static_cast<parquet::ByteArrayReader&>(*reader_).ReadBatch(
          kLevelsPerRead, defs_.data(), reps, bytes_.data(), &values_read);
      break;
    case parquet::Type::INT32:
      int32s_.resize(kLevelsPerRead);
      count_ = static_cast<parquet::Int32Reader&>(*reader_).ReadBatch(
          kLevelsPerRead, defs_.data(), reps, int32s_.data(), &values_read);
      break;
    case parquet::Type::INT64:
      int64s_.resize(kLevelsPerRead);
      count_ = static_cast<parquet::Int64Reader&>(*reader_).ReadBatch(
          kLevelsPerRead, defs_.data(), reps, int64s_.data(), &values_read);
      break;
    case parquet::Type::BOOLEAN:
      if (bools_ == nullptr) bools_ = std::make_unique<bool[]>(kLevelsPerRead);
      count_ = static_cast<parquet::BoolReader&>(*reader_).ReadBatch(
          kLevelsPerRead, defs_.data(), reps, bools_.get(), &values_read);
      break;
    default:
      return arrow::Status::Invalid(name_, " has an unexpected physical type");
  }
  if (count_ <= 0) return arrow::Status::Invalid(name_, " has no more levels");
  // A leaf without optional ancestors has no definition levels: all are values.
  if (max_def_ == 0) std::fill_n(defs_.begin(), count_, int16_t{0});
  int64_t defined = 0;
  for (int64_t level_idx = 0; level_idx < count_; ++level_idx) {
    defined += defs_[level_idx] == max_def_ ? 1 : 0;
  }
  // Value positions are derived from the levels: they must agree before indexing.
  if (defined != values_read) {
    return arrow::Status::Invalid(name_, ": ", values_read, " values for ", defined,
                                  " defined levels");
  }
  pos_ = value_pos_ = 0;
  return arrow::Status::OK();
}

arrow::Status LeafCursor::NextRepeatedRow(int64_t row) {
  entries_.clear();
  ARROW_RETURN_NOT_OK(EnsureLevel(row));
  if (reps_[pos_] != 0) return arrow::Status::Invalid(name_, ": row ", row, " is split");
  def_ = defs_[pos_];
  while (true) {
    const int16_t def = defs_[pos_];
    if (def >= repeated_def_) {
      entries_.push_back(def == max_def_
                             ? std::optional<std::string>(std::string(bytes()))
                             : std::nullopt);
    }
    if (def == max_def_) ++value_pos_;
    ++pos_;
    // The row goes on while the next level repeats, which may be in the next read.
    if (pos_ == count_) {
      if (!reader_->HasNext()) break;
      ARROW_RETURN_NOT_OK(Fill());
    }
    if (reps_[pos_] == 0) break;
  }
  return arrow::Status::OK();
}

const GroupNode* Layout::GroupField(const GroupNode* parent, const std::string& field) {
  const Node* node = Child(parent, field);
  if (node == nullptr) return nullptr;
  if (!node->is_group() || node->is_repeated() || !HasNoLogicalType(*node)) {
    supported_ = false;
    return nullptr;
  }
  return static_cast<const GroupNode*>(node);
}

Group Layout::Close(const GroupNode* node, size_t first_leaf, std::string name) {
  Group group{nullptr, 0, std::move(name)};
  if (node == nullptr) return group;
  if (first_leaf == cursors_.size()) {
    supported_ = false;  // no leaf we read tells whether the group is there
    return group;
  }
  group.probe = cursors_[first_leaf].get();
  group.def = DefLevelOf(*node);
  return group;
}

Leaf Layout::String(const GroupNode* parent, const std::string& prefix,
                    const std::string& field) {
  return Bind(parent, prefix, field, IsStringLeaf);
}

Leaf Layout::Int(const GroupNode* parent, const std::string& prefix,
                 const std::string& field) {
  return Bind(parent, prefix, field, IsIntLeaf);
}

Leaf Layout::Bool(const GroupNode* parent, const std::string& prefix,
                  const std::string& field) {
  return Bind(parent, prefix, field, IsBoolLeaf);
}

MapLeaves Layout::Map(const GroupNode* parent, const std::string& prefix,
                      const std::string& field) {
  MapLeaves out;
  out.self.name = prefix + "." + field;
  const Node* node = Child(parent, field);
  if (node == nullptr) return out;
  const GroupNode* entries = RepeatedGroupOf(*node, /*is_map=*/true);
  if (entries == nullptr || entries->field_count() != 2 ||
      entries->field(0)->name() != "key" || entries->field(1)->name() != "value" ||
      !IsStringLeaf(*entries->field(0)) || !IsStringLeaf(*entries->field(1))) {
    supported_ = false;
    return out;
  }
  out.keys = AddCursor(*entries->field(0), entries, out.self.name + ".key");
  out.values = AddCursor(*entries->field(1), entries, out.self.name + ".value");
  out.self.probe = out.keys;
  out.self.def = DefLevelOf(*node);
  return out;
}

ListLeaf Layout::List(const GroupNode* parent, const std::string& prefix,
                      const std::string& field) {
  ListLeaf out;
  out.self.name = prefix + "." + field;
  const Node* node = Child(parent, field);
  if (node == nullptr) return out;
  const GroupNode* entries = RepeatedGroupOf(*node, /*is_map=*/false);
  // Other names mark legacy layouts, where Arrow reads the repeated group itself as
  // the element.
  if (entries == nullptr || entries->name() != "list" || entries->field_count() != 1 ||
      (entries->field(0)->name() != "element" && entries->field(0)->name() != "item") ||
      !IsStringLeaf(*entries->field(0))) {
    supported_ = false;
    return out;
  }
  out.elements = AddCursor(*entries->field(0), entries, out.self.name + ".element");
  out.self.probe = out.elements;
  out.self.def = DefLevelOf(*node);
  return out;
}

void Layout::Unsupported(const GroupNode* parent, const std::string& field) {
  if (Child(parent, field) != nullptr) supported_ = false;
}

const Node* Layout::Child(const GroupNode* parent, const std::string& field) {
  if (parent == nullptr || !supported_) return nullptr;
  const Node* found = nullptr;
  for (int field_idx = 0; field_idx < parent->field_count(); ++field_idx) {
    if (parent->field(field_idx)->name() != field) continue;
    if (found != nullptr) {
      supported_ = false;  // Arrow finds no field by an ambiguous name
      return nullptr;
    }
    found = parent->field(field_idx).get();
  }
  return found;
}

Leaf Layout::Bind(const GroupNode* parent, const std::string& prefix,
                  const std::string& field, bool (*accepts)(const Node&)) {
  Leaf leaf{nullptr, prefix + "." + field};
  const Node* node = Child(parent, field);
  if (node == nullptr) return leaf;
  if (!accepts(*node)) {
    supported_ = false;
    return leaf;
  }
  leaf.cursor = AddCursor(*node, /*repeated=*/nullptr, leaf.name);
  return leaf;
}

LeafCursor* Layout::AddCursor(const Node& leaf, const Node* repeated, std::string name) {
  const int column = schema_.ColumnIndex(leaf);
  const parquet::ColumnDescriptor* descr = column >= 0 ? schema_.Column(column) : nullptr;
  // Plain leaves sit under structs only; map and list leaves under one repetition.
  if (descr == nullptr ||
      descr->max_repetition_level() != (repeated != nullptr ? 1 : 0)) {
    supported_ = false;
    return nullptr;
  }
  const int16_t repeated_def = repeated != nullptr ? DefLevelOf(*repeated) : 0;
  cursors_.push_back(
      std::make_unique<LeafCursor>(column, *descr, repeated_def, std::move(name)));
  return cursors_.back().get();
}

}  // namespace deltaline::delta::checkpoint_internal
