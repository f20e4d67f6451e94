#include "commands.h"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "engine/score.h"
#include "model/model.h"
#include "service/demo.h"
#include "service/explain_render.h"
#include "service/model_summary.h"
#include "service/predictive.h"
#include "service/progress.h"
#include "service/trade.h"

namespace leadq::cli {
namespace {

void PrintError(std::string_view command, const Status& status) {
  std::cerr << "leadq " << command << ": " << status.message() << "\n";
}

void PrintNotes(std::string_view command, const service::Workset& work) {
  for (const std::string& note : work.notes) {
    std::cerr << "leadq " << command << ": warning: " << note << "\n";
  }
}

// Row-level problems: the kept messages, then the counts.
void PrintIssues(const RowIssues& issues) {
  if (issues.empty()) return;
  std::cerr << issues.Messages();
}

// The top reasons of a lead's score, biggest first: "Target industry +25, demo_request +20".
std::string TopReasons(const service::Workset& work, const engine::LeadExplanation& why,
                       size_t limit) {
  std::vector<std::pair<double, std::string>> parts;
  for (uint16_t r : why.fit_rules) {
    const model::FitRule& rule = work.model.fit.rules[r];
    parts.emplace_back(rule.points * work.model.score.fit_weight, rule.name);
  }
  for (const engine::EntryContribution& e : why.entries) {
    parts.emplace_back(e.counted * work.model.score.intent_weight,
                       work.model.intent.entries[e.entry].Label());
  }
  for (const engine::NegativeContribution& n : why.negatives) {
    parts.emplace_back(n.points, work.model.negatives[n.entry].name);
  }
  std::stable_sort(parts.begin(), parts.end(), [](const auto& a, const auto& b) {
    return std::abs(a.first) > std::abs(b.first);
  });
  std::string out;
  for (size_t i = 0; i < parts.size() && i < limit; ++i) {
    std::string pts = FormatFixed2(parts[i].first);
    if (parts[i].first > 0) pts = "+" + pts;
    out += (i == 0 ? "" : ", ") + parts[i].second + " " + pts;
  }
  return out;
}

}  // namespace

TimePoint TodayMidnightUtc() {
  auto now = std::chrono::system_clock::now();
  int64_t micros =
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  return micros / kMicrosPerDay * kMicrosPerDay;
}

CommandResult RunScoreCommand(const ScoreCommand& command) {
  service::Progress progress("leadq score");
  Result<std::unique_ptr<service::Workset>> work = service::LoadWorkset(command.request, progress);
  if (!work.ok()) {
    progress.Clear();
    PrintError("score", work.status());
    return {kExitInput};
  }
  service::ScoreFormat format =
      command.format == "json" ? service::ScoreFormat::kJson : service::ScoreFormat::kCsv;
  Result<service::ScoreSummary> summary =
      service::WriteScores(**work, format, command.out, progress);
  progress.Clear();
  PrintNotes("score", **work);
  PrintIssues((*work)->issues);
  if (!summary.ok()) {
    PrintError("score", summary.status());
    return {kExitInput};
  }
  std::string line = "leadq score: " + service::SummaryLine(**work, *summary);
  if (!(*work)->issues.empty()) line += "; " + (*work)->issues.Summary();
  std::cerr << line << "\n";
  if (command.strict && (*work)->issues.total() > 0) {
    std::cerr << "leadq score: --strict: " << GroupThousands((*work)->issues.total())
              << " row problems (the output was written)\n";
    return {kExitStrict};
  }
  return {0};
}

CommandResult RunExplainCommand(const ExplainCommand& command) {
  service::Progress progress("leadq explain");
  service::ScoreRequest request = command.request;
  request.keep_event_ids = true;
  Result<std::unique_ptr<service::Workset>> loaded = service::LoadWorkset(request, progress);
  progress.Clear();
  if (!loaded.ok()) {
    PrintError("explain", loaded.status());
    return {kExitInput};
  }
  const service::Workset& work = **loaded;
  PrintNotes("explain", work);
  PrintIssues(work.issues);
  if (!work.issues.empty()) std::cerr << "leadq explain: " << work.issues.Summary() << "\n";

  int exit_code = 0;
  nlohmann::ordered_json leads = nlohmann::ordered_json::array();
  std::string text;
  for (const std::string& id : command.lead_ids) {
    std::optional<uint32_t> row = work.data.leads.index.Find(Trim(id));
    if (!row) {
      std::cerr << "leadq explain: lead \"" << id << "\" is not in " << work.data.leads.file
                << "\n";
      exit_code = kExitInput;
      continue;
    }
    engine::LeadExplanation why = engine::ExplainLead(work.compiled, work.data, work.as_of, *row);
    if (command.json) {
      leads.push_back(service::ExplanationJson(work, why));
    } else {
      if (!text.empty()) text += "\n";
      text += service::RenderExplanationText(work, why);
    }
  }
  if (command.json) {
    nlohmann::ordered_json doc = {
        {"as_of", FormatTimestamp(work.as_of)},
        {"model", {{"path", work.model.path.string()}, {"name", work.model.name}}},
        {"leads", leads}};
    std::cout << doc.dump(2) << "\n";
  } else {
    std::cout << text;
  }
  return {exit_code};
}

CommandResult RunModelCheck(const std::filesystem::path& path) {
  Result<model::Model> model = model::LoadModel(path);
  Result<std::string> summary =
      model.ok() ? service::CheckModel(*model, path) : Result<std::string>(model.status());
  if (!summary.ok()) {
    const std::string message = summary.status().message();
    std::cerr << message << "\n";
    size_t errors = std::count(message.begin(), message.end(), '\n') + 1;
    std::cerr << "leadq model check: " << path.string() << " is not valid (" << errors
              << (errors == 1 ? " error" : " errors") << ")\n";
    return {kExitInput};
  }
  std::cout << *summary;
  return {0};
}

CommandResult RunDemoCommand(const DemoCommand& command) {
  service::DemoOptions options;
  options.leads = command.leads;
  options.seed = command.seed;
  options.as_of = command.as_of;
  Status written = service::WriteDemoData(options, command.dir);
  if (!written.ok()) {
    PrintError("demo", written);
    return {kExitInput};
  }
  service::ScoreRequest request;
  request.model = command.dir / "model.toml";
  request.leads = command.dir / "leads.csv";
  request.accounts = command.dir / "accounts.csv";
  request.events = command.dir / "events.csv";
  request.as_of = FormatTimestamp(command.as_of);
  service::Progress progress("leadq demo");
  Result<std::unique_ptr<service::Workset>> loaded = service::LoadWorkset(request, progress);
  if (!loaded.ok()) {
    progress.Clear();
    PrintError("demo", loaded.status());
    return {kExitInput};
  }
  const service::Workset& work = **loaded;
  Result<service::ScoreSummary> summary =
      service::WriteScores(work, service::ScoreFormat::kCsv, command.dir / "scores.csv", progress);
  progress.Clear();
  if (!summary.ok()) {
    PrintError("demo", summary.status());
    return {kExitInput};
  }

  const model::Model& m = work.model;
  const engine::CompiledModel& cm = work.compiled;
  std::cout << "leadq demo: a synthetic data set (made up, realistic in shape) in "
            << command.dir.string() << "/\n";
  std::cout << "  " << GroupThousands(work.data.accounts.size()) << " accounts, "
            << GroupThousands(work.data.leads.size()) << " leads, "
            << GroupThousands(work.data.events.size()) << " events; as of "
            << FormatTimestamp(work.as_of) << "; model " << request.model.string() << "\n";
  if (!work.issues.empty()) std::cout << "  input: " << work.issues.Summary() << "\n";
  for (const std::string& note : work.notes) std::cout << "  note: " << note << "\n";
  std::cout << "  scores written to " << (command.dir / "scores.csv").string() << "\n";
  std::cout << "  deals (won, lost, open) in " << (command.dir / "deals.csv").string()
            << ": import them with `leadq import outcomes` to learn from them\n";

  std::cout << "\nLeads by action\n";
  for (size_t a = 0; a < cm.actions.size(); ++a) {
    if (summary->by_action[a] == 0) continue;
    char line[128];
    std::snprintf(line, sizeof line, "  %-14s %8s  %5.1f%%\n", cm.actions[a].c_str(),
                  GroupThousands(summary->by_action[a]).c_str(),
                  100.0 * static_cast<double>(summary->by_action[a]) /
                      static_cast<double>(std::max<size_t>(1, work.data.leads.size())));
    std::cout << line;
  }

  std::vector<uint64_t> cells(std::max<size_t>(1, m.fit_grades.size() * m.intent_grades.size()), 0);
  for (const engine::LeadScore& s : summary->run.leads) {
    if (s.fit_grade >= 0 && s.intent_grade >= 0) {
      ++cells[static_cast<size_t>(s.fit_grade) * m.intent_grades.size() +
              static_cast<size_t>(s.intent_grade)];
    }
  }
  std::cout << "\nGrade matrix: the action of each cell and how many leads are in it\n"
            << service::GradeMatrix(m, -1, &cells);

  // Top MQLs: leads whose action is "mql", best score first.
  std::vector<uint32_t> mqls;
  for (uint32_t i = 0; i < summary->run.leads.size(); ++i) {
    if (cm.actions[summary->run.leads[i].action] == "mql") mqls.push_back(i);
  }
  std::stable_sort(mqls.begin(), mqls.end(), [&](uint32_t a, uint32_t b) {
    return summary->run.leads[a].score > summary->run.leads[b].score;
  });
  std::cout << "\nTop MQLs (of " << GroupThousands(mqls.size()) << ")\n";
  for (size_t k = 0; k < mqls.size() && k < 10; ++k) {
    engine::LeadExplanation why = engine::ExplainLead(cm, work.data, work.as_of, mqls[k]);
    service::GradeNames g = service::NamesOf(cm, why.score);
    char head[128];
    std::snprintf(head, sizeof head, "  %-9s %-3s %7s  ", work.data.leads.ids[mqls[k]].c_str(),
                  g.cell.c_str(), FormatFixed2(why.score.score).c_str());
    std::cout << head << TopReasons(work, why, 4) << "\n";
  }
  std::cout << "\nNext: leadq explain --model " << request.model.string() << " --leads "
            << request.leads.string() << " --accounts " << request.accounts->string()
            << " --events " << request.events->string() << " --as-of " << request.as_of
            << (mqls.empty() ? std::string(" LEAD_ID") : " " + work.data.leads.ids[mqls[0]])
            << "\n";
  return {0};
}

}  // namespace leadq::cli
