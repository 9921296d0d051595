#pragma once
// A body's customisation of a hub definition. A body administrator may only ADD fields and CHANGE TEXTS
// (and fill the option lists the hub leaves to the body, such as its schools); the hub's fields, their
// types and rules stay as they are. An overlay is a small JSON object (docs/forms.md, "Overlays"):
//   {"code": "iscrizione-scuola-primaria", "base_version": 1,
//    "texts":  [{"target": "field:canteen", "label": {"it": "...", "en": "..."}}, ...],
//    "fields": [{"after": "canteen", "field": {...}} | {"before": "children.school", "field": {...}} |
//               {"step": "school", "section": 0, "field": {...}} (appended to the section)],
//    "lists":  {"schools": [{"value": "rodari", "label": {"it": "Scuola G. Rodari"}}]}}
// Targets: "form" (title/intro), "step:<id>" (title/help), "section:<step id>/<index>" (title/help),
// "field:<path>" (label/help/unit/pattern_message/declaration), "option:<path>/<value>" (label).
// Anything else is refused with Error "forms.overlay" and a detail that says what and where.
#include <boost/json.hpp>

#include "core/result.hpp"
#include "forms/model.hpp"

namespace sp::forms {

// The hub definition with the overlay applied (then parsed and schema-checked again).
[[nodiscard]] Result<Definition> apply_overlay(const Definition& hub, const boost::json::object& overlay);

// The overlay that turns `hub` into `edited` (a whole definition as edited by a body administrator).
// Refused (forms.overlay) when `edited` removes or moves a hub step, section or field, changes a hub
// field's type, rules, conditions, options, prefill or limits, or changes the code.
[[nodiscard]] Result<boost::json::object> derive_overlay(const Definition& hub,
                                                         const boost::json::object& edited);

}  // namespace sp::forms
