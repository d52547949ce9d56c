#include "loadgen/payload.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/support/temp_dir.h"

namespace loadgen {
namespace {

namespace fs = std::filesystem;

class PayloadTest : public ::testing::Test {
 protected:
  const infercost::test::TempDir dir_{
      std::string("payload_test_") +
      ::testing::UnitTest::GetInstance()->current_test_info()->name()};
  void Write(const fs::path& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
  }
};

TEST_F(PayloadTest, ImageDirectoryIsReadSortedWithTypesFromExtensions) {
  fs::create_directories(dir_ / "images");
  Write(dir_ / "images" / "b.png", "PNGDATA");
  Write(dir_ / "images" / "a.JPG", "JPEGDATA");
  Write(dir_ / "images" / ".hidden", "no");
  fs::create_directories(dir_ / "images" / "subdir");
  PayloadSpec spec;
  spec.image_dir = (dir_ / "images").string();
  const PayloadResult result = LoadPayloads(spec);
  ASSERT_NE(result.payloads, nullptr) << result.error;
  ASSERT_EQ(result.payloads->size(), 2u);
  EXPECT_EQ((*result.payloads)[0].source, "a.JPG");
  EXPECT_EQ((*result.payloads)[0].content_type, "image/jpeg");
  EXPECT_EQ((*result.payloads)[0].bytes, "JPEGDATA");
  EXPECT_EQ((*result.payloads)[1].content_type, "image/png");
}

TEST_F(PayloadTest, Base64JsonWrapsTheFileInAField) {
  Write(dir_ / "cat.jpg", "foobar");
  PayloadSpec spec;
  spec.file = (dir_ / "cat.jpg").string();
  spec.encoding = BodyEncoding::kBase64Json;
  spec.field = "img\"x";
  const PayloadResult result = LoadPayloads(spec);
  ASSERT_NE(result.payloads, nullptr) << result.error;
  EXPECT_EQ((*result.payloads)[0].content_type, "application/json");
  EXPECT_EQ((*result.payloads)[0].bytes, "{\"img\\\"x\": \"Zm9vYmFy\"}");
}

TEST_F(PayloadTest, MultipartHasOnePartWithTheFile) {
  Write(dir_ / "cat.png", "PIXELS");
  PayloadSpec spec;
  spec.file = (dir_ / "cat.png").string();
  spec.encoding = BodyEncoding::kMultipart;
  const PayloadResult result = LoadPayloads(spec);
  ASSERT_NE(result.payloads, nullptr) << result.error;
  const Payload& p = (*result.payloads)[0];
  const std::string prefix = "multipart/form-data; boundary=";
  ASSERT_TRUE(p.content_type.starts_with(prefix)) << p.content_type;
  const std::string boundary = p.content_type.substr(prefix.size());
  EXPECT_EQ(p.bytes, "--" + boundary +
                         "\r\nContent-Disposition: form-data; name=\"image\"; "
                         "filename=\"cat.png\"\r\nContent-Type: image/png\r\n\r\nPIXELS\r\n--" +
                         boundary + "--\r\n");
}

TEST_F(PayloadTest, ContentTypeOverrideWins) {
  Write(dir_ / "x.bin", "1");
  PayloadSpec spec;
  spec.file = (dir_ / "x.bin").string();
  spec.content_type = "application/x-npy";
  const PayloadResult result = LoadPayloads(spec);
  ASSERT_NE(result.payloads, nullptr);
  EXPECT_EQ((*result.payloads)[0].content_type, "application/x-npy");
}

TEST_F(PayloadTest, InlineBodyAndNoBody) {
  PayloadSpec spec;
  spec.inline_body = "{\"x\": 1}";
  spec.content_type = "application/json";
  PayloadResult result = LoadPayloads(spec);
  ASSERT_NE(result.payloads, nullptr);
  ASSERT_EQ(result.payloads->size(), 1u);
  EXPECT_EQ((*result.payloads)[0].bytes, "{\"x\": 1}");
  result = LoadPayloads(PayloadSpec{});
  ASSERT_NE(result.payloads, nullptr);
  EXPECT_TRUE(result.payloads->empty());
}

TEST_F(PayloadTest, ErrorsSayWhatToFix) {
  PayloadSpec spec;
  spec.image_dir = (dir_ / "missing").string();
  PayloadResult result = LoadPayloads(spec);
  EXPECT_EQ(result.payloads, nullptr);
  EXPECT_EQ(result.error,
            "image directory " + spec.image_dir + " does not exist or is not a directory");

  fs::create_directories(dir_ / "empty");
  spec.image_dir = (dir_ / "empty").string();
  result = LoadPayloads(spec);
  EXPECT_EQ(result.error, "image directory " + spec.image_dir + " has no regular files");

  spec.file = (dir_ / "nope.jpg").string();
  result = LoadPayloads(spec);
  EXPECT_EQ(result.error, "give either a body file or an image directory, not both");

  spec.image_dir.clear();
  result = LoadPayloads(spec);
  EXPECT_EQ(result.error, "body file " + spec.file + " is not a readable regular file");
}

}  // namespace
}  // namespace loadgen
