#include "export/service.hpp"

#include <openssl/evp.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>

#include "audit/body_key.hpp"
#include "core/crypto/encoding.hpp"
#include "core/digest.hpp"
#include "core/ids.hpp"
#include "core/keys/key_ring.hpp"
#include "jobs/store.hpp"

namespace sp::body_export {
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

constexpr int kPageRows = 1000;
constexpr int kPageRowsWithBlobs = 20;
constexpr std::size_t kMaxLine = 64 * 1024 * 1024;

// A file written once, its SHA-256 and size computed as it is written.
class DigestFile {
 public:
  explicit DigestFile(const fs::path& path)
      : out_(path, std::ios::binary | std::ios::trunc), ctx_(EVP_MD_CTX_new(), &EVP_MD_CTX_free) {
    if (!out_) throw std::runtime_error("cannot write " + path.string());
    EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr);
  }
  void write(std::string_view s) {
    out_.write(s.data(), static_cast<std::streamsize>(s.size()));
    EVP_DigestUpdate(ctx_.get(), s.data(), s.size());
    size_ += static_cast<std::int64_t>(s.size());
  }
  std::pair<std::string, std::int64_t> close() {
    out_.flush();
    if (!out_) throw std::runtime_error("write failed");
    out_.close();
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestFinal_ex(ctx_.get(), md, &n);
    return {digest::to_hex(std::string_view(reinterpret_cast<const char*>(md), n)), size_};
  }

 private:
  std::ofstream out_;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_;
  std::int64_t size_ = 0;

 public:
  DigestFile(const DigestFile&) = delete;
};

// SHA-256 and size of a file, read in blocks.
std::optional<std::pair<std::string, std::int64_t>> digest_of(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  std::string buf(1 << 16, '\0');
  std::int64_t size = 0;
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const auto got = in.gcount();
    if (got <= 0) break;
    EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<std::size_t>(got));
    size += got;
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_DigestFinal_ex(ctx.get(), md, &n);
  return std::make_pair(digest::to_hex(std::string_view(reinterpret_cast<const char*>(md), n)), size);
}

std::optional<std::string> read_whole(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

json::value to_json(const db::Value& v) {
  if (std::holds_alternative<std::nullptr_t>(v)) return nullptr;
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* s = std::get_if<std::string>(&v)) return json::string(*s);
  return nullptr;  // blobs are files
}

std::string csv_field(const db::Value& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&v)) return std::to_string(*d);
  if (const auto* t = std::get_if<std::string>(&v)) return csv_cell(*t);
  return {};
}

// A name usable as a file name: the stored name unless it could leave its folder or hide itself.
std::string safe_name(const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name[0] == '.' || name.size() > 200) return "file";
  for (unsigned char ch : name)
    if (ch < 0x20 || ch == '/' || ch == '\\' || ch == 0x7f) return "file";
  return name;
}

std::string key_text(const db::Row& row, const std::vector<std::size_t>& key_idx) {
  std::string out;
  for (auto i : key_idx) {
    std::string part = row.is_null(i) ? "null" : row.text(i);
    for (auto& ch : part)
      if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_')) ch = '_';
    out += (out.empty() ? "" : "-") + part;
  }
  return out;
}

// A relative path inside the export: no absolute path, no "..", no backslash or control character.
bool safe_relative(const std::string& p) {
  if (p.empty() || p[0] == '/' || p.size() > 1024) return false;
  for (unsigned char ch : p)
    if (ch < 0x20 || ch == '\\' || ch == 0x7f) return false;
  for (const auto& part : fs::path(p))
    if (part == ".." || part == ".") return false;
  return true;
}

// One POSIX tar (ustar) header block for a regular file; a path longer than ustar's 100 bytes, or a size
// beyond its 8 GiB, goes first in a pax extended header ('x'), which GNU tar, bsdtar and Python read.
std::string ustar_block(const std::string& name, std::int64_t size, char type) {
  std::string h(512, '\0');
  auto put = [&](std::size_t at, std::size_t width, const std::string& v) {
    h.replace(at, std::min(v.size(), width), v.substr(0, width));
  };
  auto octal = [](std::int64_t v, int digits) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%0*llo", digits, static_cast<unsigned long long>(v));
    return std::string(buf);
  };
  put(0, 100, name);
  put(100, 8, "0000644");
  put(108, 8, "0000000");
  put(116, 8, "0000000");
  put(124, 12, octal(size < 077777777777LL ? size : 0, 11));
  put(136, 12, octal(0, 11));  // mtime 0: the same folder gives the same archive
  h.replace(148, 8, "        ");
  h[156] = type;
  put(257, 6, std::string("ustar\0", 6));
  put(263, 2, "00");
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  put(148, 8, octal(sum, 6) + std::string("\0 ", 2));
  return h;
}

std::string pax_record(const std::string& key, const std::string& value) {
  const std::string body = " " + key + "=" + value + "\n";
  std::size_t n = body.size() + 1;
  while (std::to_string(n).size() + body.size() != n) n = std::to_string(n).size() + body.size();
  return std::to_string(n) + body;
}

