#include "bench/gen_lib.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstring>
#include <fstream>
#include <span>
#include <sstream>
#include <string_view>
#include <system_error>
#include <vector>

#include "core/text.h"

#ifndef LEADQ_BENCH_MODEL_DIR
#error "LEADQ_BENCH_MODEL_DIR must name examples/models (set in bench/CMakeLists.txt)"
#endif

namespace leadq::bench {
namespace {

// Bump when the bytes written for the same options change, so that run.sh regenerates.
constexpr int kGeneratorVersion = 1;

// ------------------------------------------------------------------ randomness

__extension__ typedef unsigned __int128 U128;

// splitmix64: fast, and its output is fixed by the seed on every machine.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1).
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // Uniform in [0, n); n > 0 (multiply-shift, no division).
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<U128>(Next()) * n) >> 64);
  }
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo) + 1));
  }
  bool Chance(double p) { return Uniform() < p; }

 private:
  uint64_t state_;
};

template <typename T>
struct Weighted {
  T value;
  uint32_t weight;
};

// Picks by weight with a precomputed cumulative table.
template <typename T>
class Picker {
 public:
  explicit Picker(std::span<const Weighted<T>> options) {
    uint32_t total = 0;
    for (const Weighted<T>& o : options) {
      total += o.weight;
      values_.push_back(o.value);
      cumulative_.push_back(total);
    }
  }
  const T& operator()(Rng& rng) const {
    auto roll = static_cast<uint32_t>(rng.Below(cumulative_.back()));
    size_t i = static_cast<size_t>(std::upper_bound(cumulative_.begin(), cumulative_.end(), roll) -
                                   cumulative_.begin());
    return values_[i];
  }

 private:
  std::vector<T> values_;
  std::vector<uint32_t> cumulative_;
};

template <typename T, size_t N>
const T& PickAny(Rng& rng, const T (&options)[N]) {
  return options[rng.Below(N)];
}

// ------------------------------------------------------------------ vocabulary

constexpr Weighted<std::string_view> kIndustries[] = {
    {"Software", 22}, {"Fintech", 10},   {"Healthcare", 10},    {"Professional Services", 8},
    {"Insurance", 5}, {"E-commerce", 7}, {"Manufacturing", 10}, {"Retail", 7},
    {"Education", 6}, {"Government", 3}, {"Non-profit", 3},     {"Media", 5},
    {"Logistics", 4},
};

struct Country {
  std::string_view code;
  std::string_view region;
  std::string_view tld;
};
constexpr Weighted<Country> kCountries[] = {
    {{"US", "North America", ".com"}, 76},
    {{"CA", "North America", ".ca"}, 10},
    {{"GB", "EMEA", ".co.uk"}, 20},
    {{"IE", "EMEA", ".ie"}, 4},
    {{"DE", "EMEA", ".de"}, 16},
    {{"FR", "EMEA", ".fr"}, 10},
    {{"NL", "EMEA", ".nl"}, 8},
    {{"SE", "EMEA", ".se"}, 4},
    {{"ES", "EMEA", ".es"}, 6},
    {{"AU", "APAC", ".com.au"}, 8},
    {{"SG", "APAC", ".sg"}, 4},
    {{"JP", "APAC", ".jp"}, 4},
    {{"IN", "APAC", ".in"}, 12},
    {{"BR", "LATAM", ".com.br"}, 8},
    {{"MX", "LATAM", ".mx"}, 4},
    {{"RU", "EMEA", ".ru"}, 2},
    {{"IR", "EMEA", ".ir"}, 1},
};

struct Band {
  int64_t lo;
  int64_t hi;
};
constexpr Weighted<Band> kEmployeeBands[] = {
    {{5, 19}, 9},      {{20, 49}, 12},    {{50, 199}, 22},   {{200, 499}, 20},    {{500, 999}, 13},
    {{1000, 1999}, 9}, {{2000, 4999}, 7}, {{5000, 9999}, 4}, {{10000, 60000}, 4},
};

