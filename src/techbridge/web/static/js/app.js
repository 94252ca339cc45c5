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
  // Behaviours that used to be inline handlers (the Content-Security-Policy allows no inline script).
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("[data-copy-from]");
    if (!button) return;
    // data-copy-from / data-copy-to: ids, space-separated and paired in order (the need and its region)
    var froms = button.getAttribute("data-copy-from").split(" ");
    var tos = (button.getAttribute("data-copy-to") || "").split(" ");
    froms.forEach(function (id, i) {
      var from = document.getElementById(id), to = document.getElementById(tos[i] || "");
      if (from && to) to.value = from.value;
    });
  });
  // data-confirm: a destructive form asks first (the question is rendered in the page's language).
  document.addEventListener("submit", function (e) {
    var question = e.target.getAttribute && e.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) e.preventDefault();
  });
  function removeOnError(e) {
    var el = e.target.closest && e.target.closest("[data-remove-on-error]");
    if (el) el.remove();
  }
  document.addEventListener("htmx:responseError", removeOnError);
  document.addEventListener("htmx:sendError", removeOnError);
  document.addEventListener("DOMContentLoaded", function () { mountCharts(document); });
  document.addEventListener("htmx:afterSwap", function (e) { mountCharts(e.target); });
  // An invalid HTMX form answers 422 with its partial re-rendered (errors beside the fields): show it (htmx 2
  // swaps no 4xx by default, which left the person with nothing).
  document.addEventListener("htmx:beforeSwap", function (e) {
    if (e.detail.xhr && e.detail.xhr.status === 422) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });
})();
