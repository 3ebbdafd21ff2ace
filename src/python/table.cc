// open_delta_table: a snapshot pinned at one version, its facts (schema, files,
// protocol, history) and its rows as a re-openable Arrow stream.
#include <nanobind/stl/optional.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "delta/base/errors.h"
#include "delta/base/time_text.h"
#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"
#include "delta/predicate/predicate.h"
#include "delta/scan/scan.h"
#include "engine/table_read.h"
#include "obs/table_facts.h"
#include "python/bindings.h"
#include "python/streams.h"

namespace deltaline::python {
namespace {

class Table {
 public:
  Table(std::string path, std::shared_ptr<delta::LogStore> store,
        std::shared_ptr<const delta::Snapshot> snapshot)
      : path_(std::move(path)),
        store_(std::move(store)),
        snapshot_(std::move(snapshot)) {}

  static std::shared_ptr<Table> Open(const std::string& path,
                                     std::optional<int64_t> version,
                                     std::optional<int64_t> timestamp_ms) {
    arrow::Result<std::shared_ptr<Table>> opened;
    {
      nb::gil_scoped_release release;
      opened = [&]() -> arrow::Result<std::shared_ptr<Table>> {
        ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(path));
        delta::SnapshotRequest request;
        request.version = version;
        request.timestamp_ms = timestamp_ms;
        ARROW_ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(*store, request));
        std::shared_ptr<delta::LogStore> shared = std::move(store);
        return std::make_shared<Table>(path, std::move(shared), std::move(snapshot));
      }();
    }
    return Unwrap(std::move(opened));
  }

  const std::string& path() const { return path_; }
  int64_t version() const { return snapshot_->version(); }
  int64_t timestamp_ms() const { return snapshot_->timestamp_ms(); }
  nb::object schema() const { return ExportSchema(*snapshot_->schema()); }
  std::vector<std::string> partition_columns() const {
    return snapshot_->partition_columns();
  }
  int64_t num_files() const { return static_cast<int64_t>(snapshot_->num_files()); }
  std::optional<int64_t> num_records() const { return snapshot_->num_records(); }

  nb::list Files() const {
    nb::list out;
    for (const auto& add : snapshot_->files()) {
      nb::dict file;
      file["path"] = add.path;
      file["size"] = add.size;
      file["modification_time"] = add.modification_time;
      nb::dict partition;
      for (const auto& [column, value] : add.partition_values) {
        partition[column.c_str()] =
            value ? nb::object(nb::str(value->c_str())) : nb::none();
      }
      file["partition_values"] = partition;
      // A file whose stats do not parse has, for a reader, no stats.
      auto stats = add.stats ? nlohmann::json::parse(*add.stats, nullptr, false)
                             : nlohmann::json(nlohmann::json::value_t::discarded);
      file["stats"] = stats.is_discarded() ? nb::none() : ToPython(stats);
      file["deletion_vector"] = add.deletion_vector.has_value();
      out.append(file);
    }
    return out;
  }

  nb::dict Protocol() const {
    const auto& protocol = snapshot_->protocol();
    nb::dict out;
    out["min_reader_version"] = protocol.min_reader_version;
    out["min_writer_version"] = protocol.min_writer_version;
    out["reader_features"] =
        protocol.reader_features ? nb::cast(*protocol.reader_features) : nb::none();
    out["writer_features"] =
        protocol.writer_features ? nb::cast(*protocol.writer_features) : nb::none();
    return out;
  }

  nb::dict Metadata() const {
    const auto& metadata = snapshot_->metadata();
    nb::dict out;
    out["id"] = metadata.id;
    out["name"] = metadata.name ? nb::cast(*metadata.name) : nb::none();
    out["description"] =
        metadata.description ? nb::cast(*metadata.description) : nb::none();
    out["partition_columns"] = metadata.partition_columns;
    nb::dict configuration;
    for (const auto& [key, value] : metadata.configuration)
      configuration[key.c_str()] = value;
    out["configuration"] = configuration;
    out["created_time"] =
        metadata.created_time ? nb::cast(*metadata.created_time) : nb::none();
    out["schema_json"] = metadata.schema_string;
    return out;
  }

