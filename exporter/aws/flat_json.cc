#include "aws/flat_json.h"

#include <cstdint>

namespace infercost::aws {
namespace {

class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  std::optional<FlatJsonObject> Object(std::string* error) {
    FlatJsonObject object;
    SkipSpace();
    if (!Consume('{')) return Fail(error, "expected '{'");
    SkipSpace();
    if (Consume('}')) return Finish(std::move(object), error);
    while (true) {
      SkipSpace();
      std::string key;
      if (!String(&key)) return Fail(error, "expected a quoted member name");
      SkipSpace();
      if (!Consume(':')) return Fail(error, "expected ':'");
      SkipSpace();
      std::string value;
      if (!Value(&value)) return Fail(error, "expected a string, number, true, false or null");
      if (!object.members.emplace(std::move(key), std::move(value)).second) {
        return Fail(error, "duplicate member name");
      }
      SkipSpace();
      if (Consume('}')) return Finish(std::move(object), error);
      if (!Consume(',')) return Fail(error, "expected ',' or '}'");
    }
  }

 private:
  std::optional<FlatJsonObject> Finish(FlatJsonObject object, std::string* error) {
    SkipSpace();
    if (pos_ != text_.size()) return Fail(error, "unexpected text after the object");
    return object;
  }

  std::optional<FlatJsonObject> Fail(std::string* error, std::string_view what) const {
    if (error != nullptr) *error = std::string(what) + " at offset " + std::to_string(pos_);
    return std::nullopt;
  }

  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool Consume(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  bool Value(std::string* out) {
    if (pos_ >= text_.size()) return false;
    if (text_[pos_] == '"') return String(out);
    for (std::string_view word : {"true", "false", "null"}) {
      if (text_.substr(pos_).starts_with(word)) {
        pos_ += word.size();
        *out = word;
        return true;
      }
    }
    return Number(out);
  }

  // JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  bool Number(std::string* out) {
    const std::size_t start = pos_;
    Consume('-');
    if (Consume('0')) {
    } else if (!Digits()) {
      return false;
    }
    if (Consume('.') && !Digits()) return false;
    if (Consume('e') || Consume('E')) {
      if (!Consume('+')) Consume('-');
      if (!Digits()) return false;
    }
    *out = text_.substr(start, pos_ - start);
    return true;
  }

  bool Digits() {
    const std::size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
    return pos_ > start;
  }

  bool String(std::string* out) {
    if (!Consume('"')) return false;
    out->clear();
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c != '\\') {
        out->push_back(c);
        continue;
      }
      if (pos_ >= text_.size() || !Escape(text_[pos_++], out)) return false;
    }
    return false;
  }

  bool Escape(char c, std::string* out) {
    switch (c) {
      case '"':
      case '\\':
      case '/':
        out->push_back(c);
        return true;
      case 'b':
        out->push_back('\b');
        return true;
      case 'f':
        out->push_back('\f');
        return true;
      case 'n':
        out->push_back('\n');
        return true;
      case 'r':
        out->push_back('\r');
        return true;
      case 't':
        out->push_back('\t');
        return true;
      case 'u':
        return Unicode(out);
      default:
        return false;
    }
  }

  bool Hex4(uint32_t* value) {
    if (text_.size() - pos_ < 4) return false;
    *value = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[pos_++];
      uint32_t digit = 0;
      if (c >= '0' && c <= '9') {
        digit = static_cast<uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        digit = static_cast<uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        digit = static_cast<uint32_t>(c - 'A' + 10);
      } else {
        return false;
      }
      *value = *value * 16 + digit;
    }
    return true;
  }

  // \uXXXX, with surrogate pairs, written out as UTF-8.
  bool Unicode(std::string* out) {
    uint32_t code = 0;
    if (!Hex4(&code)) return false;
    if (code >= 0xD800 && code <= 0xDBFF) {
      uint32_t low = 0;
      if (!Consume('\\') || !Consume('u') || !Hex4(&low) || low < 0xDC00 || low > 0xDFFF) {
        return false;
      }
      code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
    } else if (code >= 0xDC00 && code <= 0xDFFF) {
      return false;
    }
    auto put = [out](uint32_t byte) { out->push_back(static_cast<char>(byte)); };
    if (code < 0x80) {
      put(code);
    } else if (code < 0x800) {
      put(0xC0 | (code >> 6));
      put(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
      put(0xE0 | (code >> 12));
      put(0x80 | ((code >> 6) & 0x3F));
      put(0x80 | (code & 0x3F));
    } else {
      put(0xF0 | (code >> 18));
      put(0x80 | ((code >> 12) & 0x3F));
      put(0x80 | ((code >> 6) & 0x3F));
      put(0x80 | (code & 0x3F));
    }
    return true;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

std::optional<std::string> FlatJsonObject::Get(std::string_view key) const {
  const auto it = members.find(key);
  if (it == members.end()) return std::nullopt;
  return it->second;
}

std::optional<FlatJsonObject> ParseFlatJsonObject(std::string_view text, std::string* error) {
  return Reader(text).Object(error);
}

}  // namespace infercost::aws
