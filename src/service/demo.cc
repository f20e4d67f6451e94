#include "service/demo.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <random>
#include <set>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "core/text.h"
#include "core/time.h"

namespace leadq::service {
namespace {

// ---------------------------------------------------------------------------------------------
// Randomness. Only integer arithmetic and +, -, *, / on doubles are used (no <random>
// distributions, no exp or log), because their results differ between standard libraries and
// the same seed must give the same bytes everywhere.
// ---------------------------------------------------------------------------------------------
class Dice {
 public:
  explicit Dice(uint64_t seed) : state_(seed) {}

  // Uniform in [0, 1).
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // Uniform in [0, n); n > 0. The modulo bias is below 2^-40 for the sizes used here.
  uint64_t Below(uint64_t n) { return Next() % n; }
  // Uniform in [lo, hi].
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo) + 1));
  }
  bool Chance(double p) { return Uniform() < p; }

 private:
  // std::mt19937_64's output is fixed by the standard, unlike the distributions.
  uint64_t Next() { return state_(); }
  std::mt19937_64 state_;
};

template <typename T>
struct Weighted {
  T value;
  int weight;
};

template <typename T>
const T& Pick(Dice& dice, std::span<const Weighted<T>> options) {
  int total = 0;
  for (const Weighted<T>& o : options) total += o.weight;
  int roll = static_cast<int>(dice.Below(static_cast<uint64_t>(total)));
  for (const Weighted<T>& o : options) {
    if (roll < o.weight) return o.value;
    roll -= o.weight;
  }
  return options.back().value;
}

template <typename T>
const T& PickAny(Dice& dice, std::span<const T> options) {
  return options[dice.Below(options.size())];
}

// ---------------------------------------------------------------------------------------------
// Vocabulary. Values the model names (competitor domains and product, embargoed countries,
// industries, departments, page paths, asset titles) are repeated here, so editing one side
// means editing the other; the unit test checks that the data still hits the model's lists.
// ---------------------------------------------------------------------------------------------
constexpr std::string_view kCompetitorDomains[] = {"rivalcrm.com", "pipelinepro.io", "leadforge.ai",
                                                   "scorewise.com"};
constexpr std::string_view kCompetitorProduct = "rivalcrm";

struct Industry {
  std::string_view name;
  std::array<std::string_view, 4> suffixes;  // company name endings
  int revenue_per_employee_k;                // thousands of dollars
  bool core;                                 // in the model's core industries
};
constexpr Weighted<Industry> kIndustries[] = {
    {{"Software", {"Software", "Labs", "Systems", "Cloud"}, 210, true}, 22},
    {{"Fintech", {"Pay", "Capital", "Ledger", "Payments"}, 310, true}, 10},
    {{"Healthcare", {"Health", "Medical", "Care", "Diagnostics"}, 160, true}, 10},
    {{"Professional Services", {"Consulting", "Partners", "Advisory", "Group"}, 150, false}, 8},
    {{"Insurance", {"Insurance", "Assurance", "Mutual", "Underwriters"}, 340, false}, 5},
    {{"E-commerce", {"Shop", "Goods", "Market", "Direct"}, 260, false}, 7},
    {{"Manufacturing", {"Industries", "Works", "Manufacturing", "Machining"}, 240, false}, 10},
    {{"Retail", {"Retail", "Stores", "Outfitters", "Supply"}, 190, false}, 7},
    {{"Education", {"Academy", "Learning", "College", "Institute"}, 80, false}, 6},
    {{"Government", {"County", "Authority", "Agency", "Council"}, 110, false}, 3},
    {{"Non-profit", {"Foundation", "Trust", "Alliance", "Fund"}, 60, false}, 3},
    {{"Media", {"Media", "Studios", "Publishing", "Broadcasting"}, 180, false}, 5},
    {{"Logistics", {"Logistics", "Freight", "Shipping", "Transport"}, 230, false}, 4},
};

constexpr std::string_view kNameStems[] = {
    "Northwind", "Bluepeak",  "Cedar",     "Ironclad", "Brightline", "Summit",  "Harbor",
    "Quill",     "Lumen",     "Vertex",    "Orchid",   "Granite",    "Sable",   "Maple",
    "Aurora",    "Kestrel",   "Beacon",    "Cobalt",   "Evergreen",  "Fathom",  "Juniper",
    "Lattice",   "Meridian",  "Nimbus",    "Onyx",     "Pinnacle",   "Redwood", "Silverline",
    "Tidal",     "Upland",    "Vantage",   "Willow",   "Zephyr",     "Atlas",   "Birch",
    "Copper",    "Deltaview", "Ember",     "Falcon",   "Helix",      "Indigo",  "Keystone",
    "Larkspur",  "Mosaic",    "Novara",    "Opaline",  "Prairie",    "Quantix", "Ridgeway",
    "Sierra",    "Topaz",     "Unity",     "Vela",     "Wren",       "Yarrow",  "Alder",
    "Basalt",    "Crescent",  "Driftwood", "Elmstead"};

constexpr std::string_view kNameModifiers[] = {
    "North", "Bright", "Blue",  "Silver", "Green", "Red",  "Golden", "True",  "Clear", "First",
    "Prime", "Open",   "Swift", "Bold",   "Deep",  "High", "New",    "Grand", "West",  "Great"};

struct Country {
  std::string_view code;
  std::string_view region;
  std::string_view tld;
  std::string_view legal_suffix;  // appended to some company names
};
constexpr Weighted<Country> kCountries[] = {
    {{"US", "North America", ".com", ", Inc."}, 76},
    {{"CA", "North America", ".ca", " Inc."}, 10},
    {{"GB", "EMEA", ".co.uk", " Ltd"}, 20},
    {{"IE", "EMEA", ".ie", " Ltd"}, 4},
    {{"DE", "EMEA", ".de", " GmbH"}, 16},
    {{"FR", "EMEA", ".fr", " SAS"}, 10},
    {{"NL", "EMEA", ".nl", " B.V."}, 8},
    {{"SE", "EMEA", ".se", " AB"}, 4},
    {{"ES", "EMEA", ".es", " S.L."}, 6},
    {{"AU", "APAC", ".com.au", " Pty Ltd"}, 8},
    {{"SG", "APAC", ".sg", " Pte. Ltd."}, 4},
    {{"JP", "APAC", ".jp", " K.K."}, 4},
    {{"IN", "APAC", ".in", " Pvt. Ltd."}, 12},
    {{"BR", "LATAM", ".com.br", " Ltda."}, 8},
    {{"MX", "LATAM", ".mx", " S.A. de C.V."}, 4},
    {{"RU", "EMEA", ".ru", ""}, 2},
    {{"IR", "EMEA", ".ir", ""}, 1},
};
// Countries of leads without an account (typed into a form): the same mix plus a few that only
// show up this way.
constexpr std::string_view kRareEmbargoed[] = {"BY", "CU", "KP", "SY"};

// Employee bands, roughly log-normal around 250 with a long tail.
struct Band {
  int64_t lo;
  int64_t hi;
};
constexpr Weighted<Band> kEmployeeBands[] = {
    {{5, 19}, 9},      {{20, 49}, 12},    {{50, 199}, 22},   {{200, 499}, 20},    {{500, 999}, 13},
    {{1000, 1999}, 9}, {{2000, 4999}, 7}, {{5000, 9999}, 4}, {{10000, 60000}, 4},
};