std::string tar_header(const std::string& path, std::int64_t size) {
  std::string out;
  std::string records;
  if (path.size() > 100) records += pax_record("path", path);
  if (size >= 077777777777LL) records += pax_record("size", std::to_string(size));
  if (!records.empty()) {
    out += ustar_block("PaxHeaders/" + std::to_string(std::hash<std::string>{}(path)),
                       static_cast<std::int64_t>(records.size()), 'x');
    out += records;
    out += std::string((512 - records.size() % 512) % 512, '\0');
  }
  out += ustar_block(path.substr(0, 100), size, '0');
  return out;
}

std::string now_iso(const time::Clock& clock) {
  return time::format_iso_utc_millis(clock.now());
}

audit::Entry audit_entry(std::int64_t tenant, const Actor& actor, std::string action, std::string record_id,
                         json::object details) {
  audit::Entry e;
  e.tenant_id = tenant;
  e.actor_kind = actor.kind;
  e.actor_id = actor.id;
  e.channel = actor.channel;
  e.action = std::move(action);
  e.record_type = "export";
  e.record_id = std::move(record_id);
  e.details = json::serialize(details);
  return e;
}

db::Value from_json(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      return nullptr;
    case json::kind::int64:
      return v.get_int64();
    case json::kind::uint64:
      return static_cast<std::int64_t>(v.get_uint64());
    case json::kind::double_:
      return v.get_double();
    case json::kind::bool_:
      return std::int64_t{v.get_bool() ? 1 : 0};
    case json::kind::string:
      return std::string(v.get_string());
    default:
      return std::string(json::serialize(v));
  }
}

}  // namespace

std::string csv_cell(std::string_view s) {
  if (s.find_first_of(";\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char ch : s) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return out + "\"";
}

boost::json::array rows_as_json(db::Conn& c, const std::string& table, const std::string& where,
                                const std::string& param, const std::set<std::string>& withheld, int limit) {
  std::vector<Column> cols;
  for (auto& col : store::columns(c, table))
    if (!col.blob && !withheld.count(col.name)) cols.push_back(std::move(col));
  json::array out;
  for (const auto& r : store::rows_where(c, table, cols, where, param, limit)) {
    json::object o;
    for (std::size_t i = 0; i < cols.size(); ++i) o[cols[i].name] = to_json(r.raw(i));
    out.push_back(std::move(o));
  }
  return out;
}

BodyExportService::BodyExportService(db::Database& db, audit::AuditService& audit, files::FileService& files,
                                     const time::Clock& clock)
    : db_(db), audit_(audit), files_(files), clock_(clock) {}

std::optional<BodyRef> BodyExportService::find_body(const std::string& ref) {
  std::optional<BodyRef> out;
  db_.read([&](db::Conn& c) { out = store::find_body(c, ref); });
  return out;
}

Result<ExportRun> BodyExportService::queue(std::int64_t tenant, const Actor& actor) {
  ExportRun r;
  r.id = ids::random_token(16);
  r.tenant_id = tenant;
  r.state = "queued";
  r.requested_by = actor.id;
  r.requested_at = now_iso(clock_);
  return db::transact(db_, [&](db::Conn& tx) -> Result<ExportRun> {
    store::insert_run(tx, r);
    if (auto job =
            jobs::enqueue(tx, jobs::NewJob{"export.body", tenant, r.id, r.id, std::nullopt}, clock_.now());
        !job)
      return job.error();
    if (auto st = audit_.record(tx, audit_entry(tenant, actor, "body.export.requested", r.id, {})); !st)
      return st.error();
    return r;
  });
}

Result<Summary> BodyExportService::run_queued(const std::string& run_id, std::int64_t tenant,
                                              const std::string& out_dir) {
  auto r = run(tenant, run_id);
  if (!r) return Error::make("body_export.unknown_run", 404, run_id);
  std::optional<BodyRef> b;
  db_.read([&](db::Conn& c) {
    if (auto slug = store::body_slug(c, tenant)) b = store::find_body(c, *slug);
  });
  if (!b) return Error::make("body_export.unknown_body", 404, std::to_string(tenant));
  const BodyRef ref = *b;
  const std::string dir = out_dir + "/" + ref.slug + "-" + run_id;
  if (r->state == "done") {  // a job run again after its commit was lost: the export is there
    Summary sum;
    sum.run_id = run_id;
    sum.dir = r->out_dir;
    sum.body_slug = ref.slug;
    sum.body_id = ref.id;
    sum.manifest_sha256 = r->manifest_sha256;
    if (r->archive_size == 0)  // the archive was not written (or not recorded): again, from the folder
      if (auto a = archive(run_id, r->out_dir); !a) return a.error();
    return sum;
  }
  // A folder left by an earlier attempt of this run (its name is ours: slug and the run's random id).
  std::error_code ec;
  fs::remove_all(dir, ec);
  db_.write([&](db::Conn& tx) { store::start_run(tx, run_id); });
  Actor actor{audit::ActorKind::staff, r->requested_by, audit::Channel::web};
  auto done = write_export(ref, run_id, dir, actor);
  if (!done) {
    db_.write([&](db::Conn& tx) {
      store::finish_run(tx, run_id, "failed", now_iso(clock_), "", "", "{}",
                        done.error().code + ": " + done.error().detail);
    });
    return done;
  }
  // The archive to download; a failure here is retried by the job (the folder stays, the run is done).
  if (auto a = archive(run_id, dir); !a) return a.error();
  return done;
}

Result<Archive> BodyExportService::archive(const std::string& run_id, const std::string& dir) {
  auto a = write_archive(dir);
  if (!a) return a;
  db_.write([&](db::Conn& tx) { store::set_archive(tx, run_id, a->size, a->sha256); });
  return a;
}

Result<Archive> BodyExportService::write_archive(const std::string& dir) {
  const fs::path root(dir);
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return Error::make("body_export.no_archive", 410, dir);
  std::vector<std::string> paths;  // relative, '/'-separated, sorted: the same folder gives the same tar
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec))
    if (it->is_regular_file()) paths.push_back(fs::relative(it->path(), root).generic_string());
  if (ec) return Error::make("body_export.no_archive", 410, dir);
  std::sort(paths.begin(), paths.end());
  const std::string top = root.filename().string();
  const fs::path part = dir + ".tar.part";
  try {
    DigestFile out(part);
    for (const auto& rel : paths) {
      const fs::path file = root / rel;
      const auto size = static_cast<std::int64_t>(fs::file_size(file));
      out.write(tar_header(top + "/" + rel, size));
      std::ifstream in(file, std::ios::binary);
      if (!in) throw std::runtime_error("cannot read " + file.string());
      std::string buf(1 << 16, '\0');
      std::int64_t left = size;
      while (left > 0) {
        in.read(buf.data(), static_cast<std::streamsize>(std::min<std::int64_t>(left, buf.size())));
        const auto got = in.gcount();
        if (got <= 0) throw std::runtime_error("short read " + file.string());
        out.write(std::string_view(buf.data(), static_cast<std::size_t>(got)));
        left -= got;
      }
      out.write(std::string(static_cast<std::size_t>((512 - size % 512) % 512), '\0'));
    }
    out.write(std::string(1024, '\0'));  // the end: two empty blocks
    auto [sha, size] = out.close();
    fs::rename(part, dir + ".tar");
    return Archive{dir + ".tar", size, sha};
  } catch (const std::exception& e) {
    fs::remove(part, ec);
    return Error::make("body_export.no_archive", 500, e.what());
  }
}

