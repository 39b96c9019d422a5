"""Allocation: the quantity each listing is pushed (quantities), its rules and promotion reservations
(rules), and the step-by-step explanation of that quantity (explain)."""
