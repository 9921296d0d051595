#include "applications/web_view_model.hpp"

#include <cmath>
#include <cstdio>

#include "core/text.hpp"
#include "web/context.hpp"

namespace sp::applications {
namespace json = boost::json;
namespace {

std::string str(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

bool flag(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_bool() && v->get_bool();
}

std::size_t count(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_array() ? v->get_array().size() : 0;
}

std::int64_t integer(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_int64() ? v->get_int64() : 0;
}

// Choices with few options are radio buttons (all visible at once); long lists a select.
constexpr std::size_t kMaxRadios = 6;

void adorn_field(json::object& f, const web::View& view, std::string_view lang) {
  const std::string type = str(f, "type");
  const std::string id = str(f, "id");
  const bool editable = flag(f, "editable");
  const bool computed = flag(f, "computed");
  const bool free_text = flag(f, "free_text");
  f["locked"] = !editable && !computed;
  // A locked value is the identity's: say that (one note), not "prefilled, you may change it".
  if (!editable) f["prefilled"] = false;
  f["readonly"] = !editable;
  f["error_text"] = [&] {
    std::string s;
    if (const json::value* e = f.if_contains("errors"); e && e->is_array())
      for (const auto& m : e->get_array())
        if (m.is_string()) s += (s.empty() ? "" : " ") + std::string(m.get_string());
    return s;
  }();
  // How to write a date or an amount, for inputs the person types into.
  // (Dates: the forms engine's hint, with an example that fits the field; the generic one otherwise.)
  if (editable && type == "date" && str(f, "hint").empty()) f["hint"] = view.t(lang, "ui.app_date_hint");
  if (editable && type == "money") f["hint"] = view.t(lang, "ui.app_money_hint");
  const std::string display = str(f, "display");
  // A locked value is ignored when posted (the identity's fact is put back): show it as people read it.
  if (flag(f, "locked") && !display.empty() && type != "group") f["value"] = display;
  // In summaries, what was typed when it is not (yet) a valid answer.
  const std::string typed = str(f, "value");
  f["display_or_dash"] = !display.empty() ? display : !typed.empty() ? typed : std::string("—");

  std::string describedby;
  auto describe = [&](const std::string& part) { describedby += (describedby.empty() ? "" : " ") + part; };
  if (!str(f, "hint").empty()) describe(id + "-hint");
  if (!str(f, "help").empty()) describe(id + "-help");
  if (flag(f, "prefilled") || flag(f, "locked")) describe(id + "-origin");
  if (flag(f, "has_errors")) describe(id + "-error");
  f["describedby"] = describedby;

  const std::size_t options = count(f, "options");
  const bool choice = type == "choice" || type == "multi_choice";
  f["ctl_radios"] = type == "yes_no" || (type == "choice" && !free_text && options <= kMaxRadios);
  f["ctl_select"] = type == "choice" && !free_text && options > kMaxRadios;
  f["ctl_checkboxes"] = type == "multi_choice" && !free_text;
  f["ctl_textarea"] = type == "long_text";
  f["ctl_declaration"] = type == "declaration";
  // Every hub form names its GDPR declaration so: it links the body's privacy notice (issue 11, pt 8).
  f["privacy_declaration"] = type == "declaration" && str(f, "name") == "declaration_privacy";
  f["ctl_address"] = type == "address";
  f["ctl_file"] = type == "file";
  f["ctl_input"] = !(type == "yes_no" || (choice && !free_text) || type == "long_text" ||
                     type == "declaration" || type == "address" || type == "file" || type == "group");
  f["input_type"] = type == "email" ? "email" : type == "phone" ? "tel" : "text";
  f["inputmode"] = type == "number" || type == "money" ? "decimal" : "";
  f["autocomplete"] = type == "email" ? "email" : type == "phone" ? "tel" : "off";

  if (json::value* opts = f.if_contains("options"); opts && opts->is_array()) {
    std::size_t i = 0;
    for (auto& o : opts->get_array())
      if (o.is_object()) o.get_object()["opt_id"] = id + "-" + std::to_string(i++);
  }
  if (type == "file") {
    const std::string input = str(f, "input");
    const auto files = count(f, "files");
    const auto max_count = integer(f, "max_count");
    f["has_files"] = files > 0;
    f["can_upload"] = editable && static_cast<std::int64_t>(files) < max_count;
    f["multiple"] = max_count - static_cast<std::int64_t>(files) > 1;
    f["limits_text"] = view.i18n().format(
        lang, "ui.forms.file_limits",
        {{"max_count", std::to_string(max_count)}, {"max_size", size_text(integer(f, "max_size"), lang)}});
    if (json::value* list = f.if_contains("files"); list && list->is_array())
      for (auto& x : list->get_array()) {
        if (!x.is_object()) continue;
        auto& o = x.get_object();
        o["remove_value"] = std::string(action::kRemoveFile) + input + ":" + str(o, "id");
        o["size_text"] = size_text(integer(o, "size"), lang);
      }
  }
  if (json::value* parts = f.if_contains("parts"); parts && parts->is_array()) {
    // The body's street list as suggestions for the street (a datalist: any street can still be typed).
    const bool streets = count(f, "streets") > 0;
    f["has_streets"] = streets;
    for (auto& p : parts->get_array()) {
      if (!p.is_object()) continue;
      adorn_field(p.get_object(), view, lang);
      p.get_object()["list_id"] = streets && str(p.get_object(), "name") == "street" ? id + "-streets" : "";
    }
  }
  if (type == "group") {
    const std::string label = str(f, "label");
    f["add_value"] = std::string(action::kAddItem) + str(f, "input");
    f["add_label"] = web::ui(view, lang, "ui.app_add_item", {{"label", label}});
    f["has_items"] = count(f, "items") > 0;
    if (json::value* items = f.if_contains("items"); items && items->is_array())
      for (auto& it : items->get_array()) {
        if (!it.is_object()) continue;
        auto& item = it.get_object();
        const std::string prefix = str(item, "prefix");
        item["item_id"] = id + "-" + std::to_string(integer(item, "index"));
        item["remove_value"] = std::string(action::kRemoveItem) + prefix;
        item["remove_label"] = web::ui(view, lang, "ui.app_remove_item", {{"title", str(item, "title")}});
        if (json::value* fields = item.if_contains("fields"); fields && fields->is_array())
          for (auto& c : fields->get_array())
            if (c.is_object()) adorn_field(c.get_object(), view, lang);
      }
  }
}

}  // namespace

web::Data to_data(const json::value& v) {
  switch (v.kind()) {
    case json::kind::object: {
      web::Data d;
      for (const auto& [k, x] : v.get_object()) d.set(std::string(k), to_data(x));
      return d;
    }
    case json::kind::array: {
      web::Data l = web::list();
      for (const auto& x : v.get_array()) l.push_back(to_data(x));
      return l;
    }
    case json::kind::string:
      return v.get_string().empty() ? web::Data(false) : web::Data(std::string(v.get_string()));
    case json::kind::bool_:
      return web::Data(v.get_bool());
    case json::kind::int64:
      return web::Data(std::to_string(v.get_int64()));
    case json::kind::uint64:
      return web::Data(std::to_string(v.get_uint64()));
    case json::kind::double_:
      return web::Data(json::serialize(v));
    case json::kind::null:
      return web::Data(false);
  }
  return web::Data(false);
}

void adorn_step(json::object& step, const web::View& view, std::string_view lang) {
  if (json::value* secs = step.if_contains("sections"); secs && secs->is_array())
    for (auto& s : secs->get_array()) {
      if (!s.is_object()) continue;
      if (json::value* fields = s.get_object().if_contains("fields"); fields && fields->is_array())
        for (auto& f : fields->get_array())
          if (f.is_object()) adorn_field(f.get_object(), view, lang);
    }
}

void adorn_form(json::object& form, const web::View& view, std::string_view lang) {
  if (json::value* steps = form.if_contains("steps"); steps && steps->is_array())
    for (auto& s : steps->get_array())
      if (s.is_object()) adorn_step(s.get_object(), view, lang);
}

std::string size_text(std::int64_t bytes, std::string_view lang) {
  auto with = [&](double v, const char* unit) {
    char buf[32];
    if (std::trunc(v) == v)
      std::snprintf(buf, sizeof buf, "%.0f", v);
    else
      std::snprintf(buf, sizeof buf, "%.1f", v);
    std::string s = buf;
    if (lang != "en")
      for (auto& c : s)
        if (c == '.') c = ',';
    return s + " " + unit;
  };
  if (bytes >= 1024 * 1024)
    return with(std::round(static_cast<double>(bytes) / (1024.0 * 1024.0) * 10) / 10, "MB");
  if (bytes >= 1024) return with(std::round(static_cast<double>(bytes) / 1024.0), "KB");
  return std::to_string(bytes) + " byte";
}

}  // namespace sp::applications