constexpr std::string_view kNameStems[] = {
    "Northwind", "Bluepeak", "Cedar",   "Ironclad", "Brightline", "Summit",   "Harbor",
    "Quill",     "Lumen",    "Vertex",  "Orchid",   "Granite",    "Sable",    "Maple",
    "Aurora",    "Kestrel",  "Beacon",  "Cobalt",   "Evergreen",  "Fathom",   "Juniper",
    "Lattice",   "Meridian", "Nimbus",  "Onyx",     "Pinnacle",   "Redwood",  "Silverline",
    "Tidal",     "Upland",   "Vantage", "Willow",   "Zephyr",     "Atlas",    "Birch",
    "Copper",    "Ember",    "Falcon",  "Helix",    "Indigo",     "Keystone", "Mosaic"};
constexpr std::string_view kNameSuffixes[] = {
    "Software", "Labs",     "Systems", "Cloud",     "Pay",     "Capital",   "Health", "Medical",
    "Partners", "Advisory", "Group",   "Insurance", "Shop",    "Market",    "Works",  "Industries",
    "Retail",   "Academy",  "Media",   "Logistics", "Freight", "Foundation"};

constexpr std::string_view kFirstNames[] = {
    "james",  "maria",   "wei",    "aisha",  "lukas", "sofia",  "daniel", "priya",  "olivia",
    "mateo",  "emma",    "noah",   "chloe",  "hiro",  "fatima", "liam",   "ava",    "ethan",
    "zoe",    "arjun",   "grace",  "samuel", "elena", "jonas",  "omar",   "hannah", "kenji",
    "lucia",  "michael", "sarah",  "david",  "laura", "thomas", "anna",   "mei",    "carlos",
    "nina",   "patrick", "rachel", "ahmed",  "julia", "tom",    "ingrid", "kwame",  "ben",
    "claire", "diego",   "emily",  "felix",  "henry", "irene",  "jack",   "leo",    "mia"};
constexpr std::string_view kLastNames[] = {
    "smith",    "johnson",  "chen",      "mueller", "garcia", "obrien", "patel",  "nguyen",
    "williams", "kowalski", "rossi",     "tanaka",  "khan",   "brown",  "martin", "schmidt",
    "dubois",   "jones",    "andersson", "silva",   "kim",    "taylor", "okafor", "lee",
    "wilson",   "singh",    "moore",     "fischer", "lopez",  "clark",  "walsh",  "sato",
    "murphy",   "jensen",   "costa",     "wright",  "hughes", "bauer",  "novak",  "reyes",
    "das",      "evans",    "larsen",    "moreau",  "adams",  "baker",  "cohen",  "gupta"};
// Display forms with a capital first letter are made on the fly.

constexpr std::string_view kFreeMail[] = {"gmail.com",   "yahoo.com",  "outlook.com",
                                          "hotmail.com", "icloud.com", "proton.me",
                                          "gmx.de",      "web.de",     "orange.fr"};
constexpr std::string_view kCompetitorDomains[] = {"rivalcrm.com", "pipelinepro.io", "leadforge.ai",
                                                   "scorewise.com"};

constexpr Weighted<std::string_view> kDepartments[] = {
    {"Engineering", 20},
    {"IT", 13},
    {"Operations", 10},
    {"Finance", 9},
    {"Revenue Operations", 9},
    {"Marketing", 15},
    {"Sales", 12},
    {"Customer Success", 5},
    {"Product", 5},
    {"Human Resources", 2},
    {"", 10},
};

constexpr std::string_view kSeniorPrefixes[] = {"VP of ",   "VP ",          "Vice President, ",
                                                "Head of ", "Director of ", "Senior Director, ",
                                                "Chief ",   "Manager, ",    "Senior Manager, "};
