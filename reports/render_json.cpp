#include "reports/render.hpp"

namespace squall::reports {

std::string render_json(const nlohmann::json& report) { return report.dump(2) + "\n"; }

}  // namespace squall::reports
