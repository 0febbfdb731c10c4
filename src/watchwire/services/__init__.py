"""Services: plain async classes holding the business rules. No HTTP types below this line."""
