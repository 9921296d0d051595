#pragma once
// A body's complete data out of the hub and back into another one (cloud reversibility; docs/export.md).
//
// export_body: every exported table's rows of the body as JSON Lines (tables/<table>.jsonl, one object per
// row, columns by name), the registers staff open as CSV (csv/<table>.csv), the stored files as the files
// they are (files/<id>/<name>), other binary columns as files (blobs/<table>/<key>.<column>), and
// manifest.json listing every file with its SHA-256 and size and every table with its row count. Rows are
// read in pages in key order inside one snapshot and written as they are read: memory does not grow with
// the body. The export is recorded in the body's audit chain before the snapshot (so the export holds its
// own entry) and again when done, with the manifest's SHA-256.
//
// import_body: into a hub without that body, after checking every file of the directory against the
// manifest (a changed, missing or unlisted file refuses the import, naming it): every row in one
// transaction, the stored files where the target keeps files, the hub's catalog entries and form versions
// merged, and an entry appended to the imported audit chain.
//
// leave_body: the separate, explicit step after a completed export: the body stops being served, its
// staff sessions, API keys and station credentials end; its legal records stay (docs/export.md).
//
// Error codes: body_export.unknown_body (404), body_export.out_dir (409: exists and is not empty, or
// cannot be written), body_export.manifest (422: missing or unreadable), body_export.path (422: a path
// leaves the export), body_export.missing_file, body_export.unlisted_file, body_export.digest_mismatch
// (422; detail: the file), body_export.body_exists (409), body_export.rows (422: a table's rows differ
// from the manifest's count, or a row does not fit the schema), body_export.chain_keys (422: the chain's
// keys file is not what it should be), body_export.audit_chain (422: the imported chain does not verify;
// detail: the entry and why), body_export.no_export (409: leave without
// a completed export of the body), body_export.already_left (409).
#include <boost/json.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "audit/service.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "db/database.hpp"
#include "export/store.hpp"
#include "files/service.hpp"

namespace sp::body_export {

inline constexpr std::string_view kFormat = "sportello-body-export";
inline constexpr int kFormatVersion = 1;

// A CSV field as the exports write it: as it is, or quoted (RFC 4180) when it holds ';', '"' or a line
// break. Separator ';' (what spreadsheets set to Italian expect).
std::string csv_cell(std::string_view s);

// Up to `limit` rows of `table` for which `where` holds ($1 = `param`), each a JSON object of its columns
// (binary columns and those in `withheld` left out), read on `c`. For a person's own data (src/privacy),
// whose conditions are that module's constants, never text from a request.
boost::json::array rows_as_json(db::Conn& c, const std::string& table, const std::string& where,
                                const std::string& param, const std::set<std::string>& withheld, int limit);

struct Actor {
  audit::ActorKind kind = audit::ActorKind::system;
  std::string id = "system:cli";
  audit::Channel channel = audit::Channel::system;
};

// The export as one archive (docs/export.md, "Downloading the archive"): <folder>.tar next to the folder.
struct Archive {
  std::string path;
  std::int64_t size = 0;
  std::string sha256;
};
// What a used download link gives: the run, its archive's path and the name to download it as.
struct Download {
  ExportRun run;
  std::string path;
  std::string file_name;
};
// A download link works once, within this many minutes of being made.
inline constexpr int kLinkMinutes = 15;
// The HTTP layer holds a whole response in memory (http::Response::body): archives larger than this are
// not offered for download (body_export.too_large); their folder is copied from the server instead.
inline constexpr std::int64_t kMaxDownloadBytes = 256LL * 1024 * 1024;

struct Summary {
  std::string run_id;
  std::string dir;
  std::string body_slug;
  std::int64_t body_id = 0;
  std::string manifest_sha256;
  std::map<std::string, std::int64_t> rows;  // per table
  std::int64_t files = 0;
  std::int64_t bytes = 0;
  std::int64_t audit_head_seq = 0;
  // Import: the imported chain's entries, all walked (links, seq) before the commit, and how many of
  // them could not have their HMAC checked (made with a key that stayed at the old hub).
  std::int64_t chain_entries = 0;
  std::int64_t chain_unchecked = 0;
};

class BodyExportService {
 public:
  BodyExportService(db::Database& db, audit::AuditService& audit, files::FileService& files,
                    const time::Clock& clock);

  std::optional<BodyRef> find_body(const std::string& ref);

  // A queued run (the back office's job runs it); the CLI exports at once with export_body.
  Result<ExportRun> queue(std::int64_t tenant, const Actor& actor);
  Result<Summary> run_queued(const std::string& run_id, std::int64_t tenant, const std::string& out_dir);
  std::vector<ExportRun> runs(std::int64_t tenant, int limit = 20) { return store::runs(db_, tenant, limit); }
  std::optional<ExportRun> run(std::int64_t tenant, const std::string& id) {
    return store::run(db_, tenant, id);
  }

  Result<Summary> export_body(const std::string& body_ref, const std::string& out_dir, const Actor& actor);
  Result<Summary> import_body(const std::string& dir, const Actor& actor);
  Result<std::string> leave_body(const std::string& body_ref, const std::string& export_id,
                                 const Actor& actor, const std::string& reason);

  // Where the keys an imported chain brought are kept (`<keys_dir>/<slug>/audit-hmac/`, verify only).
  void set_keys_dir(std::string keys_dir) { keys_dir_ = std::move(keys_dir); }

  // Checks every file of `dir` against its manifest; the manifest on success.
  static Result<std::string> verify_directory(const std::string& dir);

  // Writes `dir` as <dir>.tar (POSIX ustar with pax headers for long paths; files in path order, read
  // and written in blocks: memory does not grow with the export). run_queued does it after the folder.
  static Result<Archive> write_archive(const std::string& dir);
  // A link to download a done run's archive: a random token (only its SHA-256 is kept), valid
  // kLinkMinutes, once. Audited (body.export.link). Errors: body_export.link (404: no such done run of the
  // body), body_export.no_archive (410), body_export.too_large (413).
  Result<std::string> create_link(std::int64_t tenant, const std::string& run_id, const Actor& actor);
  // Uses a link: `may(tenant)` says whether the caller may have that body's exports (a link of another
  // body's is body_export.link, 404, as an unknown one); body_export.link_used, body_export.link_expired
  // (410). Marks it used and audits body.export.downloaded in one transaction.
  Result<Download> redeem(const std::string& token, const std::function<bool(std::int64_t)>& may,
                          const Actor& actor);
  // The archive's bytes, checked against the size and SHA-256 recorded when it was written.
  static Result<std::string> read_archive(const Download& d);

 private:
  Result<Archive> archive(const std::string& run_id, const std::string& dir);
  Result<Summary> write_export(const BodyRef& body, const std::string& run_id, const std::string& out_dir,
                               const Actor& actor);

  db::Database& db_;
  audit::AuditService& audit_;
  files::FileService& files_;
  const time::Clock& clock_;
  std::string keys_dir_;
};

}  // namespace sp::body_export
