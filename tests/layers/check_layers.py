#!/usr/bin/env python3
"""Domain code cannot see HTTP: checks the build graph written by tests/layers/layers.cmake.

    check_layers.py GRAPH      exit 0 when the layers hold, 1 with one line per violation otherwise
    check_layers.py --self-test
                               feeds the checker fake graphs and source trees, clean and broken, and
                               exits 0 only when it accepts every clean one and rejects every broken one

A violation is:
  * a domain target whose transitive link closure (LINK_LIBRARIES and INTERFACE_LINK_LIBRARIES, followed
    through every target) contains a forbidden target (sp_http, sp_web) or any web target (sp_*_web);
  * a source compiled into a domain target that includes, directly or through a chain of quoted
    includes resolved under src/, a header under http/ or web/, or a web-side header of a module
    (one whose name matches the web-file convention of CMakeLists.txt, e.g. protocollo/web.hpp);
  * a source compiled into a domain target whose own name matches the web-file convention;
  * a domain source of module X that includes another module's store header (Y/*store.hpp): domains call
    each other's services, never their stores (jobs/store.hpp is exempt: jobs::enqueue in the caller's
    transaction is the runner's public way in);
  * a domain source of module X whose SQL names a table another module owns (TABLE_OWNERS: the outbox is
    the messaging module's — adapters/messaging writes it — and a module that fans messages out asks it
    for their counts, messaging::count_by_correlation).

Graph file lines (space-separated):  root DIR | web_file_regex RE | domain T | web T | forbidden T |
source T PATH | edge FROM TO.
"""
from __future__ import annotations

import os
import re
import sys
import tempfile
from collections import deque

INCLUDE_RE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.MULTILINE)
BLOCK_COMMENT_RE = re.compile(r"/\*.*?\*/", re.DOTALL)
LINE_COMMENT_RE = re.compile(r"//[^\n]*")


class Graph:
    def __init__(self) -> None:
        self.root = ""
        self.web_file_regex = re.compile(r"^(web|api|guards|simulator)$|^(web|simulator)_|_(web|api|pages|routes|guard|simulator)$")
        self.domain: list[str] = []
        self.web: set[str] = set()
        self.forbidden: set[str] = set()
        self.sources: dict[str, list[str]] = {}
        self.edges: dict[str, list[str]] = {}


def parse(path: str) -> Graph:
    g = Graph()
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            kind, _, rest = line.partition(" ")
            if kind == "root":
                g.root = rest
            elif kind == "web_file_regex":
                g.web_file_regex = re.compile(rest)
            elif kind == "domain":
                g.domain.append(rest)
            elif kind == "web":
                g.web.add(rest)
            elif kind == "forbidden":
                g.forbidden.add(rest)
            elif kind == "source":
                t, _, p = rest.partition(" ")
                g.sources.setdefault(t, []).append(p)
            elif kind == "edge":
                a, _, b = rest.partition(" ")
                g.edges.setdefault(a, []).append(b)
            else:
                raise SystemExit(f"{path}:{n}: unknown line kind '{kind}'")
    if not g.root or not g.domain:
        raise SystemExit(f"{path}: no root or no domain target: not a graph written by layers.cmake")
    return g


def link_path(g: Graph, start: str, bad: set[str]) -> list[str] | None:
    """The shortest link chain from start to a target in bad, or None."""
    prev: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue:
        t = queue.popleft()
        for nxt in g.edges.get(t, []):
            if nxt in prev:
                continue
            prev[nxt] = t
            if nxt in bad:
                chain = [nxt]
                while prev[chain[-1]] is not None:
                    chain.append(prev[chain[-1]])  # type: ignore[arg-type]
                return list(reversed(chain))
            queue.append(nxt)
    return None


