#include "trade/entities.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <functional>
#include <iterator>
#include <numeric>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "core/parallel.h"
#include "core/string_index.h"
#include "core/text.h"

namespace leadq::trade {
namespace {

constexpr uint32_t kInvalidUtf8 = 0xFFFFFFFF;

char AsciiUpper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c; }

// Decodes the code point at s[i] and sets `len` to its length in bytes; a byte that does not
// start a well-formed sequence decodes as kInvalidUtf8 with length 1.
uint32_t DecodeUtf8(std::string_view s, size_t i, size_t& len) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  auto cont = [&](size_t k) { return i + k < s.size() && (b(k) & 0xC0) == 0x80; };
  unsigned char c = b(0);
  len = 1;
  if (c < 0x80) return c;
  if (c >= 0xC2 && c <= 0xDF && cont(1)) {
    len = 2;
    return ((c & 0x1Fu) << 6) | (b(1) & 0x3Fu);
  }
  if (c >= 0xE0 && c <= 0xEF && cont(1) && cont(2)) {
    uint32_t cp = ((c & 0x0Fu) << 12) | ((b(1) & 0x3Fu) << 6) | (b(2) & 0x3Fu);
    if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)) return kInvalidUtf8;
    len = 3;
    return cp;
  }
  if (c >= 0xF0 && c <= 0xF4 && cont(1) && cont(2) && cont(3)) {
    uint32_t cp =
        ((c & 0x07u) << 18) | ((b(1) & 0x3Fu) << 12) | ((b(2) & 0x3Fu) << 6) | (b(3) & 0x3Fu);
    if (cp < 0x10000 || cp > 0x10FFFF) return kInvalidUtf8;
    len = 4;
    return cp;
  }
  return kInvalidUtf8;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool IsUnicodeSpace(uint32_t cp) {
  return cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F ||
         cp == 0x205F || cp == 0x3000;
}

// The upper case of the Latin-1 and Latin Extended-A letters (others unchanged).
uint32_t UpperLatin(uint32_t cp) {
  if (cp < 0x80) return static_cast<unsigned char>(AsciiUpper(static_cast<char>(cp)));
  if (cp >= 0xE0 && cp <= 0xFE && cp != 0xF7) return cp - 0x20;
  if (cp == 0xFF) return 0x178;
  if (cp == 0x131) return 'I';  // dotless i
  if ((cp >= 0x100 && cp <= 0x137) || (cp >= 0x14A && cp <= 0x177)) return cp & ~1u;
  if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E)) {
    return (cp % 2 == 0) ? cp - 1 : cp;
  }
  return cp;
}

// ASCII letters of U+00C0..U+017F, one per code point; '*' marks the ones spelled with two
// letters (FoldSpecial) and ' ' the signs that are not letters (x and /).
constexpr std::string_view kLatin1Fold =
    "AAAAAA*CEEEEIIII"   // C0
    "DNOOOOO OUUUUY**"   // D0
    "AAAAAA*CEEEEIIII"   // E0
    "DNOOOOO OUUUUY*Y";  // F0
constexpr std::string_view kLatinExtAFold =
    "AAAAAACCCCCCCCDD"   // 100
    "DDEEEEEEEEEEGGGG"   // 110
    "GGGGHHHHIIIIIIII"   // 120
    "II**JJKKKLLLLLLL"   // 130
    "LLLNNNNNNNNNOOOO"   // 140
    "OO**RRRRRRSSSSSS"   // 150
    "SSTTTTTTUUUUUUUU"   // 160
    "UUUUWWYYYZZZZZZS";  // 170

std::string_view FoldSpecial(uint32_t cp) {
  switch (cp) {
    case 0xC6:
    case 0xE6:
      return "AE";
    case 0xDE:
    case 0xFE:
      return "TH";
    case 0xDF:
      return "SS";
    case 0x132:
    case 0x133:
      return "IJ";
    case 0x152:
    case 0x153:
      return "OE";
    default:
      return "";
  }
}

// The ASCII spelling of an accented Latin letter; "" for a code point that is not one.
std::string_view FoldLatin(uint32_t cp, char& one) {
  auto letter = [&](char c) -> std::string_view {
    if (c == '*') return FoldSpecial(cp);
    if (c == ' ') return " ";
    one = c;
    return std::string_view(&one, 1);
  };
  if (cp >= 0xC0 && cp <= 0xFF) return letter(kLatin1Fold[cp - 0xC0]);
  if (cp >= 0x100 && cp <= 0x17F) return letter(kLatinExtAFold[cp - 0x100]);
  // Latin Extended-B: Romanian, Vietnamese horns, Pinyin carons.
  if (cp == 0x218 || cp == 0x219) return letter('S');
  if (cp == 0x21A || cp == 0x21B) return letter('T');
  if (cp == 0x1A0 || cp == 0x1A1) return letter('O');
  if (cp == 0x1AF || cp == 0x1B0) return letter('U');
  if (cp >= 0x1CD && cp <= 0x1DC) return letter("AAIIOOUUUUUUUUUU"[cp - 0x1CD]);
  // Latin Extended Additional: the Vietnamese letters with tone marks.
  if (cp >= 0x1EA0 && cp <= 0x1EB7) return letter('A');
  if (cp >= 0x1EB8 && cp <= 0x1EC7) return letter('E');
  if (cp >= 0x1EC8 && cp <= 0x1ECB) return letter('I');
  if (cp >= 0x1ECC && cp <= 0x1EE3) return letter('O');
  if (cp >= 0x1EE4 && cp <= 0x1EF1) return letter('U');
  if (cp >= 0x1EF2 && cp <= 0x1EF9) return letter('Y');
  return "";
}

