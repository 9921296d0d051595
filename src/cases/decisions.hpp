#pragma once
// Decision templates (issue 5: "decision document generated from a template and registered as outgoing
// protocol"): per catalog service and outcome, as data in the repository (data/decisions/, whose README.md
// describes the format and the placeholders). default.json holds the hub's texts for services, and
// outcomes, without their own. An outcome names the action it concludes with (accept, reject, or the
// notice of grounds), a title and a text in Italian and English with mustache {{placeholders}}. The
// office's decide form starts from the rendered text and stays editable.
#include <boost/json.hpp>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cases/model.hpp"
#include "core/result.hpp"

namespace sp::cases {

struct DecisionTemplate {
  std::string outcome;             // "accept", "differ", "reject", "grounds": [a-z_]+, unique per file
  Action action = Action::accept;  // accept, reject or notice_of_grounds
  std::string title_it, title_en;  // the document's title: plain text, no placeholders
  std::string text_it, text_en;    // mustache, plain text; English falls back to Italian
  std::string source;              // "default" or the service code: the file it came from

  [[nodiscard]] const std::string& title(std::string_view lang) const;
  [[nodiscard]] const std::string& text(std::string_view lang) const;
};

class DecisionTemplates {
 public:
  // Every <name>.json of `dir`: default.json (required, with accept, reject and grounds) and one file per
  // service (whose "service" is the file's name). Error cases.templates (500) naming the file and what is
  // wrong: a broken template stops the start rather than a decision.
  static Result<DecisionTemplates> load_dir(const std::string& dir);
  // One file's outcomes (`source`: "default" or the service code it must declare).
  static Result<std::vector<DecisionTemplate>> parse(std::string_view json, const std::string& source);

  // The service's own outcomes in their file's order, then the default's outcomes it does not define.
  [[nodiscard]] std::vector<const DecisionTemplate*> for_service(const std::string& service_code) const;
  // One outcome for the service: its own, else the default's; null when neither has it.
  [[nodiscard]] const DecisionTemplate* find(const std::string& service_code,
                                             const std::string& outcome) const;

  // What the officer must still complete in `text` before it is sent or registered: the first of the
  // templates' "[...]" placeholders ("[indicare i motivi]", README.md) still in it, or a "{{...}}" tag;
  // nullopt when none is left.
  [[nodiscard]] std::optional<std::string> unfilled_placeholder(std::string_view text) const;
  // The "[...]" placeholders of every template's texts.
  [[nodiscard]] const std::vector<std::string>& placeholders() const { return placeholders_; }

 private:
  std::map<std::string, std::vector<DecisionTemplate>> by_source_;  // "default" and service codes
  std::vector<std::string> placeholders_;
};

// Renders a template's text with `values` (strings, booleans, objects and arrays for sections) as plain
// text: nothing is HTML-escaped (the page escapes what it shows; the PDF needs nothing). Strings shaped
// YYYY-MM-DD become dd/mm/yyyy, a school year's code "2026-2027" becomes "2026/2027"; each object of an array
// gets "_first" (true for the first one).
// {{#euro}}...{{/euro}} formats the cents rendered inside as an amount in `lang`.
// Error cases.templates (500) when the text is not valid mustache.
Result<std::string> render_decision_text(const std::string& text, const boost::json::object& values,
                                         std::string_view lang);

}  // namespace sp::cases