Result<std::string> BodyExportService::create_link(std::int64_t tenant, const std::string& run_id,
                                                   const Actor& actor) {
  auto r = run(tenant, run_id);
  if (!r || r->state != "done") return Error::make("body_export.link", 404);
  std::error_code ec;
  if (r->archive_size <= 0 || !fs::exists(r->out_dir + ".tar", ec))
    return Error::make("body_export.no_archive", 410, r->id);
  if (r->archive_size > kMaxDownloadBytes)
    return Error::make("body_export.too_large", 413,
                       std::to_string(kMaxDownloadBytes / (1024 * 1024)) + " MB");
  const std::string token = ids::random_token(32);
  const auto now = clock_.now();
  const std::string expires = time::format_iso_utc_millis(now + std::chrono::minutes(kLinkMinutes));
  return db::transact(db_, [&](db::Conn& tx) -> Result<std::string> {
    store::insert_link(tx, digest::sha256_hex(token), *r, actor.id, time::format_iso_utc_millis(now),
                       expires);
    if (auto st =
            audit_.record(tx, audit_entry(tenant, actor, "body.export.link", r->id,
                                          {{"expires_at", expires}, {"archive_sha256", r->archive_sha256}}));
        !st)
      return st.error();
    return token;
  });
}

Result<Download> BodyExportService::redeem(const std::string& token,
                                           const std::function<bool(std::int64_t)>& may, const Actor& actor) {
  if (token.size() != 43) return Error::make("body_export.link", 404);
  const std::string hash = digest::sha256_hex(token);
  const std::string now = now_iso(clock_);
  return db::transact(db_, [&](db::Conn& tx) -> Result<Download> {
    auto link = store::link_for_use(tx, hash);
    // Unknown and another body's look the same: nothing said about what is not the caller's.
    if (!link || !may(link->tenant_id)) return Error::make("body_export.link", 404);
    if (!link->used_at.empty()) return Error::make("body_export.link_used", 410);
    if (link->expires_at <= now) return Error::make("body_export.link_expired", 410);
    auto r = store::run(db_, link->tenant_id, link->run_id);
    if (!r || r->archive_size <= 0) return Error::make("body_export.no_archive", 410);
    store::use_link(tx, hash, now, actor.id);
    if (auto st = audit_.record(
            tx, audit_entry(link->tenant_id, actor, "body.export.downloaded", r->id,
                            {{"archive_sha256", r->archive_sha256}, {"archive_size", r->archive_size}}));
        !st)
      return st.error();
    return Download{*r, r->out_dir + ".tar", fs::path(r->out_dir).filename().string() + ".tar"};
  });
}

