#include "server/webhook_sender.h"

#include <httplib.h>
#include <netdb.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/x509.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <utility>

#include "core/text.h"

#ifndef LEADQ_VERSION
#define LEADQ_VERSION "0.1"
#endif

namespace leadq::server {
namespace {

constexpr size_t kResponseExcerptBytes = 200;

std::string HexLower(const unsigned char* bytes, size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kHex[bytes[i] >> 4]);
    out.push_back(kHex[bytes[i] & 0xf]);
  }
  return out;
}

bool IsHostChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_';
}

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The first `kResponseExcerptBytes` of an answer, on one line and cut on a UTF-8 boundary, for
// an error message.
std::string Excerpt(std::string_view body) {
  size_t n = std::min(body.size(), kResponseExcerptBytes);
  if (n < body.size()) {
    // Step back over continuation bytes so that a multi-byte character is not cut in half.
    while (n > 0 && (static_cast<unsigned char>(body[n]) & 0xC0) == 0x80) --n;
  }
  std::string out(body.substr(0, n));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return std::string(Trim(out));
}

// A header value we write must not be able to end the header (CR, LF) or smuggle another in.
bool IsSafeHeaderValue(std::string_view value) {
  return std::none_of(value.begin(), value.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

// What one request did.
struct Outcome {
  bool delivered = false;
  int64_t http_status = 0;
  std::string error;
  std::string response_body;
  int64_t elapsed_us = 0;
};

// What to send: the parts of an outbox message that go on the wire.
struct Request {
  std::string_view kind;
  std::string_view idempotency_key;
  std::string_view secret;
  const std::string& body;
  int64_t attempt = 1;
};

// Why a connection could not be made. httplib reports a failed name lookup and a refused
// connection alike, so a failed connection is looked up again to tell them apart.
std::string ConnectionError(const WebhookUrl& url, std::string_view url_text) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  int rc = ::getaddrinfo(url.host.c_str(), nullptr, &hints, &found);
  if (found != nullptr) ::freeaddrinfo(found);
  if (rc != 0) {
    return "cannot resolve host \"" + url.host + "\" of " + std::string(url_text) + ": " +
           ::gai_strerror(rc);
  }
  return "connection refused to " + std::string(url_text);
}

std::string TransportError(httplib::Error error, const WebhookUrl& url, std::string_view url_text,
                           int64_t timeout_seconds, int64_t elapsed_us, long verify_result) {
  const std::string where(url_text);
  const std::string seconds = std::to_string(timeout_seconds) + " s";
  // Most of a read timeout elapsed: the receiver was too slow, rather than hanging up early.
  const bool timed_out = elapsed_us >= timeout_seconds * kMicrosPerSecond * 9 / 10;
  switch (error) {
    case httplib::Error::Connection:
      return ConnectionError(url, url_text);
    case httplib::Error::ConnectionTimeout:
      return "timed out after " + seconds + " connecting to " + where;
    case httplib::Error::Read:
      return timed_out ? "timed out after " + seconds + " waiting for an answer from " + where
                       : "connection closed by " + where + " before a complete answer";
    case httplib::Error::Write:
      return timed_out ? "timed out after " + seconds + " sending the request to " + where
                       : "connection closed by " + where + " while sending the request";
    case httplib::Error::SSLConnection:
      return "TLS handshake with " + where + " failed";
    case httplib::Error::SSLServerVerification:
      return "the TLS certificate of " + where +
             " is not trusted: " + X509_verify_cert_error_string(verify_result);
    case httplib::Error::SSLLoadingCerts:
      return "could not load the trusted CA certificates to reach " + where;
    default:
      return "request to " + where + " failed (" + httplib::to_string(error) + ")";
  }
}

// POSTs one message and says what happened. Never throws and never fails: every problem is an
// Outcome with `error` set.
Outcome Post(const WebhookUrl& url, std::string_view url_text, const Request& request,
             int64_t timeout_seconds) {
  Outcome outcome;
  if (!IsSafeHeaderValue(request.kind) || !IsSafeHeaderValue(request.idempotency_key)) {
    outcome.error = "the message's kind or idempotency key contains a control character";
    return outcome;
  }
  const httplib::Headers headers = {
      {"X-Leadq-Event", std::string(request.kind)},
      {"X-Leadq-Delivery", std::string(request.idempotency_key)},
      {"Idempotency-Key", std::string(request.idempotency_key)},
      {"X-Leadq-Signature", SignBody(request.secret, request.body)},
      {"X-Leadq-Attempt", std::to_string(request.attempt)},
      {"User-Agent", "leadq/" LEADQ_VERSION},
  };
  const auto start = std::chrono::steady_clock::now();
  auto elapsed_us = [&start] {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                 start)
        .count();
  };
  try {
    std::unique_ptr<httplib::ClientImpl> client;
    if (url.scheme == "https") {
      client = std::make_unique<httplib::SSLClient>(url.host, url.port);
    } else {
      client = std::make_unique<httplib::ClientImpl>(url.host, url.port);
    }
    if (!client->is_valid()) {
      outcome.error = "could not set up TLS to reach " + std::string(url_text);
      return outcome;
    }
    const auto timeout = static_cast<time_t>(timeout_seconds);
    client->set_connection_timeout(timeout);
    client->set_read_timeout(timeout);
    client->set_write_timeout(timeout);
    client->set_tcp_nodelay(true);  // the body is written after the headers: no 40 ms wait
    client->set_follow_location(false);
    client->set_url_encode(false);  // the target was checked by ParseWebhookUrl: send it as is
    httplib::Result result = client->Post(url.target, headers, request.body, "application/json");
    outcome.elapsed_us = elapsed_us();
    if (!result) {
      long verify_result = X509_V_OK;
      if (url.scheme == "https") {
        verify_result = static_cast<httplib::SSLClient&>(*client).get_openssl_verify_result();
      }
      outcome.error = TransportError(result.error(), url, url_text, timeout_seconds,
                                     outcome.elapsed_us, verify_result);
      return outcome;
    }
    outcome.http_status = result->status;
    outcome.response_body = Excerpt(result->body);
    if (result->status >= 200 && result->status < 300) {
      outcome.delivered = true;
      return outcome;
    }
    outcome.error = "HTTP " + std::to_string(result->status);
    if (!outcome.response_body.empty()) outcome.error += ": " + outcome.response_body;
    if (result->status >= 300 && result->status < 400 && result->has_header("Location")) {
      outcome.error +=
          " (redirect to " + Excerpt(result->get_header_value("Location")) + " not followed)";
    }
  } catch (const std::exception& e) {
    outcome.elapsed_us = elapsed_us();
    outcome.error = "request to " + std::string(url_text) + " failed: " + e.what();
  }
  return outcome;
}

