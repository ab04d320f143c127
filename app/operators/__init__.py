"""Operator console: facility settings, rosters, check-in, no-shows, walk-ins and utilisation."""
