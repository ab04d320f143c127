"""Admin console: accounts, facility assignment, data uploads, flagged rows, coverage, audit log."""