  // obs::TableFacts at this version: protocol, schema, properties, counts, the commit
  // and the newest `history` commits (camelCase keys, as `deltaline describe --json`).
  nb::object Facts(bool with_commit, int history) const {
    arrow::Result<nlohmann::json> facts;
    {
      nb::gil_scoped_release release;
      facts = obs::TableFacts(path_, version(), with_commit, history);
    }
    return ToPython(Unwrap(std::move(facts)));
  }

  std::shared_ptr<Stream> Scan(const std::vector<std::string>& columns,
                               const std::optional<std::string>& filter,
                               int64_t batch_size) const {
    delta::ScanOptions options;
    options.columns = columns;
    options.batch_size = batch_size;
    if (filter)
      options.filter = Unwrap(delta::ParsePredicate(*filter, *snapshot_->schema()));
    std::shared_ptr<arrow::Schema> schema = snapshot_->schema();
    if (!columns.empty()) {
      arrow::FieldVector fields;
      for (const auto& name : columns) {
        auto field = schema->GetFieldByName(name);
        if (!field) {
          Check(delta::InvalidInput("no column '" + name + "' in the table at " + path_ +
                                    " (columns: " + schema->ToString() + ")"));
        }
        fields.push_back(field);
      }
      schema = arrow::schema(std::move(fields));
    }
    auto store = store_;
    auto snapshot = snapshot_;
    auto handle = std::make_shared<engine::DeltaTableHandle>(
        engine::DeltaTableHandle{path_, store_, snapshot_});
    return std::make_shared<Stream>(
        schema,
        [store, snapshot,
         options]() -> arrow::Result<std::shared_ptr<arrow::RecordBatchReader>> {
          ARROW_ASSIGN_OR_RAISE(auto reader,
                                delta::ScanSnapshot(*store, snapshot, options));
          return std::make_shared<OwningReader>(std::move(reader), store);
        },
        // A whole read (to_pyarrow) decodes on every core, in the same order.
        [handle, options]() {
          return engine::ReadTable(handle, options.columns, options.filter);
        });
  }

 private:
  std::string path_;
  std::shared_ptr<delta::LogStore> store_;
  std::shared_ptr<const delta::Snapshot> snapshot_;
};

}  // namespace

void RegisterTable(nb::module_& m) {
  nb::class_<Table>(m, "_Table", "A Delta table pinned at one version.")
      .def_static("open", &Table::Open, nb::arg("path"), nb::arg("version") = nb::none(),
                  nb::arg("timestamp_ms") = nb::none())
      .def_prop_ro("path", &Table::path)
      .def_prop_ro("version", &Table::version)
      .def_prop_ro("timestamp_ms", &Table::timestamp_ms)
      .def_prop_ro("partition_columns", &Table::partition_columns)
      .def_prop_ro("num_files", &Table::num_files)
      .def_prop_ro("num_records", &Table::num_records)
      .def("schema", &Table::schema)
      .def("files", &Table::Files)
      .def("protocol", &Table::Protocol)
      .def("metadata", &Table::Metadata)
      .def("facts", &Table::Facts, nb::arg("with_commit"), nb::arg("history"))
      .def("scan", &Table::Scan, nb::arg("columns"), nb::arg("filter") = nb::none(),
           nb::arg("batch_size") = 64 * 1024);
  m.def(
      "parse_timestamp_ms",
      [](const std::string& text) {
        return Unwrap(delta::ParseTimestampMs(text, "timestamp"));
      },
      nb::arg("text"), "Milliseconds since the epoch of an RFC 3339 time.");
}

}  // namespace deltaline::python