struct Person {
  std::string_view display;
  std::string_view ascii;  // for e-mail addresses
};
constexpr Person kFirstNames[] = {
    {"James", "james"},       {"Maria", "maria"},       {"Wei", "wei"},
    {"Aisha", "aisha"},       {"Lukas", "lukas"},       {"Sofia", "sofia"},
    {"Daniel", "daniel"},     {"Priya", "priya"},       {"Olivia", "olivia"},
    {"Mateo", "mateo"},       {"Emma", "emma"},         {"Noah", "noah"},
    {"Chloé", "chloe"},       {"Hiroshi", "hiroshi"},   {"Fatima", "fatima"},
    {"Liam", "liam"},         {"Ava", "ava"},           {"Ethan", "ethan"},
    {"Zoë", "zoe"},           {"Arjun", "arjun"},       {"Grace", "grace"},
    {"Samuel", "samuel"},     {"Elena", "elena"},       {"Jonas", "jonas"},
    {"Isabella", "isabella"}, {"Omar", "omar"},         {"Hannah", "hannah"},
    {"Kenji", "kenji"},       {"Lucía", "lucia"},       {"Michael", "michael"},
    {"Sarah", "sarah"},       {"David", "david"},       {"Laura", "laura"},
    {"Thomas", "thomas"},     {"Anna", "anna"},         {"Benjamin", "benjamin"},
    {"Mei", "mei"},           {"Carlos", "carlos"},     {"Nina", "nina"},
    {"Patrick", "patrick"},   {"Rachel", "rachel"},     {"Ahmed", "ahmed"},
    {"Julia", "julia"},       {"Tom", "tom"},           {"Ingrid", "ingrid"},
    {"Kwame", "kwame"},       {"Ananya", "ananya"},     {"Ben", "ben"},
    {"Claire", "claire"},     {"Diego", "diego"},       {"Emily", "emily"},
    {"Felix", "felix"},       {"Gabriela", "gabriela"}, {"Henry", "henry"},
    {"Irene", "irene"},       {"Jack", "jack"},         {"Katarzyna", "katarzyna"},
    {"Leo", "leo"},           {"Mia", "mia"},           {"Nathan", "nathan"},
    {"Oscar", "oscar"},       {"Paula", "paula"},       {"Rohan", "rohan"},
    {"Sophie", "sophie"},
};
constexpr Person kLastNames[] = {
    {"Smith", "smith"},
    {"Johnson", "johnson"},
    {"Chen", "chen"},
    {"Müller", "mueller"},
    {"García", "garcia"},
    {"O'Brien", "obrien"},
    {"Patel", "patel"},
    {"Nguyen", "nguyen"},
    {"Williams", "williams"},
    {"Kowalski", "kowalski"},
    {"Rossi", "rossi"},
    {"Tanaka", "tanaka"},
    {"Khan", "khan"},
    {"Brown", "brown"},
    {"Martin", "martin"},
    {"Schmidt", "schmidt"},
    {"Dubois", "dubois"},
    {"Jones", "jones"},
    {"Andersson", "andersson"},
    {"Silva", "silva"},
    {"Kim", "kim"},
    {"Taylor", "taylor"},
    {"Okafor", "okafor"},
    {"Lee", "lee"},
    {"van der Berg", "vanderberg"},
    {"Hernández", "hernandez"},
    {"Wilson", "wilson"},
    {"Singh", "singh"},
    {"Moore", "moore"},
    {"Fischer", "fischer"},
    {"Lopez", "lopez"},
    {"Clark", "clark"},
    {"Walsh", "walsh"},
    {"Sato", "sato"},
    {"Ivanova", "ivanova"},
    {"Murphy", "murphy"},
    {"Jensen", "jensen"},
    {"Costa", "costa"},
    {"Wright", "wright"},
    {"Hughes", "hughes"},
    {"Bauer", "bauer"},
    {"Novak", "novak"},
    {"Reyes", "reyes"},
    {"Das", "das"},
    {"Evans", "evans"},
    {"Larsen", "larsen"},
    {"Moreau", "moreau"},
    {"Adams", "adams"},
    {"Baker", "baker"},
    {"Cohen", "cohen"},
    {"Dalton", "dalton"},
    {"Ellis", "ellis"},
    {"Foster", "foster"},
    {"Gupta", "gupta"},
    {"Hall", "hall"},
    {"Ito", "ito"},
    {"Jovanović", "jovanovic"},
    {"King", "king"},
    {"Lindqvist", "lindqvist"},
    {"Mensah", "mensah"},
    {"Nakamura", "nakamura"},
    {"Ortiz", "ortiz"},
    {"Price", "price"},
    {"Quinn", "quinn"},
};

struct Department {
  std::string_view name;                        // the CRM picklist value
  std::string_view title_word;                  // as used in titles ("VP of <word>")
  std::array<std::string_view, 2> c_level;      // C-level titles of this function
  std::array<std::string_view, 3> contributor;  // individual contributor titles
};
constexpr Weighted<Department> kDepartments[] = {
    {{"Engineering",
      "Engineering",
      {"CTO", "Chief Technology Officer"},
      {"Software Engineer", "Senior Software Engineer", "DevOps Engineer"}},
     20},
    {{"IT",
      "IT",
      {"CIO", "Chief Information Officer"},
      {"Systems Administrator", "IT Specialist", "Solutions Architect"}},
     13},
    {{"Operations",
      "Operations",
      {"COO", "Chief Operating Officer"},
      {"Operations Analyst", "Business Analyst", "Process Specialist"}},
     10},
    {{"Finance",
      "Finance",
      {"CFO", "Chief Financial Officer"},
      {"Financial Analyst", "Accountant", "FP&A Analyst"}},
     9},
    {{"Revenue Operations",
      "Revenue Operations",
      {"Chief Revenue Officer", "CRO"},
      {"Revenue Operations Analyst", "Salesforce Administrator", "CRM Specialist"}},
     9},
    {{"Marketing",
      "Marketing",
      {"CMO", "Chief Marketing Officer"},
      {"Marketing Specialist", "Demand Generation Specialist", "Content Marketer"}},
     15},
    {{"Sales",
      "Sales",
      {"Chief Sales Officer", "CEO"},
      {"Account Executive", "Sales Development Representative", "Sales Engineer"}},
     12},
    {{"Customer Success",
      "Customer Success",
      {"Chief Customer Officer", "CEO"},
      {"Customer Success Specialist", "Support Engineer", "Onboarding Specialist"}},
     5},
    {{"Product",
      "Product",
      {"Chief Product Officer", "CEO"},
      {"Product Analyst", "Product Designer", "UX Researcher"}},
     5},
    {{"Human Resources",
      "People",
      {"Chief People Officer", "CEO"},
      {"Recruiter", "HR Generalist", "Talent Partner"}},
     2},
};

enum class Seniority {
  kCLevel,
  kVp,
  kHead,
  kDirector,
  kManager,
  kContributor,
  kStudent,
  kJobSeeker,
  kConsultant
};
constexpr Weighted<Seniority> kEmployeeSeniority[] = {
    {Seniority::kCLevel, 5},    {Seniority::kVp, 8},       {Seniority::kHead, 7},
    {Seniority::kDirector, 13}, {Seniority::kManager, 26}, {Seniority::kContributor, 41},
};
// People who sign up without a company: students, job seekers, consultants, owners of tiny
// businesses with a gmail address.
constexpr Weighted<Seniority> kUnaffiliatedSeniority[] = {
    {Seniority::kStudent, 24},     {Seniority::kJobSeeker, 10}, {Seniority::kConsultant, 20},
    {Seniority::kCLevel, 10},      {Seniority::kDirector, 6},   {Seniority::kManager, 14},
    {Seniority::kContributor, 16},
};
constexpr std::string_view kStudentTitles[] = {"Student",
                                               "MBA Student",
                                               "Graduate Student",
                                               "Marketing Intern",
                                               "Computer Science Student",
                                               "MBA Candidate"};
