#!/usr/bin/python3
"""Enforces DESIGN.md's Layout table: which module may #include what.

Reads the table ("folder | what lives there | may use") from DESIGN.md itself, then every
#include of every module's sources: exporter/<module>/ for each module row, loadgen/ and
emulator/. An include is allowed when it is the standard library (C++, C, POSIX or Linux
headers), the module's own header, or a module or third-party library in the module's "may use"
cell. Anything else is printed as

  exporter/cost/catalog.cc:3: #include <yaml-cpp/yaml.h> (yaml-cpp) — module 'cost' may use
  common only (DESIGN.md, Layout)

and the exit status is 1. Exit 2 means the check itself could not run (DESIGN.md absent, a
"may use" name this script does not know, an exporter/ folder the table does not list).

Usage: check_includes.py --design DESIGN.md --root REPO [--module NAME=DIR]...
--module checks DIR alone, as module NAME (the fixtures in tests/boundaries/fixtures use it).
"""

import argparse
import os
import re
import sys

# Third-party libraries as DESIGN.md names them, and the headers each one provides: a pattern
# ending in "/" matches every header under that folder, any other matches one file name.
THIRD_PARTY = {
    "libcurl": ("curl/",),
    "CivetWeb": ("civetweb.h", "CivetServer.h"),
    "yaml-cpp": ("yaml-cpp/",),
    "prometheus-cpp": ("prometheus/",),
    "nlohmann-json": ("nlohmann/",),
    "CLI11": ("CLI/",),
    "libcrypt": ("crypt.h",),
}

STANDARD_LIBRARY_NAME = "the standard library"

# The C++ standard library headers (C++20 and C++23) and the C headers it wraps.
CXX_HEADERS = set("""
algorithm any array atomic barrier bit bitset charconv chrono codecvt compare complex concepts
condition_variable coroutine deque exception execution expected filesystem flat_map flat_set
format forward_list fstream functional future generator initializer_list iomanip ios iosfwd
iostream istream iterator latch limits list locale map mdspan memory memory_resource mutex new
numbers numeric optional ostream print queue random ranges ratio regex scoped_allocator semaphore
set shared_mutex source_location span spanstream sstream stack stacktrace stdexcept stdfloat
stop_token streambuf string string_view strstream syncstream system_error thread tuple
type_traits typeindex typeinfo unordered_map unordered_set utility valarray variant vector
version
cassert cctype cerrno cfenv cfloat cinttypes climits clocale cmath csetjmp csignal cstdarg
cstddef cstdint cstdio cstdlib cstring ctime cuchar cwchar cwctype
""".split())

# C and POSIX headers by file name, and the system folders (POSIX and Linux) by prefix.
SYSTEM_HEADERS = set("""
assert.h ctype.h errno.h fenv.h float.h inttypes.h limits.h locale.h math.h setjmp.h signal.h
stdarg.h stddef.h stdint.h stdio.h stdlib.h string.h time.h uchar.h wchar.h wctype.h
aio.h cpio.h dirent.h dlfcn.h fcntl.h fnmatch.h glob.h grp.h iconv.h langinfo.h libgen.h
monetary.h mqueue.h netdb.h nl_types.h poll.h pthread.h pwd.h regex.h sched.h search.h
semaphore.h spawn.h strings.h syslog.h tar.h termios.h ulimit.h unistd.h utime.h utmpx.h
wordexp.h ifaddrs.h endian.h byteswap.h execinfo.h malloc.h features.h
""".split())
SYSTEM_PREFIXES = ("sys/", "netinet/", "arpa/", "net/", "linux/", "bits/")

INCLUDE_RE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
SOURCE_SUFFIXES = (".h", ".hpp", ".cc", ".cpp", ".h.in", ".cc.in")


class SetupError(Exception):
    """The check cannot run: the message says why."""


def table_rows(design_text):
    """Returns (folder, may_use) for each row of the table under '## Layout'."""
    in_layout = False
    rows = []
    for line in design_text.splitlines():
        if line.startswith("## "):
            if in_layout and rows:
                break
            in_layout = line.strip() == "## Layout"
            continue
        if not in_layout or not line.startswith("|"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0] == "folder" or set(cells[0]) <= set("-: "):
            continue
        rows.append((cells[0].strip("`"), cells[2]))
    return rows


def parse_layout(design_text):
    """Returns {module: (allowed modules, allowed libraries, may-use text)} in table order.

    A module row is `loadgen/`, `emulator/` or `exporter/<name>/`; rows whose cell is "—",
    "as below" or "everything" (dashboards, tests, ...) hold no module the check reads.
    """
    rows = table_rows(design_text)
    if not rows:
        raise SetupError("DESIGN.md has no table under '## Layout'")
    modules = {}
    for folder, may_use in rows:
        name = module_of_folder(folder)
        if name is None:
            continue
        allowed_modules, allowed_libraries = set(), set()
        for token in (t.strip() for t in may_use.split(",")):
            if token == "everything above":
                allowed_modules.update(modules)
            elif token == STANDARD_LIBRARY_NAME:
                pass
            elif token in THIRD_PARTY:
                allowed_libraries.add(token)
            elif token in (module_of_folder(f) for f, _ in rows):
                allowed_modules.add(token)
            else:
                raise SetupError(f"DESIGN.md, Layout: module '{name}' may use '{token}', which "
                                 "is neither a module of the table nor a library "
                                 "tests/boundaries/check_includes.py knows (THIRD_PARTY)")
        modules[name] = (allowed_modules, allowed_libraries, may_use)
    return modules


