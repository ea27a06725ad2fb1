"""The seeded synthetic declaration generator and its world."""
