"""Due process after intake: objections and their decisions, withdrawals, delivered notices."""
