"""The weekend lottery (issue #12): the verifiable draw and the hold rule for offers of freed places."""
