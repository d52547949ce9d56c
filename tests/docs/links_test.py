#!/usr/bin/env python3
"""Every relative link of README.md and docs/*.md resolves, and so does every alert's runbook_url.

A link to a file must name a file or folder of the repository; a `#anchor` (on its own or after
a Markdown file) must name a heading of that file under GitHub's rules: the heading's text
lower-cased, punctuation dropped, spaces turned into '-', a repeated heading suffixed -1, -2...
Every alert of deploy/prometheus/rules/*.yml must carry a runbook_url whose anchor is a heading
of docs/runbook.md. Links inside code blocks and code spans are not links; external URLs are not
fetched.

Usage: links_test.py SOURCE_DIR
"""

import os
import re
import sys

RUNBOOK_BASE = "https://github.com/infercost/infercost/blob/main/"

FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
HTML_ANCHOR = re.compile(r"""<a\s+(?:id|name)=["']([^"']+)["']""")
CODE_SPAN = re.compile(r"(`+)(.+?)\1")
INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s+<?(\S+?)>?(?:\s+.*)?$")
EXTERNAL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def slug(heading_text):
    """GitHub's anchor of a heading: the rendered text, lower-cased, punctuation dropped."""
    text = CODE_SPAN.sub(lambda m: m.group(2), heading_text)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # a link keeps its text
    text = re.sub(r"<[^>]+>", "", text)  # inline HTML
    text = text.lower()
    text = "".join(c for c in text if c.isalnum() or c in " -_")
    return text.replace(" ", "-")


def strip_code(text):
    """The lines of a Markdown file outside fenced code blocks, with code spans blanked."""
    lines, fenced = [], False
    for line in text.splitlines():
        if FENCE.match(line):
            fenced = not fenced
            lines.append("")
            continue
        lines.append("" if fenced else CODE_SPAN.sub("code", line))
    return lines


def anchors_of(path):
    """Every anchor a Markdown file defines: its headings' slugs and its HTML ids."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    seen, anchors, fenced = {}, set(), False
    for line in text.splitlines():
        if FENCE.match(line):
            fenced = not fenced
            continue
        if fenced:
            continue
        m = HEADING.match(line)
        if m:
            base = slug(m.group(2))
            n = seen.get(base, 0)
            anchors.add(base if n == 0 else f"{base}-{n}")
            seen[base] = n + 1
        anchors.update(HTML_ANCHOR.findall(line))
    return anchors


def links_of(path):
    """(line number, target) of every link and image in a Markdown file, outside code."""
    with open(path, encoding="utf-8") as f:
        lines = strip_code(f.read())
    for number, line in enumerate(lines, 1):
        for m in INLINE_LINK.finditer(line):
            yield number, m.group(1)
        m = REFERENCE_DEF.match(line)
        if m:
            yield number, m.group(1)


def check_target(source, target, root, anchor_cache):
    """None when `target`, written in file `source`, resolves; else what is wrong."""
    if EXTERNAL.match(target):
        return None
    path_part, _, anchor = target.partition("#")
    if path_part:
        resolved = os.path.normpath(os.path.join(os.path.dirname(source), path_part))
        if not resolved.startswith(root + os.sep) and resolved != root:
            return f"{target}: leaves the repository"
        if not os.path.exists(resolved):
            return f"{target}: no such file {os.path.relpath(resolved, root)}"
    else:
        resolved = source
    if not anchor:
        return None
    if not resolved.endswith(".md"):
        return f"{target}: an anchor on a file that is not Markdown"
    if resolved not in anchor_cache:
        anchor_cache[resolved] = anchors_of(resolved)
    if anchor not in anchor_cache[resolved]:
        return f"{target}: no heading '#{anchor}' in {os.path.relpath(resolved, root)}"
    return None


def check_runbook_urls(root, anchor_cache):
    """Every alert of the rule files has a runbook_url naming a heading of docs/runbook.md."""
    errors = []
    rules_dir = os.path.join(root, "deploy", "prometheus", "rules")
    readme = os.path.join(root, "README.md")
    for name in sorted(os.listdir(rules_dir)):
        path = os.path.join(rules_dir, name)
        alert, alert_line = None, 0
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        for number, line in enumerate(lines + ["- alert: END"], 1):
            m = re.match(r"\s*-\s+(alert|record):\s*(\S+)", line)
            if m:
                if alert:
                    errors.append(f"{name}:{alert_line}: alert {alert} has no runbook_url")
                alert, alert_line = (m.group(2), number) if m.group(1) == "alert" else (None, 0)
                continue
            m = re.match(r"\s*runbook_url:\s*[\"']?([^\"'\s]+)", line)
            if not m or not alert:
                continue
            url = m.group(1)
            expected = RUNBOOK_BASE + "docs/runbook.md#"
            if not url.startswith(expected):
                errors.append(f"{name}:{number}: runbook_url of {alert} is not {expected}...")
            else:
                target = url[len(RUNBOOK_BASE):]
                problem = check_target(readme, target, root, anchor_cache)
                if problem:
                    errors.append(f"{name}:{number}: runbook_url of {alert}: {problem}")
            alert = None
    return errors


SLUG_CASES = [
    ("Set-up (Debian 12)", "set-up-debian-12"),
    ("`infercost bench`", "infercost-bench"),
    ("Sweep: which target, how many, and what it costs", "sweep-which-target-how-many-and-what-it-costs"),
    ("`${VAR}` expansion", "var-expansion"),
    ("Dashboards (`dashboards/*.json`)", "dashboards-dashboardsjson"),
    ("InfercostCostAboveBudget", "infercostcostabovebudget"),
    ("Point it at [your endpoint](x.md)", "point-it-at-your-endpoint"),
    ("Kubernetes: scaling out (`deploy/kubernetes/`)", "kubernetes-scaling-out-deploykubernetes"),
    ("snake_case stays", "snake_case-stays"),
]


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    root = os.path.realpath(sys.argv[1])
    errors = []
    for text, want in SLUG_CASES:
        if slug(text) != want:
            errors.append(f"slug({text!r}) = {slug(text)!r}, want {want!r}")

    docs = os.path.join(root, "docs")
    files = [os.path.join(root, "README.md")]
    files += sorted(os.path.join(docs, n) for n in os.listdir(docs) if n.endswith(".md"))
    anchor_cache, checked = {}, 0
    for path in files:
        for number, target in links_of(path):
            checked += 1
            problem = check_target(path, target, root, anchor_cache)
            if problem:
                errors.append(f"{os.path.relpath(path, root)}:{number}: {problem}")
    errors += check_runbook_urls(root, anchor_cache)

    for e in errors:
        print(e)
    print(f"{checked} links in {len(files)} files checked, {len(errors)} broken")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