Status CheckOptions(const DeliveryOptions& options) {
  const RetryPolicy& retry = options.retry;
  if (options.batch == 0) return Status::Invalid("batch must be at least 1");
  if (options.timeout_seconds < 1) return Status::Invalid("timeout_seconds must be at least 1");
  if (options.lease_seconds < 2 * options.timeout_seconds) {
    return Status::Invalid("lease_seconds (" + std::to_string(options.lease_seconds) +
                           ") must be at least twice timeout_seconds (" +
                           std::to_string(options.timeout_seconds) +
                           ") so that a message's outcome is recorded before its lease runs out");
  }
  if (retry.base_seconds < 1) return Status::Invalid("retry base_seconds must be at least 1");
  if (retry.cap_seconds < retry.base_seconds) {
    return Status::Invalid("retry cap_seconds must be at least base_seconds");
  }
  if (!(retry.jitter >= 0 && retry.jitter < 1)) {
    return Status::Invalid("retry jitter must be in [0, 1)");
  }
  return Status::Ok();
}

// How many messages one claim may take: as many as the lease covers when every request takes
// its longest (connect timeout, then read timeout), so that claims do not expire mid-batch and
// get sent by another sender too.
size_t ClaimSize(const DeliveryOptions& options) {
  const int64_t worst_per_message = 2 * options.timeout_seconds;
  const auto covered = static_cast<size_t>(options.lease_seconds / worst_per_message);
  return std::clamp<size_t>(covered, 1, options.batch);
}