def module_of_folder(folder):
    match = re.fullmatch(r"(?:exporter/)?([a-z0-9_]+)/", folder)
    if not match or folder in ("exporter/",):
        return None
    name = match.group(1)
    if not folder.startswith("exporter/") and name not in ("loadgen", "emulator"):
        return None
    return name


def library_of(header):
    for library, patterns in THIRD_PARTY.items():
        for pattern in patterns:
            if header.startswith(pattern) if pattern.endswith("/") else header == pattern:
                return library
    return None


def is_standard(header):
    return (header in CXX_HEADERS or header in SYSTEM_HEADERS
            or header.startswith(SYSTEM_PREFIXES))


def classify(header, quoted, source_path, module, modules):
    """Returns ('module', name), ('library', name), ('standard', None) or ('unknown', None)."""
    library = library_of(header)
    if library:
        return "library", library
    first = header.split("/", 1)[0]
    if quoted and "/" in header and first in modules:
        return "module", first
    if quoted and os.path.exists(os.path.join(os.path.dirname(source_path), header)):
        return "module", module  # beside the including file: the module's own header
    if not quoted and is_standard(header):
        return "standard", None
    return "unknown", None


def describe(allowed_modules, allowed_libraries):
    names = sorted(allowed_modules) + sorted(allowed_libraries)
    if not names:
        return "the standard library only"
    return ", ".join(names) + " only"


def check_module(module, folder, display_root, modules):
    """Yields one message per forbidden include in the sources under folder."""
    allowed_modules, allowed_libraries, _ = modules[module]
    for directory, subdirs, files in os.walk(folder):
        subdirs.sort()
        for file_name in sorted(files):
            if not file_name.endswith(SOURCE_SUFFIXES):
                continue
            path = os.path.join(directory, file_name)
            shown = os.path.relpath(path, display_root)
            with open(path, encoding="utf-8", errors="replace") as source:
                for number, line in enumerate(source, 1):
                    match = INCLUDE_RE.match(line)
                    if not match:
                        continue
                    quoted, header = match.group(1) == '"', match.group(2)
                    kind, name = classify(header, quoted, path, module, modules)
                    if kind == "standard" or (kind == "module" and
                                              (name == module or name in allowed_modules)):
                        continue
                    if kind == "library" and name in allowed_libraries:
                        continue
                    spelled = f'"{header}"' if quoted else f"<{header}>"
                    what = {"module": f"module '{name}'", "library": name,
                            "unknown": "a header no row of the table names"}[kind]
                    rule = describe(allowed_modules, allowed_libraries)
                    yield (f"{shown}:{number}: #include {spelled} ({what}) — module "
                           f"'{module}' may use {rule} (DESIGN.md, Layout)")


def module_folders(root, modules):
    """Returns [(module, folder)] for every module folder present under root."""
    folders = []
    exporter = os.path.join(root, "exporter")
    if os.path.isdir(exporter):
        for entry in sorted(os.listdir(exporter)):
            if not os.path.isdir(os.path.join(exporter, entry)):
                continue
            if entry not in modules:
                raise SetupError(f"exporter/{entry}/ is not a module of DESIGN.md's Layout "
                                 "table: add its row (and its 'may use') there first")
            folders.append((entry, os.path.join(exporter, entry)))
    for library in ("loadgen", "emulator"):
        if os.path.isdir(os.path.join(root, library)):
            folders.append((library, os.path.join(root, library)))
    if not folders:
        raise SetupError(f"no module folders under {root}")
    return folders


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--design", required=True, help="path to shared/DESIGN.md")
    parser.add_argument("--root", help="the repository to check")
    parser.add_argument("--module", action="append", default=[], metavar="NAME=DIR",
                        help="check DIR alone as module NAME (repeatable)")
    args = parser.parse_args(argv)
    try:
        if not os.path.isfile(args.design):
            raise SetupError(f"{args.design} not found: the boundary test reads the Layout "
                             "table from shared/DESIGN.md, which must sit beside the repository "
                             "(or pass -DINFERCOST_DESIGN_MD=PATH to cmake)")
        with open(args.design, encoding="utf-8") as design:
            modules = parse_layout(design.read())
        if args.module:
            folders = []
            for spec in args.module:
                name, _, folder = spec.partition("=")
                if name not in modules:
                    raise SetupError(f"--module {spec}: '{name}' is not a module of the table")
                folders.append((name, folder))
            display_root = os.getcwd()
        elif args.root:
            folders = module_folders(args.root, modules)
            display_root = args.root
        else:
            raise SetupError("give --root or --module")
    except SetupError as error:
        print(f"check_includes: {error}", file=sys.stderr)
        return 2
    violations = [message for module, folder in folders
                  for message in check_module(module, folder, display_root, modules)]
    for message in violations:
        print(message)
    checked = ", ".join(module for module, _ in folders)
    if violations:
        print(f"{len(violations)} include(s) break DESIGN.md's Layout table (checked: {checked})")
        return 1
    print(f"every #include follows DESIGN.md's Layout table (checked: {checked})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
