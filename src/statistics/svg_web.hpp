#pragma once
// Server-rendered charts (docs/statistics.md, "Charts"): bar and line charts as SVG text, no script.
// Presentation, so web-side (the XML escaping is http::html_escape's). Pure functions, unit-tested
// (tests/unit/statistics). Each chart is an <svg role="img"> named by its <title> and described by its
// <desc>; the page puts the same figures in a <table> beside it, which is what screen readers read (the
// SVG's own shapes are aria-hidden). Every text that reaches the SVG (titles, labels, series names) is
// XML-escaped here. Colours and text meet WCAG AA contrast on white.
#include <string>
#include <vector>

namespace sp::statistics::svg {

struct Series {
  std::string name;            // shown in the legend
  std::vector<double> values;  // one per label; negative values are drawn as zero
};

struct Chart {
  std::string id;                   // unique on the page; used for the title/desc ids (letters, digits, '-')
  std::string title;                // the accessible name
  std::string description;          // one sentence for the <desc>
  std::vector<std::string> labels;  // the x axis (months, bodies ...)
  std::vector<Series> series;       // at most 4 are coloured distinctly; more reuse the palette
  std::string lang = "it";          // the page's language: the axis's numbers are grouped in it
};

// Grouped bars: one group per label, one bar per series.
std::string bar_chart(const Chart& c);
// One polyline per series, a marker on each point.
std::string line_chart(const Chart& c);

// The axis's upper end and step for values up to `max`: a "nice" step (1, 2 or 5 times a power of ten,
// at least 1) and the smallest multiple of it, in four steps or fewer, that holds `max`.
struct Scale {
  double top = 1;
  double step = 1;
};
Scale nice_scale(double max);

// XML text and attribute escaping (& < > " ').
std::string xml_escape(const std::string& s);

}  // namespace sp::statistics::svg