Result<std::string> BodyExportService::read_archive(const Download& d) {
  std::error_code ec;
  const auto size = fs::file_size(d.path, ec);
  if (ec) return Error::make("body_export.no_archive", 410, d.run.id);
  if (static_cast<std::int64_t>(size) != d.run.archive_size || d.run.archive_size > kMaxDownloadBytes)
    return Error::make("files.corrupt", 500, d.path);
  auto bytes = read_whole(d.path);
  if (!bytes || digest::sha256_hex(*bytes) != d.run.archive_sha256)
    return Error::make("files.corrupt", 500, d.path);
  return std::move(*bytes);
}

Result<Summary> BodyExportService::export_body(const std::string& body_ref, const std::string& out_dir,
                                               const Actor& actor) {
  auto body = find_body(body_ref);
  if (!body) return Error::make("body_export.unknown_body", 404, body_ref);
  ExportRun r;
  r.id = ids::random_token(16);
  r.tenant_id = body->id;
  r.state = "running";
  r.requested_by = actor.id;
  r.requested_at = now_iso(clock_);
  db_.write([&](db::Conn& tx) { store::insert_run(tx, r); });
  auto done = write_export(*body, r.id, out_dir, actor);
  if (!done) {
    db_.write([&](db::Conn& tx) {
      store::finish_run(tx, r.id, "failed", now_iso(clock_), out_dir, "", "{}",
                        done.error().code + ": " + done.error().detail);
    });
  }
  return done;
}

