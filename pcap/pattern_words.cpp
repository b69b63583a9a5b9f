#include "pattern_words.hpp"

#include "number_range.hpp"

#include <array>
#include <charconv>

namespace closepath::pcap {
namespace {

std::uint32_t number_for(const std::string& field, const std::string& word, std::uint32_t max,
                         const char* too_big = "is out of range") {
  std::uint32_t v = 0;
  const auto* end = word.data() + word.size();
  auto [ptr, ec] = std::from_chars(word.data(), end, v);
  if (word.empty() || ec != std::errc{} || ptr != end) throw PatternError(field + " needs a non-negative number, got '" + word + "'");
  if (v > max) throw PatternError(field + " " + word + " " + too_big);
  return v;
}

// N or LOW..HIGH, in number_range's words, as a pattern's error.
NumberRange range_for(const std::string& field, const std::string& word, std::uint64_t max) {
  try {
    return parse_number_range(field, word, max);
  } catch (const std::invalid_argument& e) {
    throw PatternError(e.what());
  }
}

const std::string& value_of(const std::vector<std::string>& words, std::size_t i) {
  if (i + 1 >= words.size()) throw PatternError("'" + words[i] + "' needs a value");
  return words[i + 1];
}

bool fail(std::string& why, const std::string& expected, const std::string& actual) {
  why = "expected " + expected + " vs actual " + actual;
  return false;
}

// A field that is one number the packet carries ("len 100"): word, largest value, where it lives in each.
template <auto Field>
std::size_t parse_number_word(PacketPattern& p, const std::vector<std::string>& w, std::size_t i, std::uint32_t max,
                              const char* too_big = "is out of range") {
  (p.*Field) = static_cast<std::remove_reference_t<decltype(*(p.*Field))>>(number_for(w[i], value_of(w, i), max, too_big));
  return i + 2;
}
template <auto Field>
void print_number_word(const PacketPattern& p, std::string& out, const char* word) {
  if (p.*Field) out += std::string(" ") + word + " " + std::to_string(*(p.*Field));
}

std::string option_text(const char* word, const auto& value) {
  return value ? std::string(word) + " " + std::to_string(*value) : std::string("no ") + word;
}

// "wire dropped|held|...": the synopsis, from the one list of what the wire does (wire_effect.hpp).
const std::string kWireSynopsis = [] {
  std::string s = "wire ";
  for (std::size_t e = 0; e < kWireEffectNames.size(); ++e) s += (e ? "|" : "") + std::string(kWireEffectNames[e]);
  return s;
}();

const std::array<PatternWord, 13> kWords{{
    {"seq", "seq N", "the relative sequence number, as Wireshark shows it (the SYN is 0)", "c>s R. seq 1001", kEveryPlace, "",
     [](PacketPattern& p, const std::vector<std::string>& w, std::size_t i) { return parse_number_word<&PacketPattern::seq>(p, w, i, UINT32_MAX); },
     [](const PacketPattern& p, std::string& out) { print_number_word<&PacketPattern::seq>(p, out, "seq"); },
     [](const PacketPattern& p, const FlowPacket& k, const MatchTime&, std::string& why) {
       return !p.seq || *p.seq == k.seq || fail(why, "seq " + std::to_string(*p.seq), "seq " + std::to_string(k.seq));
     }},
    {"ack", "ack N | ack fin", "the relative acknowledgment number; 'fin': the ACK of the other side's FIN, whatever its number",
     "s>c . ack fin", kEveryPlace, "",
     [](PacketPattern& p, const std::vector<std::string>& w, std::size_t i) {
       if (value_of(w, i) == "fin") p.ack_fin = true;
       else p.ack = number_for("ack", w[i + 1], UINT32_MAX);
       return i + 2;
     },
     [](const PacketPattern& p, std::string& out) {
       if (p.ack) out += " ack " + std::to_string(*p.ack);
       if (p.ack_fin) out += " ack fin";
     },
     [](const PacketPattern& p, const FlowPacket& k, const MatchTime&, std::string& why) {
       const bool has_ack = k.flags & kAck;
       if (p.ack && (!has_ack || *p.ack != k.ack))
         return fail(why, "ack " + std::to_string(*p.ack), has_ack ? "ack " + std::to_string(k.ack) : std::string("no ACK flag"));
       if (p.ack_fin && (!has_ack || k.peer_fin == 0 || k.ack != k.peer_fin))
         return fail(why, k.peer_fin ? "ack fin (" + std::to_string(k.peer_fin) + ")" : std::string("ack fin"),
                     !has_ack ? std::string("no ACK flag") : k.peer_fin ? "ack " + std::to_string(k.ack) : "no FIN from the other side yet");
       return true;
     }},
    {"len", "len N | len LOW..HIGH", "the TCP payload's length, exactly or in a range (both ends included)", "s>c P. len 510..520",
     kEveryPlace, "",
     [](PacketPattern& p, const std::vector<std::string>& w, std::size_t i) {
       p.len = range_for("len", value_of(w, i), UINT32_MAX);
       return i + 2;
     },
     [](const PacketPattern& p, std::string& out) {
       if (p.len) out += " len " + p.len->text();
     },
     [](const PacketPattern& p, const FlowPacket& k, const MatchTime&, std::string& why) {
       return !p.len || p.len->contains(k.len) || fail(why, "len " + p.len->text(), "len " + std::to_string(k.len));
     }},
    {"tsval", "tsval +N | tsval +LOW..HIGH",
     "its TSval is N (or LOW to HIGH) ticks past the TSval of the sender's previous segment (Linux ticks in ms)",
     "c>s F. tsval +1000..1300", kEveryPlace, "",
     [](PacketPattern& p, const std::vector<std::string>& w, std::size_t i) {
       const auto& v = value_of(w, i);
       const auto wrong = "tsval takes +N or +LOW..HIGH (ticks past the sender's last TSval, LOW <= HIGH), got '" + v + "'";
       if (v.empty() || v[0] != '+') throw PatternError(wrong);
       try {
         p.ts_advance = parse_number_range("tsval", v.substr(1), INT32_MAX);
       } catch (const std::invalid_argument&) {
         throw PatternError(wrong);
       }
       return i + 2;
     },
     [](const PacketPattern& p, std::string& out) {
       if (p.ts_advance) out += " tsval +" + p.ts_advance->text();
     },
     [](const PacketPattern& p, const FlowPacket& k, const MatchTime&, std::string& why) {
       if (!p.ts_advance) return true;
       const auto wanted = "tsval +" + p.ts_advance->text();
       if (!k.ts_advance) return fail(why, wanted, k.options.timestamps ? "no earlier TSval from its sender" : "no TS");
       const auto a = *k.ts_advance;
       return (a >= 0 && p.ts_advance->contains(static_cast<std::uint64_t>(a))) ||
              fail(why, wanted, "tsval " + std::string(a < 0 ? "" : "+") + std::to_string(a));
     }},
    {"win", "win N", "the header's window field as sent, unscaled, as tcpdump prints it (win 0: a zero window)", "s>c . win 0", kEveryPlace, "",
     [](PacketPattern& p, const std::vector<std::string>& w, std::size_t i) { return parse_number_word<&PacketPattern::win>(p, w, i, 65535, "does not fit the 16-bit window field"); },
     [](const PacketPattern& p, std::string& out) { print_number_word<&PacketPattern::win>(p, out, "win"); },
     [](const PacketPattern& p, const FlowPacket& k, const MatchTime&, std::string& why) {
       return !p.win || *p.win == k.window || fail(why, "win " + std::to_string(*p.win), "win " + std::to_string(k.window));
     }},
    {"mss", "mss N", "carries the MSS option with that value (IPv6 SYNs: 1440)", "c>s S mss 1460", kEveryPlace, "",
     [](PacketPattern& p, const std::vector<std::string>& w, std::size_t i) { return parse_number_word<&PacketPattern::mss>(p, w, i, 65535, "does not fit the 16-bit option"); },
     [](const PacketPattern& p, std::string& out) { print_number_word<&PacketPattern::mss>(p, out, "mss"); },
     [](const PacketPattern& p, const FlowPacket& k, const MatchTime&, std::string& why) {
       return !p.mss || k.options.mss == p.mss || fail(why, option_text("mss", p.mss), option_text("mss", k.options.mss));
     }},
    {"wscale", "wscale N", "carries the window scale option with that shift (0 to 14)", "s>c S. wscale 7", kEveryPlace, "",
     [](PacketPattern& p, const std::vector<std::string>& w, std::size_t i) { return parse_number_word<&PacketPattern::wscale>(p, w, i, 14, "is above 14, the largest shift TCP allows"); },
     [](const PacketPattern& p, std::string& out) { print_number_word<&PacketPattern::wscale>(p, out, "wscale"); },
     [](const PacketPattern& p, const FlowPacket& k, const MatchTime&, std::string& why) {
       return !p.wscale || k.options.wscale == p.wscale ||
              fail(why, option_text("wscale", p.wscale), option_text("wscale", k.options.wscale));
     }},
    {"sackOK", "sackOK", "carries the SACK-permitted option", "c>s S sackOK", kEveryPlace, "",
     [](PacketPattern& p, const std::vector<std::string>&, std::size_t i) {
       p.sack_ok = true;
       return i + 1;
     },
     [](const PacketPattern& p, std::string& out) {
       if (p.sack_ok) out += " sackOK";
     },
     [](const PacketPattern& p, const FlowPacket& k, const MatchTime&, std::string& why) {
       return !p.sack_ok || k.options.sack_ok || fail(why, "sackOK", "no sackOK");
     }},
    {"TS", "TS", "carries the timestamps option", "c>s S TS", kEveryPlace, "",
     [](PacketPattern& p, const std::vector<std::string>&, std::size_t i) {
       p.timestamps = true;
       return i + 1;
     },
     [](const PacketPattern& p, std::string& out) {
       if (p.timestamps) out += " TS";
     },
     [](const PacketPattern& p, const FlowPacket& k, const MatchTime&, std::string& why) {
       return !p.timestamps || k.options.timestamps || fail(why, "TS", "no TS");
     }},
    {"data", "data", "any payload length above 0", "s>c P. data", kEveryPlace, "",
     [](PacketPattern& p, const std::vector<std::string>&, std::size_t i) {
       p.data = true;
       return i + 1;
     },
     [](const PacketPattern& p, std::string& out) {
       if (p.data) out += " data";
     },
     [](const PacketPattern& p, const FlowPacket& k, const MatchTime&, std::string& why) {
       return !p.data || k.len > 0 || fail(why, "data", "len 0");
     }},
    {"gap", "gap LOW..HIGH", "sent LOW to HIGH after the packet before it", "c>s . gap 800ms..1500ms", kExpectOnly, "a timing window is judged on the whole run",
     [](PacketPattern& p, const std::vector<std::string>& w, std::size_t i) {
       p.gap = parse_window(value_of(w, i));
       return i + 2;
     },
     [](const PacketPattern& p, std::string& out) {
       if (p.gap) out += " gap " + window_text(*p.gap);
     },
     [](const PacketPattern& p, const FlowPacket& k, const MatchTime& time, std::string& why) {
       if (!p.gap) return true;
       if (!time.previous) return fail(why, "gap " + window_text(*p.gap), "no packet before it");
       const auto gap = elapsed_ns(k.mono_ns, time.previous->mono_ns);
       return in_window(*p.gap, gap) || fail(why, "gap " + window_text(*p.gap), "gap " + measured_text(gap, &*p.gap));
     }},
    {"at", "at LOW..HIGH after step N", "sent LOW to HIGH after step N began", "c>s R. at 2500ms..4s after step 7", kExpectOnly, "a timing window is judged on the whole run",
     [](PacketPattern& p, const std::vector<std::string>& w, std::size_t i) {
       const auto window = parse_window(value_of(w, i));
       if (i + 4 >= w.size() || w[i + 2] != "after" || w[i + 3] != "step") throw PatternError("'at' reads 'at LOW..HIGH after step N'");
       p.at = AnchoredWindow{number_for("step", w[i + 4], UINT32_MAX), window};
       if (p.at->anchor == 0) throw PatternError("steps count from 1");
       return i + 5;
     },
     [](const PacketPattern& p, std::string& out) {
       if (p.at) out += " at " + window_text(p.at->window) + " after step " + std::to_string(p.at->anchor);
     },
     [](const PacketPattern& p, const FlowPacket& k, const MatchTime& time, std::string& why) {
       if (!p.at) return true;
       const auto& a = *p.at;
       const auto expected = "at " + window_text(a.window) + " after step " + std::to_string(a.anchor);
       if (!time.anchors || a.anchor > time.anchors->size()) return fail(why, expected, "no time for step " + std::to_string(a.anchor));
       const auto since = elapsed_ns(k.mono_ns, (*time.anchors)[a.anchor - 1]);
       return in_window(a.window, since) || fail(why, expected, "at " + measured_text(since, &a.window));
     }},
    {"wire", kWireSynopsis.c_str(),
     "what the wire did to it, as the run recorded it (nothing, in a capture closepath did not make)",
     "c>s R. seq 1001 ack 1 wire injected", place_bit(PatternPlace::expect) | place_bit(PatternPlace::forbid),
     "the wire decides it as the packet passes",
     [](PacketPattern& p, const std::vector<std::string>& w, std::size_t i) {
       p.wire = wire_effect_named(value_of(w, i));
       if (!p.wire) {
         std::string names;
         for (const auto n : kWireEffectNames) names += (names.empty() ? "" : ", ") + std::string(n);
         throw PatternError("'wire' takes " + names + ", got '" + w[i + 1] + "'");
       }
       return i + 2;
     },
     [](const PacketPattern& p, std::string& out) {
       if (p.wire) out += " wire " + std::string(name(*p.wire));
     },
     [](const PacketPattern& p, const FlowPacket& k, const MatchTime&, std::string& why) {
       if (!p.wire || has(k.effects, *p.wire)) return true;
       std::string did;
       for (std::size_t e = 0; e < kWireEffectNames.size(); ++e)
         if (has(k.effects, static_cast<WireEffect>(e))) did += std::string(did.empty() ? "wire " : ", ") + std::string(kWireEffectNames[e]);
       return fail(why, "wire " + std::string(name(*p.wire)), did.empty() ? "untouched by the wire" : did);
     }},
}};

}  // namespace

std::span<const PatternWord> pattern_words() { return kWords; }

const PatternWord* find_pattern_word(const std::string& word) {
  for (const auto& w : kWords)
    if (word == w.word) return &w;
  return nullptr;
}

namespace {
constexpr std::array<const char*, 4> kPlaceNames{"expect.wire", "a forbid pattern", "a wire wait", "a fault's pattern"};
}

void check_places(const PacketPattern& p, PatternPlace place) {
  for (const auto& w : kWords) {
    if (w.places & place_bit(place)) continue;
    std::string named;
    w.print(p, named);
    if (!named.empty())
      throw PatternError(std::string(kPlaceNames[static_cast<std::size_t>(place)]) + " takes no '" + w.word + "': " + w.elsewhere);
  }
}

std::string places_text(const PatternWord& w) {
  if (w.places == kEveryPlace) return "";
  if (w.places == kExpectOnly) return "expect.wire only";
  std::string refused;
  for (std::size_t i = 0; i < kPlaceNames.size(); ++i)
    if (!(w.places & (1u << i))) refused += std::string(refused.empty() ? "" : " or ") + kPlaceNames[i];
  return "not in " + refused;
}

}  // namespace closepath::pcap
