// The webhook sender: delivers the webhook outbox (store::OutboxMessage) to each subscriber's URL
// over HTTP or HTTPS, signed with the webhook's secret, and retries failed deliveries on a
// backoff schedule until they succeed or run out of attempts.
//
// Request: every attempt is `POST <webhook url>` with Content-Type application/json, the body
// the message's `body` byte for byte, and the headers
//   X-Leadq-Event: <kind>                 X-Leadq-Delivery: <idempotency_key>
//   Idempotency-Key: <idempotency_key>    X-Leadq-Signature: sha256=<hex HMAC-SHA256(secret, body)>
//   X-Leadq-Attempt: <1, 2, ...>          User-Agent: leadq/<version>
// Any 2xx answer is a delivery. Anything else (no connection, a timeout, a 3xx, 4xx or 5xx; a
// redirect is not followed) is a failed attempt, recorded in the message's last_error and
// last_http_status.
//
// Delivery is at least once: a message is claimed with a lease (its next_attempt_at moves to
// now + lease) in one short transaction, sent with no transaction open (SQLite has one writer;
// the database lock is never held across network I/O), and its outcome written in another
// transaction. If that last write never happens (the process dies, the database fails) the
// message is sent again once its lease has run out, with the same Idempotency-Key, by which
// receivers recognise a repeat.
//
// Time and randomness are inputs: `now` is the caller's clock, the sender never sleeps, and
// jitter is applied only when RetryPolicy::jitter_seed is set.
//
// Thread-safety: every function here is thread-safe. Several DeliverDue calls may run at once,
// in threads or processes sharing the database: the lease keeps them from sending the same
// message at the same time. A program that sends to https URLs should ignore SIGPIPE
// (signal(SIGPIPE, SIG_IGN)): OpenSSL writes to the socket with write(2), and a receiver that
// hangs up mid-request would otherwise end the process; this library does not change
// process-wide signal handling itself.
//
// Example:
//   LEADQ_TRY(std::unique_ptr<store::Store> store, store::OpenSqliteStore(db_path));
//   LEADQ_TRY(server::DeliveryReport report, server::DeliverDue(*store, clock.Now(), {}));
//   for (const server::DeliveryFailure& f : report.failures) {
//     std::cerr << "message " << f.seq << " to " << f.url << ": " << f.error << "\n";
//   }
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "store/store.h"

namespace leadq::server {

// "sha256=" + the lower-case hex HMAC-SHA256 of `body` keyed with `secret`: the value of the
// X-Leadq-Signature header. Receivers recompute it over the raw body bytes they received.
//
// Example:
//   SignBody("Jefe", "what do ya want for nothing?") ==
//       "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
std::string SignBody(std::string_view secret, std::string_view body);

// A webhook URL taken apart: what the HTTP client connects to and the request target it sends.
struct WebhookUrl {
  std::string scheme;  // "http" or "https"
  std::string host;    // a name or an IP address (IPv6 without its brackets), lower case
  int port = 0;        // the explicit port, or 80 / 443
  std::string target;  // path and query, "/" when the URL has none; the fragment is dropped

