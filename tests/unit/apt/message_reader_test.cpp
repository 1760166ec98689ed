// The method's side of apt's message framing: messages split across reads or several in one
// read (apt pipelines), continuation lines, names in any case, malformed blocks reported with
// their URI so the method can answer for them, and the writer's escaping.
#include "swarmcopy/apt/message_reader.h"

#include <gtest/gtest.h>

#include "swarmcopy/apt/message.h"

namespace swarmcopy::apt {
namespace {

TEST(MessageReaderTest, PipelinedMessagesInOneReadComeOutInOrder) {
  MessageReader reader;
  reader.feed(
      "600 URI Acquire\nURI: swarmcopy+http://h/a\nFilename: /p/a\n\n"
      "600 URI Acquire\nURI: swarmcopy+http://h/b\nFilename: /p/b\n\n");
  auto first = reader.next();
  ASSERT_TRUE(first && *first);
  EXPECT_EQ((*first)->code, 600);
  EXPECT_EQ((*first)->status, "URI Acquire");
  EXPECT_EQ((*first)->get("URI"), "swarmcopy+http://h/a");
  auto second = reader.next();
  ASSERT_TRUE(second && *second);
  EXPECT_EQ((*second)->get("filename"), "/p/b");
  EXPECT_FALSE(reader.next());
}

TEST(MessageReaderTest, AMessageSplitAcrossReadsWaitsForItsBlankLine) {
  MessageReader reader;
  const std::string text = "601 Configuration\nConfig-Item: A::B=1\nConfig-Item: C=2\n\n";
  for (std::size_t i = 0; i + 1 < text.size(); ++i) {
    reader.feed(text.substr(i, 1));
    EXPECT_FALSE(reader.next()) << "after " << i + 1 << " bytes";
  }
  reader.feed(text.substr(text.size() - 1));
  auto message = reader.next();
  ASSERT_TRUE(message && *message);
  EXPECT_EQ((*message)->get_all("config-item"), (std::vector<std::string>{"A::B=1", "C=2"}));
  EXPECT_EQ(reader.pending_bytes(), 0u);
}

TEST(MessageReaderTest, LeadingBlankLinesAndCarriageReturnsAreTolerated) {
  MessageReader reader;
  reader.feed("\n\r\n600 URI Acquire\r\nURI: x\r\n\r\n");
  auto message = reader.next();
  ASSERT_TRUE(message && *message);
  EXPECT_EQ((*message)->get("URI"), "x");
}

TEST(MessageReaderTest, ContinuationLinesJoinTheirField) {
  auto message = parse_message("201 URI Done\nMessage: first\n second\n\tthird\nSize: 3");
  ASSERT_TRUE(message);
  EXPECT_EQ(message->get("Message"), "first\nsecond\nthird");
  EXPECT_EQ(message->get("Size"), "3");
}

TEST(MessageReaderTest, ABlockWithoutStatusCodeIsMalformed) {
  auto message = parse_message("hello apt\nURI: swarmcopy+http://h/x");
  ASSERT_FALSE(message);
  EXPECT_NE(message.error().reason.find("no status code"), std::string::npos);
  EXPECT_EQ(message.error().uri, "swarmcopy+http://h/x");
  EXPECT_FALSE(parse_message("60 URI Acquire"));
  EXPECT_FALSE(parse_message("6000 URI Acquire"));
  EXPECT_FALSE(parse_message(""));
}

TEST(MessageReaderTest, AFieldLineWithoutColonIsMalformedButKeepsTheUri) {
  MessageReader reader;
  reader.feed(
      "600 URI Acquire\nURI: swarmcopy+http://h/x\njunk line\n\n600 URI Acquire\nURI: y\n\n");
  auto bad = reader.next();
  ASSERT_TRUE(bad);
  ASSERT_FALSE(*bad);
  EXPECT_EQ(bad->error().uri, "swarmcopy+http://h/x");
  EXPECT_NE(bad->error().reason.find("junk line"), std::string::npos);
  auto good = reader.next();  // the reader goes on with the next message
  ASSERT_TRUE(good && *good);
  EXPECT_EQ((*good)->get("URI"), "y");
}

TEST(MessageReaderTest, ControlCharactersInAMalformedLineAreNotEchoed) {
  auto message = parse_message("6\x01x\x1b[31m");
  ASSERT_FALSE(message);
  for (char c : message.error().reason) EXPECT_GE(static_cast<unsigned char>(c), 32);
}

TEST(MessageReaderTest, AnEndlessMessageIsCutOffAsMalformed) {
  MessageReader reader;
  const std::string line = "Config-Item: " + std::string(1 << 20, 'x') + "\n";
  reader.feed("601 Configuration\n");
  std::optional<std::expected<Message, MalformedMessage>> got;
  for (int i = 0; i < 20 && !got; ++i) {
    reader.feed(line);
    got = reader.next();
  }
  ASSERT_TRUE(got);
  EXPECT_FALSE(*got);
  EXPECT_EQ(reader.pending_bytes(), 0u);
}

TEST(MessageWriterTest, WritesStatusFieldsContinuationsAndTheBlankLine) {
  Message message{201, "URI Done", {{"URI", "u"}, {"Message", "a\nb"}, {"Empty", ""}}};
  EXPECT_EQ(format_message(message), "201 URI Done\nURI: u\nMessage: a\n b\n\n");
}

TEST(MessageWriterTest, ControlCharactersCannotBreakTheFraming) {
  Message message{400, "URI Failure", {{"Message", "bad\r\x01thing"}, {"Na:me\n", "v"}}};
  const auto text = format_message(message);
  EXPECT_EQ(text, "400 URI Failure\nMessage: bad  thing\nName: v\n\n");
  // Blank lines inside a value, a name with nothing allowed in it, a code below 100: still one
  // well-formed message.
  EXPECT_EQ(format_message(Message{
                5, "X", {{"A", "one\n \n\ntwo\n "}, {"::", "v"}, {"B", " \n"}, {"\x01 C", "c"}}}),
            "005 X\nA: one\n two\nC: c\n\n");
  auto round = parse_message(text.substr(0, text.size() - 2));
  ASSERT_TRUE(round);
  EXPECT_EQ(round->get("Message"), "bad  thing");
}

}  // namespace
}  // namespace swarmcopy::apt
