// Chart.js charts for the pages. Chart.js is the UMD build loaded by index.html as a classic
// script from /vendor/chart.js/chart.umd.js (the server maps /vendor/chart.js/<file> to
// web/node_modules/chart.js/dist/<file>), so it is `window.Chart` here. Every chart is a canvas
// with role="img" and an aria-label; the pages also show the numbers in a table.
//
// Example:
//   import { barChart } from './charts.js';
//   el.append(barChart('Leads per stage', ['new', 'mql'], [{ label: 'Leads', data: [40, 12] }]));

const live = new Set();

// Destroys every chart made since the last call (the router calls it when the page changes).
export function destroyCharts() {
  for (const c of live) c.destroy();
  live.clear();
}

function canvasBox(title) {
  const box = document.createElement('div');
  box.className = 'chart';
  const canvas = document.createElement('canvas');
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', title);
  box.append(canvas);
  return {box, canvas};
}

function make(title, config) {
  const {box, canvas} = canvasBox(title);
  if (!window.Chart) {
    box.textContent = 'The chart library did not load; the numbers are in the table.';
    box.className = 'chart chart-missing';
    return box;
  }
  // Chart.js needs the canvas in the document to size it: draw on the next frame.
  requestAnimationFrame(() => {
    if (!canvas.isConnected) return;
    const chart = new window.Chart(canvas, {
      ...config,
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        ...config.options,
        plugins: {title: {display: true, text: title}, ...(config.options?.plugins || {})},
      },
    });
    live.add(chart);
  });
  return box;
}

const COLORS = ['#2f6fdb', '#d9822b', '#2e9d6a', '#b8405e', '#7b5cd6', '#6b7785'];

// A bar chart; datasets are [{label, data:[numbers]}]. `horizontal` lays bars sideways.
export function barChart(title, labels, datasets, {horizontal = false, yMax} = {}) {
  return make(title, {
    type: 'bar',
    data: {
      labels,
      datasets: datasets.map((d, i) => ({backgroundColor: COLORS[i % COLORS.length], ...d})),
    },
    options: {
      indexAxis: horizontal ? 'y' : 'x',
      scales: yMax !== undefined ? {[horizontal ? 'x' : 'y']: {min: 0, max: yMax}} : {},
    },
  });
}

// A line chart of points; datasets are [{label, data:[{x, y}]}] on linear axes.
export function lineChart(title, datasets, {xLabel, yLabel, min = 0, max = 1} = {}) {
  return make(title, {
    type: 'line',
    data: {
      datasets: datasets.map((d, i) => ({
                               borderColor: COLORS[i % COLORS.length],
                               backgroundColor: COLORS[i % COLORS.length],
                               pointRadius: 2,
                               tension: 0,
                               ...d,
                             })),
    },
    options: {
      parsing: false,
      scales: {
        x: {type: 'linear', min, max, title: {display: !!xLabel, text: xLabel}},
        y: {type: 'linear', min, max, title: {display: !!yLabel, text: yLabel}},
      },
    },
  });
}
