// Splitting work across the machine's cores.
//
// Example:
//   ParallelFor(rows, [&](size_t begin, size_t end, size_t part) { ... });
#pragma once

#include <cstddef>
#include <functional>

namespace leadq {

// The number of worker threads to use: LEADQ_THREADS when set to a positive number, otherwise
// the number of hardware threads (at least 1). Thread-safe.
size_t WorkerCount();

// Calls fn(begin, end, part) for `parts` contiguous slices of [0, n), each on its own thread
// (the last on the calling thread), and waits for all. `parts` 0 means WorkerCount(). Slices
// are empty-free: fewer parts are used when n is small. fn must be safe to call concurrently
// on disjoint slices.
void ParallelFor(size_t n, const std::function<void(size_t, size_t, size_t)>& fn, size_t parts = 0);

// Calls fn(i) for each i in [0, tasks) on up to WorkerCount() threads and waits for all.
void ParallelTasks(size_t tasks, const std::function<void(size_t)>& fn);

}  // namespace leadq
