// `wire: impair DIRS ...`: netem's words for the wire's own impairment.
// Every clause is read here, once; a clause that could never do anything
// (loss 0%, a reorder without a delay) is refused with what to write instead.
#include "wire_faults.hpp"

#include "pattern.hpp"

#include <charconv>
#include <cmath>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <stdexcept>

namespace closepath {
namespace {

constexpr std::int64_t kMaxImpairDelayNs = 60'000'000'000;  // a minute: far beyond any scenario's deadline

class Clauses {
 public:
  explicit Clauses(const std::vector<std::string>& w) : w_(w) {}
  bool done() const { return i_ >= w_.size(); }
  const std::string& take() { return w_.at(i_++); }
  // The next word when it reads as `ok` (then consumed).
  template <typename Ok>
  std::optional<std::string> take_if(Ok ok) {
    if (done() || !ok(w_[i_])) return std::nullopt;
    return w_[i_++];
  }
  const std::string& need(const std::string& what) {
    if (done()) throw std::invalid_argument(what + " needs a value");
    return take();
  }

 private:
  const std::vector<std::string>& w_;
  std::size_t i_ = 2;  // after "impair DIRS"
};

bool is_percent(const std::string& w) {
  static const std::regex percent(R"([0-9]+(\.[0-9]+)?%)");
  return std::regex_match(w, percent);
}

double percent(const std::string& what, const std::string& w) {
  if (!is_percent(w)) throw std::invalid_argument(what + " takes a percentage such as 10% or 0.5%, got '" + w + "'");
  const double v = std::stod(w.substr(0, w.size() - 1));
  if (v > 100) throw std::invalid_argument(what + " is at most 100%, got '" + w + "'");
  return v / 100.0;
}

bool is_time(const std::string& w) {
  static const std::regex time(R"([0-9]+(\.[0-9]+)?(ms|s))");
  return std::regex_match(w, time);
}

std::int64_t time_ns(const std::string& what, const std::string& w) {
  if (!is_time(w)) throw std::invalid_argument(what + " takes a time such as 50ms, 0.2ms or 1.5s, got '" + w + "'");
  std::int64_t ns = -1;
  try {
    ns = pcap::parse_time(w);
  } catch (const pcap::PatternError&) {
  }
  if (ns < 0 || ns > kMaxImpairDelayNs) throw std::invalid_argument(what + " is at most 60s, got '" + w + "'");
  return ns;
}

Chance chance(Clauses& c, const std::string& what) {
  Chance ch{percent(what, c.need(what)), 0};
  if (const auto corr = c.take_if(is_percent)) ch.correlation = percent(what + "'s correlation", *corr);
  if (ch.p == 0) throw std::invalid_argument(what + " 0% does nothing (to end an impairment write 'impair DIRS off')");
  return ch;
}

ImpairDelay delay(Clauses& c) {
  ImpairDelay d;
  d.mean_ns = time_ns("delay", c.need("delay"));
  if (const auto jitter = c.take_if(is_time)) {
    d.jitter_ns = time_ns("delay's jitter", *jitter);
    if (const auto corr = c.take_if(is_percent)) d.correlation = percent("delay's correlation", *corr);
  }
  if (d.mean_ns == 0 && d.jitter_ns == 0) throw std::invalid_argument("delay 0ms does nothing (to end an impairment write 'impair DIRS off')");
  return d;
}

DelayDistribution distribution(Clauses& c) {
  const auto& w = c.need("distribution");
  for (std::size_t i = 0; i < kDelayDistributionNames.size(); ++i)
    if (kDelayDistributionNames[i] == w) return static_cast<DelayDistribution>(i);
  throw std::invalid_argument("distribution is uniform, normal, pareto or paretonormal, got '" + w + "'");
}

ImpairLoss loss(Clauses& c) {
  ImpairLoss l;
  if (c.take_if([](const std::string& w) { return w == "gemodel"; })) {
    GilbertElliott g;
    g.p = percent("loss gemodel's P", c.need("loss gemodel"));
    g.r = 1 - g.p;  // netem's manual: r = 1-p, 1-h = 100%, 1-k = 0% unless given
    if (const auto r = c.take_if(is_percent)) g.r = percent("loss gemodel's R", *r);
    if (const auto h = c.take_if(is_percent)) g.loss_bad = percent("loss gemodel's 1-H", *h);
    if (const auto k = c.take_if(is_percent)) g.loss_good = percent("loss gemodel's 1-K", *k);
    if (g.loss_good == 0 && (g.p == 0 || g.loss_bad == 0))
      throw std::invalid_argument("this loss gemodel never loses a frame (it never reaches a state that loses)");
    l.gemodel = g;
    return l;
  }
  (void)c.take_if([](const std::string& w) { return w == "random"; });  // netem's optional word
  l.random = chance(c, "loss");
  return l;
}

std::uint64_t rate(const std::string& w) {
  // tc's units: bit, kbit, mbit, gbit (bits per second), bps, kbps, mbps, gbps (bytes per second); k is 1000.
  static const std::map<std::string, double> units{{"bit", 1},     {"kbit", 1e3},  {"mbit", 1e6},  {"gbit", 1e9},
                                                   {"bps", 8},     {"kbps", 8e3},  {"mbps", 8e6},  {"gbps", 8e9}};
  static const std::regex form(R"(([0-9]+(\.[0-9]+)?)([a-z]+))");
  std::smatch m;
  const auto unit = std::regex_match(w, m, form) ? units.find(m[3].str()) : units.end();
  if (unit == units.end())
    throw std::invalid_argument("rate takes a number and a unit (bit, kbit, mbit, gbit; bps, kbps, mbps, gbps: bytes), got '" + w + "'");
  const double bits = std::stod(m[1].str()) * unit->second;
  if (bits < 8 || bits > 1e12) throw std::invalid_argument("rate is from 8bit to 1000gbit, got '" + w + "'");
  return static_cast<std::uint64_t>(std::llround(bits));
}

std::uint64_t seed_value(const std::string& w) {
  std::uint64_t n = 0;
  const auto [ptr, ec] = std::from_chars(w.data(), w.data() + w.size(), n);
  if (ec != std::errc{} || ptr != w.data() + w.size()) throw std::invalid_argument("seed takes a number from 0 to 2^64-1, got '" + w + "'");
  return n;
}

Dirs impair_dirs(const std::string& w) {
  if (const auto dirs = pcap::dirs_named(w)) return *dirs;
  throw std::invalid_argument("impair takes c>s, s>c or both first, got '" + w + "'");
}

// Checks what the clauses only mean together.
void check_together(const ImpairModel& m, bool distribution_given) {
  if (distribution_given && (!m.delay || m.delay->jitter_ns == 0))
    throw std::invalid_argument("a distribution shapes the delay's jitter: write 'delay D JITTER distribution ...'");
  if (m.reorder && (!m.delay || m.delay->mean_ns == 0))
    throw std::invalid_argument("reorder needs a delay, as netem's does: the frames it does not send at once are the delayed ones");
  if (!m.delay && !m.loss && !m.duplicate && !m.reorder && !m.corrupt && !m.rate_bits_per_s)
    throw std::invalid_argument("impair names no impairment: delay, loss, duplicate, reorder, corrupt or rate (or off)");
}

}  // namespace

Impair Impair::parse(const std::vector<std::string>& w) {
  if (w.size() < 3) throw std::invalid_argument(std::string("write '") + synopsis + "'");
  Impair imp{impair_dirs(w[1])};
  if (w[2] == "off") {
    if (w.size() > 3) throw std::invalid_argument("'impair DIRS off' takes nothing after off, got '" + w[3] + "'");
    return imp;
  }
  ImpairModel m;
  bool distribution_given = false;
  std::set<std::string> given;
  Clauses c(w);
  const std::map<std::string, std::function<void()>> clauses{
      {"delay", [&] { m.delay = delay(c); }},
      {"distribution", [&] {
         distribution_given = true;
         const auto d = distribution(c);
         if (m.delay) m.delay->distribution = d;
       }},
      {"loss", [&] { m.loss = loss(c); }},
      {"duplicate", [&] { m.duplicate = chance(c, "duplicate"); }},
      {"corrupt", [&] { m.corrupt = chance(c, "corrupt"); }},
      {"reorder", [&] {
         m.reorder = ImpairReorder{chance(c, "reorder")};
         if (c.take_if([](const std::string& x) { return x == "gap"; })) {
           const auto& g = c.need("gap");
           std::uint32_t n = 0;
           const auto [ptr, ec] = std::from_chars(g.data(), g.data() + g.size(), n);
           if (ec != std::errc{} || ptr != g.data() + g.size() || n < 1 || n > 1'000'000)
             throw std::invalid_argument("gap takes a number from 1 to 1000000, got '" + g + "'");
           m.reorder->gap = n;
         }
       }},
      {"rate", [&] { m.rate_bits_per_s = rate(c.need("rate")); }},
      {"seed", [&] { imp.seed = seed_value(c.need("seed")); }},
  };
  while (!c.done()) {
    const auto& name = c.take();
    const auto clause = clauses.find(name);
    if (clause == clauses.end())
      throw std::invalid_argument("unknown impair word '" + name + "' (known: delay, distribution, loss, duplicate, reorder, corrupt, rate, seed, off)");
    if (!given.insert(name).second) throw std::invalid_argument("'" + name + "' is given twice");
    clause->second();
  }
  check_together(m, distribution_given);
  imp.model = m;
  return imp;
}

namespace {

std::string pct(double p) {
  char text[32];
  std::snprintf(text, sizeof text, "%g%%", p * 100);
  return text;
}

std::string time_text(std::int64_t ns) {
  char text[32];
  std::snprintf(text, sizeof text, "%gms", static_cast<double>(ns) / 1e6);
  return text;
}

std::string chance_text(const Chance& c) { return pct(c.p) + (c.correlation != 0 ? " " + pct(c.correlation) : ""); }

}  // namespace

std::string to_string(const ImpairModel& m) {
  std::string s;
  auto add = [&](const std::string& part) { s += (s.empty() ? "" : " ") + part; };
  if (m.delay) {
    add("delay " + time_text(m.delay->mean_ns));
    if (m.delay->jitter_ns) add(time_text(m.delay->jitter_ns));
    if (m.delay->correlation != 0) add(pct(m.delay->correlation));
    if (m.delay->distribution != DelayDistribution::uniform)
      add("distribution " + std::string(kDelayDistributionNames[static_cast<std::size_t>(m.delay->distribution)]));
  }
  if (m.loss && m.loss->random) add("loss " + chance_text(*m.loss->random));
  if (m.loss && m.loss->gemodel) {
    const auto& g = *m.loss->gemodel;
    add("loss gemodel " + pct(g.p) + " " + pct(g.r) + " " + pct(g.loss_bad) + " " + pct(g.loss_good));
  }
  if (m.duplicate) add("duplicate " + chance_text(*m.duplicate));
  if (m.reorder) add("reorder " + chance_text(m.reorder->chance) + (m.reorder->gap > 1 ? " gap " + std::to_string(m.reorder->gap) : ""));
  if (m.corrupt) add("corrupt " + chance_text(*m.corrupt));
  if (m.rate_bits_per_s) add("rate " + std::to_string(*m.rate_bits_per_s) + "bit");
  return s;
}

}  // namespace closepath