constexpr std::string_view kContributorTitles[] = {"Software Engineer",
                                                   "Senior Software Engineer",
                                                   "DevOps Engineer",
                                                   "Systems Administrator",
                                                   "IT Specialist",
                                                   "Solutions Architect",
                                                   "Operations Analyst",
                                                   "Business Analyst",
                                                   "Financial Analyst",
                                                   "Accountant",
                                                   "FP&A Analyst",
                                                   "RevOps Analyst",
                                                   "Salesforce Administrator",
                                                   "Marketing Specialist",
                                                   "Content Marketer",
                                                   "Account Executive",
                                                   "Sales Development Representative",
                                                   "Customer Success Specialist",
                                                   "Product Designer",
                                                   "Recruiter"};
constexpr std::string_view kOddTitles[] = {"Student",
                                           "MBA Student",
                                           "Marketing Intern",
                                           "Looking for new opportunities",
                                           "Job Seeker",
                                           "Independent Consultant",
                                           "Freelance Marketing Consultant",
                                           "Agency Owner",
                                           "CEO",
                                           "CTO",
                                           "CFO",
                                           "Founder"};

struct Channel {
  std::string_view name;
  std::array<std::string_view, 3> sources;
};
constexpr Weighted<Channel> kChannels[] = {
    {{"inbound", {"organic_search", "paid_search", "webinar"}}, 55},
    {{"outbound", {"sdr_prospecting", "list_purchase", "sdr_prospecting"}}, 22},
    {{"partner", {"partner_referral", "marketplace", "partner_referral"}}, 10},
    {{"event", {"tradeshow", "meetup", "tradeshow"}}, 13},
};

constexpr std::string_view kTools[] = {"aws",
                                       "gcp",
                                       "azure",
                                       "slack",
                                       "jira",
                                       "snowflake",
                                       "zendesk",
                                       "marketo",
                                       "segment",
                                       "pipedrive",
                                       "google workspace",
                                       "microsoft 365"};

enum class EventKind : uint8_t {
  kPageView,
  kEmailOpen,
  kEmailClick,
  kContentDownload,
  kWebinarAttended,
  kDemoRequest,
  kTrialSignup,
  kBoothScan,
  kEmailBounce,
  kUnsubscribe,
  kFormSubmit,
};
constexpr Weighted<EventKind> kEventKinds[] = {
    {EventKind::kPageView, 4600},       {EventKind::kEmailOpen, 2500},
    {EventKind::kEmailClick, 800},      {EventKind::kContentDownload, 600},
    {EventKind::kWebinarAttended, 200}, {EventKind::kDemoRequest, 100},
    {EventKind::kTrialSignup, 100},     {EventKind::kBoothScan, 100},
    {EventKind::kEmailBounce, 50},      {EventKind::kUnsubscribe, 50},
    {EventKind::kFormSubmit, 200},
};
constexpr std::string_view EventKindName(EventKind kind) {
  switch (kind) {
    case EventKind::kPageView:
      return "page_view";
    case EventKind::kEmailOpen:
      return "email_open";
    case EventKind::kEmailClick:
      return "email_click";
    case EventKind::kContentDownload:
      return "content_download";
    case EventKind::kWebinarAttended:
      return "webinar_attended";
    case EventKind::kDemoRequest:
      return "demo_request";
    case EventKind::kTrialSignup:
      return "trial_signup";
    case EventKind::kBoothScan:
      return "booth_scan";
    case EventKind::kEmailBounce:
      return "email_bounce";
    case EventKind::kUnsubscribe:
      return "unsubscribe";
    case EventKind::kFormSubmit:
      return "form_submit";
  }
  return "";
}