// The legal forms stripped from the end of a key, as words, longest first.
const std::vector<std::vector<std::string>>& LegalForms() {
  static const std::vector<std::vector<std::string>> forms = [] {
    const char* const kForms[] = {
        // US, UK, IE, CA, AU
        "INC", "INCORPORATED", "LLC", "LLP", "LP", "LTD", "LIMITED", "CORP", "CORPORATION", "CO",
        "COMPANY", "PLC", "PTY", "PTE",
        // DE, AT, CH
        "GMBH", "MBH", "AG", "KG", "KGAA", "OHG", "UG", "EK", "SE",
        // FR, IT, ES, PT
        "SA", "SAS", "SASU", "SARL", "EURL", "SNC", "SPA", "SRL", "SRLS", "SL", "SLU", "SAU",
        // NL, BE
        "BV", "NV", "VOF", "BVBA",
        // BR
        "LTDA", "S A", "EIRELI", "ME", "EPP", "CIA",
        // MX and Latin America
        "DE CV", "SA DE CV", "SAB DE CV", "SAPI DE CV", "S DE RL", "S DE R L", "S DE RL DE CV",
        "SC",
        // PL
        "SP Z OO", "SP Z O O", "SPZOO", "SPZ OO", "SP J", "SP K",
        // MY, SG, CN, HK
        "SDN BHD", "BHD",
        // Nordic, TR
        "AB", "AS", "ASA", "OY", "OYJ", "APS"};
    std::vector<std::vector<std::string>> out;
    for (const char* form : kForms) {
      std::vector<std::string> words;
      std::string_view rest = form;
      while (!rest.empty()) {
        size_t space = rest.find(' ');
        words.emplace_back(rest.substr(0, space));
        rest = space == std::string_view::npos ? "" : rest.substr(space + 1);
      }
      out.push_back(std::move(words));
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const auto& a, const auto& b) { return a.size() > b.size(); });
    return out;
  }();
  return forms;
}

// A key with what normalisation removed, for the reasons of exact-key joins.
struct NormalizedName {
  std::string key;
  std::vector<std::string> dropped;  // "THE" and the legal forms, in the order written
  bool accents = false;              // an accented letter was folded
};

// The text folded for matching: upper-case ASCII letters and digits, accents folded, '.' and
// apostrophes deleted, '&' as " AND ", other punctuation as spaces (not collapsed); letters of
// other scripts and bytes that are not UTF-8 kept. Sets `accents` when an accent was folded.
std::string FoldText(std::string_view raw, bool& accents) {
  std::string text;
  text.reserve(raw.size() + 8);
  for (size_t i = 0; i < raw.size();) {
    size_t len = 1;
    uint32_t cp = DecodeUtf8(raw, i, len);
    if (cp >= 0xFF01 && cp <= 0xFF5E) cp -= 0xFEE0;  // full-width forms
    if (cp < 0x80) {
      char c = static_cast<char>(cp);
      if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
        text += c;
      } else if (c >= 'a' && c <= 'z') {
        text += AsciiUpper(c);
      } else if (c == '&') {
        text += " AND ";
      } else if (c != '.' && c != '\'' && c != '`') {
        text += ' ';
      }
    } else if (cp == 0xB4 || cp == 0x2018 || cp == 0x2019 || cp == 0x2BC) {
      // apostrophes: deleted like '\''
    } else if (cp >= 0x300 && cp <= 0x36F) {
      accents = true;  // a combining accent
    } else if (cp == kInvalidUtf8) {
      text += raw[i];
    } else {
      char one = 0;
      std::string_view folded = FoldLatin(cp, one);
      if (!folded.empty()) {
        if (folded != " ") accents = true;
        text += folded;
      } else if (cp < 0x250 || (cp >= 0x2000 && cp <= 0x206F) || IsUnicodeSpace(cp)) {
        text += ' ';  // Latin-1 signs, general punctuation, spaces
      } else {
        text.append(raw.substr(i, len));  // a letter of another script
      }
    }
    i += len;
  }
  return text;
}

// The words of a folded text.
std::vector<std::string_view> Words(std::string_view text) {
  std::vector<std::string_view> words;
  for (size_t i = 0; i < text.size();) {
    if (text[i] == ' ') {
      ++i;
      continue;
    }
    size_t end = text.find(' ', i);
    if (end == std::string::npos) end = text.size();
    words.push_back(text.substr(i, end - i));
    i = end;
  }
  return words;
}