  bool operator==(const WebhookUrl&) const = default;
};

// Parses `url` as http(s)://host[:port][/path][?query][#fragment]. InvalidInput, saying what
// is wrong, for anything else (another scheme, user info, a bad port, spaces or control
// characters). Use it to check a URL before storing a webhook.
//
// Example:
//   ParseWebhookUrl("https://crm.example.com:8443/hooks/leadq?team=2")
//       -> {"https", "crm.example.com", 8443, "/hooks/leadq?team=2"}
Result<WebhookUrl> ParseWebhookUrl(std::string_view url);

// When to try a failed message again. After its n-th failed attempt a message waits
// min(base_seconds * 2^(n-1), cap_seconds): 30 s, 1 min, 2 min, 4 min, ... up to 6 h. With a
// jitter seed the wait is shortened by a deterministic fraction in [0, jitter) drawn from
// (seed, message seq, n), so that many messages that failed together do not retry together.
struct RetryPolicy {
  int64_t base_seconds = 30;    // >= 1
  int64_t cap_seconds = 21600;  // >= base_seconds
  std::optional<uint64_t> jitter_seed;
  double jitter = 0.2;  // in [0, 1); used only with a seed
};

// The wait, in microseconds, before the next attempt of message `seq` after its `attempts`-th
// failed attempt (attempts >= 1). Pure; never fails (values out of range are clamped).
//
// Example:
//   RetryDelay({}, /*seq=*/7, /*attempts=*/2) == 60 * kMicrosPerSecond
int64_t RetryDelay(const RetryPolicy& policy, int64_t seq, int64_t attempts);

struct DeliveryOptions {
  size_t batch = 100;            // most messages claimed at once
  int64_t lease_seconds = 120;   // how long a claim keeps other senders away
  int64_t timeout_seconds = 10;  // connect, write and read timeout of each request
  RetryPolicy retry;
};

// A message that was not delivered by an attempt.
struct DeliveryFailure {
  int64_t seq = 0;
  int64_t webhook_id = 0;
  std::string url;
  std::string error;  // "connection refused to http://127.0.0.1:9/hook", "HTTP 500: ..."
  bool dead = false;  // no further attempt will be made

  bool operator==(const DeliveryFailure&) const = default;
};

// What one DeliverDue call did. attempted == delivered + failed + dead.
struct DeliveryReport {
  uint64_t attempted = 0;  // messages claimed and handled
  uint64_t delivered = 0;
  uint64_t failed = 0;                    // pending again, with a later next_attempt_at
  uint64_t dead = 0;                      // out of attempts, invalid URL, or webhook removed
  std::vector<DeliveryFailure> failures;  // one per failed or dead message, in sending order

  bool operator==(const DeliveryReport&) const = default;
};

// Sends every outbox message due at `now` (pending, next_attempt_at <= now) once, and records
// each outcome: delivered (delivered_at = now); failed (attempts + 1, next_attempt_at = now +
// RetryDelay); dead once attempts reaches the webhook's max_attempts, immediately when its URL is
// invalid (ParseWebhookUrl) since no retry can fix that, and when its webhook was removed while
// the message was being sent. Claims go `options.batch` at a time, fewer when the lease could
// not cover the worst case of that many requests (2 * timeout_seconds each), and repeat until
// nothing is due, so a message is sent at most once per call: a second call with the same
// `now` sends nothing.
//
// Fails with InvalidInput for options out of range (zero batch, timeout or base delay, a lease
// shorter than twice the timeout, cap below base, jitter outside [0, 1)) and with the store's
// Status when the store fails;
// network failures are never a failed call, they are in the report. After a store failure the
// messages of the batch in flight keep their lease and are sent again when it runs out.
Result<DeliveryReport> DeliverDue(store::Store& store, TimePoint now,
                                  const DeliveryOptions& options);

// The outcome of SendTestMessage.
struct TestResult {
  bool delivered = false;     // a 2xx answer
  int64_t http_status = 0;    // 0: no HTTP answer
  int64_t elapsed_us = 0;     // time the request took (measured, not derived from `now`)
  std::string error;          // empty when delivered
  std::string response_body;  // the first 200 bytes of the answer
};

// Sends one `ping` message to `hook` outside the outbox (nothing is stored): body
// {"kind":"ping","sent_at":"<now, ISO 8601>","webhook_id":<id>}, signed and with the headers of
// every delivery (X-Leadq-Attempt: 1, Idempotency-Key "ping-<id>-<now in µs>"). A network or
// HTTP failure is a TestResult with `error` set; an invalid URL is InvalidInput.
Result<TestResult> SendTestMessage(const store::Webhook& hook, TimePoint now,
                                   int64_t timeout_seconds = 10);

}  // namespace leadq::server
