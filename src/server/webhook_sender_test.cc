// The webhook sender against a real HTTP receiver (an httplib::Server on 127.0.0.1, port chosen
// by the kernel) and a real SQLite store. The clock is the `now` argument: no test waits for
// time, except the one about a receiver slower than the request timeout.
#include "server/webhook_sender.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite_store.h"

namespace leadq::server {
namespace {

const TimePoint kT0 = *ParseTimestamp("2026-03-02T09:00:00Z");
constexpr int64_t kSecond = kMicrosPerSecond;

// The receiver's own HMAC, computed apart from SignBody (which is what is under test).
std::string ReceiverSignature(const std::string& secret, const std::string& body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &length);
  std::string hex = "sha256=";
  char pair[3];
  for (unsigned int i = 0; i < length; ++i) {
    std::snprintf(pair, sizeof pair, "%02x", mac[i]);
    hex += pair;
  }
  return hex;
}

// A port on 127.0.0.1 that refuses connections: a socket bound to it that never listens. It
// keeps the port from anyone else until Release(), when a Receiver may take it over.
class RefusingPort {
 public:
  RefusingPort() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    socklen_t size = sizeof address;
    EXPECT_EQ(::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size), 0);
    port_ = ntohs(address.sin_port);
  }
  RefusingPort(const RefusingPort&) = delete;
  RefusingPort& operator=(const RefusingPort&) = delete;
  ~RefusingPort() { Release(); }

  int port() const { return port_; }
  void Release() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// One request as the receiver saw it.
struct Received {
  std::string path;
  std::string query_team;
  std::string content_type;
  std::string event;
  std::string delivery;
  std::string idempotency_key;
  std::string signature;
  std::string attempt;
  std::string user_agent;
  std::string body;
  bool signature_valid = false;
  int answered = 0;
};

// A webhook receiver on 127.0.0.1: checks signatures with `secret`, answers every POST with the
// status and body it is set to, and remembers what it received. May be stopped and started
// again on the same port. Thread-safe (httplib calls the handler from its worker threads).
class Receiver {
 public:
  explicit Receiver(std::string secret) : secret_(std::move(secret)) {}
  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;
  ~Receiver() { Stop(); }

  // Listens on `port` (0: any free port) and returns the port.
  int Start(int port = 0) {
    server_ = std::make_unique<httplib::Server>();
    server_->Post(R"(/.*)", [this](const httplib::Request& req, httplib::Response& res) {
      Handle(req, res);
    });
    if (port == 0) {
      port_ = server_->bind_to_any_port("127.0.0.1");
    } else {
      EXPECT_TRUE(server_->bind_to_port("127.0.0.1", port)) << "port " << port;
      port_ = port;
    }
    EXPECT_GT(port_, 0);
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    // The socket already listens (connections wait in its backlog); this only lets the accept
    // loop start before the test goes on.
    for (int i = 0; i < 1000 && !server_->is_running(); ++i) std::this_thread::yield();
    return port_;
  }

  void Stop() {
    if (!server_) return;
    server_->stop();
    if (thread_.joinable()) thread_.join();
    server_.reset();
  }

  std::string Url(const std::string& path = "/hook") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  void Answer(int status, std::string body = "") {
    std::lock_guard<std::mutex> lock(mutex_);
    status_ = status;
    answer_body_ = std::move(body);
  }
  void Delay(std::chrono::milliseconds delay) {
    std::lock_guard<std::mutex> lock(mutex_);
    delay_ = delay;
  }
  // Called for each request before it is answered (outside the receiver's lock).
  void OnRequest(std::function<void(const Received&)> callback) {
    std::lock_guard<std::mutex> lock(mutex_);
    on_request_ = std::move(callback);
  }

