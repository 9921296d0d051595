#include "app/payments_cli.hpp"

#include <boost/json.hpp>

#include "payments/notice_report.hpp"

namespace sp::app {

NavCommand::NavCommand(CLI::App& cli) {
  nav_ = cli.add_subcommand("nav",
                            "Check a pagoPA notice number (18 digits, spaces allowed; exit 1 when invalid)");
  nav_->add_option("number", number_, "The notice number, e.g. \"3020 3200 2700 0002 51\"")->required();
  nav_->add_option("--lang", lang_, "Language of messages (it, en)")->check(CLI::IsMember({"it", "en"}));
}

bool NavCommand::parsed() const {
  return nav_->parsed();
}

int NavCommand::run(const I18n& i18n, std::ostream& out) const {
  const auto report = payments::notice_number_report(number_, i18n, lang_);
  out << boost::json::serialize(report) << "\n";
  return report.at("valid").as_bool() ? 0 : 1;
}

}  // namespace sp::app