uint64_t SplitMix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// A claimed message and what became of it.
struct Handled {
  store::OutboxMessage message;  // as claimed
  std::string url;               // empty when the webhook was gone at claim time
  int64_t max_attempts = 1;
  bool sent = false;       // a request was made (or an invalid URL counted as an attempt)
  bool permanent = false;  // no retry can help: dead now
  Outcome outcome;
};

std::string RemovedError(const Handled& h) {
  const std::string id = std::to_string(h.message.webhook_id);
  std::string error = "webhook " + id + " was removed while the message was in flight";
  if (h.sent) {
    error += h.outcome.delivered
                 ? " (the receiver had answered HTTP " + std::to_string(h.outcome.http_status) + ")"
                 : " (the attempt had failed: " + h.outcome.error + ")";
  }
  return error;
}

// Sends one claimed message with no transaction open.
void Send(Handled& h, const store::Webhook* hook, const DeliveryOptions& options) {
  if (hook == nullptr) {
    h.permanent = true;
    h.outcome.error = "webhook " + std::to_string(h.message.webhook_id) + " was removed";
    return;
  }
  h.url = hook->url;
  h.max_attempts = std::max<int64_t>(1, hook->max_attempts);
  h.sent = true;
  Result<WebhookUrl> url = ParseWebhookUrl(hook->url);
  if (!url.ok()) {
    h.permanent = true;  // the URL of a webhook never changes, so no retry can succeed
    h.outcome.error = url.status().message();
    return;
  }
  const Request request{h.message.kind, h.message.idempotency_key, hook->secret, h.message.body,
                        h.message.attempts + 1};
  h.outcome = Post(*url, hook->url, request, options.timeout_seconds);
}

// Records the outcomes of one batch in one transaction, and adds them to `report` once it is
// committed.
Status Record(store::Store& store, std::vector<Handled>& batch, TimePoint now,
              const DeliveryOptions& options, DeliveryReport& report) {
  LEADQ_TRY(std::unique_ptr<store::Transaction> tx, store.Begin());
  LEADQ_TRY(std::vector<store::Webhook> hooks, tx->Webhooks());
  auto exists = [&hooks](int64_t id) {
    return std::any_of(hooks.begin(), hooks.end(),
                       [id](const store::Webhook& w) { return w.id == id; });
  };
  DeliveryReport part;
  for (Handled& h : batch) {
    store::OutboxMessage m = h.message;
    if (h.sent) ++m.attempts;
    m.last_http_status = h.outcome.http_status;
    m.last_error = h.outcome.error;
    m.next_attempt_at = now;
    bool removed = !exists(m.webhook_id);
    if (removed) {
      m.status = store::MessageStatus::kDead;
      m.last_error = h.sent ? RemovedError(h) : h.outcome.error;
    } else if (h.outcome.delivered) {
      m.status = store::MessageStatus::kDelivered;
      m.delivered_at = now;
    } else if (h.permanent || m.attempts >= h.max_attempts) {
      m.status = store::MessageStatus::kDead;
    } else {
      m.status = store::MessageStatus::kPending;
      m.next_attempt_at = now + RetryDelay(options.retry, m.seq, m.attempts);
    }
    Status updated = tx->UpdateMessage(m);
    if (updated.code() == StatusCode::kNotFound) {
      // Removing a webhook deletes its pending messages, this one included.
      removed = true;
      m.status = store::MessageStatus::kDead;
      m.last_error = RemovedError(h);
    } else if (!updated.ok()) {
      return updated;
    }

    ++part.attempted;
    if (m.status == store::MessageStatus::kDelivered) {
      ++part.delivered;
      continue;
    }
    DeliveryFailure failure{m.seq, m.webhook_id, h.url, m.last_error,
                            m.status == store::MessageStatus::kDead};
    if (failure.dead) {
      ++part.dead;
      if (!removed && !h.permanent) {
        failure.error += " (gave up after " + std::to_string(m.attempts) + " attempts)";
      }
    } else {
      ++part.failed;
    }
    part.failures.push_back(std::move(failure));
  }
  LEADQ_TRY(tx->Commit());

  report.attempted += part.attempted;
  report.delivered += part.delivered;
  report.failed += part.failed;
  report.dead += part.dead;
  for (DeliveryFailure& f : part.failures) report.failures.push_back(std::move(f));
  return Status::Ok();
}

}  // namespace