  std::vector<Received> requests() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_;
  }
  // How many times each Idempotency-Key was answered with a 2xx.
  std::map<std::string, int> accepted() const {
    std::map<std::string, int> out;
    for (const Received& r : requests()) {
      if (r.answered >= 200 && r.answered < 300) ++out[r.idempotency_key];
    }
    return out;
  }

 private:
  void Handle(const httplib::Request& req, httplib::Response& res) {
    Received r;
    r.path = req.path;
    r.query_team = req.get_param_value("team");
    r.content_type = req.get_header_value("Content-Type");
    r.event = req.get_header_value("X-Leadq-Event");
    r.delivery = req.get_header_value("X-Leadq-Delivery");
    r.idempotency_key = req.get_header_value("Idempotency-Key");
    r.signature = req.get_header_value("X-Leadq-Signature");
    r.attempt = req.get_header_value("X-Leadq-Attempt");
    r.user_agent = req.get_header_value("User-Agent");
    r.body = req.body;
    r.signature_valid = r.signature == ReceiverSignature(secret_, req.body);
    std::function<void(const Received&)> callback;
    std::chrono::milliseconds delay{0};
    {
      std::lock_guard<std::mutex> lock(mutex_);
      r.answered = status_;
      res.status = status_;
      res.set_content(answer_body_, "text/plain");
      callback = on_request_;
      delay = delay_;
    }
    if (callback) callback(r);
    // The one real wait of these tests: a receiver slower than the sender's timeout.
    if (delay.count() > 0) std::this_thread::sleep_for(delay);
    std::lock_guard<std::mutex> lock(mutex_);
    requests_.push_back(std::move(r));
  }

  const std::string secret_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;

  mutable std::mutex mutex_;  // guards everything below
  int status_ = 200;
  std::string answer_body_ = "ok";
  std::chrono::milliseconds delay_{0};
  std::function<void(const Received&)> on_request_;
  std::vector<Received> requests_;
};

// A directory of this test's own: ctest runs tests in parallel processes that share TempDir().
std::filesystem::path TestDir() {
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = std::string(info->test_suite_name()) + "." + info->name();
  for (char& c : name) {
    if (c == '/') c = '_';
  }
  return std::filesystem::path(::testing::TempDir()) /
         ("leadq-webhook-" + std::to_string(::getpid()) + "-" + name);
}

class WebhookSenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TestDir();
    std::filesystem::remove_all(dir_);
    Result<std::unique_ptr<store::Store>> opened =
        store::OpenSqliteStore(dir_ / "leadq.db", /*create=*/true);
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    store_ = std::move(opened).value();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<store::Transaction> Begin() {
    Result<std::unique_ptr<store::Transaction>> tx = store_->Begin();
    EXPECT_TRUE(tx.ok()) << tx.status().message();
    return tx.ok() ? std::move(tx).value() : nullptr;
  }

  int64_t AddHook(const std::string& url, int64_t max_attempts = 8,
                  const std::string& secret = kSecret) {
    store::Webhook hook;
    hook.url = url;
    hook.kinds = {"transition", "assignment"};
    hook.secret = secret;
    hook.max_attempts = max_attempts;
    hook.created_at = kT0;
    std::unique_ptr<store::Transaction> tx = Begin();
    Result<int64_t> id = tx->AddWebhook(hook);
    EXPECT_TRUE(id.ok()) << id.status().message();
    EXPECT_TRUE(tx->Commit().ok());
    return id.ok() ? *id : 0;
  }

  // Enqueues messages due at kT0 with keys key-1, key-2, ... (after `first` - 1).
  void Enqueue(int64_t webhook_id, int count, int first = 1) {
    std::vector<store::OutboxMessage> messages;
    for (int i = first; i < first + count; ++i) {
      store::OutboxMessage m;
      m.webhook_id = webhook_id;
      m.kind = "transition";
      m.idempotency_key = "key-" + std::to_string(i);
      m.body = R"({"kind":"transition","lead_id":"L)" + std::to_string(i) +
               R"(","to":"mql","note":"Zoë \"quoted\"\n"})";
      m.created_at = kT0;
      m.next_attempt_at = kT0;
      messages.push_back(std::move(m));
    }
    std::unique_ptr<store::Transaction> tx = Begin();
    Status s = tx->EnqueueMessages(messages);
    ASSERT_TRUE(s.ok()) << s.message();
    ASSERT_TRUE(tx->Commit().ok());
  }

  // Every message in the outbox, by seq.
  std::vector<store::OutboxMessage> AllMessages() {
    std::vector<store::OutboxMessage> all;
    std::unique_ptr<store::Transaction> tx = Begin();
    for (store::MessageStatus status :
         {store::MessageStatus::kPending, store::MessageStatus::kDelivered,
          store::MessageStatus::kDead}) {
      Result<std::vector<store::OutboxMessage>> some = tx->Messages(0, status, 0);
      EXPECT_TRUE(some.ok()) << some.status().message();
      if (some.ok()) all.insert(all.end(), some->begin(), some->end());
    }
    std::sort(
        all.begin(), all.end(),
        [](const store::OutboxMessage& a, const store::OutboxMessage& b) { return a.seq < b.seq; });
    return all;
  }

  DeliveryReport Deliver(TimePoint now, const DeliveryOptions& options = {}) {
    Result<DeliveryReport> report = DeliverDue(*store_, now, options);
    EXPECT_TRUE(report.ok()) << report.status().message();
    return report.ok() ? std::move(report).value() : DeliveryReport{};
  }

  static constexpr const char* kSecret = "whsec_test_1";
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
};

