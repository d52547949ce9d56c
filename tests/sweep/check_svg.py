#!/usr/bin/env python3
"""Checks that SVG files are well-formed XML and prints, per file, the series it draws.

Usage: check_svg.py FILE...   Output: one line per file, "FILE<TAB>series1|series2|...".
Exit status 1 (with the parser's message) when a file is not well-formed or not an SVG document.
"""
import sys
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"


def main(paths):
    for path in paths:
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError as error:
            print(f"{path}: not well-formed: {error}", file=sys.stderr)
            return 1
        if root.tag != SVG + "svg":
            print(f"{path}: root element is {root.tag}, not svg", file=sys.stderr)
            return 1
        for attribute in ("width", "height", "viewBox"):
            if attribute not in root.attrib:
                print(f"{path}: no {attribute} on the svg element", file=sys.stderr)
                return 1
        names = [g.attrib.get("data-series", "") for g in root.iter(SVG + "g")
                 if g.attrib.get("class") == "series"]
        print(path + "\t" + "|".join(names))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
