#include "analytics/logistic.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

#include "core/parallel.h"

namespace leadq::analytics {
namespace {

// Rows per block when accumulating X'WX: large enough for Eigen's matrix product to run at
// speed, small enough that the scaled copy of the block stays in cache.
constexpr Eigen::Index kBlockRows = 4096;

double Sigmoid(double z) {
  if (z >= 0) return 1.0 / (1.0 + std::exp(-z));
  double e = std::exp(z);
  return e / (1.0 + e);
}

// log(1 + exp(z)) without overflow.
double Softplus(double z) { return z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z)); }

struct Problem {
  const Eigen::MatrixXd& x;
  std::span<const double> y;
  std::span<const double> weights;
  double l2;
  size_t parts;  // threads for the row loops

  double Weight(Eigen::Index i) const {
    return weights.empty() ? 1.0 : weights[static_cast<size_t>(i)];
  }
};

// The objective at (b0, beta) given the linear predictor eta = X beta.
double Objective(const Problem& pb, const Eigen::VectorXd& eta, double b0,
                 const Eigen::VectorXd& beta) {
  double sum = 0;
  for (Eigen::Index i = 0; i < eta.size(); ++i) {
    double z = eta[i] + b0;
    double w = pb.Weight(i);
    if (w == 0) continue;
    sum += w * (Softplus(z) - pb.y[static_cast<size_t>(i)] * z);
  }
  return sum + 0.5 * pb.l2 * beta.squaredNorm();
}

// Gradient and Hessian of the objective, with the intercept as the last coordinate.
struct Derivatives {
  Eigen::VectorXd gradient;  // p + 1
  Eigen::MatrixXd hessian;   // (p + 1) x (p + 1), lower triangle filled
};

Derivatives ComputeDerivatives(const Problem& pb, const Eigen::VectorXd& eta, double b0,
                               const Eigen::VectorXd& beta) {
  const Eigen::Index n = pb.x.rows();
  const Eigen::Index p = pb.x.cols();
  size_t parts = std::max<size_t>(1, std::min<size_t>(pb.parts, static_cast<size_t>(n)));
  std::vector<Derivatives> partial(parts);
  ParallelFor(
      static_cast<size_t>(n),
      [&](size_t begin, size_t end, size_t part) {
        Derivatives& d = partial[part];
        d.gradient = Eigen::VectorXd::Zero(p + 1);
        d.hessian = Eigen::MatrixXd::Zero(p + 1, p + 1);
        Eigen::MatrixXd scaled;
        Eigen::VectorXd residual, w;
        for (auto b = static_cast<Eigen::Index>(begin); b < static_cast<Eigen::Index>(end);
             b += kBlockRows) {
          Eigen::Index rows =
              std::min<Eigen::Index>(kBlockRows, static_cast<Eigen::Index>(end) - b);
          residual.resize(rows);
          w.resize(rows);
          for (Eigen::Index r = 0; r < rows; ++r) {
            Eigen::Index i = b + r;
            double wt = pb.Weight(i);
            double prob = Sigmoid(eta[i] + b0);
            residual[r] = wt * (pb.y[static_cast<size_t>(i)] - prob);
            w[r] = wt * prob * (1 - prob);
          }
          auto block = pb.x.middleRows(b, rows);
          d.gradient.head(p).noalias() += block.transpose() * residual;
          d.gradient[p] += residual.sum();
          scaled = block.array().colwise() * w.array().sqrt();
          d.hessian.topLeftCorner(p, p).selfadjointView<Eigen::Lower>().rankUpdate(
              scaled.transpose());
          d.hessian.row(p).head(p).noalias() += (block.transpose() * w).transpose();
          d.hessian(p, p) += w.sum();
        }
      },
      parts);
  Derivatives total = std::move(partial[0]);
  for (size_t i = 1; i < partial.size(); ++i) {
    if (partial[i].gradient.size() == 0) continue;  // a part with no rows
    total.gradient += partial[i].gradient;
    total.hessian += partial[i].hessian;
  }
  total.gradient.head(p) -= pb.l2 * beta;
  total.hessian.topLeftCorner(p, p).diagonal().array() += pb.l2;
  return total;
}