// --- signing, URLs and the retry schedule

TEST(SignBodyTest, MatchesRfc4231TestCase2) {
  EXPECT_EQ(SignBody("Jefe", "what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(SignBodyTest, SignsAnEmptyBodyWithAnEmptySecret) {
  EXPECT_EQ(SignBody("", ""),
            "sha256=b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(ParseWebhookUrlTest, TakesSchemeHostPortAndTarget) {
  Result<WebhookUrl> url = ParseWebhookUrl("https://CRM.example.com:8443/hooks/leadq?team=2#x");
  ASSERT_TRUE(url.ok()) << url.status().message();
  EXPECT_EQ(*url, (WebhookUrl{"https", "crm.example.com", 8443, "/hooks/leadq?team=2"}));

  url = ParseWebhookUrl("http://127.0.0.1");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(*url, (WebhookUrl{"http", "127.0.0.1", 80, "/"}));

  url = ParseWebhookUrl("https://hooks.example.com?x=1");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(*url, (WebhookUrl{"https", "hooks.example.com", 443, "/?x=1"}));

  url = ParseWebhookUrl("http://[::1]:9000/in");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(*url, (WebhookUrl{"http", "::1", 9000, "/in"}));
}

TEST(ParseWebhookUrlTest, SaysWhatIsWrong) {
  auto error = [](const std::string& url) { return ParseWebhookUrl(url).status().message(); };
  EXPECT_EQ(error("ftp://example.com/x"),
            "invalid webhook URL \"ftp://example.com/x\": the scheme \"ftp\" is not http or https");
  EXPECT_NE(error("example.com/hook").find("does not start with http:// or https://"),
            std::string::npos);
  EXPECT_NE(error("http://example.com/a hook").find("space"), std::string::npos);
  EXPECT_NE(error("http://user:pw@example.com/").find("user name or password"), std::string::npos);
  EXPECT_NE(error("http://example.com:0/").find("not a number from 1 to 65535"), std::string::npos);
  EXPECT_NE(error("http://example.com:70000/").find("not a number from 1 to 65535"),
            std::string::npos);
  EXPECT_NE(error("http://example.com:/").find("port"), std::string::npos);
  EXPECT_NE(error("http:///hook").find("no host"), std::string::npos);
  EXPECT_NE(error("http://::1/hook").find("brackets"), std::string::npos);
  EXPECT_EQ(ParseWebhookUrl("").status().code(), StatusCode::kInvalidInput);
}

TEST(RetryDelayTest, DoublesFromThirtySecondsUpToSixHours) {
  const RetryPolicy policy;
  EXPECT_EQ(RetryDelay(policy, 1, 1), 30 * kSecond);
  EXPECT_EQ(RetryDelay(policy, 1, 2), 60 * kSecond);
  EXPECT_EQ(RetryDelay(policy, 1, 3), 120 * kSecond);
  EXPECT_EQ(RetryDelay(policy, 1, 4), 240 * kSecond);
  EXPECT_EQ(RetryDelay(policy, 1, 10), 15360 * kSecond);
  EXPECT_EQ(RetryDelay(policy, 1, 11), 6 * 3600 * kSecond);
  EXPECT_EQ(RetryDelay(policy, 1, 1000), 6 * 3600 * kSecond);
}

TEST(RetryDelayTest, JittersOnlyWithASeedAndAlwaysTheSameWay) {
  RetryPolicy policy;
  policy.jitter = 0.5;  // no seed: no jitter
  EXPECT_EQ(RetryDelay(policy, 7, 3), 120 * kSecond);

  policy.jitter_seed = 42;
  std::set<int64_t> delays;
  for (int64_t seq = 1; seq <= 20; ++seq) {
    const int64_t delay = RetryDelay(policy, seq, 3);
    EXPECT_EQ(delay, RetryDelay(policy, seq, 3)) << "the same inputs give the same delay";
    EXPECT_LE(delay, 120 * kSecond);
    EXPECT_GT(delay, 60 * kSecond);
    delays.insert(delay);
  }
  EXPECT_GT(delays.size(), 10u) << "messages that failed together spread out";
}

// --- delivery against a real receiver

TEST_F(WebhookSenderTest, ReceiverVerifiesTheSignatureAndSeesEveryHeader) {
  Receiver receiver(kSecret);
  receiver.Start();
  const int64_t hook = AddHook(receiver.Url("/hooks/leadq?team=2"));
  Enqueue(hook, 1);

  DeliveryReport report = Deliver(kT0);
  EXPECT_EQ(report, (DeliveryReport{1, 1, 0, 0, {}}));

  std::vector<Received> got = receiver.requests();
  ASSERT_EQ(got.size(), 1u);
  const Received& r = got[0];
  const std::vector<store::OutboxMessage> stored = AllMessages();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(r.body, stored[0].body) << "the body is sent byte for byte";
  EXPECT_TRUE(r.signature_valid) << r.signature;
  EXPECT_EQ(r.signature, SignBody(kSecret, stored[0].body));
  EXPECT_EQ(r.path, "/hooks/leadq");
  EXPECT_EQ(r.query_team, "2");
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.event, "transition");
  EXPECT_EQ(r.delivery, "key-1");
  EXPECT_EQ(r.idempotency_key, "key-1");
  EXPECT_EQ(r.attempt, "1");
  EXPECT_EQ(r.user_agent.rfind("leadq/", 0), 0u) << r.user_agent;

  EXPECT_EQ(stored[0].status, store::MessageStatus::kDelivered);
  EXPECT_EQ(stored[0].attempts, 1);
  EXPECT_EQ(stored[0].delivered_at, kT0);
  EXPECT_EQ(stored[0].last_http_status, 200);
  EXPECT_EQ(stored[0].last_error, "");
}

TEST_F(WebhookSenderTest, ReceiverDownThenFailingThenBackDeliversEachMessageExactlyOnce) {
  RefusingPort down;
  const std::string url = "http://127.0.0.1:" + std::to_string(down.port()) + "/hook";
  const int64_t hook = AddHook(url);
  Enqueue(hook, 3);

  // t0: nobody listens.
  DeliveryReport report = Deliver(kT0);
  EXPECT_EQ(report.attempted, 3u);
  EXPECT_EQ(report.failed, 3u);
  ASSERT_EQ(report.failures.size(), 3u);
  EXPECT_EQ(report.failures[0].error, "connection refused to " + url);
  EXPECT_EQ(report.failures[0].url, url);
  EXPECT_FALSE(report.failures[0].dead);
  for (const store::OutboxMessage& m : AllMessages()) {
    EXPECT_EQ(m.status, store::MessageStatus::kPending);
    EXPECT_EQ(m.attempts, 1);
    EXPECT_EQ(m.next_attempt_at, kT0 + 30 * kSecond);
    EXPECT_EQ(m.last_error, "connection refused to " + url);
    EXPECT_EQ(m.last_http_status, 0);
  }
  EXPECT_EQ(Deliver(kT0).attempted, 0u) << "nothing is due again at the same moment";
  EXPECT_EQ(Deliver(kT0 + 29 * kSecond).attempted, 0u) << "nor before the backoff ends";

  // t0 + 30 s: the receiver is up but fails.
  down.Release();
  Receiver receiver(kSecret);
  receiver.Start(down.port());
  receiver.Answer(500, "database is locked");
  report = Deliver(kT0 + 30 * kSecond);
  EXPECT_EQ(report.attempted, 3u);
  EXPECT_EQ(report.failed, 3u);
  ASSERT_EQ(report.failures.size(), 3u);
  EXPECT_EQ(report.failures[0].error, "HTTP 500: database is locked");
  for (const store::OutboxMessage& m : AllMessages()) {
    EXPECT_EQ(m.attempts, 2);
    EXPECT_EQ(m.next_attempt_at, kT0 + 30 * kSecond + 60 * kSecond);
    EXPECT_EQ(m.last_http_status, 500);
  }
  EXPECT_EQ(Deliver(kT0 + 89 * kSecond).attempted, 0u);

  // t0 + 90 s: it accepts.
  receiver.Answer(204);
  report = Deliver(kT0 + 90 * kSecond);
  EXPECT_EQ(report, (DeliveryReport{3, 3, 0, 0, {}}));
  for (const store::OutboxMessage& m : AllMessages()) {
    EXPECT_EQ(m.status, store::MessageStatus::kDelivered);
    EXPECT_EQ(m.attempts, 3);
    EXPECT_EQ(m.delivered_at, kT0 + 90 * kSecond);
    EXPECT_EQ(m.last_http_status, 204);
  }
  EXPECT_EQ(Deliver(kT0 + 90 * kSecond).attempted, 0u);
  EXPECT_EQ(Deliver(kT0 + 7 * kMicrosPerDay).attempted, 0u);

  // The receiver saw each message twice (a 500, then accepted), and accepted each once.
  const std::map<std::string, int> expected = {{"key-1", 1}, {"key-2", 1}, {"key-3", 1}};
  EXPECT_EQ(receiver.accepted(), expected);
  std::vector<Received> got = receiver.requests();
  ASSERT_EQ(got.size(), 6u);
  for (const Received& r : got) {
    EXPECT_TRUE(r.signature_valid);
    EXPECT_EQ(r.attempt, r.answered == 500 ? "2" : "3") << r.idempotency_key;
  }
}

TEST_F(WebhookSenderTest, ReceiverThatNeverAcceptsMakesTheMessageDeadAfterMaxAttempts) {
  Receiver receiver(kSecret);
  receiver.Start();
  receiver.Answer(503, "maintenance");
  const int64_t hook = AddHook(receiver.Url(), /*max_attempts=*/3);
  Enqueue(hook, 1);

  EXPECT_EQ(Deliver(kT0).failed, 1u);
  EXPECT_EQ(Deliver(kT0 + 30 * kSecond).failed, 1u);
  DeliveryReport last = Deliver(kT0 + 90 * kSecond);
  EXPECT_EQ(last.attempted, 1u);
  EXPECT_EQ(last.dead, 1u);
  ASSERT_EQ(last.failures.size(), 1u);
  EXPECT_TRUE(last.failures[0].dead);
  EXPECT_EQ(last.failures[0].error, "HTTP 503: maintenance (gave up after 3 attempts)");

  const std::vector<store::OutboxMessage> stored = AllMessages();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].status, store::MessageStatus::kDead);
  EXPECT_EQ(stored[0].attempts, 3);
  EXPECT_EQ(stored[0].last_error, "HTTP 503: maintenance");
  EXPECT_EQ(stored[0].last_http_status, 503);
  EXPECT_EQ(Deliver(kT0 + 7 * kMicrosPerDay).attempted, 0u) << "a dead message is never sent";
  EXPECT_EQ(receiver.requests().size(), 3u);
}

