// A minimal document model for reports: headings, paragraphs, tables, lists, figures and code,
// written as Markdown (report.md) and as an HTML page (index.html) from the same blocks, so that
// the two never say different things. The sweep's report and the tune report share it.
// Thread contract: values and pure functions.
#ifndef INFERCOST_SWEEP_REPORT_DOCUMENT_H_
#define INFERCOST_SWEEP_REPORT_DOCUMENT_H_

#include <string>
#include <utility>
#include <vector>

namespace infercost {

struct Block {
  enum class Kind { kHeading, kParagraph, kTable, kList, kFigure, kCode };
  Kind kind = Kind::kParagraph;
  int level = 2;
  std::string text;                            // heading, paragraph, code; figure: alt text
  std::vector<std::string> header;             // table
  std::vector<bool> right;                     // table: right-aligned columns (figures)
  std::vector<std::vector<std::string>> rows;  // table
  std::vector<std::string> items;              // list
  std::string file;                            // figure: the SVG's file name
};

struct Document {
  std::vector<Block> blocks;
  void Heading(int level, std::string text) {
    Block b;
    b.kind = Block::Kind::kHeading;
    b.level = level;
    b.text = std::move(text);
    blocks.push_back(std::move(b));
  }
  void Paragraph(std::string text) {
    Block b;
    b.text = std::move(text);
    blocks.push_back(std::move(b));
  }
  void Table(std::vector<std::string> header, std::vector<bool> right,
             std::vector<std::vector<std::string>> rows) {
    Block b;
    b.kind = Block::Kind::kTable;
    b.header = std::move(header);
    b.right = std::move(right);
    b.rows = std::move(rows);
    blocks.push_back(std::move(b));
  }
  void List(std::vector<std::string> items) {
    if (items.empty()) return;
    Block b;
    b.kind = Block::Kind::kList;
    b.items = std::move(items);
    blocks.push_back(std::move(b));
  }
  void Figure(std::string file, std::string alt) {
    Block b;
    b.kind = Block::Kind::kFigure;
    b.file = std::move(file);
    b.text = std::move(alt);
    blocks.push_back(std::move(b));
  }
  void Code(std::string text) {
    Block b;
    b.kind = Block::Kind::kCode;
    b.text = std::move(text);
    blocks.push_back(std::move(b));
  }
};

std::string ToMarkdown(const Document& doc);
// The page: the first paragraph set apart as the answer, each figure's SVG (looked up by file
// name in `svgs`) inlined with a link to its file.
std::string ToHtml(const Document& doc,
                   const std::vector<std::pair<std::string, std::string>>& svgs,
                   const std::string& title = "infercost sweep report");

}  // namespace infercost

#endif  // INFERCOST_SWEEP_REPORT_DOCUMENT_H_
