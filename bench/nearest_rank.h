#pragma once
// The percentile W2's latencies are reported with, shared by the programs that report them.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace apsched::bench {

/** The nearest-rank `pct` percentile of `sorted` (ascending); NaN when it is empty. */
inline double nearest_rank(const std::vector<double>& sorted, double pct) {
  if (sorted.empty()) return NAN;
  auto rank = static_cast<std::size_t>(std::ceil(pct / 100.0 * static_cast<double>(sorted.size())));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

}  // namespace apsched::bench
