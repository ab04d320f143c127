"""Booking engine: policies, session templates, slots and bookings with capacity under concurrency."""