constexpr std::string_view kPages[] = {"/blog/what-is-an-mql",
                                       "/blog/lead-scoring-models-explained",
                                       "/blog/speed-to-lead-benchmarks",
                                       "/blog/bant-vs-meddic",
                                       "/blog/gdpr-for-sales-teams",
                                       "/",
                                       "/about",
                                       "/customers",
                                       "/customers/bluepeak-health",
                                       "/product/lead-scoring",
                                       "/product/routing",
                                       "/product/analytics",
                                       "/security",
                                       "/pricing",
                                       "/pricing?plan=growth",
                                       "/pricing/enterprise",
                                       "/docs/getting-started",
                                       "/docs/api/authentication",
                                       "/docs/api/webhooks",
                                       "/integrations/salesforce",
                                       "/integrations/hubspot",
                                       "/compare/rivalcrm",
                                       "/careers",
                                       "/careers/open-roles/senior-backend-engineer"};
// Some of these need quoting in CSV (a comma, doubled quotes).
constexpr std::string_view kAssets[] = {
    "The State of RevOps Report",          "Lead scoring, explained: a primer",
    "The \"speed to lead\" benchmark",     "GDPR checklist for sales teams",
    "Salesforce integration checklist",    "Buyer's guide to lead qualification software",
    "ROI calculator for lead routing",     "Lead management platform comparison",
    "Pricing and packaging overview (PDF)"};
constexpr std::string_view kWebinars[] = {
    "Building an MQL definition sales trusts", "Routing leads in under five minutes",
    "From BANT to MEDDIC: qualification that scales", "Live demo: scoring with intent data"};
constexpr std::string_view kCampaignKinds[] = {"newsletter", "nurture", "product-update",
                                               "webinar-invite", "abm"};

// ------------------------------------------------------------------ output

// Appends rows into a large buffer and writes it out in big blocks.
class BlockWriter {
 public:
  static constexpr size_t kBlock = 8u << 20;

  BlockWriter() { buf_.reserve(kBlock + 4096); }
  BlockWriter(const BlockWriter&) = delete;
  BlockWriter& operator=(const BlockWriter&) = delete;
  ~BlockWriter() {
    if (fd_ >= 0) ::close(fd_);
  }

  Status Open(const std::filesystem::path& path) {
    path_ = path;
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) return Status::IoError("cannot create " + path.string() + ": " + Error());
    return Status::Ok();
  }

  void Put(std::string_view s) { buf_.append(s); }
  void Put(char c) { buf_.push_back(c); }
  // A CSV field, quoted when it must be.
  void Field(std::string_view s) { AppendCsvField(buf_, s); }
  // A non-negative integer, zero-padded to at least `width` digits.
  void Number(uint64_t v, int width = 0) {
    char digits[24];
    int n = 0;
    do {
      digits[n++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0);
    for (int i = n; i < width; ++i) buf_.push_back('0');
    while (n > 0) buf_.push_back(digits[--n]);
  }
  // "2026-05-03T12:34:56Z" for whole seconds since the epoch.
  void Timestamp(int64_t seconds) {
    int64_t day = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
    if (day != cached_day_) {
      cached_day_ = day;
      std::string date = FormatDate(day * kMicrosPerDay);
      std::memcpy(cached_date_, date.data(), 10);
    }
    int64_t s = seconds - day * 86400;
    char t[20];
    std::memcpy(t, cached_date_, 10);
    t[10] = 'T';
    Two(t + 11, s / 3600);
    t[13] = ':';
    Two(t + 14, s / 60 % 60);
    t[16] = ':';
    Two(t + 17, s % 60);
    t[19] = 'Z';
    buf_.append(t, 20);
  }

  // Writes the buffer when it is full (call after each row).
  Status EndRow() {
    buf_.push_back('\n');
    return buf_.size() >= kBlock ? Flush() : Status::Ok();
  }

  Status Close(uint64_t& bytes) {
    LEADQ_TRY(Flush());
    if (::close(fd_) != 0) {
      fd_ = -1;
      return Status::IoError("cannot write " + path_.string() + ": " + Error());
    }
    fd_ = -1;
    bytes = written_;
    return Status::Ok();
  }

 private:
  static void Two(char* out, int64_t v) {
    out[0] = static_cast<char>('0' + v / 10);
    out[1] = static_cast<char>('0' + v % 10);
  }
  static std::string Error() { return std::strerror(errno); }

  Status Flush() {
    size_t done = 0;
    while (done < buf_.size()) {
      ssize_t n = ::write(fd_, buf_.data() + done, buf_.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::IoError("cannot write " + path_.string() + ": " + Error());
      }
      done += static_cast<size_t>(n);
    }
    written_ += buf_.size();
    buf_.clear();
    return Status::Ok();
  }

  std::filesystem::path path_;
  int fd_ = -1;
  std::string buf_;
  uint64_t written_ = 0;
  int64_t cached_day_ = INT64_MIN;
  char cached_date_[10] = {};
};

