#include "delta/ops/parquet_layout.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <map>
#include <set>

#include "delta/base/errors.h"
#include "delta/ops/parquet_footer.h"
#include "delta/table/partition_path.h"

namespace deltaline::delta {
namespace {

// Spark's InMemoryFileIndex: `_x` (but not a `_col=value` partition) and `.x` are
// hidden, as are files still being copied.
bool IsHiddenName(const std::string& name) {
  if (name.empty()) return false;
  if (name[0] == '.') return true;
  if (name[0] == '_' && name.find('=') == std::string::npos) return true;
  return name.ends_with("._COPYING_");
}

std::vector<std::string> SplitPath(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

std::string JoinNames(const std::vector<std::string>& names, const char* sep) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : sep) + name;
  return out;
}

struct Listed {
  std::string path;
  int64_t size;
  int64_t mtime_ms;
  std::vector<std::string> dirs;
};

arrow::Result<std::vector<Listed>> ListSource(arrow::fs::FileSystem& fs,
                                              const std::string& root,
                                              std::vector<std::string>* skipped) {
  ARROW_ASSIGN_OR_RAISE(auto root_info, fs.GetFileInfo(root));
  if (root_info.type() != arrow::fs::FileType::Directory) {
    return TableNotFound("source '" + root + "' is not a directory");
  }
  ARROW_ASSIGN_OR_RAISE(auto log_info, fs.GetFileInfo(root + "/_delta_log"));
  if (log_info.type() != arrow::fs::FileType::NotFound) {
    return TableAlreadyExists("source '" + root +
                              "' has a _delta_log: it is a Delta table already");
  }
  arrow::fs::FileSelector selector;
  selector.base_dir = root;
  selector.recursive = true;
  ARROW_ASSIGN_OR_RAISE(auto infos, fs.GetFileInfo(selector));
  std::set<std::string> hidden;
  std::vector<Listed> files;
  for (const auto& info : infos) {
    if (info.type() != arrow::fs::FileType::File) continue;
    std::string relative = info.path().substr(root.size() + 1);
    std::vector<std::string> parts = SplitPath(relative);
    std::string prefix;
    bool is_hidden = false;
    for (const auto& part : parts) {
      prefix += (prefix.empty() ? "" : "/") + part;
      if (IsHiddenName(part)) {
        hidden.insert(prefix);
        is_hidden = true;
        break;
      }
    }
    if (is_hidden) continue;
    parts.pop_back();
    const int64_t mtime = std::chrono::duration_cast<std::chrono::milliseconds>(
                              info.mtime().time_since_epoch())
                              .count();
    files.push_back({relative, info.size(), mtime, std::move(parts)});
  }
  std::sort(files.begin(), files.end(),
            [](const Listed& a, const Listed& b) { return a.path < b.path; });
  skipped->assign(hidden.begin(), hidden.end());
  if (files.empty()) {
    return TableNotFound("source '" + root + "' holds no data file");
  }
  return files;
}

// The `name=value` pairs of a file's directories; nullopt when one is not a pair.
std::optional<std::vector<std::pair<std::string, std::string>>> ParseDirs(
    const std::vector<std::string>& dirs) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& dir : dirs) {
    const size_t eq = dir.find('=');
    if (eq == std::string::npos || eq == 0) return std::nullopt;
    pairs.emplace_back(UnescapeHivePathName(dir.substr(0, eq)),
                       UnescapeHivePathName(dir.substr(eq + 1)));
  }
  return pairs;
}

