"""`kdash check`: the health report as text, JSON, JUnit or Markdown, for people and for CI."""
