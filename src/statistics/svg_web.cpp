#include "statistics/svg_web.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>

#include "core/text_numbers.hpp"
#include "http/message.hpp"

namespace sp::statistics::svg {
namespace {

// Bootstrap Italia's primary blue, a dark green, a dark orange and slate: each at least 4.5:1 on white,
// so a bar's colour is also legible as the legend's text colour would be.
constexpr const char* kPalette[] = {"#0066cc", "#00805a", "#b34700", "#5c6f82"};
constexpr const char* kText = "#1a1a1a";
constexpr const char* kGrid = "#c5c7c9";
constexpr int kWidth = 640;
constexpr int kHeight = 300;
constexpr int kLeft = 72;  // room for the axis numbers
constexpr int kRight = 16;
constexpr int kTop = 40;     // room for the legend
constexpr int kBottom = 56;  // room for the labels

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

const char* colour(std::size_t i) {
  return kPalette[i % (sizeof kPalette / sizeof kPalette[0])];
}

double max_value(const Chart& c) {
  double m = 0;
  for (const auto& s : c.series)
    for (double v : s.values)
      if (std::isfinite(v)) m = std::max(m, v);
  return m;
}

double clean(double v) {
  return std::isfinite(v) && v > 0 ? v : 0;
}

// The frame shared by both kinds: svg element, title, desc, grid with numbers, labels, legend.
struct Frame {
  std::string out;
  Scale scale;
  double plot_w = 0;
  double plot_h = 0;
  std::size_t n = 0;

  double y(double v) const { return kTop + plot_h - plot_h * std::min(clean(v), scale.top) / scale.top; }
};

Frame open(const Chart& c) {
  Frame f;
  f.scale = nice_scale(max_value(c));
  f.plot_w = kWidth - kLeft - kRight;
  f.plot_h = kHeight - kTop - kBottom;
  f.n = c.labels.size();
  const std::string id = xml_escape(c.id);
  f.out += "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"sp-chart\" viewBox=\"0 0 " +
           std::to_string(kWidth) + " " + std::to_string(kHeight) + "\" role=\"img\" aria-labelledby=\"" +
           id + "-title " + id + "-desc\" focusable=\"false\">";
  f.out += "<title id=\"" + id + "-title\">" + xml_escape(c.title) + "</title>";
  f.out += "<desc id=\"" + id + "-desc\">" + xml_escape(c.description) + "</desc>";
  f.out +=
      "<g aria-hidden=\"true\" font-family=\"Titillium Web, Geneva, Tahoma, sans-serif\" font-size=\"12\" "
      "fill=\"" +
      std::string(kText) + "\">";
  // Grid and axis numbers.
  for (double v = 0; v <= f.scale.top + f.scale.step / 2; v += f.scale.step) {
    const std::string yy = num(f.y(v));
    f.out += "<line x1=\"" + std::to_string(kLeft) + "\" x2=\"" + std::to_string(kWidth - kRight) +
             "\" y1=\"" + yy + "\" y2=\"" + yy + "\" stroke=\"" + kGrid + "\" stroke-width=\"1\"/>";
    f.out += "<text x=\"" + std::to_string(kLeft - 6) + "\" y=\"" + num(f.y(v) + 4) +
             "\" text-anchor=\"end\">" + xml_escape(text::group_digits(std::llround(v), c.lang)) + "</text>";
  }
  // Labels under each group; when they would touch (about 6.5 px a character at 12 px), only every
  // second, third ... one.
  std::size_t longest = 0;
  for (const auto& l : c.labels) longest = std::max(longest, l.size());
  const double label_px = 6.5 * static_cast<double>(longest) + 10;
  std::size_t every = 1;
  if (f.n > 0)
    every = std::max<std::size_t>(
        1, static_cast<std::size_t>(std::ceil(label_px * static_cast<double>(f.n) / f.plot_w)));
  for (std::size_t i = 0; i < f.n; ++i) {
    if (i % every != 0) continue;
    const double x = kLeft + f.plot_w * (static_cast<double>(i) + 0.5) / static_cast<double>(f.n);
    f.out += "<text x=\"" + num(x) + "\" y=\"" + std::to_string(kHeight - kBottom + 18) +
             "\" text-anchor=\"middle\">" + xml_escape(c.labels[i]) + "</text>";
  }
  // Legend on top.
  double lx = kLeft;
  for (std::size_t s = 0; s < c.series.size(); ++s) {
    f.out += "<rect x=\"" + num(lx) + "\" y=\"12\" width=\"12\" height=\"12\" fill=\"" + colour(s) + "\"/>";
    f.out += "<text x=\"" + num(lx + 16) + "\" y=\"22\">" + xml_escape(c.series[s].name) + "</text>";
    lx += 28 + 7.0 * static_cast<double>(c.series[s].name.size());
  }
  return f;
}

std::string close(Frame& f) {
  f.out += "<line x1=\"" + std::to_string(kLeft) + "\" x2=\"" + std::to_string(kWidth - kRight) + "\" y1=\"" +
           num(f.y(0)) + "\" y2=\"" + num(f.y(0)) + "\" stroke=\"" + kText + "\" stroke-width=\"1\"/>";
  f.out += "</g></svg>";
  return std::move(f.out);
}

double value_at(const Series& s, std::size_t i) {
  return i < s.values.size() ? clean(s.values[i]) : 0;
}

}  // namespace

Scale nice_scale(double max) {
  if (!std::isfinite(max) || max <= 0) return {4, 1};
  const double rough = max / 4;
  double power = std::pow(10.0, std::floor(std::log10(rough)));
  double step = power;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * power;
    if (step >= rough) break;
  }
  step = std::max(step, 1.0);
  const double top = std::ceil(max / step) * step;
  return {top, step};
}

