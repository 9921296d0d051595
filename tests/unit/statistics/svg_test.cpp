// The statistics' SVG charts (src/statistics/svg_web.hpp) and their windows (service.hpp): well-formed XML,
// escaped labels, an accessible name, scales with zero and very large values; Rome's month bounds.
#include <gtest/gtest.h>

#include <pugixml.hpp>

#include "statistics/service.hpp"
#include "statistics/svg_web.hpp"

namespace sp::statistics {
namespace {

svg::Chart sample() {
  svg::Chart c;
  c.id = "st-x";
  c.title = "Istanze <ricevute> & \"decise\"";
  c.description = "Barre 'per' mese";
  c.labels = {"gen 2026", "<script>alert(1)</script>", "mar & co"};
  c.series = {{"Online", {3, 0, 7}}, {"Sportello <b>", {1, 2, 0}}};
  return c;
}

pugi::xml_node parsed(pugi::xml_document& doc, const std::string& text) {
  const auto r = doc.load_string(text.c_str());
  EXPECT_TRUE(r) << r.description() << "\n" << text;
  return doc.child("svg");
}

TEST(StatisticsSvg, BarChartIsWellFormedNamedAndEscaped) {
  const auto text = svg::bar_chart(sample());
  pugi::xml_document doc;
  auto root = parsed(doc, text);
  ASSERT_TRUE(root);
  EXPECT_STREQ(root.attribute("role").value(), "img");
  EXPECT_STREQ(root.attribute("aria-labelledby").value(), "st-x-title st-x-desc");
  EXPECT_STREQ(root.child("title").text().get(), "Istanze <ricevute> & \"decise\"");
  EXPECT_STREQ(root.child("desc").text().get(), "Barre 'per' mese");
  EXPECT_EQ(text.find("<script>"), std::string::npos);
  EXPECT_EQ(text.find("<b>"), std::string::npos);
  // One bar per series and label (2 x 3) plus the legend's two swatches.
  int rects = 0;
  for (auto r : root.select_nodes("//rect")) (void)r, ++rects;
  EXPECT_EQ(rects, 2 * 3 + 2);
  // The shapes are hidden from screen readers: the page's table carries the figures.
  EXPECT_STREQ(root.child("g").attribute("aria-hidden").value(), "true");
}

TEST(StatisticsSvg, LineChartHasOnePolylinePerSeriesAndAMarkerPerPoint) {
  const auto text = svg::line_chart(sample());
  pugi::xml_document doc;
  auto root = parsed(doc, text);
  ASSERT_TRUE(root);
  int lines = 0, marks = 0;
  for (auto r : root.select_nodes("//polyline")) (void)r, ++lines;
  for (auto r : root.select_nodes("//circle")) (void)r, ++marks;
  EXPECT_EQ(lines, 2);
  EXPECT_EQ(marks, 6);
}

TEST(StatisticsSvg, ScalesWithZeroAndLargeValues) {
  EXPECT_EQ(svg::nice_scale(0).top, 4);  // an empty chart still has an axis of whole numbers
  EXPECT_EQ(svg::nice_scale(0).step, 1);
  EXPECT_EQ(svg::nice_scale(7).top, 8);
  EXPECT_EQ(svg::nice_scale(7).step, 2);
  EXPECT_EQ(svg::nice_scale(100).top, 100);
  const auto big = svg::nice_scale(12'345'678'901.0);
  EXPECT_GE(big.top, 12'345'678'901.0);
  EXPECT_LE(big.top / big.step, 4.0 + 1e-9);

  auto zero = sample();
  for (auto& s : zero.series) s.values.assign(3, 0);
  pugi::xml_document d1;
  ASSERT_TRUE(parsed(d1, svg::bar_chart(zero)));
  // Every bar has a height of zero, and no coordinate is NaN or infinite.
  for (auto r : d1.select_nodes("//g/rect[@height]")) {
    const std::string h = r.node().attribute("height").value();
    if (r.node().attribute("y").as_double() != 12) {
      EXPECT_EQ(h, "0.0");
    }
  }
  auto large = sample();
  large.series[0].values = {1e12, 5e11, -3};
  const auto text = svg::line_chart(large);
  EXPECT_EQ(text.find("nan"), std::string::npos);
  EXPECT_EQ(text.find("inf"), std::string::npos);
  pugi::xml_document d2;
  auto root = parsed(d2, text);
  ASSERT_TRUE(root);
  EXPECT_NE(text.find("1.000.000.000.000"), std::string::npos);  // the axis's top, grouped
  // The largest point touches the top of the plot, the negative one is drawn at zero.
  std::vector<double> ys;
  for (auto c : root.select_nodes("//circle")) ys.push_back(c.node().attribute("cy").as_double());
  ASSERT_EQ(ys.size(), 6u);
  EXPECT_LT(ys[0], ys[1]);
  EXPECT_GT(ys[2], ys[1]);
}

TEST(StatisticsSvg, EmptyChartIsStillWellFormed) {
  svg::Chart c;
  c.id = "st-empty";
  c.title = "Nulla";
  pugi::xml_document doc;
  EXPECT_TRUE(parsed(doc, svg::bar_chart(c)));
  EXPECT_TRUE(parsed(doc, svg::line_chart(c)));
}

TEST(StatisticsWindow, MonthsAreRomesCalendarMonths) {
  using namespace std::chrono;
  auto w = parse_window("2026-01", "2026-03", year_month_day{year{2026}, month{5}, day{4}});
  ASSERT_TRUE(w);
  const auto b = month_bounds(*w);
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[0].month, "2026-01");
  EXPECT_EQ(b[0].lo, "2025-12-31T23:00:00.000Z");  // midnight in Rome, winter time
  EXPECT_EQ(b[2].hi, "2026-03-31T22:00:00.000Z");  // 1 April in Rome, summer time
  // Default: the twelve months ending with today's.
  auto d = parse_window("", "", year_month_day{year{2026}, month{5}, day{4}});
  ASSERT_TRUE(d);
  EXPECT_EQ(d->from(), "2025-06");
  EXPECT_EQ(d->to(), "2026-05");
  for (auto bad : {std::pair<std::string, std::string>{"2026-13", "2026-12"},
                   {"2026-05", "2026-01"},
                   {"2020-01", "2026-01"},
                   {"26-01", ""},
                   {"2026-1x", ""}}) {
    auto r = parse_window(bad.first, bad.second, year_month_day{year{2026}, month{5}, day{4}});
    ASSERT_FALSE(r) << bad.first << " " << bad.second;
    EXPECT_EQ(r.error().code, "statistics.window");
  }
}

}  // namespace
}  // namespace sp::statistics
