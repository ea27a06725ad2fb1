"""Recognition: which accelerator a line names (catalog, resolver, controls, inspection
captures).
"""
