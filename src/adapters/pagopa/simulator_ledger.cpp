#include "adapters/pagopa/simulator_ledger.hpp"

#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace sp::pagopa::sim {
namespace {

namespace json = boost::json;

std::string ledger_str(const json::object& o, const char* k) {
  const auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}
std::int64_t ledger_int(const json::object& o, const char* k) {
  const auto* v = o.if_contains(k);
  return v && v->is_int64() ? v->as_int64() : 0;
}

json::object ledger_transfer_json(const Transfer& t) {
  json::object o{{"index", t.index},
                 {"amount", t.amount},
                 {"fiscal_code_pa", t.fiscal_code_pa},
                 {"company_name", t.company_name},
                 {"iban", t.iban},
                 {"remittance", t.remittance},
                 {"category", t.category}};
  if (t.stamp) o["stamp_hash"] = t.stamp->document_hash;
  return o;
}

Transfer ledger_transfer_from(const json::object& o) {
  Transfer t;
  t.index = static_cast<int>(ledger_int(o, "index"));
  t.amount = ledger_int(o, "amount");
  t.fiscal_code_pa = ledger_str(o, "fiscal_code_pa");
  t.company_name = ledger_str(o, "company_name");
  t.iban = ledger_str(o, "iban");
  t.remittance = ledger_str(o, "remittance");
  t.category = ledger_str(o, "category");
  if (o.contains("stamp_hash")) t.stamp = Stamp{ledger_str(o, "stamp_hash"), "01", ""};
  return t;
}

Delivery ledger_delivery_from(std::string_view s) {
  for (auto d :
       {Delivery::pending, Delivery::held, Delivery::delivered, Delivery::refused, Delivery::abandoned})
    if (s == delivery_name(d)) return d;
  return Delivery::pending;
}

// The day a payment settles: its civil date in Rome.
std::string ledger_settlement_date(const std::string& paid_at) {
  auto t = time::parse_iso_utc(paid_at);
  return t ? time::format_iso_date(time::rome_date(*t)) : paid_at.substr(0, 10);
}

}  // namespace

const char* delivery_name(Delivery d) {
  switch (d) {
    case Delivery::pending:
      return "pending";
    case Delivery::held:
      return "held";
    case Delivery::delivered:
      return "delivered";
    case Delivery::refused:
      return "refused";
    case Delivery::abandoned:
      return "abandoned";
  }
  return "pending";
}

Ledger::Ledger(std::string state_file, std::vector<Psp> psps, const time::Clock& clock)
    : state_file_(std::move(state_file)), psps_(std::move(psps)), clock_(clock) {}

void Ledger::load() {
  if (state_file_.empty() || !std::filesystem::exists(state_file_)) return;
  std::ifstream in(state_file_);
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  auto doc = json::parse(text.str(), ec);
  if (ec || !doc.is_object())
    throw std::runtime_error("pagopa simulator state " + state_file_ + ": not JSON");
  const auto& root = doc.as_object();
  std::lock_guard lock(mu_);
  seq_ = ledger_int(root, "seq");
  if (const auto* ps = root.if_contains("payments"); ps && ps->is_array()) {
    for (const auto& v : ps->as_array()) {
      const auto& o = v.as_object();
      LedgerPayment p;
      p.receipt_id = ledger_str(o, "receipt_id");
      p.psp_id = ledger_str(o, "psp_id");
      p.fiscal_code = ledger_str(o, "fiscal_code");
      p.company_name = ledger_str(o, "company_name");
      p.notice_number = ledger_str(o, "notice_number");
      p.iuv = ledger_str(o, "iuv");
      p.iur = ledger_str(o, "iur");
      p.amount = ledger_int(o, "amount");
      p.fee = ledger_int(o, "fee");
      p.paid_at = ledger_str(o, "paid_at");
      p.scenario = ledger_str(o, "scenario");
      p.cart_id = ledger_str(o, "cart_id");
      if (const auto* ts = o.if_contains("transfers"); ts && ts->is_array())
        for (const auto& t : ts->as_array()) p.transfers.push_back(ledger_transfer_from(t.as_object()));
      p.envelope = ledger_str(o, "envelope");
      p.delivery = ledger_delivery_from(ledger_str(o, "delivery"));
      p.last_answer = ledger_str(o, "last_answer");
      p.attempts = static_cast<int>(ledger_int(o, "attempts"));
      payments_.push_back(std::move(p));
    }
  }
  if (const auto* fs = root.if_contains("flows"); fs && fs->is_object()) {
    for (const auto& [key, v] : fs->as_object()) {
      const auto& o = v.as_object();
      published_[std::string(key)] =
          Published{ledger_str(o, "fdr"),       ledger_int(o, "revision"), ledger_str(o, "fdr_date"),
                    ledger_str(o, "published"), ledger_int(o, "count"),    ledger_int(o, "sum")};
    }
  }
}

