"""Views over many lines (trader networks, flows): what no single line shows."""