TEST_F(WebhookSenderTest, SecondCallAtTheSameMomentSendsNothingMore) {
  Receiver receiver(kSecret);
  receiver.Start();
  receiver.Answer(500);
  Enqueue(AddHook(receiver.Url()), 2);

  DeliveryReport first = Deliver(kT0);
  EXPECT_EQ(first.failed, 2u);
  EXPECT_EQ(first.failures[0].error, "HTTP 500") << "an empty answer adds nothing";
  EXPECT_EQ(Deliver(kT0), (DeliveryReport{}));
  EXPECT_EQ(receiver.requests().size(), 2u);
}

TEST_F(WebhookSenderTest, ClaimsInBatchesUntilNothingIsDue) {
  Receiver receiver(kSecret);
  receiver.Start();
  Enqueue(AddHook(receiver.Url()), 10);

  DeliveryOptions options;
  options.batch = 3;
  EXPECT_EQ(Deliver(kT0, options), (DeliveryReport{10, 10, 0, 0, {}}));
  std::map<std::string, int> accepted = receiver.accepted();
  EXPECT_EQ(accepted.size(), 10u);
  for (const auto& [key, times] : accepted) EXPECT_EQ(times, 1) << key;
}

TEST_F(WebhookSenderTest, WebhookRemovedWhileItsMessageIsInFlightMakesItDead) {
  Receiver receiver(kSecret);
  receiver.Start();
  const int64_t hook = AddHook(receiver.Url());
  Enqueue(hook, 1);
  // The webhook is removed while the request is being answered. This also shows that the
  // sender holds no transaction while sending: otherwise this write would wait for the lock.
  std::mutex mutex;
  Status removed = Status::Internal("the receiver was not called");
  receiver.OnRequest([&](const Received&) {
    Status s;
    Result<std::unique_ptr<store::Transaction>> tx = store_->Begin();
    if (!tx.ok()) {
      s = tx.status();
    } else {
      s = (*tx)->RemoveWebhook(hook);
      if (s.ok()) s = (*tx)->Commit();
    }
    std::lock_guard<std::mutex> lock(mutex);
    removed = s;
  });

  DeliveryReport report = Deliver(kT0);
  {
    std::lock_guard<std::mutex> lock(mutex);
    EXPECT_TRUE(removed.ok()) << removed.message();
  }
  EXPECT_EQ(report.attempted, 1u);
  EXPECT_EQ(report.dead, 1u);
  ASSERT_EQ(report.failures.size(), 1u);
  EXPECT_TRUE(report.failures[0].dead);
  EXPECT_EQ(report.failures[0].error,
            "webhook " + std::to_string(hook) +
                " was removed while the message was in flight (the receiver had answered HTTP "
                "200)");
  for (const store::OutboxMessage& m : AllMessages()) {
    EXPECT_NE(m.status, store::MessageStatus::kPending) << "nothing is left to retry";
  }
  EXPECT_EQ(Deliver(kT0 + kMicrosPerDay).attempted, 0u);
}