void Ledger::save_locked() const {
  if (state_file_.empty()) return;
  json::array ps;
  for (const auto& p : payments_) {
    json::array ts;
    for (const auto& t : p.transfers) ts.push_back(ledger_transfer_json(t));
    ps.push_back(json::object{{"receipt_id", p.receipt_id},
                              {"psp_id", p.psp_id},
                              {"fiscal_code", p.fiscal_code},
                              {"company_name", p.company_name},
                              {"notice_number", p.notice_number},
                              {"iuv", p.iuv},
                              {"iur", p.iur},
                              {"amount", p.amount},
                              {"fee", p.fee},
                              {"paid_at", p.paid_at},
                              {"scenario", p.scenario},
                              {"cart_id", p.cart_id},
                              {"transfers", std::move(ts)},
                              {"envelope", p.envelope},
                              {"delivery", delivery_name(p.delivery)},
                              {"last_answer", p.last_answer},
                              {"attempts", p.attempts}});
  }
  json::object flows;
  for (const auto& [key, f] : published_) {
    flows[key] = json::object{{"fdr", f.fdr},           {"revision", f.revision},
                              {"fdr_date", f.fdr_date}, {"published", f.published},
                              {"count", f.count},       {"sum", f.sum}};
  }
  // Written whole to a temporary file renamed over the old one: a crash leaves one or the other.
  const std::string temp = state_file_ + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(temp, std::ios::trunc);
    out << json::serialize(json::object{{"seq", seq_}, {"payments", std::move(ps)}, {"flows", flows}});
  }
  std::filesystem::rename(temp, state_file_);
}

void Ledger::add(LedgerPayment p) {
  std::lock_guard lock(mu_);
  payments_.push_back(std::move(p));
  save_locked();
}

void Ledger::update_delivery(const std::string& receipt_id, Delivery d, const std::string& answer) {
  std::lock_guard lock(mu_);
  for (auto& p : payments_) {
    if (p.receipt_id != receipt_id) continue;
    ++p.attempts;
    // Delivered is final (its answer is the one the station gave when it took the receipt); a refusal
    // gives way only to a delivery (a resend after the station's configuration was fixed).
    if (p.delivery == Delivery::delivered || (p.delivery == Delivery::refused && d != Delivery::delivered))
      return save_locked();
    p.delivery = d;
    p.last_answer = answer;
    return save_locked();
  }
}

std::optional<LedgerPayment> Ledger::get(const std::string& receipt_id) const {
  std::lock_guard lock(mu_);
  for (const auto& p : payments_)
    if (p.receipt_id == receipt_id) return p;
  return std::nullopt;
}

std::vector<LedgerPayment> Ledger::all() const {
  std::lock_guard lock(mu_);
  return payments_;
}

const Psp* Ledger::psp(const std::string& id) const {
  for (const auto& p : psps_)
    if (p.id == id) return &p;
  return nullptr;
}

std::vector<fdr::Flow> Ledger::published_flows(std::string_view organization_id) const {
  std::lock_guard lock(mu_);
  // The current rows of every (PSP, day) flow of the organisation, in ledger order.
  std::map<std::pair<std::string, std::string>, fdr::Flow> current;
  for (const auto& p : payments_) {
    for (const auto& t : p.transfers) {
      const std::string& org = t.fiscal_code_pa.empty() ? p.fiscal_code : t.fiscal_code_pa;
      if (org != organization_id || t.iban.empty()) continue;  // stamps are never reported
      auto& f = current[{p.psp_id, ledger_settlement_date(p.paid_at)}];
      if (f.organization_id.empty()) {
        f.organization_id = org;
        f.organization_name = t.company_name.empty() ? p.company_name : t.company_name;
      }
      fdr::Payment row;
      row.iuv = p.iuv;
      row.iur = p.iur;
      row.index = t.index;
      row.amount = t.amount;
      row.pay_status = "EXECUTED";
      row.pay_date = p.paid_at;
      f.payments.push_back(std::move(row));
      ++f.tot_payments;
      f.sum_payments += t.amount;
    }
  }
  std::vector<fdr::Flow> out;
  bool changed = false;
  const auto now = clock_.now();
  for (auto& [key, f] : current) {
    const auto& [psp_id, day] = key;
    auto& pub = published_[psp_id + "|" + day + "|" + std::string(organization_id)];
    if (pub.fdr.empty()) {
      char unique[16];
      std::snprintf(unique, sizeof unique, "S%05lld", static_cast<long long>(++seq_));
      pub.fdr = day + psp_id + "-" + unique;
      pub.revision = 1;
      pub.fdr_date = pub.published = time::format_iso_utc_millis(now);
      changed = true;
    } else if (pub.count != f.tot_payments || pub.sum != f.sum_payments) {
      // More payments of that day: a later revision, with a strictly later fdr_date.
      ++pub.revision;
      auto t = time::format_iso_utc_millis(now);
      if (t <= pub.fdr_date) {
        auto prev = time::parse_iso_utc(pub.fdr_date);
        t = time::format_iso_utc_millis((prev ? *prev : now) + std::chrono::milliseconds(1));
      }
      pub.fdr_date = pub.published = t;
      changed = true;
    }
    pub.count = f.tot_payments;
    pub.sum = f.sum_payments;
    f.fdr = pub.fdr;
    f.revision = pub.revision;
    f.fdr_date = pub.fdr_date;
    f.published = pub.published;
    f.psp_id = psp_id;
    if (const Psp* p = psp(psp_id)) {
      f.psp_name = p->name;
      f.psp_broker_id = p->broker_id;
      f.channel_id = p->channel_id;
      f.bic_code_pouring_bank = p->bic;
    }
    f.regulation = "RIV-" + pub.fdr;
    f.regulation_date = day;
    out.push_back(std::move(f));
  }
  if (changed) save_locked();
  return out;
}

}  // namespace sp::pagopa::sim
