"""Events: the catalogue of event types, and recording an event with its deliveries."""
