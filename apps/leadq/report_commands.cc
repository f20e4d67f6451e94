#include "report_commands.h"

namespace leadq::cli {

void AddReportCommands(CLI::App& /*app*/, CLI::App& /*model_cmd*/, std::vector<Runnable>& /*out*/) {
}

}  // namespace leadq::cli
