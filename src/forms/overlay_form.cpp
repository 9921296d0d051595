#include "forms/overlay_form.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "core/text.hpp"
#include "forms/overlay.hpp"

namespace sp::forms {
namespace json = boost::json;
namespace overlay_form_detail {

constexpr std::size_t kMaxOptionLines = 500;
constexpr std::size_t kMaxLineBytes = 300;

Error refuse_input(const std::string& key, const std::string& input, std::string detail = {}) {
  Error e = Error::make("forms.overlay", 400, std::move(detail));
  e.message_key = "error.forms_admin." + key;
  e.field = input;
  return e;
}

std::string posted(const FormPairs& post, const std::string& key, bool* present = nullptr) {
  auto it = post.find(key);
  if (present) *present = it != post.end();
  return it == post.end() ? std::string() : text::trim(it->second);
}

std::string jstr(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

json::value text_json(const Text& t) {
  return json::object{{"it", t.it}, {"en", t.en.empty() ? t.it : t.en}};
}

bool same_text(const Text& a, const Text& b) {
  return a.it == b.it && (a.en.empty() ? a.it : a.en) == (b.en.empty() ? b.it : b.en);
}

// A text of the page: an input left out of the post keeps what is in force; an input left empty takes
// the hub's text in that language; an English text with no hub text takes the Italian.
Text pick_text(const FormPairs& post, const std::string& it_key, const std::string& en_key, const Text& now,
               const Text& hub) {
  bool has_it = false, has_en = false;
  std::string it = posted(post, it_key, &has_it), en = posted(post, en_key, &has_en);
  Text t;
  t.it = !has_it ? now.it : !it.empty() ? it : hub.it;
  t.en = !has_en ? now.en : !en.empty() ? en : hub.en;
  if (t.en.empty()) t.en = t.it;
  if (t.it.empty()) t.it = t.en;
  return t;
}

// "Scuola primaria G. Rodari" → "scuola-primaria-g-rodari" (sep '-') or "scuola_primaria_g_rodari".
std::string slug_of(std::string_view label, char sep, std::size_t max) {
  std::string out;
  for (char c : text::fold(label)) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (alnum)
      out += c;
    else if (!out.empty() && out.back() != sep)
      out += sep;
    if (out.size() >= max) break;
  }
  while (!out.empty() && out.back() == sep) out.pop_back();
  return out;
}

bool valid_name(std::string_view n) {
  if (n.empty() || n.size() > 40 || n[0] < 'a' || n[0] > 'z') return false;
  return std::all_of(n.begin(), n.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

bool is_choice(std::string_view type) {
  return type == "choice" || type == "multi_choice";
}

// Every field name of a definition (top level and inside groups): added names must differ from all.
std::set<std::string> all_names(const Definition& d) {
  std::set<std::string> out;
  for (const Field* f : d.fields()) {
    out.insert(f->name);
    for (const auto& c : f->fields) out.insert(c.name);
  }
  return out;
}

// The path of a field an overlay entry adds: "class" or, anchored inside a group, "children.class".
std::string added_path(const json::object& entry) {
  const json::value* fv = entry.if_contains("field");
  std::string name = fv && fv->is_object() ? jstr(fv->get_object(), "name") : std::string();
  for (std::string_view key : {"after", "before"}) {
    std::string anchor = jstr(entry, key);
    if (auto dot = anchor.find('.'); dot != std::string::npos) return anchor.substr(0, dot + 1) + name;
  }
  return name;
}

void walk_fields(const Definition& d,
                 const std::function<void(const Field&, const std::string&, int, const Step&)>& fn) {
  for (const auto& st : d.steps)
    for (const auto& sec : st.sections)
      for (const auto& f : sec.fields) {
        fn(f, f.name, 0, st);
        for (const auto& c : f.fields) fn(c, f.name + "." + c.name, 1, st);
      }
}

}  // namespace overlay_form_detail

namespace ofd = overlay_form_detail;

const std::vector<std::string>& addable_types() {
  static const std::vector<std::string> types = {"text",   "long_text", "number",       "money", "date",
                                                 "yes_no", "choice",    "multi_choice", "email", "phone"};
  return types;
}

Result<std::vector<Option>> parse_option_lines(std::string_view text_in, const std::string& input) {
  std::vector<Option> out;
  std::set<std::string> seen;
  const auto lines = text::split_lines(text_in);
  if (lines.size() > ofd::kMaxOptionLines)
    return ofd::refuse_input("too_many_options", input, std::to_string(ofd::kMaxOptionLines));
  int n = 0;
  for (const auto& line : lines) {
    ++n;
    if (line.size() > ofd::kMaxLineBytes) return ofd::refuse_input("option_line", input, std::to_string(n));
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
      auto semi = line.find(';', start);
      parts.push_back(
          text::trim(line.substr(start, semi == std::string::npos ? std::string::npos : semi - start)));
      if (semi == std::string::npos) break;
      start = semi + 1;
    }
    if (parts.size() > 3) return ofd::refuse_input("option_line", input, std::to_string(n));
    Option o;
    if (parts.size() == 1) {
      o.label.it = parts[0];
    } else {
      o.value = parts[0];
      o.label.it = parts[1];
      if (parts.size() == 3) o.label.en = parts[2];
    }
    if (o.label.it.empty()) return ofd::refuse_input("option_line", input, std::to_string(n));
    if (o.label.en.empty()) o.label.en = o.label.it;
    if (o.value.empty()) o.value = ofd::slug_of(o.label.it, '-', 60);
    if (o.value.empty() || o.value.size() > 100)
      return ofd::refuse_input("option_line", input, std::to_string(n));
    if (!seen.insert(o.value).second) return ofd::refuse_input("option_duplicate", input, o.value);
    out.push_back(std::move(o));
  }
  return out;
}

std::string option_lines(const std::vector<Option>& options) {
  std::string out;
  for (const auto& o : options) {
    out += o.value + ";" + o.label.it;
    if (!o.label.en.empty() && o.label.en != o.label.it) out += ";" + o.label.en;
    out += "\n";
  }
  return out;
}

EditModel edit_model(const Definition& hub, const Definition& merged, const json::object& current) {
  EditModel m;
  m.hub_title = hub.title;
  m.hub_intro = hub.intro;
  m.title = merged.title;
  m.intro = merged.intro;
  std::set<std::string> added;
  if (const json::value* fs = current.if_contains("fields"); fs && fs->is_array())
    for (const auto& e : fs->get_array())
      if (e.is_object()) added.insert(ofd::added_path(e.get_object()));
  ofd::walk_fields(merged, [&](const Field& f, const std::string& path, int depth, const Step& st) {
    EditField e;
    e.path = path;
    e.type = std::string(to_string(f.type));
    e.depth = depth;
    e.added = added.count(path) > 0;
    if (const Field* h = e.added ? nullptr : hub.field(path)) {
      e.hub_label = h->label;
      e.hub_help = h->help;
    }
    e.label = f.label;
    e.help = f.help;
    e.required = f.required;
    if (e.added && ofd::is_choice(e.type)) e.options_text = option_lines(f.options);
    e.step_id = st.id;
    m.fields.push_back(std::move(e));
  });
  for (const auto& [name, _] : hub.lists) {
    auto it = merged.lists.find(name);
    m.lists.push_back({name, it == merged.lists.end() ? std::string() : option_lines(it->second)});
  }
  return m;
}

Result<json::object> overlay_from_post(const Definition& hub, const json::object& current,
                                       const FormPairs& post) {
  // What is in force now: the page's inputs left out of a post keep it.
  Definition merged = hub;
  if (!current.empty())
    if (auto m = apply_overlay(hub, current)) merged = std::move(*m);
  const bool page = post.count("form_page") > 0;  // checkboxes of the page were posted (or unticked)

  json::object out;
  out["code"] = hub.code;
  out["base_version"] = hub.version;

  // Added fields: the current ones, changed or removed as posted.
  json::array kept;
  std::map<std::string, json::object> removed_anchor;  // path → its entry's placement keys
  if (const json::value* fs = current.if_contains("fields"); fs && fs->is_array()) {
    for (const auto& v : fs->get_array()) {
      if (!v.is_object()) continue;
      json::object entry = v.get_object();
      const std::string path = ofd::added_path(entry);
      if (!ofd::posted(post, "remove:" + path).empty()) {
        json::object place;
        for (std::string_view k : {"after", "before", "step", "section"})
          if (const json::value* x = entry.if_contains(k)) place[k] = *x;
        removed_anchor[path] = std::move(place);
        continue;
      }
      json::value* fv = entry.if_contains("field");
      if (!fv || !fv->is_object()) continue;
      json::object& field = fv->get_object();
      const Field* now = merged.field(path);
      Text label_now = now ? now->label : Text{}, help_now = now ? now->help : Text{};
      Text label = ofd::pick_text(post, "label.it:" + path, "label.en:" + path, label_now, Text{});
      if (label.it.empty()) return ofd::refuse_input("label_required", "label.it:" + path);
      field["label"] = ofd::text_json(label);
      Text help = ofd::pick_text(post, "help.it:" + path, "help.en:" + path, help_now, Text{});
      if (help.it.empty())
        field.erase("help");
      else
        field["help"] = ofd::text_json(help);
      if (page) field["required"] = !ofd::posted(post, "required:" + path).empty();
      bool has_options = false;
      std::string options = ofd::posted(post, "options:" + path, &has_options);
      if (has_options && ofd::is_choice(ofd::jstr(field, "type"))) {
        auto opts = parse_option_lines(options, "options:" + path);
        if (!opts) return opts.error();
        if (opts->empty()) return ofd::refuse_input("options_required", "options:" + path);
        json::array arr;
        for (const auto& o : *opts)
          arr.push_back(json::object{{"value", o.value}, {"label", ofd::text_json(o.label)}});
        field["options"] = std::move(arr);
      }
      kept.push_back(std::move(entry));
    }
  }
  // A field placed next to a removed one takes the removed one's place (repeat for chains).
  for (bool moved = true; moved;) {
    moved = false;
    for (auto& v : kept) {
      json::object& entry = v.get_object();
      for (std::string_view key : {"after", "before"}) {
        const json::value* a = entry.if_contains(key);
        if (!a || !a->is_string()) continue;
        auto r = removed_anchor.find(std::string(a->get_string()));
        if (r == removed_anchor.end()) continue;
        for (std::string_view k : {"after", "before", "step", "section"}) entry.erase(k);
        for (const auto& [k, x] : r->second) entry[k] = x;
        moved = true;
        break;
      }
    }
  }
  std::set<std::string> kept_paths;
  for (const auto& v : kept) kept_paths.insert(ofd::added_path(v.get_object()));

  // Texts: the form's, the hub fields' (label and help from the page; unit, pattern message and
  // declaration as they were), and those of steps, sections and options as they were.
  json::array texts;
  std::map<std::string, json::object> field_texts;  // target → current entry
  if (const json::value* ts = current.if_contains("texts"); ts && ts->is_array())
    for (const auto& v : ts->get_array()) {
      if (!v.is_object()) continue;
      const std::string target = ofd::jstr(v.get_object(), "target");
      if (target == "form") continue;
      if (target.rfind("field:", 0) == 0) {
        field_texts[target] = v.get_object();
        continue;
      }
      if (target.rfind("option:", 0) == 0) {  // an option of a removed added field goes with it
        std::string_view rest = std::string_view(target).substr(7);
        std::string path(rest.substr(0, rest.rfind('/')));
        if (!hub.field(path) && !kept_paths.count(path)) continue;
      }
      texts.push_back(v);
    }
  {
    json::object form;
    Text title = ofd::pick_text(post, "title.it", "title.en", merged.title, hub.title);
    Text intro = ofd::pick_text(post, "intro.it", "intro.en", merged.intro, hub.intro);
    if (!ofd::same_text(title, hub.title)) form["title"] = ofd::text_json(title);
    if (!intro.it.empty() && !ofd::same_text(intro, hub.intro)) form["intro"] = ofd::text_json(intro);
    if (!form.empty()) {
      form["target"] = "form";
      texts.push_back(std::move(form));
    }
  }
  ofd::walk_fields(hub, [&](const Field& h, const std::string& path, int, const Step&) {
    const std::string target = "field:" + path;
    json::object entry;
    if (auto it = field_texts.find(target); it != field_texts.end()) entry = it->second;
    entry.erase("label");
    entry.erase("help");
    const Field* now = merged.field(path);
    Text label =
        ofd::pick_text(post, "label.it:" + path, "label.en:" + path, now ? now->label : h.label, h.label);
    Text help = ofd::pick_text(post, "help.it:" + path, "help.en:" + path, now ? now->help : h.help, h.help);
    if (!ofd::same_text(label, h.label)) entry["label"] = ofd::text_json(label);
    if (!help.it.empty() && !ofd::same_text(help, h.help)) entry["help"] = ofd::text_json(help);
    entry.erase("target");
    if (entry.empty()) return;
    entry["target"] = target;
    texts.push_back(std::move(entry));
  });

  // A new field after a chosen one.
  const std::string new_it = ofd::posted(post, "new.label.it"), new_en = ofd::posted(post, "new.label.en");
  if (!new_it.empty() || !new_en.empty()) {
    const std::string type = ofd::posted(post, "new.type");
    const auto& types = addable_types();
    if (std::find(types.begin(), types.end(), type) == types.end())
      return ofd::refuse_input("type_unknown", "new.type");
    const std::string after = ofd::posted(post, "new.after");
    if (after.empty() || !merged.field(after)) return ofd::refuse_input("after_unknown", "new.after");
    if (new_it.empty()) return ofd::refuse_input("label_required", "new.label.it");
    std::set<std::string> taken = ofd::all_names(merged);
    std::string name = ofd::posted(post, "new.name");
    if (!name.empty()) {
      if (!ofd::valid_name(name)) return ofd::refuse_input("name_invalid", "new.name");
      if (taken.count(name)) return ofd::refuse_input("name_taken", "new.name", name);
    } else {
      std::string base = ofd::slug_of(new_it, '_', 32);
      if (base.empty() || base[0] < 'a' || base[0] > 'z') base = "campo_" + base;
      name = base;
      for (int i = 2; taken.count(name); ++i) name = base + "_" + std::to_string(i);
    }
    json::object field;
    field["name"] = name;
    field["type"] = type;
    field["label"] = ofd::text_json({new_it, new_en});
    const std::string help_it = ofd::posted(post, "new.help.it"), help_en = ofd::posted(post, "new.help.en");
    if (!help_it.empty() || !help_en.empty())
      field["help"] = ofd::text_json({help_it.empty() ? help_en : help_it, help_en});
    if (!ofd::posted(post, "new.required").empty()) field["required"] = true;
    if (ofd::is_choice(type)) {
      auto opts = parse_option_lines(ofd::posted(post, "new.options"), "new.options");
      if (!opts) return opts.error();
      if (opts->empty()) return ofd::refuse_input("options_required", "new.options");
      json::array arr;
      for (const auto& o : *opts)
        arr.push_back(json::object{{"value", o.value}, {"label", ofd::text_json(o.label)}});
      field["options"] = std::move(arr);
    }
    kept.push_back(json::object{{"after", after}, {"field", std::move(field)}});
  }

  // The body's lists.
  json::object lists;
  const json::object* current_lists = current.contains("lists") && current.at("lists").is_object()
                                          ? &current.at("lists").get_object()
                                          : nullptr;
  for (const auto& [name, _] : hub.lists) {
    bool present = false;
    std::string lines = ofd::posted(post, "list:" + name, &present);
    if (!present) {
      if (const json::value* v = current_lists ? current_lists->if_contains(name) : nullptr) lists[name] = *v;
      continue;
    }
    auto opts = parse_option_lines(lines, "list:" + name);
    if (!opts) return opts.error();
    if (opts->empty()) continue;
    json::array arr;
    for (const auto& o : *opts)
      arr.push_back(json::object{{"value", o.value}, {"label", ofd::text_json(o.label)}});
    lists[name] = std::move(arr);
  }

  if (!texts.empty()) out["texts"] = std::move(texts);
  if (!kept.empty()) out["fields"] = std::move(kept);
  if (!lists.empty()) out["lists"] = std::move(lists);
  if (auto checked = apply_overlay(hub, out); !checked) return checked.error();
  return out;
}

}  // namespace sp::forms
