#!/usr/bin/env python3
"""check_daemon_layers.py DAEMON_DIR | --self-test

Holds daemon/ to the shape of daemon/README.md, which the linker alone cannot enforce
(headers compile wherever they are included):
  - SQL is spoken only in store/: no SQLite API, no SQLiteCpp include, no string literal
    holding an SQL statement anywhere else;
  - cli/ includes no store/ header (it reaches the core through service/ and server/);
  - a library includes only libraries below it: log <- store <- transport <- service <-
    server <- cli (main.cpp may include cli/);
  - no file is over 500 lines.
Exit 1 with one line per violation (file:line: what), 0 when there is none.
--self-test writes a small tree with one violation of each kind and fails unless each is
reported and a clean tree passes, so the check itself cannot silently stop working.
"""
import os
import re
import sys
import tempfile

ORDER = ["log", "store", "transport", "service", "server", "cli"]
MAX_LINES = 500
SQL = re.compile(r"\b(SELECT\s+[\w*(]|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|"
                 r"CREATE\s+(TABLE|INDEX)|ALTER\s+TABLE|DROP\s+TABLE|PRAGMA\s+\w+|BEGIN\s+(IMMEDIATE|TRANSACTION))",
                 re.IGNORECASE)
STRING = re.compile(r'R"(\w*)\((.*?)\)\1"|"((?:[^"\\\n]|\\.)*)"', re.DOTALL)
INCLUDE = re.compile(r'^\s*#\s*include\s+[<"]([^">]+)[">]', re.MULTILINE)


def strip_comments(text):
    """Comments out, string literals kept, line breaks kept (so line numbers stay right)."""
    out, i, n = [], 0, len(text)
    while i < n:
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("\n" * text.count("\n", i, j))
            i = j
        elif text[i] == '"' or text.startswith('R"', i):
            m = STRING.match(text, i)
            if not m:
                out.append(text[i]); i += 1; continue
            out.append(m.group(0)); i = m.end()
        elif text[i] == "'":
            j = i + 1
            while j < n and text[j] != "'":
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1]); i = j + 1
        else:
            out.append(text[i]); i += 1
    return "".join(out)


def layer_of(rel):
    top = rel.split(os.sep)[0]
    return top if top in ORDER else None


def check(daemon_dir):
    problems = []
    for root, _, files in os.walk(daemon_dir):
        for name in sorted(files):
            if not name.endswith((".h", ".cpp")):
                continue
            path = os.path.join(root, name)
            rel = os.path.relpath(path, daemon_dir)
            with open(path, encoding="utf-8") as f:
                text = f.read()
            where = lambda pos: f"{path}:{text.count(chr(10), 0, pos) + 1}"
            lines = text.count("\n") + (0 if text.endswith("\n") else 1)
            if lines > MAX_LINES:
                problems.append(f"{path}:1: {lines} lines (at most {MAX_LINES})")
            layer = layer_of(rel)
            code = strip_comments(text)
            if layer != "store":
                for m in re.finditer(r"SQLite::|SQLiteCpp|sqlite3_", code):
                    problems.append(f"{where(m.start())}: SQLite outside store/ ({m.group(0)})")
                for m in STRING.finditer(code):
                    body = m.group(2) if m.group(2) is not None else m.group(3)
                    s = SQL.search(body or "")
                    if s:
                        problems.append(f"{where(m.start())}: SQL outside store/ ({s.group(0).strip()} …)")
            for m in INCLUDE.finditer(code):
                target = m.group(1)
                if not target.startswith("daemon/"):
                    continue
                parts = target.split("/")
                dep = parts[1] if len(parts) > 2 else None
                if dep not in ORDER:
                    continue
                if layer == "cli" and dep == "store":
                    problems.append(f"{where(m.start())}: cli/ includes a store/ header ({target})")
                elif layer is not None and ORDER.index(dep) > ORDER.index(layer):
                    problems.append(f"{where(m.start())}: {layer}/ includes {dep}/, a library above it ({target})")
    return problems


def self_test():
    cases = {
        "service/sql.cpp": ('const char* q = "SELECT id FROM messages";\n', "SQL outside store/"),
        "server/db.cpp": ("void f(SQLite::Database& db);\n", "SQLite outside store/"),
        "cli/cmd_x.cpp": ('#include "daemon/store/tickets.h"\n', "cli/ includes a store/ header"),
        "store/up.h": ('#include "daemon/service/context.h"\n', "a library above it"),
        "transport/long.cpp": ("int x;\n" * (MAX_LINES + 1), "lines (at most"),
    }
    clean = {
        "store/ok.cpp": ('const char* q = "SELECT id FROM messages";\n#include "daemon/log/log.h"\n', None),
        "service/ok.cpp": ('// SELECT in a comment is prose\nconst char* s = "selected";\n'
                           '#include "daemon/store/tickets.h"\n', None),
        "cli/ok.cpp": ('#include "daemon/service/views.h"\n', None),
    }
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        for rel, (body, _) in {**cases, **clean}.items():
            os.makedirs(os.path.join(tmp, os.path.dirname(rel)), exist_ok=True)
            with open(os.path.join(tmp, rel), "w", encoding="utf-8") as f:
                f.write(body)
        problems = check(tmp)
        for rel, (_, expected) in cases.items():
            if not any(os.path.join(tmp, rel) in p and expected in p for p in problems):
                print(f"self-test: {rel}: not reported ({expected})")
                failed = True
        for rel in clean:
            for p in problems:
                if os.path.join(tmp, rel) in p:
                    print(f"self-test: {rel}: wrongly reported: {p}")
                    failed = True
    print("self-test failed" if failed else f"self-test ok ({len(problems)} planted violations reported)")
    return 1 if failed else 0


def main():
    if len(sys.argv) == 2 and sys.argv[1] == "--self-test":
        return self_test()
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    problems = check(sys.argv[1])
    for p in problems:
        print(p)
    print(f"{len(problems)} problem(s)" if problems else "daemon/ layers ok")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