Result<Summary> BodyExportService::write_export(const BodyRef& body, const std::string& run_id,
                                                const std::string& out_dir, const Actor& actor) {
  std::error_code ec;
  const fs::path root(out_dir);
  if (fs::exists(root, ec) && !fs::is_empty(root, ec))
    return Error::make("body_export.out_dir", 409, out_dir);
  fs::create_directories(root / "tables", ec);
  fs::create_directories(root / "csv", ec);
  if (ec) return Error::make("body_export.out_dir", 409, out_dir + ": " + ec.message());

  // The export itself, in the chain it exports.
  if (auto st = db::transact(
          db_,
          [&](db::Conn& tx) -> Result<audit::Appended> {
            return audit_.record(
                tx, audit_entry(body.id, actor, "body.export", run_id,
                                json::object{{"format", kFormat}, {"format_version", kFormatVersion}}));
          });
      !st)
    return st.error();

  Summary sum;
  sum.run_id = run_id;
  sum.dir = out_dir;
  sum.body_slug = body.slug;
  sum.body_id = body.id;
  json::array files_list;
  json::array tables_list;
  std::string audit_head_hash;
  auto add_file = [&](const std::string& rel, const std::pair<std::string, std::int64_t>& d) {
    files_list.push_back(json::object{{"path", rel}, {"sha256", d.first}, {"size", d.second}});
    sum.files += 1;
    sum.bytes += d.second;
  };
  std::optional<Error> failure;
  std::set<std::string> chain_key_ids;  // the keys the body's chain was made with

  db_.read([&](db::Conn& c) {
    store::begin_snapshot(c);
    try {
      for (const auto& spec : exported_tables()) {
        auto cols = store::columns(c, spec.name);
        if (cols.empty()) continue;  // a table this database does not have yet
        std::set<std::string> withheld;
        for (const auto& [name, _] : spec.withheld) withheld.insert(name);
        const bool files_table = spec.name == "stored_files";
        std::vector<Column> selected;
        for (const auto& col : cols) {
          if (withheld.count(col.name) || (files_table && col.name == "content")) continue;
          selected.push_back(col);
        }
        // Key columns first, then the others by name: the same file whichever database (and whichever
        // history of migrations) the rows come from.
        std::stable_sort(selected.begin(), selected.end(), [&](const Column& a, const Column& b) {
          auto rank = [&](const Column& c) {
            auto it = std::find(spec.key.begin(), spec.key.end(), c.name);
            return it == spec.key.end() ? spec.key.size() : static_cast<std::size_t>(it - spec.key.begin());
          };
          const auto ra = rank(a);
          const auto rb = rank(b);
          return ra != rb ? ra < rb : (ra == spec.key.size() && a.name < b.name);
        });
        std::vector<std::size_t> key_idx;
        for (const auto& k : spec.key)
          for (std::size_t i = 0; i < selected.size(); ++i)
            if (selected[i].name == k) key_idx.push_back(i);
        bool has_blob = false;
        for (const auto& col : selected) has_blob = has_blob || col.blob;

        const std::string rel = "tables/" + spec.name + ".jsonl";
        DigestFile out(root / rel);
        std::unique_ptr<DigestFile> csv;
        if (spec.csv) {
          csv = std::make_unique<DigestFile>(root / ("csv/" + spec.name + ".csv"));
          std::string header = "\xEF\xBB\xBF";  // UTF-8 BOM: spreadsheets then read the accents right
          for (std::size_t i = 0; i < selected.size(); ++i) header += (i ? ";" : "") + selected[i].name;
          csv->write(header + "\r\n");
        }
        std::int64_t rows = 0;
        std::vector<db::Value> after;
        for (;;) {
          auto page = store::page(c, spec, selected, body.id, body.hub_id, after,
                                  has_blob ? kPageRowsWithBlobs : kPageRows);
          for (const auto& row : page) {
            json::object obj;
            for (std::size_t i = 0; i < selected.size(); ++i) {
              const auto& col = selected[i];
              if (col.blob && !row.is_null(i)) {
                const std::string ext =
                    spec.name == "protocol_daily_registers" && col.name == "pdf" ? ".pdf" : ".bin";
                const std::string brel =
                    "blobs/" + spec.name + "/" + key_text(row, key_idx) + "." + col.name + ext;
                fs::create_directories((root / brel).parent_path());
                DigestFile bf(root / brel);
                bf.write(row.blob(i));
                add_file(brel, bf.close());
                obj[col.name] = json::object{{"$file", brel}};
              } else {
                obj[col.name] = to_json(row.raw(i));
              }
            }
            if (files_table) {
              const std::string id = row.text(row.index("id"));
              const std::string sha = row.text(row.index("sha256"));
              std::optional<std::string> bytes;
              if (row.text(row.index("storage")) == "database") {
                bytes = store::file_content(c, body.id, id);
              } else {
                bytes = read_whole(files_.content_path(body.id, sha));
              }
              if (!bytes || digest::sha256_hex(*bytes) != sha)
                throw std::runtime_error("stored file " + id +
                                         ": content missing or not matching its SHA-256");
              const std::string frel =
                  "files/" + safe_name(id) + "/" + safe_name(row.text(row.index("file_name")));
              fs::create_directories((root / frel).parent_path());
              DigestFile ff(root / frel);
              ff.write(*bytes);
              add_file(frel, ff.close());
              obj["content"] = json::object{{"$file", frel}};
            }
            if (spec.name == "audit_log") {
              audit_head_hash = row.text(row.index("hash"));
              sum.audit_head_seq = row.i64(row.index("seq"));
              if (const auto k = row.text(row.index("key_id")); !k.empty()) chain_key_ids.insert(k);
            }
            out.write(json::serialize(obj));
            out.write("\n");
            if (csv) {
              std::string line;
              for (std::size_t i = 0; i < selected.size(); ++i)
                line += (i ? ";" : "") + (selected[i].blob ? std::string() : csv_field(row.raw(i)));
              csv->write(line + "\r\n");
            }
            ++rows;
          }
          if (static_cast<int>(page.size()) < (has_blob ? kPageRowsWithBlobs : kPageRows)) break;
          after.clear();
          for (auto i : key_idx) after.push_back(page.back().raw(i));
        }
        add_file(rel, out.close());
        json::object t{{"name", spec.name}, {"file", rel}, {"rows", rows}};
        if (csv) {
          const std::string crel = "csv/" + spec.name + ".csv";
          add_file(crel, csv->close());
          t["csv"] = crel;
        }
        if (!spec.withheld.empty()) {
          json::array w;
          for (const auto& [name, _] : spec.withheld) w.push_back(json::string(name));
          t["withheld"] = w;
        }
        tables_list.push_back(t);
        sum.rows[spec.name] = rows;
      }
      store::end_snapshot(c, true);
    } catch (const std::exception& e) {
      store::end_snapshot(c, false);
      failure = Error::make("body_export.out_dir", 500, e.what());
    }
  });
  if (failure) return *failure;

  // The keys of the body's chain (audit/key.hpp, "Per body"), so that its new provider can verify it:
  // the body's own keys (derived from the hub's, one-way) and those it brought from an earlier hub.
  // The hub's own keys never leave: entries made with them (before chains were keyed per body) are
  // listed as verifiable here only.
  {
    json::array keys_out, kept;
    if (const auto& hub_key = audit_.key()) {
      const audit::ChainKey mine = audit::chain_key_for(*hub_key, body.id, body.slug);
      std::set<std::string> hub_ids{hub_key->id};
      for (const auto& k : hub_key->older) hub_ids.insert(k.id);
      for (const auto& id : chain_key_ids) {
        const audit::ChainKey* k = mine.find(id);
        if (k == nullptr || hub_ids.count(id)) {
          kept.push_back(json::string(id));
          continue;
        }
        keys_out.push_back(json::object{{"id", k->id}, {"secret_hex", digest::to_hex(k->secret)}});
      }
    } else {
      for (const auto& id : chain_key_ids) kept.push_back(json::string(id));
    }
    const json::object keys_doc{{"format", "sportello-audit-chain-keys"},
                                {"format_version", 1},
                                {"body_id", body.id},
                                {"alg", "HMAC-SHA256"},
                                {"keys", keys_out},
                                {"verifiable_only_at_the_old_hub", kept}};
    try {
      fs::create_directories(root / "audit");
      DigestFile kf(root / "audit/chain-keys.json");
      kf.write(json::serialize(keys_doc) + "\n");
      add_file("audit/chain-keys.json", kf.close());
      fs::permissions(root / "audit/chain-keys.json", fs::perms::owner_read | fs::perms::owner_write);
    } catch (const std::exception& e) {
      return Error::make("body_export.out_dir", 500, e.what());
    }
  }

  json::object manifest{
      {"format", kFormat},
      {"format_version", kFormatVersion},
      {"export_id", run_id},
      {"exported_at", now_iso(clock_)},
      {"exported_by", actor.id},
      {"source_dialect", db_.dialect() == db::Dialect::sqlite ? "sqlite" : "postgres"},
      {"body", json::object{{"id", body.id},
                            {"slug", body.slug},
                            {"name", body.name},
                            {"ipa_code", body.ipa_code},
                            {"fiscal_code", body.fiscal_code}}},
      {"audit_head", json::object{{"seq", sum.audit_head_seq}, {"hash", audit_head_hash}}},
      {"tables", tables_list},
      {"files", files_list},
  };
  const std::string text = json::serialize(manifest) + "\n";
  {
    DigestFile mf(root / "manifest.json");
    mf.write(text);
    sum.manifest_sha256 = mf.close().first;
  }
  json::object counts{{"files", sum.files}, {"bytes", sum.bytes}};
  json::object rows;
  for (const auto& [t, n] : sum.rows) rows[t] = n;
  counts["rows"] = rows;
  auto st = db::transact(db_, [&](db::Conn& tx) -> Result<audit::Appended> {
    store::finish_run(tx, run_id, "done", now_iso(clock_), out_dir, sum.manifest_sha256,
                      json::serialize(counts), "");
    return audit_.record(tx, audit_entry(body.id, actor, "body.export.completed", run_id,
                                         json::object{{"manifest_sha256", sum.manifest_sha256},
                                                      {"files", sum.files},
                                                      {"bytes", sum.bytes}}));
  });
  if (!st) return st.error();
  return sum;
}