constexpr std::string_view kJobSeekerTitles[] = {"Looking for new opportunities", "Job Seeker",
                                                 "Open to work"};
constexpr std::string_view kConsultantTitles[] = {"Independent Consultant", "Salesforce Consultant",
                                                  "Freelance Marketing Consultant", "Agency Owner"};

struct Channel {
  std::string_view name;
  std::array<Weighted<std::string_view>, 6> sources;
};
constexpr Weighted<Channel> kChannels[] = {
    {{"inbound",
      {{{"organic_search", 30},
        {"paid_search", 20},
        {"linkedin_ads", 15},
        {"g2_review", 10},
        {"webinar", 15},
        {"direct", 10}}}},
     55},
    {{"outbound", {{{"sdr_prospecting", 70}, {"list_purchase", 30}}}}, 22},
    {{"partner", {{{"partner_referral", 75}, {"marketplace", 25}}}}, 10},
    {{"event", {{{"tradeshow", 80}, {"meetup", 20}}}}, 13},
};

// ---------------------------------------------------------------------------------------------
// Web pages and content, grouped by what a visit says about the visitor.
// ---------------------------------------------------------------------------------------------
enum PageGroup { kBlog, kGeneral, kProduct, kPricing, kDocs, kCompare, kCareers, kPageGroups };
struct Page {
  std::string_view path;
  PageGroup group;
};
constexpr Page kPages[] = {
    {"/blog/what-is-an-mql", kBlog},
    {"/blog/lead-scoring-models-explained", kBlog},
    {"/blog/speed-to-lead-benchmarks", kBlog},
    {"/blog/bant-vs-meddic", kBlog},
    {"/blog/gdpr-for-sales-teams", kBlog},
    {"/blog/revops-hiring-guide", kBlog},
    {"/blog/forecasting-without-spreadsheets", kBlog},
    {"/", kGeneral},
    {"/about", kGeneral},
    {"/customers", kGeneral},
    {"/customers/bluepeak-health", kGeneral},
    {"/product/lead-scoring", kProduct},
    {"/product/routing", kProduct},
    {"/product/analytics", kProduct},
    {"/security", kProduct},
    {"/pricing", kPricing},
    {"/pricing?plan=growth", kPricing},
    {"/pricing/enterprise", kPricing},
    {"/docs/getting-started", kDocs},
    {"/docs/api/authentication", kDocs},
    {"/docs/api/webhooks", kDocs},
    {"/integrations/salesforce", kDocs},
    {"/integrations/hubspot", kDocs},
    {"/compare/rivalcrm", kCompare},
    {"/compare/spreadsheets", kCompare},
    {"/careers", kCareers},
    {"/careers/open-roles/senior-backend-engineer", kCareers},
};

struct Asset {
  std::string_view title;
  bool bottom_of_funnel;  // matched by the model's "buyer|roi|comparison|pricing" entry
};
constexpr Asset kAssets[] = {
    {"The State of RevOps Report", false},
    {"Lead scoring, explained: a primer", false},
    {"The \"speed to lead\" benchmark", false},
    {"GDPR checklist for sales teams", false},
    {"Salesforce integration checklist", false},
    {"Buyer's guide to lead qualification software", true},
    {"ROI calculator for lead routing", true},
    {"Lead management platform comparison", true},
    {"Pricing and packaging overview (PDF)", true},
};
constexpr std::string_view kWebinars[] = {
    "Building an MQL definition sales trusts", "Routing leads in under five minutes",
    "From BANT to MEDDIC: qualification that scales", "Live demo: scoring with intent data"};

// ---------------------------------------------------------------------------------------------
// The generated records. Events are compact (indices, not strings) because there are many.
// ---------------------------------------------------------------------------------------------
struct Account {
  std::string id;
  std::string name;
  std::string domain;
  const Industry* industry = nullptr;
  const Country* country = nullptr;
  int64_t employees = 0;
  std::optional<int64_t> annual_revenue;
  std::string tech_stack;
};

// How much a lead does, and when: the hidden truth behind the events.
enum class Propensity { kCold, kLukewarm, kWarm, kHot, kStudent, kJobSeeker, kCompetitor };

// How each kind of lead treats our e-mail: the chance to open one, to click when opened, and
// to unsubscribe when opened (tripled for cold outbound e-mail).
struct EmailHabits {
  double open;
  double click;
  double unsubscribe;
};
constexpr EmailHabits kEmailHabits[] = {
    {0.06, 0.08, 0.02},   // cold
    {0.18, 0.15, 0.01},   // lukewarm
    {0.35, 0.30, 0.004},  // warm
    {0.50, 0.35, 0.0},    // hot
    {0.30, 0.20, 0.01},   // student
    {0.10, 0.05, 0.03},   // job seeker
    {0.40, 0.20, 0.0},    // competitor
};

// How likely each kind of lead is to download content (and at most how many pieces), attend a
// webinar, ask for a demo and start a trial, beyond the event that created it.
struct Engagement {
  double download;
  int64_t max_downloads;
  double webinar;
  double demo;
  double trial;
};
constexpr Engagement kEngagement[] = {
    {0.1, 1, 0.0, 0.0, 0.0},    // cold
    {0.4, 1, 0.1, 0.0, 0.0},    // lukewarm
    {0.8, 2, 0.3, 0.05, 0.06},  // warm
    {0.8, 3, 0.35, 0.55, 0.3},  // hot
    {1.0, 4, 0.3, 0.0, 0.0},    // student
    {0.0, 1, 0.0, 0.0, 0.0},    // job seeker
    {0.8, 2, 0.2, 0.0, 0.3},    // competitor
};

struct Lead {
  std::string id;
  int account = -1;  // index into accounts, -1 when none
  std::string first_name;
  std::string last_name;
  std::string email;
  std::string job_title;
  std::string department;
  std::string country;
  std::string_view channel;
  std::string_view source;
  std::string_view consent;  // "yes", "no" or "" (unknown)
  bool do_not_contact = false;
  bool unsubscribed = false;  // set while generating events
  bool bad_address = false;   // the mailbox does not exist: e-mails bounce
  std::string duplicate_of;
  TimePoint created_at = 0;
  Propensity propensity = Propensity::kCold;
};

enum class EventType : uint8_t {
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
};
constexpr std::string_view EventTypeName(EventType type) {
  switch (type) {
    case EventType::kPageView:
      return "page_view";
    case EventType::kEmailOpen:
      return "email_open";
    case EventType::kEmailClick:
      return "email_click";
    case EventType::kContentDownload:
      return "content_download";
    case EventType::kWebinarAttended:
      return "webinar_attended";
    case EventType::kDemoRequest:
      return "demo_request";
    case EventType::kTrialSignup:
      return "trial_signup";
    case EventType::kBoothScan:
      return "booth_scan";
    case EventType::kEmailBounce:
      return "email_bounce";
    case EventType::kUnsubscribe:
      return "unsubscribe";
  }
  return "";
}

// Campaigns are named after their kind and the month the event occurred in.
enum class Campaign : uint8_t {
  kNone,
  kNewsletter,
  kProductLaunch,
  kOutbound,
  kWebinar,
  kTradeshow
};

struct Event {
  TimePoint at = 0;
  uint32_t lead = 0;
  EventType type = EventType::kPageView;
  Campaign campaign = Campaign::kNone;
  int16_t page = -1;   // index into kPages, or -1; kDemoPage and kSignupPage are forms
  int16_t asset = -1;  // index into kAssets (downloads) or kWebinars (webinars), or -1
};
constexpr int16_t kDemoPage = 1000;
constexpr int16_t kSignupPage = 1001;

