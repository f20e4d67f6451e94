#include "learn_commands.h"

namespace leadq::cli {

void AddLearnCommands(CLI::App& /*app*/, CLI::App& /*model_cmd*/, std::vector<Runnable>& /*out*/) {}

}  // namespace leadq::cli
