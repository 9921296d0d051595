#include "forms/overlay.hpp"

#include <algorithm>
#include <set>

#include "forms/loader.hpp"

namespace sp::forms {
namespace json = boost::json;
namespace {

Error refuse(const std::string& detail) {
  return Error::make("forms.overlay", 400, detail);
}

// The keys of a field that are texts (an overlay may change them); everything else is a rule.
constexpr std::string_view kFieldTextKeys[] = {"label", "help", "unit", "pattern_message", "declaration"};
bool is_field_text_key(std::string_view k) {
  return std::find(std::begin(kFieldTextKeys), std::end(kFieldTextKeys), k) != std::end(kFieldTextKeys);
}

std::string str(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

json::array* array_at(json::object& o, std::string_view key) {
  json::value* v = o.if_contains(key);
  return v && v->is_array() ? &v->get_array() : nullptr;
}
const json::array* array_at(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_array() ? &v->get_array() : nullptr;
}

// Where a field lives in the JSON: its container array and index.
struct FieldSlot {
  json::array* container = nullptr;
  std::size_t index = 0;
  json::object* field() const { return &(*container)[index].get_object(); }
};

std::optional<FieldSlot> find_in(json::array& fields, std::string_view name) {
  for (std::size_t i = 0; i < fields.size(); ++i)
    if (fields[i].is_object() && str(fields[i].get_object(), "name") == name) return FieldSlot{&fields, i};
  return std::nullopt;
}

// "canteen" or "children.birth_date".
std::optional<FieldSlot> find_field(json::object& def, std::string_view path) {
  auto dot = path.find('.');
  std::string_view head = path.substr(0, dot);
  json::array* steps = array_at(def, "steps");
  if (!steps) return std::nullopt;
  for (auto& st : *steps) {
    if (!st.is_object()) continue;
    json::array* secs = array_at(st.get_object(), "sections");
    if (!secs) continue;
    for (auto& sec : *secs) {
      if (!sec.is_object()) continue;
      json::array* fields = array_at(sec.get_object(), "fields");
      if (!fields) continue;
      auto slot = find_in(*fields, head);
      if (!slot) continue;
      if (dot == std::string_view::npos) return slot;
      json::array* children = array_at(*slot->field(), "fields");
      if (!children) return std::nullopt;
      return find_in(*children, path.substr(dot + 1));
    }
  }
  return std::nullopt;
}

json::object* find_step(json::object& def, std::string_view id) {
  json::array* steps = array_at(def, "steps");
  if (!steps) return nullptr;
  for (auto& st : *steps)
    if (st.is_object() && str(st.get_object(), "id") == id) return &st.get_object();
  return nullptr;
}

json::object* find_section(json::object& def, std::string_view target) {  // "<step id>/<index>"
  auto slash = target.find('/');
  if (slash == std::string_view::npos) return nullptr;
  json::object* st = find_step(def, target.substr(0, slash));
  if (!st) return nullptr;
  json::array* secs = array_at(*st, "sections");
  std::string_view idx = target.substr(slash + 1);
  if (!secs || idx.empty() ||
      !std::all_of(idx.begin(), idx.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return nullptr;
  std::size_t i = std::stoul(std::string(idx));
  return i < secs->size() && (*secs)[i].is_object() ? &(*secs)[i].get_object() : nullptr;
}

Status apply_text(json::object& def, const json::object& entry, const std::string& where) {
  std::string target = str(entry, "target");
  if (target.empty()) return refuse(where + ": a text change needs a \"target\"");
  json::object* node = nullptr;
  std::vector<std::string_view> allowed;
  if (target == "form") {
    node = &def;
    allowed = {"title", "intro"};
  } else if (target.rfind("step:", 0) == 0) {
    node = find_step(def, std::string_view(target).substr(5));
    allowed = {"title", "help"};
  } else if (target.rfind("section:", 0) == 0) {
    node = find_section(def, std::string_view(target).substr(8));
    allowed = {"title", "help"};
  } else if (target.rfind("field:", 0) == 0) {
    auto slot = find_field(def, std::string_view(target).substr(6));
    if (slot) node = slot->field();
    allowed = {"label", "help", "unit", "pattern_message", "declaration"};
  } else if (target.rfind("option:", 0) == 0) {
    std::string_view rest = std::string_view(target).substr(7);
    auto slash = rest.rfind('/');
    if (slash != std::string_view::npos) {
      auto slot = find_field(def, rest.substr(0, slash));
      json::array* opts = slot ? array_at(*slot->field(), "options") : nullptr;
      if (opts)
        for (auto& o : *opts)
          if (o.is_object() && str(o.get_object(), "value") == rest.substr(slash + 1)) node = &o.get_object();
    }
    allowed = {"label"};
  } else {
    return refuse(where + ": unknown target \"" + target + "\"");
  }
  if (!node) return refuse(where + ": \"" + target + "\" does not exist in the hub's definition");
  for (const auto& [k, v] : entry) {
    if (k == "target") continue;
    if (std::find(allowed.begin(), allowed.end(), std::string_view(k)) == allowed.end())
      return refuse(where + ": \"" + std::string(k) + "\" of " + target +
                    " is not a text an overlay may change (an overlay may only add fields and change texts)");
    if (k == "declaration" && str(*node, "type") != "declaration")
      return refuse(where + ": " + target + " is not a declaration");
    if (k == "pattern_message" && !node->contains("pattern"))
      return refuse(where + ": " + target + " has no pattern");
    (*node)[k] = v;
  }
  return Ok{};
}

std::set<std::string> names_in(const json::array& fields) {
  std::set<std::string> out;
  for (const auto& f : fields)
    if (f.is_object()) out.insert(str(f.get_object(), "name"));
  return out;
}

Status add_field(json::object& def, const json::object& entry, const std::string& where,
                 const Definition& hub) {
  const json::value* fv = entry.if_contains("field");
  if (!fv || !fv->is_object()) return refuse(where + ": \"field\" must be the new field's definition");
  json::object field = fv->get_object();
  std::string name = str(field, "name");
  for (const auto& [k, _] : entry)
    if (k != "field" && k != "after" && k != "before" && k != "step" && k != "section")
      return refuse(where + ": unknown key \"" + std::string(k) + "\"");
  for (std::string_view key : {"after", "before"}) {
    if (!entry.contains(key)) continue;
    std::string anchor = str(entry, key);
    auto slot = find_field(def, anchor);
    if (!slot)
      return refuse(where + ": \"" + std::string(key) + "\": field \"" + anchor + "\" does not exist");
    if (names_in(*slot->container).count(name) || (anchor.find('.') == std::string::npos && hub.field(name)))
      return refuse(where + ": field \"" + name +
                    "\" exists in the hub's definition: an overlay cannot redefine it");
    std::size_t at = slot->index + (key == "after" ? 1 : 0);
    slot->container->insert(slot->container->begin() + static_cast<std::ptrdiff_t>(at), std::move(field));
    return Ok{};
  }
  json::object* st = find_step(def, str(entry, "step"));
  if (!st) return refuse(where + ": give \"after\" (a field) or an existing \"step\"");
  std::size_t sec = 0;
  if (const json::value* s = entry.if_contains("section")) {
    if (!s->is_int64() || s->get_int64() < 0) return refuse(where + ": \"section\" must be an index");
    sec = static_cast<std::size_t>(s->get_int64());
  }
  json::array* secs = array_at(*st, "sections");
  if (!secs || sec >= secs->size() || !(*secs)[sec].is_object()) return refuse(where + ": no such section");
  json::array* fields = array_at((*secs)[sec].get_object(), "fields");
  if (!fields) return refuse(where + ": no such section");
  if (hub.field(name))
    return refuse(where + ": field \"" + name +
                  "\" exists in the hub's definition: an overlay cannot redefine it");
  fields->push_back(std::move(field));
  return Ok{};
}

// A field's JSON without its texts (and without option labels): what must stay equal.
json::object rules_of(const json::object& f) {
  json::object r;
  for (const auto& [k, v] : f) {
    if (is_field_text_key(k)) continue;
    if (k == "fields") continue;  // compared child by child
    if (k == "options" && v.is_array()) {
      json::array values;
      for (const auto& o : v.get_array())
        if (o.is_object())
          values.push_back(o.get_object().contains("value") ? o.get_object().at("value") : nullptr);
      r[k] = std::move(values);
      continue;
    }
    r[k] = v;
  }
  return r;
}

class Differ {
 public:
  // Writes what it found into the overlay (not while it works: inserting keys may move the object's storage).
  void store(json::object& overlay) {
    overlay["texts"] = std::move(texts_);
    overlay["fields"] = std::move(fields_);
  }

  Status fields(const json::array& hub, const json::array& edited, const std::string& prefix,
                const std::string& step_id, std::size_t section) {
    std::set<std::string> edited_names = names_in(edited);
    for (const auto& hv : hub) {
      const json::object& hf = hv.get_object();
      std::string name = str(hf, "name");
      if (!edited_names.count(name))
        return refuse("field \"" + prefix + name +
                      "\" of the hub's definition is missing (removed or moved): an overlay "
                      "may only add fields and change texts");
    }
    std::string previous;  // the field before, for "after"
    for (const auto& ev : edited) {
      if (!ev.is_object()) return refuse("a field of the edited definition is not an object");
      const json::object& ef = ev.get_object();
      std::string name = str(ef, "name");
      const json::object* hf = nullptr;
      for (const auto& hv : hub)
        if (str(hv.get_object(), "name") == name) hf = &hv.get_object();
      if (!hf) {
        json::object add;
        if (previous.empty()) {
          // added before any hub field: place it before the first hub field that follows
          std::string next;
          for (const auto& later : edited) {
            std::string n = str(later.get_object(), "name");
            for (const auto& hv : hub)
              if (next.empty() && str(hv.get_object(), "name") == n) next = n;
          }
          add["before"] = prefix + next;
        } else {
          add["after"] = prefix + previous;
        }
        add["field"] = ef;
        fields_.push_back(std::move(add));
        previous = name;
        continue;
      }
      json::object hr = rules_of(*hf), er = rules_of(ef);
      if (hr != er) {
        std::string key;
        for (const auto& [k, v] : hr)
          if (!er.contains(k) || er.at(k) != v) key = k;
        for (const auto& [k, v] : er)
          if (key.empty() && !hr.contains(k)) key = k;
        return refuse("field \"" + prefix + name + "\": \"" + key +
                      "\" is a rule of the hub's definition and cannot be changed (only texts can)");
      }
      std::string path = prefix + name;
      json::object change;
      for (auto k : kFieldTextKeys) {
        const json::value* h = hf->if_contains(k);
        const json::value* e = ef.if_contains(k);
        if (h && !e) return refuse("field \"" + path + "\": its " + std::string(k) + " cannot be removed");
        if (e && (!h || *h != *e)) change[k] = *e;
      }
      if (!change.empty()) {
        change["target"] = "field:" + path;
        texts_.push_back(std::move(change));
      }
      if (const json::array* ho = array_at(*hf, "options")) {
        const json::array* eo = array_at(ef, "options");
        for (std::size_t i = 0; eo && i < ho->size() && i < eo->size(); ++i) {
          const json::value* hl = ho->at(i).get_object().if_contains("label");
          const json::value* el = eo->at(i).get_object().if_contains("label");
          if (el && (!hl || *hl != *el)) {
            json::object t;
            t["target"] = "option:" + path + "/" + str(ho->at(i).get_object(), "value");
            t["label"] = *el;
            texts_.push_back(std::move(t));
          }
        }
      }
      if (const json::array* hc = array_at(*hf, "fields")) {
        const json::array* ec = array_at(ef, "fields");
        if (!ec) return refuse("field \"" + path + "\": its fields cannot be removed");
        if (auto s = fields(*hc, *ec, path + ".", step_id, section); !s) return s;
      }
      previous = name;
    }
    return Ok{};
  }

  void texts(const json::object& hub, const json::object& edited,
             std::initializer_list<std::string_view> keys, const std::string& target) {
    json::object change;
    for (auto k : keys) {
      const json::value* h = hub.if_contains(k);
      const json::value* e = edited.if_contains(k);
      if (e && (!h || *h != *e)) change[k] = *e;
    }
    if (!change.empty()) {
      change["target"] = target;
      texts_.push_back(std::move(change));
    }
  }

 private:
  json::array texts_;
  json::array fields_;
};

}  // namespace

Result<Definition> apply_overlay(const Definition& hub, const json::object& overlay) {
  for (const auto& [k, _] : overlay)
    if (k != "code" && k != "base_version" && k != "texts" && k != "fields" && k != "lists" && k != "notes")
      return refuse("\"" + std::string(k) +
                    "\": an overlay may only add fields (\"fields\"), change texts (\"texts\") "
                    "and fill the body's lists (\"lists\")");
  if (str(overlay, "code") != hub.code)
    return refuse("the overlay is for \"" + str(overlay, "code") + "\", not for \"" + hub.code + "\"");
  json::object def = hub.source;
  if (const json::value* texts = overlay.if_contains("texts")) {
    if (!texts->is_array()) return refuse("\"texts\" must be an array");
    for (std::size_t i = 0; i < texts->get_array().size(); ++i) {
      const json::value& e = texts->get_array()[i];
      std::string where = "texts[" + std::to_string(i) + "]";
      if (!e.is_object()) return refuse(where + ": must be an object");
      if (auto s = apply_text(def, e.get_object(), where); !s) return s.error();
    }
  }
  if (const json::value* fields = overlay.if_contains("fields")) {
    if (!fields->is_array()) return refuse("\"fields\" must be an array");
    for (std::size_t i = 0; i < fields->get_array().size(); ++i) {
      const json::value& e = fields->get_array()[i];
      std::string where = "fields[" + std::to_string(i) + "]";
      if (!e.is_object()) return refuse(where + ": must be an object");
      if (auto s = add_field(def, e.get_object(), where, hub); !s) return s.error();
    }
  }
  if (const json::value* lists = overlay.if_contains("lists")) {
    if (!lists->is_object()) return refuse("\"lists\" must be an object");
    for (const auto& [name, opts] : lists->get_object()) {
      if (!hub.lists.count(std::string_view(name)))
        return refuse("lists." + std::string(name) +
                      ": the hub's definition has no such list for the body to fill");
      def["lists"].as_object()[name] = opts;
    }
  }
  auto merged = parse_definition(def);
  if (!merged) return refuse("the result is not a valid definition: " + merged.error().detail);
  return merged;
}

Result<json::object> derive_overlay(const Definition& hub, const json::object& edited) {
  const json::object& h = hub.source;
  if (str(edited, "code") != hub.code) return refuse("the code of the service cannot be changed");
  if (str(edited, "audience") != str(h, "audience"))
    return refuse("\"audience\" is a rule of the hub's definition");
  json::object overlay;
  overlay["code"] = hub.code;
  overlay["base_version"] = hub.version;
  Differ diff;
  diff.texts(h, edited, {"title", "intro"}, "form");
  const json::array* hs = array_at(h, "steps");
  const json::array* es = array_at(edited, "steps");
  if (!hs || !es) return refuse("\"steps\" missing");
  if (hs->size() != es->size())
    return refuse("steps cannot be added or removed: an overlay may only add fields and change texts");
  for (std::size_t s = 0; s < hs->size(); ++s) {
    const json::object& hst = hs->at(s).get_object();
    if (!es->at(s).is_object() || str(es->at(s).get_object(), "id") != str(hst, "id"))
      return refuse("step \"" + str(hst, "id") + "\" was removed or moved");
    const json::object& est = es->at(s).get_object();
    if (hst.if_contains("show_if") != nullptr
            ? (!est.contains("show_if") || hst.at("show_if") != est.at("show_if"))
            : est.contains("show_if"))
      return refuse("step \"" + str(hst, "id") + "\": \"show_if\" is a rule of the hub's definition");
    diff.texts(hst, est, {"title", "help"}, "step:" + str(hst, "id"));
    const json::array* hsec = array_at(hst, "sections");
    const json::array* esec = array_at(est, "sections");
    if (!hsec || !esec || hsec->size() != esec->size())
      return refuse("step \"" + str(hst, "id") + "\": sections cannot be added or removed");
    for (std::size_t i = 0; i < hsec->size(); ++i) {
      const json::object& a = hsec->at(i).get_object();
      if (!esec->at(i).is_object()) return refuse("a section is not an object");
      const json::object& b = esec->at(i).get_object();
      std::string target = "section:" + str(hst, "id") + "/" + std::to_string(i);
      if (a.if_contains("show_if") != nullptr ? (!b.contains("show_if") || a.at("show_if") != b.at("show_if"))
                                              : b.contains("show_if"))
        return refuse(target + ": \"show_if\" is a rule of the hub's definition");
      diff.texts(a, b, {"title", "help"}, target);
      const json::array* hf = array_at(a, "fields");
      const json::array* ef = array_at(b, "fields");
      if (!hf || !ef) return refuse(target + ": \"fields\" missing");
      if (auto st = diff.fields(*hf, *ef, "", str(hst, "id"), i); !st) return st.error();
    }
  }
  if (const json::value* el = edited.if_contains("lists"); el && el->is_object()) {
    json::object lists;
    for (const auto& [name, opts] : el->get_object()) {
      if (!hub.lists.count(std::string_view(name)))
        return refuse("lists." + std::string(name) + ": new lists cannot be added");
      const json::value* hl = h.contains("lists") && h.at("lists").is_object()
                                  ? h.at("lists").get_object().if_contains(name)
                                  : nullptr;
      if (!hl || *hl != opts) lists[name] = opts;
    }
    if (!lists.empty()) overlay["lists"] = std::move(lists);
  }
  diff.store(overlay);
  if (auto check = apply_overlay(hub, overlay); !check) return check.error();
  return overlay;
}

}  // namespace sp::forms
