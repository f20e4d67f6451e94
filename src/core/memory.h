// Large arrays read at random (id indexes, columns of millions of rows, their scatter targets)
// cost a TLB miss per access with 4 KiB pages and a page fault per 4 KiB when first written.
// Transparent huge pages (2 MiB) cut both by 512; Debian's default kernel setting gives them
// only to memory that asks (madvise). These helpers ask for them, for memory not yet written.
//
// Example:
//   std::vector<uint32_t> codes;
//   ReserveHuge(codes, rows);  // then push_back or resize: the pages are faulted in 2 MiB
#pragma once

#include <cstddef>
#include <vector>

namespace leadq {

// Advises the kernel to back [data, data + bytes) with huge pages: the 2 MiB-aligned part of
// it, when the range is large enough to hold one. Pages already written keep their size.
// Never fails (it is advice); safe on any memory the caller owns.
void AdviseHugePages(const void* data, size_t bytes);

// v.reserve(n), then AdviseHugePages on the reserved capacity.
template <typename T, typename A>
void ReserveHuge(std::vector<T, A>& v, size_t n) {
  v.reserve(n);
  AdviseHugePages(v.data(), v.capacity() * sizeof(T));
}

// Resizes an empty vector to n value-initialised elements, asking for huge pages first.
template <typename T, typename A>
void ResizeHuge(std::vector<T, A>& v, size_t n) {
  ReserveHuge(v, n);
  v.resize(n);
}

// The whole heap on huge pages: glibc's malloc asks for them on every region it maps when the
// tunable glibc.malloc.hugetlb=1 is set, and it reads tunables only when a process starts. So,
// when GLIBC_TUNABLES does not mention that tunable and LEADQ_HUGE_HEAP is not "0", this sets it
// and starts the program again from /proc/self/exe with the same arguments (execv: it does not
// return then). Otherwise, or when the exec fails, it returns and the program goes on as it is.
// Measured on a 2-core VM, where each 4 KiB page fault is costly: a rescore of 1M leads spends
// half the system time (6.4-8.0 s -> 3.5 s). Call it first thing in main, before any thread.
// Set LEADQ_HUGE_HEAP=0 to stay in the first process (valgrind, which would not follow the exec).
void RestartWithHugeHeapPages(char** argv);

}  // namespace leadq
