#include "engine/delta_tap.h"

#include "delta/base/errors.h"

namespace deltaline::engine {

void DeltaTapWrites::Add(DeltaTapWrite write) {
  std::lock_guard<std::mutex> lock(mutex_);
  writes_.push_back(std::move(write));
}

std::vector<DeltaTapWrite> DeltaTapWrites::writes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return writes_;
}

arrow::engine::NamedTapProvider MakeDeltaTapProvider(
    DeltaTapOptions options, std::shared_ptr<DeltaTapWrites> writes) {
  auto shared = std::make_shared<const DeltaTapOptions>(std::move(options));
  return [shared, writes](const std::string& kind,
                          std::vector<arrow::acero::Declaration::Input> inputs,
                          const std::string& name, std::shared_ptr<arrow::Schema> schema)
             -> arrow::Result<arrow::acero::Declaration> {
    if (kind != kDeltaWriteTapKind) {
      return delta::UnsupportedFeature("NamedTapRel kind '" + kind + "'",
                                       "NamedTapRel '" + name + "' has kind '" + kind +
                                           "'; the only tap deltaline runs is '" +
                                           kDeltaWriteTapKind + "'");
    }
    std::string uri;
    if (auto bound = shared->tables.find(name); bound != shared->tables.end()) {
      uri = bound->second;
    } else if (shared->names_are_paths && !name.empty()) {
      uri = name;
    } else {
      return delta::InvalidInput("NamedTapRel '" + name +
                                 "' (delta_write) names no bound table");
    }
    ARROW_RETURN_NOT_OK(RegisterDeltaWriteNode());
    auto slot = std::make_shared<DeltaWriteResultSlot>();
    DeltaWriteNodeOptions node_options(uri, shared->storage, slot);
    node_options.max_queued_bytes = shared->max_queued_bytes;
    node_options.column_names = schema->field_names();
    if (writes) writes->Add({name, uri, slot});
    return arrow::acero::Declaration(kDeltaWriteNodeName, std::move(inputs),
                                     std::move(node_options));
  };
}

}  // namespace deltaline::engine
