"""Thin handlers, one module per thing a member does: parse the update, call a service, render, reply."""
