"""ECharts option builders, one module per feature; each returns a plain dict the page passes through |tojson."""
