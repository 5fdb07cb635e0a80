// Unit tests of the model's global bounds: the string pool's cap.
#include <gtest/gtest.h>

#include "actorscope/collector/exporter.hpp"
#include "actorscope/collector/model.hpp"
#include "stream.hpp"

namespace actorscope::collector {
namespace {

using testing::Stream;

TEST(StringPool, PastItsCapNewStringsReadOtherAndAreCounted) {
  StringPool p;
  p.set_limits(4, 0);  // "" plus three
  Str a = p.intern("a");
  Str b = p.intern("b");
  Str c = p.intern("c");
  EXPECT_EQ(p.dropped(), 0u);
  Str d = p.intern("d");
  EXPECT_EQ(p.text(d), "other");
  EXPECT_EQ(p.intern("e"), d);
  EXPECT_EQ(p.dropped(), 2u);
  EXPECT_EQ(p.intern("a"), a) << "strings kept before the cap still resolve";
  EXPECT_EQ(p.text(b), "b");
  EXPECT_EQ(p.text(c), "c");
  EXPECT_EQ(p.size(), 4u) << "the placeholder is reserved, not taken from the cap";
}

TEST(StringPool, TheByteCapHoldsToo) {
  StringPool p;
  p.set_limits(0, 1000);
  std::string big(600, 'x');
  EXPECT_EQ(p.text(p.intern(big)), big);
  EXPECT_EQ(p.text(p.intern(std::string(600, 'y'))), "other");
  EXPECT_EQ(p.dropped(), 1u);
  EXPECT_LE(p.memory_bytes(), 1000u);
}

TEST(Model, StringsPastThePoolCapFoldIntoOtherAndAreExported) {
  ModelSettings st;
  st.max_strings = 8;
  Model m(st);
  NodeKey n = m.on_hello(1, testing::hello("a"));
  Stream s;
  for (int i = 0; i < 20; ++i) s.spawn(static_cast<uint64_t>(i + 1), 0, "type_" + std::to_string(i));
  ASSERT_TRUE(s.apply(m, n).ok);
  ModelStats ms = m.stats();
  EXPECT_LE(ms.strings, 9u);
  EXPECT_GT(ms.strings_dropped, 0u);
  EXPECT_EQ(m.text(m.actor(n, 20)->type), "other");
  EXPECT_EQ(m.text(m.actor(n, 1)->type), "type_0");
  EXPECT_EQ(ms.anomalies[static_cast<size_t>(Anomaly::UnknownString)], 0u)
      << "a dropped string is defined: records that use it are not anomalies";
  std::string text = to_text(render_model(m, ExporterSettings{}));
  EXPECT_NE(text.find("actorscope_collector_strings_dropped_total " + std::to_string(ms.strings_dropped) + "\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("actor_type=\"other\""), std::string::npos);
}

}  // namespace
}  // namespace actorscope::collector
