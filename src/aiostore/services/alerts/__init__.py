"""Alerts: rules evaluated by set-based SQL, alert states raised once until they clear, and their
delivery (in-app notifications, e-mail over SMTP, Standard Webhooks)."""