constexpr int64_t kMicrosPerMinute = 60 * kMicrosPerSecond;
constexpr int64_t kMicrosPerHour = 60 * kMicrosPerMinute;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

void CapitalizeFirst(std::string& s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
}

// "Bright Cedar" -> "brightcedar": lower-case letters and digits only.
std::string DomainLabel(std::string_view words) {
  std::string label;
  for (char c : words) {
    c = AsciiLower(c);
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) label.push_back(c);
  }
  return label;
}

bool IsWeekend(TimePoint t) {
  int64_t days = FloorDiv(t, kMicrosPerDay);
  int64_t weekday = ((days + 4) % 7 + 7) % 7;  // 1970-01-01 was a Thursday; 0 is Sunday
  return weekday == 0 || weekday == 6;
}

class DemoGenerator {
 public:
  DemoGenerator(const DemoOptions& options, std::vector<std::string> free_mail)
      : options_(options), dice_(options.seed), free_mail_(std::move(free_mail)) {
    end_ = options_.as_of - kMicrosPerMinute;
    for (size_t i = 0; i < std::size(kPages); ++i) {
      pages_by_group_[kPages[i].group].push_back(static_cast<int16_t>(i));
    }
  }

  void Generate() {
    size_t account_count = options_.leads == 0 ? 0 : std::max<size_t>(1, options_.leads / 4);
    accounts_.reserve(account_count);
    for (size_t i = 0; i < account_count; ++i) AddAccount(i);
    account_weights_.reserve(accounts_.size());
    int64_t total = 0;
    for (const Account& a : accounts_) {
      // Bigger companies produce more leads, but not proportionally more.
      total += 2 + (a.employees >= 200) + (a.employees >= 1000) * 2 + (a.employees >= 5000) * 2;
      account_weights_.push_back(total);
    }
    // Leads are numbered in the order they were created, like a CRM's ids.
    std::vector<TimePoint> created(options_.leads);
    for (TimePoint& t : created)
      t = BusinessTime(end_ - 240 * kMicrosPerDay, end_ - kMicrosPerHour);
    std::sort(created.begin(), created.end());
    leads_.reserve(options_.leads);
    for (size_t i = 0; i < options_.leads; ++i) AddLead(i, created[i]);
    for (size_t i = 0; i < leads_.size(); ++i) AddEvents(static_cast<uint32_t>(i));
    std::stable_sort(events_.begin(), events_.end(), [](const Event& a, const Event& b) {
      return a.at != b.at ? a.at < b.at : a.lead < b.lead;
    });
  }

  std::string AccountsCsv() const;
  std::string LeadsCsv() const;
  Status WriteEventsCsv(const std::filesystem::path& path);
  std::string DealsCsv() const;

 private:
  // --- accounts -----------------------------------------------------------------------------
  void AddAccount(size_t index) {
    Account a;
    a.id = FormatId('A', index + 1, 5);
    a.industry = &Pick<Industry>(dice_, kIndustries);
    a.country = &Pick<Country>(dice_, kCountries);
    const Band& band = Pick<Band>(dice_, kEmployeeBands);
    a.employees = dice_.Between(band.lo, band.hi);
    if (a.employees >= 100) a.employees = a.employees / 10 * 10;  // CRMs hold rounded counts

    std::string stem;
    std::string_view suffix;
    for (int attempt = 0;; ++attempt) {
      stem = std::string(PickAny<std::string_view>(dice_, kNameStems));
      // Once the plain names start to repeat (large data sets), add a word in front.
      if (attempt >= 3)
        stem = std::string(PickAny<std::string_view>(dice_, kNameModifiers)) + " " + stem;
      suffix = PickAny<std::string_view>(dice_, a.industry->suffixes);
      std::string name = stem + " " + std::string(suffix);
      if (used_names_.insert(name).second || attempt >= 12) {
        a.name = name;
        break;
      }
    }
    bool company = a.industry->name != "Government" && a.industry->name != "Non-profit";
    if (company && dice_.Chance(0.35)) a.name += a.country->legal_suffix;
    a.domain = UniqueDomain(stem, suffix, a);

    if (!dice_.Chance(0.12)) {
      // Revenue per employee varies by industry and by company (0.5x to 1.5x).
      double per_employee = a.industry->revenue_per_employee_k * 1000.0 * (0.5 + dice_.Uniform());
      int64_t revenue = static_cast<int64_t>(per_employee * static_cast<double>(a.employees));
      a.annual_revenue = std::max<int64_t>(100000, revenue / 100000 * 100000);
    }
    if (!dice_.Chance(0.06)) a.tech_stack = TechStack(a);
    accounts_.push_back(std::move(a));
  }

  std::string UniqueDomain(const std::string& stem, std::string_view suffix, const Account& a) {
    std::string base = DomainLabel(stem);
    if (dice_.Chance(0.5)) base += DomainLabel(suffix);
    std::string tld(a.country->tld);
    if (a.industry->name == "Software" && a.country->code == "US" && dice_.Chance(0.3)) {
      tld = ".io";
    }
    for (int n = 0;; ++n) {
      std::string domain;
      switch (n) {
        case 0:
          domain = base + tld;
          break;
        case 1:
          domain = "get" + base + tld;
          break;
        case 2:
          domain = base + "hq" + tld;
          break;
        case 3:
          domain = base + DomainLabel(suffix) + tld;
          break;
        default:
          domain = base + std::to_string(n) + tld;
          break;
      }
      if (used_domains_.insert(domain).second) return domain;
    }
  }

  std::string TechStack(const Account& a) {
    double size = a.employees >= 1000  ? 1.0
                  : a.employees >= 200 ? 0.6
                  : a.employees >= 50  ? 0.3
                                       : 0.1;
    std::vector<std::string_view> tools;
    double crm = dice_.Uniform();
    if (crm < 0.20 + 0.45 * size)
      tools.push_back("salesforce");
    else if (crm < 0.62 + 0.2 * size)
      tools.push_back("hubspot");
    else if (crm < 0.72 + 0.2 * size)
      tools.push_back(kCompetitorProduct);
    else if (crm < 0.85 + 0.1 * size)
      tools.push_back("pipedrive");
    double cloud = dice_.Uniform();
    tools.push_back(cloud < 0.55 ? "aws" : cloud < 0.75 ? "gcp" : "azure");
    if (dice_.Chance(0.6)) tools.push_back("slack");
    if (dice_.Chance(0.4))
      tools.push_back(dice_.Chance(0.6) ? "google workspace" : "microsoft 365");
    if (dice_.Chance(0.35)) tools.push_back("jira");
    if (dice_.Chance(0.3 * size)) tools.push_back("snowflake");
    if (dice_.Chance(0.25)) tools.push_back("zendesk");
    if (dice_.Chance(0.15 + 0.2 * size)) tools.push_back("marketo");
    if (dice_.Chance(0.12)) tools.push_back("segment");
    std::string out;
    for (std::string_view tool : tools) {
      if (!out.empty()) out += ';';
      out += tool;
    }
    return out;
  }

