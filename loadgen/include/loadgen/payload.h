// Building request bodies from files.
#ifndef LOADGEN_PAYLOAD_H_
#define LOADGEN_PAYLOAD_H_

#include <memory>
#include <string>
#include <vector>

#include "loadgen/request.h"

namespace loadgen {

struct PayloadResult {
  std::shared_ptr<const std::vector<Payload>> payloads;  // null on error
  std::string error;  // what to fix, e.g. "image directory test_images/ has no regular files"
};

// Reads the file or every regular file of the directory (sorted by name; hidden files, whose
// names start with '.', are skipped) and encodes each. With neither, the inline body is the one
// payload, and with no inline body either the result is an empty list (requests without a body).
// Fails on unreadable paths, empty directories, files over 64 MiB and a spec with both a file
// and a directory.
PayloadResult LoadPayloads(const PayloadSpec& spec);

}  // namespace loadgen

#endif  // LOADGEN_PAYLOAD_H_
