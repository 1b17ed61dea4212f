"""The residential strategy dashboard: the domain, free of any user interface."""
