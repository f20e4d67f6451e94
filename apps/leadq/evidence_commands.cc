#include "evidence_commands.h"

namespace leadq::cli {

void AddEvidenceCommands(CLI::App& /*app*/, CLI::App& /*model_cmd*/, std::vector<Runnable>& /*out*/) {}

}  // namespace leadq::cli