// ------------------------------------------------------------------ the data set

// An account as the leads see it.
struct AccountFacts {
  std::string domain;
  std::string_view country;
};

constexpr int kLeadIdWidth = 8;
constexpr int kAccountIdWidth = 7;
constexpr int kEventIdWidth = 10;

class Generator {
 public:
  Generator(const GenOptions& options, const std::filesystem::path& dir)
      : options_(options), dir_(dir), rng_(options.seed) {
    account_count_ = std::max<size_t>(1, options.leads / 10);
  }

  Status Run(GenSizes& sizes) {
    sizes.leads = options_.leads;
    sizes.accounts = account_count_;
    sizes.events = options_.events;
    LEADQ_TRY(WriteAccounts(sizes.accounts_bytes));
    LEADQ_TRY(WriteLeads(sizes.leads_bytes));
    LEADQ_TRY(WriteEvents(sizes.events_bytes));
    return Status::Ok();
  }

 private:
  Status WriteAccounts(uint64_t& bytes) {
    BlockWriter w;
    LEADQ_TRY(w.Open(dir_ / "accounts.csv"));
    w.Put("account_id,name,domain,industry,employees,country,region,annual_revenue,tech_stack");
    LEADQ_TRY(w.EndRow());
    const Picker<std::string_view> industry(kIndustries);
    const Picker<Country> country(kCountries);
    const Picker<Band> band(kEmployeeBands);
    accounts_.reserve(account_count_);
    std::string name;
    for (size_t i = 0; i < account_count_; ++i) {
      const Country& c = country(rng_);
      std::string_view stem = PickAny(rng_, kNameStems);
      std::string_view suffix = PickAny(rng_, kNameSuffixes);
      AccountFacts& facts = accounts_.emplace_back();
      facts.country = c.code;
      facts.domain = AsciiLower(stem);
      facts.domain += std::to_string(i + 1);
      facts.domain += c.tld;
      const Band& b = band(rng_);
      int64_t employees = rng_.Between(b.lo, b.hi);
      if (employees >= 100) employees = employees / 10 * 10;

      w.Put('A');
      w.Number(i + 1, kAccountIdWidth);
      w.Put(',');
      name.assign(stem).append(" ").append(suffix);
      if (rng_.Chance(0.3)) name += ", Inc.";  // quoted in the file
      w.Field(name);
      w.Put(',');
      w.Put(facts.domain);
      w.Put(',');
      w.Put(industry(rng_));
      w.Put(',');
      w.Number(static_cast<uint64_t>(employees));
      w.Put(',');
      w.Put(c.code);
      w.Put(',');
      w.Put(c.region);
      w.Put(',');
      if (!rng_.Chance(0.12)) {
        w.Number(static_cast<uint64_t>(employees) * (80 + rng_.Below(300)) * 1000);
      }
      w.Put(',');
      if (!rng_.Chance(0.06)) {
        double crm = rng_.Uniform();
        w.Put(crm < 0.4 ? "salesforce" : crm < 0.7 ? "hubspot" : crm < 0.8 ? "rivalcrm" : "none");
        size_t tools = rng_.Below(5);
        for (size_t t = 0; t < tools; ++t) {
          w.Put(';');
          w.Put(PickAny(rng_, kTools));
        }
      }
      LEADQ_TRY(w.EndRow());
    }
    return w.Close(bytes);
  }

