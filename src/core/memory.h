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

}  // namespace leadq