TEST_F(WebhookSenderTest, SlowReceiverBeyondTheTimeoutIsAFailedAttempt) {
  Receiver receiver(kSecret);
  receiver.Start();
  receiver.Delay(std::chrono::milliseconds(2000));
  const int64_t hook = AddHook(receiver.Url());
  Enqueue(hook, 1);

  DeliveryOptions options;
  options.timeout_seconds = 1;
  DeliveryReport report = Deliver(kT0, options);
  EXPECT_EQ(report.attempted, 1u);
  EXPECT_EQ(report.failed, 1u);
  ASSERT_EQ(report.failures.size(), 1u);
  EXPECT_EQ(report.failures[0].error,
            "timed out after 1 s waiting for an answer from " + receiver.Url());

  const std::vector<store::OutboxMessage> stored = AllMessages();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].status, store::MessageStatus::kPending);
  EXPECT_EQ(stored[0].attempts, 1);
  EXPECT_EQ(stored[0].last_http_status, 0);
  EXPECT_EQ(stored[0].next_attempt_at, kT0 + 30 * kSecond);
}

TEST_F(WebhookSenderTest, InvalidUrlMakesTheMessageDeadWithoutRetrying) {
  const int64_t hook = AddHook("ftp://files.example.com/drop");
  Enqueue(hook, 1);

  DeliveryReport report = Deliver(kT0);
  EXPECT_EQ(report.dead, 1u);
  ASSERT_EQ(report.failures.size(), 1u);
  EXPECT_EQ(report.failures[0].error,
            "invalid webhook URL \"ftp://files.example.com/drop\": the scheme \"ftp\" is not "
            "http or https");
  const std::vector<store::OutboxMessage> stored = AllMessages();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].status, store::MessageStatus::kDead);
  EXPECT_EQ(stored[0].last_error, report.failures[0].error);
}

