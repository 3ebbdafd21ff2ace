#pragma once

// Internals of the column-reader checkpoint decoder (checkpoint_leaf_cursor.cc,
// checkpoint_leaves.cc): leaf cursors and the layout check that binds them. Not
// installed.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <arrow/status.h>
#include <parquet/column_reader.h>
#include <parquet/schema.h>

#include "delta/checkpoint/checkpoint_internal.h"

namespace deltaline::delta::checkpoint_internal {

/// \brief One leaf column of a row group, read a page-bounded batch of levels at a
/// time and handed out a row at a time. A row's value stays valid until the next
/// NextRow(): it points into the decoded page. Entries of repeated leaves (maps,
/// lists) are copied, as a row may span two reads.
class LeafCursor {
 public:
  /// `repeated_def`: for a map or list leaf, the definition level at which an entry
  /// exists (that of its repeated group).
  LeafCursor(int column, const parquet::ColumnDescriptor& descr, int16_t repeated_def,
             std::string name);

  int column() const { return column_; }
  const std::string& name() const { return name_; }

  /// Starts on the column chunk of the next row group.
  void Reset(std::shared_ptr<parquet::ColumnReader> reader);
  /// Moves to row `row` (counted over the file, for messages).
  arrow::Status NextRow(int64_t row);
  /// After the last row of the row group: fails if levels are left over.
  arrow::Status ExpectEnd();

  /// Definition level of the row (of its first entry, for a repeated leaf): how far
  /// down the leaf's path values are present.
  int16_t def() const { return def_; }
  bool has_value() const { return def_ == max_def_; }
  /// The row's value; only when has_value(), by physical type.
  std::string_view bytes() const {
    const parquet::ByteArray& value = bytes_[value_pos_];
    return {reinterpret_cast<const char*>(value.ptr), value.len};
  }
  int64_t integer() const {
    return physical_ == parquet::Type::INT32 ? int32s_[value_pos_] : int64s_[value_pos_];
  }
  bool boolean() const { return bools_[value_pos_]; }
  /// The row's entries, for a repeated string leaf; nullopt for a null one.
  const std::vector<std::optional<std::string>>& entries() const { return entries_; }

 private:
  arrow::Status EnsureLevel(int64_t row);
  arrow::Status Fill();
  arrow::Status NextRepeatedRow(int64_t row);

  int column_;
  parquet::Type::type physical_;
  int16_t max_def_;
  int16_t max_rep_;
  int16_t repeated_def_;
  std::string name_;
  std::shared_ptr<parquet::ColumnReader> reader_;
  std::vector<int16_t> defs_, reps_;
  std::vector<parquet::ByteArray> bytes_;
  std::vector<int32_t> int32s_;
  std::vector<int64_t> int64s_;
  std::unique_ptr<bool[]> bools_;
  int64_t count_ = 0;      ///< levels in the current read
  int64_t pos_ = 0;        ///< level of the current row
  int64_t value_pos_ = 0;  ///< value of the current row, when it has one
  bool in_row_ = false;
  int16_t def_ = 0;
  std::vector<std::optional<std::string>> entries_;
};

/// \brief A leaf the decoder reads. `cursor` is null when the file lacks the field:
/// every value reads as null, as in the Arrow path.
struct Leaf {
  LeafCursor* cursor = nullptr;
  std::string name;  ///< dotted path, for messages
};

/// \brief An optional group (an action, a deletion vector, a format). It is non-null
/// in a row when one of its leaves (`probe`) is defined down to the group's level.
struct Group {
  LeafCursor* probe = nullptr;  ///< null when the file lacks the group
  int16_t def = 0;
  std::string name;

  bool IsNull() const { return probe == nullptr || probe->def() < def; }
};

struct MapLeaves {
  Group self;
  LeafCursor* keys = nullptr;
  LeafCursor* values = nullptr;
};

struct ListLeaf {
  Group self;
  LeafCursor* elements = nullptr;
};

/// \brief Binds the fields the decoder reads to leaf cursors, checking that each has
/// a shape the decoder handles: string (BYTE_ARRAY), signed integer and boolean leaves
/// without repetition, and maps and lists of strings in the standard three-level
/// layouts. Anything else clears supported(), and the Arrow path decodes the file.
/// Fields are looked up by name, as the Arrow path does; a missing one reads as null.
class Layout {
 public:
  /// `schema` must outlive the layout.
  explicit Layout(const parquet::SchemaDescriptor& schema) : schema_(schema) {}

  bool supported() const { return supported_; }
  const std::vector<std::unique_ptr<LeafCursor>>& cursors() const { return cursors_; }
  const parquet::schema::GroupNode* root() const { return schema_.group_node(); }

  /// The struct field `field` of `parent`; null when either is absent.
  const parquet::schema::GroupNode* GroupField(const parquet::schema::GroupNode* parent,
                                               const std::string& field);
  /// Open() before binding a group's fields and Close() after: the group's presence
  /// is read from the first leaf bound in between.
  size_t Open() const { return cursors_.size(); }
  Group Close(const parquet::schema::GroupNode* node, size_t first_leaf,
              std::string name);

  // `prefix` is the parent's dotted path, for messages.
  Leaf String(const parquet::schema::GroupNode* parent, const std::string& prefix,
              const std::string& field);
  Leaf Int(const parquet::schema::GroupNode* parent, const std::string& prefix,
           const std::string& field);
  Leaf Bool(const parquet::schema::GroupNode* parent, const std::string& prefix,
            const std::string& field);
  MapLeaves Map(const parquet::schema::GroupNode* parent, const std::string& prefix,
                const std::string& field);
  ListLeaf List(const parquet::schema::GroupNode* parent, const std::string& prefix,
                const std::string& field);
  /// For fields the decoder does not read but whose presence changes decoding.
  void Unsupported(const parquet::schema::GroupNode* parent, const std::string& field);

 private:
  const parquet::schema::Node* Child(const parquet::schema::GroupNode* parent,
                                     const std::string& field);
  Leaf Bind(const parquet::schema::GroupNode* parent, const std::string& prefix,
            const std::string& field, bool (*accepts)(const parquet::schema::Node&));
  LeafCursor* AddCursor(const parquet::schema::Node& leaf,
                        const parquet::schema::Node* repeated, std::string name);

  const parquet::SchemaDescriptor& schema_;
  std::vector<std::unique_ptr<LeafCursor>> cursors_;
  bool supported_ = true;
};

}  // namespace deltaline::delta::checkpoint_internal