  Status WriteLeads(uint64_t& bytes) {
    BlockWriter w;
    LEADQ_TRY(w.Open(dir_ / "leads.csv"));
    w.Put(
        "lead_id,account_id,first_name,last_name,email,job_title,department,country,channel,"
        "source,consent,do_not_contact,unsubscribed,duplicate_of,created_at");
    LEADQ_TRY(w.EndRow());
    const Picker<std::string_view> department(kDepartments);
    const Picker<Channel> channel(kChannels);
    const Picker<Country> country(kCountries);
    const int64_t as_of_s = options_.as_of / kMicrosPerSecond;
    const int64_t two_years = 730 * 86400;
    std::string title;
    for (size_t i = 0; i < options_.leads; ++i) {
      const bool affiliated = rng_.Chance(0.85);
      const AccountFacts* account = nullptr;
      size_t account_row = 0;
      if (affiliated) {
        account_row = rng_.Below(account_count_);
        account = &accounts_[account_row];
      }
      std::string_view first = PickAny(rng_, kFirstNames);
      std::string_view last = PickAny(rng_, kLastNames);
      std::string_view dept = department(rng_);

      w.Put('L');
      w.Number(i + 1, kLeadIdWidth);
      w.Put(',');
      if (account != nullptr) {
        w.Put('A');
        w.Number(account_row + 1, kAccountIdWidth);
      }
      w.Put(',');
      PutCapitalised(w, first);
      w.Put(',');
      PutCapitalised(w, last);
      w.Put(',');
      // E-mail: work address at the account, a personal address, or (rarely) a competitor's.
      if (rng_.Chance(0.01)) {
        // left empty: typed nothing
      } else {
        w.Put(first);
        w.Put('.');
        w.Put(last);
        if (account == nullptr || rng_.Chance(0.2)) w.Number(rng_.Below(10000));
        w.Put('@');
        if (rng_.Chance(0.003)) {
          w.Put(PickAny(rng_, kCompetitorDomains));
        } else if (account != nullptr && !rng_.Chance(0.1)) {
          w.Put(account->domain);
        } else {
          w.Put(PickAny(rng_, kFreeMail));
        }
      }
      w.Put(',');
      MakeTitle(dept, title);
      w.Field(title);
      w.Put(',');
      w.Put(dept);
      w.Put(',');
      if (account != nullptr && !rng_.Chance(0.1)) {
        w.Put(account->country);
      } else if (!rng_.Chance(0.2)) {
        w.Put(country(rng_).code);
      }
      w.Put(',');
      const Channel& ch = channel(rng_);
      w.Put(ch.name);
      w.Put(',');
      w.Put(ch.sources[rng_.Below(ch.sources.size())]);
      w.Put(',');
      double consent = rng_.Uniform();
      w.Put(consent < 0.8 ? "yes" : consent < 0.83 ? "no" : "");
      w.Put(',');
      w.Put(rng_.Chance(0.02) ? "true" : "false");
      w.Put(',');
      w.Put(rng_.Chance(0.04) ? "true" : "false");
      w.Put(',');
      if (i > 0 && rng_.Chance(0.02)) {
        w.Put('L');
        w.Number(rng_.Below(i) + 1, kLeadIdWidth);
      }
      w.Put(',');
      w.Timestamp(as_of_s - two_years + static_cast<int64_t>(rng_.Below(two_years)));
      LEADQ_TRY(w.EndRow());
    }
    return w.Close(bytes);
  }