Result<std::string> BodyExportService::verify_directory(const std::string& dir) {
  const fs::path root(dir);
  auto text = read_whole(root / "manifest.json");
  if (!text) return Error::make("body_export.manifest", 422, "manifest.json");
  json::value manifest;
  try {
    manifest = json::parse(*text);
  } catch (const std::exception&) {
    return Error::make("body_export.manifest", 422, "manifest.json");
  }
  if (!manifest.is_object() || !manifest.as_object().contains("files") ||
      manifest.at("format") != json::value(json::string(kFormat)))
    return Error::make("body_export.manifest", 422, "manifest.json");
  std::set<std::string> listed;
  for (const auto& f : manifest.at("files").as_array()) {
    const std::string path(f.at("path").as_string());
    if (!safe_relative(path)) return Error::make("body_export.path", 422, path);
    listed.insert(path);
    const fs::path full = root / path;
    std::error_code ec;
    if (fs::is_symlink(full, ec) || !fs::is_regular_file(full, ec))
      return Error::make("body_export.missing_file", 422, path);
    auto d = digest_of(full);
    if (!d) return Error::make("body_export.missing_file", 422, path);
    if (d->first != std::string(f.at("sha256").as_string()) ||
        d->second != f.at("size").to_number<std::int64_t>())
      return Error::make("body_export.digest_mismatch", 422, path);
  }
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (ec) break;
    if (it->is_directory()) continue;
    const std::string rel = fs::relative(it->path(), root).generic_string();
    if (rel == "manifest.json") continue;
    if (!listed.count(rel)) return Error::make("body_export.unlisted_file", 422, rel);
  }
  return *text;
}

