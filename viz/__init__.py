"""chainrule viz."""
