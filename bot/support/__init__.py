"""Technical-support requests: the filing form, the staff desk and the fixed vocabulary."""
