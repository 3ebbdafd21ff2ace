// pipeline_kill_runner: runs a two-output pipeline for tests/pipeline_kill_test.cc.
//
//   pipeline_kill_runner <lake> <sequence> [--die-after-first-commit]
//
// The pipeline (id "kill-test") has output `first` (node `a`: a plan over an in-memory
// input, written through engine::InsertInto) and output `second` (node `b`: a table,
// written through storage::WriteTableDelta). It runs with parallelism 1, so the
// scheduler's queue writes `first` before `second`. With --die-after-first-commit the
// process SIGKILLs itself as soon as the first output's commit has landed: no
// destructor, no flush, no second commit. Exit codes: 0 ok, 1 the run failed, 64 usage.

#include <signal.h>

#include <cstdio>
#include <string>

#include <arrow/acero/options.h>
#include <arrow/api.h>
#include <arrow/compute/api.h>

#include "engine/catalog.h"
#include "pipeline/runner.h"

namespace {

namespace pl = deltaline::pipeline;

std::shared_ptr<arrow::Table> Ids(std::vector<int64_t> ids) {
  arrow::Int64Builder builder;
  if (!builder.AppendValues(ids).ok()) std::abort();
  auto array = builder.Finish().ValueOrDie();
  return arrow::Table::Make(arrow::schema({arrow::field("id", arrow::int64())}), {array});
}

pl::Pipeline KillPipeline() {
  pl::Pipeline pipeline;
  pipeline.id = "kill-test";
  pipeline.inputs = std::make_shared<deltaline::engine::Catalog>();
  if (!pipeline.inputs->AddTable("numbers", Ids({1, 2, 3, 4, 5})).ok()) std::abort();
  pl::Node a{"a", {"numbers"}, [](pl::NodeInputs in) -> arrow::Result<pl::NodeValue> {
               namespace cp = arrow::compute;
               auto source = std::get<arrow::acero::Declaration>(in.at("numbers"));
               return arrow::acero::Declaration::Sequence(
                   {std::move(source),
                    {"filter", arrow::acero::FilterNodeOptions(cp::greater_equal(
                                   cp::field_ref("id"), cp::literal(int64_t{2})))}});
             }};
  pl::Node b{"b", {}, [](pl::NodeInputs) -> arrow::Result<pl::NodeValue> {
               return pl::NodeValue(Ids({10, 20}));
             }};
  pipeline.nodes = {std::move(a), std::move(b)};
  pl::Output first;
  first.node = "a";
  first.spec.name = "first";
  pl::Output second;
  second.node = "b";
  second.spec.name = "second";
  pipeline.outputs = {first, second};
  return pipeline;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3 || argc > 4) {
    std::fprintf(stderr, "usage: %s <lake> <sequence> [--die-after-first-commit]\n",
                 argv[0]);
    return 64;
  }
  const bool die = argc == 4 && std::string(argv[3]) == "--die-after-first-commit";
  pl::RunSettings settings;
  settings.lake = argv[1];
  settings.sequence = std::stoll(argv[2]);
  settings.run_id = "kill-run";
  settings.parallelism = 1;
  settings.write_output = [die](const pl::Output& output, pl::NodeValue value,
                                const std::string& lake,
                                deltaline::storage::StorageWriteOptions options) {
    auto written = pl::WriteOutputDefault(output, std::move(value), lake, options);
    if (die && written.ok() && written->write.delta.committed) ::raise(SIGKILL);
    return written;
  };
  auto run = pl::RunPipeline(KillPipeline(), settings);
  if (!run.ok()) {
    std::fprintf(stderr, "run refused: %s\n", run.status().ToString().c_str());
    return 1;
  }
  for (const auto& output : run->outputs) {
    std::printf("%s %s version %lld\n", output.result.dataset.c_str(),
                pl::TaskStatusName(output.status),
                static_cast<long long>(output.result.write.delta.version));
  }
  if (!run->ok()) {
    std::fprintf(stderr, "run failed: %s\n", run->status.ToString().c_str());
    return 1;
  }
  return 0;
}