  // --- leads --------------------------------------------------------------------------------
  void AddLead(size_t index, TimePoint created_at) {
    Lead lead;
    lead.id = FormatId('L', index + 1, 6);
    lead.created_at = created_at;

    // About 1.5% of records are the same person entered again (a second form fill, a list
    // import); the CRM's duplicate check has flagged them.
    if (index >= 20 && dice_.Chance(0.015)) {
      const Lead& original = leads_[dice_.Below(index)];
      if (original.duplicate_of.empty() && !original.email.empty()) {
        AddDuplicate(lead, original);
        return;
      }
    }

    const Channel& channel = Pick<Channel>(dice_, kChannels);
    lead.channel = channel.name;
    lead.source = Pick<std::string_view>(dice_, channel.sources);

    const Person& first = PickAny<Person>(dice_, kFirstNames);
    const Person& last = PickAny<Person>(dice_, kLastNames);
    lead.first_name = first.display;
    lead.last_name = last.display;

    bool competitor = lead.channel == "inbound" && dice_.Chance(0.022);
    bool unaffiliated = !competitor && dice_.Chance(lead.channel == "inbound" ? 0.18 : 0.04);
    Seniority seniority;
    const Department& department = Pick<Department>(dice_, kDepartments);
    if (competitor) {
      seniority = Pick<Seniority>(dice_, kEmployeeSeniority);
      lead.email = std::string(first.ascii) + "." + std::string(last.ascii) + "@" +
                   std::string(PickAny<std::string_view>(dice_, kCompetitorDomains));
      lead.country = "US";
    } else if (unaffiliated) {
      seniority = Pick<Seniority>(dice_, kUnaffiliatedSeniority);
      lead.email = FreeMailAddress(first, last);
      lead.country = dice_.Chance(0.04)
                         ? std::string(PickAny<std::string_view>(dice_, kRareEmbargoed))
                         : std::string(Pick<Country>(dice_, kCountries).code);
    } else {
      lead.account = PickAccount();
      const Account& account = accounts_[static_cast<size_t>(lead.account)];
      seniority = Pick<Seniority>(dice_, kEmployeeSeniority);
      // Small companies have no VPs; one in a hundred people at a university is a student.
      if (account.employees < 50 &&
          (seniority == Seniority::kVp || seniority == Seniority::kHead)) {
        seniority = Seniority::kManager;
      }
      if (account.industry->name == "Education" && dice_.Chance(0.3)) {
        seniority = Seniority::kStudent;
      }
      lead.email = dice_.Chance(lead.channel == "inbound" ? 0.07 : 0.02)
                       ? FreeMailAddress(first, last)
                       : WorkAddress(first, last, account);
      lead.country = std::string(account.country->code);
    }
    if (dice_.Chance(0.005)) lead.email.clear();  // the form did not ask
    SetTitle(lead, seniority, department);

    // Consent: inbound leads opted in on a form; outbound ones often have none on record.
    double no_consent = lead.channel == "outbound" ? 0.05 : 0.02;
    double unknown = lead.channel == "outbound" ? 0.35 : 0.05;
    double roll = dice_.Uniform();
    lead.consent = roll < no_consent ? "no" : roll < no_consent + unknown ? "" : "yes";
    lead.do_not_contact = dice_.Chance(0.015);
    lead.bad_address =
        !lead.email.empty() && dice_.Chance(lead.source == "list_purchase" ? 0.12 : 0.015);
    lead.propensity = ChoosePropensity(lead, seniority, competitor);
    leads_.push_back(std::move(lead));
  }

  void AddDuplicate(Lead& lead, const Lead& original) {
    lead.account = original.account;
    lead.first_name = original.first_name;
    lead.last_name = original.last_name;
    lead.email = original.email;
    // Typed again with a capital: the same address all the same.
    if (dice_.Chance(0.5)) CapitalizeFirst(lead.email);
    lead.job_title = original.job_title;
    lead.department = original.department;
    lead.country = original.country;
    const Channel& channel = Pick<Channel>(dice_, kChannels);
    lead.channel = channel.name;
    lead.source = Pick<std::string_view>(dice_, channel.sources);
    lead.consent = original.consent;
    lead.duplicate_of = original.id;
    lead.propensity = Propensity::kCold;
    leads_.push_back(std::move(lead));
  }

  int PickAccount() {
    auto roll = static_cast<int64_t>(dice_.Below(static_cast<uint64_t>(account_weights_.back())));
    auto it = std::upper_bound(account_weights_.begin(), account_weights_.end(), roll);
    return static_cast<int>(it - account_weights_.begin());
  }

  std::string WorkAddress(const Person& first, const Person& last, const Account& account) {
    std::string f(first.ascii);
    std::string l(last.ascii);
    std::string local;
    int pattern = static_cast<int>(dice_.Below(100));
    if (pattern < 55)
      local = f + "." + l;
    else if (pattern < 75)
      local = f.substr(0, 1) + l;
    else if (pattern < 85 && account.employees < 200)
      local = f;
    else if (pattern < 90)
      local = f + l.substr(0, 1);
    else
      local = f + "_" + l;
    std::string email = local + "@" + account.domain;
    for (int n = 2; !used_emails_.insert(email).second; ++n) {
      email = local + std::to_string(n) + "@" + account.domain;
    }
    if (dice_.Chance(0.03)) CapitalizeFirst(email);  // "Jane.doe@...": still the same address
    return email;
  }

  std::string FreeMailAddress(const Person& first, const Person& last) {
    std::string_view domain;
    double roll = dice_.Uniform();
    if (free_mail_.empty())
      domain = "gmail.com";
    else if (roll < 0.5)
      domain = "gmail.com";
    else if (roll < 0.65)
      domain = "outlook.com";
    else if (roll < 0.75)
      domain = "yahoo.com";
    else
      domain = free_mail_[dice_.Below(free_mail_.size())];
    std::string local =
        std::string(first.ascii) + (dice_.Chance(0.5) ? "." : "") + std::string(last.ascii);
    if (dice_.Chance(0.6)) local += std::to_string(dice_.Between(1, 99));
    std::string email = local + "@" + std::string(domain);
    for (int n = 2; !used_emails_.insert(email).second; ++n) {
      email = local + "." + std::to_string(n) + "@" + std::string(domain);
    }
    return email;
  }

  void SetTitle(Lead& lead, Seniority seniority, const Department& department) {
    std::string word(department.title_word);
    int variant = static_cast<int>(dice_.Below(4));
    lead.department = std::string(department.name);
    switch (seniority) {
      case Seniority::kCLevel:
        lead.job_title = std::string(department.c_level[dice_.Below(2)]);
        if (lead.account < 0 && dice_.Chance(0.6)) lead.job_title = "Founder & CEO";
        break;
      case Seniority::kVp:
        lead.job_title = variant == 0   ? "VP of " + word
                         : variant == 1 ? "VP " + word
                         : variant == 2 ? "Vice President, " + word
                                        : "Senior Vice President of " + word;
        break;
      case Seniority::kHead:
        lead.job_title = "Head of " + word;
        break;
      case Seniority::kDirector:
        lead.job_title = variant == 0   ? "Director of " + word
                         : variant == 1 ? word + " Director"
                         : variant == 2 ? "Senior Director, " + word
                                        : "Director, " + word;
        break;
      case Seniority::kManager:
        lead.job_title = variant == 0   ? word + " Manager"
                         : variant == 1 ? "Senior " + word + " Manager"
                                        : "Manager, " + word;
        break;
      case Seniority::kContributor:
        lead.job_title = std::string(department.contributor[dice_.Below(3)]);
        break;
      case Seniority::kStudent:
        lead.job_title = std::string(PickAny<std::string_view>(dice_, kStudentTitles));
        lead.department = "Education";
        break;
      case Seniority::kJobSeeker:
        lead.job_title = std::string(PickAny<std::string_view>(dice_, kJobSeekerTitles));
        lead.department.clear();
        break;
      case Seniority::kConsultant:
        lead.job_title = std::string(PickAny<std::string_view>(dice_, kConsultantTitles));
        lead.department = dice_.Chance(0.5) ? "Consulting" : "";
        break;
    }
    if (dice_.Chance(0.05)) lead.job_title = AsciiLower(lead.job_title);  // typed on a form
    if (dice_.Chance(0.07)) lead.department.clear();
  }