  Status WriteEvents(uint64_t& bytes) {
    BlockWriter w;
    LEADQ_TRY(w.Open(dir_ / "events.csv"));
    w.Put("event_id,lead_id,type,occurred_at,page,asset,campaign");
    LEADQ_TRY(w.EndRow());
    const Picker<EventKind> kind(kEventKinds);
    // Time runs from eight months before as-of to a week after it, in file order.
    const int64_t as_of_s = options_.as_of / kMicrosPerSecond;
    const int64_t start = as_of_s - 240 * 86400;
    const double span = static_cast<double>(247 * 86400);
    const auto n = static_cast<double>(std::max<size_t>(options_.events, 1));
    const uint64_t leads = options_.leads;
    // Events per lead are skewed (a few leads are very active, many barely) and the active leads
    // are spread over the file: rank r = leads * u^1.5, lead = r * P mod leads (P prime > leads).
    const uint64_t prime = 4'294'967'291ULL;
    std::string campaign;
    size_t row = 0;
    uint64_t event_id = 0;
    while (row < options_.events) {
      ++event_id;
      const double u = rng_.Uniform();
      const auto rank = static_cast<uint64_t>(static_cast<double>(leads) * u * std::sqrt(u));
      const uint64_t lead = (rank % leads) * (prime % leads) % leads;
      const int64_t at =
          start + static_cast<int64_t>(span * (static_cast<double>(row) + rng_.Uniform()) / n);
      const EventKind k = kind(rng_);
      std::string_view page, asset;
      campaign.clear();
      switch (k) {
        case EventKind::kPageView:
          page = PickAny(rng_, kPages);
          break;
        case EventKind::kEmailClick:
          page = PickAny(rng_, kPages);
          [[fallthrough]];
        case EventKind::kEmailOpen:
        case EventKind::kEmailBounce:
        case EventKind::kUnsubscribe:
          MakeCampaign(at, campaign);
          break;
        case EventKind::kContentDownload:
          page = "/resources";
          asset = PickAny(rng_, kAssets);
          break;
        case EventKind::kWebinarAttended:
          asset = PickAny(rng_, kWebinars);
          campaign = "webinar";
          break;
        case EventKind::kDemoRequest:
          page = "/demo";
          break;
        case EventKind::kTrialSignup:
          page = "/signup";
          break;
        case EventKind::kBoothScan:
          campaign = "tradeshow";
          break;
        case EventKind::kFormSubmit:
          page = "/contact";
          break;
      }
      // A retried webhook delivers the same event twice.
      const int copies = rng_.Chance(0.002) ? 2 : 1;
      for (int c = 0; c < copies && row < options_.events; ++c, ++row) {
        w.Put('E');
        w.Number(event_id, kEventIdWidth);
        w.Put(",L");
        w.Number(lead + 1, kLeadIdWidth);
        w.Put(',');
        w.Put(EventKindName(k));
        w.Put(',');
        w.Timestamp(at);
        w.Put(',');
        w.Put(page);
        w.Put(',');
        w.Field(asset);
        w.Put(',');
        w.Put(campaign);
        LEADQ_TRY(w.EndRow());
      }
    }
    return w.Close(bytes);
  }

  void PutCapitalised(BlockWriter& w, std::string_view name) {
    char first = name[0];
    w.Put(static_cast<char>(first >= 'a' && first <= 'z' ? first - 32 : first));
    w.Put(name.substr(1));
  }

  // A few hundred distinct titles, with some of the noise a CRM holds.
  void MakeTitle(std::string_view dept, std::string& title) {
    double roll = rng_.Uniform();
    if (roll < 0.06) {
      title.assign(PickAny(rng_, kOddTitles));
    } else if (roll < 0.45 && !dept.empty()) {
      title.assign(PickAny(rng_, kSeniorPrefixes));
      title.append(dept);
    } else {
      title.assign(PickAny(rng_, kContributorTitles));
    }
    double noise = rng_.Uniform();
    if (noise < 0.02) {
      title = AsciiLower(title);
    } else if (noise < 0.03) {
      title.insert(0, " ");  // stray white space, quoted in the file
    }
  }

