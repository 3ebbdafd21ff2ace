// The Arrow C stream interface (PyCapsule protocol) in both directions, and _Stream:
// a re-openable output that every __arrow_c_stream__ call reads from the start.
#include <functional>

#include <arrow/c/abi.h>
#include <arrow/c/bridge.h>
#include <arrow/table.h>
#include <nanobind/stl/function.h>
#include <nanobind/stl/string.h>

#include "python/bindings.h"
#include "python/streams.h"

namespace deltaline::python {
namespace {

constexpr const char* kStreamCapsule = "arrow_array_stream";
constexpr const char* kSchemaCapsule = "arrow_schema";

void ReleaseStreamCapsule(PyObject* capsule) {
  auto* stream =
      static_cast<ArrowArrayStream*>(PyCapsule_GetPointer(capsule, kStreamCapsule));
  if (stream == nullptr) {
    PyErr_Clear();
    return;
  }
  if (stream->release != nullptr) stream->release(stream);
  delete stream;
}

void ReleaseSchemaCapsule(PyObject* capsule) {
  auto* schema = static_cast<ArrowSchema*>(PyCapsule_GetPointer(capsule, kSchemaCapsule));
  if (schema == nullptr) {
    PyErr_Clear();
    return;
  }
  if (schema->release != nullptr) schema->release(schema);
  delete schema;
}

// Our batches are made by C++ only, so a consumer that holds the GIL while it pulls
// (pyarrow, Polars, DuckDB's Python side) need not block other Python threads.
class GilReleasingReader : public arrow::RecordBatchReader {
 public:
  explicit GilReleasingReader(std::shared_ptr<arrow::RecordBatchReader> inner)
      : inner_(std::move(inner)) {}
  std::shared_ptr<arrow::Schema> schema() const override { return inner_->schema(); }
  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* batch) override {
    if (Py_IsInitialized() && PyGILState_Check()) {
      PyThreadState* state = PyEval_SaveThread();
      auto st = inner_->ReadNext(batch);
      PyEval_RestoreThread(state);
      return st;
    }
    return inner_->ReadNext(batch);
  }
  arrow::Status Close() override { return inner_->Close(); }

 private:
  std::shared_ptr<arrow::RecordBatchReader> inner_;
};

}  // namespace

std::shared_ptr<arrow::RecordBatchReader> ImportStream(nb::handle obj) {
  if (!nb::hasattr(obj, "__arrow_c_stream__")) {
    throw nb::type_error(
        "expected an object with __arrow_c_stream__ (a pyarrow Table "
        "or RecordBatchReader, a Polars DataFrame, a DuckDB relation…)");
  }
  nb::object capsule = obj.attr("__arrow_c_stream__")();
  auto* source =
      static_cast<ArrowArrayStream*>(PyCapsule_GetPointer(capsule.ptr(), kStreamCapsule));
  if (source == nullptr) throw nb::python_error();
  // Move the stream out; the capsule's destructor then finds it released.
  ArrowArrayStream moved = *source;
  source->release = nullptr;
  return Unwrap(arrow::ImportRecordBatchReader(&moved));
}

nb::object ExportStream(std::shared_ptr<arrow::RecordBatchReader> reader) {
  auto* stream = new ArrowArrayStream();
  auto st = arrow::ExportRecordBatchReader(
      std::make_shared<GilReleasingReader>(std::move(reader)), stream);
  if (!st.ok()) {
    delete stream;
    throw StatusError(st);
  }
  return nb::steal(PyCapsule_New(stream, kStreamCapsule, ReleaseStreamCapsule));
}

nb::object ExportSchema(const arrow::Schema& schema) {
  auto* out = new ArrowSchema();
  auto st = arrow::ExportSchema(schema, out);
  if (!st.ok()) {
    delete out;
    throw StatusError(st);
  }
  return nb::steal(PyCapsule_New(out, kSchemaCapsule, ReleaseSchemaCapsule));
}

nb::object Stream::Export() const {
  std::shared_ptr<arrow::RecordBatchReader> reader;
  {
    nb::gil_scoped_release release;
    auto opened = open_();
    if (!opened.ok()) {
      nb::gil_scoped_acquire acquire;
      throw StatusError(opened.status());
    }
    reader = *opened;
  }
  return ExportStream(std::move(reader));
}

nb::object Stream::ReadAll() const {
  arrow::Result<std::shared_ptr<arrow::Table>> table;
  {
    nb::gil_scoped_release release;
    table = [&]() -> arrow::Result<std::shared_ptr<arrow::Table>> {
      std::shared_ptr<arrow::Table> read;
      if (read_all_) {
        ARROW_ASSIGN_OR_RAISE(read, read_all_());
      } else {
        ARROW_ASSIGN_OR_RAISE(auto reader, open_());
        ARROW_ASSIGN_OR_RAISE(read, reader->ToTable());
      }
      // The scan's schema, not the first batch's: an empty table keeps its columns.
      return read->num_columns() == schema_->num_fields()
                 ? read
                 : arrow::Table::MakeEmpty(schema_);
    }();
  }
  auto done = Unwrap(std::move(table));
  return ExportStream(std::make_shared<arrow::TableBatchReader>(std::move(done)));
}

void RegisterStreams(nb::module_& m) {
  nb::class_<Stream>(m, "_Stream",
                     "Rows that every __arrow_c_stream__ call streams from the start.")
      .def(
          "__arrow_c_stream__",
          [](const Stream& self, nb::handle requested_schema) { return self.Export(); },
          nb::arg("requested_schema") = nb::none(),
          "A new PyCapsule 'arrow_array_stream' over the rows (the requested schema "
          "is not applied: the rows come in the table's types).")
      .def("read_all", &Stream::ReadAll,
           "Every row, read without the GIL, as one 'arrow_array_stream' capsule.")
      .def(
          "__arrow_c_schema__",
          [](const Stream& self) { return ExportSchema(*self.schema()); },
          "A PyCapsule 'arrow_schema' of the rows' schema.");
}

}  // namespace deltaline::python
