"""Due process: objections, their windows and decisions, and the notices owed to a subject."""