NormalizedName Normalize(std::string_view raw) {
  NormalizedName out;
  const std::string text = FoldText(raw, out.accents);
  std::vector<std::string_view> words = Words(text);
  if (words.size() > 1 && words.front() == "THE") {
    out.dropped.push_back("THE");
    words.erase(words.begin());
  }
  std::vector<std::string> suffixes;  // stripped, last first
  for (bool stripped = true; stripped;) {
    stripped = false;
    for (const auto& form : LegalForms()) {
      if (form.size() >= words.size()) continue;
      if (!std::equal(form.begin(), form.end(), words.end() - form.size())) continue;
      suffixes.push_back(JoinStrings(form, " "));
      words.resize(words.size() - form.size());
      // The conjunction that joined two forms ("GMBH & CO KG", "Y CIA").
      const std::string_view back = words.back();
      if (words.size() > 1 && (back == "AND" || back == "Y" || back == "E" || back == "UND")) {
        words.pop_back();
      }
      stripped = true;
      break;
    }
  }
  out.dropped.insert(out.dropped.end(), suffixes.rbegin(), suffixes.rend());
  out.key = JoinStrings(words, " ");
  return out;
}

// Union-find over distinct spellings that refuses joins the split rules forbid.
class Joiner {
 public:
  explicit Joiner(size_t n) : parent_(n), size_(n, 1), forbidden_(n) {
    std::iota(parent_.begin(), parent_.end(), 0u);
  }

  void Forbid(uint32_t a, uint32_t b) {
    forbidden_[Find(a)].push_back(b);
    forbidden_[Find(b)].push_back(a);
  }

  uint32_t Find(uint32_t x) {
    while (parent_[x] != x) {
      parent_[x] = parent_[parent_[x]];
      x = parent_[x];
    }
    return x;
  }

  // Joins the groups of a and b; false when they are together already or a split forbids it.
  bool Join(uint32_t a, uint32_t b) {
    uint32_t ra = Find(a);
    uint32_t rb = Find(b);
    if (ra == rb) return false;
    if (forbidden_[ra].size() > forbidden_[rb].size()) std::swap(ra, rb);
    for (uint32_t partner : forbidden_[ra]) {
      if (Find(partner) == rb) return false;
    }
    if (size_[ra] > size_[rb]) std::swap(ra, rb);
    parent_[ra] = rb;
    size_[rb] += size_[ra];
    auto& into = forbidden_[rb];
    into.insert(into.end(), forbidden_[ra].begin(), forbidden_[ra].end());
    forbidden_[ra].clear();
    forbidden_[ra].shrink_to_fit();
    return true;
  }

 private:
  std::vector<uint32_t> parent_;
  std::vector<uint32_t> size_;
  std::vector<std::vector<uint32_t>> forbidden_;  // per root: spellings it may not join
};

// The optimal-string-alignment distance (edits: change, insert, delete a letter, swap two
// neighbours) when it is at most `limit`, else limit + 1. `rows` is scratch space.
uint32_t BoundedOsaDistance(std::string_view a, std::string_view b, uint32_t limit,
                            std::vector<uint32_t>& rows) {
  const size_t n = a.size();
  const size_t m = b.size();
  if ((n > m ? n - m : m - n) > limit) return limit + 1;
  rows.assign(3 * (m + 1), 0);
  uint32_t* prev2 = rows.data();
  uint32_t* prev = prev2 + (m + 1);
  uint32_t* cur = prev + (m + 1);
  for (size_t j = 0; j <= m; ++j) prev[j] = static_cast<uint32_t>(j);
  for (size_t i = 1; i <= n; ++i) {
    cur[0] = static_cast<uint32_t>(i);
    uint32_t row_min = cur[0];
    for (size_t j = 1; j <= m; ++j) {
      uint32_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      uint32_t v = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        v = std::min(v, prev2[j - 2] + 1);
      }
      cur[j] = v;
      row_min = std::min(row_min, v);
    }
    if (row_min > limit) return limit + 1;
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return std::min(prev[m], limit + 1);
}

// Near matches: similarity 1 - d/L >= 0.92 with L the longer length, so t(L) = floor(0.08 L)
// edits are allowed (25 d <= 2 L).
uint32_t AllowedEdits(size_t length) { return static_cast<uint32_t>(2 * length / 25); }
constexpr size_t kNearMinLength = 13;   // AllowedEdits is 0 below: the longer key of a pair
constexpr size_t kNearMinShorter = 12;  // 13 - AllowedEdits(13): the shorter one
constexpr size_t kMinLetters = 5;       // shorter keys join only on equal keys

// The pieces a key of `length` letters is cut into for the near-match filter: about 3 letters
// each, and at least 2t + 2 (see FindNearPairs).
size_t PieceCount(size_t length) {
  const size_t t = AllowedEdits(length);
  return t == 0 ? 0 : std::max<size_t>(2 * t + 2, length / 3);
}
size_t PieceStart(size_t length, size_t pieces, size_t k) { return k * length / pieces; }

uint64_t MixBits(uint64_t x) {
  x ^= x >> 31;
  x *= 0x7FB5D329728EA185ULL;
  x ^= x >> 27;
  x *= 0x81DADEF4BC2DD44DULL;
  x ^= x >> 33;
  return x;
}

// The index key of piece `piece` (text `text`) of a key of length `length` in a country.
uint64_t PieceKey(uint64_t country_hash, size_t length, size_t piece, std::string_view text) {
  return MixBits(HashBytes(text) ^ MixBits(country_hash + (length << 8) + piece));
}

