#include "app/statistics_sources.hpp"

namespace sp::app {

statistics::Source helpdesk_source(const helpdesk::HelpdeskService& helpdesk) {
  return [&helpdesk](db::Conn& c, std::int64_t tenant, const std::vector<statistics::MonthBound>& months) {
    using helpdesk::Outcome;
    std::vector<statistics::ExtraSeries> out;
    auto series = [&](const char* figure, const char* dimension, const char* label, const char* chart,
                      const char* chart_key) {
      statistics::ExtraSeries s;
      s.figure = figure;
      s.dimension = dimension;
      s.label_key = label;
      s.chart = chart;
      s.chart_key = chart_key;
      for (const auto& m : months) s.by_month[m.month] = 0;
      out.push_back(std::move(s));
    };
    series("helpdesk_tickets", "", "ui.st_hd_opened", "helpdesk", "ui.st_fig_helpdesk");
    series("helpdesk_first_response", "met", "ui.st_hd_response_met", "helpdesk-sla",
           "ui.st_fig_helpdesk_sla");
    series("helpdesk_first_response", "missed", "ui.st_hd_response_missed", "helpdesk-sla", "");
    series("helpdesk_resolution", "met", "ui.st_hd_resolution_met", "helpdesk-sla", "");
    series("helpdesk_resolution", "missed", "ui.st_hd_resolution_missed", "helpdesk-sla", "");
    if (months.empty()) return out;
    for (const auto& t : helpdesk.outcomes(c, tenant, months.front().lo, months.back().hi)) {
      // The month of its opening (Rome's months: the bounds are Rome's first instants).
      const statistics::MonthBound* m = nullptr;
      for (const auto& b : months)
        if (t.created_at >= b.lo && t.created_at < b.hi) m = &b;
      if (!m) continue;
      auto count = [&](std::size_t i) {
        ++out[i].by_month[m->month];
        if (tenant == 0) ++out[i].by_body[t.tenant];
      };
      count(0);
      if (t.first_response != Outcome::pending) count(t.first_response == Outcome::met ? 1 : 2);
      if (t.resolution != Outcome::pending) count(t.resolution == Outcome::met ? 3 : 4);
    }
    return out;
  };
}

}  // namespace sp::app
