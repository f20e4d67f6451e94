#include "learn_commands.h"

#include <fstream>
#include <iostream>
#include <memory>

#include "analytics/learn.h"
#include "cli_support.h"
#include "core/text.h"

namespace leadq::cli {

void AddLearnCommands(CLI::App& app, CLI::App& /*model_cmd*/, std::vector<Runnable>& out) {
  // learn
  {
    struct Options {
      analytics::LearnOptions learn;
      std::string method = "auto";
      std::filesystem::path out;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand(
        "learn", "Learn a model of the outcome from a CSV of past leads (any columns)");
    cmd->add_option("--data", o->learn.data, "CSV of past leads with a known outcome")->required();
    cmd->add_option("--target", o->learn.target,
                    "Outcome column: 1/0, yes/no, true/false or won/lost (empty: row skipped)")
        ->required();
    cmd->add_option("--id", o->learn.id_column, "Id column (never a feature; predict writes it)");
    cmd->add_option("--drop", o->learn.drop, "Columns to leave out, comma-separated")
        ->delimiter(',');
    cmd->add_option("--missing", o->learn.missing_tokens,
                    "Cell values that mean \"not answered\", comma-separated (e.g. Select,NA)")
        ->delimiter(',');
    cmd->add_option("--method", o->method,
                    "logistic, gbdt or auto (default: the better by cross-validated AUC)")
        ->check(CLI::IsMember({"logistic", "gbdt", "auto"}));
    cmd->add_option("--folds", o->learn.folds, "Cross-validation folds (default 5)")
        ->check(CLI::Range(2, 100));
    cmd->add_option("--seed", o->learn.seed, "Random seed for folds and trees (default 1)");
    cmd->add_option("--out", o->out, "Model file to write (JSON)")->required();
    out.push_back({cmd, [o]() {
                     analytics::LearnOptions options = o->learn;
                     options.method = o->method == "logistic" ? analytics::LearnMethod::kLogistic
                                      : o->method == "gbdt"   ? analytics::LearnMethod::kGbdt
                                                              : analytics::LearnMethod::kAuto;
                     Result<analytics::LearnOutcome> learned = analytics::LearnFromCsv(options);
                     if (!learned.ok()) return Fail("learn", learned.status());
                     Status written = analytics::WriteLearnedModel(learned->model, o->out);
                     if (!written.ok()) return Fail("learn", written);
                     std::cout << learned->report << "wrote " << o->out.string() << "\n";
                     return CommandResult{0};
                   }});
  }

  // predict
  {
    struct Options {
      std::filesystem::path model, data, out;
      std::string id, as_of;
    };
    auto o = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand(
        "predict", "Write the learned probability of the outcome for every row of a CSV");
    cmd->add_option("--model", o->model, "Model file written by leadq learn")->required();
    cmd->add_option("--data", o->data, "CSV of leads")->required();
    cmd->add_option("--id", o->id, "Id column to write (default: the model's --id column)");
    cmd->add_option("--as-of", o->as_of,
                    "Measure date ages at this time (default: the model's reference time)");
    cmd->add_option("--out", o->out, "Write to this file instead of standard output");
    out.push_back(
        {cmd, [o]() {
           analytics::PredictOptions options;
           options.data = o->data;
           options.id_column = o->id;
           if (!o->as_of.empty()) {
             std::optional<TimePoint> t = ParseTimestamp(o->as_of);
             if (!t) {
               std::cerr << "leadq predict: --as-of \"" << o->as_of
                         << "\" is not an ISO 8601 time (for example 2026-03-01)\n";
               return CommandResult{2};
             }
             options.as_of = *t;
           }
           Result<analytics::LearnedModel> model = analytics::ReadLearnedModel(o->model);
           if (!model.ok()) return Fail("predict", model.status());
           std::ofstream file;
           if (!o->out.empty()) {
             file.open(o->out, std::ios::binary | std::ios::trunc);
             if (!file) {
               return Fail("predict",
                           Status::IoError(o->out.string() + ": cannot write the predictions"));
             }
           }
           std::ostream& sink = o->out.empty() ? std::cout : file;
           Result<analytics::PredictOutcome> done = analytics::PredictCsv(*model, options, sink);
           if (!done.ok()) return Fail("predict", done.status());
           if (!done->absent.empty()) {
             std::cerr << "leadq predict: " << o->data.string() << " has no column "
                       << JoinStrings(done->absent) << ": predicted as if the value were missing\n";
           }
           if (!o->out.empty()) {
             file.close();
             if (!file) {
               return Fail("predict",
                           Status::IoError(o->out.string() + ": cannot write the predictions"));
             }
             std::cout << "leadq predict: " << GroupThousands(done->rows) << " rows -> "
                       << o->out.string() << "\n";
           }
           return CommandResult{0};
         }});
  }
}

}  // namespace leadq::cli
