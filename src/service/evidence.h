// Evidence for a model change: suggest-weights and model backtest.
#pragma once
