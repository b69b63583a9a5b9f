// `wire: impair`: its grammar, the determinism of its decisions (a seed and
// a frame's order decide them, nothing else), the statistics netem's words
// promise over many frames (seeded, so the same every run: never flaky), and
// what the fault program does with the decisions.
#include "capture_legs.hpp"
#include "impairment.hpp"
#include "scenario_parser.hpp"
#include "scripted_faults.hpp"
#include "step_rejects.hpp"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <numeric>

using namespace closepath;
namespace bdata = boost::unit_test::data;

namespace {

ImpairModel model_of(const std::string& text) { return *std::get<Impair>(parse_wire_step("impair c>s " + text).action).model; }

struct Sample {
  std::vector<ImpairDecision> decisions;
  double share(bool ImpairDecision::*what) const {
    return static_cast<double>(std::count_if(decisions.begin(), decisions.end(), [&](const auto& d) { return d.*what; })) /
           static_cast<double>(decisions.size());
  }
  std::vector<double> delays_ms() const {
    std::vector<double> out;
    for (const auto& d : decisions)
      if (!d.lost) out.push_back(static_cast<double>(d.delay_ns) / 1e6);
    return out;
  }
};

Sample sample(const std::string& text, std::size_t n, std::uint64_t seed = 7, pcap::Dir dir = pcap::Dir::c2s) {
  Impairment imp(model_of(text), seed, dir, "test");
  Sample s;
  for (std::size_t i = 0; i < n; ++i) s.decisions.push_back(imp.next(100, 34, 0));
  return s;
}

double mean(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size()); }
double stddev(const std::vector<double>& v) {
  const double m = mean(v);
  double sum = 0;
  for (double x : v) sum += (x - m) * (x - m);
  return std::sqrt(sum / static_cast<double>(v.size() - 1));
}
// Within the 99.9% confidence interval of a binomial share.
bool share_within(double seen, double p, std::size_t n) { return std::abs(seen - p) <= 3.3 * std::sqrt(p * (1 - p) / static_cast<double>(n)); }

}  // namespace

BOOST_AUTO_TEST_SUITE(impairment)

BOOST_DATA_TEST_CASE(impair_steps_reject_with_a_reason,
                     bdata::make({"impair", "impair sideways delay 5ms", "impair c>s loss 0%", "impair c>s loss 10",
                                  "impair c>s loss 101%", "impair c>s reorder 10%", "impair c>s delay 10ms distribution normal",
                                  "impair c>s delay 10ms 2ms distribution gaussian", "impair c>s off now", "impair c>s seed 7",
                                  "impair c>s loss 1% loss 2%", "impair c>s rate fast", "impair c>s frobnicate",
                                  "impair c>s delay 61s", "impair c>s loss gemodel 10% 50% 0% 0%", "impair c>s seed -1",
                                  "impair c>s delay 0ms", "impair c>s reorder 50% gap 0 delay 10ms", "impair c>s rate 1bit"}) ^
                         bdata::make({"write 'impair", "impair takes c>s, s>c or both first", "loss 0% does nothing",
                                      "loss takes a percentage", "loss is at most 100%", "reorder needs a delay",
                                      "a distribution shapes the delay's jitter", "distribution is uniform, normal, pareto or paretonormal",
                                      "takes nothing after off", "impair names no impairment", "'loss' is given twice",
                                      "rate takes a number and a unit", "unknown impair word 'frobnicate'", "delay is at most 60s",
                                      "never loses a frame", "seed takes a number", "delay 0ms does nothing",
                                      "gap takes a number from 1", "rate is from 8bit"}),
                     text, reason) {
  testing::check_rejected(text, reason);
}