Result<Summary> BodyExportService::import_body(const std::string& dir, const Actor& actor) {
  auto manifest_text = verify_directory(dir);
  if (!manifest_text) return manifest_text.error();
  const json::value manifest = json::parse(*manifest_text);
  const fs::path root(dir);
  const auto& mbody = manifest.at("body").as_object();
  const std::int64_t body_id = mbody.at("id").to_number<std::int64_t>();
  const std::string slug(mbody.at("slug").as_string());
  std::map<std::string, json::object> listed_tables;
  for (const auto& t : manifest.at("tables").as_array())
    listed_tables[std::string(t.at("name").as_string())] = t.as_object();
  std::set<std::string> listed_files;
  for (const auto& f : manifest.at("files").as_array())
    listed_files.insert(std::string(f.at("path").as_string()));

  Summary sum;
  sum.dir = dir;
  sum.body_slug = slug;
  sum.body_id = body_id;
  sum.manifest_sha256 = digest::sha256_hex(*manifest_text);
  const bool files_on_disk = files_.storage() == files::Storage::directory;

  // The keys the chain brought (audit/chain-keys.json, checked against the manifest above): each must be
  // the key its id names. Exports made before the file existed have none.
  std::vector<audit::ChainKey> brought;
  if (listed_files.count("audit/chain-keys.json")) {
    auto text = read_whole(root / "audit/chain-keys.json");
    json::value doc;
    try {
      doc = json::parse(text ? *text : std::string());
    } catch (const std::exception&) {
      return Error::make("body_export.chain_keys", 422, "audit/chain-keys.json");
    }
    if (!doc.is_object() || !doc.as_object().contains("keys") || !doc.at("keys").is_array() ||
        doc.at("body_id") != json::value(body_id))
      return Error::make("body_export.chain_keys", 422, "audit/chain-keys.json");
    for (const auto& k : doc.at("keys").as_array()) {
      const auto* o = k.if_object();
      const auto* id = o ? o->if_contains("id") : nullptr;
      const auto* hex = o ? o->if_contains("secret_hex") : nullptr;
      std::optional<std::string> secret;
      if (hex && hex->is_string()) secret = crypto::hex_decode(std::string_view(hex->as_string()));
      if (!id || !id->is_string() || !secret || secret->size() != audit::kKeyBytes ||
          audit::key_id_of(*secret) != std::string_view(id->as_string()))
        return Error::make("body_export.chain_keys", 422, "audit/chain-keys.json");
      brought.push_back(audit::make_key(std::move(*secret)));
    }
  }
  // The keys that verify the imported chain: those it brought, and this hub's for the body (the import's
  // own entry).
  audit::ChainKey verifier;
  if (const auto& key = audit_.key()) {
    audit::ChainKey with = *key;
    for (const auto& k : brought) {
      with.older.push_back(k);
      with.older.back().id = slug + audit::kImportedKeySeparator + k.id;
    }
    verifier = audit::chain_key_for(with, body_id, slug);
  } else {
    verifier.id = "-";
    verifier.older = brought;
  }

  auto imported = db::transact(db_, [&](db::Conn& tx) -> Result<Summary> {
    if (store::body_taken(tx, body_id, slug)) return Error::make("body_export.body_exists", 409, slug);
    std::map<std::int64_t, std::int64_t> hub_map;
    std::map<std::int64_t, std::int64_t> service_map;
    for (const auto& spec : exported_tables()) {
      auto listed = listed_tables.find(spec.name);
      if (listed == listed_tables.end()) continue;
      const std::string rel(listed->second.at("file").as_string());
      if (!listed_files.count(rel)) return Error::make("body_export.missing_file", 422, rel);
      auto cols = store::columns(tx, spec.name);
      std::set<std::string> known;
      for (const auto& col : cols) known.insert(col.name);
      std::ifstream in(root / rel, std::ios::binary);
      std::string line;
      std::int64_t rows = 0;
      std::int64_t line_no = 0;
      while (std::getline(in, line)) {
        ++line_no;
        if (line.empty()) continue;
        if (line.size() > kMaxLine)
          return Error::make("body_export.rows", 422, rel + ":" + std::to_string(line_no));
        json::value v;
        try {
          v = json::parse(line);
        } catch (const std::exception&) {
          return Error::make("body_export.rows", 422, rel + ":" + std::to_string(line_no));
        }
        if (!v.is_object()) return Error::make("body_export.rows", 422, rel + ":" + std::to_string(line_no));
        std::vector<std::string> names;
        db::Params values;
        std::int64_t old_id = 0;
        for (const auto& [k, val] : v.as_object()) {
          const std::string name(k);
          if (!known.count(name))
            return Error::make("body_export.rows", 422,
                               rel + ":" + std::to_string(line_no) + ": column " + name);
          if (name == "id" && val.is_int64()) old_id = val.get_int64();
          db::Value value = from_json(val);
          if (val.is_object() && val.as_object().contains("$file")) {
            const std::string frel(val.at("$file").as_string());
            if (!listed_files.count(frel)) return Error::make("body_export.missing_file", 422, frel);
            auto bytes = read_whole(root / frel);
            if (!bytes) return Error::make("body_export.missing_file", 422, frel);
            if (spec.name == "stored_files" && files_on_disk) {
              const std::string sha(v.at("sha256").as_string());
              const auto path = files_.content_path(body_id, sha);
              std::error_code ec;
              fs::create_directories(path.parent_path(), ec);
              std::ofstream f(path, std::ios::binary | std::ios::trunc);
              f.write(bytes->data(), static_cast<std::streamsize>(bytes->size()));
              if (!f) return Error::make("body_export.out_dir", 500, path.string());
              value = nullptr;
            } else {
              value = db::Blob{std::move(*bytes)};
            }
          }
          if (spec.name == "stored_files" && name == "storage")
            value = std::string(files_on_disk ? "directory" : "database");
          if (spec.name == "bodies" && name == "hub_id" && val.is_int64()) {
            if (auto m = hub_map.find(val.get_int64()); m != hub_map.end()) value = m->second;
          }
          if (spec.name == "body_services" && name == "service_id") {
            auto m = service_map.find(val.to_number<std::int64_t>());
            if (m == service_map.end())
              return Error::make("body_export.rows", 422,
                                 rel + ":" + std::to_string(line_no) + ": service_id");
            value = m->second;
          }
          names.push_back(name);
          values.push_back(std::move(value));
        }
        for (const auto& [name, placeholder] : spec.withheld) {
          if (!known.count(name)) continue;
          names.push_back(name);
          values.push_back(placeholder.empty() ? db::Value{nullptr} : db::Value{placeholder});
        }
        if (spec.scope == Scope::hub) {
          const std::string hub_slug(v.at("slug").as_string());
          auto same = store::id_by(tx, "hubs", "slug", hub_slug);
          const std::int64_t existing = same ? *same : store::any_hub(tx);
          if (existing != 0) {
            hub_map[old_id] = existing;
            ++rows;
            continue;
          }
          hub_map[old_id] = old_id;
        }
        if (spec.name == "services") {
          // The target's catalog keeps its numbers: the body's service keeps its id only where it is free.
          const db::Value code{std::string(v.at("code").as_string())};
          if (store::id_by(tx, "services", "code", code) ||
              store::id_by(tx, "services", "id", db::Value{old_id})) {
            for (std::size_t i = 0; i < names.size(); ++i)
              if (names[i] == "id") {
                names.erase(names.begin() + static_cast<std::ptrdiff_t>(i));
                values.erase(values.begin() + static_cast<std::ptrdiff_t>(i));
                break;
              }
          }
        }
        try {
          store::insert(tx, spec.name, names, values, spec.merge ? "merge" : "");
        } catch (const db::DbError& e) {
          return Error::make("body_export.rows", 422, rel + ":" + std::to_string(line_no) + ": " + e.what());
        }
        if (spec.name == "services") {
          auto id = store::id_by(tx, "services", "code", db::Value{std::string(v.at("code").as_string())});
          if (!id) return Error::make("body_export.rows", 422, rel + ":" + std::to_string(line_no));
          service_map[old_id] = *id;
        }
        ++rows;
      }
      const std::int64_t expected = listed->second.at("rows").to_number<std::int64_t>();
      if (rows != expected)
        return Error::make(
            "body_export.rows", 422,
            spec.name + ": " + std::to_string(rows) + " rows, the manifest says " + std::to_string(expected));
      store::reset_sequences(tx, spec.name, cols);
      sum.rows[spec.name] = rows;
    }
    auto st = audit_.record(
        tx, audit_entry(body_id, actor, "body.import", std::string(manifest.at("export_id").as_string()),
                        json::object{{"manifest_sha256", sum.manifest_sha256}}));
    if (!st) return st.error();
    sum.audit_head_seq = st->seq;
    sum.files = static_cast<std::int64_t>(listed_files.size());
    // The chain as imported, walked before it is committed: a broken link refuses the import.
    const auto report = audit::verify_chain_with(tx, body_id, verifier);
    if (!report.intact)
      return Error::make("body_export.audit_chain", 422,
                         "seq " + std::to_string(report.broken_seq) + ": " + report.problem);
    sum.chain_entries = report.entries;
    sum.chain_unchecked = report.unchecked_entries;
    return sum;
  });
  if (!imported) return imported;
  // The keys it brought join the body's ring (verify only), so `sportello audit verify` checks them too.
  if (!keys_dir_.empty()) {
    for (const auto& k : brought) {
      auto placed = keys::import_secret(keys_dir_, slug, keys::Purpose::audit_hmac, k.secret,
                                        keys::KeyStatus::retired, clock_.now());
      if (!placed) return placed.error();
    }
  }
  return imported;
}

Result<std::string> BodyExportService::leave_body(const std::string& body_ref, const std::string& export_id,
                                                  const Actor& actor, const std::string& reason) {
  auto body = find_body(body_ref);
  if (!body) return Error::make("body_export.unknown_body", 404, body_ref);
  auto r = run(body->id, export_id);
  if (!r || r->state != "done") return Error::make("body_export.no_export", 409, export_id);
  const std::string at = now_iso(clock_);
  return db::transact(db_, [&](db::Conn& tx) -> Result<std::string> {
    if (store::departed(tx, body->id)) return Error::make("body_export.already_left", 409, body->slug);
    store::insert_departure(tx, body->id, at, actor.id, export_id, r->manifest_sha256, reason);
    store::deactivate_body(tx, body->id);
    store::revoke_access(tx, body->id, at);
    auto st = audit_.record(
        tx, audit_entry(body->id, actor, "body.leave", export_id,
                        json::object{{"manifest_sha256", r->manifest_sha256}, {"reason", reason}}));
    if (!st) return st.error();
    return at;
  });
}

}  // namespace sp::body_export
