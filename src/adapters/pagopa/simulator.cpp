// The simulated node and PSP (simulator.hpp): a payment's three calls to the station, the ledger, and
// the resender that keeps sending receipts the station did not answer.
#include "adapters/pagopa/simulator.hpp"

#include <algorithm>
#include <condition_variable>
#include <set>
#include <thread>
#include <variant>

#include "adapters/pagopa/simulator_ledger.hpp"
#include "adapters/pagopa/simulator_node.hpp"
#include "core/ids.hpp"

namespace sp::pagopa::sim {
namespace {

using Steady = std::chrono::steady_clock;

bool sim_digits(std::string_view s, std::size_t n) {
  return s.size() == n && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

PayOutcome sim_failure(PayOutcome::Kind kind, std::string step, std::string code, std::string detail = {}) {
  PayOutcome o;
  o.kind = kind;
  o.step = std::move(step);
  o.fault_code = std::move(code);
  o.detail = std::move(detail);
  return o;
}

// What a call's answer means when it is not a typed response: an error to retry, or the station's
// endpoint refusing the node (its credential).
PayOutcome sim_call_failure(const StationCall& call, const std::string& step) {
  if (call.kind == StationCall::Kind::refused)
    return sim_failure(PayOutcome::Kind::refused, step, "HTTP_" + std::to_string(call.status), call.error);
  return sim_failure(PayOutcome::Kind::error, step, call.error);
}

// The receipt's paymentDateTime: wall-clock time in Rome, as the node writes it.
std::string sim_rome_datetime(time::TimePoint t) {
  const auto local = time::to_rome_local(t);
  return date::format("%Y-%m-%dT%H:%M:%S", local);
}

// A digital stamp's MBDAttachment: the stamp itself, base64 (a stand-in document here).
std::string sim_stamp_attachment(const Stamp& s) {
  static constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const std::string in = "<marcaDaBollo><hash>" + s.document_hash + "</hash><tipo>" + s.type +
                         "</tipo><simulata>true</simulata></marcaDaBollo>";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                       (static_cast<unsigned char>(in[i + 1]) << 8) | static_cast<unsigned char>(in[i + 2]);
    for (int k = 18; k >= 0; k -= 6) out += kB64[(v >> k) & 63];
  }
  if (i < in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += i + 1 < in.size() ? kB64[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

}  // namespace

struct Simulator::Impl {
  struct Verified {
    StationEntry station;
    PayOptions options;
    Psp psp;
    VerifyResponse verify;
  };
  struct Activated {
    Verified v;
    GetPaymentResponse got;
  };
  struct Schedule {
    Steady::time_point next;
    std::chrono::milliseconds backoff{0};
  };

  Impl(const SimulatorOptions& o, const time::Clock& clock)
      : options(o), clock(clock), http(o.http), ledger(o.state_file, o.psps, clock) {}

  const SimulatorOptions& options;
  const time::Clock& clock;
  adapters::HttpClient http;
  Ledger ledger;

  mutable std::mutex mu;  // guards everything below
  std::string base_url;
  StationDirectory stations;
  EndpointFaults checkout_faults, fdr_faults;
  std::set<std::string> in_flight;
  std::map<std::string, Schedule> schedule;  // pending and held receipts: when to try next
  bool stopping = false;
  std::condition_variable wake;
  std::thread resender;

  std::variant<PayOutcome, Verified> verify(const PayOptions& opts) {
    Verified out;
    out.options = opts;
    {
      std::lock_guard lock(mu);
      if (opts.fiscal_code.empty() && stations.size() == 1) {
        out.station = stations.begin()->second;
      } else if (opts.fiscal_code.empty()) {
        // A notice number does not say whose it is: with several stations the creditor must be named.
        return sim_failure(PayOutcome::Kind::error, "verify", "fiscal_code_required",
                           std::to_string(stations.size()) + " stations");
      } else if (auto it = stations.find(opts.fiscal_code); it != stations.end()) {
        out.station = it->second;
      } else {
        return sim_failure(PayOutcome::Kind::error, "verify", "unknown_creditor", opts.fiscal_code);
      }
    }
    const auto& psps = options.psps;
    auto psp = std::find_if(psps.begin(), psps.end(),
                            [&](const Psp& p) { return opts.psp.empty() || p.id == opts.psp; });
    if (psp == psps.end()) return sim_failure(PayOutcome::Kind::error, "verify", "unknown_psp", opts.psp);
    out.psp = *psp;
    if (!sim_digits(opts.notice_number, 18))
      return sim_failure(PayOutcome::Kind::error, "verify", "notice_number", opts.notice_number);
    const StationIds ids{out.station.fiscal_code, out.station.id_broker_pa, out.station.id_station};
    auto call = call_station(http, out.station, "paVerifyPaymentNotice",
                             render_request(VerifyRequest{ids, ids.id_pa, opts.notice_number}));
    if (call.kind != StationCall::Kind::answered) return sim_call_failure(call, "verify");
    auto parsed = parse_verify_response(call.body);
    if (!parsed) return sim_failure(PayOutcome::Kind::error, "verify", "soap", parsed.error().detail);
    if (parsed->fault)
      return sim_failure(PayOutcome::Kind::refused, "verify", parsed->fault->code,
                         parsed->fault->description);
    out.verify = std::move(*parsed);
    return out;
  }

  std::variant<PayOutcome, Activated> activate(Verified v) {
    GetPaymentRequest g;
    g.ids = {v.station.fiscal_code, v.station.id_broker_pa, v.station.id_station};
    g.fiscal_code = v.station.fiscal_code;
    g.notice_number = v.options.notice_number;
    g.amount = v.verify.amount;  // the station's amount, never the payer's or the cart's
    g.payment_note = v.options.payment_note;
    g.due_date = v.verify.due_date;
    auto call = call_station(http, v.station, "paGetPaymentV2", render_request(g));
    if (call.kind != StationCall::Kind::answered) return sim_call_failure(call, "activate");
    auto parsed = parse_get_payment_response(call.body);
    if (!parsed) return sim_failure(PayOutcome::Kind::error, "activate", "soap", parsed.error().detail);
    if (parsed->fault)
      return sim_failure(PayOutcome::Kind::refused, "activate", parsed->fault->code,
                         parsed->fault->description);
    return Activated{std::move(v), std::move(*parsed)};
  }

  // The PSP collects the money: the payment enters the ledger, then its receipt goes to the station.
  PayOutcome collect(const Activated& a) {
    const auto& v = a.v;
    const auto& got = a.got;
    const auto now = clock.now();
    LedgerPayment p;
    p.receipt_id = ids::uuid_v7();
    p.receipt_id.erase(std::remove(p.receipt_id.begin(), p.receipt_id.end(), '-'), p.receipt_id.end());
    p.iur = p.receipt_id;  // paSendRTV2 carries no IUR: the payment token is the PSP's identifier
    p.psp_id = v.psp.id;
    p.fiscal_code = v.station.fiscal_code;
    p.company_name = got.company_name.empty() ? v.verify.company_name : got.company_name;
    p.notice_number = v.options.notice_number;
    p.iuv = got.creditor_reference_id;
    p.amount = v.options.scenario == Scenario::wrong_amount ? v.options.wrong_amount : got.amount;
    p.fee = v.psp.fee;
    p.paid_at = time::format_iso_utc_millis(now);
    p.scenario = scenario_name(v.options.scenario);
    p.cart_id = v.options.cart_id;
    p.transfers = got.transfers;

    SendReceiptRequest s;
    s.ids = {v.station.fiscal_code, v.station.id_broker_pa, v.station.id_station};
    auto& r = s.receipt;
    r.receipt_id = p.receipt_id;
    r.notice_number = p.notice_number;
    r.fiscal_code = p.fiscal_code;
    r.outcome = "OK";
    r.creditor_reference_id = p.iuv;
    r.amount = p.amount;
    r.description = got.description.empty() ? v.verify.payment_description : got.description;
    r.company_name = p.company_name;
    r.office_name = got.office_name;
    r.debtor = got.debtor;
    for (auto t : got.transfers) {
      if (t.stamp) {
        t.stamp_attachment = sim_stamp_attachment(*t.stamp);
        t.stamp.reset();
      }
      r.transfers.push_back(std::move(t));
    }
    r.id_psp = v.psp.id;
    r.psp_fiscal_code = v.psp.fiscal_code;
    r.psp_company_name = v.psp.name;
    r.id_channel = v.psp.channel_id;
    r.channel_description = "simulatore";
    r.payer = got.debtor;  // the debtor pays at the counter
    r.payment_method = "cash";
    r.fee = v.psp.fee;
    r.payment_date_time = sim_rome_datetime(now);
    r.application_date = time::format_iso_date(time::rome_date(now));
    r.transfer_date = time::format_iso_date(time::add_calendar_days(time::rome_date(now), 1));
    p.envelope = render_request(s);
    const bool late = v.options.scenario == Scenario::late;
    p.delivery = late ? Delivery::held : Delivery::pending;
    {
      std::lock_guard lock(mu);
      in_flight.insert(p.receipt_id);
    }
    ledger.add(p);

    PayOutcome out;
    out.kind = PayOutcome::Kind::paid;
    out.station_amount = v.verify.amount;
    if (late) {
      std::lock_guard lock(mu);
      in_flight.erase(p.receipt_id);
      schedule[p.receipt_id] = {Steady::now() + options.late_delay, options.first_backoff};
    } else {
      auto backoff = options.first_backoff;
      for (int i = 0; i < options.inline_attempts; ++i) {
        if (i > 0) {
          std::this_thread::sleep_for(backoff);
          backoff = std::min(backoff * 2, options.max_backoff);
        }
        if (send_receipt(p, nullptr) != Delivery::pending) break;
      }
      std::lock_guard lock(mu);
      in_flight.erase(p.receipt_id);
      if (auto now_p = ledger.get(p.receipt_id); now_p && now_p->delivery == Delivery::pending) {
        schedule[p.receipt_id] = {Steady::now() + backoff, backoff};
        wake.notify_all();
      }
    }
    if (v.options.scenario == Scenario::duplicate) {
      // The same receipt again, as a node that did not note the first answer would send it.
      std::string answer;
      send_receipt(p, &answer);
      out.second_answer = answer;
    }
    out.payment = ledger.get(p.receipt_id);
    return out;
  }

  // One send of a ledger payment's receipt; updates the ledger. `answer`: what the station said.
  Delivery send_receipt(const LedgerPayment& p, std::string* answer) {
    StationEntry station;
    {
      std::lock_guard lock(mu);
      auto it = stations.find(p.fiscal_code);
      if (it == stations.end()) {
        ledger.update_delivery(p.receipt_id, Delivery::pending, "no station");
        return Delivery::pending;
      }
      station = it->second;
    }
    auto call = call_station(http, station, "paSendRTV2", p.envelope);
    Delivery d = Delivery::pending;
    std::string said = call.error;
    if (call.kind == StationCall::Kind::refused) {
      d = Delivery::refused;
      said = "HTTP_" + std::to_string(call.status);
    } else if (call.kind == StationCall::Kind::answered) {
      auto parsed = parse_send_receipt_response(call.body);
      if (!parsed) {
        said = "soap";
      } else if (!parsed->fault) {
        d = Delivery::delivered;
        said = "OK";
      } else {
        said = parsed->fault->code;
        // The station has it already (a copy got through before): delivered. Anything else is its no.
        d = said == "PAA_RECEIPT_DUPLICATA" ? Delivery::delivered : Delivery::refused;
      }
    }
    ledger.update_delivery(p.receipt_id, d, said);
    if (answer) *answer = said;
    return d;
  }

  void resend_loop() {
    std::unique_lock lock(mu);
    while (!stopping) {
      wake.wait_for(lock, std::chrono::milliseconds(50));
      if (stopping) break;
      const auto now = Steady::now();
      std::vector<std::string> due;
      for (const auto& [id, s] : schedule)
        if (s.next <= now && !in_flight.count(id)) due.push_back(id);
      for (const auto& id : due) {
        in_flight.insert(id);
        auto backoff = schedule[id].backoff;
        lock.unlock();
        auto p = ledger.get(id);
        Delivery d = p ? send_receipt(*p, nullptr) : Delivery::delivered;
        const bool give_up = p && d == Delivery::pending && p->attempts + 1 >= options.max_attempts;
        if (give_up) ledger.update_delivery(id, Delivery::abandoned, "attempts");
        lock.lock();
        in_flight.erase(id);
        if (d == Delivery::pending && !give_up) {
          backoff = std::min(backoff * 2, options.max_backoff);
          schedule[id] = {Steady::now() + backoff, backoff};
        } else {
          schedule.erase(id);
        }
        if (stopping) break;
      }
    }
  }
};

Simulator::Simulator(SimulatorOptions options) : options_(std::move(options)) {
  if (options_.psps.empty()) options_.psps = default_psps();
  const time::Clock& clock = options_.clock ? *options_.clock : time::system_clock();
  impl_ = std::make_unique<Impl>(options_, clock);
  impl_->base_url = options_.base_url;
  impl_->stations = options_.stations;
  impl_->ledger.load();
  // What a restarted simulator was still delivering: due at once.
  for (const auto& p : impl_->ledger.all()) {
    if (p.delivery == Delivery::pending || p.delivery == Delivery::held)
      impl_->schedule[p.receipt_id] = {Steady::now(), options_.first_backoff};
  }
  if (options_.resender) impl_->resender = std::thread([this] { impl_->resend_loop(); });
}

Simulator::~Simulator() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  if (impl_->resender.joinable()) impl_->resender.join();
}

void Simulator::set_base_url(std::string url) {
  std::lock_guard lock(impl_->mu);
  impl_->base_url = std::move(url);
}
std::string Simulator::base_url() const {
  std::lock_guard lock(impl_->mu);
  return impl_->base_url;
}
void Simulator::set_stations(StationDirectory stations) {
  std::lock_guard lock(impl_->mu);
  impl_->stations = std::move(stations);
}

PayOutcome Simulator::pay(const PayOptions& options) {
  auto verified = impl_->verify(options);
  if (auto* f = std::get_if<PayOutcome>(&verified)) return *f;
  auto& v = std::get<Impl::Verified>(verified);
  const auto station_amount = v.verify.amount;
  auto activated = impl_->activate(std::move(v));
  if (auto* f = std::get_if<PayOutcome>(&activated)) {
    f->station_amount = station_amount;
    return *f;
  }
  return impl_->collect(std::get<Impl::Activated>(activated));
}

CartOutcome Simulator::pay_all(const std::vector<PayOptions>& notices) {
  CartOutcome out;
  auto refuse = [&](const PayOutcome& f, const std::string& nav) {
    out.fault_code = f.fault_code;
    out.notice_number = nav;
    out.payments.push_back(f);
    return out;
  };
  std::vector<Impl::Verified> verified;
  for (const auto& n : notices) {
    auto v = impl_->verify(n);
    if (auto* f = std::get_if<PayOutcome>(&v)) return refuse(*f, n.notice_number);
    verified.push_back(std::move(std::get<Impl::Verified>(v)));
  }
  std::vector<Impl::Activated> activated;
  for (auto& v : verified) {
    const std::string nav = v.options.notice_number;
    auto a = impl_->activate(std::move(v));
    if (auto* f = std::get_if<PayOutcome>(&a)) return refuse(*f, nav);
    activated.push_back(std::move(std::get<Impl::Activated>(a)));
  }
  for (const auto& a : activated) out.payments.push_back(impl_->collect(a));
  out.paid = true;
  return out;
}

int Simulator::resend(bool all) {
  int sent = 0;
  for (const auto& p : impl_->ledger.all()) {
    if (!all && (p.delivery == Delivery::delivered || p.delivery == Delivery::refused)) continue;
    const auto d = impl_->send_receipt(p, nullptr);
    ++sent;
    // Answered: nothing more to do. Still not: the resender goes on from now (a held receipt too).
    std::lock_guard lock(impl_->mu);
    if (d == Delivery::pending) {
      impl_->schedule[p.receipt_id] = {Steady::now() + options_.first_backoff, options_.first_backoff};
    } else if (auto now = impl_->ledger.get(p.receipt_id); now && now->delivery != Delivery::pending) {
      impl_->schedule.erase(p.receipt_id);
    }
  }
  return sent;
}

int Simulator::undelivered() const {
  int n = 0;
  for (const auto& p : impl_->ledger.all())
    if (p.delivery == Delivery::pending || p.delivery == Delivery::held) ++n;
  return n;
}

std::vector<LedgerPayment> Simulator::payments() const {
  return impl_->ledger.all();
}

const fdr::FlowSource& Simulator::flows() const {
  return impl_->ledger;
}

void Simulator::set_checkout_faults(EndpointFaults f) {
  std::lock_guard lock(impl_->mu);
  impl_->checkout_faults = f;
}
void Simulator::set_fdr_faults(EndpointFaults f) {
  std::lock_guard lock(impl_->mu);
  impl_->fdr_faults = f;
}
EndpointFaults Simulator::checkout_faults() const {
  std::lock_guard lock(impl_->mu);
  return impl_->checkout_faults;
}
EndpointFaults Simulator::fdr_faults() const {
  std::lock_guard lock(impl_->mu);
  return impl_->fdr_faults;
}

}  // namespace sp::pagopa::sim
