#include "reports/pareto.hpp"

#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>

namespace squall::reports {

namespace {

bool has_value(const std::optional<double>& v) { return v.has_value() && std::isfinite(*v); }

// The value oriented so that larger is better; missing is the worst.
double goodness(const std::optional<double>& v, pareto_sense sense) {
  if (!has_value(v)) return -std::numeric_limits<double>::infinity();
  return sense == pareto_sense::maximize ? *v : -*v;
}

}  // namespace

std::vector<bool> pareto_objectives_used(const std::vector<std::vector<std::optional<double>>>& scores,
                                         std::size_t objectives) {
  std::vector<bool> used(objectives, false);
  for (const auto& row : scores) {
    if (row.size() != objectives) throw std::invalid_argument("pareto: every candidate needs one score per objective");
    for (std::size_t k = 0; k < objectives; ++k) used[k] = used[k] || has_value(row[k]);
  }
  return used;
}

std::vector<bool> pareto_front(const std::vector<std::vector<std::optional<double>>>& scores,
                               const std::vector<pareto_sense>& senses) {
  const std::size_t n = scores.size();
  const std::vector<bool> used = pareto_objectives_used(scores, senses.size());
  // Oriented scores of the objectives in use, row-major, so the n² loop touches plain doubles.
  std::vector<std::size_t> columns;
  for (std::size_t k = 0; k < senses.size(); ++k)
    if (used[k]) columns.push_back(k);
  const std::size_t m = columns.size();
  std::vector<double> g(n * m);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t c = 0; c < m; ++c) g[i * m + c] = goodness(scores[i][columns[c]], senses[columns[c]]);

  const auto dominates = [&](std::size_t a, std::size_t b) {
    bool strictly = false;
    for (std::size_t c = 0; c < m; ++c) {
      if (g[a * m + c] < g[b * m + c]) return false;
      strictly = strictly || g[a * m + c] > g[b * m + c];
    }
    return strictly;
  };
  std::vector<bool> front(n, true);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n && front[i]; ++j) {
      if (j != i && dominates(j, i)) front[i] = false;
    }
  }
  return front;
}

}  // namespace squall::reports