// How many times each letter occurs in a key (other bytes share one count).
using LetterCounts = std::array<uint8_t, 32>;

LetterCounts CountLetters(std::string_view key) {
  LetterCounts counts{};
  for (char c : key) {
    size_t slot = (c >= 'A' && c <= 'Z') ? static_cast<size_t>(c - 'A') : 26;
    if (counts[slot] < 255) ++counts[slot];
  }
  return counts;
}

uint32_t LetterCountDistance(const LetterCounts& a, const LetterCounts& b) {
  uint32_t sum = 0;
  for (size_t i = 0; i < a.size(); ++i) sum += a[i] > b[i] ? a[i] - b[i] : b[i] - a[i];
  return sum;
}

struct NearItem {
  std::string_view country;
  std::string_view compact;  // the key without spaces
  std::string_view digits;
  uint32_t rep = 0;  // the distinct spelling that stands for the item
};

struct NearPair {
  uint32_t a = 0, b = 0;  // item indexes, a < b
  uint32_t distance = 0;
  uint32_t length = 0;  // the longer compact length
};

// All pairs of items of one country with the same digits and similarity >= 0.92, found with a
// pigeonhole filter (after PassJoin, Li et al. 2011) that misses none:
// - a key r of length l, allowed t = t(l) edits, is cut into m = PieceCount(l) pieces; one edit
//   (a change, an insertion, a deletion, or a swap of neighbours, which may straddle two pieces)
//   spoils at most two pieces, so a key s within t edits of r contains m - 2t >= 2 of r's pieces
//   unchanged. r is indexed by all but its m - 2t - 1 most common pieces (counted over every key
//   of the country and length), so that the "SHENZHEN" or "AUTO PARTS" shared by thousands of
//   names makes no block, and s still meets r through one indexed piece.
// - an unchanged piece sits in s at its place in r, shifted by the insertions and deletions
//   before it: with s shorter by D letters, by -(t + D) / 2 to (t - D) / 2 places.
// s probes every piece position of every length l >= |s| within reach (l - |s| <= t(l)). The
// candidates are checked cheaply first (country, digits, and the letter counts: one edit changes
// them by at most 2), then by the edit distance. Cost: names that share most of their pieces at
// the same places (a common first word, a short brand, a common trade word) make long lists;
// bench/trade_entities_bench.cc measures that worst case.
std::vector<NearPair> FindNearPairs(const std::vector<NearItem>& items) {
  const size_t n = items.size();
  std::vector<uint64_t> country_hash(n), digits_hash(n);
  std::vector<uint32_t> country_id(n);
  std::vector<LetterCounts> letter_counts(n);
  std::vector<size_t> first_piece(n + 1, 0);
  for (size_t i = 0; i < n; ++i) {
    country_hash[i] = HashBytes(items[i].country);
    digits_hash[i] = HashBytes(items[i].digits);
    // Items are in country order: a country's number is the count of countries before it.
    country_id[i] = i == 0 ? 0 : country_id[i - 1] + (items[i].country != items[i - 1].country);
    letter_counts[i] = CountLetters(items[i].compact);
    first_piece[i + 1] = first_piece[i] + PieceCount(items[i].compact.size());
  }
  std::vector<uint64_t> piece_keys(first_piece[n]);
  ParallelFor(n, [&](size_t begin, size_t end, size_t) {
    for (size_t i = begin; i < end; ++i) {
      std::string_view s = items[i].compact;
      const size_t pieces = first_piece[i + 1] - first_piece[i];
      for (size_t k = 0; k < pieces; ++k) {
        const size_t start = PieceStart(s.size(), pieces, k);
        const size_t stop = PieceStart(s.size(), pieces, k + 1);
        piece_keys[first_piece[i] + k] =
            PieceKey(country_hash[i], s.size(), k, s.substr(start, stop - start));
      }
    }
  });
  std::vector<uint64_t> sorted_keys = piece_keys;
  std::sort(sorted_keys.begin(), sorted_keys.end());
  // postings: (piece key, item), sorted; each item keeps its 2t + 1 rarest pieces.
  std::vector<std::pair<uint64_t, uint32_t>> postings;
  {
    std::vector<std::vector<std::pair<uint64_t, uint32_t>>> kept(WorkerCount());
    ParallelFor(
        n,
        [&](size_t begin, size_t end, size_t part) {
          std::vector<std::pair<size_t, uint64_t>> by_count;  // (count, key)
          for (size_t i = begin; i < end; ++i) {
            by_count.clear();
            for (size_t p = first_piece[i]; p < first_piece[i + 1]; ++p) {
              auto [lo, hi] =
                  std::equal_range(sorted_keys.begin(), sorted_keys.end(), piece_keys[p]);
              by_count.emplace_back(static_cast<size_t>(hi - lo), piece_keys[p]);
            }
            if (by_count.empty()) continue;
            const size_t keep = 2 * AllowedEdits(items[i].compact.size()) + 1;
            std::stable_sort(by_count.begin(), by_count.end(),
                             [](const auto& x, const auto& y) { return x.first < y.first; });
            for (size_t k = 0; k < keep; ++k) {
              kept[part].emplace_back(by_count[k].second, static_cast<uint32_t>(i));
            }
          }
        },
        kept.size());
    for (const auto& part : kept) postings.insert(postings.end(), part.begin(), part.end());
  }
  std::sort(postings.begin(), postings.end());

  std::vector<std::vector<NearPair>> found(WorkerCount());
  ParallelFor(
      n,
      [&](size_t begin, size_t end, size_t part) {
        std::vector<uint32_t> candidates;
        std::vector<uint32_t> rows;
        for (size_t si = begin; si < end; ++si) {
          const NearItem& s = items[si];
          const size_t ls = s.compact.size();
          candidates.clear();
          // r is the longer (or equal) key: l - ls <= t(l).
          for (size_t l = std::max(ls, kNearMinLength); l - ls <= AllowedEdits(l); ++l) {
            const size_t t = AllowedEdits(l);
            const size_t shorter = l - ls;
            const size_t left = (t + shorter) / 2;   // deletions before the piece
            const size_t right = (t - shorter) / 2;  // insertions before the piece
            const size_t pieces = PieceCount(l);
            for (size_t k = 0; k < pieces; ++k) {
              const size_t start = PieceStart(l, pieces, k);
              const size_t len = PieceStart(l, pieces, k + 1) - start;
              if (len > ls) continue;
              const size_t lo = start > left ? start - left : 0;
              const size_t hi = std::min(start + right, ls - len);
              for (size_t p = lo; p <= hi; ++p) {
                const uint64_t key = PieceKey(country_hash[si], l, k, s.compact.substr(p, len));
                auto it = std::lower_bound(postings.begin(), postings.end(),
                                           std::pair<uint64_t, uint32_t>(key, 0));
                for (; it != postings.end() && it->first == key; ++it) {
                  const uint32_t ri = it->second;
                  if (ri == si) continue;
                  if (items[ri].compact.size() == ls && ri < si) continue;  // found from ri
                  candidates.push_back(ri);
                }
              }
            }
          }
          std::sort(candidates.begin(), candidates.end());
          candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
          for (uint32_t ri : candidates) {
            const NearItem& r = items[ri];
            if (r.compact.size() < ls) continue;  // a stray hash collision
            if (country_id[ri] != country_id[si] || digits_hash[ri] != digits_hash[si]) continue;
            // One edit moves at most 2 letters between the counts: a cheap lower bound.
            const uint32_t limit = AllowedEdits(r.compact.size());
            if (LetterCountDistance(letter_counts[ri], letter_counts[si]) > 2 * limit) continue;
            const uint32_t d = BoundedOsaDistance(r.compact, s.compact, limit, rows);
            if (d > limit) continue;
            const uint32_t self = static_cast<uint32_t>(si);
            found[part].push_back({std::min(ri, self), std::max(ri, self), d,
                                   static_cast<uint32_t>(r.compact.size())});
          }
        }
      },
      found.size());
  std::vector<NearPair> pairs;
  for (const auto& part : found) pairs.insert(pairs.end(), part.begin(), part.end());
  // Most similar first (d/L ascending, compared without division), then by items.
  std::sort(pairs.begin(), pairs.end(), [](const NearPair& x, const NearPair& y) {
    const uint64_t lhs = uint64_t{x.distance} * y.length;
    const uint64_t rhs = uint64_t{y.distance} * x.length;
    if (lhs != rhs) return lhs < rhs;
    return std::tie(x.a, x.b) < std::tie(y.a, y.b);
  });
  return pairs;
}