BOOST_AUTO_TEST_CASE(impair_reads_netems_words) {
  const auto imp = std::get<Impair>(parse_wire_step("impair both delay 20ms 5ms 25% distribution normal loss 10% 25% duplicate 1% "
                                                    "reorder 25% 50% gap 5 corrupt 0.1% rate 1mbit seed 7")
                                        .action);
  BOOST_TEST((imp.dirs == Dirs::both));
  BOOST_TEST(*imp.seed == 7u);
  const auto& m = *imp.model;
  BOOST_TEST(m.delay->mean_ns == 20'000'000);
  BOOST_TEST(m.delay->jitter_ns == 5'000'000);
  BOOST_TEST(m.delay->correlation == 0.25);
  BOOST_TEST((m.delay->distribution == DelayDistribution::normal));
  BOOST_TEST(m.loss->random->p == 0.10);
  BOOST_TEST(m.duplicate->p == 0.01);
  BOOST_TEST(m.reorder->gap == 5u);
  BOOST_TEST(m.corrupt->p == 0.001);
  BOOST_TEST(*m.rate_bits_per_s == 1'000'000u);
  // The words it prints read back as the same model.
  BOOST_TEST(to_string(*std::get<Impair>(parse_wire_step("impair c>s " + to_string(m)).action).model) == to_string(m));
  const auto ge = model_of("loss gemodel 1%").loss->gemodel;  // netem's defaults: r = 1 - p, 1-h = 100%, 1-k = 0%
  BOOST_TEST(ge->r == 0.99);
  BOOST_TEST(ge->loss_bad == 1.0);
  BOOST_TEST(ge->loss_good == 0.0);
  BOOST_TEST(!std::get<Impair>(parse_wire_step("impair s>c off").action).model);
}

// The same seed gives the same decisions, frame by frame; another seed or direction others; and each
// kind has its own generator, so adding a delay leaves the loss decisions as they were.
BOOST_AUTO_TEST_CASE(a_seed_replays_the_decisions) {
  auto lost = [](const Sample& s) {
    std::vector<bool> out;
    for (const auto& d : s.decisions) out.push_back(d.lost);
    return out;
  };
  const auto first = sample("loss 30%", 500, 7), again = sample("loss 30%", 500, 7);
  BOOST_TEST((lost(first) == lost(again)));
  BOOST_TEST((lost(first) != lost(sample("loss 30%", 500, 8))));
  BOOST_TEST((lost(first) != lost(sample("loss 30%", 500, 7, pcap::Dir::s2c))));
  BOOST_TEST((lost(first) == lost(sample("loss 30% delay 10ms 5ms corrupt 1% reorder 5%", 500, 7))));
  const auto delays = sample("delay 10ms 5ms distribution normal", 200, 3).delays_ms();
  BOOST_TEST((delays == sample("delay 10ms 5ms distribution normal", 200, 3).delays_ms()));
  // The note says what was drawn against what.
  const auto lost_one = std::find_if(first.decisions.begin(), first.decisions.end(), [](const auto& d) { return d.lost; });
  const auto frame = std::to_string(lost_one - first.decisions.begin() + 1);
  BOOST_TEST(lost_one->note.find("lost by impair 'test' (seed 7, c>s #" + frame + ", draw 0.") == 0, lost_one->note);
}

BOOST_AUTO_TEST_CASE(loss_and_duplicate_rates_hold_over_many_frames) {
  constexpr std::size_t n = 100'000;
  BOOST_TEST(share_within(sample("loss 10%", n).share(&ImpairDecision::lost), 0.10, n));
  BOOST_TEST(share_within(sample("duplicate 5%", n).share(&ImpairDecision::duplicated), 0.05, n));
  const auto corrupt = sample("corrupt 2%", n).decisions;
  const auto corrupted = std::count_if(corrupt.begin(), corrupt.end(), [](const auto& d) { return d.corrupt_byte.has_value(); });
  BOOST_TEST(share_within(static_cast<double>(corrupted) / n, 0.02, n));
  // Duplicated and lost at once: one of the two goes (netem's count of 1 + 1 - 1).
  for (const auto& d : sample("duplicate 100% loss 100%", 100).decisions) BOOST_TEST((!d.lost && !d.duplicated));
}

