"""Public status pages: pages of an account's monitors, their incidents and maintenance windows."""