// One distinct (country, display spelling) of the input.
struct Distinct {
  std::string country;
  std::string display;
  std::vector<uint32_t> inputs;  // input indexes; the first stands for all in reasons
  uint64_t shipments = 0;
  NormalizedName norm;
  std::string compact;  // key without spaces
  std::string digits;   // the digits of the key, in order
  std::string sorted_words;
};

// "INC dropped", "accents": what normalisation changed between two spellings with one key.
std::string ExplainSameKey(const NormalizedName& x, const NormalizedName& y) {
  std::vector<std::string> only;
  auto add_missing = [&](const std::vector<std::string>& from, const std::vector<std::string>& in) {
    std::vector<std::string> rest = in;
    for (const std::string& form : from) {
      auto it = std::find(rest.begin(), rest.end(), form);
      if (it == rest.end()) {
        only.push_back(form);
      } else {
        rest.erase(it);
      }
    }
  };
  add_missing(x.dropped, y.dropped);
  add_missing(y.dropped, x.dropped);
  std::vector<std::string> parts;
  if (!only.empty()) parts.push_back(JoinStrings(only, ", ") + " dropped");
  if (x.accents != y.accents) parts.push_back("accents");
  if (parts.empty()) parts.push_back(x.accents ? "accents or punctuation" : "punctuation");
  return "same name after normalisation (" + JoinStrings(parts, "; ") + ")";
}

std::string CountryKey(std::string_view country) {
  std::string out(Trim(country));
  for (char& c : out) c = AsciiUpper(c);
  return out;
}

