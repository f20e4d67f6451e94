#include "analytics/logistic.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <optional>

#include "analytics/metrics.h"
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

// The non-zero cells of x, row by row (compressed sparse rows). Data with many one-hot
// columns is mostly zeros; X'WX over the non-zeros costs rows * nnz^2 / 2 instead of
// rows * p^2 / 2 (15 times less on a typical lead file).
struct SparseRows {
  std::vector<size_t> start;  // rows + 1
  std::vector<int32_t> column;
  std::vector<double> value;
};

// The sparse form when at most `max_density` of the cells are non-zero, else nullopt.
std::optional<SparseRows> MakeSparseRows(const Eigen::MatrixXd& x, double max_density) {
  size_t nnz = 0;
  for (Eigen::Index j = 0; j < x.cols(); ++j)
    nnz += static_cast<size_t>((x.col(j).array() != 0).count());
  if (static_cast<double>(nnz) > max_density * static_cast<double>(x.size())) return std::nullopt;
  SparseRows s;
  s.start.reserve(static_cast<size_t>(x.rows()) + 1);
  s.column.reserve(nnz);
  s.value.reserve(nnz);
  s.start.push_back(0);
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
      double v = x(i, j);
      if (v == 0) continue;
      s.column.push_back(static_cast<int32_t>(j));
      s.value.push_back(v);
    }
    s.start.push_back(s.column.size());
  }
  return s;
}

// Below this share of non-zero cells the sparse Hessian is faster than Eigen's blocked product.
constexpr double kSparseDensity = 0.3;

struct Problem {
  const Eigen::MatrixXd& x;
  std::span<const double> y;
  std::span<const double> weights;
  double l2;
  size_t parts;  // threads for the row loops
  const SparseRows* sparse = nullptr;

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
          d.gradient[p] += residual.sum();
          d.hessian(p, p) += w.sum();
          if (pb.sparse != nullptr) {
            const SparseRows& sp = *pb.sparse;
            for (Eigen::Index r = 0; r < rows; ++r) {
              auto i = static_cast<size_t>(b + r);
              const size_t lo = sp.start[i], hi = sp.start[i + 1];
              for (size_t a = lo; a < hi; ++a) {
                const auto ja = static_cast<Eigen::Index>(sp.column[a]);
                const double wa = w[r] * sp.value[a];
                d.gradient[ja] += residual[r] * sp.value[a];
                d.hessian(p, ja) += wa;
                // Columns ascend within a row: (ja, jb) with jb <= ja is the lower triangle.
                for (size_t c = lo; c <= a; ++c) {
                  d.hessian(ja, static_cast<Eigen::Index>(sp.column[c])) += wa * sp.value[c];
                }
              }
            }
            continue;
          }
          auto block = pb.x.middleRows(b, rows);
          d.gradient.head(p).noalias() += block.transpose() * residual;
          scaled = block.array().colwise() * w.array().sqrt();
          d.hessian.topLeftCorner(p, p).selfadjointView<Eigen::Lower>().rankUpdate(
              scaled.transpose());
          d.hessian.row(p).head(p).noalias() += (block.transpose() * w).transpose();
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
  std::optional<SparseRows> sparse = MakeSparseRows(x, kSparseDensity);
  Problem pb{x, y, weights, options.l2, WorkerCount(), sparse ? &*sparse : nullptr};
  return Fit(pb, options, nullptr);
}

LogisticFit FitLogisticFrom(const Eigen::MatrixXd& x, std::span<const double> y,
                            const LogisticOptions& options, std::span<const double> weights,
                            const LogisticFit& start) {
  std::optional<SparseRows> sparse = MakeSparseRows(x, kSparseDensity);
  Problem pb{x, y, weights, options.l2, WorkerCount(), sparse ? &*sparse : nullptr};
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
  for (int k = 6; k >= -2; --k) grid.push_back(std::pow(10.0, k / 2.0));
  return grid;
}

LogisticCrossValidation CrossValidateLogistic(const Eigen::MatrixXd& x, std::span<const double> y,
                                              std::span<const int> fold, int folds,
                                              std::vector<double> grid,
                                              const LogisticOptions& options) {
  assert(folds >= 2);
  std::sort(grid.begin(), grid.end(), std::greater<>());
  const auto k_folds = static_cast<size_t>(folds);
  std::vector<uint8_t> label(y.size());
  for (size_t i = 0; i < y.size(); ++i) label[i] = y[i] > 0.5 ? 1 : 0;

  // Each fold's training matrix, built once.
  struct Fold {
    std::vector<Eigen::Index> test;
    Eigen::MatrixXd x_train, x_test;
    std::vector<double> y_train;
    LogisticFit fit;
    bool fitted = false;
    std::optional<SparseRows> sparse;
  };
  std::vector<Fold> parts(k_folds);
  ParallelTasks(k_folds, [&](size_t k) {
    std::vector<Eigen::Index> train;
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      (fold[static_cast<size_t>(i)] == static_cast<int>(k) ? parts[k].test : train).push_back(i);
    }
    parts[k].x_train = x(train, Eigen::all);
    parts[k].x_test = x(parts[k].test, Eigen::all);
    for (Eigen::Index i : train) parts[k].y_train.push_back(y[static_cast<size_t>(i)]);
    parts[k].sparse = MakeSparseRows(parts[k].x_train, kSparseDensity);
  });

  LogisticCrossValidation cv;
  std::vector<double> out_of_fold(y.size());
  double best = std::numeric_limits<double>::infinity();
  int worse_in_a_row = 0;
  for (double l2 : grid) {
    // The folds in parallel, one thread each; each warm-started from its previous grid value.
    ParallelTasks(k_folds, [&](size_t k) {
      Fold& f = parts[k];
      LogisticOptions o = options;
      o.l2 = l2;
      Problem pb{f.x_train, f.y_train, {}, l2, 1, f.sparse ? &*f.sparse : nullptr};
      f.fit = Fit(pb, o, f.fitted ? &f.fit : nullptr);
      f.fitted = true;
      std::vector<double> p = LogisticProbabilities(f.fit, f.x_test);
      for (size_t r = 0; r < f.test.size(); ++r) {
        out_of_fold[static_cast<size_t>(f.test[r])] = p[r];
      }
    });
    double loss = LogLoss(out_of_fold, label);
    cv.grid.push_back(l2);
    cv.mean_log_loss.push_back(loss);
    if (loss < best) {
      best = loss;
      cv.best_l2 = l2;
      cv.out_of_fold = out_of_fold;
      worse_in_a_row = 0;
    } else if (++worse_in_a_row == 2) {
      // Past the minimum: less penalty only overfits more (the held-out loss along the path is
      // unimodal in practice); stop rather than fit the rest.
      break;
    }
  }
  return cv;
}

}  // namespace leadq::analytics
