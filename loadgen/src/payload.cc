#include "loadgen/payload.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

#include "loadgen/base64.h"

namespace loadgen {
namespace {

namespace fs = std::filesystem;

constexpr std::uintmax_t kMaxFileBytes = 64u << 20;

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string ContentTypeFor(const fs::path& path) {
  struct Entry {
    const char* extension;
    const char* type;
  };
  static constexpr Entry kTypes[] = {
      {".jpg", "image/jpeg"}, {".jpeg", "image/jpeg"}, {".png", "image/png"},
      {".gif", "image/gif"},  {".webp", "image/webp"}, {".bmp", "image/bmp"},
      {".tif", "image/tiff"}, {".tiff", "image/tiff"}, {".json", "application/json"},
      {".txt", "text/plain"}, {".csv", "text/csv"},    {".npy", "application/octet-stream"},
  };
  const std::string extension = Lower(path.extension().string());
  for (const Entry& e : kTypes) {
    if (extension == e.extension) return e.type;
  }
  return "application/octet-stream";
}

// JSON string contents for a field name (the base64 part needs no escaping).
std::string JsonEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "\\u00";
          out += kHex[(c >> 4) & 0xf];
          out += kHex[c & 0xf];
        } else {
          out += c;
        }
    }
  }
  return out;
}

// A boundary that does not occur in the part (RFC 2046 §5.1.1 requires that).
std::string BoundaryFor(std::string_view bytes) {
  std::string boundary = "infercost-boundary-7MA4YWxkTrZu0gW";
  for (int attempt = 0; bytes.find(boundary) != std::string_view::npos; ++attempt) {
    boundary += static_cast<char>('a' + attempt % 26);
  }
  return boundary;
}

std::string QuoteFilename(std::string name) {
  std::replace(name.begin(), name.end(), '"', '_');
  std::replace(name.begin(), name.end(), '\r', '_');
  std::replace(name.begin(), name.end(), '\n', '_');
  return name;
}

Payload Encode(const PayloadSpec& spec, const fs::path& path, std::string bytes) {
  Payload payload;
  payload.source = path.filename().string();
  const std::string file_type = ContentTypeFor(path);
  switch (spec.encoding) {
    case BodyEncoding::kRaw:
      payload.content_type = file_type;
      payload.bytes = std::move(bytes);
      break;
    case BodyEncoding::kBase64Json:
      payload.content_type = "application/json";
      payload.bytes = "{\"" + JsonEscape(spec.field) + "\": \"" + Base64Encode(bytes) + "\"}";
      break;
    case BodyEncoding::kMultipart: {
      const std::string boundary = BoundaryFor(bytes);
      payload.content_type = "multipart/form-data; boundary=" + boundary;
      std::string& b = payload.bytes;
      b.reserve(bytes.size() + 256);
      b += "--" + boundary + "\r\n";
      b += "Content-Disposition: form-data; name=\"" + QuoteFilename(spec.field) +
           "\"; filename=\"" + QuoteFilename(payload.source) + "\"\r\n";
      b += "Content-Type: " + file_type + "\r\n\r\n";
      b += bytes;
      b += "\r\n--" + boundary + "--\r\n";
      break;
    }
  }
  if (!spec.content_type.empty()) payload.content_type = spec.content_type;
  return payload;
}

// Reads a whole regular file; on failure returns an error message.
std::string ReadFile(const fs::path& path, std::string* bytes) {
  std::error_code ec;
  const std::uintmax_t size = fs::file_size(path, ec);
  if (ec) return "cannot read " + path.string() + ": " + ec.message();
  if (size > kMaxFileBytes) {
    return path.string() + " is " + std::to_string(size >> 20) +
           " MiB; request bodies are limited to 64 MiB";
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return "cannot open " + path.string() + " for reading";
  bytes->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) return "error while reading " + path.string();
  return "";
}

}  // namespace

PayloadResult LoadPayloads(const PayloadSpec& spec) {
  PayloadResult result;
  auto payloads = std::make_shared<std::vector<Payload>>();
  if (!spec.file.empty() && !spec.image_dir.empty()) {
    result.error = "give either a body file or an image directory, not both";
    return result;
  }
  if (!spec.file.empty()) {
    const fs::path path(spec.file);
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
      result.error = "body file " + spec.file + " is not a readable regular file";
      return result;
    }
    std::string bytes;
    if (std::string error = ReadFile(path, &bytes); !error.empty()) {
      result.error = std::move(error);
      return result;
    }
    payloads->push_back(Encode(spec, path, std::move(bytes)));
  } else if (!spec.image_dir.empty()) {
    const fs::path dir(spec.image_dir);
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
      result.error = "image directory " + spec.image_dir + " does not exist or is not a directory";
      return result;
    }
    std::vector<fs::path> files;
    fs::directory_iterator it(dir, ec);
    if (ec) {
      result.error = "cannot list image directory " + spec.image_dir + ": " + ec.message();
      return result;
    }
    for (const fs::directory_entry& entry : it) {
      // Hidden files (.DS_Store, editor swap files) are not test images.
      if (entry.path().filename().string().starts_with(".")) continue;
      if (entry.is_regular_file(ec)) files.push_back(entry.path());
    }
    if (files.empty()) {
      result.error = "image directory " + spec.image_dir + " has no regular files";
      return result;
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& path : files) {
      std::string bytes;
      if (std::string error = ReadFile(path, &bytes); !error.empty()) {
        result.error = std::move(error);
        return result;
      }
      payloads->push_back(Encode(spec, path, std::move(bytes)));
    }
  } else if (!spec.inline_body.empty()) {
    Payload payload;
    payload.bytes = spec.inline_body;
    payload.content_type = spec.content_type;
    payload.source = "inline";
    payloads->push_back(std::move(payload));
  }
  result.payloads = std::move(payloads);
  return result;
}

}  // namespace loadgen