std::string SignBody(std::string_view secret, std::string_view body) {
  // OpenSSL wants non-null pointers even for empty input.
  static const unsigned char kEmpty = 0;
  const void* key = secret.empty() ? static_cast<const void*>(&kEmpty) : secret.data();
  const auto* data = body.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(body.data());
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key, static_cast<int>(secret.size()), data, body.size(), mac, &length) ==
      nullptr) {
    // Only an allocation failure inside OpenSSL gets here: nothing sensible to return.
    std::abort();
  }
  return "sha256=" + HexLower(mac, length);
}

Result<WebhookUrl> ParseWebhookUrl(std::string_view url) {
  auto invalid = [url](const std::string& why) {
    return Status::Invalid("invalid webhook URL \"" + std::string(url) + "\": " + why);
  };
  if (url.empty()) return invalid("it is empty");
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return invalid("it contains a space or a control character");
    }
  }
  const size_t separator = url.find("://");
  if (separator == std::string_view::npos) {
    return invalid("it does not start with http:// or https://");
  }
  WebhookUrl out;
  out.scheme = AsciiLower(url.substr(0, separator));
  if (out.scheme != "http" && out.scheme != "https") {
    return invalid("the scheme \"" + out.scheme + "\" is not http or https");
  }
  std::string_view rest = url.substr(separator + 3);
  rest = rest.substr(0, rest.find('#'));  // a fragment is never sent
  const size_t target_start = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, target_start);
  if (target_start == std::string_view::npos) {
    out.target = "/";
  } else {
    out.target = std::string(rest.substr(target_start));
    if (out.target.front() == '?') out.target.insert(0, "/");
  }
  if (authority.find('@') != std::string_view::npos) {
    return invalid("a user name or password in the URL is not supported");
  }
  if (authority.empty()) return invalid("it has no host");

  std::string_view host;
  std::optional<std::string_view> port;
  if (authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return invalid("the IPv6 address has no closing ]");
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return invalid("unexpected text after the IPv6 address");
      port = after.substr(1);
    }
    const bool ipv6_chars = !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
      return c == ':' || c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
             (c >= 'A' && c <= 'F');
    });
    if (!ipv6_chars) return invalid("\"" + std::string(host) + "\" is not an IPv6 address");
  } else {
    const size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port->find(':') != std::string_view::npos) {
        return invalid("an IPv6 address must be written in brackets, as http://[::1]:8080/");
      }
    }
    if (host.empty()) return invalid("it has no host");
    for (char c : host) {
      if (!IsHostChar(c)) {
        return invalid("the host \"" + std::string(host) + "\" contains '" + std::string(1, c) +
                       "'");
      }
    }
  }
  out.host = AsciiLower(host);

  if (port.has_value()) {
    if (IsDigits(*port) && port->size() <= 5) out.port = std::stoi(std::string(*port));
    if (out.port < 1 || out.port > 65535) {
      return invalid("the port \"" + std::string(*port) + "\" is not a number from 1 to 65535");
    }
  } else {
    out.port = out.scheme == "https" ? 443 : 80;
  }
  return out;
}

