#include "identity/profile_web.hpp"

#include <algorithm>

#include "core/time.hpp"
#include "identity/model.hpp"
#include "identity/web.hpp"
#include "web/context.hpp"

namespace sp::identity {
namespace {

using web::Data;

ProfileActor actor_of(const http::Request& req) {
  const Principal* p = principal_of(req);
  ProfileActor a;
  a.fiscal_code = p->subject;
  a.remote_addr = req.remote_addr;
  if (p->assisting) a.on_behalf_of = p->assisting->fiscal_code;
  return a;
}

struct Typed {
  std::string email, mobile, channel, language, pec;
  std::optional<Error> error;         // contact form
  std::optional<Error> verify_error;  // code form
  std::string verify_channel;
};

http::Response render(ProfileWebDeps& d, http::Request& req, const Typed* typed, int status) {
  const Principal* p = principal_of(req);
  const auto& lang = req.ctx.locale;
  auto person = d.profile.show(p->subject);
  if (!person) return d.view.error_page(req, 404);
  web::Page page;
  page.template_name = "profile";
  page.title = d.view.t(lang, "ui.profile_title");
  page.noindex = true;
  page.breadcrumb = {{d.view.t(lang, "ui.home"), "/"},
                     {d.view.t(lang, "ui.personal_area"), "/area-personale"},
                     {page.title, ""}};
  auto& data = page.data;
  data.set("csrf", p->csrf_token);
  data.set("fiscal_code", person->fiscal_code);
  data.set("given_name", person->given_name);
  data.set("family_name", person->family_name);
  if (!person->birth_date.empty()) data.set("birth_date", time::it_date_text(person->birth_date));
  if (!person->birth_place.empty()) data.set("birth_place", person->birth_place);
  data.set("created_at", time::it_datetime_text(person->created_at));
  data.set("updated_at", time::it_datetime_text(person->updated_at));
  if (!person->email.empty()) {
    data.set("email", person->email);
    data.set("email_status", person->email_verified_at.empty()
                                 ? d.view.t(lang, "ui.profile_unverified")
                                 : web::ui(d.view, lang, "ui.profile_verified_on",
                                           {{"when", time::it_datetime_text(person->email_verified_at)}}));
    data.set("email_verified", !person->email_verified_at.empty());
  }
  if (!person->mobile.empty()) {
    data.set("mobile", person->mobile);
    data.set("mobile_status", person->mobile_verified_at.empty()
                                  ? d.view.t(lang, "ui.profile_unverified")
                                  : web::ui(d.view, lang, "ui.profile_verified_on",
                                            {{"when", time::it_datetime_text(person->mobile_verified_at)}}));
    data.set("mobile_verified", !person->mobile_verified_at.empty());
  }
  if (!person->pec.empty()) {
    data.set("pec", person->pec);
    data.set("pec_status", person->pec_verified_at.empty()
                               ? d.view.t(lang, "ui.profile_unverified")
                               : web::ui(d.view, lang, "ui.profile_verified_on",
                                         {{"when", time::it_datetime_text(person->pec_verified_at)}}));
    data.set("pec_verified", !person->pec_verified_at.empty());
  }
  data.set("preferred_label", d.view.t(lang, "ui.profile_channel_" + person->preferred_channel));
  data.set("language_label", d.view.t(lang, "ui.profile_language_" + person->preferred_language));

  // The contact form: what was typed when re-shown after an error, else what is stored.
  const std::string email_v = typed ? typed->email : person->email;
  const std::string mobile_v = typed ? typed->mobile : person->mobile;
  const std::string channel_v = typed ? typed->channel : person->preferred_channel;
  data.set("email_value", email_v);
  data.set("mobile_value", mobile_v);
  data.set("pec_value", typed ? typed->pec : person->pec);
  Data channels = web::list();
  for (const char* c : {"email", "sms", "io", "none"}) {
    Data item;
    item.set("value", std::string(c));
    item.set("label", d.view.t(lang, std::string("ui.profile_channel_") + c));
    item.set("id", std::string("channel-") + c);
    if (channel_v == c) item.set("checked", true);
    channels.push_back(item);
  }
  data.set("channels", channels);
  // The language of communications: what was typed (when it is one offered), else what is stored.
  const std::string language_v = typed && (typed->language == "it" || typed->language == "en")
                                     ? typed->language
                                     : person->preferred_language;
  Data languages = web::list();
  for (const char* l : {"it", "en"}) {
    Data item;
    item.set("value", std::string(l));
    item.set("label", d.view.t(lang, std::string("ui.profile_language_") + l));
    if (language_v == l) item.set("selected", true);
    languages.push_back(item);
  }
  data.set("languages", languages);
  if (typed && typed->error) {
    data.set("error", d.view.i18n().message(lang, *typed->error));
    data.set("error_code", typed->error->code);
    if (!typed->error->field.empty()) data.set("error_field_" + typed->error->field, true);
  }

  // Codes waiting to be typed.
  Data pending = web::list();
  bool any = false;
  for (const auto& v : d.profile.pending(p->subject)) {
    any = true;
    Data item;
    item.set("channel", v.channel);
    item.set("address", v.address);
    item.set("heading",
             web::ui(d.view, lang, "ui.profile_verify_heading_" + v.channel, {{"address", v.address}}));
    item.set("expires", web::ui(d.view, lang, "ui.profile_code_expires",
                                {{"when", time::it_datetime_text(v.expires_at)}}));
    item.set("attempts",
             web::ui(d.view, lang, "ui.profile_attempts_left", {{"count", std::to_string(v.attempts_left)}}));
    item.set("input_id", "code-" + v.channel);
    if (typed && typed->verify_error && typed->verify_channel == v.channel) {
      item.set("verify_error", d.view.i18n().message(lang, *typed->verify_error));
      item.set("verify_error_code", typed->verify_error->code);
    }
    pending.push_back(item);
  }
  data.set("pending", pending);
  data.set("has_pending", any);
  if (typed && typed->verify_error && !any) {
    data.set("error", d.view.i18n().message(lang, *typed->verify_error));
    data.set("error_code", typed->verify_error->code);
  }

  const auto outcome = req.query_param("esito");
  if (outcome == "salvato" || outcome == "codice-inviato" || outcome == "verificato" ||
      outcome == "reinviato") {
    std::string key = outcome == "codice-inviato" ? "code_sent"
                      : outcome == "verificato"   ? "verified"
                      : outcome == "reinviato"    ? "resent"
                                                  : "saved";
    data.set("notice", d.view.t(lang, "ui.profile_notice_" + key));
  }
  auto r = http::Response::html(d.view.render(req, page), status);
  r.header("Cache-Control", "no-store");
  return r;
}

http::Response show(ProfileWebDeps& d, http::Request& req) {
  if (auto redirect = require_person(req, 1)) return *redirect;
  return render(d, req, nullptr, 200);
}

http::Response see_other(const std::string& outcome) {
  auto r = http::Response::redirect("/area-personale/profilo?esito=" + outcome, 303);
  r.header("Cache-Control", "no-store");
  return r;
}

http::Response update(ProfileWebDeps& d, http::Request& req) {
  if (auto redirect = require_person(req, 1)) return *redirect;
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  Typed typed{web::form_field(*form, "email"),
              web::form_field(*form, "mobile"),
              web::form_field(*form, "preferred_channel"),
              web::form_field(*form, "preferred_language"),
              web::form_field(*form, "pec"),
              std::nullopt,
              std::nullopt,
              ""};
  ContactsForm cf{typed.email, typed.mobile, typed.channel, typed.language, std::nullopt};
  if (form->count("pec") > 0) cf.pec = typed.pec;  // a form without the field keeps the PEC
  auto done = d.profile.update_contacts(actor_of(req), cf);
  if (!done) {
    typed.error = done.error();
    return render(d, req, &typed, done.error().http_status >= 400 ? done.error().http_status : 422);
  }
  return see_other(done->email_code_sent || done->mobile_code_sent || done->pec_code_sent ? "codice-inviato"
                                                                                          : "salvato");
}

http::Response verify(ProfileWebDeps& d, http::Request& req) {
  if (auto redirect = require_person(req, 1)) return *redirect;
  auto form = req.form();
  if (!form) return d.view.error_page(req, 400);
  if (auto st = check_csrf(req, *form); !st) return d.view.error_page(req, st.error().http_status);
  const auto channel = web::form_field(*form, "channel");
  const bool resend = web::form_field(*form, "action") == "resend";
  auto st = resend ? d.profile.resend(actor_of(req), channel)
                   : d.profile.confirm(actor_of(req), channel, web::form_field(*form, "code"));
  if (!st) {
    Typed typed;
    auto person = d.profile.show(principal_of(req)->subject);
    if (person) {
      typed.email = person->email;
      typed.mobile = person->mobile;
      typed.pec = person->pec;
      typed.channel = person->preferred_channel;
      typed.language = person->preferred_language;
    }
    typed.verify_error = st.error();
    typed.verify_channel = channel;
    return render(d, req, &typed, st.error().http_status >= 400 ? st.error().http_status : 422);
  }
  return see_other(resend ? "reinviato" : "verificato");
}

}  // namespace

void register_profile_pages(http::Router& router, ProfileWebDeps& d) {
  router.get("/area-personale/profilo", [&d](http::Request& r) { return show(d, r); });
  router.post("/area-personale/profilo", [&d](http::Request& r) { return update(d, r); });
  router.post("/area-personale/profilo/verifica", [&d](http::Request& r) { return verify(d, r); });
}

}  // namespace sp::identity