def quoted_includes(path: str) -> list[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return []
    text = BLOCK_COMMENT_RE.sub("", text)
    text = LINE_COMMENT_RE.sub("", text)
    return INCLUDE_RE.findall(text)


def resolve(g: Graph, including: str, name: str) -> str | None:
    for base in (os.path.dirname(including), g.root):
        p = os.path.normpath(os.path.join(base, name))
        if os.path.isfile(p):
            return p
    return None


def is_web_header(g: Graph, rel: str) -> bool:
    """rel is relative to src/: http/… and web/… are the web layer; <module>/<web-side name>.hpp too."""
    parts = rel.split("/")
    if parts[0] in ("http", "web"):
        return True
    stem = os.path.splitext(parts[-1])[0]
    return bool(g.web_file_regex.search(stem))


def include_violation(g: Graph, source: str, cache: dict[str, list[str]]) -> list[str] | None:
    """The shortest include chain from source to a web header, or None (breadth-first over quoted
    includes; `cache` keeps each file's includes across sources)."""
    root = os.path.normpath(g.root)
    start = os.path.normpath(source)
    prev: dict[str, tuple[str, str] | None] = {start: None}  # file -> (includer, name as written)
    queue = deque([start])

    def chain_to(path: str, last: str) -> list[str]:
        names = [last]
        while prev[path] is not None:
            includer, name = prev[path]  # type: ignore[misc]
            names.append(name)
            path = includer
        return list(reversed(names))

    while queue:
        path = queue.popleft()
        if path not in cache:
            cache[path] = quoted_includes(path)
        for name in cache[path]:
            target = resolve(g, path, name)
            rel = os.path.relpath(target, root) if target else name
            if rel.startswith(".."):
                continue  # outside src/ (tests' support headers): not ours to judge
            if is_web_header(g, rel):
                return chain_to(path, name)
            if target is not None and target not in prev:
                prev[target] = (path, name)
                queue.append(target)
    return None


STORE_INCLUDE_RE = re.compile(r"^([a-z_]+)/[a-z_]*store\.hpp$")
STORE_EXEMPT = {"jobs"}


def foreign_store(g: Graph, source: str) -> str | None:
    """The first other module's store header `source` includes directly, if any."""
    rel = os.path.relpath(os.path.normpath(source), os.path.normpath(g.root))
    own = rel.split(os.sep)[0]
    for name in quoted_includes(source):
        m = STORE_INCLUDE_RE.match(name)
        if m and m.group(1) != own and m.group(1) not in STORE_EXEMPT:
            return name
    return None


# Tables read or written only by the modules listed (the first folder under src/). privacy (a person's
# data export and erasure) and statistics (figures over every record) read across the hub by design.
TABLE_OWNERS = {
    "outbox": {"adapters", "messaging", "privacy", "statistics"},
    "outbox_attempts": {"adapters", "messaging", "privacy", "statistics"},
    # What preservation keeps of other modules: read through their preservation.hpp (cases, albo,
    # payments). statistics still reads albo_publications and payment_receipts for its aggregate reports.
    "case_documents": {"cases"},
    "albo_relate": {"albo"},
    "albo_publications": {"albo", "statistics"},
    "payment_receipts": {"payments", "statistics"},
}
SQL_TABLE_RE = re.compile(r"\b(?:FROM|JOIN|INTO|UPDATE)\s+([a-z_]+)\b")


def foreign_table(g: Graph, source: str) -> str | None:
    """The first table another module owns that `source`'s SQL names, if any."""
    rel = os.path.relpath(os.path.normpath(source), os.path.normpath(g.root))
    own = rel.split(os.sep)[0]
    try:
        with open(source, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return None
    text = LINE_COMMENT_RE.sub("", BLOCK_COMMENT_RE.sub("", text))
    for m in SQL_TABLE_RE.finditer(text):
        owners = TABLE_OWNERS.get(m.group(1))
        if owners is not None and own not in owners:
            return m.group(1)
    return None


def check(g: Graph) -> list[str]:
    problems: list[str] = []
    bad = set(g.forbidden) | set(g.web)
    for t in g.domain:
        if t in bad:
            problems.append(f"{t}: listed both as a domain target and as a web target")
            continue
        chain = link_path(g, t, bad)
        if chain:
            problems.append(f"{t} links the web layer: {' -> '.join(chain)}")
    cache: dict[str, list[str]] = {}
    root = os.path.normpath(g.root)
    for t in g.domain:
        for src in g.sources.get(t, []):
            if not src.endswith((".cpp", ".cc", ".cxx", ".hpp", ".h")):
                continue
            rel = os.path.relpath(os.path.normpath(src), root)
            if g.web_file_regex.search(os.path.splitext(os.path.basename(src))[0]):
                problems.append(f"{t}: {rel} is web-side by its name but compiled into a domain target")
            chain = include_violation(g, src, cache)
            if chain:
                problems.append(f"{t}: {rel} includes the web layer: {rel} -> " + " -> ".join(chain))
            store = foreign_store(g, src)
            if store:
                problems.append(f"{t}: {rel} uses another module's store ({store}); call its service")
            table = foreign_table(g, src)
            if table:
                problems.append(f"{t}: {rel} reads another module's table ({table}); call its service")
    return problems


def main_check(path: str) -> int:
    g = parse(path)
    problems = check(g)
    n_sources = sum(len(v) for v in g.sources.values())
    if problems:
        print(f"Domain code sees HTTP ({len(problems)} problem(s)); see docs/architecture.md, 'The layers':")
        for p in problems:
            print("  " + p)
        return 1
    print(f"layers hold: {len(g.domain)} domain targets, {n_sources} domain sources, "
          f"none links or includes the web layer or another module's store or tables")
    return 0


# ---------------------------------------------------------------- self-test


def _write(root: str, rel: str, text: str) -> str:
    p = os.path.join(root, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "w", encoding="utf-8") as f:
        f.write(text)
    return p


def _case(tmp: str, name: str, files: dict[str, str], graph_lines: list[str]) -> str:
    root = os.path.join(tmp, name, "src")
    for rel, text in files.items():
        _write(root, rel, text)
    lines = [f"root {root}"] + [ln.replace("@SRC@", root) for ln in graph_lines]
    return _write(os.path.join(tmp, name), "graph.txt", "\n".join(lines) + "\n")


def self_test() -> int:
    clean_files = {
        "http/router.hpp": "#pragma once\n",
        "web/view.hpp": '#pragma once\n#include "http/router.hpp"\n',
        "mod/model.hpp": "#pragma once\n// #include \"http/router.hpp\" in a comment does not count\n",
        "mod/service.hpp": '#pragma once\n#include "mod/model.hpp"\n',
        "mod/service.cpp": '#include "mod/service.hpp"\n#include <boost/json.hpp>\n',
        "mod/web.hpp": '#pragma once\n#include "mod/service.hpp"\n#include "web/view.hpp"\n',
        "mod/web.cpp": '#include "mod/web.hpp"\n',
    }
    clean_graph = [
        "domain sp_core", "domain sp_mod", "web sp_http", "web sp_web", "web sp_mod_web",
        "forbidden sp_http", "forbidden sp_web",
        "source sp_mod @SRC@/mod/service.cpp",
        "edge sp_mod sp_core", "edge sp_core Boost::json",
        "edge sp_mod_web sp_mod", "edge sp_mod_web sp_web", "edge sp_web sp_http",
    ]
    cases: list[tuple[str, dict[str, str], list[str], bool]] = [
        ("clean", clean_files, clean_graph, True),
        # sp_mod -> sp_other -> sp_helper -> sp_http: three hops, none of them direct.
        ("transitive_link", clean_files,
         clean_graph + ["domain sp_other", "domain sp_helper", "edge sp_mod sp_other",
                        "edge sp_other sp_helper", "edge sp_helper sp_http"], False),
        ("direct_link", clean_files, clean_graph + ["edge sp_mod sp_web"], False),
        ("links_a_web_target", clean_files, clean_graph + ["edge sp_mod sp_mod_web"], False),
        # service.cpp -> mod/service.hpp -> mod/model.hpp -> mod/deep.hpp -> http/router.hpp
        ("transitive_include",
         {**clean_files,
          "mod/model.hpp": '#pragma once\n#include "mod/deep.hpp"\n',
          "mod/deep.hpp": '#pragma once\n#include "http/router.hpp"\n'}, clean_graph, False),
        # relative to the including file's own folder
        ("relative_include",
         {**clean_files, "mod/model.hpp": '#pragma once\n#include "../web/view.hpp"\n'}, clean_graph, False),
        # a module's web header that itself includes nothing of http/
        ("web_header_of_a_module",
         {**clean_files, "mod/service.cpp": '#include "mod/web_support.hpp"\n',
          "mod/web_support.hpp": "#pragma once\n"}, clean_graph, False),
        ("web_file_in_domain_target", clean_files,
         clean_graph + ["source sp_mod @SRC@/mod/web.cpp"], False),
        ("another_modules_store",
         {**clean_files, "other/store.hpp": "#pragma once\n",
          "mod/service.cpp": '#include "mod/service.hpp"\n#include "other/store.hpp"\n'}, clean_graph, False),
        ("own_store_is_fine",
         {**clean_files, "mod/store.hpp": "#pragma once\n",
          "mod/service.cpp": '#include "mod/service.hpp"\n#include "mod/store.hpp"\n'}, clean_graph, True),
        ("another_modules_table",
         {**clean_files, "mod/service.cpp": '#include "mod/service.hpp"\n'
          'const char* q = "SELECT status FROM outbox WHERE id = $1";\n'}, clean_graph, False),
        ("own_table_is_fine",
         {**clean_files, "mod/service.cpp": '#include "mod/service.hpp"\n'
          'const char* q = "SELECT state FROM mod_items JOIN mod_rows ON 1 = 1";\n'}, clean_graph, True),
        ("include_cycle_is_fine",
         {**clean_files, "mod/model.hpp": '#pragma once\n#include "mod/service.hpp"\n'}, clean_graph, True),
    ]
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, files, graph, should_pass in cases:
            problems = check(parse(_case(tmp, name, files, graph)))
            ok = (not problems) == should_pass
            failures += 0 if ok else 1
            verdict = "accepted" if not problems else "rejected"
            print(f"{'ok  ' if ok else 'FAIL'} {name}: {verdict}" + (f" ({problems[0]})" if problems else ""))
    if failures:
        print(f"self-test: {failures} case(s) judged wrongly")
        return 1
    print(f"self-test: all {len(cases)} cases judged as expected")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] == "--self-test":
        sys.exit(self_test())
    if len(sys.argv) == 2:
        sys.exit(main_check(sys.argv[1]))
    print(__doc__)
    sys.exit(2)
