"""Delivery: the outbox worker, webhooks and notification channels."""