  // Buying propensity rises with how well the lead fits: real buyers look like the ideal
  // customer more often than not, but not always.
  Propensity ChoosePropensity(const Lead& lead, Seniority seniority, bool competitor) {
    if (competitor) return Propensity::kCompetitor;
    if (seniority == Seniority::kStudent) {
      return dice_.Chance(0.5) ? Propensity::kStudent : Propensity::kLukewarm;
    }
    if (seniority == Seniority::kJobSeeker) return Propensity::kJobSeeker;
    double icp = 0;
    if (lead.account >= 0) {
      const Account& a = accounts_[static_cast<size_t>(lead.account)];
      icp += a.industry->core ? 1.0 : 0.0;
      icp += (a.employees >= 200 && a.employees <= 2000) ? 1.0 : 0.0;
      std::string_view code = a.country->code;
      icp += (code == "US" || code == "CA" || code == "GB" || code == "IE") ? 0.5 : 0.0;
    }
    if (seniority <= Seniority::kDirector) icp += 1.0;
    if (lead.channel == "partner") icp += 0.5;
    double hot = 0.01 + 0.035 * icp;
    double warm = 0.07 + 0.05 * icp;
    double lukewarm = 0.30;
    double roll = dice_.Uniform();
    if (roll < hot) return Propensity::kHot;
    if (roll < hot + warm) return Propensity::kWarm;
    if (roll < hot + warm + lukewarm) return Propensity::kLukewarm;
    return Propensity::kCold;
  }

  // --- events -------------------------------------------------------------------------------
  void AddEvents(uint32_t index) {
    Lead& lead = leads_[index];
    TimePoint start = lead.created_at;
    Propensity p = lead.propensity;

    // The event that created the lead.
    if (lead.channel == "inbound" && lead.duplicate_of.empty()) {
      Emit(index, start - dice_.Between(1, 20) * kMicrosPerMinute, EventType::kPageView,
           PickPage(p));
      if (lead.source == "webinar") {
        Emit(index, start, EventType::kWebinarAttended, -1,
             static_cast<int16_t>(dice_.Below(std::size(kWebinars))), Campaign::kWebinar);
      } else if (p == Propensity::kHot && dice_.Chance(0.35)) {
        Emit(index, start, EventType::kDemoRequest, kDemoPage);
      } else if ((p == Propensity::kHot || p == Propensity::kCompetitor) && dice_.Chance(0.3)) {
        Emit(index, start, EventType::kTrialSignup, kSignupPage);
      } else {
        Emit(index, start, EventType::kContentDownload, -1, PickAsset(p));
      }
    } else if (lead.channel == "event" && lead.duplicate_of.empty()) {
      Emit(index, start, EventType::kBoothScan, -1, -1, Campaign::kTradeshow);
    } else if (lead.channel == "partner" && dice_.Chance(p == Propensity::kHot ? 0.5 : 0.1)) {
      Emit(index, start + dice_.Between(1, 72) * kMicrosPerHour, EventType::kDemoRequest,
           kDemoPage);
    }

    AddEmails(index);
    AddWebSessions(index);
    AddEngagement(index);
  }

  void AddEmails(uint32_t index) {
    Lead& lead = leads_[index];
    if (lead.email.empty() || lead.do_not_contact || lead.consent == "no") return;
    Propensity p = lead.propensity;
    const EmailHabits& habits = kEmailHabits[static_cast<size_t>(p)];
    // Sends: an outbound sequence right after creation, then the fortnightly newsletter (only
    // with consent), with a product launch announcement in between now and then.
    std::vector<std::pair<TimePoint, Campaign>> sends;
    if (lead.channel == "outbound") {
      for (int day : {0, 3, 7, 12, 20}) {
        sends.emplace_back(
            lead.created_at + day * kMicrosPerDay + dice_.Between(5, 90) * kMicrosPerMinute,
            Campaign::kOutbound);
      }
    }
    if (lead.consent == "yes") {
      for (TimePoint t = lead.created_at + dice_.Between(2, 14) * kMicrosPerDay; t < end_;
           t += 14 * kMicrosPerDay) {
        sends.emplace_back(t,
                           dice_.Chance(0.15) ? Campaign::kProductLaunch : Campaign::kNewsletter);
      }
    }
    std::sort(sends.begin(), sends.end());
    for (const auto& [sent, campaign] : sends) {
      if (sent >= end_) break;
      if (lead.bad_address) {
        Emit(index, sent + dice_.Between(1, 30) * kMicrosPerSecond, EventType::kEmailBounce, -1, -1,
             campaign);
        return;  // the sender suppresses the address after a hard bounce
      }
      // Hot leads read more of what arrives in their final weeks.
      double o = habits.open;
      if (p == Propensity::kHot && end_ - sent < 30 * kMicrosPerDay) o = 0.8;
      if (p == Propensity::kCold && sent - lead.created_at > 60 * kMicrosPerDay) o *= 0.3;
      if (!dice_.Chance(o)) continue;
      TimePoint opened = sent + dice_.Between(2, 36 * 60) * kMicrosPerMinute;
      if (opened >= end_) continue;
      Emit(index, opened, EventType::kEmailOpen, -1, -1, campaign);
      if (dice_.Chance(habits.unsubscribe * (campaign == Campaign::kOutbound ? 3 : 1))) {
        Emit(index, opened + dice_.Between(10, 120) * kMicrosPerSecond, EventType::kUnsubscribe, -1,
             -1, campaign);
        lead.unsubscribed = true;
        return;
      }
      if (dice_.Chance(habits.click)) {
        TimePoint clicked = opened + dice_.Between(5, 300) * kMicrosPerSecond;
        Emit(index, clicked, EventType::kEmailClick, -1, -1, campaign);
        Emit(index, clicked + dice_.Between(2, 20) * kMicrosPerSecond, EventType::kPageView,
             PickPage(p));
      }
    }
  }

  void AddWebSessions(uint32_t index) {
    const Lead& lead = leads_[index];
    Propensity p = lead.propensity;
    TimePoint start = lead.created_at;
    int64_t sessions = 0;
    switch (p) {
      case Propensity::kCold:
        sessions = dice_.Between(0, 2);
        break;
      case Propensity::kLukewarm:
        sessions = dice_.Between(1, 4);
        break;
      case Propensity::kWarm:
        sessions = dice_.Between(3, 7);
        break;
      case Propensity::kHot:
        sessions = dice_.Between(5, 10);
        break;
      case Propensity::kStudent:
        sessions = dice_.Between(2, 6);
        break;
      case Propensity::kJobSeeker:
        sessions = dice_.Between(1, 4);
        break;
      case Propensity::kCompetitor:
        sessions = dice_.Between(3, 8);
        break;
    }
    if (!lead.duplicate_of.empty()) sessions = dice_.Between(0, 1);
    for (int64_t s = 0; s < sessions; ++s) {
      TimePoint at = ActivityTime(p, start);
      int64_t pages = dice_.Between(1, p == Propensity::kHot ? 6 : 4);
      for (int64_t k = 0; k < pages && at < end_; ++k) {
        Emit(index, at, EventType::kPageView, PickPage(p));
        at += dice_.Between(20, 400) * kMicrosPerSecond;
      }
    }
  }