// Groups the files by their directory layout and fails listing each group when
// there is more than one (or when the layout is not `expected`).
arrow::Result<std::vector<std::string>> CheckLayout(
    const std::vector<Listed>& files,
    const std::optional<std::vector<std::string>>& expected) {
  std::map<std::string, std::vector<std::string>> groups;
  std::vector<std::string> columns;
  for (const auto& file : files) {
    auto pairs = ParseDirs(file.dirs);
    std::string key;
    if (!pairs) {
      key = "(directories that are not name=value)";
    } else {
      std::vector<std::string> names;
      for (const auto& pair : *pairs) names.push_back(pair.first);
      key = names.empty() ? "(no partition directory)" : JoinNames(names, "/");
      columns = names;
    }
    groups[key].push_back(file.path);
  }
  auto describe = [&groups]() {
    std::string text;
    for (const auto& [layout, paths] : groups) {
      text += "\n  " + layout + ": ";
      const size_t shown = std::min<size_t>(paths.size(), 5);
      for (size_t idx = 0; idx < shown; ++idx) text += (idx ? ", " : "") + paths[idx];
      if (paths.size() > shown) {
        text += " and " + std::to_string(paths.size() - shown) + " more";
      }
    }
    return text;
  };
  if (groups.size() > 1) {
    return InvalidInput("inconsistent partition layout: the files sit in " +
                        std::to_string(groups.size()) +
                        " different directory layouts:" + describe());
  }
  if (groups.begin()->first == "(directories that are not name=value)") {
    return InvalidInput(
        "the data files sit in directories that are not Hive partitions (name=value):" +
        describe());
  }
  if (expected && *expected != columns) {
    return InvalidInput(
        "--partition-by " + JoinNames(*expected, ",") +
        " does not match the directories, which are partitioned by " +
        (columns.empty() ? std::string("nothing") : JoinNames(columns, ",")) + ":" +
        describe());
  }
  return columns;
}

std::string FirstDifference(const arrow::Schema& first, const arrow::Schema& other) {
  for (const auto& field : first.fields()) {
    auto theirs = other.GetFieldByName(field->name());
    if (!theirs) return "column '" + field->name() + "' is missing";
    if (!theirs->type()->Equals(field->type())) {
      return "column '" + field->name() + "' is " + theirs->type()->ToString() +
             " where the first file has " + field->type()->ToString();
    }
  }
  for (const auto& field : other.fields()) {
    if (!first.GetFieldByName(field->name())) {
      return "column '" + field->name() + "' is extra";
    }
  }
  return "the columns are in another order";
}

// Names, order and types; nullability may differ (the union is nullable).
bool SameColumns(const arrow::Schema& first, const arrow::Schema& other) {
  if (first.num_fields() != other.num_fields()) return false;
  for (int field_idx = 0; field_idx < first.num_fields(); ++field_idx) {
    const auto& mine = first.field(field_idx);
    const auto& theirs = other.field(field_idx);
    if (mine->name() != theirs->name() || !mine->type()->Equals(theirs->type())) {
      return false;
    }
  }
  return true;
}

arrow::Result<std::shared_ptr<arrow::Schema>> UnifySchemas(
    const std::vector<ParquetSourceFile>& files, ParquetSchemaMode mode) {
  const auto& first = files.front();
  arrow::FieldVector fields = first.schema->fields();
  for (const auto& file : files) {
    if (mode == ParquetSchemaMode::kStrict) {
      if (!SameColumns(*first.schema, *file.schema)) {
        return SchemaMismatch("file '" + file.path + "' has another schema than '" +
                              first.path +
                              "': " + FirstDifference(*first.schema, *file.schema) +
                              " (use --schema-mode merge to take the union)");
      }
      for (int field_idx = 0; field_idx < file.schema->num_fields(); ++field_idx) {
        if (file.schema->field(field_idx)->nullable()) {
          fields[field_idx] = fields[field_idx]->WithNullable(true);
        }
      }
      continue;
    }
    for (const auto& field : file.schema->fields()) {
      auto it = std::find_if(fields.begin(), fields.end(), [&field](const auto& have) {
        return have->name() == field->name();
      });
      if (it == fields.end()) {
        fields.push_back(field->WithNullable(true));
      } else if ((*it)->type()->Equals(field->type())) {
        if (field->nullable()) *it = (*it)->WithNullable(true);
      } else {
        return SchemaMismatch("file '" + file.path + "': column '" + field->name() +
                              "' is " + field->type()->ToString() +
                              " where other files have " + (*it)->type()->ToString() +
                              "; the types cannot be merged");
      }
    }
  }
  if (mode == ParquetSchemaMode::kMerge) {
    // A column some file lacks reads as null there.
    for (auto& field : fields) {
      for (const auto& file : files) {
        if (!file.schema->GetFieldByName(field->name()))
          field = field->WithNullable(true);
      }
    }
  }
  return arrow::schema(std::move(fields));
}

}  // namespace

