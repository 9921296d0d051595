#include "adapters/pec/simulator.hpp"

#include <chrono>
#include <csignal>
#include <fstream>
#include <iostream>

#include "adapters/pec/receipt.hpp"
#include "core/ids.hpp"
#include "core/time.hpp"

namespace sp::pec {
namespace {

bool contains(const std::string& s, std::string_view part) {
  return s.find(part) != std::string::npos;
}

// The POP3 answer of a multi-line command: dot-stuffed, CRLF line endings, ended by "." (RFC 1939 §3).
std::string multiline(std::string_view body) {
  std::string out;
  std::size_t start = 0;
  while (start < body.size()) {
    auto end = body.find('\n', start);
    std::string_view line =
        body.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty() && line.front() == '.') out += '.';
    out.append(line);
    out += "\r\n";
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out + ".\r\n";
}

}  // namespace

PecSimulator::PecSimulator(PecSimulatorOptions o) : options_(std::move(o)), smtp_(options_.smtp_port) {
  if (options_.identity.cert_pem.empty())
    options_.identity = crypto::self_signed_identity(options_.provider, options_.provider, 3650);
  pop3_ = std::make_unique<adapters::LineServer>(options_.pop3_port, "127.0.0.1",
                                                 [this](adapters::LineConn& c) { serve_pop3(c); });
}

PecSimulator::~PecSimulator() {
  stop();
}

void PecSimulator::start() {
  smtp_.start();
  pop3_->start();
  if (options_.process_every.count() > 0 && !processor_.joinable()) {
    processor_ = std::thread([this] {
      std::unique_lock lock(stop_mutex_);
      while (!stop_cv_.wait_for(lock, options_.process_every, [this] { return stopping_; })) {
        lock.unlock();
        process();
        lock.lock();
      }
    });
  }
}

void PecSimulator::stop() {
  {
    std::lock_guard lock(stop_mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (processor_.joinable()) processor_.join();
  smtp_.stop();
  pop3_->stop();
}

std::string PecSimulator::smtp_url() const {
  return smtp_.url();
}

std::string PecSimulator::pop3_url() const {
  return "pop3://127.0.0.1:" + std::to_string(pop3_->port()) + "/";
}

void PecSimulator::add_receipt(const std::string& mailbox, std::string message) {
  std::lock_guard lock(mutex_);
  mailboxes_[mailbox].push_back({"sim-" + std::to_string(next_uid_++), std::move(message)});
}

void PecSimulator::deliver(const std::string& mailbox, std::string message) {
  add_receipt(mailbox, std::move(message));
}

std::size_t PecSimulator::mailbox_size(const std::string& mailbox) const {
  std::lock_guard lock(mutex_);
  auto it = mailboxes_.find(mailbox);
  return it == mailboxes_.end() ? 0 : it->second.size();
}

int PecSimulator::process() {
  std::lock_guard one_at_a_time(process_mutex_);
  const auto all = smtp_.messages();
  int written = 0;
  const std::string notifier = "posta-certificata@" + options_.domain;
  for (std::size_t i = processed_; i < all.size(); ++i) {
    const auto& mail = all[i];
    const auto now = time::system_clock().now();
    Daticert base;
    base.mittente = mail.mail_from;
    base.oggetto = mail.subject();
    base.gestore = options_.provider;
    base.giorno = time::format_rome(now, "%d/%m/%Y");
    base.ora = time::format_rome(now, "%H:%M:%S");
    base.zona = time::format_rome(now, "%z");
    base.msgid = mail.header("Message-ID");
    for (const auto& r : mail.rcpt_to) (contains(r, "pec") ? base.destinatari : base.esterni).push_back(r);
    const auto receipt = [&](Daticert d) {
      d.identificativo = "opec-" + ids::random_token(10) + "@" + options_.domain;
      if (auto eml = write_receipt(d, notifier, mail.mail_from, options_.identity)) {
        add_receipt(mail.mail_from, std::move(*eml));
        ++written;
      }
    };
    const bool refused = std::any_of(mail.rcpt_to.begin(), mail.rcpt_to.end(),
                                     [](const std::string& r) { return contains(r, "nonaccettato"); });
    Daticert first = base;
    first.kind = refused ? ReceiptKind::non_accettazione : ReceiptKind::accettazione;
    if (refused) first.errore = "altro";
    receipt(first);
    if (refused) continue;
    for (const auto& r : base.destinatari) {
      Daticert d = base;
      d.consegna = r;
      d.ricevuta = "completa";
      if (contains(r, "ritardo")) {
        Daticert warning = d;
        warning.kind = ReceiptKind::preavviso_errore_consegna;
        warning.errore = "altro";
        warning.errore_esteso = "4.4.7 - Consegna non avvenuta entro 12 ore";
        receipt(warning);
        d.kind = ReceiptKind::errore_consegna;
        d.errore = "altro";
        d.errore_esteso = "4.4.7 - Consegna non avvenuta entro 24 ore";
      } else if (contains(r, "inesistente")) {
        d.kind = ReceiptKind::errore_consegna;
        d.errore = "no-dest";
        d.errore_esteso = "5.1.1 - Utente non esistente";
      } else if (contains(r, "virus")) {
        d.kind = ReceiptKind::rilevazione_virus;
        d.errore = "virus";
      } else {
        d.kind = ReceiptKind::avvenuta_consegna;
        // The message itself, in its transport envelope, in the recipient's mailbox (the simulator is
        // every recipient's provider too).
        Daticert env = base;
        env.kind = ReceiptKind::posta_certificata;
        env.identificativo = "opec-" + ids::random_token(10) + "@" + options_.domain;
        if (auto eml = write_envelope(env, mail.data, notifier, r, options_.identity))
          add_receipt(r, std::move(*eml));
      }
      receipt(d);
    }
  }
  processed_ = all.size();
  return written;
}

void PecSimulator::serve_pop3(adapters::LineConn& c) {
  std::string user;
  std::vector<Stored> box;  // the mailbox as it was at sign-in (RFC 1939: a session sees a fixed list)
  bool signed_in = false;
  c.send("+OK Sportello PEC simulator POP3 ready\r\n");
  while (!pop3_->stopping()) {
    auto line = c.line();
    if (!line) return;
    const std::string cmd = line->substr(0, line->find(' '));
    const std::string arg = line->size() > cmd.size() ? line->substr(cmd.size() + 1) : std::string();
    const auto number = [&]() -> int {
      try {
        const int n = std::stoi(arg);
        return n >= 1 && n <= static_cast<int>(box.size()) ? n : 0;
      } catch (...) {
        return 0;
      }
    };
    if (cmd == "CAPA") {
      c.send("+OK\r\nUSER\r\nUIDL\r\n.\r\n");
    } else if (cmd == "USER") {
      user = arg;
      c.send("+OK\r\n");
    } else if (cmd == "PASS") {
      if (user.empty() || arg != options_.password) {
        c.send("-ERR [AUTH] invalid credentials\r\n");
        continue;
      }
      std::lock_guard lock(mutex_);
      box = mailboxes_[user];
      signed_in = true;
      c.send("+OK\r\n");
    } else if (cmd == "QUIT") {
      c.send("+OK bye\r\n");
      return;
    } else if (!signed_in) {
      c.send("-ERR sign in first\r\n");
    } else if (cmd == "STAT") {
      std::size_t bytes = 0;
      for (const auto& m : box) bytes += m.message.size();
      c.send("+OK " + std::to_string(box.size()) + " " + std::to_string(bytes) + "\r\n");
    } else if (cmd == "UIDL" || cmd == "LIST") {
      std::string listing;
      for (std::size_t i = 0; i < box.size(); ++i)
        listing += std::to_string(i + 1) + " " +
                   (cmd == "UIDL" ? box[i].uid : std::to_string(box[i].message.size())) + "\r\n";
      c.send("+OK\r\n" + listing + ".\r\n");
    } else if (cmd == "RETR") {
      const int n = number();
      if (n == 0) {
        c.send("-ERR no such message\r\n");
        continue;
      }
      c.send("+OK\r\n" + multiline(box[static_cast<std::size_t>(n - 1)].message));
    } else if (cmd == "NOOP") {
      c.send("+OK\r\n");
    } else {
      c.send("-ERR unknown command\r\n");
    }
  }
}

int run_simulator(const PecSimulatorRun& run) {
  // The signals are waited for by this thread: blocked before the simulator's threads start.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  PecSimulatorOptions o;
  o.smtp_port = run.smtp_port;
  o.pop3_port = run.pop3_port;
  o.password = run.password;
  o.process_every = std::chrono::milliseconds(1000);
  std::unique_ptr<PecSimulator> sim;
  try {
    sim = std::make_unique<PecSimulator>(o);
  } catch (const std::exception& e) {
    std::cerr << "sim pec: " << e.what() << "\n";
    return 1;
  }
  sim->start();
  if (!run.cert_out.empty()) {
    std::ofstream out(run.cert_out, std::ios::trunc);
    out << sim->identity().cert_pem;
    if (!out) {
      std::cerr << "sim pec: cannot write " << run.cert_out << "\n";
      return 1;
    }
  }
  std::cout << "PEC provider simulator\n  SMTP (submission): " << sim->smtp_url()
            << "\n  POP3 (mailboxes):  " << sim->pop3_url() << "  (any address, password '" << run.password
            << "')\n  certificate:       " << (run.cert_out.empty() ? std::string("(below)") : run.cert_out)
            << "  (pec_trusted_certs)\n";
  if (run.cert_out.empty()) std::cout << sim->identity().cert_pem;
  std::cout.flush();
  int sig = 0;
  sigwait(&signals, &sig);
  sim->stop();
  return 0;
}

}  // namespace sp::pec