// The facts (EvidenceLookup) of the groups that near matches would join: per group root, the
// sorted ids of its facts. Asked for once; merged as groups join.
class GroupFacts {
 public:
  // Asks `evidence` for the input spellings of every group (Joiner root) that holds one of
  // `wanted` (distinct spellings).
  GroupFacts(const EvidenceLookup& evidence, const std::vector<Distinct>& distinct, Joiner& joiner,
             const std::vector<uint32_t>& wanted)
      : of_root_(distinct.size()) {
    std::vector<uint8_t> asked(distinct.size(), 0);
    for (uint32_t d : wanted) asked[joiner.Find(d)] = 1;
    std::vector<std::pair<uint32_t, uint32_t>> inputs;  // (input spelling, root)
    for (uint32_t d = 0; d < distinct.size(); ++d) {
      const uint32_t root = joiner.Find(d);
      if (!asked[root]) continue;
      for (uint32_t i : distinct[d].inputs) inputs.emplace_back(i, root);
    }
    std::sort(inputs.begin(), inputs.end());
    std::vector<uint32_t> spellings(inputs.size());
    for (size_t k = 0; k < inputs.size(); ++k) spellings[k] = inputs[k].first;
    Evidence answer = evidence(spellings);
    names_ = std::move(answer.names);
    for (size_t k = 0; k < std::min(answer.facts.size(), inputs.size()); ++k) {
      std::vector<uint32_t>& into = of_root_[inputs[k].second];
      into.insert(into.end(), answer.facts[k].begin(), answer.facts[k].end());
    }
    for (std::vector<uint32_t>& set : of_root_) {
      std::sort(set.begin(), set.end());
      set.erase(std::unique(set.begin(), set.end()), set.end());
    }
  }

  // The ids of the facts both groups have.
  std::vector<uint32_t> Shared(uint32_t root_a, uint32_t root_b) const {
    std::vector<uint32_t> both;
    std::set_intersection(of_root_[root_a].begin(), of_root_[root_a].end(),
                          of_root_[root_b].begin(), of_root_[root_b].end(),
                          std::back_inserter(both));
    return both;
  }

  // "; same address 12 MAIN ST; same supplier BOSCH (DE); and 1 more shared fact": the first
  // two of `shared` in text order, and how many more.
  std::string Explain(const std::vector<uint32_t>& shared) const {
    constexpr size_t kNamed = 2;
    std::vector<std::string> names;
    names.reserve(shared.size());
    for (uint32_t id : shared) {
      names.push_back(id < names_.size() ? names_[id] : "fact " + std::to_string(id));
    }
    const size_t named = std::min(kNamed, names.size());
    std::partial_sort(names.begin(), names.begin() + static_cast<std::ptrdiff_t>(named),
                      names.end());
    std::string out;
    for (size_t k = 0; k < named; ++k) out += "; same " + names[k];
    if (names.size() > named) {
      const size_t more = names.size() - named;
      out += "; and " + std::to_string(more) + " more shared fact" + (more == 1 ? "" : "s");
    }
    return out;
  }

  // Two groups became one, with root `root` (one of the two).
  void Joined(uint32_t root_a, uint32_t root_b, uint32_t root) {
    std::vector<uint32_t> all;
    std::set_union(of_root_[root_a].begin(), of_root_[root_a].end(), of_root_[root_b].begin(),
                   of_root_[root_b].end(), std::back_inserter(all));
    of_root_[root_a].clear();
    of_root_[root_b].clear();
    of_root_[root] = std::move(all);
  }

 private:
  std::vector<std::string> names_;              // by fact id
  std::vector<std::vector<uint32_t>> of_root_;  // per distinct spelling, when it is a root
};

std::string Slug(std::string_view key) {
  std::string out;
  for (char c : key) {
    if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
      out += AsciiLower(c);
    } else if (c == ' ' && !out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "unnamed" : out;
}

}  // namespace

std::string DisplaySpelling(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  bool space = false;
  for (size_t i = 0; i < raw.size();) {
    size_t len = 1;
    uint32_t cp = DecodeUtf8(raw, i, len);
    if (cp == kInvalidUtf8) {
      if (space && !out.empty()) out += ' ';
      space = false;
      out += raw[i];
    } else if ((cp < 0x80 && IsSpace(static_cast<char>(cp))) || IsUnicodeSpace(cp)) {
      space = true;
    } else {
      if (space && !out.empty()) out += ' ';
      space = false;
      AppendUtf8(out, UpperLatin(cp));
    }
    i += len;
  }
  return out;
}

std::string NameKey(std::string_view raw) { return Normalize(raw).key; }

std::string AddressKey(std::string_view raw) {
  bool accents = false;
  const std::string text = FoldText(raw, accents);
  return JoinStrings(Words(text), " ");
}

