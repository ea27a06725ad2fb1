"""Policy packs: rules as data, their SQL allow-list and their evaluation."""
