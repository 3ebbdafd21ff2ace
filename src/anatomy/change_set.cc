#include "anatomy/change_set.h"

#include <map>
#include <set>
#include <string_view>
#include <unordered_map>

#include "anatomy/source_tree.h"

namespace deltaline::anatomy {
namespace {

std::string_view BaseName(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

/// Whether a file may take part in rename detection: read, parsed, and not empty (as in
/// git, empty files are all alike and say nothing about where one went).
bool Renamable(const std::string& skip_reason, const std::string& sha256, int64_t size) {
  return skip_reason.empty() && !sha256.empty() && size > 0;
}

/// Pairs deleted rows with added files of the same content: within one hash, equal base
/// names first (a moved module keeps its name), then the rest in order. Paired entries
/// are taken out of `added` and `deleted`.
void PairRenames(std::vector<SourceFile>* added, std::vector<FileState>* deleted,
                 std::vector<std::pair<FileState, SourceFile>>* renamed) {
  std::map<std::string, std::vector<size_t>> deleted_by_hash;
  for (size_t i = 0; i < deleted->size(); ++i) {
    const FileState& d = (*deleted)[i];
    if (Renamable(d.skip_reason, d.sha256, d.size))
      deleted_by_hash[d.sha256].push_back(i);
  }
  if (deleted_by_hash.empty()) return;
  std::vector<int64_t> partner(added->size(), -1);  // index into deleted
  std::set<size_t> taken;
  for (int pass = 0; pass < 2; ++pass) {
    for (size_t a = 0; a < added->size(); ++a) {
      const SourceFile& f = (*added)[a];
      if (partner[a] >= 0 || !Renamable(f.skip_reason, f.sha256, f.size)) continue;
      auto it = deleted_by_hash.find(f.sha256);
      if (it == deleted_by_hash.end()) continue;
      for (size_t d : it->second) {
        if (taken.count(d) != 0) continue;
        if (pass == 0 && BaseName((*deleted)[d].path) != BaseName(f.path)) continue;
        partner[a] = static_cast<int64_t>(d);
        taken.insert(d);
        break;
      }
    }
  }
  std::vector<SourceFile> still_added;
  for (size_t a = 0; a < added->size(); ++a) {
    if (partner[a] >= 0) {
      renamed->emplace_back((*deleted)[static_cast<size_t>(partner[a])],
                            std::move((*added)[a]));
    } else {
      still_added.push_back(std::move((*added)[a]));
    }
  }
  std::vector<FileState> still_deleted;
  for (size_t d = 0; d < deleted->size(); ++d) {
    if (taken.count(d) == 0) still_deleted.push_back(std::move((*deleted)[d]));
  }
  *added = std::move(still_added);
  *deleted = std::move(still_deleted);
}

}  // namespace

FileState FileStateOf(const SourceFile& file) {
  FileState state;
  state.file_id = file.file_id;
  state.path = file.path;
  state.size = file.size;
  state.mtime_ns = file.mtime_ns;
  state.sha256 = file.sha256;
  state.skip_reason = file.skip_reason;
  return state;
}

arrow::Result<ChangeSet> ComputeChangeSet(const std::string& root,
                                          std::vector<SourceFile> listed,
                                          const std::vector<FileState>& previous,
                                          const ChangeSetOptions& options) {
  std::unordered_map<std::string_view, const FileState*> by_path;
  for (const FileState& state : previous) {
    if (!by_path.emplace(state.path, &state).second) {
      return arrow::Status::Invalid("anatomy state: path '", state.path,
                                    "' appears twice");
    }
  }
  ChangeSet out;
  auto load = [&](SourceFile* file) -> arrow::Status {
    if (!file->skip_reason.empty()) return arrow::Status::OK();
    ++out.read_count;
    return LoadSourceFile(root, file);
  };
  auto drop_text = [&](SourceFile* file) {
    if (!options.keep_text) file->text.clear();
  };
  std::set<std::string_view> seen;
  for (SourceFile& file : listed) {
    auto it = by_path.find(file.path);
    if (it == by_path.end()) {
      out.added.push_back(std::move(file));
      continue;
    }
    const FileState& before = *it->second;
    seen.insert(before.path);
    // The quick check needs a previous read (a hash) and a file listed as readable; a
    // file that was binary stays binary while its bytes do not change.
    if (!options.verify_hashes && file.skip_reason.empty() && !before.sha256.empty() &&
        file.size == before.size && file.mtime_ns == before.mtime_ns) {
      file.sha256 = before.sha256;
      file.skip_reason = before.skip_reason;
      out.unchanged.push_back(std::move(file));
      continue;
    }
    ARROW_RETURN_NOT_OK(load(&file));
    if (file.skip_reason == before.skip_reason && file.sha256 == before.sha256) {
      file.text.clear();  // nobody extracts an unchanged file
      out.unchanged.push_back(std::move(file));
    } else {
      drop_text(&file);
      out.changed.push_back(std::move(file));
    }
  }
  for (const FileState& state : previous) {
    if (seen.count(state.path) == 0) out.deleted.push_back(state);
  }
  // Added files are read only when something was deleted: their hashes matter only to
  // find moves. A first run reads nothing here.
  if (!out.deleted.empty()) {
    for (SourceFile& file : out.added) {
      ARROW_RETURN_NOT_OK(load(&file));
      drop_text(&file);
    }
    PairRenames(&out.added, &out.deleted, &out.renamed);
  }
  return out;
}

}  // namespace deltaline::anatomy
