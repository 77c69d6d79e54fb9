/* 电子监察 charts: draws what the page embeds as JSON (#board-data) with the vendored ECharts.
 * The same numbers are in the table and the Excel export; without script the charts are
 * simply absent. Tooltips render in the canvas (renderMode richText): the strict CSP allows
 * no inline styles, which ECharts' HTML tooltips would need. */
(function () {
  "use strict";

  function draw() {
    var source = document.getElementById("board-data");
    if (!source || !window.echarts) {
      return;
    }
    var data = JSON.parse(source.textContent);
    var font = { fontFamily: "Noto Sans CJK SC, Microsoft YaHei, sans-serif" };
    var charts = [];
    var daily = document.getElementById("chart-daily");
    if (daily) {
      var chart = window.echarts.init(daily, null, { renderer: "canvas" });
      chart.setOption({
        textStyle: font,
        tooltip: { trigger: "axis", renderMode: "richText" },
        legend: { data: ["申请", "办结"], top: 0 },
        grid: { left: 40, right: 16, top: 32, bottom: 32 },
        xAxis: { type: "category", data: data.days },
        yAxis: { type: "value", minInterval: 1 },
        color: ["#0b4a8f", "#1b5e20"],
        series: [
          { name: "申请", type: "line", data: data.submitted, showSymbol: false },
          { name: "办结", type: "line", data: data.concluded, showSymbol: false }
        ]
      });
      charts.push(chart);
    }
    var rows = document.getElementById("chart-rows");
    if (rows) {
      var bars = window.echarts.init(rows, null, { renderer: "canvas" });
      bars.setOption({
        textStyle: font,
        tooltip: { trigger: "axis", renderMode: "richText" },
        grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
        xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
        yAxis: { type: "category", data: data.rows, inverse: true },
        color: ["#a8181e"],
        series: [{ name: "按期办结率", type: "bar", data: data.on_time_rate }]
      });
      charts.push(bars);
    }
    window.addEventListener("resize", function () {
      charts.forEach(function (c) { c.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
