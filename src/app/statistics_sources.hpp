#pragma once
// The statistics' figures owned by other modules (statistics::StatisticsService::add_source), wired here
// so that neither module depends on the other (docs/statistics.md, "Figures").
#include "helpdesk/service.hpp"
#include "statistics/service.hpp"

namespace sp::app {

// Help-desk tickets opened per month, and their service levels: first response and resolution met or
// missed (a running ticket counts once it is breached or resolved), from HelpdeskService::outcomes.
statistics::Source helpdesk_source(const helpdesk::HelpdeskService& helpdesk);

}  // namespace sp::app
