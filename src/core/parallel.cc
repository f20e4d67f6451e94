#include "core/parallel.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace leadq {

size_t WorkerCount() {
  if (const char* env = std::getenv("LEADQ_THREADS")) {
    char* end = nullptr;
    long v = std::strtol(env, &end, 10);
    if (end != env && *end == '\0' && v > 0) return static_cast<size_t>(std::min(v, 256L));
  }
  // hardware_concurrency reads /sys on every call: the server asks for every request.
  static const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : hw;
}

void ParallelFor(size_t n, const std::function<void(size_t, size_t, size_t)>& fn, size_t parts) {
  if (parts == 0) parts = WorkerCount();
  parts = std::max<size_t>(1, std::min(parts, n));
  if (n == 0) return;
  if (parts == 1) {
    fn(0, n, 0);
    return;
  }
  std::vector<std::thread> threads;
  threads.reserve(parts - 1);
  for (size_t p = 0; p + 1 < parts; ++p) {
    threads.emplace_back([&, p] { fn(n * p / parts, n * (p + 1) / parts, p); });
  }
  fn(n * (parts - 1) / parts, n, parts - 1);
  for (auto& t : threads) t.join();
}

void ParallelTasks(size_t tasks, const std::function<void(size_t)>& fn) {
  size_t workers = std::max<size_t>(1, std::min(WorkerCount(), tasks));
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next.fetch_add(1); i < tasks; i = next.fetch_add(1)) fn(i);
  };
  std::vector<std::thread> threads;
  for (size_t w = 0; w + 1 < workers; ++w) threads.emplace_back(work);
  work();
  for (auto& t : threads) t.join();
}

}  // namespace leadq