std::vector<std::string> ParquetLayout::partition_names() const {
  std::vector<std::string> names;
  for (const auto& column : partition_columns) names.push_back(column.name);
  return names;
}

std::string UnescapeHivePathName(std::string_view text) {
  std::string out;
  for (size_t idx = 0; idx < text.size(); ++idx) {
    if (text[idx] == '%' && idx + 2 < text.size()) {
      int value = 0;
      auto [ptr, ec] =
          std::from_chars(text.data() + idx + 1, text.data() + idx + 3, value, 16);
      if (ec == std::errc() && ptr == text.data() + idx + 3) {
        out.push_back(static_cast<char>(value));
        idx += 2;
        continue;
      }
    }
    out.push_back(text[idx]);
  }
  return out;
}

arrow::Result<ParquetLayout> PlanParquetLayout(std::shared_ptr<arrow::fs::FileSystem> fs,
                                               const std::string& root,
                                               const ParquetLayoutOptions& options) {
  ParquetLayout layout;
  layout.fs = fs;
  layout.root = root;
  while (layout.root.size() > 1 && layout.root.back() == '/') layout.root.pop_back();
  layout.schema_mode = options.schema_mode;
  ARROW_ASSIGN_OR_RAISE(auto listed, ListSource(*fs, layout.root, &layout.skipped));
  ARROW_ASSIGN_OR_RAISE(auto columns, CheckLayout(listed, options.partition_by));
  std::vector<std::vector<std::optional<std::string>>> values(columns.size());
  for (const auto& item : listed) {
    ParquetSourceFile file;
    file.path = item.path;
    file.size = item.size;
    file.modification_time = item.mtime_ms;
    auto pairs = *ParseDirs(item.dirs);
    for (size_t col_idx = 0; col_idx < pairs.size(); ++col_idx) {
      std::optional<std::string> value = pairs[col_idx].second;
      if (value->empty() || *value == kHiveDefaultPartition) value.reset();
      values[col_idx].push_back(value);
      file.partition_values[columns[col_idx]] = value;
    }
    ARROW_RETURN_NOT_OK(ReadParquetFooter(*fs, layout.root, &file));
    for (const auto& column : columns) {
      if (file.schema->GetFieldByName(column)) {
        return InvalidInput("partition column '" + column + "' is also stored in file '" +
                            file.path +
                            "'; deltaline refuses to choose between the directory "
                            "value and the file's");
      }
    }
    layout.total_bytes += file.size;
    layout.total_rows += file.num_rows;
    layout.files.push_back(std::move(file));
    if (options.progress) {
      options.progress(static_cast<int64_t>(layout.files.size()),
                       static_cast<int64_t>(listed.size()), layout.total_bytes);
    }
  }
  for (size_t col_idx = 0; col_idx < columns.size(); ++col_idx) {
    layout.partition_columns.push_back(
        {columns[col_idx], InferPartitionType(values[col_idx])});
  }
  ARROW_ASSIGN_OR_RAISE(layout.data_schema,
                        UnifySchemas(layout.files, options.schema_mode));
  arrow::FieldVector fields = layout.data_schema->fields();
  for (const auto& column : layout.partition_columns) {
    fields.push_back(arrow::field(column.name, column.type));
  }
  layout.schema = arrow::schema(std::move(fields));
  std::set<std::string> partitions;
  for (const auto& file : layout.files) {
    ARROW_ASSIGN_OR_RAISE(
        auto key, MakePartitionKey(layout.partition_names(), file.partition_values));
    partitions.insert(key.directory);
  }
  layout.partitions.assign(partitions.begin(), partitions.end());
  return layout;
}

}  // namespace deltaline::delta
