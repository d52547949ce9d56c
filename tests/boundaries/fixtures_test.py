#!/usr/bin/python3
"""Tests check_includes.py on fixtures/: one tree per module, each with allowed includes and one
forbidden include marked "// planted". The checker must fail on each and name exactly that file,
line and rule, and must refuse to run without DESIGN.md.

Usage: fixtures_test.py --design DESIGN.md
"""

import argparse
import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
CHECKER = os.path.join(HERE, "check_includes.py")
FIXTURES = os.path.join(HERE, "fixtures")
DESIGN = None  # set by main()


def run_checker(*args):
    return subprocess.run([sys.executable, CHECKER, *args], cwd=FIXTURES, capture_output=True,
                          text=True, timeout=60, check=False)


def planted_line(module):
    """Returns (path relative to fixtures/, line number, header) of the module's planted include."""
    found = []
    for directory, _, files in os.walk(os.path.join(FIXTURES, module)):
        for file_name in files:
            path = os.path.join(directory, file_name)
            with open(path, encoding="utf-8") as source:
                for number, line in enumerate(source, 1):
                    if line.rstrip().endswith("// planted"):
                        header = line.split("#include", 1)[1].split("//")[0].strip()
                        found.append((os.path.relpath(path, FIXTURES), number, header))
    assert len(found) == 1, f"fixtures/{module} must plant exactly one include, has {found}"
    return found[0]


class FixturesTest(unittest.TestCase):

    def test_each_planted_include_is_reported_with_file_line_and_rule(self):
        modules = sorted(d for d in os.listdir(FIXTURES) if os.path.isdir(os.path.join(FIXTURES, d)))
        self.assertGreaterEqual(len(modules), 9)
        for module in modules:
            with self.subTest(module=module):
                path, number, header = planted_line(module)
                result = run_checker("--design", DESIGN, "--module", f"{module}={module}")
                self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
                violations = [line for line in result.stdout.splitlines() if ": #include " in line]
                self.assertEqual(len(violations), 1, result.stdout)
                self.assertTrue(violations[0].startswith(f"{path}:{number}: #include {header} "),
                                violations[0])
                self.assertIn(f"— module '{module}' may use ", violations[0])
                self.assertIn("(DESIGN.md, Layout)", violations[0])

    def test_cost_may_use_common_only(self):
        result = run_checker("--design", DESIGN, "--module", "cost=cost")
        self.assertIn("(module 'serve') — module 'cost' may use common only (DESIGN.md, Layout)",
                      result.stdout)

    def test_everything_above_gives_cli_every_module_listed_before_it(self):
        result = run_checker("--design", DESIGN, "--module", "cli=cli")
        self.assertIn("module 'cli' may use aws, common, config, cost, emulator, loadgen, serve, "
                      "sweep, tune, web, CLI11 only", result.stdout)

    def test_a_header_no_row_names_is_reported(self):
        result = run_checker("--design", DESIGN, "--module", "common=common")
        self.assertIn("#include <openssl/sha.h> (a header no row of the table names)",
                      result.stdout)

    def test_without_design_md_it_fails_with_a_clear_message(self):
        result = run_checker("--design", os.path.join(FIXTURES, "no-such", "DESIGN.md"),
                             "--module", "cost=cost")
        self.assertEqual(result.returncode, 2)
        self.assertIn("DESIGN.md not found", result.stderr)
        self.assertIn("shared/DESIGN.md", result.stderr)

    def test_a_module_the_table_does_not_list_is_refused(self):
        result = run_checker("--design", DESIGN, "--module", "utils=cost")
        self.assertEqual(result.returncode, 2)
        self.assertIn("'utils' is not a module of the table", result.stderr)


def main():
    global DESIGN
    parser = argparse.ArgumentParser()
    parser.add_argument("--design", required=True)
    args, rest = parser.parse_known_args()
    DESIGN = args.design
    if not os.path.isfile(DESIGN):
        print(f"fixtures_test: {DESIGN} not found (shared/DESIGN.md must sit beside the repository)",
              file=sys.stderr)
        return 2
    program = unittest.main(argv=[sys.argv[0], "-v", *rest], exit=False)
    return 0 if program.result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