Resolution ResolveEntities(std::span<const Spelling> spellings, std::span<const EntityRule> rules,
                           const EvidenceLookup& evidence) {
  const size_t n = spellings.size();
  Resolution out;
  out.entity_of.assign(n, 0);
  if (n == 0) return out;

  // The distinct spellings, in (country, display) order: the canonical order every later step
  // follows, so that the input order changes nothing.
  std::vector<std::string> country(n), display(n);
  ParallelFor(n, [&](size_t begin, size_t end, size_t) {
    for (size_t i = begin; i < end; ++i) {
      country[i] = CountryKey(spellings[i].country);
      display[i] = DisplaySpelling(spellings[i].name);
    }
  });
  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    int c = country[a].compare(country[b]);
    if (c != 0) return c < 0;
    c = display[a].compare(display[b]);
    if (c != 0) return c < 0;
    if (spellings[a].shipments != spellings[b].shipments) {
      return spellings[a].shipments > spellings[b].shipments;
    }
    return a < b;
  });
  std::vector<Distinct> distinct;
  std::vector<uint32_t> distinct_of(n);
  for (uint32_t i : order) {
    if (distinct.empty() || distinct.back().country != country[i] ||
        distinct.back().display != display[i]) {
      distinct.push_back({});
      distinct.back().country = std::move(country[i]);
      distinct.back().display = std::move(display[i]);
    }
    distinct.back().inputs.push_back(i);
    distinct.back().shipments += spellings[i].shipments;
    distinct_of[i] = static_cast<uint32_t>(distinct.size() - 1);
  }
  const size_t nd = distinct.size();
  ParallelFor(nd, [&](size_t begin, size_t end, size_t) {
    for (size_t d = begin; d < end; ++d) {
      Distinct& x = distinct[d];
      x.norm = Normalize(x.display);
      std::vector<std::string_view> words;
      std::string_view key = x.norm.key;
      for (size_t i = 0; i < key.size();) {
        size_t stop = std::min(key.find(' ', i), key.size());
        words.push_back(key.substr(i, stop - i));
        i = stop + 1;
      }
      for (char c : key) {
        if (c != ' ') x.compact += c;
        if (c >= '0' && c <= '9') x.digits += c;
      }
      if (words.size() > 1) {
        std::sort(words.begin(), words.end());
        x.sorted_words = JoinStrings(words, " ");
      }
    }
  });
  auto rep = [&](uint32_t d) { return distinct[d].inputs.front(); };
  auto find_distinct = [&](const std::string& c, const std::string& name) -> int64_t {
    auto it = std::lower_bound(
        distinct.begin(), distinct.end(), std::tie(c, name),
        [](const Distinct& x, const auto& key) { return std::tie(x.country, x.display) < key; });
    if (it == distinct.end() || it->country != c || it->display != name) return -1;
    return it - distinct.begin();
  };

  Joiner joiner(nd);
  auto join = [&](uint32_t d, uint32_t to, std::string why) {
    if (joiner.Join(d, to)) out.reasons.push_back({rep(d), rep(to), std::move(why)});
  };

  // The user's rules: splits first, so that they bind every join after them.
  struct Rule {
    bool merge;
    uint32_t a, b;  // distinct spellings, a < b
  };
  std::vector<Rule> resolved_rules;
  for (const EntityRule& rule : rules) {
    std::string c = CountryKey(rule.country);
    int64_t a = find_distinct(c, DisplaySpelling(rule.a));
    int64_t b = find_distinct(c, DisplaySpelling(rule.b));
    if (a < 0 || b < 0 || a == b) continue;
    resolved_rules.push_back(
        {rule.merge, static_cast<uint32_t>(std::min(a, b)), static_cast<uint32_t>(std::max(a, b))});
  }
  std::sort(resolved_rules.begin(), resolved_rules.end(), [](const Rule& x, const Rule& y) {
    return std::tie(x.a, x.b, x.merge) < std::tie(y.a, y.b, y.merge);
  });
  for (const Rule& rule : resolved_rules) {
    if (!rule.merge) joiner.Forbid(rule.a, rule.b);
  }
  for (const Rule& rule : resolved_rules) {
    if (rule.merge) join(rule.b, rule.a, "merged by the user");
  }
  for (const Distinct& x : distinct) {
    for (size_t k = 1; k < x.inputs.size(); ++k) {
      out.reasons.push_back({x.inputs[k], x.inputs[0], "same spelling"});
    }
  }

  // Exact keys. `keys` keeps one distinct spelling per (country, key): the first one.
  std::vector<uint32_t> by_key(nd);
  std::iota(by_key.begin(), by_key.end(), 0u);
  std::sort(by_key.begin(), by_key.end(), [&](uint32_t a, uint32_t b) {
    return std::tie(distinct[a].country, distinct[a].norm.key, a) <
           std::tie(distinct[b].country, distinct[b].norm.key, b);
  });
  std::vector<uint32_t> keys;
  for (uint32_t d : by_key) {
    const Distinct& x = distinct[d];
    if (!keys.empty()) {
      const Distinct& head = distinct[keys.back()];
      if (head.country == x.country && head.norm.key == x.norm.key && !x.norm.key.empty()) {
        join(d, keys.back(), ExplainSameKey(x.norm, head.norm));
        continue;
      }
    }
    keys.push_back(d);
  }

  // Keys equal by another measure (spacing, word order): each joins the first of its group.
  auto join_groups = [&](const std::function<const std::string&(const Distinct&)>& measure,
                         std::string_view why) {
    std::vector<uint32_t> group;
    for (uint32_t d : keys) {
      const Distinct& x = distinct[d];
      if (x.compact.size() >= kMinLetters && !measure(x).empty()) group.push_back(d);
    }
    std::stable_sort(group.begin(), group.end(), [&](uint32_t a, uint32_t b) {
      return std::tie(distinct[a].country, measure(distinct[a]), distinct[a].digits) <
             std::tie(distinct[b].country, measure(distinct[b]), distinct[b].digits);
    });
    for (size_t i = 0, head = 0; i < group.size(); ++i) {
      const Distinct& h = distinct[group[head]];
      const Distinct& x = distinct[group[i]];
      if (i == head || h.country != x.country || measure(h) != measure(x) || h.digits != x.digits) {
        head = i;
        continue;
      }
      join(group[i], group[head], std::string(why) + " (" + x.norm.key + " / " + h.norm.key + ")");
    }
  };
  join_groups([](const Distinct& x) -> const std::string& { return x.compact; },
              "same name apart from spacing");
  join_groups([](const Distinct& x) -> const std::string& { return x.sorted_words; },
              "same words in another order");

  // Near matches between distinct compact keys.
  std::vector<uint32_t> by_compact;
  for (uint32_t d : keys) {
    if (distinct[d].compact.size() >= kNearMinShorter) by_compact.push_back(d);
  }
  std::stable_sort(by_compact.begin(), by_compact.end(), [&](uint32_t a, uint32_t b) {
    return std::tie(distinct[a].country, distinct[a].compact) <
           std::tie(distinct[b].country, distinct[b].compact);
  });
  std::vector<NearItem> items;
  for (uint32_t d : by_compact) {
    const Distinct& x = distinct[d];
    if (!items.empty() && items.back().country == x.country && items.back().compact == x.compact) {
      continue;
    }
    items.push_back({x.country, x.compact, x.digits, d});
  }
  // Without evidence no near match joins, so the pairs are not looked for.
  const std::vector<NearPair> pairs = evidence ? FindNearPairs(items) : std::vector<NearPair>{};
  if (!pairs.empty()) {
    std::vector<uint32_t> wanted;
    for (const NearPair& pair : pairs) {
      wanted.push_back(items[pair.a].rep);
      wanted.push_back(items[pair.b].rep);
    }
    GroupFacts facts(evidence, distinct, joiner, wanted);
    // Most similar first. A pair without a shared fact may gain one when either side joins
    // another group, so the pairs are tried again until a round joins nothing.
    std::vector<uint32_t> pending(pairs.size());
    std::iota(pending.begin(), pending.end(), 0u);
    for (bool joined_any = true; joined_any && !pending.empty();) {
      joined_any = false;
      std::vector<uint32_t> later;
      for (uint32_t p : pending) {
        const NearPair& pair = pairs[p];
        const uint32_t a = items[pair.a].rep;
        const uint32_t b = items[pair.b].rep;
        const uint32_t root_a = joiner.Find(a);
        const uint32_t root_b = joiner.Find(b);
        if (root_a == root_b) continue;
        const std::vector<uint32_t> shared = facts.Shared(root_a, root_b);
        if (shared.empty()) {
          later.push_back(p);
          continue;
        }
        // A split that refuses the join refuses it for good: groups only grow.
        if (!joiner.Join(b, a)) continue;
        facts.Joined(root_a, root_b, joiner.Find(a));
        std::string why = "near match ";
        AppendFixed2(why, 1.0 - static_cast<double>(pair.distance) / pair.length);
        why += " (" + distinct[b].norm.key + " / " + distinct[a].norm.key + ")";
        why += facts.Explain(shared);
        out.reasons.push_back({rep(b), rep(a), std::move(why)});
        joined_any = true;
      }
      pending = std::move(later);
    }
  }

  // Entities: named by their spelling with most shipments, ordered by country and name.
  std::vector<std::vector<uint32_t>> members(nd);
  for (uint32_t d = 0; d < nd; ++d) members[joiner.Find(d)].push_back(d);
  struct Group {
    uint32_t name;  // distinct spelling
    uint32_t root;
  };
  std::vector<Group> groups;
  for (uint32_t root = 0; root < nd; ++root) {
    if (members[root].empty()) continue;
    uint32_t best = members[root].front();
    for (uint32_t d : members[root]) {
      if (distinct[d].shipments > distinct[best].shipments) best = d;
    }
    groups.push_back({best, root});
  }
  // Distinct spellings are in (country, display) order, so the name's index orders the groups.
  std::sort(groups.begin(), groups.end(),
            [](const Group& x, const Group& y) { return x.name < y.name; });
  std::unordered_set<std::string> taken;
  for (const Group& g : groups) {
    const Distinct& named = distinct[g.name];
    Entity entity;
    entity.country = named.country;
    entity.name = named.display;
    std::string base = (named.country.empty() ? std::string("xx") : AsciiLower(named.country)) +
                       "-" + Slug(named.norm.key);
    std::string id = base;
    for (int suffix = 2; taken.contains(id); ++suffix) id = base + "-" + std::to_string(suffix);
    taken.insert(id);
    entity.id = std::move(id);
    const uint32_t index = static_cast<uint32_t>(out.entities.size());
    for (uint32_t d : members[g.root]) {
      for (uint32_t i : distinct[d].inputs) {
        entity.spellings.push_back(i);
        out.entity_of[i] = index;
      }
    }
    std::sort(entity.spellings.begin(), entity.spellings.end());
    out.entities.push_back(std::move(entity));
  }
  return out;
}

}  // namespace leadq::trade