LogisticFit Fit(const Problem& pb, const LogisticOptions& options, const LogisticFit* start) {
  const Eigen::Index p = pb.x.cols();
  assert(static_cast<Eigen::Index>(pb.y.size()) == pb.x.rows());
  assert(pb.weights.empty() || static_cast<Eigen::Index>(pb.weights.size()) == pb.x.rows());
  Eigen::VectorXd beta = Eigen::VectorXd::Zero(p);
  double b0 = 0;
  if (start != nullptr && static_cast<Eigen::Index>(start->coef.size()) == p) {
    beta = Eigen::Map<const Eigen::VectorXd>(start->coef.data(), p);
    b0 = start->intercept;
  } else {
    // Start at the base rate: the intercept-only model.
    double sw = 0, swy = 0;
    for (Eigen::Index i = 0; i < pb.x.rows(); ++i) {
      sw += pb.Weight(i);
      swy += pb.Weight(i) * pb.y[static_cast<size_t>(i)];
    }
    if (sw > 0 && swy > 0 && swy < sw) b0 = std::log(swy / (sw - swy));
  }
  Eigen::VectorXd eta = pb.x * beta;
  double objective = Objective(pb, eta, b0, beta);
  LogisticFit fit;
  for (int iter = 0; iter < options.max_iterations; ++iter) {
    fit.iterations = iter + 1;
    Derivatives d = ComputeDerivatives(pb, eta, b0, beta);
    // A tiny ridge on the intercept keeps the system solvable when every weight vanishes.
    d.hessian(p, p) += 1e-12;
    Eigen::LDLT<Eigen::MatrixXd> ldlt(d.hessian.selfadjointView<Eigen::Lower>());
    Eigen::VectorXd step = ldlt.solve(d.gradient);
    if (!step.allFinite()) break;
    double decrement = 0.5 * d.gradient.dot(step);
    if (decrement <= options.tolerance * (1 + std::abs(objective))) {
      // Close enough that the full step is safe; taking it makes the answer exact to rounding
      // (Newton's method converges quadratically).
      beta += step.head(p);
      b0 += step[p];
      fit.converged = true;
      break;
    }
    // Backtracking: Newton's full step is almost always taken; halve it while the objective
    // does not fall (far from the optimum, or with nearly separable data).
    Eigen::VectorXd x_step = pb.x * step.head(p);
    double t = 1;
    bool moved = false;
    for (int halving = 0; halving < 30; ++halving) {
      Eigen::VectorXd beta_new = beta + t * step.head(p);
      double b0_new = b0 + t * step[p];
      Eigen::VectorXd eta_new = eta + t * x_step;
      double objective_new = Objective(pb, eta_new, b0_new, beta_new);
      if (objective_new <= objective + 1e-4 * t * -2 * decrement) {
        beta = std::move(beta_new);
        b0 = b0_new;
        eta = std::move(eta_new);
        objective = objective_new;
        moved = true;
        break;
      }
      t *= 0.5;
    }
    if (!moved) {
      // No decrease along the Newton direction: the optimum within rounding.
      fit.converged = true;
      break;
    }
  }
  fit.coef.assign(beta.data(), beta.data() + p);
  fit.intercept = b0;
  return fit;
}

}  // namespace

LogisticFit FitLogistic(const Eigen::MatrixXd& x, std::span<const double> y,
                        const LogisticOptions& options, std::span<const double> weights) {
  Problem pb{x, y, weights, options.l2, WorkerCount()};
  return Fit(pb, options, nullptr);
}

LogisticFit FitLogisticFrom(const Eigen::MatrixXd& x, std::span<const double> y,
                            const LogisticOptions& options, std::span<const double> weights,
                            const LogisticFit& start) {
  Problem pb{x, y, weights, options.l2, WorkerCount()};
  return Fit(pb, options, &start);
}

double LogisticProbability(const LogisticFit& fit,
                           const Eigen::Ref<const Eigen::RowVectorXd>& row) {
  double z = fit.intercept;
  for (Eigen::Index j = 0; j < row.size(); ++j) z += fit.coef[static_cast<size_t>(j)] * row[j];
  return Sigmoid(z);
}