std::string xml_escape(const std::string& s) {
  // Control characters other than tab and newlines are not allowed in XML 1.0: dropped.
  std::string clean;
  clean.reserve(s.size());
  for (char ch : s)
    if (static_cast<unsigned char>(ch) >= 0x20 || ch == '\t' || ch == '\n' || ch == '\r') clean += ch;
  return http::html_escape(clean);
}

std::string bar_chart(const Chart& c) {
  Frame f = open(c);
  const std::size_t k = std::max<std::size_t>(c.series.size(), 1);
  if (f.n > 0) {
    const double group = f.plot_w / static_cast<double>(f.n);
    const double bar = group * 0.8 / static_cast<double>(k);
    for (std::size_t i = 0; i < f.n; ++i) {
      for (std::size_t s = 0; s < c.series.size(); ++s) {
        const double v = value_at(c.series[s], i);
        const double x = kLeft + group * static_cast<double>(i) + group * 0.1 + bar * static_cast<double>(s);
        const double top = f.y(v);
        f.out += "<rect x=\"" + num(x) + "\" y=\"" + num(top) + "\" width=\"" + num(std::max(bar - 1, 1.0)) +
                 "\" height=\"" + num(f.y(0) - top) + "\" fill=\"" + colour(s) + "\"/>";
      }
    }
  }
  return close(f);
}

std::string line_chart(const Chart& c) {
  Frame f = open(c);
  if (f.n > 0) {
    for (std::size_t s = 0; s < c.series.size(); ++s) {
      std::string points;
      std::string marks;
      for (std::size_t i = 0; i < f.n; ++i) {
        const double x = kLeft + f.plot_w * (static_cast<double>(i) + 0.5) / static_cast<double>(f.n);
        const double yy = f.y(value_at(c.series[s], i));
        if (!points.empty()) points += ' ';
        points += num(x) + "," + num(yy);
        marks += "<circle cx=\"" + num(x) + "\" cy=\"" + num(yy) + "\" r=\"3\" fill=\"" + colour(s) + "\"/>";
      }
      f.out += "<polyline fill=\"none\" stroke=\"" + std::string(colour(s)) +
               "\" stroke-width=\"2\" points=\"" + points + "\"/>" + marks;
    }
  }
  return close(f);
}

}  // namespace sp::statistics::svg
