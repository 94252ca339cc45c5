"""The tier engine: policy versions as data, three-valued evaluation, gaps, what-if and candidate pools."""