std::vector<double> LogisticProbabilities(const LogisticFit& fit, const Eigen::MatrixXd& x) {
  Eigen::Map<const Eigen::VectorXd> beta(fit.coef.data(),
                                         static_cast<Eigen::Index>(fit.coef.size()));
  Eigen::VectorXd eta = x * beta;
  std::vector<double> out(static_cast<size_t>(x.rows()));
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    out[static_cast<size_t>(i)] = Sigmoid(eta[i] + fit.intercept);
  }
  return out;
}

std::vector<double> DefaultL2Grid() {
  std::vector<double> grid;
  for (int k = 8; k >= -4; --k) grid.push_back(std::pow(10.0, k / 2.0));
  return grid;
}

LogisticCrossValidation CrossValidateLogistic(const Eigen::MatrixXd& x, std::span<const double> y,
                                              std::span<const int> fold, int folds,
                                              std::vector<double> grid,
                                              const LogisticOptions& options) {
  assert(folds >= 2);
  std::sort(grid.begin(), grid.end(), std::greater<>());
  LogisticCrossValidation cv;
  cv.grid = grid;
  cv.mean_log_loss.assign(grid.size(), 0);
  // held_out[k][g]: fold k's held-out probabilities at grid value g.
  std::vector<std::vector<std::vector<double>>> held_out(static_cast<size_t>(folds));
  std::vector<std::vector<Eigen::Index>> test_rows(static_cast<size_t>(folds));
  for (Eigen::Index i = 0; i < x.rows(); ++i)
    test_rows[static_cast<size_t>(fold[static_cast<size_t>(i)])].push_back(i);

  ParallelTasks(static_cast<size_t>(folds), [&](size_t k) {
    std::vector<Eigen::Index> train;
    train.reserve(static_cast<size_t>(x.rows()) - test_rows[k].size());
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      if (fold[static_cast<size_t>(i)] != static_cast<int>(k)) train.push_back(i);
    }
    Eigen::MatrixXd x_train = x(train, Eigen::all);
    Eigen::MatrixXd x_test = x(test_rows[k], Eigen::all);
    std::vector<double> y_train(train.size());
    for (size_t r = 0; r < train.size(); ++r) y_train[r] = y[static_cast<size_t>(train[r])];
    LogisticFit previous;
    bool have_previous = false;
    held_out[k].resize(grid.size());
    for (size_t g = 0; g < grid.size(); ++g) {
      LogisticOptions o = options;
      o.l2 = grid[g];
      // One thread per fold: the folds themselves run in parallel.
      Problem pb{x_train, y_train, {}, o.l2, 1};
      previous = Fit(pb, o, have_previous ? &previous : nullptr);
      have_previous = true;
      held_out[k][g] = LogisticProbabilities(previous, x_test);
    }
  });

  const double eps = 1e-15;
  double best = std::numeric_limits<double>::infinity();
  size_t best_g = 0;
  for (size_t g = 0; g < grid.size(); ++g) {
    double sum = 0;
    for (size_t k = 0; k < static_cast<size_t>(folds); ++k) {
      for (size_t r = 0; r < test_rows[k].size(); ++r) {
        double prob = std::clamp(held_out[k][g][r], eps, 1 - eps);
        double yy = y[static_cast<size_t>(test_rows[k][r])];
        sum -= yy * std::log(prob) + (1 - yy) * std::log(1 - prob);
      }
    }
    cv.mean_log_loss[g] = sum / static_cast<double>(x.rows());
    if (cv.mean_log_loss[g] < best) {
      best = cv.mean_log_loss[g];
      best_g = g;
    }
  }
  cv.best_l2 = grid[best_g];
  cv.out_of_fold.assign(static_cast<size_t>(x.rows()), 0);
  for (size_t k = 0; k < static_cast<size_t>(folds); ++k) {
    for (size_t r = 0; r < test_rows[k].size(); ++r) {
      cv.out_of_fold[static_cast<size_t>(test_rows[k][r])] = held_out[k][best_g][r];
    }
  }
  return cv;
}

}  // namespace leadq::analytics