  // "newsletter-2026-05": one campaign of each kind per month.
  void MakeCampaign(int64_t at, std::string& campaign) {
    const int64_t day = at / 86400;
    if (day != campaign_day_) {
      campaign_day_ = day;
      campaign_month_ = FormatDate(day * kMicrosPerDay).substr(0, 7);
    }
    campaign.assign(PickAny(rng_, kCampaignKinds));
    campaign += '-';
    campaign += campaign_month_;
  }

  const GenOptions& options_;
  std::filesystem::path dir_;
  Rng rng_;
  size_t account_count_ = 0;
  std::vector<AccountFacts> accounts_;
  int64_t campaign_day_ = INT64_MIN;
  std::string campaign_month_;
};

Status CopyFile(const std::filesystem::path& from, const std::filesystem::path& to) {
  std::error_code ec;
  std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing, ec);
  if (ec)
    return Status::IoError("cannot copy " + from.string() + " to " + to.string() + ": " +
                           ec.message());
  return Status::Ok();
}

Status WriteText(const std::filesystem::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (!out) return Status::IoError("cannot write " + path.string());
  return Status::Ok();
}

}  // namespace

std::string ParamsText(const GenOptions& options) {
  return "generator=" + std::to_string(kGeneratorVersion) +
         " leads=" + std::to_string(options.leads) + " events=" + std::to_string(options.events) +
         " seed=" + std::to_string(options.seed) + " as_of=" + FormatTimestamp(options.as_of) +
         "\n";
}

bool HasBenchData(const GenOptions& options, const std::filesystem::path& dir) {
  std::ifstream in(dir / "params.txt", std::ios::binary);
  if (!in) return false;
  std::stringstream text;
  text << in.rdbuf();
  if (text.str() != ParamsText(options)) return false;
  for (const char* name : {"leads.csv", "accounts.csv", "events.csv"}) {
    if (!std::filesystem::is_regular_file(dir / name)) return false;
  }
  return true;
}

Status CopyModel(const GenOptions& options, const std::filesystem::path& dir) {
  const std::filesystem::path from =
      options.model_dir.empty() ? std::filesystem::path(LEADQ_BENCH_MODEL_DIR) : options.model_dir;
  LEADQ_TRY(CopyFile(from / "b2b-saas.toml", dir / "model.toml"));
  LEADQ_TRY(CopyFile(from / "free-mail.txt", dir / "free-mail.txt"));
  return Status::Ok();
}

Result<GenSizes> WriteBenchData(const GenOptions& options, const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IoError("cannot create " + dir.string() + ": " + ec.message());
  std::filesystem::remove(dir / "params.txt", ec);
  LEADQ_TRY(CopyModel(options, dir));
  GenSizes sizes;
  Generator generator(options, dir);
  LEADQ_TRY(generator.Run(sizes));
  LEADQ_TRY(WriteText(dir / "params.txt", ParamsText(options)));
  return sizes;
}

Result<GenSizes> MeasureBenchData(const std::filesystem::path& dir) {
  GenSizes sizes;
  struct File {
    const char* name;
    size_t* rows;
    uint64_t* bytes;
  };
  for (const File& f : {File{"leads.csv", &sizes.leads, &sizes.leads_bytes},
                        File{"accounts.csv", &sizes.accounts, &sizes.accounts_bytes},
                        File{"events.csv", &sizes.events, &sizes.events_bytes}}) {
    std::ifstream in(dir / f.name, std::ios::binary);
    if (!in) return Status::NotFound((dir / f.name).string() + ": no such file");
    std::vector<char> buf(1u << 20);
    uint64_t newlines = 0;
    uint64_t bytes = 0;
    while (in) {
      in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
      auto got = static_cast<size_t>(in.gcount());
      bytes += got;
      newlines += static_cast<uint64_t>(std::count(buf.begin(), buf.begin() + got, '\n'));
    }
    *f.rows = newlines > 0 ? newlines - 1 : 0;
    *f.bytes = bytes;
  }
  return sizes;
}

}  // namespace leadq::bench