  void AddEngagement(uint32_t index) {
    const Lead& lead = leads_[index];
    if (!lead.duplicate_of.empty()) return;
    Propensity p = lead.propensity;
    TimePoint start = lead.created_at;
    const Engagement& e = kEngagement[static_cast<size_t>(p)];
    if (dice_.Chance(e.download)) {
      int64_t n = dice_.Between(1, e.max_downloads);
      for (int64_t k = 0; k < n; ++k) {
        Emit(index, ActivityTime(p, start), EventType::kContentDownload, -1, PickAsset(p));
      }
    }
    if (dice_.Chance(e.webinar)) {
      Emit(index, ActivityTime(p, start), EventType::kWebinarAttended, -1,
           static_cast<int16_t>(dice_.Below(std::size(kWebinars))), Campaign::kWebinar);
    }
    // A demo request or a trial comes at the end of an evaluation: recent for hot leads.
    if (dice_.Chance(e.demo)) {
      TimePoint at = p == Propensity::kHot ? RecentTime(start, 21) : ActivityTime(p, start);
      Emit(index, at - 3 * kMicrosPerMinute, EventType::kPageView, PageIn(kPricing));
      Emit(index, at, EventType::kDemoRequest, kDemoPage);
    }
    if (dice_.Chance(e.trial)) {
      TimePoint at = p == Propensity::kHot ? RecentTime(start, 30) : ActivityTime(p, start);
      Emit(index, at, EventType::kTrialSignup, kSignupPage);
    }
  }

  // When a lead with this propensity is active: cold leads right after they came in (often
  // months ago), hot ones in a burst in the last two weeks, the rest in between.
  TimePoint ActivityTime(Propensity p, TimePoint start) {
    double u = dice_.Uniform();
    switch (p) {
      case Propensity::kCold:
        return BusinessTime(start, std::min(end_, start + 45 * kMicrosPerDay), u * u);
      case Propensity::kHot:
        if (dice_.Chance(0.65)) return RecentTime(start, 14);
        return BusinessTime(start, end_, 1 - u * u);
      case Propensity::kWarm:
      case Propensity::kCompetitor:
        return BusinessTime(start, end_, 1 - u * u);
      default:
        return BusinessTime(start, end_, u);
    }
  }

  TimePoint RecentTime(TimePoint start, int days) {
    return BusinessTime(std::max(start, end_ - days * kMicrosPerDay), end_, dice_.Uniform());
  }

  // A moment in [lo, hi] at fraction `f`, moved into working hours and mostly off weekends.
  TimePoint BusinessTime(TimePoint lo, TimePoint hi, double f) {
    if (hi <= lo) return hi;
    for (int attempt = 0; attempt < 3; ++attempt) {
      TimePoint t = lo + static_cast<TimePoint>(f * static_cast<double>(hi - lo));
      TimePoint day = FloorDiv(t, kMicrosPerDay) * kMicrosPerDay;
      t = day + dice_.Between(7, 19) * kMicrosPerHour + dice_.Between(0, 3599) * kMicrosPerSecond;
      // Keep the working hour when the range allows: move a day forward or back, not to an edge.
      if (t < lo && t + kMicrosPerDay <= hi) t += kMicrosPerDay;
      if (t > hi && t - kMicrosPerDay >= lo) t -= kMicrosPerDay;
      t = std::clamp(t, lo, hi);
      if (!IsWeekend(t) || attempt == 2 || dice_.Chance(0.2)) return t;
      f = dice_.Uniform();
    }
    return hi;
  }
  TimePoint BusinessTime(TimePoint lo, TimePoint hi) {
    return BusinessTime(lo, hi, dice_.Uniform());
  }

  int16_t PickPage(Propensity p) {
    // Weights of kBlog, kGeneral, kProduct, kPricing, kDocs, kCompare, kCareers.
    static constexpr std::array<int, kPageGroups> kWeights[] = {
        {60, 25, 10, 3, 2, 0, 0},    // cold
        {45, 20, 20, 7, 8, 0, 0},    // lukewarm
        {25, 15, 25, 15, 15, 5, 0},  // warm
        {8, 8, 20, 30, 24, 10, 0},   // hot
        {70, 15, 10, 2, 3, 0, 0},    // student
        {15, 20, 5, 0, 0, 0, 60},    // job seeker
        {5, 5, 20, 35, 20, 15, 0},   // competitor
    };
    const std::array<int, kPageGroups>& w = kWeights[static_cast<size_t>(p)];
    int total = 0;
    for (int x : w) total += x;
    int roll = static_cast<int>(dice_.Below(static_cast<uint64_t>(total)));
    int group = 0;
    while (roll >= w[static_cast<size_t>(group)]) roll -= w[static_cast<size_t>(group++)];
    return PageIn(static_cast<PageGroup>(group));
  }

  int16_t PageIn(PageGroup group) {
    const std::vector<int16_t>& pages = pages_by_group_[group];
    return pages[dice_.Below(pages.size())];
  }

  int16_t PickAsset(Propensity p) {
    double bottom = p == Propensity::kHot          ? 0.6
                    : p == Propensity::kCompetitor ? 0.7
                    : p == Propensity::kWarm       ? 0.3
                                                   : 0.08;
    bool want_bottom = dice_.Chance(bottom);
    for (;;) {
      auto i = static_cast<int16_t>(dice_.Below(std::size(kAssets)));
      if (kAssets[static_cast<size_t>(i)].bottom_of_funnel == want_bottom) return i;
    }
  }

  void Emit(uint32_t lead, TimePoint at, EventType type, int16_t page = -1, int16_t asset = -1,
            Campaign campaign = Campaign::kNone) {
    at = std::min(at, end_);
    events_.push_back(Event{at, lead, type, campaign, page, asset});
  }

  static std::string FormatId(char prefix, size_t n, int width) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%c%0*zu", prefix, width, n);
    return buffer;
  }

  static std::string CampaignName(Campaign campaign, TimePoint at) {
    std::string month = FormatDate(at).substr(0, 7);
    switch (campaign) {
      case Campaign::kNone:
        return "";
      case Campaign::kNewsletter:
        return "newsletter-" + month;
      case Campaign::kProductLaunch:
        return "product-launch-" + month;
      case Campaign::kOutbound:
        return "outbound-sequence-" + month;
      case Campaign::kWebinar:
        return "webinar-" + month;
      case Campaign::kTradeshow:
        return "tradeshow-" + month;
    }
    return "";
  }

  DemoOptions options_;
  Dice dice_;
  std::vector<std::string> free_mail_;
  TimePoint end_ = 0;  // the latest moment anything happens
  std::vector<Account> accounts_;
  std::vector<int64_t> account_weights_;  // cumulative, for PickAccount
  std::vector<Lead> leads_;
  std::vector<Event> events_;
  std::array<std::vector<int16_t>, kPageGroups> pages_by_group_;  // indices into kPages
  std::set<std::string> used_names_;
  std::set<std::string> used_domains_;
  std::set<std::string> used_emails_;
};

void AppendRow(std::string& out, std::initializer_list<std::string_view> fields) {
  bool first = true;
  for (std::string_view field : fields) {
    if (!first) out.push_back(',');
    first = false;
    AppendCsvField(out, field);
  }
  out.push_back('\n');
}

std::string DemoGenerator::AccountsCsv() const {
  std::string out;
  AppendRow(out, {"account_id", "name", "domain", "industry", "employees", "country", "region",
                  "annual_revenue", "tech_stack"});
  for (const Account& a : accounts_) {
    std::string employees = std::to_string(a.employees);
    std::string revenue = a.annual_revenue ? std::to_string(*a.annual_revenue) : "";
    AppendRow(out, {a.id, a.name, a.domain, a.industry->name, employees, a.country->code,
                    a.country->region, revenue, a.tech_stack});
  }
  return out;
}