// Gilbert-Elliott: the long-run loss is each state's loss weighted by the time spent in it, and losses come in bursts.
BOOST_AUTO_TEST_CASE(gilbert_elliott_loses_in_bursts_at_its_stationary_rate) {
  constexpr std::size_t n = 400'000;
  const double p = 0.01, r = 0.30, loss_bad = 0.70, loss_good = 0.001;
  const auto s = sample("loss gemodel 1% 30% 70% 0.1%", n);
  const double bad = p / (p + r);
  const double expected = bad * loss_bad + (1 - bad) * loss_good;
  BOOST_TEST(std::abs(s.share(&ImpairDecision::lost) - expected) < 0.1 * expected, s.share(&ImpairDecision::lost) << " vs " << expected);
  std::size_t bursts = 0, lost = 0;
  for (std::size_t i = 0; i < n; ++i)
    if (s.decisions[i].lost) ++lost, bursts += (i == 0 || !s.decisions[i - 1].lost);
  BOOST_TEST(static_cast<double>(lost) / static_cast<double>(bursts) > 1.5);  // random loss at this rate: about 1.02
}

namespace {

// The moments of iproute2's pareto table for netem, built as its pareto.c builds it (65536 / 16
// entries, (u^(-1/3) - 1.5) * 4/3, at most 32767 / 8192): the oracle for pareto's shape.
std::pair<double, double> pareto_table_moments() {
  std::vector<double> table;
  for (int i = 65536; i > 0; i -= 16)
    table.push_back(std::min((1.0 / std::pow(i / 65536.0, 1.0 / 3.0) - 1.5) * 4.0 / 3.0, 32767.0 / 8192.0));
  const double m = mean(table);
  double var = 0;
  for (double x : table) var += (x - m) * (x - m);
  return {m, std::sqrt(var / static_cast<double>(table.size()))};
}

// Mean and standard deviation of delay 50ms 10ms under each distribution, as netem's tables give them.
std::pair<double, double> expected_moments(const std::string& name) {
  const auto [pm, psd] = pareto_table_moments();
  if (name == "uniform") return {50, 10 / std::sqrt(3.0)};
  if (name == "normal") return {50, 10};
  if (name == "pareto") return {50 + 10 * pm, 10 * psd};
  return {50 + 10 * 0.75 * pm, 10 * std::sqrt(0.25 * 0.25 + 0.75 * 0.75 * psd * psd)};  // paretonormal: independent parts
}

}  // namespace

