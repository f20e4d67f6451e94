#include "analytics/gbdt.h"

#include <xgboost/c_api.h>

#include <cmath>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "core/parallel.h"

namespace leadq::analytics {
namespace {

Status XgbError(const char* what) {
  return Status::Internal(std::string("XGBoost failed to ") + what + ": " + XGBGetLastError());
}

// Owners of XGBoost handles.
struct MatrixDeleter {
  void operator()(void* h) const { XGDMatrixFree(h); }
};
struct BoosterDeleter {
  void operator()(void* h) const { XGBoosterFree(h); }
};
using MatrixHandle = std::unique_ptr<void, MatrixDeleter>;
using BoosterHandlePtr = std::unique_ptr<void, BoosterDeleter>;

Result<MatrixHandle> MakeMatrix(const Eigen::MatrixXd& x, std::span<const double> y) {
  // XGBoost reads single precision, row-major.
  Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> xf = x.cast<float>();
  DMatrixHandle h = nullptr;
  if (XGDMatrixCreateFromMat(xf.data(), static_cast<bst_ulong>(x.rows()),
                             static_cast<bst_ulong>(x.cols()),
                             std::numeric_limits<float>::quiet_NaN(), &h) != 0) {
    return XgbError("build a matrix");
  }
  MatrixHandle m(h);
  if (!y.empty()) {
    std::vector<float> labels(y.begin(), y.end());
    if (XGDMatrixSetFloatInfo(h, "label", labels.data(), static_cast<bst_ulong>(labels.size())) !=
        0) {
      return XgbError("set labels");
    }
  }
  return m;
}

Status SetParams(BoosterHandle b, const GbdtOptions& o) {
  int threads = o.threads > 0 ? o.threads : static_cast<int>(WorkerCount());
  const std::pair<const char*, std::string> params[] = {
      {"objective", "binary:logistic"},
      {"eval_metric", "logloss"},
      {"tree_method", "hist"},
      {"verbosity", "0"},
      {"eta", std::to_string(o.learning_rate)},
      {"max_depth", std::to_string(o.max_depth)},
      {"subsample", std::to_string(o.subsample)},
      {"colsample_bytree", std::to_string(o.colsample)},
      {"min_child_weight", std::to_string(o.min_child_weight)},
      {"lambda", std::to_string(o.l2)},
      {"seed", std::to_string(o.seed % 2147483647)},
      {"nthread", std::to_string(threads)},
  };
  for (const auto& [name, value] : params) {
    if (XGBoosterSetParam(b, name, value.c_str()) != 0) return XgbError("set a parameter");
  }
  return Status::Ok();
}

// "[12]\tvalid-logloss:0.41235" -> 0.41235
double ParseEval(const char* text) {
  std::string s(text);
  size_t colon = s.rfind(':');
  if (colon == std::string::npos) return std::numeric_limits<double>::quiet_NaN();
  return std::strtod(s.c_str() + colon + 1, nullptr);
}

// Copies the trees out of the booster's JSON model, renumbering each tree's nodes in
// breadth-first order from the root so that children always follow their parent.
Status CopyTrees(BoosterHandle b, GbdtFit& fit) {
  bst_ulong len = 0;
  const char* buf = nullptr;
  if (XGBoosterSaveModelToBuffer(b, R"({"format": "json"})", &len, &buf) != 0) {
    return XgbError("save the model");
  }
  try {
    nlohmann::json j = nlohmann::json::parse(buf, buf + len);
    const nlohmann::json& learner = j.at("learner");
    double base_score =
        std::stod(learner.at("learner_model_param").at("base_score").get<std::string>());
    fit.base_margin = std::log(base_score / (1 - base_score));
    fit.trees.clear();
    for (const nlohmann::json& t : learner.at("gradient_booster").at("model").at("trees")) {
      auto left = t.at("left_children").get<std::vector<int32_t>>();
      auto right = t.at("right_children").get<std::vector<int32_t>>();
      auto feature = t.at("split_indices").get<std::vector<int32_t>>();
      auto cond = t.at("split_conditions").get<std::vector<float>>();
      Tree out;
      std::vector<int32_t> queue{0};
      for (size_t q = 0; q < queue.size(); ++q) {
        auto n = static_cast<size_t>(queue[q]);
        if (left[n] == -1) {
          out.left.push_back(-1);
          out.right.push_back(-1);
          out.feature.push_back(0);
          out.threshold.push_back(0);
          out.value.push_back(cond[n]);  // a leaf's value is stored as its split condition
        } else {
          out.left.push_back(static_cast<int32_t>(queue.size()));
          queue.push_back(left[n]);
          out.right.push_back(static_cast<int32_t>(queue.size()));
          queue.push_back(right[n]);
          out.feature.push_back(feature[n]);
          out.threshold.push_back(cond[n]);
          out.value.push_back(0);
        }
      }
      fit.trees.push_back(std::move(out));
    }
  } catch (const std::exception& e) {
    return Status::Internal(std::string("XGBoost's model could not be read: ") + e.what());
  }
  return Status::Ok();
}

Status CopyGain(BoosterHandle b, size_t features, GbdtFit& fit) {
  fit.gain.assign(features, 0);
  bst_ulong n_names = 0, out_dim = 0;
  const char** names = nullptr;
  const bst_ulong* shape = nullptr;
  const float* scores = nullptr;
  if (XGBoosterFeatureScore(b, R"({"importance_type": "total_gain"})", &n_names, &names, &out_dim,
                            &shape, &scores) != 0) {
    return XgbError("compute feature importance");
  }
  for (bst_ulong i = 0; i < n_names; ++i) {
    // Without feature names XGBoost calls them f0, f1, ...
    std::string name = names[i];
    if (name.size() < 2 || name[0] != 'f') continue;
    size_t index = std::stoul(name.substr(1));
    if (index < features) fit.gain[index] = scores[i];
  }
  return Status::Ok();
}

Result<BoosterHandlePtr> Train(const Eigen::MatrixXd& x, std::span<const double> y,
                               const Eigen::MatrixXd* valid_x, std::span<const double> valid_y,
                               const GbdtOptions& options, int& best_rounds) {
  LEADQ_TRY(MatrixHandle train, MakeMatrix(x, y));
  MatrixHandle valid;
  if (valid_x != nullptr) {
    LEADQ_TRY(valid, MakeMatrix(*valid_x, valid_y));
  }
  DMatrixHandle cache[] = {train.get(), valid.get()};
  BoosterHandle raw = nullptr;
  if (XGBoosterCreate(cache, valid ? 2 : 1, &raw) != 0) return XgbError("create a booster");
  BoosterHandlePtr booster(raw);
  LEADQ_TRY(SetParams(raw, options));
  double best = std::numeric_limits<double>::infinity();
  best_rounds = 0;
  for (int iter = 0; iter < options.max_rounds; ++iter) {
    if (XGBoosterUpdateOneIter(raw, iter, train.get()) != 0) return XgbError("boost");
    if (!valid) {
      best_rounds = iter + 1;
      continue;
    }
    DMatrixHandle eval[] = {valid.get()};
    const char* eval_names[] = {"valid"};
    const char* out = nullptr;
    if (XGBoosterEvalOneIter(raw, iter, eval, eval_names, 1, &out) != 0) {
      return XgbError("evaluate");
    }
    double loss = ParseEval(out);
    if (loss < best - 1e-9) {
      best = loss;
      best_rounds = iter + 1;
    } else if (iter + 1 - best_rounds >= options.early_stopping_rounds) {
      break;
    }
  }
  if (valid) {
    // Keep the best rounds only.
    BoosterHandle sliced = nullptr;
    if (XGBoosterSlice(raw, 0, best_rounds, 1, &sliced) != 0) return XgbError("slice");
    booster.reset(sliced);
  }
  return booster;
}

}  // namespace

Result<GbdtFit> FitGbdt(const Eigen::MatrixXd& x, std::span<const double> y,
                        const Eigen::MatrixXd* valid_x, std::span<const double> valid_y,
                        const GbdtOptions& options) {
  GbdtFit fit;
  LEADQ_TRY(BoosterHandlePtr booster, Train(x, y, valid_x, valid_y, options, fit.best_rounds));
  LEADQ_TRY(CopyTrees(booster.get(), fit));
  LEADQ_TRY(CopyGain(booster.get(), static_cast<size_t>(x.cols()), fit));
  return fit;
}

Result<std::vector<double>> XgboostMargins(const Eigen::MatrixXd& train_x,
                                           std::span<const double> train_y,
                                           const GbdtOptions& options, const Eigen::MatrixXd& x,
                                           GbdtFit* fit_out) {
  int rounds = 0;
  LEADQ_TRY(BoosterHandlePtr booster, Train(train_x, train_y, nullptr, {}, options, rounds));
  if (fit_out != nullptr) {
    fit_out->best_rounds = rounds;
    LEADQ_TRY(CopyTrees(booster.get(), *fit_out));
  }
  LEADQ_TRY(MatrixHandle m, MakeMatrix(x, {}));
  bst_ulong len = 0;
  const float* out = nullptr;
  // option_mask 1: output margins.
  if (XGBoosterPredict(booster.get(), m.get(), 1, 0, 0, &len, &out) != 0) {
    return XgbError("predict");
  }
  return std::vector<double>(out, out + len);
}

}  // namespace leadq::analytics
