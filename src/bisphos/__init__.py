"""bisphos."""
