// The report's document model as Markdown and HTML (see report_document.h).
#include "sweep/report_document.h"

#include "sweep/svg_chart.h"

namespace infercost {

namespace {

std::string MarkdownCell(const std::string& text) {
  std::string out;
  for (char c : text) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

}  // namespace

std::string ToMarkdown(const Document& doc) {
  std::string out;
  for (const Block& b : doc.blocks) {
    switch (b.kind) {
      case Block::Kind::kHeading:
        out += std::string(static_cast<std::size_t>(b.level), '#') + " " + b.text + "\n\n";
        break;
      case Block::Kind::kParagraph:
        out += b.text + "\n\n";
        break;
      case Block::Kind::kTable: {
        out += "|";
        for (const std::string& h : b.header) out += " " + MarkdownCell(h) + " |";
        out += "\n|";
        for (std::size_t i = 0; i < b.header.size(); ++i) {
          out += i < b.right.size() && b.right[i] ? "---:|" : "---|";
        }
        out += "\n";
        for (const auto& row : b.rows) {
          out += "|";
          for (const std::string& cell : row) out += " " + MarkdownCell(cell) + " |";
          out += "\n";
        }
        out += "\n";
        break;
      }
      case Block::Kind::kList:
        for (const std::string& item : b.items) out += "- " + item + "\n";
        out += "\n";
        break;
      case Block::Kind::kFigure:
        out += "![" + b.text + "](" + b.file + ")\n\n";
        break;
      case Block::Kind::kCode:
        out += "```\n" + b.text + "\n```\n\n";
        break;
    }
  }
  return out;
}

namespace {

// Inline Markdown the report uses (**bold**, `code`) as HTML, everything else escaped.
std::string InlineHtml(const std::string& text) {
  std::string out;
  bool bold = false, code = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!code && text.compare(i, 2, "**") == 0) {
      out += bold ? "</strong>" : "<strong>";
      bold = !bold;
      ++i;
    } else if (text[i] == '`') {
      out += code ? "</code>" : "<code>";
      code = !code;
    } else {
      out += EscapeXml(std::string(1, text[i]));
    }
  }
  if (code) out += "</code>";
  if (bold) out += "</strong>";
  return out;
}

}  // namespace

std::string ToHtml(const Document& doc,
                   const std::vector<std::pair<std::string, std::string>>& svgs,
                   const std::string& title) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<title>" +
      EscapeXml(title) +
      "</title>\n<style>\n"
      "body{font-family:system-ui,-apple-system,'DejaVu Sans',sans-serif;max-width:1100px;"
      "margin:2em auto;padding:0 1em;color:#1a1a1a;line-height:1.45}\n"
      "table{border-collapse:collapse;margin:0.5em 0 1.5em;font-size:0.92em}\n"
      "th,td{border:1px solid #d0d0d0;padding:0.25em 0.6em}th{background:#f3f3f3}\n"
      "td.num{text-align:right;font-variant-numeric:tabular-nums}\n"
      "figure{margin:1em 0 2em}svg{max-width:100%;height:auto}\n"
      "pre{background:#f6f6f6;padding:0.6em;overflow-x:auto}\n"
      "p.answer{font-size:1.15em;background:#eef6ff;border-left:4px solid #0072B2;"
      "padding:0.6em 0.9em}\n</style>\n</head>\n<body>\n";
  bool first_paragraph = true;
  for (const Block& b : doc.blocks) {
    switch (b.kind) {
      case Block::Kind::kHeading:
        out += "<h" + std::to_string(b.level) + ">" + InlineHtml(b.text) + "</h" +
               std::to_string(b.level) + ">\n";
        break;
      case Block::Kind::kParagraph:
        // The first paragraph is the answer: set it apart.
        out += std::string(first_paragraph ? "<p class=\"answer\">" : "<p>") + InlineHtml(b.text) +
               "</p>\n";
        first_paragraph = false;
        break;
      case Block::Kind::kTable: {
        out += "<table>\n<tr>";
        for (const std::string& h : b.header) out += "<th>" + InlineHtml(h) + "</th>";
        out += "</tr>\n";
        for (const auto& row : b.rows) {
          out += "<tr>";
          for (std::size_t i = 0; i < row.size(); ++i) {
            const bool right = i < b.right.size() && b.right[i];
            out +=
                std::string(right ? "<td class=\"num\">" : "<td>") + InlineHtml(row[i]) + "</td>";
          }
          out += "</tr>\n";
        }
        out += "</table>\n";
        break;
      }
      case Block::Kind::kList:
        out += "<ul>\n";
        for (const std::string& item : b.items) out += "<li>" + InlineHtml(item) + "</li>\n";
        out += "</ul>\n";
        break;
      case Block::Kind::kFigure: {
        out += "<figure>\n";
        for (const auto& [file, svg] : svgs) {
          if (file != b.file) continue;
          // Inline the chart without its XML prolog; the file beside the page stays the source.
          out += svg;
        }
        out += "<figcaption>" + EscapeXml(b.text) + " (<a href=\"" + EscapeXml(b.file) + "\">" +
               EscapeXml(b.file) + "</a>)</figcaption>\n</figure>\n";
        break;
      }
      case Block::Kind::kCode:
        out += "<pre>" + EscapeXml(b.text) + "</pre>\n";
        break;
    }
  }
  return out + "</body>\n</html>\n";
}

}  // namespace infercost
