#include "applications/service.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "applications/store.hpp"
#include "cases/service.hpp"
#include "core/codice_fiscale.hpp"
#include "core/digest.hpp"
#include "core/ids.hpp"
#include "core/text.hpp"
#include "forms/duplicates.hpp"
#include "forms/prefill.hpp"
#include "forms/render.hpp"
#include "identity/applicant.hpp"
#include "identity/counter_service.hpp"
#include "identity/profile_service.hpp"

namespace sp::applications {
namespace json = boost::json;
namespace {

// "children[1].disability_certificate" → {"children", 1, "disability_certificate"}; "canteen" → {"canteen"}.
struct Path {
  std::string top;
  std::optional<std::size_t> index;
  std::string child;
};

std::optional<Path> parse_path(std::string_view path) {
  Path p;
  auto open = path.find('[');
  if (open == std::string_view::npos) {
    if (path.empty() || path.find('.') != std::string_view::npos) return std::nullopt;
    p.top = std::string(path);
    return p;
  }
  auto close = path.find(']', open);
  if (close == std::string_view::npos || close == open + 1 || close - open > 5) return std::nullopt;
  std::size_t idx = 0;
  for (char c : path.substr(open + 1, close - open - 1)) {
    if (c < '0' || c > '9') return std::nullopt;
    idx = idx * 10 + static_cast<std::size_t>(c - '0');
  }
  p.top = std::string(path.substr(0, open));
  p.index = idx;
  auto rest = path.substr(close + 1);
  if (!rest.empty()) {
    if (rest.front() != '.' || rest.size() < 2) return std::nullopt;
    p.child = std::string(rest.substr(1));
  }
  return p;
}

// The answer slot of a path (an item's field, or a top-level field); null when absent.
json::value* slot(json::object& answers, const Path& p, bool create) {
  if (!p.index) {
    if (create && !answers.contains(p.top)) answers[p.top] = nullptr;
    return answers.if_contains(p.top);
  }
  json::value* group = answers.if_contains(p.top);
  if (!group || !group->is_array() || *p.index >= group->get_array().size()) return nullptr;
  json::value& item = group->get_array()[*p.index];
  if (!item.is_object()) return nullptr;
  if (p.child.empty()) return &item;
  if (create && !item.get_object().contains(p.child)) item.get_object()[p.child] = nullptr;
  return item.get_object().if_contains(p.child);
}

// The field of a path, and whether it is on `step` and shown with the current answers.
const forms::Field* field_of(const forms::Definition& def, const Path& p) {
  const forms::Field* top = def.field(p.top);
  if (!top) return nullptr;
  if (!p.index) return top;
  if (top->type != forms::FieldType::group) return nullptr;
  return p.child.empty() ? top : top->child(p.child);
}

bool shown(const forms::Definition& def, const forms::Step& step, const Path& p, const json::object& typed,
           const forms::Context& ctx) {
  if (def.step_of(p.top) != &step || !forms::step_visible(step, typed, ctx)) return false;
  for (const auto& sec : step.sections) {
    for (const auto& f : sec.fields) {
      if (f.name != p.top) continue;
      if (!forms::section_visible(sec, typed, ctx) || !forms::field_visible(f, typed, ctx)) return false;
      if (!p.index) return true;
      const json::value* items = typed.if_contains(p.top);
      if (!items || !items->is_array() || *p.index >= items->get_array().size()) return false;
      const json::value& item = items->get_array()[*p.index];
      if (!item.is_object()) return false;
      const forms::Field* c = f.child(p.child);
      return c && forms::field_visible(*c, typed, ctx, &item.get_object());
    }
  }
  return false;
}

// The input paths a step shows with these answers (to notice questions that a post revealed).
std::set<std::string> visible_paths(const forms::Definition& def, const forms::Step& step,
                                    const forms::Answers& answers, const forms::Context& ctx) {
  std::set<std::string> out;
  const json::object typed = forms::typed_answers(def, answers, ctx);
  if (!forms::step_visible(step, typed, ctx)) return out;
  for (const auto& sec : step.sections) {
    if (!forms::section_visible(sec, typed, ctx)) continue;
    for (const auto& f : sec.fields) {
      if (!forms::field_visible(f, typed, ctx)) continue;
      out.insert(f.name);
      if (f.type != forms::FieldType::group) continue;
      const json::value* items = typed.if_contains(f.name);
      if (!items || !items->is_array()) continue;
      for (std::size_t i = 0; i < items->get_array().size(); ++i) {
        const json::value& item = items->get_array()[i];
        if (!item.is_object()) continue;
        for (const auto& c : f.fields)
          if (forms::field_visible(c, typed, ctx, &item.get_object()))
            out.insert(f.name + "[" + std::to_string(i) + "]." + c.name);
      }
    }
  }
  return out;
}

// The file ids a submission refers to (top-level file fields and file fields of group items).
void collect_files(const forms::Definition& def, const json::object& data, std::vector<std::string>& out) {
  auto refs = [&](const json::value* v) {
    if (!v || !v->is_array()) return;
    for (const auto& x : v->get_array())
      if (x.is_object())
        if (const json::value* id = x.get_object().if_contains("id"); id && id->is_string())
          out.emplace_back(id->get_string());
  };
  for (const forms::Field* f : def.fields()) {
    if (f->type == forms::FieldType::file) refs(data.if_contains(f->name));
    if (f->type != forms::FieldType::group) continue;
    const json::value* items = data.if_contains(f->name);
    if (!items || !items->is_array()) continue;
    for (const auto& item : items->get_array()) {
      if (!item.is_object()) continue;
      for (const auto& c : f->fields)
        if (c.type == forms::FieldType::file) refs(item.get_object().if_contains(c.name));
    }
  }
}

files::Limits limits_of(const forms::Field& f) {
  files::Limits l;
  l.max_size = f.file.max_size;
  if (!f.file.accept.empty()) l.allowed_types = f.file.accept;
  return l;
}

// A refused upload as the form's own issue, so the page shows the field's message.
forms::Issue upload_issue(const std::string& path, const forms::Field& f, const Error& e) {
  if (e.code == "files.type_not_allowed")
    return {path, "file_type", {{"accept", text::join(f.file.accept, ", ")}}, std::nullopt};
  if (e.code == "files.too_large")
    return {path, "file_too_large", {{"max_size", std::to_string(f.file.max_size)}}, std::nullopt};
  return {path, "file_invalid", {}, std::nullopt};
}

// body.name, body.municipality: the member body the application goes to.
void add_body_facts(const tenants::Body& body, forms::Facts& f) {
  f["body.name"] = body.name;
  std::string municipality = body.name;
  for (std::string_view prefix : {"Comune di ", "Città di "})
    if (municipality.rfind(prefix, 0) == 0) municipality = municipality.substr(prefix.size());
  if (body.kind == tenants::BodyKind::comune) f["body.municipality"] = municipality;
}

// An Idempotency-Key as the API takes it: 1 to 100 printable ASCII characters.
bool valid_idempotency_key(const std::string& k) {
  return !k.empty() && k.size() <= 100 &&
         std::all_of(k.begin(), k.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

ApiApplicationState state_of(const cases::Case& c) {
  ApiApplicationState st;
  st.case_id = c.id;
  st.service_code = c.service_code;
  st.state = std::string(cases::to_string(c.state));
  st.protocol_label = c.protocol_label();
  st.submitted_at = time::format_iso_utc_millis(c.submitted_at);
  st.due_date = time::format_iso_date(c.due_date);
  if (c.decided_at) st.decided_at = time::format_iso_utc_millis(*c.decided_at);
  return st;
}

std::string now_iso(time::Clock& clock) {
  return time::format_iso_utc(clock.now());
}

// The summary lines the case's application PDF is rendered from (Italian: the office's language).
std::vector<cases::SummaryLine> summary_lines(const forms::RenderForm& form) {
  std::vector<cases::SummaryLine> out;
  auto add_field = [&](const forms::RenderField& f, const std::string& prefix, auto& self) -> void {
    if (!f.visible) return;
    if (f.type == "group") {
      for (const auto& item : f.items) {
        out.push_back({item.title, ""});
        for (const auto& c : item.fields) self(c, item.title + " — ", self);
      }
      return;
    }
    out.push_back({prefix + f.label, f.display.empty() ? std::string("—") : f.display});
  };
  for (const auto& step : form.steps) {
    out.push_back({step.title, ""});
    for (const auto& sec : step.sections) {
      if (!sec.visible) continue;
      for (const auto& f : sec.fields) add_field(f, "", add_field);
    }
  }
  return out;
}

}  // namespace

std::string acting_for_id(const identity::Principal& who) {
  return who.acting_for ? who.acting_for->id : std::string();
}

ApplicationService::ApplicationService(db::Database& db, time::Clock& clock, const I18n& i18n,
                                       files::FileService& files, tenants::TenantService& tenants,
                                       catalog::CatalogService& catalog, cases::CaseService* cases,
                                       forms::DefinitionsService& definitions, Options options)
    : db_(db),
      clock_(clock),
      i18n_(i18n),
      files_(files),
      tenants_(tenants),
      catalog_(catalog),
      cases_(cases),
      definitions_(definitions),
      options_(options) {}

std::shared_ptr<const forms::Definition> ApplicationService::definition(tenants::TenantId tenant,
                                                                        const std::string& code) {
  auto e = definitions_.effective(tenant, code);
  return e ? e->def : nullptr;
}

Result<catalog::Offering> ApplicationService::online_offering(tenants::TenantId tenant,
                                                              const std::string& service_code) {
  auto o = catalog_.offering(tenant, service_code);
  if (!o || o->service.level < catalog::online_application || !definitions_.hub(service_code))
    return Error::make("applications.unavailable", 404, service_code);
  return std::move(*o);
}

forms::Context ApplicationService::context(const identity::Principal& who, const tenants::Body& body,
                                           const forms::Definition& def,
                                           const std::vector<std::string>* streets) {
  forms::Context ctx;
  ctx.today = time::rome_date(clock_.now());
  if (streets) ctx.streets = *streets;
  auto& f = ctx.facts;
  const std::string cf = identity::applicant_cf(&who);
  f["profile.fiscal_code"] = cf;
  auto put = [&](const char* key, const std::string& v) {
    if (!v.empty()) f[key] = v;
  };
  if (identity::applies_at_counter(&who)) {
    // At the counter: what the operator checked on the citizen's document, never the contacts the
    // citizen keeps in their SPID profile (the operator asks for those).
    if (auto s = counter_ ? counter_->open_session(who) : std::nullopt; s && s->citizen_cf == cf) {
      put("profile.given_name", s->given_name);
      put("profile.family_name", s->family_name);
      put("profile.birth_date", s->birth_date);
    }
    put("profile.full_name", who.assisting->name);
  } else if (auto p =
                 profiles_ ? profiles_->show(cf) : Result<identity::Person>(Error::not_found("person"))) {
    put("profile.given_name", p->given_name);
    put("profile.family_name", p->family_name);
    if (!p->given_name.empty() || !p->family_name.empty())
      put("profile.full_name", text::trim(p->full_name()));
    put("profile.birth_date", p->birth_date);
    put("profile.birth_place", p->birth_place);
    put("profile.email", p->email);
    put("profile.mobile", p->mobile);
  } else if (!who.display_name.empty()) {
    f["profile.full_name"] = who.display_name;
  }
  if (auto decoded = cf::decode(cf)) f["profile.sex"] = decoded->sex == cf::Sex::female ? "F" : "M";
  // person.*: the population register (src/anagrafe), when the hub has one.
  if (register_ && !cf.empty() && (!who.acting_for || who.acting_for->kind == "person"))
    register_->add_person_facts(body.id, cf, f);
  if (who.acting_for && who.acting_for->kind == "business") {
    f["business.vat_number"] = who.acting_for->id;
    f["business.fiscal_code"] = who.acting_for->id;
    if (!who.acting_for->name.empty()) f["business.name"] = who.acting_for->name;
  }
  add_body_facts(body, f);
  for (auto& [k, v] : previous_facts(who, def)) f[k] = v;
  return ctx;
}

std::vector<Duplicate> ApplicationService::duplicates(const identity::Principal& who, const Opened& o,
                                                      std::string_view lang) {
  std::vector<Duplicate> out;
  if (!cases_ || o.def->duplicates.subject.empty() || forms::subjects(*o.def, o.draft.answers).empty())
    return out;
  auto mine = cases_->my_cases(&who);
  if (!mine) return out;
  for (const auto& s : *mine) {
    if (s.c.tenant_id != o.draft.tenant_id || s.c.form_code != o.def->code || s.c.id == o.draft.case_id ||
        s.c.state == cases::State::rejected || s.c.state == cases::State::withdrawn)
      continue;
    auto view = cases_->get(&who, s.c.tenant_id, s.c.id);
    if (!view) continue;
    for (auto& subject : forms::same_subjects(*o.def, o.draft.answers, view->c.answers))
      out.push_back(Duplicate{
          subject.path, subject.code,
          subject.period.empty() ? std::string() : forms::period_label(*o.def, o.ctx, subject.period, lang),
          view->c.protocol_label(), time::format_iso_utc_millis(view->c.submitted_at)});
  }
  // Someone else's application about the same person and period (the other parent): said without whose,
  // when or its number, which are that person's data.
  const std::string owner = identity::applicant_cf(&who);
  std::set<std::string> seen;
  for (const auto& d : out) seen.insert(d.path);
  for (const auto& subject : forms::subjects(*o.def, o.draft.answers)) {
    if (seen.count(subject.path) > 0) continue;
    for (const auto& c : cases_->standing_mentioning(o.draft.tenant_id, o.def->code, subject.code)) {
      if (c.id == o.draft.case_id || c.applicant_cf == owner) continue;
      bool same = false;
      for (const auto& x : forms::same_subjects(*o.def, o.draft.answers, c.answers))
        same = same || x.path == subject.path;
      if (!same) continue;
      Duplicate d{
          subject.path,
          subject.code,
          subject.period.empty() ? std::string() : forms::period_label(*o.def, o.ctx, subject.period, lang),
          {},
          {}};
      d.by_someone_else = true;
      out.push_back(std::move(d));
      seen.insert(subject.path);
      break;
    }
  }
  return out;
}

forms::Facts ApplicationService::previous_facts(const identity::Principal& who,
                                                const forms::Definition& def) {
  forms::Facts out;
  if (!cases_) return out;
  bool wanted = false;
  for (const forms::Field* f : def.fields()) wanted = wanted || f->prefill.rfind("previous.", 0) == 0;
  if (!wanted) return out;
  auto mine = cases_->my_cases(&who);
  if (!mine) return out;
  for (const auto& s : *mine) {  // newest first
    if (s.c.form_code != def.code) continue;
    auto view = cases_->get(&who, s.c.tenant_id, s.c.id);
    if (!view) continue;
    // Files belong to the body that received them: never carried into another application.
    for (const auto& [k, v] : view->c.answers) {
      const forms::Field* f = def.field(k);
      if (f && f->type == forms::FieldType::file) continue;
      json::value copy = v;
      if (f && f->type == forms::FieldType::group && copy.is_array()) {
        for (auto& item : copy.get_array()) {
          if (!item.is_object()) continue;
          for (const auto& c : f->fields)
            if (c.type == forms::FieldType::file) item.get_object().erase(c.name);
        }
      }
      out["previous." + std::string(k)] = std::move(copy);
    }
    break;
  }
  return out;
}

Result<Draft> ApplicationService::start(const identity::Principal& who, tenants::TenantId tenant,
                                        const std::string& service_code) {
  auto offering = online_offering(tenant, service_code);
  if (!offering) return offering.error();
  auto body = tenants_.by_id(tenant);
  if (!body) return Error::not_found("body");
  auto effective = definitions_.effective(tenant, service_code);
  if (!effective) return Error::make("applications.unavailable", 404, service_code);
  const forms::Definition* def = effective->def.get();
  const std::string acting = acting_for_id(who);
  const std::string owner = identity::applicant_cf(&who);
  if (owner.empty()) return Error::make("applications.applicant", 403);
  // A business's form is filled by someone acting for a business (its representative, confirmed by the
  // body, or a counter operator serving them): a citizen for themselves would file in nobody's name.
  if (def->audience == "businesses" && !(who.acting_for && who.acting_for->kind == "business"))
    return Error::make("applications.business_only", 403, service_code);
  std::optional<Draft> found;
  db_.read([&](db::Conn& c) { found = DraftStore::find_open(c, tenant, owner, acting, service_code); });
  if (found) return std::move(*found);

  Draft d;
  d.id = ids::random_token(32);
  d.tenant_id = tenant;
  d.service_code = service_code;
  d.form_code = def->code;
  d.form_version = effective->hub_version;
  d.overlay_version = effective->overlay_version;
  d.owner_cf = owner;  // at the counter: the citizen served, so it is theirs when they sign in
  d.on_behalf_of = acting;
  const forms::Context ctx = context(who, *body, *def, effective->streets.get());
  d.prefilled = forms::apply_prefill(*def, ctx.facts, d.answers);
  forms::enforce_locked(*def, ctx.facts, d.answers);
  const int first = visible_from(*def, d.answers, ctx, 1);
  d.step = def->steps.at(static_cast<std::size_t>(std::max(first, 1) - 1)).id;
  d.created_at = d.updated_at = now_iso(clock_);
  try {
    db_.write([&](db::Conn& tx) { DraftStore::insert(tx, d); });
  } catch (const db::DbError& e) {
    if (e.kind != db::DbError::Kind::unique_violation) throw;
    // The same person opened the form twice at once (two tabs, a double click): one draft.
    db_.read([&](db::Conn& c) { found = DraftStore::find_open(c, tenant, owner, acting, service_code); });
    if (found) return std::move(*found);
    throw;
  }
  return d;
}

std::optional<Draft> ApplicationService::peek(tenants::TenantId tenant, const std::string& draft_id) {
  std::optional<Draft> d;
  if (tenant <= 0 || draft_id.size() != 43) return d;
  db_.read([&](db::Conn& c) { d = DraftStore::find(c, tenant, draft_id); });
  return d;
}

Result<Opened> ApplicationService::open(const identity::Principal& who, tenants::TenantId tenant,
                                        const std::string& draft_id) {
  auto d = peek(tenant, draft_id);
  if (!d) return Error::not_found("draft");
  const std::string applicant = identity::applicant_cf(&who);
  if (applicant.empty() || d->owner_cf != applicant) {
    // Someone else's draft: they learn nothing ("not found"), and the body's log keeps the attempt (at
    // the counter: channel counter, on behalf of the citizen served).
    audit::Entry e = identity::audit_entry_for(who, tenant, "application.access_refused");
    e.record_type = "draft";
    e.record_id = draft_id;
    if (auto st = audit_.record(e); !st) spdlog::error("audit of a refused draft: {}", st.error().code);
    return Error::not_found("draft");
  }
  return opened(who, std::move(*d));
}

Result<Opened> ApplicationService::opened(const identity::Principal& who, Draft d) {
  Opened o;
  // A sent draft is read with the definition it was sent with; an open one follows the one in force.
  if (d.submitted()) {
    o.def = definitions_.at(d.tenant_id, d.form_code, d.form_version, d.overlay_version);
    o.overlay_version = d.overlay_version;
  }
  auto effective = definitions_.effective(d.tenant_id, d.form_code);
  if (!o.def && effective) {
    o.def = effective->def;
    o.overlay_version = effective->overlay_version;
  }
  o.body = tenants_.by_id(d.tenant_id);
  if (!o.def || !o.body) return Error::make("applications.unavailable", 404, d.service_code);
  auto offering = d.submitted() ? catalog_.offering(d.tenant_id, d.service_code)
                                : online_offering(d.tenant_id, d.service_code);
  if (offering) {
    o.offering = std::move(*offering);
  } else if (d.submitted()) {  // the body stopped offering it: the receipt stays readable
    o.offering.tenant_id = d.tenant_id;
    o.offering.service.code = d.service_code;
    o.offering.service.title.it = o.def->title.it;
    o.offering.service.title.en = o.def->title.en;
  } else {
    return offering.error();
  }
  o.ctx = context(who, *o.body, *o.def, effective ? effective->streets.get() : nullptr);
  o.draft = std::move(d);
  return o;
}

Result<StepSaved> ApplicationService::save_step(const identity::Principal& who, Opened& o,
                                                const StepPost& post) {
  (void)who;
  if (o.draft.submitted()) return Error::make("applications.submitted", 409);
  const forms::Definition& def = *o.def;
  const forms::Step* step = def.step(post.step_id);
  if (!step) return Error::not_found("step");
  forms::Answers answers = o.draft.answers;
  // What the page showed: the saved answers with the first items of required groups.
  forms::Answers shown_answers = answers;
  pad_items(def, *step, shown_answers, o.ctx);
  const auto before = visible_paths(def, *step, shown_answers, o.ctx);

  forms::merge_step(def, step->id, forms::read_post(def, post.fields, step->id), answers);
  if (json::serialize(answers).size() > options_.max_answers_bytes)
    return Error::make("applications.too_large", 413);
  // Item and file actions only touch fields of this step.
  auto on_step = [&](const std::string& top) { return def.step_of(top) == step; };
  for (const auto& [path, id] : post.remove_files) {
    auto p = parse_path(path);
    if (!p || !on_step(p->top)) continue;
    json::value* v = slot(answers, *p, false);
    if (!v || !v->is_array()) continue;
    auto& arr = v->get_array();
    for (auto it = arr.begin(); it != arr.end(); ++it) {
      if (it->is_object() && forms::raw_text(it->get_object().if_contains("id")) == id) {
        arr.erase(it);
        break;
      }
    }
  }
  if (!post.add_item.empty() && on_step(post.add_item)) {
    const forms::Field* g = def.field(post.add_item);
    if (g && g->type == forms::FieldType::group) {
      json::value& v = answers[post.add_item];
      if (!v.is_array()) v = json::array();
      if (g->max_items == 0 || static_cast<int>(v.get_array().size()) < g->max_items)
        v.get_array().push_back(json::object());
    }
  }
  if (auto p = parse_path(post.remove_item); p && p->index && p->child.empty() && on_step(p->top)) {
    json::value* v = answers.if_contains(p->top);
    if (v && v->is_array() && *p->index < v->get_array().size())
      v->get_array().erase(v->get_array().begin() + static_cast<std::ptrdiff_t>(*p->index));
  }
  forms::enforce_locked(def, o.ctx.facts, answers);

  // Uploads: only into file fields of this step that the answers show, within the field's limits.
  StepSaved out;
  struct Accepted {
    Path path;
    std::string raw_path;
    const forms::Field* field;
    const Upload* upload;
  };
  std::vector<Accepted> accepted;
  {
    const json::object typed = forms::typed_answers(def, answers, o.ctx);
    std::map<std::string, int> counts;
    for (const auto& u : post.uploads) {
      auto p = parse_path(u.path);
      if (!p) continue;
      const forms::Field* f = field_of(def, *p);
      if (!f || f->type != forms::FieldType::file || (p->index && p->child.empty())) continue;
      if (!shown(def, *step, *p, typed, o.ctx)) continue;
      if (!counts.contains(u.path)) {
        const json::value* v = slot(answers, *p, false);
        counts[u.path] = v && v->is_array() ? static_cast<int>(v->get_array().size()) : 0;
      }
      if (counts[u.path] >= f->file.max_count) {
        out.issues.push_back(
            {u.path, "file_too_many", {{"max", std::to_string(f->file.max_count)}}, std::nullopt});
        out.uploads_refused = true;
        continue;
      }
      ++counts[u.path];
      accepted.push_back({*p, u.path, f, &u});
    }
  }
  o.draft.step = step->id;
  o.draft.form_version = def.version;
  o.draft.overlay_version = o.overlay_version;
  Status saved_st = db::transact(db_, [&](db::Conn& tx) -> Status {
    forms::Answers saved = answers;
    std::vector<forms::Issue> refused;
    for (const auto& a : accepted) {
      auto stored =
          files_.put(tx, o.draft.tenant_id, a.upload->file_name, a.upload->bytes, limits_of(*a.field));
      if (!stored) {
        if (stored.error().code == "files.storage") return stored.error();
        refused.push_back(upload_issue(a.raw_path, *a.field, stored.error()));
        continue;
      }
      json::value* v = slot(saved, a.path, true);
      if (!v) continue;
      if (!v->is_array()) *v = json::array();
      v->get_array().push_back(json::object{{"id", stored->id},
                                            {"name", stored->file_name},
                                            {"size", stored->size},
                                            {"mime", stored->mime_type}});
    }
    Draft d = o.draft;
    d.answers = saved;
    if (DraftStore::save(tx, d, now_iso(clock_)) == 0) return Error::make("applications.submitted", 409);
    answers = std::move(saved);
    for (auto& i : refused) out.issues.push_back(std::move(i));
    return Ok{};
  });
  if (!saved_st) return saved_st.error();
  out.uploads_refused = out.uploads_refused || !out.issues.empty();
  o.draft.answers = answers;
  o.draft.revision += 1;
  auto step_issues = forms::validate_step(def, step->id, answers, o.ctx);
  // A refused upload's own message first; the "required" of the same field would only repeat it.
  for (auto& i : step_issues) {
    bool dup = std::any_of(out.issues.begin(), out.issues.end(),
                           [&](const forms::Issue& u) { return u.path == i.path; });
    if (!dup) out.issues.push_back(std::move(i));
  }
  const auto after = visible_paths(def, *step, answers, o.ctx);
  out.revealed =
      std::any_of(after.begin(), after.end(), [&](const std::string& p) { return !before.contains(p); });
  out.draft = o.draft;
  return out;
}

Result<SubmitOutcome> ApplicationService::submit(const identity::Principal& who, Opened& o) {
  SubmitOutcome out;
  if (o.draft.submitted()) {
    out.draft = o.draft;
    return out;
  }
  if (acting_for_id(who) != o.draft.on_behalf_of) return Error::make("applications.acting_for", 409);
  if (!cases_) return Error::make("applications.cases_unavailable", 503);
  const forms::Definition& def = *o.def;
  forms::enforce_locked(def, o.ctx.facts, o.draft.answers);
  forms::Submission checked = forms::submit(def, o.draft.answers, o.ctx);
  if (!checked.ok()) {
    out.draft = o.draft;
    out.issues = std::move(checked.issues);
    return out;
  }
  cases::Submission s;
  s.service_code = o.draft.service_code;
  s.form_code = def.code;
  s.form_version = def.version;
  s.answers = checked.data;
  collect_files(def, checked.data, s.attachments);
  s.submission_key = o.draft.id;
  s.summary = summary_lines(forms::render_form(def, o.draft.answers, {}, o.ctx, i18n_, "it"));
  auto sent = cases_->submit(&who, o.draft.tenant_id, s);
  if (!sent) return sent.error();
  Draft d = o.draft;
  d.form_version = def.version;
  d.overlay_version = o.overlay_version;
  d.case_id = sent->c.id;
  d.protocol_label = sent->c.protocol_label();
  d.submitted_at = time::format_iso_utc_millis(sent->c.submitted_at);
  d.due_date = time::format_iso_date(sent->c.due_date);
  std::int64_t changed = 0;
  db_.write([&](db::Conn& tx) { changed = DraftStore::mark_submitted(tx, d, now_iso(clock_)); });
  if (changed == 0) {  // another request (a double click) marked it first: read what it wrote
    if (auto again = peek(d.tenant_id, d.id)) d = std::move(*again);
  } else {
    d.status = DraftStatus::submitted;
    d.revision += 1;
  }
  o.draft = d;
  out.draft = std::move(d);
  return out;
}

std::vector<Draft> ApplicationService::drafts_of(const identity::Principal& who) {
  std::vector<Draft> out;
  if (who.kind != identity::PrincipalKind::person) return out;
  db_.read([&](db::Conn& c) { out = DraftStore::by_owner(c, who.subject, options_.max_drafts_listed); });
  return out;
}

void ApplicationService::park(tenants::TenantId tenant, const std::string& draft_id,
                              const std::string& step_id, const forms::FormPairs& fields,
                              const std::string& token) {
  auto d = peek(tenant, draft_id);
  if (!d || d->submitted() || token.empty()) return;
  auto def = definition(tenant, d->form_code);
  if (!def || !def->step(step_id)) return;
  ParkedPost p;
  p.draft_id = d->id;
  p.tenant_id = tenant;
  p.step = step_id;
  p.answers = forms::read_post(*def, fields, step_id);
  if (json::serialize(p.answers).size() > options_.max_answers_bytes) return;
  p.created_at = now_iso(clock_);
  db_.write([&](db::Conn& tx) { DraftStore::park(tx, p, digest::sha256_hex(token)); });
}

std::optional<ParkedPost> ApplicationService::parked(const Draft& d, const std::string& token) {
  std::optional<ParkedPost> p;
  if (token.empty() || d.submitted()) return p;
  db_.read([&](db::Conn& c) { p = DraftStore::parked(c, d.tenant_id, d.id, digest::sha256_hex(token)); });
  if (!p) return p;
  auto at = time::parse_iso_utc(p->created_at);
  if (!at || clock_.now() - *at > options_.parked_ttl) return std::nullopt;
  return p;
}

void ApplicationService::unpark(const Draft& d) {
  db_.write([&](db::Conn& tx) { DraftStore::unpark(tx, d.tenant_id, d.id); });
}

int ApplicationService::step_number(const forms::Definition& def, std::string_view step_id) {
  for (std::size_t i = 0; i < def.steps.size(); ++i)
    if (def.steps[i].id == step_id) return static_cast<int>(i) + 1;
  return 0;
}

int ApplicationService::visible_from(const forms::Definition& def, const forms::Answers& answers,
                                     const forms::Context& ctx, int number) {
  const json::object typed = forms::typed_answers(def, answers, ctx);
  for (int n = std::max(number, 1); n <= static_cast<int>(def.steps.size()); ++n)
    if (forms::step_visible(def.steps[static_cast<std::size_t>(n - 1)], typed, ctx)) return n;
  return 0;
}

int ApplicationService::visible_before(const forms::Definition& def, const forms::Answers& answers,
                                       const forms::Context& ctx, int number) {
  const json::object typed = forms::typed_answers(def, answers, ctx);
  for (int n = std::min(number - 1, static_cast<int>(def.steps.size())); n >= 1; --n)
    if (forms::step_visible(def.steps[static_cast<std::size_t>(n - 1)], typed, ctx)) return n;
  return 0;
}

void ApplicationService::pad_items(const forms::Definition& def, const forms::Step& step,
                                   forms::Answers& answers, const forms::Context& ctx) {
  const json::object typed = forms::typed_answers(def, answers, ctx);
  for (const auto& sec : step.sections) {
    if (!forms::section_visible(sec, typed, ctx)) continue;
    for (const auto& f : sec.fields) {
      if (f.type != forms::FieldType::group || !forms::field_visible(f, typed, ctx)) continue;
      const int want = std::max(f.min_items, forms::field_required(f, typed, ctx) ? 1 : 0);
      json::value& v = answers[f.name];
      if (!v.is_array()) v = json::array();
      while (static_cast<int>(v.get_array().size()) < want) v.get_array().push_back(json::object());
    }
  }
}

int ApplicationService::step_of_path(const forms::Definition& def, std::string_view path) {
  auto end = path.find_first_of("[.");
  const forms::Step* s = def.step_of(path.substr(0, end));
  if (!s) return -1;
  return step_number(def, s->id) - 1;
}

Result<ApiOutcome> ApplicationService::submit_api(const std::string& key_id, tenants::TenantId tenant,
                                                  const ApiApplication& a) {
  if (!valid_idempotency_key(a.idempotency_key))
    return Error::for_field("applications.idempotency_key", "Idempotency-Key");
  const std::string cf = cf::normalize(a.citizen.fiscal_code);
  if (!cf::validate_person(cf)) return Error::for_field("applications.citizen", "fiscal_code");
  auto offering = online_offering(tenant, a.service_code);
  if (!offering) return offering.error();
  auto body = tenants_.by_id(tenant);
  auto effective = definitions_.effective(tenant, a.service_code);
  if (!body || !effective) return Error::make("applications.unavailable", 404, a.service_code);
  const forms::Definition& def = *effective->def;
  if (def.audience == "businesses") return Error::make("applications.business_only", 403, a.service_code);
  if (!cases_) return Error::make("applications.cases_unavailable", 503);

  // The facts a signed-in person's profile gives on the portal, from the citizen's data; the register's.
  forms::Context ctx;
  ctx.today = time::rome_date(clock_.now());
  if (effective->streets) ctx.streets = *effective->streets;
  auto& f = ctx.facts;
  f["profile.fiscal_code"] = cf;
  auto put = [&](const char* key, const std::string& v) {
    if (!text::trim(v).empty()) f[key] = text::trim(v);
  };
  put("profile.given_name", a.citizen.given_name);
  put("profile.family_name", a.citizen.family_name);
  const std::string full_name = text::trim(a.citizen.given_name + " " + a.citizen.family_name);
  put("profile.full_name", full_name);
  put("profile.birth_date", a.citizen.birth_date);
  put("profile.birth_place", a.citizen.birth_place);
  put("profile.email", a.citizen.email);
  put("profile.mobile", a.citizen.mobile);
  if (auto decoded = cf::decode(cf)) f["profile.sex"] = decoded->sex == cf::Sex::female ? "F" : "M";
  if (register_) register_->add_person_facts(body->id, cf, f);
  add_body_facts(*body, f);

  forms::Answers answers = forms::read_post(def, a.fields);
  forms::apply_prefill(def, ctx.facts, answers);
  forms::enforce_locked(def, ctx.facts, answers);
  ApiOutcome out;
  forms::Submission checked = forms::submit(def, answers, ctx);
  if (!checked.ok()) {
    out.issues = std::move(checked.issues);
    return out;
  }
  cases::Submission s;
  s.service_code = a.service_code;
  s.form_code = def.code;
  s.form_version = def.version;
  s.answers = checked.data;
  s.submission_key = a.idempotency_key;
  s.applicant_name = full_name;
  s.summary = summary_lines(forms::render_form(def, answers, {}, ctx, i18n_, "it"));
  auto sent = cases_->submit_via_api({key_id, cf, full_name}, tenant, s);
  if (!sent) return sent.error();
  // A retry carries the same request: the same key with other answers (or another service) is a mistake
  // the program must hear about, not the first application passed off as this one.
  if (sent->replayed && (sent->c.answers != checked.data || sent->c.service_code != a.service_code))
    return Error::make("applications.idempotency_reused", 409);
  out.sent = state_of(sent->c);
  out.sent->segnatura = sent->segnatura;
  out.sent->replayed = sent->replayed;
  return out;
}

Result<ApiApplicationState> ApplicationService::api_state(const std::string& key_id, tenants::TenantId tenant,
                                                          const std::string& case_id) {
  if (!cases_) return Error::make("applications.cases_unavailable", 503);
  auto c = cases_->submitted_via_api(key_id, tenant, case_id);
  if (!c) return c.error();
  return state_of(*c);
}

}  // namespace sp::applications
