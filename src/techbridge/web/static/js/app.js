// techbridge: mounts ECharts charts whose options the server rendered (no build step).
(function () {
  function mountCharts(root) {
    if (typeof echarts === "undefined") return;
    root.querySelectorAll("[data-echarts]").forEach(function (el) {
      if (el.dataset.mounted) return;
      var option = JSON.parse(el.getAttribute("data-echarts"));
      var chart = echarts.init(el);
      chart.setOption(option);
      el.dataset.mounted = "1";
      var link = el.getAttribute("data-click-url");
      if (link) {
        chart.on("click", function (params) {
          var id = params.data && params.data.id;
          var target = document.querySelector(el.getAttribute("data-click-target") || "#chart-detail");
          if (id !== undefined && target && window.htmx) {
            htmx.ajax("GET", link.replace("{id}", encodeURIComponent(id)), { target: target });
          }
        });
      }
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { mountCharts(document); });
  document.addEventListener("htmx:afterSwap", function (e) { mountCharts(e.target); });
})();