std::string DemoGenerator::LeadsCsv() const {
  std::string out;
  AppendRow(out, {"lead_id", "account_id", "first_name", "last_name", "email", "job_title",
                  "department", "country", "channel", "source", "consent", "do_not_contact",
                  "unsubscribed", "duplicate_of", "created_at"});
  for (const Lead& lead : leads_) {
    std::string_view account =
        lead.account >= 0 ? std::string_view(accounts_[static_cast<size_t>(lead.account)].id) : "";
    AppendRow(out, {lead.id, account, lead.first_name, lead.last_name, lead.email, lead.job_title,
                    lead.department, lead.country, lead.channel, lead.source, lead.consent,
                    lead.do_not_contact ? "true" : "false", lead.unsubscribed ? "true" : "false",
                    lead.duplicate_of, FormatTimestamp(lead.created_at)});
  }
  return out;
}

// Deals follow the hidden propensity, not the score: hot leads often open a deal and win half of
// them, warm ones less, cold ones rarely, so that learning from outcomes has something true to
// find (and the model's points something to be checked against). Their own dice, so the other
// files do not change with them.
std::string DemoGenerator::DealsCsv() const {
  struct Odds {
    double deal, win;
  };
  auto odds = [](Propensity p) -> Odds {
    switch (p) {
      case Propensity::kHot:
        return {0.65, 0.7};
      case Propensity::kWarm:
        return {0.35, 0.35};
      case Propensity::kLukewarm:
        return {0.07, 0.1};
      case Propensity::kCold:
        return {0.015, 0.03};
      case Propensity::kStudent:
      case Propensity::kJobSeeker:
      case Propensity::kCompetitor:
        break;
    }
    return {0, 0};
  };
  static constexpr std::string_view kSellers[] = {"ana", "ben", "chloe", "dev"};
  static constexpr Weighted<std::string_view> kLostReasons[] = {
      {"no_budget", 4}, {"no_timing", 3}, {"competitor", 3}, {"no_need", 2}, {"no_authority", 1}};
  Dice dice(options_.seed ^ 0x9e3779b97f4a7c15ULL);
  std::string out;
  AppendRow(out, {"deal_id", "lead_id", "account_id", "owner", "status", "created_at", "closed_at",
                  "value", "lost_reason"});
  uint64_t n = 0;
  for (const Lead& lead : leads_) {
    const Odds o = odds(lead.propensity);
    if (!lead.duplicate_of.empty() || !dice.Chance(o.deal)) continue;
    const TimePoint created = lead.created_at + dice.Between(5, 60) * kMicrosPerDay;
    if (created >= end_) continue;
    const bool won = dice.Chance(o.win);
    // Won deals close a little faster: the buyer was ready.
    const TimePoint closed = created + dice.Between(won ? 15 : 20, won ? 100 : 140) * kMicrosPerDay;
    const bool open = closed >= end_;
    std::string_view account;
    int64_t employees = 50;
    if (lead.account >= 0) {
      const Account& a = accounts_[static_cast<size_t>(lead.account)];
      account = a.id;
      employees = a.employees;
    }
    const int64_t value =
        (4000 + std::min<int64_t>(employees, 5000) * 12 + dice.Between(0, 40) * 100) / 100 * 100;
    char id[32];
    std::snprintf(id, sizeof id, "D%05llu", static_cast<unsigned long long>(++n));
    AppendRow(out, {id, lead.id, account, PickAny<std::string_view>(dice, kSellers),
                    open ? "open" : (won ? "won" : "lost"), FormatTimestamp(created),
                    open ? "" : FormatTimestamp(closed), std::to_string(value),
                    open || won ? "" : Pick<std::string_view>(dice, kLostReasons)});
  }
  return out;
}

// Writes `bytes` to `path`, replacing it. Names the path on failure.
Status WriteFile(const std::filesystem::path& path, std::string_view bytes) {
  errno = 0;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (out) out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (out) out.close();
  if (!out) {
    int error = errno;
    return Status::IoError("cannot write " + path.string() +
                           (error != 0 ? ": " + std::string(std::strerror(error)) : ""));
  }
  return Status::Ok();
}

Status DemoGenerator::WriteEventsCsv(const std::filesystem::path& path) {
  // Identifiers follow time order. A few rows are then written twice, as a webhook retried after
  // a timeout would deliver them: same event_id, same content.
  size_t duplicates = events_.empty() ? 0 : 3 + events_.size() / 2000;
  std::vector<bool> repeat(events_.size(), false);
  for (size_t k = 0; k < duplicates; ++k) repeat[dice_.Below(events_.size())] = true;

  errno = 0;
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  std::string out;
  AppendRow(out, {"event_id", "lead_id", "type", "occurred_at", "page", "asset", "campaign"});
  for (size_t i = 0; i < events_.size() && file; ++i) {
    const Event& e = events_[i];
    std::string_view page;
    if (e.page == kDemoPage)
      page = "/demo";
    else if (e.page == kSignupPage)
      page = "/signup";
    else if (e.page >= 0)
      page = kPages[static_cast<size_t>(e.page)].path;
    std::string_view asset;
    if (e.asset >= 0) {
      asset = e.type == EventType::kWebinarAttended ? kWebinars[static_cast<size_t>(e.asset)]
                                                    : kAssets[static_cast<size_t>(e.asset)].title;
    }
    std::string id = FormatId('E', i + 1, 8);
    std::string at = FormatTimestamp(e.at);
    std::string campaign = CampaignName(e.campaign, e.at);
    for (int copy = 0; copy < (repeat[i] ? 2 : 1); ++copy) {
      AppendRow(out, {id, leads_[e.lead].id, EventTypeName(e.type), at, page, asset, campaign});
    }
    if (out.size() >= (1u << 20)) {
      file.write(out.data(), static_cast<std::streamsize>(out.size()));
      out.clear();
    }
  }
  if (file) file.write(out.data(), static_cast<std::streamsize>(out.size()));
  if (file) file.close();
  if (!file) {
    int error = errno;
    return Status::IoError("cannot write " + path.string() +
                           (error != 0 ? ": " + std::string(std::strerror(error)) : ""));
  }
  return Status::Ok();
}

// The domains of a list file: one a line, '#' starts a comment, blank lines skipped.
std::vector<std::string> ListEntries(std::string_view text) {
  std::vector<std::string> entries;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    line = Trim(line.substr(0, line.find('#')));
    if (!line.empty()) entries.emplace_back(AsciiLower(line));
  }
  return entries;
}

}  // namespace

Status WriteDemoData(const DemoOptions& options, const std::filesystem::path& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    return Status::IoError("cannot create directory " + dir.string() + ": " + error.message());
  }
  if (!std::filesystem::is_directory(dir, error)) {
    return Status::IoError("cannot write the demo into " + dir.string() + ": not a directory");
  }
  LEADQ_TRY(WriteFile(dir / "model.toml", kDemoModelToml));
  LEADQ_TRY(WriteFile(dir / "free-mail.txt", kDemoFreeMail));

  DemoGenerator generator(options, ListEntries(kDemoFreeMail));
  generator.Generate();
  LEADQ_TRY(WriteFile(dir / "accounts.csv", generator.AccountsCsv()));
  LEADQ_TRY(WriteFile(dir / "leads.csv", generator.LeadsCsv()));
  LEADQ_TRY(generator.WriteEventsCsv(dir / "events.csv"));
  LEADQ_TRY(WriteFile(dir / "deals.csv", generator.DealsCsv()));
  return Status::Ok();
}

}  // namespace leadq::service