TEST_F(WebhookSenderTest, RejectsOptionsOutOfRange) {
  DeliveryOptions options;
  options.batch = 0;
  EXPECT_EQ(DeliverDue(*store_, kT0, options).status().code(), StatusCode::kInvalidInput);
  options = {};
  options.lease_seconds = 15;  // less than twice the 10 s timeout
  EXPECT_EQ(DeliverDue(*store_, kT0, options).status().code(), StatusCode::kInvalidInput);
  options = {};
  options.retry.base_seconds = 0;  // would retry at the same moment, forever
  EXPECT_EQ(DeliverDue(*store_, kT0, options).status().code(), StatusCode::kInvalidInput);
}

// --- test messages

TEST_F(WebhookSenderTest, PingIsSignedLikeAnyDeliveryAndNotStored) {
  Receiver receiver(kSecret);
  receiver.Start();
  store::Webhook hook;
  hook.id = AddHook(receiver.Url());
  hook.url = receiver.Url();
  hook.secret = kSecret;

  Result<TestResult> result = SendTestMessage(hook, kT0);
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_TRUE(result->delivered);
  EXPECT_EQ(result->http_status, 200);
  EXPECT_EQ(result->error, "");
  EXPECT_EQ(result->response_body, "ok");
  EXPECT_GT(result->elapsed_us, 0);

  std::vector<Received> got = receiver.requests();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].signature_valid);
  EXPECT_EQ(got[0].event, "ping");
  EXPECT_EQ(got[0].attempt, "1");
  EXPECT_FALSE(got[0].idempotency_key.empty());
  nlohmann::json body = nlohmann::json::parse(got[0].body);
  EXPECT_EQ(body,
            (nlohmann::json{
                {"kind", "ping"}, {"sent_at", "2026-03-02T09:00:00Z"}, {"webhook_id", hook.id}}));
  EXPECT_TRUE(AllMessages().empty()) << "a ping never enters the outbox";
}

TEST_F(WebhookSenderTest, PingToAReceiverThatIsDownSaysSo) {
  RefusingPort down;
  store::Webhook hook;
  hook.id = 9;
  hook.url = "http://127.0.0.1:" + std::to_string(down.port()) + "/hook";
  hook.secret = kSecret;

  Result<TestResult> result = SendTestMessage(hook, kT0);
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_FALSE(result->delivered);
  EXPECT_EQ(result->http_status, 0);
  EXPECT_EQ(result->error, "connection refused to " + hook.url);

  hook.url = "mailto:sales@example.com";
  EXPECT_EQ(SendTestMessage(hook, kT0).status().code(), StatusCode::kInvalidInput);
}

}  // namespace
}  // namespace leadq::server