int64_t RetryDelay(const RetryPolicy& policy, int64_t seq, int64_t attempts) {
  const int64_t base = std::max<int64_t>(1, policy.base_seconds);
  const int64_t cap = std::max(base, policy.cap_seconds);
  int64_t seconds = base;
  for (int64_t n = 1; n < attempts && seconds < cap; ++n) seconds *= 2;  // stops before overflow
  int64_t delay = std::min(seconds, cap) * kMicrosPerSecond;
  if (policy.jitter_seed.has_value() && policy.jitter > 0 && policy.jitter < 1) {
    const uint64_t mixed =
        SplitMix64(*policy.jitter_seed ^ SplitMix64(static_cast<uint64_t>(seq) * 0x100000001B3ULL ^
                                                    static_cast<uint64_t>(attempts)));
    const double unit = static_cast<double>(mixed >> 11) * 0x1.0p-53;  // in [0, 1)
    delay -= static_cast<int64_t>(static_cast<double>(delay) * policy.jitter * unit);
  }
  return delay;
}

Result<DeliveryReport> DeliverDue(store::Store& store, TimePoint now,
                                  const DeliveryOptions& options) {
  LEADQ_TRY(CheckOptions(options));
  const size_t claim_size = ClaimSize(options);
  const TimePoint lease_until = now + options.lease_seconds * kMicrosPerSecond;
  DeliveryReport report;
  while (true) {
    // Claim in a short transaction of its own, so that no lock is held while sending. A
    // claimed message is due again only at lease_until > now, or, once recorded, at a later
    // retry time, delivered or dead: the loop ends, and never sends a message twice.
    std::vector<store::OutboxMessage> claimed;
    std::map<int64_t, store::Webhook> hooks;
    {
      LEADQ_TRY(std::unique_ptr<store::Transaction> tx, store.Begin());
      LEADQ_TRY(claimed, tx->ClaimMessages(now, lease_until, claim_size));
      if (claimed.empty()) break;
      LEADQ_TRY(std::vector<store::Webhook> list, tx->Webhooks());
      for (store::Webhook& hook : list) {
        const int64_t id = hook.id;
        hooks.emplace(id, std::move(hook));
      }
      LEADQ_TRY(tx->Commit());
    }

    std::vector<Handled> batch;
    batch.reserve(claimed.size());
    for (store::OutboxMessage& message : claimed) {
      Handled& h = batch.emplace_back();
      h.message = std::move(message);
      auto hook = hooks.find(h.message.webhook_id);
      Send(h, hook == hooks.end() ? nullptr : &hook->second, options);
    }

    LEADQ_TRY(Record(store, batch, now, options, report));
  }
  return report;
}

Result<TestResult> SendTestMessage(const store::Webhook& hook, TimePoint now,
                                   int64_t timeout_seconds) {
  if (timeout_seconds < 1) return Status::Invalid("timeout_seconds must be at least 1");
  LEADQ_TRY(WebhookUrl url, ParseWebhookUrl(hook.url));
  const std::string body = nlohmann::json{
      {"kind", "ping"},
      {"sent_at", FormatTimestamp(now)},
      {"webhook_id", hook.id}}.dump();
  const std::string key = "ping-" + std::to_string(hook.id) + "-" + std::to_string(now);
  const Request request{"ping", key, hook.secret, body, 1};
  Outcome outcome = Post(url, hook.url, request, timeout_seconds);
  TestResult result;
  result.delivered = outcome.delivered;
  result.http_status = outcome.http_status;
  result.elapsed_us = outcome.elapsed_us;
  result.error = std::move(outcome.error);
  result.response_body = std::move(outcome.response_body);
  return result;
}

}  // namespace leadq::server