// Delay: mean and jitter as netem's tables shape them (uniform: ± jitter; the others scale their table
// by it, bounded to ± 4 jitters).
BOOST_DATA_TEST_CASE(delays_follow_their_distribution, bdata::make({"uniform", "normal", "pareto", "paretonormal"}), name) {
  const auto d = sample("delay 50ms 10ms distribution " + std::string(name), 100'000).delays_ms();
  const auto [expected_mean, expected_sd] = expected_moments(name);
  BOOST_TEST(std::abs(mean(d) - expected_mean) < 0.2, name << " mean " << mean(d) << " vs " << expected_mean);
  BOOST_TEST(std::abs(stddev(d) - expected_sd) < 0.03 * expected_sd, name << " sd " << stddev(d) << " vs " << expected_sd);
  BOOST_TEST(*std::min_element(d.begin(), d.end()) >= 10);
  BOOST_TEST(*std::max_element(d.begin(), d.end()) <= 90);
}

// Correlation makes each draw lean on the last: delays of neighbours move together.
BOOST_AUTO_TEST_CASE(correlation_ties_neighbours) {
  auto lag1 = [](const std::vector<double>& v) {
    const double m = mean(v);
    double num = 0, den = 0;
    for (std::size_t i = 0; i + 1 < v.size(); ++i) num += (v[i] - m) * (v[i + 1] - m);
    for (double x : v) den += (x - m) * (x - m);
    return num / den;
  };
  BOOST_TEST(std::abs(lag1(sample("delay 50ms 10ms", 20'000).delays_ms())) < 0.05);
  BOOST_TEST(lag1(sample("delay 50ms 10ms 75%", 20'000).delays_ms()) > 0.5);
}

// reorder 100% gap 3: two frames delayed, the third at once, and so on (netem's counter).
BOOST_AUTO_TEST_CASE(reorder_gap_sends_every_nth_at_once) {
  const auto s = sample("delay 100ms reorder 100% gap 3", 9);
  for (std::size_t i = 0; i < 9; ++i) {
    const bool at_once = i % 3 == 2;
    BOOST_TEST(s.decisions[i].reordered == at_once, "frame " << i + 1);
    BOOST_TEST(s.decisions[i].delay_ns == (at_once ? 0 : 100'000'000), "frame " << i + 1);
  }
}

// rate 1mbit: a 1250-byte frame takes 10 ms on the link, and each waits for those before it.
BOOST_AUTO_TEST_CASE(rate_queues_frames_behind_each_other) {
  Impairment imp(model_of("rate 1mbit"), 1, pcap::Dir::c2s, "rate");
  BOOST_TEST(imp.next(1250, 34, 0).delay_ns == 10'000'000);
  BOOST_TEST(imp.next(1250, 34, 0).delay_ns == 20'000'000);
  BOOST_TEST(imp.next(1250, 34, 50'000'000).delay_ns == 10'000'000);  // the link was free again
}

// The flipped bit is always in what a checksum covers: after the Ethernet and IP headers.
BOOST_AUTO_TEST_CASE(corrupt_flips_a_bit_the_checksum_covers) {
  std::vector<std::uint8_t> v4(74, 0), v6(94, 0);
  v4[12] = 0x08, v4[14] = 0x45;
  v6[12] = 0x86, v6[13] = 0xdd;
  BOOST_TEST(checksummed_from(v4) == 34u);
  BOOST_TEST(checksummed_from(v6) == 54u);
  Impairment imp(model_of("corrupt 100%"), 9, pcap::Dir::s2c, "corrupt");
  for (int i = 0; i < 1000; ++i) {
    const auto d = imp.next(v4.size(), 34, 0);
    BOOST_TEST_REQUIRE(d.corrupt_byte.has_value());
    BOOST_TEST((*d.corrupt_byte >= 34u && *d.corrupt_byte < v4.size()));
    BOOST_TEST((d.corrupt_bit >= 0 && d.corrupt_bit < 8));
  }
}

// The fault program: impair after the exact faults, per direction, marked by its step; off and heal end it.
BOOST_AUTO_TEST_CASE(the_fault_program_carries_out_the_decisions) {
  ScriptedFaults faults;
  faults.set_seed(11);
  const auto frames = testing::legs_of("graceful_fin");
  faults.apply(parse_wire_step("impair c>s loss 100%").action, 3, "step 4 wire impair c>s loss 100%");
  for (const auto& [dir, f] : frames) {
    const auto d = faults.on_frame(dir, f.bytes);
    if (dir == pcap::Dir::s2c) {
      BOOST_TEST((d.action == WireDecision::Action::forward));
      continue;
    }
    BOOST_TEST((d.action == WireDecision::Action::drop));
    BOOST_TEST((d.marks == std::vector<FaultMark>{{FaultMark::Effect::dropped, 3}}));
    BOOST_TEST(d.note.find("lost by impair 'step 4 wire impair c>s loss 100%' (seed 11, c>s #") == 0, d.note);
  }
  faults.apply(parse_wire_step("impair c>s off").action, 5, "off");
  BOOST_TEST((faults.on_frame(frames[0].first, frames[0].second.bytes).action == WireDecision::Action::forward));
  faults.apply(parse_wire_step("impair both delay 5ms corrupt 100% seed 3").action, 6, "step 7");
  const auto d = faults.on_frame(frames[1].first, frames[1].second.bytes);
  BOOST_TEST((d.action == WireDecision::Action::delay && d.delay == std::chrono::milliseconds(5)));
  BOOST_TEST_REQUIRE(d.bytes.has_value());
  BOOST_TEST((*d.bytes != frames[1].second.bytes));  // one bit differs
  BOOST_TEST(d.note.find("(seed 3, s>c #1") != std::string::npos, d.note);
  faults.apply(Heal{}, 7, "heal");
  BOOST_TEST((faults.on_frame(frames[1].first, frames[1].second.bytes).action == WireDecision::Action::forward));
}

BOOST_AUTO_TEST_SUITE_END()
