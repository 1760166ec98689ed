// A file's SHA-256 from a checksum list (SHA256SUMS, BSD tags, a one-line .sha256).
#include "checksum_list.h"

#include <gtest/gtest.h>

namespace swarmcopy::engine {
namespace {

const std::string kA = "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9";
const std::string kB = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const std::string kUrl = "https://example.org/SHA256SUMS";

std::string upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

TEST(ChecksumListTest, Sha256sumTextAndBinaryLinesFindTheirFile) {
  const std::string list = "# Debian 12 images\n\n" + kA + "  debian-12.iso\n" + kB +
                           " *debian-12-netinst.iso\n" + kA + "  other.iso\r\n";
  EXPECT_EQ(sha256_from_checksum_list(list, "debian-12.iso", kUrl), kA);
  EXPECT_EQ(sha256_from_checksum_list(list, "debian-12-netinst.iso", kUrl), kB);
  EXPECT_EQ(sha256_from_checksum_list(list, "other.iso", kUrl), kA) << "CRLF line ends";
}

TEST(ChecksumListTest, TagsBareHashesDirectoriesAndUppercaseHex) {
  EXPECT_EQ(sha256_from_checksum_list("SHA256 (f.tar.gz) = " + upper(kB) + "\n", "f.tar.gz", kUrl),
            kB);
  // A one-line .sha256 names its one file, whatever the URL calls it.
  EXPECT_EQ(sha256_from_checksum_list(kA + "\n", "anything.bin", kUrl), kA);
  EXPECT_EQ(sha256_from_checksum_list(kA + "  ./dist/f.bin\n" + kB + "  g.bin\n", "f.bin", kUrl),
            kA);
  // coreutils escapes names with a backslash or a line break.
  EXPECT_EQ(sha256_from_checksum_list("\\" + kB + "  a\\\\b.bin\n", "a\\b.bin", kUrl), kB);
}

TEST(ChecksumListTest, NoEntryTwoThatDisagreeOrNoListAreClearErrors) {
  const std::string list = kA + "  f.bin\n" + kB + "  g.bin\n";
  auto missing = sha256_from_checksum_list(list, "h.bin", kUrl);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("no entry for 'h.bin' (2 entries)"), std::string::npos)
      << missing.error().message;
  EXPECT_EQ(missing.error().file, kUrl);
  // A partial name is not a match: "f.bin" is not "of.bin".
  EXPECT_FALSE(sha256_from_checksum_list(kA + "  of.bin\n" + kB + "  x\n", "f.bin", kUrl));
  auto twice = sha256_from_checksum_list(kA + "  f.bin\n" + kB + "  dir/f.bin\n", "f.bin", kUrl);
  ASSERT_FALSE(twice);
  EXPECT_NE(twice.error().message.find("two different"), std::string::npos);
  // An HTML error page, a SHA-512 list: no SHA-256 entry at all.
  EXPECT_FALSE(sha256_from_checksum_list("<html>Not Found</html>", "f.bin", kUrl));
  EXPECT_FALSE(sha256_from_checksum_list(
      std::string(128, 'a') + "  f.bin\nSHA512 (f.bin) = " + std::string(128, 'b') + "\n", "f.bin",
      kUrl));
  // A bare hash among named entries names no file.
  EXPECT_FALSE(sha256_from_checksum_list(kA + "\n" + kB + "  g.bin\n", "f.bin", kUrl));
}

}  // namespace
}  // namespace swarmcopy::engine
